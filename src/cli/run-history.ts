/**
 * A workload's runs as AWS keeps them, for the runs CLI. A tracked run is a Step Functions execution of the workload's
 * state machine and the AWS Batch job it submitted, named `<prefix>-<scheduled time, 16 characters>-<last 12 characters
 * of the execution name>` (src/runs/engine/expressions.ts, jobNameExpression); an untracked run is a job the schedule
 * submitted, named after the job, with the scheduled time in its `scheduledTime` parameter.
 * ListJobs with a JOB_NAME filter ending in `*` matches names by prefix and returns jobs of every status, newest first:
 * https://docs.aws.amazon.com/batch/latest/APIReference/API_ListJobs.html. Node built-ins only.
 */
import { aws, AwsOptions, DeployedSchedule, targetKind } from './replay';

/** One run, as `runs` prints it. */
export interface RunRecord {
  /** ISO 8601, UTC; absent when neither the job nor the execution could tell. */
  readonly scheduledTime?: string;
  /** The execution's status (a tracked run) or the job's (an untracked one). */
  readonly status: string;
  readonly startedAt?: string;
  readonly stoppedAt?: string;
  readonly durationSeconds?: number;
  readonly jobId?: string;
  readonly jobStatus?: string;
  readonly exitCode?: number;
  readonly reason?: string;
  readonly executionArn?: string;
}

/** What a schedule's target tells of its jobs: where they are queued and how they are named. */
export interface JobSource {
  readonly kind: 'tracked' | 'untracked';
  readonly queues: string[];
  /** Tracked: the job name prefix (before `-<scheduled time>-`); untracked: the whole job name. */
  readonly jobName: string;
  readonly stateMachineArn?: string;
}

interface JobSummary {
  readonly jobId: string;
  readonly jobName: string;
  readonly createdAt?: number;
  readonly startedAt?: number;
  readonly stoppedAt?: number;
  readonly status: string;
  readonly statusReason?: string;
  readonly container?: { readonly exitCode?: number };
}

/** The JobName of a submitJob state: `{% $substring("<prefix>", 0, 98) & ...`. */
const PREFIX_IN_EXPRESSION = /^\{%\s*\$substring\(("(?:[^"\\]|\\.)*"),/;

/** The queues and job name of the runs `schedule` starts: from its state machine's definition, or its SubmitJob input. */
export async function jobSource(schedule: DeployedSchedule, options: AwsOptions): Promise<JobSource> {
  const target = schedule.Target;
  if (targetKind(target.Arn) === 'untracked') {
    const input = JSON.parse(target.Input ?? '{}');
    return { kind: 'untracked', queues: [String(input.JobQueue)], jobName: String(input.JobName) };
  }
  const described = await aws(['stepfunctions', 'describe-state-machine', '--state-machine-arn', target.Arn], options);
  return trackedSource(String(described.definition ?? '{}'), target.Arn);
}

/** The queues and job name prefix of the runs of a RunTracker's state machine, from its (deployed) definition. */
export function trackedSource(definition: string, stateMachineArn: string): JobSource {
  const tasks = submitStates(JSON.parse(definition));
  const prefixes = [...new Set(tasks.flatMap(t => {
    const m = PREFIX_IN_EXPRESSION.exec(String(t.Arguments?.JobName ?? ''));
    return m ? [JSON.parse(m[1]) as string] : [];
  }))];
  if (prefixes.length !== 1) {
    throw new Error(`the state machine ${stateMachineArn} submits ${prefixes.length === 0 ? 'no job this tool knows' : `the jobs ${prefixes.join(', ')}`}: `
      + 'runs, logs and rerun read the runs of a ScheduledBatchWorkload (or a JobSchedule); for a workflow, use the Step Functions console.');
  }
  const queues = [...new Set(tasks.map(t => t.Arguments?.JobQueue).filter((q): q is string => typeof q === 'string'))];
  return { kind: 'tracked', queues, jobName: prefixes[0].slice(0, 98), stateMachineArn };
}

/** Every `batch:submitJob` task of a definition, Parallel branches included. */
function submitStates(definition: any): any[] {
  return Object.values<any>(definition?.States ?? {}).flatMap(state => [
    ...(/:batch:submitJob/.test(String(state?.Resource ?? '')) ? [state] : []),
    ...(state?.Branches ?? []).flatMap(submitStates),
  ]);
}

/** The newest jobs of the source, newest first, at most `limit` per queue. */
export async function listJobs(source: JobSource, limit: number, options: AwsOptions): Promise<JobSummary[]> {
  const filter = `name=JOB_NAME,values=${source.kind === 'tracked' ? `${source.jobName}-*` : source.jobName}`;
  const all: JobSummary[] = [];
  for (const queue of source.queues) {
    const listed = await aws(['batch', 'list-jobs', '--job-queue', queue, '--filters', filter, '--max-items', String(limit)], options);
    all.push(...(listed.jobSummaryList ?? []));
  }
  // A prefix filter also matches a longer name that starts with this one: keep this workload's own.
  const own = source.kind === 'tracked' ? all.filter(j => /^[A-Za-z0-9]{16}-/.test(j.jobName.slice(source.jobName.length + 1))) : all.filter(j => j.jobName === source.jobName);
  return own.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
}

/** `20261201T020000Z` (as in a run's job name) as `2026-12-01T02:00:00Z`. */
export function timeFromCompact(compact: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(compact);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : undefined;
}

/** The scheduled time in a tracked run's job name. */
export function scheduledTimeOfJob(source: JobSource, jobName: string): string | undefined {
  return timeFromCompact(jobName.slice(source.jobName.length + 1, source.jobName.length + 17));
}

/** The last 12 characters of an execution name (letters, digits, `_` and `-`): the end of its job's name. */
export function executionTail(executionName: string): string {
  const n = executionName.replace(/[^A-Za-z0-9_-]/g, '');
  return n.slice(Math.max(0, n.length - 12));
}

const iso = (ms: number | undefined) => ms === undefined ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const seconds = (from: string | number | undefined, to: string | number | undefined) =>
  from === undefined || to === undefined ? undefined : Math.round((new Date(to).getTime() - new Date(from).getTime()) / 1000);

/** The newest `limit` runs of the workload, newest first; `progress` hears of the slower steps. */
export async function listRuns(source: JobSource, limit: number, options: AwsOptions, progress: (line: string) => void): Promise<RunRecord[]> {
  if (source.kind === 'untracked') return untrackedRuns(source, limit, options);
  const listed = await aws(['stepfunctions', 'list-executions', '--state-machine-arn', source.stateMachineArn!, '--max-items', String(limit)], options);
  const executions: { name: string; executionArn: string; status: string; startDate?: string; stopDate?: string }[] = listed.executions ?? [];
  // A run makes one job, two when its Spot attempts were all reclaimed and it went On-Demand: the newest is its last.
  const jobs = await listJobs(source, limit * 2, options);
  const records: RunRecord[] = [];
  for (const [i, e] of executions.entries()) {
    const job = jobs.find(j => j.jobName.endsWith(`-${executionTail(e.name)}`));
    let scheduledTime = job ? scheduledTimeOfJob(source, job.jobName) : undefined;
    if (scheduledTime === undefined) {
      // No job (skipped, or never submitted): the scheduled time is in the execution's input.
      if (i > 0 && i % 20 === 0) progress(`  ${i} of ${executions.length} runs read`);
      const described = await aws(['stepfunctions', 'describe-execution', '--execution-arn', e.executionArn], options).catch(() => ({}));
      const input = safeJson(described.input);
      scheduledTime = typeof input?.scheduledTime === 'string' ? input.scheduledTime : undefined;
    }
    records.push({
      scheduledTime,
      status: e.status,
      startedAt: e.startDate,
      stoppedAt: e.stopDate,
      durationSeconds: seconds(e.startDate, e.stopDate),
      jobId: job?.jobId,
      jobStatus: job?.status,
      exitCode: job?.container?.exitCode,
      reason: job?.statusReason,
      executionArn: e.executionArn,
    });
  }
  return records;
}

async function untrackedRuns(source: JobSource, limit: number, options: AwsOptions): Promise<RunRecord[]> {
  const jobs = (await listJobs(source, limit, options)).slice(0, limit);
  const details = await describeJobs(jobs.map(j => j.jobId), options);
  return jobs.map(j => ({
    scheduledTime: details.get(j.jobId)?.parameters?.scheduledTime,
    status: j.status,
    startedAt: iso(j.startedAt),
    stoppedAt: iso(j.stoppedAt),
    durationSeconds: seconds(j.startedAt, j.stoppedAt),
    jobId: j.jobId,
    jobStatus: j.status,
    exitCode: j.container?.exitCode,
    reason: j.statusReason,
  }));
}

/** DescribeJobs, 100 ids per call (its limit: https://docs.aws.amazon.com/batch/latest/APIReference/API_DescribeJobs.html). */
export async function describeJobs(ids: string[], options: AwsOptions): Promise<Map<string, any>> {
  const out = new Map<string, any>();
  for (let i = 0; i < ids.length; i += 100) {
    const described = await aws(['batch', 'describe-jobs', '--jobs', ...ids.slice(i, i + 100)], options);
    for (const job of described.jobs ?? []) out.set(job.jobId, job);
  }
  return out;
}

export function safeJson(text: unknown): any {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
