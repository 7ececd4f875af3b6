/**
 * The message a bad job run publishes (`jobRunMessage`), rendered in TypeScript for the tests, which check the JSONata
 * against it with the jsonata 2.0.6 engine.
 */
import { CpuArchitecture, RunCapacity, RunCost } from '../../src';
import { timeNote } from '../../src/runs/engine/expressions';
import { CHILD_LINKS_MAX, outcomeSentences, RUN_OUTCOMES } from '../../src/runs/engine/messages';

/** A child as ListJobs returns it to Step Functions, reduced to what the message uses. */
export interface ChildSummary {
  readonly JobId?: string;
  readonly ArrayProperties?: { readonly Index?: number };
}

/** The lines of an array run's message, in TypeScript. */
export function renderArrayLines(parent: { JobId?: string; ArrayProperties?: { Size?: number; StatusSummary?: Record<string, number> } },
  children: ChildSummary[] | undefined, consoleUrl: string, region: string, val: (v: unknown) => string): string[] {
  const links = [...children ?? []]
    .sort((a, b) => (a.ArrayProperties?.Index ?? 0) - (b.ArrayProperties?.Index ?? 0))
    .slice(0, CHILD_LINKS_MAX)
    .map(c => `${consoleUrl}batch/home?region=${region}#jobs/detail/${parent.JobId}:${c.ArrayProperties?.Index}`);
  return [
    `Children failed: ${val(parent.ArrayProperties?.StatusSummary?.FAILED)} of ${val(parent.ArrayProperties?.Size)}`,
    `Failed children (up to ${CHILD_LINKS_MAX}): ${links.length > 0 ? links.join(' ') : 'n/a'}`,
  ];
}

/** A Batch job detail as DescribeJobs returns it to Step Functions (PascalCase), reduced to what the message uses. */
export interface JobDetail {
  readonly JobId?: string;
  readonly ArrayProperties?: { readonly Size?: number; readonly StatusSummary?: Record<string, number> };
  readonly Status?: string;
  readonly StatusReason?: string;
  readonly Container?: { readonly ExitCode?: number; readonly LogStreamName?: string };
  readonly Attempts?: { readonly Container?: { readonly ExitCode?: number; readonly LogStreamName?: string }; readonly StatusReason?: string }[];
  readonly StartedAt?: number;
  readonly StoppedAt?: number;
  readonly PlatformCapabilities?: string[];
}

/**
 * The message's cost line, in TypeScript: RunCost's rates for the job detail's capacity (Fargate when its
 * PlatformCapabilities say so; Spot as the platform says), the same arithmetic as src/private/run-cost-expression.ts.
 */
export function renderCostLine(d: any, spot: boolean): string {
  const fargate = (d.PlatformCapabilities ?? []).includes('FARGATE');
  const arm = fargate && d.Container?.RuntimePlatform?.CpuArchitecture === 'ARM64';
  const capacity = fargate ? (spot ? RunCapacity.FARGATE_SPOT : RunCapacity.FARGATE) : (spot ? RunCapacity.EC2_SPOT : RunCapacity.EC2_ON_DEMAND);
  const p = RunCost.rates(capacity, arm ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64);
  const req = (t: string) => Number((d.Container?.ResourceRequirements ?? []).find((r: any) => r.Type === t)?.Value);
  const s = d.StoppedAt - d.StartedAt;
  if (!(s >= 0) || Number.isNaN(req('VCPU')) || Number.isNaN(req('MEMORY'))) return 'Estimated cost: n/a';
  const k = Math.floor((d.ArrayProperties?.Size ?? 1) * Math.max(s, p.minimumSeconds * 1000)
    * (req('VCPU') * p.vcpuHourUsd + req('MEMORY') / 1024 * p.gibHourUsd) / 3.6 + 0.5) / 1e6;
  return `Estimated cost: $${k} (list-price estimate)`;
}

export interface RunMessageFacts {
  readonly workload: string;
  readonly timeZone: string;
  readonly logGroup: string;
  readonly scheduledTime: string;
  readonly outcome: string;
  readonly failure: { readonly Error?: string; readonly Cause?: string };
  /** Set after a timeout (DescribeJobs); otherwise the job detail comes from the failure's Cause. */
  readonly job?: JobDetail;
  /** After a timeout: whether TerminateJob succeeded. */
  readonly stopped?: boolean;
  readonly executionArn: string;
  readonly deadlineText: string;
  /** An array run: the failed children ListJobs returned, or undefined when the lookup failed. */
  readonly arrayed?: boolean;
  readonly children?: ChildSummary[];
  /** The run was resubmitted On-Demand after every Spot attempt was reclaimed. */
  readonly onDemand?: boolean;
  /** The platform's compute is Spot (the cost line's rates). */
  readonly spot?: boolean;
}

/**
 * The message `messageExpression` renders, in TypeScript (the same steps, for the tests). The JSONata is checked
 * against this rendering with the jsonata 2.0.6 engine when the definition changes (see docs/run-tracking.md).
 */
export function renderRunMessage(f: RunMessageFacts): string {
  const d: JobDetail = f.job ?? (f.outcome === RUN_OUTCOMES.jobFailed ? JSON.parse(f.failure.Cause ?? '') : {});
  const last = d.Attempts?.[d.Attempts.length - 1];
  const val = (v: unknown) => (v === undefined || v === null ? 'n/a' : String(v));
  const enc = (s: string) => encodeURIComponent(s).split('%').join('$25');
  const region = f.executionArn.split(':')[3];
  const consoleUrl = `https://${region}.console.aws.amazon.com/`;
  // JSONata's $exists is true for null: only a missing value falls back to the last attempt's.
  const exit = d.Container?.ExitCode !== undefined ? d.Container.ExitCode : last?.Container?.ExitCode;
  const stream = d.Container?.LogStreamName !== undefined ? d.Container.LogStreamName : last?.Container?.LogStreamName;
  const reason = f.outcome === RUN_OUTCOMES.notSubmitted ? f.failure.Cause?.slice(0, 1000) : d.StatusReason;
  const s = outcomeSentences(f.deadlineText);
  return [
    `${f.workload}: the scheduled run of ${f.scheduledTime} did not succeed.`,
    f.outcome === RUN_OUTCOMES.jobFailed ? s.jobFailed
      : f.outcome === RUN_OUTCOMES.deadlinePassed ? (f.stopped ? s.deadlineStopped : s.deadlineNotStopped)
        : f.outcome === 'RunSkipped' ? 'The run was SKIPPED: an earlier run of this workload is still active (overlap policy SKIP). The job below is that earlier run.' : s.notSubmitted,
    '',
    `Workload: ${f.workload}`,
    `Scheduled time: ${f.scheduledTime} (${timeNote(f.timeZone)})`,
    `Job id: ${val(d.JobId)}`,
    `Job status: ${val(d.Status)}`,
    `Status reason: ${val(reason)}`,
    `Exit code: ${val(exit)}`,
    `Attempts finished: ${d.Attempts?.length ?? 0}`,
    renderCostLine(d, f.spot ?? false),
    ...f.arrayed ? renderArrayLines(d, f.children, consoleUrl, region, val) : [],
    ...f.onDemand ? ['Resubmitted On-Demand after every Spot attempt was reclaimed: yes'] : [],
    `Job: ${d.JobId !== undefined ? `${consoleUrl}batch/home?region=${region}#jobs/detail/${d.JobId}` : 'n/a'}`,
    `Log stream: ${stream !== undefined ? `${consoleUrl}cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${enc(f.logGroup)}/log-events/${enc(stream)}` : 'n/a'}`,
    `Run history: ${consoleUrl}states/home?region=${region}#/v2/executions/details/${f.executionArn}`,
    `Error: ${val(f.failure.Error)}`,
  ].join('\n');
}
