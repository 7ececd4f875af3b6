import { wallTimeToUtc } from '../src/private/calendar';
import { DEFAULT_FIRE_TIME_LIMIT, fireTimes, FireTimesInput, schedulerTime } from '../src/private/fire-times';
import { analyzeSchedule } from '../src/private/schedule-deadline';

// Expected instants are worked out by hand from the published DST rules (EU: last Sunday of March/October at 01:00 UTC;
// US: second Sunday of March / first Sunday of November at 02:00 local), not computed with the code under test.
const times = (input: Omit<FireTimesInput, 'from' | 'to'> & { from: string; to: string }): string[] =>
  fireTimes({ ...input, from: new Date(input.from), to: new Date(input.to) }).map(schedulerTime);

describe('cron in a time zone across daylight saving time', () => {
  test('Europe/London 02:00 daily across the spring change (2026-03-29): 02:00 BST exists, one hour earlier in UTC', () => {
    expect(times({ expression: 'cron(0 2 * * ? *)', timeZone: 'Europe/London', from: '2026-03-27T00:00:00Z', to: '2026-03-31T00:00:00Z' })).toEqual([
      '2026-03-27T02:00:00Z', '2026-03-28T02:00:00Z', '2026-03-29T01:00:00Z', '2026-03-30T01:00:00Z',
    ]);
  });

  test('Europe/London 01:30 daily: skipped on 2026-03-29 (the gap), once on 2026-10-25 (the first 01:30, BST)', () => {
    expect(times({ expression: 'cron(30 1 * * ? *)', timeZone: 'Europe/London', from: '2026-03-28T00:00:00Z', to: '2026-03-31T00:00:00Z' })).toEqual([
      '2026-03-28T01:30:00Z', '2026-03-30T00:30:00Z',
    ]);
    expect(times({ expression: 'cron(30 1 * * ? *)', timeZone: 'Europe/London', from: '2026-10-24T00:00:00Z', to: '2026-10-27T00:00:00Z' })).toEqual([
      '2026-10-24T00:30:00Z', '2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z',
    ]);
  });

  test('Europe/London 02:00 daily across the autumn change (2026-10-25): 02:00 GMT, the same hour in UTC after it', () => {
    expect(times({ expression: 'cron(0 2 * * ? *)', timeZone: 'Europe/London', from: '2026-10-24T00:00:00Z', to: '2026-10-27T00:00:00Z' })).toEqual([
      '2026-10-24T01:00:00Z', '2026-10-25T02:00:00Z', '2026-10-26T02:00:00Z',
    ]);
  });

  test('America/New_York 02:30 daily: no run on 2026-03-08 (02:30 does not exist)', () => {
    expect(times({ expression: 'cron(30 2 * * ? *)', timeZone: 'America/New_York', from: '2026-03-07T00:00:00Z', to: '2026-03-10T12:00:00Z' })).toEqual([
      '2026-03-07T07:30:00Z', '2026-03-09T06:30:00Z', '2026-03-10T06:30:00Z',
    ]);
  });

  test('America/New_York 01:30 daily: one run on 2026-11-01 (01:30 EDT, the first of the two)', () => {
    expect(times({ expression: 'cron(30 1 * * ? *)', timeZone: 'America/New_York', from: '2026-10-31T00:00:00Z', to: '2026-11-03T00:00:00Z' })).toEqual([
      '2026-10-31T05:30:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z',
    ]);
  });

  test('several times a day: 00:00-03:00 every 30 minutes in New York on the spring day skips 02:00 and 02:30 only', () => {
    expect(times({ expression: 'cron(0/30 0-3 * * ? *)', timeZone: 'America/New_York', from: '2026-03-08T05:00:00Z', to: '2026-03-08T09:00:00Z' })).toEqual([
      '2026-03-08T05:00:00Z', '2026-03-08T05:30:00Z', '2026-03-08T06:00:00Z', '2026-03-08T06:30:00Z',
      '2026-03-08T07:00:00Z', '2026-03-08T07:30:00Z',
    ]);
  });

  test('UTC when no time zone is given', () => {
    expect(times({ expression: 'cron(0 2 * * ? *)', from: '2026-03-28T00:00:00Z', to: '2026-03-30T00:00:00Z' })).toEqual([
      '2026-03-28T02:00:00Z', '2026-03-29T02:00:00Z',
    ]);
  });
});

describe('the day forms the parser supports', () => {
  const year2026 = { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
  test('L: the last day of each month (February 2026 has 28 days)', () => {
    const got = times({ expression: 'cron(0 6 L * ? *)', ...year2026 });
    expect(got).toHaveLength(12);
    expect(got.slice(0, 3)).toEqual(['2026-01-31T06:00:00Z', '2026-02-28T06:00:00Z', '2026-03-31T06:00:00Z']);
  });

  test('15W: the weekday nearest the 15th (2026-02-15 is a Sunday -> Monday 16th; 2026-03-15 a Sunday -> 16th; 2026-08-15 a Saturday -> 14th)', () => {
    const got = times({ expression: 'cron(0 6 15W * ? *)', ...year2026 });
    expect(got).toContain('2026-02-16T06:00:00Z');
    expect(got).toContain('2026-03-16T06:00:00Z');
    expect(got).toContain('2026-08-14T06:00:00Z');
    expect(got).toContain('2026-01-15T06:00:00Z');
  });

  test('2#1: the first Monday; 6L: the last Friday', () => {
    expect(times({ expression: 'cron(0 9 ? * 2#1 *)', from: '2026-01-01T00:00:00Z', to: '2026-04-01T00:00:00Z' })).toEqual([
      '2026-01-05T09:00:00Z', '2026-02-02T09:00:00Z', '2026-03-02T09:00:00Z',
    ]);
    expect(times({ expression: 'cron(0 9 ? * 6L *)', from: '2026-01-01T00:00:00Z', to: '2026-04-01T00:00:00Z' })).toEqual([
      '2026-01-30T09:00:00Z', '2026-02-27T09:00:00Z', '2026-03-27T09:00:00Z',
    ]);
  });

  test('weekday lists and ranges: MON,WED,FRI and MON-FRI', () => {
    const week = { from: '2026-11-23T00:00:00Z', to: '2026-11-30T00:00:00Z' }; // Monday 23 to Sunday 29 November
    expect(times({ expression: 'cron(0 7 ? * MON,WED,FRI *)', ...week })).toEqual(['2026-11-23T07:00:00Z', '2026-11-25T07:00:00Z', '2026-11-27T07:00:00Z']);
    expect(times({ expression: 'cron(0 7 ? * MON-FRI *)', ...week })).toHaveLength(5);
    expect(times({ expression: 'cron(0 7 ? * 1,7 *)', ...week })).toEqual(['2026-11-28T07:00:00Z', '2026-11-29T07:00:00Z']);
  });

  test('the year field restricts the years; a month list the months', () => {
    const range = { from: '2026-01-01T00:00:00Z', to: '2029-01-01T00:00:00Z' };
    expect(times({ expression: 'cron(0 0 1 JAN,JUL ? 2027)', ...range })).toEqual(['2027-01-01T00:00:00Z', '2027-07-01T00:00:00Z']);
    expect(times({ expression: 'cron(0 0 29 2 ? 2026-2028)', ...range })).toEqual(['2028-02-29T00:00:00Z']);
  });
});

describe('rate and at', () => {
  test('rate is anchored at the start of the range (the schedule\'s own phase is not in the template)', () => {
    expect(times({ expression: 'rate(6 hours)', from: '2026-01-01T00:10:00Z', to: '2026-01-02T00:00:00Z' })).toEqual([
      '2026-01-01T00:10:00Z', '2026-01-01T06:10:00Z', '2026-01-01T12:10:00Z', '2026-01-01T18:10:00Z',
    ]);
    expect(times({ expression: 'rate(1 day)', timeZone: 'Europe/London', from: '2026-03-28T12:00:00Z', to: '2026-03-31T00:00:00Z' })).toEqual([
      '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z', '2026-03-30T12:00:00Z',
    ]);
  });

  test('at() in the schedule\'s time zone: its one time when inside the range, nothing outside', () => {
    const at = { expression: 'at(2026-11-24T02:00:00)', timeZone: 'America/New_York' };
    expect(times({ ...at, from: '2026-11-23T00:00:00Z', to: '2026-11-30T00:00:00Z' })).toEqual(['2026-11-24T07:00:00Z']);
    expect(times({ ...at, from: '2026-11-24T07:00:01Z', to: '2026-11-30T00:00:00Z' })).toEqual([]);
    expect(times({ ...at, from: '2026-11-20T00:00:00Z', to: '2026-11-24T07:00:00Z' })).toEqual([]);
  });
});

describe('ranges and limits', () => {
  test('[from, to): from included, to excluded; an empty or reversed range has no time', () => {
    const daily = { expression: 'cron(0 2 * * ? *)' };
    expect(times({ ...daily, from: '2026-11-23T02:00:00Z', to: '2026-11-24T02:00:00Z' })).toEqual(['2026-11-23T02:00:00Z']);
    expect(times({ ...daily, from: '2026-11-23T02:00:00Z', to: '2026-11-23T02:00:00Z' })).toEqual([]);
    expect(times({ ...daily, from: '2026-11-24T00:00:00Z', to: '2026-11-23T00:00:00Z' })).toEqual([]);
  });

  test(`more than the limit (default ${DEFAULT_FIRE_TIME_LIMIT}) is refused, naming the caller's flag`, () => {
    const minutely = { expression: 'rate(1 minute)', from: '2026-11-23T00:00:00Z', to: '2026-11-24T00:00:00Z' }; // 1440
    expect(() => times(minutely)).toThrow(/more than 1000 scheduled times of rate\(1 minute\): shorten the range or raise 'limit'/);
    expect(() => times({ ...minutely, limit: 1439, limitName: '--max-runs' })).toThrow(/raise '--max-runs'/);
    expect(times({ ...minutely, limit: 1440 })).toHaveLength(1440);
  });

  test('a year of a daily cron in Europe/Berlin: 02:00 runs 364 times (none on 2026-03-29), 03:00 runs 365 times', () => {
    const year = { timeZone: 'Europe/Berlin', from: '2026-01-01T00:00:00+01:00', to: '2027-01-01T00:00:00+01:00' };
    const two = times({ expression: 'cron(0 2 * * ? *)', ...year });
    expect(two).toHaveLength(364);
    expect(two.filter(t => t.startsWith('2026-03-29') || t.startsWith('2026-03-28T'))).toEqual(['2026-03-28T01:00:00Z']);
    expect(times({ expression: 'cron(0 3 * * ? *)', ...year })).toHaveLength(365);
  });
});

describe('the same refusals as the synth-time schedule check', () => {
  const range = { from: '2026-11-23T00:00:00Z', to: '2026-11-30T00:00:00Z' };
  test.each([
    ['cron(0 2 * * *)', /has 5 fields/],
    ['cron(0 2 * * MON *)', /exactly one of them must be '\?'/],
    ['cron(0 25 * * ? *)', /invalid hours field '25'/],
    ['cron(0 2 31 2 ? *)', /never fires/],
    ['rate(0 minutes)', /positive whole number/],
    ['rate(5 seconds)', /the unit 'seconds'/],
    ['at(2026-02-30T00:00:00)', /not a valid one-time schedule/],
    ['every day', /not a schedule expression/],
  ])('%s', (expression, message) => {
    const synth = analyzeSchedule({ expression, jobTimeoutSeconds: 60, attempts: 1, now: new Date(range.from) });
    expect(synth.errors.join('\n')).toMatch(message);
    expect(() => times({ expression, ...range })).toThrow(message);
  });

  test('an unknown time zone is refused', () => {
    expect(() => times({ expression: 'cron(0 2 * * ? *)', timeZone: 'Mars/Olympus', ...range })).toThrow(/'time zone' is 'Mars\/Olympus', which is not an IANA time zone name/);
  });

  test('a schedule the synth check accepts is enumerated (no refusal for every supported form)', () => {
    for (const expression of ['cron(0 2 * * ? *)', 'cron(0 6 L * ? *)', 'cron(0 9 ? * 2#1 *)', 'rate(15 minutes)', 'at(2026-11-24T02:00:00)']) {
      expect(analyzeSchedule({ expression, jobTimeoutSeconds: 60, attempts: 1, now: new Date(range.from) }).errors).toEqual([]);
      expect(() => times({ expression, ...range })).not.toThrow();
    }
  });
});

describe('wallTimeToUtc', () => {
  test('none in a gap, two in an overlap, one otherwise, including a +13 h zone (Pacific/Auckland, 2026-04-05)', () => {
    expect(wallTimeToUtc(Date.UTC(2026, 2, 8, 2, 30), 'America/New_York')).toEqual([]);
    expect(wallTimeToUtc(Date.UTC(2026, 10, 1, 1, 30), 'America/New_York').map(schedulerTime)).toEqual(['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z']);
    expect(wallTimeToUtc(Date.UTC(2026, 3, 5, 2, 30), 'Pacific/Auckland').map(schedulerTime)).toEqual(['2026-04-04T13:30:00Z', '2026-04-04T14:30:00Z']);
    expect(wallTimeToUtc(Date.UTC(2026, 10, 23, 2), 'Europe/London').map(schedulerTime)).toEqual(['2026-11-23T02:00:00Z']);
    expect(wallTimeToUtc(Date.UTC(2026, 10, 23, 2), undefined).map(schedulerTime)).toEqual(['2026-11-23T02:00:00Z']);
  });

  test('schedulerTime has no milliseconds, like <aws.scheduler.scheduled-time> (2022-03-22T18:59:43Z)', () => {
    expect(schedulerTime(new Date('2022-03-22T18:59:43.123Z'))).toBe('2022-03-22T18:59:43Z');
  });
});
