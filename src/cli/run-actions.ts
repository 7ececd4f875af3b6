/**
 * What the runs CLI does to one run or to the schedule: read a run's log lines, run a scheduled time again, pause and
 * resume the schedule. Every AWS call goes through the user's `aws` CLI (./replay.ts), never a shell. Node built-ins only.
 */
import { randomBytes } from 'crypto';
import { aws, AwsOptions, compactTime, DeployedSchedule, replayInput, toCliInput } from './replay';
import { describeJobs, JobSource, listJobs, scheduledTimeOfJob } from './run-history';

/** How a run is chosen: its job id, its scheduled time, or else the newest run. */
export interface RunSelector {
  readonly jobId?: string;
  /** ISO 8601 instant, as `2026-12-01T02:00:00Z`. */
  readonly scheduledTime?: string;
}

/** No run is the one asked for (as opposed to AWS refusing to say). */
export class RunNotFound extends Error {}

/** Jobs read when looking for a run by its scheduled time. */
export const RUN_SEARCH_LIMIT = 500;

/** The job (DescribeJobs detail) of the selected run; an error that says what was looked at when there is none. */
export async function findJob(source: JobSource, selector: RunSelector, options: AwsOptions): Promise<any> {
  let jobId = selector.jobId;
  if (jobId === undefined) {
    const jobs = await listJobs(source, selector.scheduledTime === undefined ? 1 : RUN_SEARCH_LIMIT, options);
    if (selector.scheduledTime === undefined) {
      jobId = jobs[0]?.jobId;
    } else if (source.kind === 'tracked') {
      jobId = jobs.find(j => scheduledTimeOfJob(source, j.jobName) === selector.scheduledTime)?.jobId;
    } else {
      const details = await describeJobs(jobs.map(j => j.jobId), options);
      jobId = jobs.find(j => sameInstant(details.get(j.jobId)?.parameters?.scheduledTime, selector.scheduledTime!))?.jobId;
    }
    if (jobId === undefined) {
      throw new RunNotFound(selector.scheduledTime === undefined ? `no job of ${source.jobName} was found in ${source.queues.join(', ')}.`
        : `no job of ${source.jobName} in ${source.queues.join(', ')} is the run of ${selector.scheduledTime} (the newest ${RUN_SEARCH_LIMIT} were read).`);
    }
  }
  const job = (await describeJobs([jobId], options)).get(jobId);
  if (!job) throw new RunNotFound(`AWS Batch knows no job ${jobId} (DescribeJobs keeps finished jobs for about 7 days).`);
  return job;
}

function sameInstant(a: unknown, b: string): boolean {
  return typeof a === 'string' && new Date(a).getTime() === new Date(b).getTime();
}

/** A run's log lines. */
export interface RunLogs {
  readonly jobId: string;
  readonly logGroup?: string;
  readonly logStream?: string;
  readonly lines: string[];
  /** Why there are no lines, when there are none to read. */
  readonly note?: string;
}

/** The default log group of AWS Batch jobs (https://docs.aws.amazon.com/batch/latest/userguide/using_awslogs.html). */
const DEFAULT_JOB_LOG_GROUP = '/aws/batch/job';

/** The last `lines` lines of the job's log stream (its last attempt's); an array job's child by `index`. */
export async function readLogs(job: any, lines: number, index: number | undefined, options: AwsOptions): Promise<RunLogs> {
  const size: number | undefined = job.arrayProperties?.size;
  if (size !== undefined && index === undefined) {
    return { jobId: job.jobId, lines: [], note: `job ${job.jobId} is an array job of ${size} children, which log one by one: give --index 0 to ${size - 1}.` };
  }
  if (index !== undefined) {
    if (size === undefined || index >= size) throw new Error(`--index ${index}: job ${job.jobId} ${size === undefined ? 'is not an array job' : `has children 0 to ${size - 1}`}.`);
    const childId = `${job.jobId}:${index}`;
    job = (await describeJobs([childId], options)).get(childId) ?? { jobId: childId, status: 'unknown' };
  }
  const stream: string | undefined = job.container?.logStreamName;
  const group: string = job.container?.logConfiguration?.options?.['awslogs-group'] ?? DEFAULT_JOB_LOG_GROUP;
  if (!stream) {
    return { jobId: job.jobId, lines: [], note: `job ${job.jobId} has no log stream: it is ${job.status}${job.statusReason ? ` (${job.statusReason})` : ''} and never started a container.` };
  }
  const events = await aws(['logs', 'get-log-events', '--log-group-name', group, '--log-stream-name', stream, '--limit', String(lines), '--no-start-from-head'], options);
  return { jobId: job.jobId, logGroup: group, logStream: stream, lines: (events.events ?? []).map((e: { message?: string }) => String(e.message ?? '').replace(/\n$/, '')) };
}

/** A run started again. */
export interface Rerun {
  readonly scheduledTime: string;
  readonly executionArn?: string;
  readonly jobId?: string;
  readonly parameters: { readonly [name: string]: string };
}

/**
 * Runs `scheduledTime` again through the schedule's own target: a tracked run as a new execution (its input carries the
 * parameters, which the run engine passes to the job), an untracked one as a SubmitJob. `parameters` are the earlier
 * run's (without its scheduled time) with the given overrides.
 */
export async function rerun(schedule: DeployedSchedule, source: JobSource, scheduledTime: string,
  parameters: { [name: string]: string }, options: AwsOptions): Promise<Rerun> {
  const name = `rerun-${compactTime(scheduledTime)}-${randomBytes(4).toString('hex')}`;
  const input = JSON.parse(replayInput(schedule.Target.Input, scheduledTime, schedule.Arn ?? '', name) ?? '{}');
  if (source.kind === 'tracked') {
    const started = await aws(['stepfunctions', 'start-execution', '--state-machine-arn', source.stateMachineArn!, '--name', name,
      '--input', JSON.stringify({ ...input, parameters })], options);
    if (typeof started.executionArn !== 'string') throw new Error(`aws stepfunctions start-execution answered without an executionArn: check 'aws stepfunctions list-executions' for ${name}.`);
    return { scheduledTime, executionArn: started.executionArn, parameters };
  }
  input.Parameters = { ...parameters, ...input.Parameters };
  const submitted = await aws(['batch', 'submit-job', '--cli-input-json', JSON.stringify(toCliInput(input))], options);
  if (typeof submitted.jobId !== 'string') throw new Error(`aws batch submit-job answered without a jobId: check 'aws batch list-jobs' for ${input.JobName ?? 'the job'}.`);
  return { scheduledTime, jobId: submitted.jobId, parameters };
}

/** The earlier run's parameters, without the scheduled time (every run sets that itself). */
export function earlierParameters(job: any): { [name: string]: string } {
  const { scheduledTime: _ignored, ...rest } = (job?.parameters ?? {}) as { [name: string]: string };
  return rest;
}

/** A schedule switched on or off. */
export interface StateChange {
  readonly schedule: string;
  readonly previous: string;
  readonly state: string;
}

/** The members of UpdateSchedule: it replaces the whole schedule, so every one is sent back as GetSchedule gave it. */
const UPDATE_MEMBERS = ['ActionAfterCompletion', 'Description', 'EndDate', 'FlexibleTimeWindow', 'GroupName', 'KmsKeyArn', 'Name',
  'ScheduleExpression', 'ScheduleExpressionTimezone', 'StartDate', 'Target'];

/**
 * Sets the schedule's State (ENABLED or DISABLED) with UpdateSchedule, which replaces the schedule: every other member
 * is sent back unchanged (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_UpdateSchedule.html).
 * A schedule already in that state is left alone.
 */
export async function setState(schedule: DeployedSchedule, state: 'ENABLED' | 'DISABLED', options: AwsOptions): Promise<StateChange> {
  const full = schedule as unknown as { [member: string]: unknown };
  const previous = String(full.State ?? 'ENABLED');
  const id = `${schedule.GroupName ?? 'default'}/${schedule.Name}`;
  if (previous === state) return { schedule: id, previous, state };
  const update: { [member: string]: unknown } = { State: state };
  for (const member of UPDATE_MEMBERS) if (full[member] !== undefined && full[member] !== null) update[member] = full[member];
  await aws(['scheduler', 'update-schedule', '--cli-input-json', JSON.stringify(update)], options);
  return { schedule: id, previous, state };
}
