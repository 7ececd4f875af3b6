/**
 * Pure functions that turn an EventBridge Scheduler expression into the evaluation window of a
 * dead-man's-switch alarm ("no successful run within the window"). No CDK constructs here, so every rule
 * is unit-tested directly.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (rate and cron syntax)
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation-window.html
 */

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
const WEEK = 7 * DAY;

/**
 * Longest evaluation range of a CloudWatch alarm: `Period x EvaluationPeriods` <= 7 days
 * (<= 1 day when the period is under 1 hour).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
export const MAX_ALARM_WINDOW_SECONDS = WEEK;

/** How often a schedule fires, as far as the alarm window is concerned. */
export enum CadenceKind {
  /** `rate(...)`: evenly spaced, not tied to the clock. */
  RATE = 'RATE',
  /** cron firing exactly once on every day. */
  DAILY_ONCE = 'DAILY_ONCE',
  /** cron firing exactly once a week. */
  WEEKLY_ONCE = 'WEEKLY_ONCE',
  /** Any other supported cron (several times a day, weekdays only, ...). */
  OTHER = 'OTHER',
}

/** The gaps between consecutive runs of a schedule. */
export interface ScheduleCadence {
  readonly kind: CadenceKind;
  /** Longest gap between two consecutive runs, in seconds: the schedule's period. */
  readonly maxGapSeconds: number;
  /** Shortest gap between two consecutive runs, in seconds. */
  readonly minGapSeconds: number;
  /** For a cron firing once a day or once a week: the second of the (local) day it fires at. */
  readonly fireSecondOfDay?: number;
}

/** The evaluation window of the missed-run alarm. */
export interface SuccessWindow {
  /** Alarm period in seconds. */
  readonly periodSeconds: number;
  /** Alarm evaluation periods (all must breach: datapointsToAlarm = evaluationPeriods). */
  readonly evaluationPeriods: number;
  /** periodSeconds x evaluationPeriods. */
  readonly windowSeconds: number;
  /** Set when the window is calendar-aligned (CloudWatch `WallClockWindow`) in this IANA time zone. */
  readonly wallClockTimeZone?: string;
}

/**
 * Parses a Scheduler expression (`rate(...)` or `cron(...)`) into its cadence.
 * Returns undefined for one-time `at(...)` schedules, unresolved tokens and cron features whose gaps
 * cannot be computed simply (`L`, `W`, `#`, a restricted year).
 */
export function scheduleCadence(expression: string): ScheduleCadence | undefined {
  const text = expression.trim();
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(text);
  if (rate) {
    const unit = rate[2].startsWith('minute') ? MINUTE : rate[2].startsWith('hour') ? HOUR : DAY;
    const seconds = Number(rate[1]) * unit;
    if (seconds <= 0) return undefined;
    return { kind: CadenceKind.RATE, maxGapSeconds: seconds, minGapSeconds: seconds };
  }
  const cron = /^cron\((.*)\)$/.exec(text);
  if (!cron) return undefined;
  return cronCadence(cron[1].trim().split(/\s+/));
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Days simulated to find the gaps: two full years starting on 1 Jan 2027 (2028 is a leap year). */
const SIMULATED_DAYS = 731;
const SIMULATION_START = Date.UTC(2027, 0, 1);

function cronCadence(fields: string[]): ScheduleCadence | undefined {
  if (fields.length !== 6) return undefined;
  const [minF, hourF, domF, monthF, dowF, yearF] = fields;
  if (yearF !== '*') return undefined;
  const minutes = parseField(minF, 0, 59);
  const hours = parseField(hourF, 0, 23);
  const months = parseField(monthF, 1, 12, MONTHS);
  if (!minutes || !hours || !months) return undefined;

  // AWS cron: exactly one of day-of-month and day-of-week is '?'.
  let dayMatches: (dom: number, dow: number) => boolean;
  if (domF === '?' && dowF !== '?') {
    const dows = parseField(dowF, 1, 7, WEEKDAYS);
    if (!dows) return undefined;
    dayMatches = (_dom, dow) => dows.has(dow);
  } else if (dowF === '?' && domF !== '?') {
    const doms = parseField(domF, 1, 31);
    if (!doms) return undefined;
    dayMatches = (dom) => doms.has(dom);
  } else {
    return undefined;
  }

  const minutesOfDay: number[] = [];
  for (const h of [...hours].sort((a, b) => a - b)) {
    for (const m of [...minutes].sort((a, b) => a - b)) minutesOfDay.push(h * 60 + m);
  }

  const days: number[] = [];
  for (let i = 0; i < SIMULATED_DAYS; i++) {
    const d = new Date(SIMULATION_START + i * DAY * 1000);
    if (months.has(d.getUTCMonth() + 1) && dayMatches(d.getUTCDate(), d.getUTCDay() + 1)) days.push(i);
  }
  if (days.length < 2) return undefined;

  const gaps: number[] = [];
  for (let i = 1; i < minutesOfDay.length; i++) gaps.push(minutesOfDay[i] - minutesOfDay[i - 1]);
  const first = minutesOfDay[0];
  const last = minutesOfDay[minutesOfDay.length - 1];
  const dayGaps = new Set<number>();
  for (let i = 1; i < days.length; i++) {
    const dayGap = days[i] - days[i - 1];
    dayGaps.add(dayGap);
    gaps.push(dayGap * 1440 + first - last);
  }
  const maxGapSeconds = Math.max(...gaps) * MINUTE;
  const minGapSeconds = Math.min(...gaps) * MINUTE;

  if (minutesOfDay.length === 1 && dayGaps.size === 1 && (dayGaps.has(1) || dayGaps.has(7))) {
    const kind = dayGaps.has(1) ? CadenceKind.DAILY_ONCE : CadenceKind.WEEKLY_ONCE;
    return { kind, maxGapSeconds, minGapSeconds, fireSecondOfDay: first * MINUTE };
  }
  return { kind: CadenceKind.OTHER, maxGapSeconds, minGapSeconds };
}

/**
 * Parses one cron field (`*`, `?`, `5`, `1-5`, `MON-FRI`, `0/15`, `*\/15`, `1-10/2`, lists of these).
 * Returns undefined for anything else (`L`, `W`, `#`, out-of-range values).
 */
export function parseField(text: string, min: number, max: number, names?: string[]): Set<number> | undefined {
  const values = new Set<number>();
  const toNumber = (s: string): number | undefined => {
    const upper = s.toUpperCase();
    if (names) {
      const idx = names.indexOf(upper);
      if (idx >= 0) return idx + min;
    }
    if (!/^\d+$/.test(s)) return undefined;
    const n = Number(s);
    return n >= min && n <= max ? n : undefined;
  };
  for (const part of text.split(',')) {
    const [rangeText, stepText, ...rest] = part.split('/');
    if (rest.length > 0) return undefined;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) return undefined;
      step = Number(stepText);
    }
    let from: number | undefined;
    let to: number | undefined;
    if (rangeText === '*' || rangeText === '?') {
      from = min;
      to = max;
    } else if (rangeText.includes('-')) {
      const [a, b, ...more] = rangeText.split('-');
      if (more.length > 0) return undefined;
      from = toNumber(a);
      to = toNumber(b);
    } else {
      from = toNumber(rangeText);
      // 'a/step' runs from a to the end of the range.
      to = stepText !== undefined ? max : from;
    }
    if (from === undefined || to === undefined || from > to) return undefined;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values.size > 0 ? values : undefined;
}

/**
 * The window derived from a schedule:
 * - a cron that fires once a day -> a 1-day `WallClockWindow` in the schedule's time zone, unless the run may end
 *   after midnight (fire time + `runAllowanceSeconds` >= 24:00), when the success would count for the next day;
 * - a cron that fires once a week -> a 1-week `WallClockWindow` in the schedule's time zone;
 * - anything else -> a sliding window of the longest gap plus half the shortest gap (1.5 x the period of a
 *   `rate`), so a run finishing a little later than the previous one does not alarm, while one missed run does.
 *   Capped at 7 days (the CloudWatch maximum), never shorter than the longest gap.
 *
 * Returns undefined when the longest gap is over 7 days: no CloudWatch alarm can span it.
 */
export function deriveSuccessWindow(
  cadence: ScheduleCadence,
  timeZone: string | undefined,
  runAllowanceSeconds: number = 0,
): SuccessWindow | undefined {
  if (cadence.maxGapSeconds > MAX_ALARM_WINDOW_SECONDS) return undefined;
  const endsSameDay = (cadence.fireSecondOfDay ?? 0) + runAllowanceSeconds < DAY;
  if (cadence.kind === CadenceKind.DAILY_ONCE && endsSameDay) {
    return { periodSeconds: DAY, evaluationPeriods: 1, windowSeconds: DAY, wallClockTimeZone: timeZone ?? 'UTC' };
  }
  if (cadence.kind === CadenceKind.WEEKLY_ONCE) {
    return { periodSeconds: WEEK, evaluationPeriods: 1, windowSeconds: WEEK, wallClockTimeZone: timeZone ?? 'UTC' };
  }
  const seconds = Math.min(cadence.maxGapSeconds + cadence.minGapSeconds / 2, MAX_ALARM_WINDOW_SECONDS);
  return slidingWindow(seconds);
}

/**
 * A sliding window of at least `seconds`, as period x evaluation periods (all must breach). Short periods keep the
 * rounding small (1-minute periods up to 1 hour, 5-minute periods up to 1 day, 1-hour periods beyond), within the
 * CloudWatch limits: period x evaluation periods <= 1 day for periods under 1 hour, <= 7 days otherwise.
 */
export function slidingWindow(seconds: number): SuccessWindow {
  const periodSeconds = seconds <= HOUR ? MINUTE : seconds <= DAY ? 5 * MINUTE : HOUR;
  const limit = periodSeconds < HOUR ? DAY : MAX_ALARM_WINDOW_SECONDS;
  const evaluationPeriods = Math.min(Math.max(1, Math.ceil(seconds / periodSeconds)), limit / periodSeconds);
  return { periodSeconds, evaluationPeriods, windowSeconds: periodSeconds * evaluationPeriods };
}

/** "1 day", "90 minutes", "36 hours": for error messages and alarm descriptions. */
export function describeSeconds(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds % WEEK === 0) return plural(seconds / WEEK, 'week');
  if (seconds % DAY === 0) return plural(seconds / DAY, 'day');
  if (seconds % HOUR === 0) return plural(seconds / HOUR, 'hour');
  if (seconds % MINUTE === 0) return plural(seconds / MINUTE, 'minute');
  return plural(seconds, 'second');
}
