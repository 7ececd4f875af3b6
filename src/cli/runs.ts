#!/usr/bin/env node
/**
 * `cdk-scheduled-batch`: steer a deployed workload's runs from a terminal, as `kubectl get jobs` or `gcloud run jobs
 * executions list` do: list its recent runs, read a run's log lines, run a scheduled time again, pause and resume its
 * schedule, and backfill a date range (./backfill.ts). Every AWS call goes through the user's `aws` CLI (their
 * credentials, profile and region), never a shell. Not exported from the library's index: a Node CLI shipped in the
 * npm package (`bin`). Docs: docs/operations.md ("The runs CLI").
 */
import { FlagSpec, Flags, Io, parseFlags, positiveInteger, STDIO, UsageError, wholeNumber } from './args';
import { main as backfill, parseInstant } from './backfill';
import { AwsOptions, DeployedSchedule } from './replay';
import { earlierParameters, findJob, readLogs, rerun, RunNotFound, setState } from './run-actions';
import { jobSource, listRuns, RunRecord } from './run-history';
import { locateSchedule, WORKLOAD_FLAGS, WORKLOAD_USAGE } from './workload-ref';
import { fireTimes, schedulerTime } from '../private/fire-times';

/** Bounds of the counts a user may ask for: each is held in memory and printed. */
export const LIMITS = {
  runs: { default: 20, max: 100 },
  lines: { default: 50, max: 10_000 },
} as const;

/** Most `--parameter` flags of a rerun. */
export const MAX_PARAMETERS = 100;

export const USAGE = `Usage: cdk-scheduled-batch <command> [flags]

Commands:
  runs      The workload's recent runs: scheduled time, status, start, duration, job status, exit code.
            [--limit <n>]  runs to show, 1-${LIMITS.runs.max} (default ${LIMITS.runs.default})
  logs      A run's log lines (its last attempt's): the newest run, or --time / --job.
            [--time <scheduled time>] [--job <job id>] [--lines <n>, 1-${LIMITS.lines.max}, default ${LIMITS.lines.default}] [--index <child of an array job>]
  rerun     Run a scheduled time again, with the parameters of its earlier run (if AWS Batch still has it).
            --time <scheduled time> [--parameter <name>=<value> ...]
  pause     Disable the workload's schedule: no runs, so no messages about them, until resume.
  resume    Enable it again.
  backfill  Run every scheduled time of a date range (cdk-scheduled-batch backfill --help).

${WORKLOAD_USAGE}

Every command but backfill also takes:
  --json               Print JSON instead of text.
  --region, --profile  Passed to every aws call.
  --help               This text.

A scheduled time is an ISO date-time: 2026-12-01T02:00:00Z, or a wall time in the schedule's time zone (2026-12-01T02:00).
Exit status: 0 on success, 1 when AWS refused or a run is not found, 2 for a usage error.`;

const COMMON = {
  ...WORKLOAD_FLAGS,
  json: { type: 'boolean' },
  region: { type: 'string' },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const COMMANDS = {
  runs: { ...COMMON, limit: { type: 'string' } },
  logs: { ...COMMON, time: { type: 'string' }, job: { type: 'string' }, lines: { type: 'string' }, index: { type: 'string' } },
  rerun: { ...COMMON, time: { type: 'string' }, parameter: { type: 'string', multiple: true } },
  pause: COMMON,
  resume: COMMON,
} as const;

type Command = keyof typeof COMMANDS;

/** The flags of any command (each command's parse refuses the others'). */
type AnyFlags = Flags<typeof COMMANDS.runs> & Flags<typeof COMMANDS.logs> & Flags<typeof COMMANDS.rerun>;

/** The most children an array job has (https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html). */
const MAX_ARRAY_INDEX = 9_999;

/** Runs the command line; resolves to the exit status. */
export async function main(argv: string[], io: Io = STDIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'backfill') return backfill(rest, io);
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (!Object.prototype.hasOwnProperty.call(COMMANDS, command)) throw new UsageError(`unknown command '${command}': give one of ${[...Object.keys(COMMANDS), 'backfill'].join(', ')}.`);
    const flags = parseFlags(rest, COMMANDS[command as Command] as FlagSpec) as AnyFlags;
    if (flags.help) {
      io.out(USAGE);
      return 0;
    }
    return await run(command as Command, flags, io);
  } catch (e) {
    const usage = e instanceof UsageError;
    io.err(`cdk-scheduled-batch${command === undefined ? '' : ` ${command}`}: ${(e as Error).message}`);
    if (usage) io.err('(cdk-scheduled-batch --help for the usage)');
    return usage ? 2 : 1;
  }
}

async function run(command: Command, flags: AnyFlags, io: Io): Promise<number> {
  const options: AwsOptions = { region: flags.region, profile: flags.profile };
  const limit = positiveInteger('limit', flags.limit, LIMITS.runs.default, LIMITS.runs.max);
  const lines = positiveInteger('lines', flags.lines, LIMITS.lines.default, LIMITS.lines.max);
  const index = flags.index === undefined ? undefined : wholeNumber('index', flags.index, 0, MAX_ARRAY_INDEX);
  if (flags.time !== undefined && flags.job !== undefined) throw new UsageError('give --time or --job, not both.');
  const parameters = parseParameters(flags.parameter);
  if (command === 'rerun' && flags.time === undefined) throw new UsageError('rerun needs --time <scheduled time>: the run to make again.');

  const schedule = await locateSchedule(flags, options, io.err);
  const print = (value: unknown, text: () => string[]) => (flags.json ? [JSON.stringify(value, undefined, 2)] : text()).forEach(io.out);
  if (command === 'pause' || command === 'resume') {
    const change = await setState(schedule, command === 'pause' ? 'DISABLED' : 'ENABLED', options);
    print(change, () => [change.previous === change.state ? `${change.schedule} is already ${change.state}.` : `${change.schedule}: ${change.previous} -> ${change.state}.`]);
    return 0;
  }
  const source = await jobSource(schedule, options);
  const time = flags.time === undefined ? undefined : scheduledTimeOf(flags.time, schedule);
  if (command === 'runs') {
    io.err(`reading the newest ${limit} runs of ${source.jobName}...`);
    const records = await listRuns(source, limit, options, io.err);
    print(records, () => runTable(records));
    return 0;
  }
  if (command === 'logs') {
    const job = await findJob(source, { jobId: flags.job, scheduledTime: time }, options);
    const logs = await readLogs(job, lines, index, options);
    print(logs, () => logs.note ? [logs.note] : [`# ${logs.logGroup} ${logs.logStream}`, ...logs.lines]);
    return logs.note ? 1 : 0;
  }
  // Only a run that is not there leaves the parameters out; AWS refusing to say stops the rerun.
  const earlier = await findJob(source, { scheduledTime: time }, options).catch((e: Error) => {
    if (e instanceof RunNotFound) return undefined;
    throw e;
  });
  if (!earlier) requireFiredTime(time!, schedule);
  const started = await rerun(schedule, source, time!, { ...earlierParameters(earlier), ...parameters }, options);
  print(started, () => [`${started.scheduledTime} started again: ${started.executionArn ?? started.jobId}`
    + `${earlier ? '' : ' (no earlier run was found, so it has no parameters but the given ones)'}`]);
  return 0;
}

/** The scheduled time `--time` names: a wall time the clocks skip is refused (the schedule never fired then). */
function scheduledTimeOf(text: string, schedule: DeployedSchedule): string {
  return schedulerTime(parseInstant('time', text, schedule.ScheduleExpressionTimezone, 'refuse'));
}

/**
 * A rerun of a time no earlier run is known for must be a time the schedule has fired at: one still to come, or one a
 * cron(...) or at(...) schedule does not fire at (a mistyped time), would start a run nobody scheduled. A run found by
 * its time (one started through a RunApi, say) is rerun as it is. A rate(...) schedule's phase AWS does not return.
 */
function requireFiredTime(time: string, schedule: DeployedSchedule): void {
  const at = new Date(time).getTime();
  if (at > Date.now()) {
    throw new UsageError(`--time ${time} has not come yet, and no run of it was found: the schedule runs it itself (pause the schedule if it must not).`);
  }
  const { ScheduleExpression: expression, ScheduleExpressionTimezone: zone } = schedule;
  if (/^\s*rate\(/.test(expression)) return;
  const fires = (from: number, to: number): Date[] => {
    try {
      return fireTimes({ expression, timeZone: zone, from: new Date(from), to: new Date(to), limit: 1441 });
    } catch {
      return [];
    }
  };
  if (fires(at, at + 1).length > 0) return;
  const day = 86_400_000;
  const nearest = [fires(at - day, at).pop(), fires(at + 1, at + day)[0]].filter((d): d is Date => d !== undefined).map(schedulerTime);
  throw new UsageError(`--time ${time} is not a time ${expression} fires at${zone ? ` in ${zone}` : ''}, and no earlier run of it was found`
    + `${nearest.length ? ` (the nearest scheduled times: ${nearest.join(', ')})` : ''}: give the scheduled time of the run to make again, as 'cdk-scheduled-batch runs' lists it.`);
}

function parseParameters(given: string[] | undefined): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  if ((given ?? []).length > MAX_PARAMETERS) throw new UsageError(`${given!.length} --parameter flags: at most ${MAX_PARAMETERS}.`);
  for (const text of given ?? []) {
    const m = /^([A-Za-z][A-Za-z0-9_]*)=(.*)$/s.exec(text);
    if (!m) throw new UsageError(`--parameter '${text}': give <name>=<value>, the name a parameter the job declares (letters, digits, _).`);
    if (Object.prototype.hasOwnProperty.call(out, m[1])) throw new UsageError(`--parameter ${m[1]} is given more than once: give each parameter once.`);
    out[m[1]] = m[2];
  }
  return out;
}

function runTable(records: RunRecord[]): string[] {
  if (records.length === 0) return ['no runs found.'];
  const rows = records.map(r => [r.scheduledTime ?? '-', r.status, r.startedAt ?? '-', r.durationSeconds === undefined ? '-' : duration(r.durationSeconds),
    r.jobStatus ?? '-', r.exitCode === undefined ? '-' : String(r.exitCode), r.jobId ?? '-']);
  const all = [['SCHEDULED', 'STATUS', 'STARTED', 'DURATION', 'JOB', 'EXIT', 'JOB ID'], ...rows];
  const widths = all[0].map((_, c) => Math.max(...all.map(r => r[c].length)));
  return all.map(r => r.map((v, c) => v.padEnd(widths[c])).join('  ').trimEnd());
}

function duration(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(code => {
    process.exitCode = code;
  });
}
