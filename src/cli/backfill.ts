#!/usr/bin/env node
/**
 * `cdk-scheduled-batch-backfill`: run every scheduled time of a date range of a workload's own schedule, in its time
 * zone, through the schedule's own target, at most N at a time; or print the times (--dry-run, no AWS call).
 * The times come from ../private/fire-times.ts (the library's cron parser). Not exported from the library's index:
 * a Node CLI shipped in the npm package (`bin`). Docs: docs/backfill.md.
 */
import { Io, parseFlags, positiveInteger, STDIO, UsageError } from './args';
import { AwsOptions, DeployedSchedule, rangeHash, readSchedule, replay } from './replay';
import { templateSchedule } from './template';
import { scheduleOfFlags } from './workload-ref';
import { daysIn, isTimeZone, localParts, offsetMinutes, wallTimeToUtc } from '../private/calendar';
import { DEFAULT_FIRE_TIME_LIMIT, fireTimes, schedulerTime } from '../private/fire-times';

/** Runs unfinished at once: the default and the most `--concurrency` allows. */
export const CONCURRENCY = { default: 1, max: 50 } as const;

/**
 * The most scheduled times `--max-runs` may allow: every time is kept in memory and becomes one execution or job, and
 * a larger backfill is better split into ranges (a value without a bound once ran a process out of memory).
 */
export const MAX_RUNS_LIMIT = 100_000;

/** The earliest year --from and --to may name: EventBridge Scheduler fired no schedule before it. */
export const EARLIEST_YEAR = 1970;

export const USAGE = `Usage:
  cdk-scheduled-batch-backfill --from <date> --to <date> --dry-run --schedule '<expression>' [--time-zone <IANA zone>]
  cdk-scheduled-batch-backfill --from <date> --to <date> --dry-run --template <file> [--schedule-id <id or path part>]
  cdk-scheduled-batch-backfill --from <date> --to <date> --schedule-group <group>[/<name>] [--schedule-name <name>] [--concurrency <n>] [--region <region>] [--profile <profile>]

Runs every time the workload's schedule fires in [--from, --to), in the schedule's time zone, by replaying the
schedule's own target (a tracked run's Step Functions execution, or the SubmitJob of an untracked one) with the
scheduled time in its input. Each run waits for the previous ones while --concurrency are unfinished.
An untracked run is submitted with the schedule's workload tag: the caller needs batch:TagResource on job/* as well
as batch:SubmitJob (docs/backfill.md, Permissions).

  --from, --to        ISO date (midnight in the schedule's time zone) or date-time (2026-11-23T06:00, in the
                      schedule's time zone; or with Z / +01:00). --to is excluded.
  --dry-run           Print the scheduled times (UTC, then local) and exit; never calls AWS.
  --schedule          A schedule expression: cron(...), rate(...) or at(...). Dry run only.
  --time-zone         The time zone of --schedule (default UTC).
  --template          A synthesized template (cdk.out/<Stack>.template.json); its AWS::Scheduler::Schedule. Dry run only.
  --schedule-id       Which schedule of --template: its logical id, or a part of its id or construct path.
  --schedule-group    The deployed workload's schedule group (JobSchedule.scheduleGroup; a platform's is shared by its
                      workloads), or <group>/<name> as the workload's stack output <Workload>Schedule gives it.
  --schedule-name     The schedule's name in the group (needed when the group holds more than one).
  --concurrency       Runs unfinished at once, 1-${CONCURRENCY.max} (default ${CONCURRENCY.default}).
  --max-runs          Refuse a range with more scheduled times than this (default ${DEFAULT_FIRE_TIME_LIMIT}, at most ${MAX_RUNS_LIMIT}).
  --region, --profile Passed to the aws CLI.
  --help              This text.

A rate(...) schedule is counted from --from: its own phase (its creation time) is not in the template.
Runs are named backfill-<scheduled time>-<hash of the range>: the same command again reports runs already started.
Exit status: 0 when every run succeeded (or was already started), 1 when one did not, 2 for a usage error.`;

const FLAGS = {
  'from': { type: 'string' },
  'to': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'schedule': { type: 'string' },
  'time-zone': { type: 'string' },
  'template': { type: 'string' },
  'schedule-id': { type: 'string' },
  'schedule-group': { type: 'string' },
  'schedule-name': { type: 'string' },
  'concurrency': { type: 'string' },
  'max-runs': { type: 'string' },
  'region': { type: 'string' },
  'profile': { type: 'string' },
  'help': { type: 'boolean', short: 'h' },
} as const;

/** How often a run's status is read; an environment variable for the tests (not documented as a flag). */
const POLL_ENV = 'CDK_SCHEDULED_BATCH_BACKFILL_POLL_MS';
const DEFAULT_POLL_MS = 5000;

/** Runs the command; resolves to the exit status. */
export async function main(argv: string[], io: Io = STDIO): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    const usage = e instanceof UsageError;
    io.err(`cdk-scheduled-batch-backfill: ${(e as Error).message}`);
    if (usage) io.err(`\n${USAGE}`);
    return usage ? 2 : 1;
  }
}

async function run(argv: string[], io: Io): Promise<number> {
  const flags = parse(argv);
  if (flags.help) {
    io.out(USAGE);
    return 0;
  }
  checkFlagCombinations(flags);
  const concurrency = positiveInteger('concurrency', flags.concurrency, CONCURRENCY.default, CONCURRENCY.max);
  const limit = positiveInteger('max-runs', flags['max-runs'], DEFAULT_FIRE_TIME_LIMIT, MAX_RUNS_LIMIT);
  const awsOptions: AwsOptions = { region: flags.region, profile: flags.profile };

  let expression: string;
  let timeZone: string | undefined;
  let schedule: DeployedSchedule | undefined;
  if (flags.schedule !== undefined) {
    [expression, timeZone] = [flags.schedule, flags['time-zone']];
  } else if (flags.template !== undefined) {
    [expression, timeZone] = fromTemplate(flags.template, flags['schedule-id']);
  } else {
    const { group, name } = scheduleOfFlags(flags['schedule-group']!, flags['schedule-name']);
    schedule = await readSchedule(group, awsOptions, name);
    [expression, timeZone] = [schedule.ScheduleExpression, schedule.ScheduleExpressionTimezone];
  }
  if (timeZone !== undefined && !isTimeZone(timeZone)) throw new UsageError(`the time zone '${timeZone}' is not an IANA time zone name, e.g. Europe/London.`);

  const from = parseInstant('from', flags.from!, timeZone);
  const to = parseInstant('to', flags.to!, timeZone);
  if (to <= from) throw new UsageError(`--to (${schedulerTime(to)}) must be after --from (${schedulerTime(from)}).`);
  const times = fireTimes({ expression, timeZone, from, to, limit, limitName: '--max-runs', scheduleName: flags.schedule !== undefined ? '--schedule' : 'ScheduleExpression' });
  const zone = timeZone ?? 'UTC';
  const coming = schedule ? times.filter(t => t.getTime() > Date.now()) : [];
  if (coming.length > 0) {
    throw new UsageError(`--to ${schedulerTime(to)} reaches past now: ${coming.length} of the ${times.length} scheduled times (from ${schedulerTime(coming[0])}) have not come yet, `
      + 'and the schedule runs them itself. End the range at or before now (or see them with --dry-run).');
  }
  io.err(`${expression} in ${zone}, ${schedulerTime(from)} to ${schedulerTime(to)}: ${times.length} scheduled time${times.length === 1 ? '' : 's'}${flags['dry-run'] ? ' (dry run: nothing is started)' : ''}.`);

  if (!schedule) {
    for (const t of times) io.out(`${schedulerTime(t)}  ${localText(t, timeZone)} ${zone}`);
    return 0;
  }
  const results = await replay({
    ...awsOptions,
    schedule,
    times: times.map(schedulerTime),
    concurrency,
    rangeId: rangeHash(from, to),
    pollMs: Number(process.env[POLL_ENV] ?? DEFAULT_POLL_MS),
    print: io.out,
  });
  const failed = results.filter(r => !r.ok);
  const already = results.filter(r => r.status.startsWith('already started'));
  io.out(`backfill: ${results.length} runs, ${results.length - failed.length - already.length} succeeded, ${already.length} already started, ${failed.length} did not succeed${failed.length ? `: ${failed.map(r => r.time).join(', ')}` : ''}.`);
  return failed.length > 0 ? 1 : 0;
}

/** The flags that go together, and those that exclude each other: a usage error names them. */
function checkFlagCombinations(flags: ReturnType<typeof parse>): void {
  const sources = (['schedule', 'template', 'schedule-group'] as const).filter(f => flags[f] !== undefined);
  if (sources.length !== 1) {
    throw new UsageError(`give exactly one of --schedule, --template or --schedule-group${sources.length ? ` (got ${sources.map(s => `--${s}`).join(', ')})` : ''}.`);
  }
  for (const required of ['from', 'to'] as const) if (flags[required] === undefined) throw new UsageError(`--${required} is required.`);
  if (flags['time-zone'] !== undefined && flags.schedule === undefined) throw new UsageError('--time-zone goes with --schedule (a template or a deployed schedule has its own zone).');
  if (flags['schedule-id'] !== undefined && flags.template === undefined) throw new UsageError('--schedule-id goes with --template.');
  if (flags['schedule-name'] !== undefined && flags['schedule-group'] === undefined) throw new UsageError('--schedule-name goes with --schedule-group.');
  if (flags['dry-run'] && flags['schedule-group'] !== undefined) {
    throw new UsageError('--dry-run never calls AWS, so it cannot read --schedule-group: give the schedule with --schedule or --template.');
  }
  if (!flags['dry-run'] && flags['schedule-group'] === undefined) {
    throw new UsageError('a real run replays the deployed schedule\'s own target: give --schedule-group, or add --dry-run to print the times.');
  }
}

function parse(argv: string[]) {
  return parseFlags(argv, FLAGS);
}

/** What `parseInstant` makes of a wall time the clocks skip (a spring-forward gap). */
export type GapWallTime = 'next' | 'refuse';

/**
 * `2026-11-23` (midnight in the zone), `2026-11-23T06:00[:00]` (wall time in the zone) or either with `Z` / `+01:00`
 * (offsets from -12:00 to +14:00, those clocks use). A wall time in a spring-forward gap means the first instant after
 * it (`gap: 'next'`, for the bounds of a range), or is refused (`gap: 'refuse'`, for a scheduled time: the schedule
 * never fired at a time that did not exist).
 */
export function parseInstant(flag: string, text: string, timeZone: string | undefined, gap: GapWallTime = 'next'): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(Z|([+-])(\d{2}):(\d{2}))?)?$/.exec(text);
  const [y, mo, d, h, mi, s] = (m ?? []).slice(1, 7).map(v => Number(v ?? 0));
  if (!m || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) {
    throw new UsageError(`--${flag} is '${text}': give an ISO date (2026-11-23) or date-time (2026-11-23T06:00, 2026-11-23T06:00:00Z).`);
  }
  // Date.UTC reads the years 0 to 99 as 1900 to 1999: a year before 1970 is refused here, before any date arithmetic.
  if (y < EARLIEST_YEAR) {
    throw new UsageError(`--${flag} is '${text}': the year ${m[1]} is before ${EARLIEST_YEAR}, when no schedule could have fired; give a four-digit year such as 2026.`);
  }
  if (m[7] !== undefined) {
    const offset = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
    if (Number(m[10] ?? 0) > 59 || offset < -12 * 60 || offset > 14 * 60) {
      throw new UsageError(`--${flag} is '${text}': the offset ${m[7]} is not one a clock uses; give one from -12:00 to +14:00, or Z.`);
    }
    return new Date(text);
  }
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  for (let minute = 0; minute <= 24 * 60; minute++) {
    const instant = wallTimeToUtc(wall + minute * 60_000, timeZone)[0];
    if (instant === undefined) continue;
    if (minute > 0 && gap === 'refuse') {
      throw new UsageError(`--${flag} is '${text}', a wall time that does not exist in ${timeZone} (the clocks skip it), so the schedule never fired then: `
        + `give the scheduled time as 'cdk-scheduled-batch runs' lists it, or in UTC with Z (the first instant after the gap is ${schedulerTime(new Date(instant))}).`);
    }
    return new Date(instant);
  }
  throw new UsageError(`--${flag} '${text}' does not exist in ${timeZone}.`);
}

/** The expression and zone of the one (or the chosen) AWS::Scheduler::Schedule of a synthesized template. */
function fromTemplate(file: string, id: string | undefined): [string, string | undefined] {
  const chosen = templateSchedule(file, id);
  const { ScheduleExpression: expression, ScheduleExpressionTimezone: zone } = chosen.properties;
  if (typeof expression !== 'string' || (zone !== undefined && typeof zone !== 'string')) {
    throw new UsageError(`the schedule ${chosen.logicalId} in ${file} has a ScheduleExpression or time zone that is not a literal (a parameter or a reference); use --schedule and --time-zone.`);
  }
  return [expression, zone];
}

/** `2026-10-25 01:30 +01:00`: the wall time and offset in the zone (UTC without one). */
function localText(at: Date, timeZone: string | undefined): string {
  const p = localParts(at, timeZone);
  const offset = timeZone ? offsetMinutes(timeZone, at.getTime()) : 0;
  const pad = (n: number) => String(n).padStart(2, '0');
  const sign = offset < 0 ? '-' : '+';
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(Math.floor(p.minuteOfDay / 60))}:${pad(p.minuteOfDay % 60)} ${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(code => {
    process.exitCode = code;
  });
}
