/**
 * Pure functions over EventBridge Scheduler expressions: the gaps between runs (for the default run deadline,
 * ./schedule-deadline.ts), the cron field parser (./cron-spec.ts) and durations in words. No CDK constructs here, so
 * every rule is unit-tested directly.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (rate and cron syntax)
 */

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
const WEEK = 7 * DAY;

/** The gaps between consecutive runs of a schedule. */
export interface ScheduleCadence {
  /** Longest gap between two consecutive runs, in seconds: the schedule's period. */
  readonly maxGapSeconds: number;
  /** Shortest gap between two consecutive runs, in seconds. */
  readonly minGapSeconds: number;
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
    return { maxGapSeconds: seconds, minGapSeconds: seconds };
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
  for (let i = 1; i < days.length; i++) gaps.push((days[i] - days[i - 1]) * 1440 + first - last);
  return { maxGapSeconds: Math.max(...gaps) * MINUTE, minGapSeconds: Math.min(...gaps) * MINUTE };
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

/** "1 day", "90 minutes", "36 hours": for error messages and alarm descriptions. */
export function describeSeconds(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds % WEEK === 0) return plural(seconds / WEEK, 'week');
  if (seconds % DAY === 0) return plural(seconds / DAY, 'day');
  if (seconds % HOUR === 0) return plural(seconds / HOUR, 'hour');
  if (seconds % MINUTE === 0) return plural(seconds / MINUTE, 'minute');
  return plural(seconds, 'second');
}
