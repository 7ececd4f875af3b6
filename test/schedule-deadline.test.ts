import {
  analyzeDeadline,
  analyzeSchedule,
  assertScheduleAccepted,
  DEADLINE_GRACE,
  defaultDeadlineSeconds,
  describeDuration,
  graceSeconds,
  ScheduleDeadlineInput,
} from '../src/private/schedule-deadline';

// Expected values are worked out by hand (and the calendar gaps of L, W and # with a separate brute-force count over
// 2026-2035), not computed with the code under test.
const MIN = 60;
const H = 3600;
const D = 86_400;
/** "Now" for every row: 1 December 2026, 00:00 UTC. */
const NOW = new Date(Date.UTC(2026, 11, 1));

/** The usual job: 1-hour attempts, 3 attempts -> 3 h + 15 min + 2 x 5 min = 3 h 25 min. */
const STANDARD = 3 * H + 15 * MIN + 10 * MIN;

interface Row {
  readonly name: string;
  readonly expression: string;
  readonly timeZone?: string;
  readonly timeout?: number;
  readonly attempts?: number;
  readonly flexible?: number;
  readonly deadline?: number;
  /** Task TimeoutSeconds. */
  readonly task: number;
  /** Seconds after the scheduled time by which a bad run is reported. */
  readonly after?: number;
  readonly kind: string;
  readonly minGap?: number;
  readonly errors?: RegExp[];
  readonly notes?: RegExp[];
}

const OVERLAP = /runs can overlap\. Each run is still tracked and reported on its own/;
const skipped = (date: string, time: string) => new RegExp(`on ${date} the clocks go forward and ${time} does not exist, so EventBridge Scheduler skips that run`);

const ROWS: Row[] = [
  // Daily, in UTC and across DST.
  { name: 'daily 02:00 UTC', expression: 'cron(0 2 * * ? *)', kind: 'cron', task: STANDARD, minGap: D },
  { name: 'daily 02:00 London (02:00 exists on the spring-forward day)', expression: 'cron(0 2 * * ? *)', timeZone: 'Europe/London', kind: 'cron', task: STANDARD, minGap: D },
  { name: 'daily 01:30 London (skipped on spring-forward day)', expression: 'cron(30 1 * * ? *)', timeZone: 'Europe/London', kind: 'cron', task: STANDARD, minGap: D, notes: [skipped('2027-03-28', '01:30')] },
  { name: 'daily 02:30 New York (skipped in March)', expression: 'cron(30 2 * * ? *)', timeZone: 'America/New_York', kind: 'cron', task: STANDARD, minGap: D, notes: [skipped('2027-03-14', '02:30')] },
  { name: 'daily 01:30 New York (repeated in November: runs once, nothing to say)', expression: 'cron(30 1 * * ? *)', timeZone: 'America/New_York', kind: 'cron', task: STANDARD, minGap: D },
  { name: 'daily 02:30 Sydney (skipped in October)', expression: 'cron(30 2 * * ? *)', timeZone: 'Australia/Sydney', kind: 'cron', task: STANDARD, minGap: D, notes: [skipped('2027-10-03', '02:30')] },
  { name: 'daily 03:30 Sydney (clocks go back 03:00 -> 02:00 in April: runs once)', expression: 'cron(30 3 * * ? *)', timeZone: 'Australia/Sydney', kind: 'cron', task: STANDARD, minGap: D },
  // Several a day.
  { name: 'three times a day, one attempt', expression: 'cron(0 6,12,18 * * ? *)', attempts: 1, kind: 'cron', task: H + 15 * MIN, minGap: 6 * H },
  { name: 'every 4 hours, 3 attempts (deadline 3 h 25 min fits)', expression: 'cron(0 0/4 * * ? *)', kind: 'cron', task: STANDARD, minGap: 4 * H },
  { name: 'every 2 hours, 3 attempts: runs overlap', expression: 'cron(0 */2 * * ? *)', kind: 'cron', task: STANDARD, minGap: 2 * H, notes: [OVERLAP] },
  // Business hours and weekdays.
  { name: 'every 30 minutes, 9-17 weekdays, 10-minute attempts x 2: overlap', expression: 'cron(0/30 9-17 ? * MON-FRI *)', timeZone: 'Europe/London', timeout: 10 * MIN, attempts: 2, kind: 'cron', task: 2 * 10 * MIN + 15 * MIN + 5 * MIN, minGap: 30 * MIN, notes: [OVERLAP] },
  { name: 'every 30 minutes, 9-17 weekdays, 5-minute single attempts', expression: 'cron(0/30 9-17 ? * MON-FRI *)', timeZone: 'Europe/London', timeout: 5 * MIN, attempts: 1, kind: 'cron', task: 5 * MIN + 15 * MIN, minGap: 30 * MIN },
  { name: 'weekdays 02:30 New York (transitions fall on Sundays: never skipped)', expression: 'cron(30 2 ? * MON-FRI *)', timeZone: 'America/New_York', kind: 'cron', task: STANDARD, minGap: D },
  // Weekly.
  { name: 'weekly Monday 06:00', expression: 'cron(0 6 ? * MON *)', kind: 'cron', task: STANDARD, minGap: 7 * D },
  { name: 'weekly Sunday 02:30 New York (skipped on the spring-forward Sunday)', expression: 'cron(30 2 ? * SUN *)', timeZone: 'America/New_York', kind: 'cron', task: STANDARD, minGap: 7 * D, notes: [skipped('2027-03-14', '02:30')] },
  // Monthly: first, last, nth weekday, nearest weekday.
  { name: 'monthly on the 1st', expression: 'cron(0 3 1 * ? *)', kind: 'cron', task: STANDARD, minGap: 28 * D },
  { name: 'monthly on the last day (L)', expression: 'cron(0 3 L * ? *)', kind: 'cron', task: STANDARD, minGap: 28 * D },
  { name: 'last Friday of the month (6L)', expression: 'cron(0 9 ? * 6L *)', kind: 'cron', task: STANDARD, minGap: 28 * D },
  { name: 'first Monday of the month (2#1)', expression: 'cron(0 9 ? * 2#1 *)', kind: 'cron', task: STANDARD, minGap: 28 * D },
  { name: 'third Wednesday of the month (WED#3)', expression: 'cron(0 9 ? * WED#3 *)', timeZone: 'Europe/London', kind: 'cron', task: STANDARD, minGap: 28 * D },
  { name: 'weekday nearest the 15th (15W)', expression: 'cron(0 9 15W * ? *)', kind: 'cron', task: STANDARD, minGap: 28 * D },
  { name: 'quarterly', expression: 'cron(0 0 1 1,4,7,10 ? *)', kind: 'cron', task: STANDARD, minGap: 90 * D },
  { name: 'every 29 February (leap years only)', expression: 'cron(0 0 29 2 ? *)', kind: 'cron', task: STANDARD, minGap: 1461 * D },
  { name: 'years 2030-2032 only', expression: 'cron(0 0 1 1 ? 2030-2032)', kind: 'cron', task: STANDARD, minGap: 365 * D },
  { name: 'day syntax not analysed (L-2): deadline still derived', expression: 'cron(0 0 L-2 * ? *)', kind: 'cron', task: STANDARD, notes: [/uses day syntax this library does not analyse; its deadline still applies/] },
  // Rates.
  { name: 'rate(5 minutes): runs overlap', expression: 'rate(5 minutes)', kind: 'rate', task: STANDARD, minGap: 5 * MIN, notes: [OVERLAP] },
  { name: 'rate(1 minute)', expression: 'rate(1 minute)', timeout: MIN, attempts: 1, kind: 'rate', task: MIN + 15 * MIN, minGap: MIN, notes: [OVERLAP] },
  { name: 'rate(1 hour), 30-minute single attempts', expression: 'rate(1 hour)', timeout: 30 * MIN, attempts: 1, kind: 'rate', task: 45 * MIN, minGap: H },
  { name: 'rate(12 hours)', expression: 'rate(12 hours)', kind: 'rate', task: STANDARD, minGap: 12 * H },
  { name: 'rate(10 days)', expression: 'rate(10 days)', timeZone: 'Australia/Sydney', kind: 'rate', task: STANDARD, minGap: 10 * D },
  // One-time.
  { name: 'one-time at() in the future', expression: 'at(2027-06-01T09:00:00)', timeZone: 'Europe/London', kind: 'at', task: STANDARD },
  { name: 'one-time at() in the past: a note, not a refusal', expression: 'at(2026-01-01T00:00:00)', timeZone: 'America/New_York', kind: 'at', task: STANDARD, notes: [/'schedule' at\(2026-01-01T00:00:00\) is in the past in America\/New_York: .* Set a future date, or remove the schedule/] },
  // Flexible window, retries, explicit deadline.
  { name: 'daily with a 15-minute flexible window', expression: 'cron(0 2 * * ? *)', timeZone: 'Europe/London', flexible: 15 * MIN, kind: 'cron', task: STANDARD, after: 15 * MIN + STANDARD, minGap: D },
  { name: 'daily with the largest flexible window (1440 minutes)', expression: 'cron(0 2 * * ? *)', flexible: 1440 * MIN, kind: 'cron', task: STANDARD, after: D + STANDARD, minGap: D, notes: [OVERLAP] },
  { name: 'one attempt (no retry)', expression: 'cron(0 2 * * ? *)', attempts: 1, kind: 'cron', task: H + 15 * MIN, minGap: D },
  { name: 'ten attempts of 2 hours', expression: 'cron(0 2 ? * SAT *)', timeout: 2 * H, attempts: 10, kind: 'cron', task: 20 * H + 15 * MIN + 9 * 5 * MIN, minGap: 7 * D },
  { name: 'explicit deadline longer than the attempts', expression: 'cron(0 2 * * ? *)', deadline: 6 * H, kind: 'cron', task: 6 * H, minGap: D },
  { name: 'explicit deadline shorter than the attempts: a note', expression: 'cron(0 2 * * ? *)', deadline: 2 * H, kind: 'cron', task: 2 * H, minGap: D, notes: [/'deadline' \(2 hours\) is shorter than 'retryAttempts' x 'jobTimeout' \(3 hours\)/] },
  // Refusals, each naming the prop, the value and a fix.
  { name: 'refused: 31 February never exists', expression: 'cron(0 0 31 2 ? *)', kind: 'cron', task: STANDARD, errors: [/^'schedule' cron\(0 0 31 2 \? \*\) never fires: no date matches .* use 'L', for example cron\(0 2 L \* \? \*\)\.$/] },
  { name: 'refused: 30 February never exists', expression: 'cron(0 12 30 FEB ? *)', kind: 'cron', task: STANDARD, errors: [/never fires: no date matches/] },
  { name: 'refused: the 31st of 30-day months', expression: 'cron(0 0 31 4,6,9,11 ? *)', kind: 'cron', task: STANDARD, errors: [/never fires: no date matches/] },
  { name: 'refused: only years in the past', expression: 'cron(0 0 1 1 ? 2020-2025)', kind: 'cron', task: STANDARD, errors: [/never fires: every date it matches is in the past/] },
  { name: 'refused: the 5th Monday in February 2027 only', expression: 'cron(0 0 ? 2 MON#5 2027)', kind: 'cron', task: STANDARD, errors: [/never fires/] },
  { name: 'refused: rate(0 minutes)', expression: 'rate(0 minutes)', kind: 'rate', task: STANDARD, errors: [/^'schedule' rate\(0 minutes\) has the value '0': a rate needs a positive whole number, for example rate\(1 minute\)\.$/] },
  { name: 'refused: negative rate', expression: 'rate(-5 minutes)', kind: 'rate', task: STANDARD, errors: [/has the value '-5': a rate needs a positive whole number/] },
  { name: 'refused: fractional rate', expression: 'rate(1.5 hours)', kind: 'rate', task: STANDARD, errors: [/has the value '1.5'.*rate\(1 hour\)/] },
  { name: 'refused: rate in seconds', expression: 'rate(30 seconds)', kind: 'rate', task: STANDARD, errors: [/has the unit 'seconds': EventBridge Scheduler rates take minute\(s\), hour\(s\) or day\(s\)/] },
  { name: 'refused: five cron fields', expression: 'cron(0 2 * * ?)', kind: 'cron', task: STANDARD, errors: [/has 5 fields: EventBridge Scheduler crons have six/] },
  { name: 'refused: day-of-month and day-of-week both set', expression: 'cron(0 2 * * * *)', kind: 'cron', task: STANDARD, errors: [/day-of-month '\*' and day-of-week '\*': exactly one of them must be '\?'/] },
  { name: 'refused: hour 24', expression: 'cron(0 24 * * ? *)', kind: 'cron', task: STANDARD, errors: [/invalid hours field '24': use 0-23/] },
  { name: 'refused: minute 60', expression: 'cron(60 2 * * ? *)', kind: 'cron', task: STANDARD, errors: [/invalid minutes field '60': use 0-59/] },
  { name: 'refused: day of week 8', expression: 'cron(0 2 ? * 8 *)', kind: 'cron', task: STANDARD, errors: [/invalid day-of-week field '8'/] },
  { name: 'refused: sixth Monday', expression: 'cron(0 2 ? * 2#6 *)', kind: 'cron', task: STANDARD, errors: [/invalid day-of-week field '2#6'/] },
  { name: 'refused: at() on 30 February', expression: 'at(2027-02-30T00:00:00)', kind: 'at', task: STANDARD, errors: [/is not a valid one-time schedule: write at\(yyyy-mm-ddThh:mm:ss\) with a real date/] },
  { name: 'refused: rate(1 minutes), the unit disagrees with 1', expression: 'rate(1 minutes)', kind: 'rate', task: STANDARD, errors: [/^'schedule' rate\(1 minutes\) has '1 minutes': a rate of 1 takes the singular unit and larger values the plural, so write rate\(1 minute\)\.$/] },
  { name: 'refused: rate(5 hour), the unit disagrees with 5', expression: 'rate(5 hour)', kind: 'rate', task: STANDARD, errors: [/has '5 hour'.*write rate\(5 hours\)\.$/] },
  { name: 'refused: a % in the day of month', expression: 'cron(0 2 5% * ? *)', kind: 'cron', task: STANDARD, errors: [/^'schedule' cron\(0 2 5% \* \? \*\) has an invalid day-of-month field '5%': a cron field holds only digits, month or weekday names \(JAN, MON\) and the wildcards , - \* \? \/ L W #\.$/] },
  { name: 'refused: a ; in the day of week', expression: 'cron(0 2 ? * 2;3 *)', kind: 'cron', task: STANDARD, errors: [/has an invalid day-of-week field '2;3'/] },
  { name: 'refused: a leading space', expression: ' cron(0 2 * * ? *)', kind: 'cron', task: STANDARD, minGap: D, errors: [/^'schedule' is ' cron\(0 2 \* \* \? \*\)', with spaces around the expression or inside its parentheses, which EventBridge Scheduler's formats do not have: write 'cron\(0 2 \* \* \? \*\)'\.$/] },
  { name: 'refused: spaces inside the parentheses', expression: 'cron( 0 2 * * ? * )', kind: 'cron', task: STANDARD, minGap: D, errors: [/write 'cron\(0 2 \* \* \? \*\)'/] },
  { name: 'refused: a time zone in the wrong case', expression: 'cron(0 2 * * ? *)', timeZone: 'europe/london', kind: 'cron', task: STANDARD, minGap: D, errors: [/^'timeZone' is 'europe\/london': IANA time zone names are case-sensitive .* Use 'Europe\/London'\.$/] },
  { name: 'refused: not an expression', expression: 'every day at 2', kind: 'unknown', task: STANDARD, errors: [/^'schedule' every day at 2 is not a schedule expression: use rate\(value unit\), cron\(/] },
  { name: 'refused: unknown time zone', expression: 'cron(0 2 * * ? *)', timeZone: 'Europe/Londres', kind: 'cron', task: STANDARD, minGap: D, errors: [/^'timeZone' is 'Europe\/Londres', which is not an IANA time zone name: use a name such as 'Europe\/London'/] },
  { name: 'refused: 0 attempts', expression: 'cron(0 2 * * ? *)', attempts: 0, kind: 'cron', task: 15 * MIN, minGap: D, errors: [/^'retryAttempts' is 0: AWS Batch takes a whole number of attempts from 1 to 10/] },
  { name: 'refused: 11 attempts', expression: 'cron(0 2 * * ? *)', attempts: 11, kind: 'cron', task: 11 * H + 15 * MIN + 10 * 5 * MIN, minGap: D, errors: [/'retryAttempts' is 11/] },
  { name: 'refused: 30-second attempts', expression: 'cron(0 2 * * ? *)', timeout: 30, attempts: 1, kind: 'cron', task: 30 + 15 * MIN, minGap: D, errors: [/^'jobTimeout' is 30 seconds: AWS Batch attempt timeouts are at least 60 seconds\. Use Duration\.minutes\(1\) or more\.$/] },
  { name: 'refused: flexible window over 1440 minutes', expression: 'cron(0 2 * * ? *)', flexible: 1441 * MIN, kind: 'cron', task: STANDARD, after: 1441 * MIN + STANDARD, minGap: D, errors: [/^'flexibleTimeWindow' is 1 day 1 minute: EventBridge Scheduler takes a flexible time window from 1 to 1440 minutes/] },
  { name: 'refused: derived deadline over one year', expression: 'rate(365 days)', timeout: 40 * D, attempts: 10, kind: 'rate', task: 400 * D + 15 * MIN + 45 * MIN, errors: [/^The run deadline \('retryAttempts' x 'jobTimeout' \+ grace\) is 400 days 1 hour, over the 1-year limit of a Step Functions Standard execution/] },
  { name: 'refused: explicit deadline over one year', expression: 'rate(1 day)', deadline: 366 * D, kind: 'rate', task: 366 * D, errors: [/^The run deadline \('deadline'\) is 366 days, over the 1-year limit.* or 'deadline'\.$/] },
  { name: 'refused: explicit deadline of 30 seconds', expression: 'rate(1 day)', deadline: 30, kind: 'rate', task: 30, errors: [/^'deadline' is 30 seconds: give a whole number of seconds, at least 1 minute/], notes: [/shorter than/] },
];

describe('the deadline of each run, per schedule kind', () => {
  test('the table covers at least 30 accepted schedules and checks every refusal', () => {
    expect(ROWS.filter(r => !r.errors).length).toBeGreaterThanOrEqual(30);
    expect(ROWS.filter(r => r.errors).length).toBeGreaterThanOrEqual(20);
  });

  test.each(ROWS.map(r => [r.name, r] as const))('%s', (_name, row) => {
    const input: ScheduleDeadlineInput = {
      expression: row.expression,
      timeZone: row.timeZone,
      jobTimeoutSeconds: row.timeout ?? H,
      attempts: row.attempts ?? 3,
      flexibleWindowSeconds: row.flexible,
      deadlineSeconds: row.deadline,
      now: NOW,
    };
    const result = analyzeSchedule(input);

    expect(result.kind).toBe(row.kind);
    expect(result.taskTimeoutSeconds).toBe(row.task);
    expect(result.deadlineAfterScheduledSeconds).toBe(row.after ?? row.task);
    if (!row.errors) expect(result.minGapSeconds).toBe(row.minGap);
    expect(result.errors).toHaveLength(row.errors?.length ?? 0);
    (row.errors ?? []).forEach((pattern, i) => expect(result.errors[i]).toMatch(pattern));
    expect(result.notes).toHaveLength(row.notes?.length ?? 0);
    (row.notes ?? []).forEach((pattern, i) => expect(result.notes[i]).toMatch(pattern));
    if (row.errors) expect(() => assertScheduleAccepted(result)).toThrow(row.errors[0]);
    else expect(() => assertScheduleAccepted(result)).not.toThrow();
  });
});

describe('the derived deadline', () => {
  test('is attempts x timeout + 15 minutes + 5 minutes per retry', () => {
    expect(DEADLINE_GRACE).toEqual({ firstPlacementSeconds: 900, perRetrySeconds: 300 });
    expect(graceSeconds(1)).toBe(15 * MIN);
    expect(graceSeconds(3)).toBe(25 * MIN);
    expect(graceSeconds(10)).toBe(60 * MIN);
    expect(defaultDeadlineSeconds(H, 3)).toBe(STANDARD);
    expect(defaultDeadlineSeconds(4 * H, 1)).toBe(4 * H + 15 * MIN);
  });

  test('does not depend on the schedule: the same job gets the same deadline under every schedule', () => {
    const accepted = ROWS.filter(r => !r.errors && r.timeout === undefined && r.attempts === undefined && r.deadline === undefined);
    expect(accepted.length).toBeGreaterThan(20);
    for (const row of accepted) {
      const result = analyzeSchedule({ expression: row.expression, timeZone: row.timeZone, jobTimeoutSeconds: H, attempts: 3, now: NOW });
      expect(result.taskTimeoutSeconds).toBe(STANDARD);
    }
  });

  test('without a schedule, only the numbers are checked', () => {
    const result = analyzeDeadline({ jobTimeoutSeconds: 2 * H, attempts: 2, flexibleWindowSeconds: 10 * MIN });
    expect(result).toMatchObject({ kind: 'unknown', taskTimeoutSeconds: 4 * H + 20 * MIN, deadlineAfterScheduledSeconds: 4 * H + 30 * MIN, errors: [], notes: [] });
    expect(analyzeDeadline({ jobTimeoutSeconds: 2 * H, attempts: 2.5 }).errors).toEqual([expect.stringMatching(/^'retryAttempts' is 2.5/)]);
  });

  test('error messages use the caller\'s prop names', () => {
    const result = analyzeSchedule({
      expression: 'rate(0 minutes)',
      jobTimeoutSeconds: 10,
      attempts: 0,
      now: NOW,
      propNames: { schedule: 'schedule', jobTimeout: 'timeout', attempts: 'retryAttempts' },
    });
    expect(result.errors).toEqual([
      expect.stringMatching(/^'retryAttempts' is 0/),
      expect.stringMatching(/^'timeout' is 10 seconds/),
      expect.stringMatching(/^'schedule' rate\(0 minutes\)/),
    ]);
  });

  test('durations read as people say them', () => {
    expect(describeDuration(STANDARD)).toBe('3 hours 25 minutes');
    expect(describeDuration(2 * H)).toBe('2 hours');
    expect(describeDuration(D + MIN)).toBe('1 day 1 minute');
    expect(describeDuration(90)).toBe('1 minute 30 seconds');
  });
});
