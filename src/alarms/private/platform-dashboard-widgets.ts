import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { BatchQueueMetrics } from '../batch-queue-metrics';
import { SEED_METRICS, WIDGETS } from './platform-dashboard-sources';

const PERIOD = Duration.minutes(5);

/** What the platform dashboard's widgets read. */
export interface PlatformWidgetsInput {
  readonly metrics: BatchQueueMetrics;
  /** Name of the run-events log group (the Logs Insights widgets query it). */
  readonly runEventsLogGroupName: string;
  /** A term of the compute environment's name (its ECS cluster is named after it); undefined searches every cluster. */
  readonly clusterTerm?: string;
}

/**
 * Logs Insights queries over the run events (the EventBridge event as JSON: the run's fields under `detail`).
 * Outcomes are counted with `strcontains`, which returns 1 or 0; each outcome name contains no other.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html
 */
export const RUN_QUERIES = {
  runs: [
    'fields strcontains(detail.outcome, "SUCCEEDED") as succeeded, strcontains(detail.outcome, "FAILED") as failed,',
    '  strcontains(detail.outcome, "DEADLINE_PASSED") as late, strcontains(detail.outcome, "SUCCEEDED") * 100 as successPct',
    '| stats count(*) as runs, avg(successPct) as successPercent, sum(failed) as failedRuns, sum(late) as lateRuns by detail.team, detail.workload',
    '| sort successPercent asc',
  ],
  duration: [
    'filter ispresent(detail.durationSeconds)',
    '| stats pct(detail.durationSeconds, 50) as p50, pct(detail.durationSeconds, 95) as p95, max(detail.durationSeconds) as slowest by detail.workload',
    '| sort p95 desc',
  ],
  spot: [
    'filter detail.attempts > 0',
    '| fields detail.reclaimedAttempts * 100 / detail.attempts as reclaimedPct',
    '| stats sum(detail.reclaimedAttempts) as reclaimed, sum(detail.attempts) as attempts, avg(reclaimedPct) as perRunPercent by detail.team, detail.workload',
    '| sort reclaimed desc',
  ],
  dailyCost: [
    'filter ispresent(detail.estimatedCostUsd)',
    '| stats sum(detail.estimatedCostUsd) as usd by bin(1d)',
  ],
  teamCost: [
    'filter ispresent(detail.estimatedCostUsd)',
    '| stats sum(detail.estimatedCostUsd) as usd, count(*) as runs by detail.team, detail.workload',
    '| sort usd desc',
  ],
} as const;

/** The platform dashboard's widgets, row by row. */
export function platformWidgets(input: PlatformWidgetsInput): cloudwatch.IWidget[][] {
  const m = input.metrics;
  const logs = (title: string, queryLines: readonly string[], view = cloudwatch.LogQueryVisualizationType.TABLE) =>
    new cloudwatch.LogQueryWidget({ title, logGroupNames: [input.runEventsLogGroupName], queryLines: [...queryLines], view, width: 8, height: 6 });
  const percentiles = (metric: (o?: cloudwatch.MetricOptions) => cloudwatch.Metric, stats: string[]) =>
    stats.map(statistic => metric({ statistic, label: statistic }));
  return [
    jobsRow(m),
    [
      new cloudwatch.GraphWidget({ title: WIDGETS.timeInQueue, left: percentiles(o => m.metricTimeInQueue(o), ['p50', 'p90', 'Maximum']), width: 8 }),
      new cloudwatch.GraphWidget({ title: WIDGETS.launch, left: percentiles(o => m.metricLaunchDuration(o), ['p50', 'p90', 'Maximum']), width: 8 }),
      new cloudwatch.GraphWidget({ title: WIDGETS.execution, left: percentiles(o => m.metricExecutionDuration(o), ['Average', 'p90', 'Maximum']), width: 8 }),
    ],
    [
      utilisationWidget(input.clusterTerm),
      logs(WIDGETS.runs, RUN_QUERIES.runs),
      logs(WIDGETS.duration, RUN_QUERIES.duration),
    ],
    [
      logs(WIDGETS.spot, RUN_QUERIES.spot),
      logs(WIDGETS.dailyCost, RUN_QUERIES.dailyCost, cloudwatch.LogQueryVisualizationType.BAR),
      logs(WIDGETS.teamCost, RUN_QUERIES.teamCost),
    ],
    spendRow(),
  ];
}

/** The first row: jobs submitted, succeeded and failed, the success rate, and the flow through RUNNABLE (AWS/Batch). */
function jobsRow(m: BatchQueueMetrics): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: WIDGETS.jobs,
      left: [m.metricJobsSubmitted({ label: 'Submitted' }), m.metricJobsSucceeded({ label: 'Succeeded' }), m.metricJobsFailed({ label: 'Failed' })],
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: WIDGETS.successRate,
      left: [new cloudwatch.MathExpression({
        expression: '100 * ok / (ok + failed)',
        usingMetrics: { ok: m.metricJobsSucceeded(), failed: m.metricJobsFailed() },
        label: 'Success %',
        period: PERIOD,
      })],
      leftYAxis: { min: 0, max: 100 },
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: WIDGETS.runnable,
      left: [m.metric('JobsMovedToRunnable', { label: 'Entered RUNNABLE' }), m.metric('JobsMovedToStarting', { label: 'Started' })],
      width: 8,
    }),
  ];
}

/** The last row: the account's estimated charges (AWS/Billing) and what the dashboard cannot show. */
function spendRow(): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: WIDGETS.monthlySpend,
      // Billing metrics live in us-east-1 only, every few hours. @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/monitor_estimated_charges_with_cloudwatch.html
      left: [new cloudwatch.Metric({
        namespace: 'AWS/Billing',
        metricName: 'EstimatedCharges',
        dimensionsMap: { Currency: 'USD' },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.hours(6),
        region: 'us-east-1',
        label: 'Estimated charges',
      })],
      width: 8,
    }),
    new cloudwatch.TextWidget({ markdown: notShownMarkdown(), width: 16, height: 6 }),
  ];
}

/**
 * CPU and memory used over reserved, summed over the Batch ECS clusters whose name holds the compute environment's
 * name (Batch names the cluster after it), from a SEARCH: Batch creates the cluster, so its name is not in the template.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html
 */
function utilisationWidget(clusterTerm: string | undefined): cloudwatch.GraphWidget {
  const search = (metricName: string) =>
    `SEARCH('{ECS/ContainerInsights,ClusterName} MetricName="${metricName}" ${clusterTerm ?? '_Batch_'}', 'Sum', 300)`;
  const ratio = (used: string, reserved: string, label: string) => new cloudwatch.MathExpression({
    expression: `100 * SUM(${search(used)}) / SUM(${search(reserved)})`, usingMetrics: {}, label, period: PERIOD,
  });
  return new cloudwatch.GraphWidget({
    title: WIDGETS.utilisation,
    left: [ratio('CpuUtilized', 'CpuReserved', 'vCPU %'), ratio('MemoryUtilized', 'MemoryReserved', 'Memory %')],
    leftYAxis: { min: 0, max: 100 },
    width: 8,
  });
}

/** The text widget: each seed metric with no honest source on this dashboard, and the limits of those shown. */
function notShownMarkdown(): string {
  const none = SEED_METRICS.filter(s => s.source === 'none');
  return [
    `### ${WIDGETS.notShown}`,
    ...none.map(s => `- **${s.seed}**: ${s.note}.`),
    '- Queue-wide widgets (AWS/Batch) mix every workload of the queue and are best effort; per-workload widgets read the run events.',
    '- Costs are estimates of compute only (docs/operations.md, "Cost per run").',
  ].join('\n');
}
