/**
 * Where each metric of the architecture's "Monitoring Dashboard" list comes from on the platform dashboard: the
 * widget that shows it and the documented metric (namespace, names, dimensions, AWS page) or run-event field behind
 * it, or why nothing honest shows it. One table, read by the dashboard's text widget, docs/operations.md and
 * test/platform-dashboard.test.ts.
 */

/** The widget titles, each written once. */
export const WIDGETS = {
  jobs: 'Jobs submitted, succeeded and failed (whole queue)',
  successRate: 'Job success rate % (whole queue)',
  runnable: 'Jobs entering RUNNABLE vs starting (no queue-depth gauge exists)',
  timeInQueue: 'Time in queue, RUNNABLE to STARTING (ms)',
  launch: 'Container launch, STARTING to RUNNING (ms)',
  execution: 'Execution time (ms)',
  utilisation: 'vCPU and memory utilisation % (Container Insights)',
  runs: 'Runs per team and workload: success %, failed and late runs',
  duration: 'Run duration per workload, p50 / p95 (s)',
  spot: 'Spot interruptions per workload (reclaimed attempts / attempts)',
  dailyCost: 'Estimated compute cost per day, USD (run events)',
  teamCost: 'Estimated compute cost per team and workload, USD (run events)',
  monthlySpend: 'Account estimated charges, month to date, USD (AWS/Billing)',
  notShown: 'Not on this dashboard, and why',
} as const;

/** AWS/Batch job metrics: free, best effort, the only dimension JobQueueName. */
export const BATCH_METRICS_DOC = 'https://docs.aws.amazon.com/batch/latest/userguide/using_cloudwatch_metrics.html';
/** Container Insights for ECS (what Batch's Container Insights setting turns on): ECS/ContainerInsights, ClusterName. */
export const CONTAINER_INSIGHTS_DOC = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html';
/** The account's estimated charges: AWS/Billing EstimatedCharges, Currency, in us-east-1, once billing alerts are on. */
export const BILLING_DOC = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/monitor_estimated_charges_with_cloudwatch.html';
/** The run engine's run-outcome events, delivered by a rule to a log group, queried with Logs Insights. */
export const RUN_EVENTS_DOC = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html';

/** Where one seed metric comes from. */
export interface SeedMetricSource {
  /** The metric as the architecture names it. */
  readonly seed: string;
  /** Title of the widget that shows it. */
  readonly widget: string;
  /** `metric`: a CloudWatch metric AWS documents; `runEvents`: the run engine's per-run events; `none`: no honest source. */
  readonly source: 'metric' | 'runEvents' | 'none';
  /** Namespace of the metric. */
  readonly namespace?: string;
  /** Metric names (metric source) or run-event detail fields (runEvents source). */
  readonly names: readonly string[];
  /** Dimensions of the metric. */
  readonly dimensions?: readonly string[];
  /** The AWS page that documents it. */
  readonly doc: string;
  /** What the widget shows, its limits, or why nothing shows it. */
  readonly note: string;
}

const batch = (names: string[], note: string): Pick<SeedMetricSource, 'source' | 'namespace' | 'names' | 'dimensions' | 'doc' | 'note'> =>
  ({ source: 'metric', namespace: 'AWS/Batch', names, dimensions: ['JobQueueName'], doc: BATCH_METRICS_DOC, note });
const runEvents = (names: string[], note: string): Pick<SeedMetricSource, 'source' | 'names' | 'doc' | 'note'> =>
  ({ source: 'runEvents', names, doc: RUN_EVENTS_DOC, note });

/** Every metric of the architecture's "Monitoring Dashboard" list, in its order. */
export const SEED_METRICS: readonly SeedMetricSource[] = [
  { seed: 'Job submission rate', widget: WIDGETS.jobs, ...batch(['JobsSubmitted'], 'an array parent counts its size') },
  {
    seed: 'Job success rate',
    widget: WIDGETS.successRate,
    ...batch(['JobsMovedToSucceeded', 'JobsMovedToFailed'], 'whole queue; per workload in the runs widget (run events)'),
  },
  { seed: 'Job failure rate', widget: WIDGETS.jobs, ...batch(['JobsMovedToFailed'], 'cancelled and terminated jobs included') },
  { seed: 'Average job duration', widget: WIDGETS.execution, ...batch(['JobAttemptExecutionDuration'], 'per attempt, emitted when it ends') },
  {
    seed: 'Job queue depth',
    widget: WIDGETS.runnable,
    ...batch(['JobsMovedToRunnable', 'JobsMovedToStarting'], 'AWS/Batch has no gauge of jobs in a state: the flows in and out of RUNNABLE stand in'),
  },
  {
    seed: 'vCPU utilization',
    widget: WIDGETS.utilisation,
    source: 'metric',
    namespace: 'ECS/ContainerInsights',
    names: ['CpuUtilized', 'CpuReserved'],
    dimensions: ['ClusterName'],
    doc: CONTAINER_INSIGHTS_DOC,
    note: "empty unless the compute environment turns Container Insights on ('containerInsights: true'; charged as custom metrics)",
  },
  {
    seed: 'Memory utilization',
    widget: WIDGETS.utilisation,
    source: 'metric',
    namespace: 'ECS/ContainerInsights',
    names: ['MemoryUtilized', 'MemoryReserved'],
    dimensions: ['ClusterName'],
    doc: CONTAINER_INSIGHTS_DOC,
    note: 'same as vCPU utilisation',
  },
  {
    seed: 'Instance launch time',
    widget: WIDGETS.notShown,
    source: 'none',
    names: [],
    doc: BATCH_METRICS_DOC,
    note: 'AWS/Batch has no instance metric; a scale-up is inside time in queue (RUNNABLE to STARTING), and the Auto Scaling activity of the compute environment lists each launch',
  },
  {
    seed: 'Spot interruption rate',
    widget: WIDGETS.spot,
    ...runEvents(['reclaimedAttempts', 'attempts'], 'attempts ended by a Spot reclaim over all attempts, per workload'),
  },
  { seed: 'Daily compute costs', widget: WIDGETS.dailyCost, ...runEvents(['estimatedCostUsd'], 'the estimate of each run (docs/operations.md, "Cost per run")') },
  {
    seed: 'Storage costs',
    widget: WIDGETS.notShown,
    source: 'none',
    names: [],
    doc: BILLING_DOC,
    note: 'no per-platform metric: Cost Explorer grouped by the workload and team cost allocation tags',
  },
  {
    seed: 'Data transfer costs',
    widget: WIDGETS.notShown,
    source: 'none',
    names: [],
    doc: BILLING_DOC,
    note: 'no per-platform metric: Cost Explorer grouped by the workload and team cost allocation tags',
  },
  {
    seed: 'Total monthly spend',
    widget: WIDGETS.monthlySpend,
    source: 'metric',
    namespace: 'AWS/Billing',
    names: ['EstimatedCharges'],
    dimensions: ['Currency'],
    doc: BILLING_DOC,
    note: 'the whole account, once billing alerts are turned on; per team in the cost widget (run events)',
  },
  {
    seed: 'Time in queue (RUNNABLE → STARTING)',
    widget: WIDGETS.timeInQueue,
    ...batch(['JobAttemptRunnableToStartingDuration'], 'emitted on STARTING: a job stuck RUNNABLE never emits it'),
  },
  { seed: 'Container launch time (STARTING → RUNNING)', widget: WIDGETS.launch, ...batch(['JobAttemptStartingToRunningDuration'], 'per attempt') },
  {
    seed: 'Execution time (RUNNING → SUCCEEDED/FAILED)',
    widget: WIDGETS.execution,
    ...batch(['JobAttemptExecutionDuration'], 'per attempt; per workload p50/p95 in the duration widget (run events)'),
  },
];
