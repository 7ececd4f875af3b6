/**
 * Calendar arithmetic in IANA time zones for the schedule checks (Intl only, no time-zone database of our own):
 * daylight-saving transitions, local wall-clock parts, and the day rules of AWS cron (`L`, `W`, `#`).
 */
const DAY = 86_400;
/** Probes around a wall time for the offsets that may apply to it: an instant for it lies within -14 h..+12 h. */
const PROBE_HOURS = [-26, -14, 0, 12, 26];

export interface Transition {
  readonly atMs: number;
  readonly beforeMinutes: number;
  readonly afterMinutes: number;
}

export function transitions(tz: string, year: number): Transition[] {
  const found: Transition[] = [];
  for (let day = Date.UTC(year, 0, 1); day < Date.UTC(year + 1, 0, 1); day += DAY * 1000) {
    const before = offsetMinutes(tz, day);
    const after = offsetMinutes(tz, day + DAY * 1000);
    if (before === after) continue;
    let lo = day;
    let hi = day + DAY * 1000;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetMinutes(tz, mid) === before) lo = mid; else hi = mid;
    }
    found.push({ atMs: hi, beforeMinutes: before, afterMinutes: after });
  }
  return found;
}

/** Intl formatters per time zone: building one costs far more than using it (a cache, not state). */
const formatters: { [tz: string]: Intl.DateTimeFormat } = {};

export function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters[tz];
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters[tz] = f;
  }
  return f;
}

export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly minuteOfDay: number;
}

export function localParts(at: Date, tz: string | undefined): LocalParts {
  const local = new Date(at.getTime() + (tz ? offsetMinutes(tz, at.getTime()) : 0) * 60_000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    minuteOfDay: local.getUTCHours() * 60 + local.getUTCMinutes(),
  };
}

/** Local time minus UTC, in minutes, at an instant. */
export function offsetMinutes(tz: string, utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

export function minGapMinutes(days: number[], minutesOfDay: number[]): number {
  let gap = Infinity;
  for (let i = 1; i < minutesOfDay.length; i++) gap = Math.min(gap, minutesOfDay[i] - minutesOfDay[i - 1]);
  const span = minutesOfDay[minutesOfDay.length - 1] - minutesOfDay[0];
  for (let i = 1; i < days.length; i++) gap = Math.min(gap, (days[i] - days[i - 1]) * 1440 - span);
  return gap;
}

export function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** 1 = Sunday ... 7 = Saturday, as in AWS cron. */
export function dayOfWeek(y: number, m: number, d: number): number {
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;
}

/** The weekday nearest to day n of the month, staying in the month (the `nW` rule). */
export function nearestWeekday(y: number, m: number, n: number): number {
  const dow = dayOfWeek(y, m, n);
  if (dow === 7) return n === 1 ? 3 : n - 1;
  if (dow === 1) return n === daysIn(y, m) ? n - 2 : n + 1;
  return n;
}

/**
 * The instants (UTC ms, ascending) at which the wall clock of `tz` reads `wallMs` (a wall time written as if it were
 * UTC): none in a spring-forward gap, two in a fall-back overlap, one otherwise. Without a zone, `wallMs` itself.
 */
export function wallTimeToUtc(wallMs: number, tz: string | undefined): number[] {
  if (!tz) return [wallMs];
  // Every offset in force near the wall time is a candidate; it is kept only if the instant reads back as the wall time.
  const offsets = new Set(PROBE_HOURS.map(h => offsetMinutes(tz, wallMs + h * 3600_000)));
  return [...offsets].map(o => wallMs - o * 60_000).filter(utc => offsetMinutes(tz, utc) * 60_000 === wallMs - utc).sort((a, b) => a - b);
}
