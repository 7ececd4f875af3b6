/**
 * The real run of the backfill: read a workload's schedule from EventBridge Scheduler and replay its own target once per
 * scheduled time, through the user's `aws` CLI (their credentials, profile and region), at most N runs at a time.
 * Node built-ins only: the package has no runtime dependency for jsii to bundle. Usage and docs: docs/backfill.md.
 */
import { execFile } from 'child_process';
import { createHash } from 'crypto';

/** The context attributes EventBridge Scheduler fills in a target's input. */
const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';
const SCHEDULE_ARN = '<aws.scheduler.schedule-arn>';
const EXECUTION_ID = '<aws.scheduler.execution-id>';
const ATTEMPT_NUMBER = '<aws.scheduler.attempt-number>';

/** A state machine ARN: a tracked run (RunTracker). */
const STATE_MACHINE_ARN = /^arn:[\w-]+:states:[\w-]+:\d{12}:stateMachine:[\w-]+$/;
/** The universal target that submits the job directly: an untracked run. */
const SUBMIT_JOB_ARN = /^arn:[\w-]+:scheduler:::aws-sdk:batch:submitJob$/;

/** Members of SubmitJob whose keys are names the user chose, not API member names: their keys are kept as they are. */
const USER_KEYED_MEMBERS = new Set(['Parameters', 'Tags', 'Labels', 'Annotations', 'Limits', 'Requests']);

const FINAL_EXECUTION = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
const FINAL_JOB = new Set(['SUCCEEDED', 'FAILED']);

export interface AwsOptions {
  readonly region?: string;
  readonly profile?: string;
}

/** The parts of `aws scheduler get-schedule` the backfill reads. */
export interface DeployedSchedule {
  readonly Arn?: string;
  readonly Name: string;
  readonly GroupName?: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly Target: { readonly Arn: string; readonly Input?: string; readonly RoleArn?: string };
}

/**
 * The most bytes of one argument of a program on Linux (`MAX_ARG_STRLEN`, 32 pages of 4 KiB): a longer one fails to
 * start with E2BIG. A rerun's input is one argument.
 */
export const MAX_ARG_BYTES = 131_072;

/** How long one `aws` call may take: its own retries included, an answer comes in well under this. */
export const AWS_CALL_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs `aws <args> --output json` and parses its output (a JSON object; empty output is `{}`); rejects with the CLI's
 * own error text.
 */
export function aws(args: string[], options: AwsOptions): Promise<any> {
  const full = [...args, '--output', 'json'];
  if (options.region !== undefined) full.push('--region', options.region);
  if (options.profile !== undefined) full.push('--profile', options.profile);
  const command = `aws ${args.slice(0, 2).join(' ')}`;
  const long = full.find(arg => Buffer.byteLength(arg) >= MAX_ARG_BYTES);
  if (long !== undefined) {
    return Promise.reject(new Error(`${command} would get an argument of ${Buffer.byteLength(long).toLocaleString('en-US')} bytes, more than the `
      + `${MAX_ARG_BYTES.toLocaleString('en-US')} a program's argument may hold: shorten the --parameter values.`));
  }
  return new Promise((resolve, reject) => {
    execFile('aws', full, { env: { ...process.env, AWS_PAGER: '' }, maxBuffer: 64 * 1024 * 1024, timeout: AWS_CALL_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new Error(missing ? 'the aws CLI was not found on PATH: install AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), or use --dry-run.'
          : error.killed ? `${command} did not answer within ${AWS_CALL_TIMEOUT_MS / 60_000} minutes: check the network and the credentials, then try again.`
            : `${command} failed: ${String(stderr).trim() || error.message}`));
        return;
      }
      let parsed: unknown;
      try {
        parsed = stdout.trim() === '' ? {} : JSON.parse(stdout);
      } catch {
        reject(new Error(`${command} printed something that is not JSON: ${stdout.slice(0, 200)}`));
        return;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        reject(new Error(`${command} printed ${stdout.trim().slice(0, 200)}, not the JSON object it answers with.`));
        return;
      }
      resolve(parsed);
    });
  });
}

/** The one schedule of a workload's schedule group. */
export async function readSchedule(group: string, options: AwsOptions, name?: string): Promise<DeployedSchedule> {
  if (name === undefined) {
    const listed = await aws(['scheduler', 'list-schedules', '--group-name', group], options);
    const names: string[] = (listed.Schedules ?? []).map((s: { Name: string }) => s.Name);
    if (names.length !== 1) {
      throw new Error(names.length === 0
        ? `schedule group '${group}' holds no schedule: give the group of a workload's schedule (JobSchedule.scheduleGroup; 'aws scheduler list-schedule-groups' lists them).`
        : `schedule group '${group}' holds ${names.length} schedules (${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''}): choose one with --schedule-name, or give <group>/<name> (the workload's stack output <Workload>Schedule).`);
    }
    name = names[0];
  }
  const schedule = await aws(['scheduler', 'get-schedule', '--group-name', group, '--name', name], options);
  if (typeof schedule.ScheduleExpression !== 'string' || typeof schedule.Target?.Arn !== 'string') {
    throw new Error(`aws scheduler get-schedule returned no ScheduleExpression or Target.Arn for '${name}' in '${group}'.`);
  }
  return schedule as DeployedSchedule;
}

/** `20261123T020000Z` */
export function compactTime(time: string): string {
  return time.replace(/[-:]/g, '');
}

/** Eight hex digits of a hash of the range: the same backfill gets the same run names. */
export function rangeHash(from: Date, to: Date): string {
  return createHash('sha256').update(`${from.toISOString()}/${to.toISOString()}`).digest('hex').slice(0, 8);
}

/** The target's input for one scheduled time, with the context attributes filled in as EventBridge Scheduler would. */
export function replayInput(input: string | undefined, time: string, scheduleArn: string, runName: string): string | undefined {
  return input?.split(SCHEDULED_TIME).join(time).split(SCHEDULE_ARN).join(scheduleArn)
    .split(EXECUTION_ID).join(runName).split(ATTEMPT_NUMBER).join('1');
}

/**
 * SubmitJob's API input (PascalCase, as the universal target takes it) in the AWS CLI's `--cli-input-json` form
 * (camelCase): every member name's first letter lower-cased, recursively, except the keys of user-named maps
 * (`Parameters`, `Tags`, ...), which are the user's names.
 */
export function toCliInput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCliInput);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: unknown } = {};
  for (const [key, v] of Object.entries(value as { [key: string]: unknown })) {
    out[key.charAt(0).toLowerCase() + key.slice(1)] = USER_KEYED_MEMBERS.has(key) ? v : toCliInput(v);
  }
  return out;
}

export type TargetKind = 'tracked' | 'untracked';

export function targetKind(arn: string): TargetKind {
  if (STATE_MACHINE_ARN.test(arn)) return 'tracked';
  if (SUBMIT_JOB_ARN.test(arn)) return 'untracked';
  throw new Error(`the schedule's target is ${arn}: the backfill replays the two targets of this library, a RunTracker state machine (arn:...:states:...:stateMachine:...) or the batch:submitJob universal target (arn:aws:scheduler:::aws-sdk:batch:submitJob).`);
}

/** The outcome of one scheduled time. */
export interface RunResult {
  readonly time: string;
  /** SUCCEEDED, FAILED, ..., 'already started', 'not started' or 'started, state unknown'. */
  readonly status: string;
  /** The execution ARN or job id; why it did not start. */
  readonly detail?: string;
  readonly ok: boolean;
}

export interface ReplayOptions extends AwsOptions {
  readonly schedule: DeployedSchedule;
  readonly times: string[];
  readonly concurrency: number;
  /** Ends every run name (`backfill-<time>-<rangeId>`): the same backfill gets the same names. */
  readonly rangeId: string;
  readonly pollMs: number;
  readonly print: (line: string) => void;
}

/** Replays the target for every time, at most `concurrency` runs unfinished at once; one result per time, in order. */
export async function replay(options: ReplayOptions): Promise<RunResult[]> {
  const kind = targetKind(options.schedule.Target.Arn);
  const results: RunResult[] = new Array(options.times.length);
  let next = 0;
  const worker = async () => {
    while (next < options.times.length) {
      const i = next++;
      const time = options.times[i];
      const result = await runOne(kind, time, options).catch((e: Error) => ({ time, status: 'not started', ok: false, detail: e.message }));
      results[i] = result;
      options.print(`${time}  ${result.status}${result.detail ? `  ${result.detail}` : ''}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.times.length) }, worker));
  return results;
}

async function runOne(kind: TargetKind, time: string, options: ReplayOptions): Promise<RunResult> {
  const { schedule } = options;
  const name = `backfill-${compactTime(time)}-${options.rangeId}`;
  const input = replayInput(schedule.Target.Input, time, schedule.Arn ?? '', name);
  return kind === 'tracked' ? runExecution(schedule.Target.Arn, name, input, time, options) : runJob(input, time, options);
}

async function runExecution(
  stateMachineArn: string, name: string, input: string | undefined, time: string, options: ReplayOptions,
): Promise<RunResult> {
  let executionArn: string;
  try {
    // A throttled StartExecution started nothing; made again with the same name, a start that did happen is found as
    // ExecutionAlreadyExists.
    const started = await awsPatiently(['stepfunctions', 'start-execution', '--state-machine-arn', stateMachineArn, '--name', name,
      ...(input !== undefined ? ['--input', input] : [])], options);
    executionArn = started.executionArn;
    options.print(`${time}  started  ${executionArn}`);
  } catch (e) {
    if (!/ExecutionAlreadyExists/.test((e as Error).message)) throw e;
    // A re-run of the same backfill: this time was started before. Report its state, do not wait for it.
    const arn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const described = await aws(['stepfunctions', 'describe-execution', '--execution-arn', arn], options).catch(() => ({}));
    return { time, status: `already started${described.status ? ` (${described.status})` : ''}`, detail: arn, ok: true };
  }
  return pollStarted(time, executionArn, options, ['stepfunctions', 'describe-execution', '--execution-arn', executionArn], described =>
    FINAL_EXECUTION.has(described.status) ? { time, status: described.status, detail: executionArn, ok: described.status === 'SUCCEEDED' } : undefined);
}

async function runJob(input: string | undefined, time: string, options: ReplayOptions): Promise<RunResult> {
  let request: unknown;
  try {
    request = JSON.parse(input ?? '');
  } catch {
    throw new Error('the batch:submitJob target has no JSON input to replay.');
  }
  // A throttled SubmitJob submitted nothing: it is made again.
  const submitted = await awsPatiently(['batch', 'submit-job', '--cli-input-json', JSON.stringify(toCliInput(request))], options);
  const jobId: string = submitted.jobId;
  options.print(`${time}  submitted  ${jobId}`);
  return pollStarted(time, jobId, options, ['batch', 'describe-jobs', '--jobs', jobId], described => {
    const status: string | undefined = described.jobs?.[0]?.status;
    return status && FINAL_JOB.has(status) ? { time, status, detail: jobId, ok: status === 'SUCCEEDED' } : undefined;
  });
}

/** An error AWS returns when a caller goes too fast: the call did nothing and may be made again. */
const THROTTLED = /Throttl|TooManyRequests|Rate exceeded|RequestLimitExceeded/i;

/** Attempts of a throttled call, with a doubling wait: bounded, so a backfill always ends. */
export const THROTTLE_ATTEMPTS = 6;

/** `aws(...)`, made again after a throttling error, up to {@link THROTTLE_ATTEMPTS} attempts in all. */
async function awsPatiently(args: string[], options: ReplayOptions): Promise<any> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await aws(args, options);
    } catch (e) {
      if (attempt >= THROTTLE_ATTEMPTS || !THROTTLED.test((e as Error).message)) throw e;
      // 2, 4, ... 32 s (scaled down with a shorter poll interval).
      await sleep(Math.min(options.pollMs, 1000) * 2 ** attempt);
    }
  }
}

/**
 * Polls a started run until `final` gives its result. A call that still fails (after its throttling retries) ends the
 * wait with the run reported as started, state unknown: it did start, and the caller must not start it again.
 */
async function pollStarted(time: string, id: string, options: ReplayOptions, args: string[],
  final: (described: any) => RunResult | undefined): Promise<RunResult> {
  for (;;) {
    await sleep(options.pollMs);
    let described: any;
    try {
      described = await awsPatiently(args, options);
    } catch (e) {
      return { time, status: 'started, state unknown', detail: `${id}: ${(e as Error).message}`, ok: false };
    }
    const result = final(described);
    if (result) return result;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
