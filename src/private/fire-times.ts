/**
 * Every time EventBridge Scheduler fires a schedule within a range: what a backfill replays (src/cli/backfill.ts).
 * Pure functions, unit-tested in test/fire-times.test.ts.
 *
 * - The expression is checked by `analyzeSchedule` first, so a schedule the library refuses at synth is refused here
 *   with the same message; crons are parsed by ./cron-spec.ts, the library's one cron parser.
 * - Wall times are in the schedule's time zone. On a spring-forward day a wall time that does not exist is skipped;
 *   on a fall-back day a repeated one runs once, at its first occurrence (schedule-types page below).
 * - `rate(...)`: a rate schedule's phase is its StartDate, else its creation time; the library sets no StartDate and a
 *   template does not record the creation time, so the times are counted from `from`.
 * - `at(...)`: its one time, when it falls in the range.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */
import { daysIn, localParts, wallTimeToUtc } from './calendar';
import { CronSpec, parseCronExpression } from './cron-spec';
import { ValidationError } from './prop-names';
import { analyzeSchedule } from './schedule-deadline';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const RATE_UNIT_MS: Record<string, number> = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: DAY_MS };

/** The default of `limit`: more fire times than this in one range is refused. */
export const DEFAULT_FIRE_TIME_LIMIT = 1000;

export interface FireTimesInput {
  /** `cron(...)`, `rate(...)` or `at(...)`, as EventBridge Scheduler takes it. */
  readonly expression: string;
  /** IANA name; undefined means UTC. */
  readonly timeZone?: string;
  /** Start of the range, included. */
  readonly from: Date;
  /** End of the range, excluded. */
  readonly to: Date;
  /** Most fire times returned; more is refused. @default DEFAULT_FIRE_TIME_LIMIT */
  readonly limit?: number;
  /** How the caller names the limit, in the refusal (e.g. a CLI flag). @default 'limit' */
  readonly limitName?: string;
  /** How the caller names the schedule, in refusals. @default 'schedule' */
  readonly scheduleName?: string;
}

/** The instants, ascending, at which the schedule fires in [from, to). Throws on a schedule the library refuses. */
export function fireTimes(input: FireTimesInput): Date[] {
  const text = input.expression.trim();
  const name = input.scheduleName ?? 'schedule';
  const limit = input.limit ?? DEFAULT_FIRE_TIME_LIMIT;
  const from = input.from.getTime();
  const to = input.to.getTime();
  if (Number.isNaN(from) || Number.isNaN(to)) throw new ValidationError('The range needs two valid dates.');
  // The same refusals as at synth; "now" is the start of the range, so a cron is refused as never firing only when it
  // fires at no time from the range on.
  const analysis = analyzeSchedule({
    expression: text,
    timeZone: input.timeZone,
    jobTimeoutSeconds: 60,
    attempts: 1,
    now: new Date(from - MINUTE_MS),
    propNames: { schedule: name, timeZone: 'time zone' },
  });
  if (analysis.errors.length > 0) throw new ValidationError(analysis.errors.join('\n'));
  if (to <= from) return [];

  const times: number[] = [];
  const add = (utc: number): void => {
    if (utc < from || utc >= to) return;
    times.push(utc);
    if (times.length > limit) {
      throw new ValidationError(`The range ${schedulerTime(from)} to ${schedulerTime(to)} holds more than ${limit} scheduled times of ${text}: shorten the range or raise '${input.limitName ?? 'limit'}'.`);
    }
  };
  if (analysis.kind === 'rate') {
    const [, value, unit] = /^rate\(\s*(\d+)\s+(minute|hour|day)s?\s*\)$/.exec(text)!;
    const step = Number(value) * RATE_UNIT_MS[unit];
    for (let t = from; t < to; t += step) add(t);
  } else if (analysis.kind === 'at') {
    const [y, mo, d, h, mi, s] = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text)!.slice(1).map(Number);
    const first = wallTimeToUtc(Date.UTC(y, mo - 1, d, h, mi, s), input.timeZone)[0];
    if (first !== undefined) add(first);
  } else {
    const errors: string[] = [];
    const spec = parseCronExpression(text, `'${name}' ${text}`, errors, []);
    if (!spec) throw new ValidationError(errors.join('\n') || `'${name}' ${text} uses day syntax this library cannot enumerate: write the days with the fields the library checks (lists, ranges, steps, L, nW, d#n, dL).`);
    cronTimes(spec, input.timeZone, from, to, add);
  }
  return times.sort((a, b) => a - b).map(t => new Date(t));
}

/** Walks the local days around [from, to) and adds each existing wall time once (its first instant). */
function cronTimes(spec: CronSpec, tz: string | undefined, from: number, to: number, add: (utc: number) => void): void {
  const first = localParts(new Date(from), tz);
  const last = localParts(new Date(to), tz);
  // One day either side: a wall time of the day before `from` (local) may still be an instant inside the range.
  const start = Date.UTC(first.year, first.month - 1, first.day) - DAY_MS;
  const end = Date.UTC(last.year, last.month - 1, last.day) + DAY_MS;
  for (let day = start; day <= end; day += DAY_MS) {
    const date = new Date(day);
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (d > daysIn(y, m) || !spec.months.has(m) || (spec.years && !spec.years.has(y)) || !spec.dayMatches(y, m, d)) continue;
    for (const minute of spec.minutesOfDay) {
      const instants = wallTimeToUtc(day + minute * MINUTE_MS, tz);
      if (instants.length > 0) add(instants[0]);
    }
  }
}

/** `2026-11-23T02:00:00Z`: the form of `<aws.scheduler.scheduled-time>` (no milliseconds). */
export function schedulerTime(at: Date | number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
