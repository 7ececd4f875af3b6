/**
 * Per-run deadline and refusal rules for run-by-run tracking (`RunTracker`). Pure functions, no CDK constructs, so
 * every rule is unit-tested directly (test/schedule-deadline.test.ts).
 *
 * A run is "bad" when it is not done by its deadline. The deadline is counted by Step Functions from the moment the
 * execution submits the job (a Task state's `TimeoutSeconds`), so it is elapsed time: a DST change between the
 * scheduled time and the deadline does not move it (the wall clock reading at the deadline shifts by the DST step).
 *
 * Crons are parsed by ./cron-spec.ts (the library's one cron parser, `L`, `W`, `#` and years included); the scan that
 * finds whether a cron fires at all is here.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (rate, cron, at; DST handling)
 */
import { daysIn, isTimeZone, localParts, minGapMinutes, offsetMinutes, transitions } from './calendar';
import { CronSpec, parseCronExpression } from './cron-spec';
import { ValidationError } from './prop-names';
import { describeSeconds, scheduleCadence } from './schedule-window';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/**
 * The grace added to `attempts x timeout`: time a run spends outside its attempts. 15 minutes for the first placement
 * (queueing, a Spot or Fargate capacity launch, the image pull), 5 more for each retry (a retried attempt goes back to
 * RUNNABLE, and after a Spot interruption it needs a new instance). A job stuck RUNNABLE longer than that is reported
 * as "deadline passed" with its status RUNNABLE, which points at capacity.
 */
export const DEADLINE_GRACE = { firstPlacementSeconds: 15 * MINUTE, perRetrySeconds: 5 * MINUTE } as const;

/** Service limits the rules check against. */
export const TRACKING_LIMITS = {
  /**
   * A Standard execution, and so a Task state's TimeoutSeconds, lasts at most one year.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
   */
  maxDeadlineSeconds: 365 * DAY,
  /** @see https://docs.aws.amazon.com/batch/latest/APIReference/API_JobTimeout.html (at least 60 seconds) */
  minJobTimeoutSeconds: 60,
  /** @see https://docs.aws.amazon.com/batch/latest/APIReference/API_RetryStrategy.html (attempts 1-10) */
  maxAttempts: 10,
  /** @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_FlexibleTimeWindow.html (1-1440 minutes) */
  maxFlexibleWindowSeconds: 1440 * MINUTE,
} as const;

/** The names the caller's props have, for error messages. */
export interface DeadlinePropNames {
  readonly schedule: string;
  readonly timeZone: string;
  readonly jobTimeout: string;
  readonly attempts: string;
  readonly flexibleTimeWindow: string;
  readonly deadline: string;
}

const DEFAULT_NAMES: DeadlinePropNames = {
  schedule: 'schedule',
  timeZone: 'timeZone',
  jobTimeout: 'jobTimeout',
  attempts: 'retryAttempts',
  flexibleTimeWindow: 'flexibleTimeWindow',
  deadline: 'deadline',
};

export interface ScheduleDeadlineInput {
  /** `rate(...)`, `cron(...)` or `at(...)`, as EventBridge Scheduler takes it. */
  readonly expression: string;
  /** IANA name; undefined means UTC. */
  readonly timeZone?: string;
  /** Timeout of one attempt. */
  readonly jobTimeoutSeconds: number;
  /** Attempts of the job (1 + retries). */
  readonly attempts: number;
  readonly flexibleWindowSeconds?: number;
  /** An explicit deadline (the Task timeout); default `defaultDeadlineSeconds`. */
  readonly deadlineSeconds?: number;
  /** "Now", for `at()` in the past and crons whose last year is over. Default: the current time. */
  readonly now?: Date;
  readonly propNames?: Partial<DeadlinePropNames>;
  /**
   * Whether the runs have a deadline (tracked runs). When true and no `deadlineSeconds` is given, `jobTimeoutSeconds`
   * and `attempts` must be concrete numbers, not tokens: the default deadline is computed from them.
   * @default true
   */
  readonly deadlineRequired?: boolean;
}

export interface ScheduleDeadline {
  readonly kind: 'rate' | 'cron' | 'at' | 'unknown';
  /** Grace included in the default deadline. */
  readonly graceSeconds: number;
  /** The Task state's TimeoutSeconds: from the submission of the job to the deadline. */
  readonly taskTimeoutSeconds: number;
  /** Latest time after the scheduled time at which a bad run is reported: flexible window + task timeout. */
  readonly deadlineAfterScheduledSeconds: number;
  /** Shortest time between two scheduled times (local wall clock), when known. */
  readonly minGapSeconds?: number;
  /** Refusals: the schedule or the props cannot work. */
  readonly errors: string[];
  /** Facts the user should know (overlap, DST-skipped runs, a one-time schedule in the past). */
  readonly notes: string[];
}

/**
 * Whether a number is a CDK number token (known only at deploy). This module runs in the backfill CLI too, which has
 * no dependency but Node: aws-cdk-lib encodes a number token as a double near -1.888e+289
 * (aws-cdk-lib core/lib/private/encoding.ts, `createTokenDouble`), far beyond any real duration or count.
 */
function isNumberToken(value: unknown): boolean {
  return typeof value === 'number' && value < -1e288;
}

/** Whether a string holds a CDK token: aws-cdk-lib encodes them as `${Token[...]}` (core/lib/private/encoding.ts). */
function isStringToken(value: string): boolean {
  return value.includes('${Token[');
}

export function graceSeconds(attempts: number): number {
  return DEADLINE_GRACE.firstPlacementSeconds + Math.max(0, attempts - 1) * DEADLINE_GRACE.perRetrySeconds;
}

/** attempts x timeout + grace. */
export function defaultDeadlineSeconds(jobTimeoutSeconds: number, attempts: number): number {
  return attempts * jobTimeoutSeconds + graceSeconds(attempts);
}

/**
 * Why `timeZone` is not a name EventBridge Scheduler takes (`ScheduleExpressionTimezone`, an IANA name), or undefined.
 * IANA names are case-sensitive and each part starts with a capital (Europe/London, America/Port-au-Prince); Node's
 * Intl accepts any case, so case is checked here. A token passes.
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
 */
export function timeZoneError(timeZone: string | undefined, label: string): string | undefined {
  if (timeZone === undefined || isStringToken(timeZone)) return undefined;
  if (!isTimeZone(timeZone)) {
    return `${label} is '${timeZone}', which is not an IANA time zone name: use a name such as 'Europe/London' or 'America/New_York' (aws-cdk-lib TimeZone constants), or leave it out for UTC.`;
  }
  if (timeZone.split('/').some(part => !/^[A-Z]/.test(part))) {
    const canonical = new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
    return `${label} is '${timeZone}': IANA time zone names are case-sensitive (each part starts with a capital letter) and EventBridge Scheduler takes them as written. Use '${canonical}'.`;
  }
  return undefined;
}

/** The deadline part alone (no schedule): the numbers are checked and the deadline derived. */
export function analyzeDeadline(input: Omit<ScheduleDeadlineInput, 'expression'>): ScheduleDeadline {
  const names = { ...DEFAULT_NAMES, ...input.propNames };
  const errors: string[] = [];
  const notes: string[] = [];
  checkNumbers(input, names, errors);
  const tokens = [[names.attempts, input.attempts], [names.jobTimeout, input.jobTimeoutSeconds]]
    .filter(([, v]) => isNumberToken(v)).map(([n]) => `'${n}'`);
  if (tokens.length > 0 && input.deadlineSeconds === undefined && input.deadlineRequired !== false) {
    errors.push(`${tokens.join(' and ')} ${tokens.length > 1 ? 'are tokens' : 'is a token'} (known only at deploy), but the default run deadline is computed at synth from '${names.attempts}' x '${names.jobTimeout}': `
      + `give ${tokens.join(' and ')} a concrete value, or set '${names.deadline}'.`);
  }
  const zoneError = timeZoneError(input.timeZone, names.timeZone === names.schedule ? `The time zone of '${names.schedule}'` : `'${names.timeZone}'`);
  if (zoneError !== undefined) errors.push(zoneError);
  const grace = graceSeconds(input.attempts);
  const taskTimeoutSeconds = input.deadlineSeconds ?? defaultDeadlineSeconds(input.jobTimeoutSeconds, input.attempts);
  const deadlineAfterScheduledSeconds = (input.flexibleWindowSeconds ?? 0) + taskTimeoutSeconds;
  const deadlineKnown = input.deadlineSeconds !== undefined ? !isNumberToken(input.deadlineSeconds) : tokens.length === 0;
  const concrete = tokens.length === 0 && deadlineKnown;
  if (deadlineKnown && taskTimeoutSeconds > TRACKING_LIMITS.maxDeadlineSeconds) {
    const which = input.deadlineSeconds !== undefined ? `'${names.deadline}'` : `'${names.attempts}' x '${names.jobTimeout}' + grace`;
    errors.push(`The run deadline (${which}) is ${describeDuration(taskTimeoutSeconds)}, over the 1-year limit of a Step Functions Standard execution: lower '${names.jobTimeout}' or '${names.attempts}'${input.deadlineSeconds !== undefined ? ` or '${names.deadline}'` : ''}.`);
  }
  if (concrete && input.deadlineSeconds !== undefined && input.deadlineSeconds >= MINUTE && input.deadlineSeconds < input.jobTimeoutSeconds) {
    errors.push(`'${names.deadline}' is ${describeDuration(input.deadlineSeconds)}, shorter than one attempt's '${names.jobTimeout}' (${describeDuration(input.jobTimeoutSeconds)}): `
      + `a run that uses its attempt's time is stopped and reported late before AWS Batch would time the attempt out. Lower '${names.jobTimeout}' to at most ${describeDuration(input.deadlineSeconds)}, or raise '${names.deadline}' to at least ${describeDuration(input.jobTimeoutSeconds)}.`);
  } else if (concrete && input.deadlineSeconds !== undefined && input.deadlineSeconds < input.attempts * input.jobTimeoutSeconds) {
    notes.push(`'${names.deadline}' (${describeDuration(input.deadlineSeconds)}) is shorter than '${names.attempts}' x '${names.jobTimeout}' (${describeDuration(input.attempts * input.jobTimeoutSeconds)}): a run that needs all its attempts is stopped and reported as past its deadline before AWS Batch gives up on it.`);
  }
  return { kind: 'unknown', graceSeconds: grace, taskTimeoutSeconds, deadlineAfterScheduledSeconds, errors, notes };
}

/** Derives the deadline of each run of a schedule and decides what to refuse. */
export function analyzeSchedule(input: ScheduleDeadlineInput): ScheduleDeadline {
  const names = { ...DEFAULT_NAMES, ...input.propNames };
  const base = analyzeDeadline(input);
  const errors = [...base.errors];
  const notes = [...base.notes];
  const now = input.now ?? new Date();
  const zone = input.timeZone !== undefined && !isStringToken(input.timeZone) && isTimeZone(input.timeZone) ? input.timeZone : undefined;
  const { deadlineAfterScheduledSeconds } = base;

  const text = input.expression.trim();
  const schedule = `'${names.schedule}' ${text}`;
  if (text !== input.expression || /\(\s|\s\)/.test(text)) {
    const tidy = text.replace(/\(\s+/, '(').replace(/\s+\)$/, ')');
    errors.push(`'${names.schedule}' is '${input.expression}', with spaces around the expression or inside its parentheses, which EventBridge Scheduler's formats do not have: write '${tidy}'.`);
  }
  let kind: ScheduleDeadline['kind'] = 'unknown';
  let minGapSeconds: number | undefined;
  if (text.startsWith('rate(')) {
    kind = 'rate';
    minGapSeconds = checkRate(text, schedule, errors);
  } else if (text.startsWith('cron(')) {
    kind = 'cron';
    minGapSeconds = checkCron(text, schedule, zone, now, errors, notes);
  } else if (text.startsWith('at(')) {
    kind = 'at';
    checkAt(text, schedule, zone, now, errors, notes);
  } else {
    errors.push(`${schedule} is not a schedule expression: use rate(value unit), cron(minutes hours day-of-month month day-of-week year) or at(yyyy-mm-ddThh:mm:ss) (aws-cdk-lib ScheduleExpression).`);
  }

  const overlaps = minGapSeconds !== undefined && !isNumberToken(deadlineAfterScheduledSeconds) && deadlineAfterScheduledSeconds > minGapSeconds;
  if (overlaps && minGapSeconds !== undefined && errors.length === 0) {
    notes.push(`${schedule} has runs ${describeDuration(minGapSeconds)} apart, but a run may take up to ${describeDuration(deadlineAfterScheduledSeconds)} after its scheduled time to reach its deadline: runs can overlap. Each run is still tracked and reported on its own; make sure two runs of the job can run at the same time, or lower '${names.jobTimeout}' or '${names.attempts}'.`);
  }
  return { ...base, kind, minGapSeconds, errors, notes };
}

/** Throws one error listing every refusal. */
export function assertScheduleAccepted(result: ScheduleDeadline): void {
  if (result.errors.length > 0) throw new ValidationError(result.errors.join('\n'));
}

function checkNumbers(input: Omit<ScheduleDeadlineInput, 'expression'>, names: DeadlinePropNames, errors: string[]): void {
  const attempts = input.attempts;
  if (!isNumberToken(attempts) && (!Number.isInteger(attempts) || attempts < 1 || attempts > TRACKING_LIMITS.maxAttempts)) {
    errors.push(`'${names.attempts}' is ${attempts}: AWS Batch takes a whole number of attempts from 1 to ${TRACKING_LIMITS.maxAttempts} (1 means no retry).`);
  }
  if (!isNumberToken(input.jobTimeoutSeconds) && !(input.jobTimeoutSeconds >= TRACKING_LIMITS.minJobTimeoutSeconds)) {
    errors.push(`'${names.jobTimeout}' is ${input.jobTimeoutSeconds} seconds: AWS Batch attempt timeouts are at least 60 seconds. Use Duration.minutes(1) or more.`);
  }
  const flexible = input.flexibleWindowSeconds;
  if (flexible !== undefined && !isNumberToken(flexible) && (flexible < MINUTE || flexible > TRACKING_LIMITS.maxFlexibleWindowSeconds)) {
    errors.push(`'${names.flexibleTimeWindow}' is ${describeDuration(flexible)}: EventBridge Scheduler takes a flexible time window from 1 to 1440 minutes. Leave it out for runs at the scheduled time.`);
  }
  const deadline = input.deadlineSeconds;
  if (deadline !== undefined && !isNumberToken(deadline) && !(Number.isInteger(deadline) && deadline >= MINUTE)) {
    errors.push(`'${names.deadline}' is ${deadline} seconds: give a whole number of seconds, at least 1 minute (it must leave time to submit and start the job), or leave it out for the derived deadline.`);
  }
}

const RATE_UNITS: Record<string, number> = { minute: MINUTE, minutes: MINUTE, hour: HOUR, hours: HOUR, day: DAY, days: DAY };

function checkRate(text: string, schedule: string, errors: string[]): number | undefined {
  const m = /^rate\(\s*(\S+)\s+(\S+)\s*\)$/.exec(text);
  if (!m) {
    errors.push(`${schedule} is not a rate expression: write rate(value unit), for example rate(15 minutes).`);
    return undefined;
  }
  const [, value, unit] = m;
  if (RATE_UNITS[unit] === undefined) {
    errors.push(`${schedule} has the unit '${unit}': EventBridge Scheduler rates take minute(s), hour(s) or day(s). For a shorter period, rate(1 minute) is the most frequent.`);
    return undefined;
  }
  if (!/^\d+$/.test(value) || Number(value) === 0) {
    errors.push(`${schedule} has the value '${value}': a rate needs a positive whole number, for example rate(1 ${unit.replace(/s$/, '')}).`);
    return undefined;
  }
  const singular = unit.replace(/s$/, '');
  const agreeing = Number(value) === 1 ? singular : `${singular}s`;
  if (unit !== agreeing) {
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html: "If the value is equal to 1,
    // then the unit must be singular. If the value is greater than 1, the unit must be plural."
    errors.push(`${schedule} has '${value} ${unit}': a rate of 1 takes the singular unit and larger values the plural, so write rate(${value} ${agreeing}).`);
    return undefined;
  }
  return scheduleCadence(text)?.minGapSeconds ?? Number(value) * RATE_UNITS[unit];
}

/** Calendar years scanned for a cron with any year: 8, so February 29 (every 4 years) is always seen. */
const SCANNED_YEARS = 8;

function checkCron(text: string, schedule: string, tz: string | undefined, now: Date, errors: string[], notes: string[]): number | undefined {
  const spec = parseCronExpression(text, schedule, errors, notes);
  if (!spec) return undefined;

  const today = localParts(now, tz);
  const years = spec.years
    ? [...spec.years].filter(y => y >= today.year).sort((a, b) => a - b).slice(0, SCANNED_YEARS + 1)
    : Array.from({ length: SCANNED_YEARS + 1 }, (_, i) => today.year + i);
  const days: number[] = [];
  for (const y of years) {
    for (const m of [...spec.months].sort((a, b) => a - b)) {
      for (let d = 1; d <= daysIn(y, m); d++) if (spec.dayMatches(y, m, d)) days.push(Date.UTC(y, m - 1, d) / 86_400_000);
    }
  }
  const todayNumber = Date.UTC(today.year, today.month - 1, today.day) / 86_400_000;
  const lastMinute = spec.minutesOfDay[spec.minutesOfDay.length - 1];
  const future = days.filter(d => d > todayNumber || (d === todayNumber && lastMinute > today.minuteOfDay));
  if (future.length === 0) {
    const over = days.length > 0 || (spec.years !== undefined && [...spec.years].every(y => y < today.year));
    const why = over ? 'every date it matches is in the past' : 'no date matches its day-of-month, month, day-of-week and year fields';
    errors.push(`${schedule} never fires: ${why}${tz ? ` (time zone ${tz})` : ''}. Fix the day-of-month, month, day-of-week or year field; for the last day of a month use 'L', for example cron(0 2 L * ? *).`);
    return undefined;
  }
  if (tz) noteSkippedRuns(spec, years.slice(0, 2), tz, now, schedule, notes);

  // scheduleCadence covers plain crons (no L, W, #, any year); the scan covers the rest.
  return scheduleCadence(text)?.minGapSeconds ?? minGapMinutes(days, spec.minutesOfDay) * MINUTE;
}

function checkAt(text: string, schedule: string, tz: string | undefined, now: Date, errors: string[], notes: string[]): void {
  const m = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text);
  const [y, mo, d, h, mi, s] = (m ?? []).slice(1).map(Number);
  if (!m || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) {
    errors.push(`${schedule} is not a valid one-time schedule: write at(yyyy-mm-ddThh:mm:ss) with a real date and time, for example at(2027-01-31T06:00:00).`);
    return;
  }
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const utc = tz ? wall - offsetMinutes(tz, wall - offsetMinutes(tz, wall) * 60_000) * 60_000 : wall;
  if (utc <= now.getTime()) {
    notes.push(`${schedule} is in the past${tz ? ` in ${tz}` : ' (UTC)'}: a one-time schedule fires once at that time, so it will not run. Set a future date, or remove the schedule.`);
  }
}

/** Spring-forward days: EventBridge Scheduler skips a run whose local time does not exist (schedule-types page). */
function noteSkippedRuns(spec: CronSpec, years: number[], tz: string, now: Date, schedule: string, notes: string[]): void {
  for (const y of years) {
    for (const t of transitions(tz, y)) {
      if (t.afterMinutes <= t.beforeMinutes || t.atMs <= now.getTime()) continue;
      const local = new Date(t.atMs + t.beforeMinutes * 60_000);
      const [ly, lm, ld] = [local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate()];
      const start = local.getUTCHours() * 60 + local.getUTCMinutes();
      const end = start + (t.afterMinutes - t.beforeMinutes);
      const skipped = spec.minutesOfDay.filter(m => m >= start && m < end);
      if (skipped.length > 0 && spec.months.has(lm) && (!spec.years || spec.years.has(ly)) && spec.dayMatches(ly, lm, ld)) {
        const date = `${ly}-${pad(lm)}-${pad(ld)}`;
        notes.push(`${schedule} in ${tz}: on ${date} the clocks go forward and ${skipped.map(hhmm).join(', ')} does not exist, so EventBridge Scheduler skips that run. No run starts, so none is reported; it happens every year on that Sunday.`);
        return;
      }
    }
  }
}

/** "3 hours 25 minutes", "1 day 2 hours": whole units, largest first (describeSeconds when one unit is exact). */
export function describeDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [['day', DAY], ['hour', HOUR], ['minute', MINUTE], ['second', 1]] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
  }
  return parts.length <= 1 ? describeSeconds(seconds) : parts.join(' ');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function hhmm(minuteOfDay: number): string {
  return `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;
}
