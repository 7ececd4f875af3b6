/**
 * The one parser of EventBridge Scheduler cron expressions in this library: `cron(...)` into the minutes of the day,
 * months, years and a day rule (`L`, `W`, `#` included). Used by the schedule checks (./schedule-deadline.ts) and by
 * the backfill's fire times (./fire-times.ts). Plain fields are parsed by `parseField` from ./schedule-window.ts.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (cron syntax)
 */
import { dayOfWeek, daysIn, nearestWeekday } from './calendar';
import { parseField } from './schedule-window';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** Characters of the plain cron syntax parseField understands; a field made of these that it refuses is invalid. */
const PLAIN_FIELD = /^[0-9A-Za-z*?,\-/]+$/;

/** Every character a Scheduler cron field may hold (the wildcards of the six fields together). */
const CRON_CHARACTERS = /^[0-9A-Za-z*?,\-/#]+$/;
const FIELD_NAMES = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'];

export type DayMatcher = (y: number, m: number, d: number) => boolean;

/** The parsed fields of a cron: minutes of the (local) day ascending, months, years (undefined: any), the day rule. */
export interface CronSpec {
  readonly minutesOfDay: number[];
  readonly months: Set<number>;
  readonly years?: Set<number>;
  readonly dayMatches: DayMatcher;
}

/**
 * Parses `cron(...)` into a {@link CronSpec}. Refusals go to `errors` (an invalid field, both or neither day field
 * '?', not six fields), unsupported day syntax to `notes`; undefined when either is added.
 */
export function parseCronExpression(text: string, schedule: string, errors: string[], notes: string[]): CronSpec | undefined {
  const fields = text.slice('cron('.length, -1).trim().split(/\s+/);
  if (!text.endsWith(')') || fields.length !== 6) {
    errors.push(`${schedule} has ${fields.length} fields: EventBridge Scheduler crons have six, cron(minutes hours day-of-month month day-of-week year), for example cron(0 2 * * ? *).`);
    return undefined;
  }
  return parseCron(fields, schedule, errors, notes);
}

function parseCron(fields: string[], schedule: string, errors: string[], notes: string[]): CronSpec | undefined {
  const [minF, hourF, domF, monthF, dowF, yearF] = fields;
  const bad = (name: string, value: string, fix: string) => errors.push(`${schedule} has an invalid ${name} field '${value}': ${fix}`);
  const foreign = fields.map((f, i) => [FIELD_NAMES[i], f]).filter(([, f]) => !CRON_CHARACTERS.test(f));
  for (const [name, f] of foreign) {
    bad(name, f, 'a cron field holds only digits, month or weekday names (JAN, MON) and the wildcards , - * ? / L W #.');
  }
  if (foreign.length > 0) return undefined;
  const minutes = parseField(minF, 0, 59);
  if (!minutes) bad('minutes', minF, 'use 0-59, a list (0,30), a range (0-29), a step (0/15) or *.');
  const hours = parseField(hourF, 0, 23);
  if (!hours) bad('hours', hourF, 'use 0-23, a list (8,17), a range (9-17), a step (0/6) or *.');
  const months = parseField(monthF, 1, 12, MONTHS);
  if (!months) bad('month', monthF, 'use 1-12 or JAN-DEC, a list, a range or *.');
  let years: Set<number> | undefined;
  if (yearF !== '*') {
    years = parseField(yearF, 1970, 2199);
    if (!years) bad('year', yearF, 'use 1970-2199, a list, a range or *.');
  }
  if ((domF === '?') === (dowF === '?')) {
    errors.push(`${schedule} has day-of-month '${domF}' and day-of-week '${dowF}': exactly one of them must be '?'. For every day use cron(M H * * ? *); for weekdays, cron(M H ? * MON-FRI *).`);
    return undefined;
  }
  const dayMatches = domF === '?' ? dayOfWeekMatcher(dowF) : dayOfMonthMatcher(domF);
  if (dayMatches === 'invalid') {
    bad(domF === '?' ? 'day-of-week' : 'day-of-month', domF === '?' ? dowF : domF,
      domF === '?' ? 'use 1-7 or SUN-SAT, a list, a range, 6L (last Friday) or 2#1 (first Monday).' : 'use 1-31, a list, a range, L (last day) or 15W (weekday nearest the 15th).');
    return undefined;
  }
  if (dayMatches === undefined) {
    notes.push(`${schedule} uses day syntax this library does not analyse; its deadline still applies, but whether and how often it fires was not checked.`);
    return undefined;
  }
  if (!minutes || !hours || !months || (yearF !== '*' && !years)) return undefined;
  const minutesOfDay = [...hours].flatMap(h => [...minutes].map(m => h * 60 + m)).sort((a, b) => a - b);
  return { minutesOfDay, months, years, dayMatches };
}

/** `L`, `15W`, or what parseField takes; 'invalid' for plain syntax out of range; undefined for other syntax. */
function dayOfMonthMatcher(text: string): DayMatcher | 'invalid' | undefined {
  if (text === 'L') return (y, m, d) => d === daysIn(y, m);
  const w = /^(\d{1,2})W$/.exec(text);
  if (w) {
    const n = Number(w[1]);
    if (n < 1 || n > 31) return 'invalid';
    return (y, m, d) => n <= daysIn(y, m) && d === nearestWeekday(y, m, n);
  }
  const set = parseField(text, 1, 31);
  if (set) return (_y, _m, d) => set.has(d);
  return PLAIN_FIELD.test(text) && !/[LW]/.test(text) ? 'invalid' : undefined;
}

/** Lists of `2#1` (nth weekday), `6L` / `L` (last weekday of the month / Saturday) and what parseField takes. */
function dayOfWeekMatcher(text: string): DayMatcher | 'invalid' | undefined {
  const matchers: DayMatcher[] = [];
  for (const item of text.split(',')) {
    const nth = /^([0-9A-Za-z]+)#(\d)$/.exec(item);
    const last = /^([0-9A-Za-z]*)L$/.exec(item);
    if (nth) {
      const dow = weekday(nth[1]);
      const k = Number(nth[2]);
      if (dow === undefined || k < 1 || k > 5) return 'invalid';
      matchers.push((y, m, d) => dayOfWeek(y, m, d) === dow && Math.ceil(d / 7) === k);
    } else if (last) {
      const dow = last[1] === '' ? 7 : weekday(last[1]);
      if (dow === undefined) return 'invalid';
      matchers.push(last[1] === '' ? (y, m, d) => dayOfWeek(y, m, d) === 7 : (y, m, d) => dayOfWeek(y, m, d) === dow && d + 7 > daysIn(y, m));
    } else {
      const set = parseField(item, 1, 7, WEEKDAYS);
      if (!set) return PLAIN_FIELD.test(item) ? 'invalid' : undefined;
      matchers.push((y, m, d) => set.has(dayOfWeek(y, m, d)));
    }
  }
  return (y, m, d) => matchers.some(f => f(y, m, d));
}

function weekday(text: string): number | undefined {
  const set = parseField(text, 1, 7, WEEKDAYS);
  return set && set.size === 1 ? [...set][0] : undefined;
}
