import { Duration, Lazy, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { EgressProfile } from '../src';
import { describeTyped, validateEnum, validateInstanceOf, validateWholeNumber } from '../src/private/validate';

// The shared checks behind every construct's props validation; the constructs' own tests cover each prop.

describe('validateWholeNumber', () => {
  const check = { min: 1, max: 100, fix: 'use e.g. 10' };

  test.each([1, 50, 100, undefined])('accepts %p', (value) => {
    expect(() => validateWholeNumber('count', value, check)).not.toThrow();
  });

  test.each<[unknown, string]>([
    [0, '0'], [101, '101'], [2.5, '2.5'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'], ['5', "'5'"], [null, 'null'],
  ])('fails on %p, naming the prop, the value, the range and the fix', (value, shown) => {
    expect(() => validateWholeNumber('count', value, check))
      .toThrow(`'count' is ${shown}: it must be a whole number from 1 to 100; use e.g. 10.`);
  });

  test('states a one-sided range, the unit and the reason', () => {
    expect(() => validateWholeNumber('size', 20, { min: 30, unit: 'GiB', why: '(the AMI)', fix: 'use 30' }))
      .toThrow("'size' is 20 GiB: it must be a whole number of GiB of at least 30 (the AMI); use 30.");
    expect(() => validateWholeNumber('n', 11, { max: 10, fix: 'use 10' }))
      .toThrow("'n' is 11: it must be a whole number of at most 10; use 10.");
  });

  test('lets tokens through, whatever they resolve to', () => {
    expect(() => validateWholeNumber('count', Token.asNumber(Lazy.number({ produce: () => -1 })), check)).not.toThrow();
  });
});

describe('describeTyped', () => {
  test.each<[unknown, 'number' | 'string' | 'boolean', string]>([
    [5, 'number', '5'], ['5', 'number', "'5' (a string)"], [NaN, 'number', 'NaN'],
    ['75', 'string', "'75'"], [75, 'string', '75 (a number)'], [undefined, 'string', 'undefined'],
    [true, 'boolean', 'true'], ['false', 'boolean', "'false' (a string)"], [[true], 'boolean', '[true] (a list)'], [{ a: 1 }, 'boolean', '{"a":1} (an object)'],
  ])('%p where a %s is expected shows as %s', (value, expected, shown) => {
    expect(describeTyped(value, expected)).toBe(shown);
  });
});

describe('validateEnum', () => {
  test('accepts the members of a string enum and of a numeric enum', () => {
    expect(() => validateEnum('removalPolicy', RemovalPolicy.RETAIN, RemovalPolicy, 'RemovalPolicy')).not.toThrow();
    expect(() => validateEnum('retention', logs.RetentionDays.ONE_WEEK, logs.RetentionDays, 'logs.RetentionDays')).not.toThrow();
    expect(() => validateEnum('retention', undefined, logs.RetentionDays, 'logs.RetentionDays')).not.toThrow();
  });

  test('fails on a foreign value, listing the members', () => {
    expect(() => validateEnum('removalPolicy', 'keep', RemovalPolicy, 'RemovalPolicy'))
      .toThrow(/^'removalPolicy' is 'keep', which is not a RemovalPolicy: use one of RemovalPolicy.DESTROY, RemovalPolicy.RETAIN, /);
  });

  test('a numeric enum\'s reverse mapping (name as value) is not a member', () => {
    expect(() => validateEnum('retention', 'ONE_WEEK', logs.RetentionDays, 'logs.RetentionDays'))
      .toThrow(/'retention' is 'ONE_WEEK', which is not a logs.RetentionDays/);
  });

  test('lets tokens through', () => {
    expect(() => validateEnum('retention', Token.asNumber(Lazy.number({ produce: () => 10 })), logs.RetentionDays, 'logs.RetentionDays'))
      .not.toThrow();
  });
});

describe('validateInstanceOf', () => {
  test('accepts instances of classes with private constructors, and undefined', () => {
    expect(() => validateInstanceOf('timeout', Duration.hours(1), Duration, 'a Duration')).not.toThrow();
    expect(() => validateInstanceOf('egress', EgressProfile.natGateway(), EgressProfile, 'EgressProfile.natGateway()')).not.toThrow();
    expect(() => validateInstanceOf('timeout', undefined, Duration, 'a Duration')).not.toThrow();
  });

  test.each<[unknown, string]>([
    ['1 hour', "'1 hour'"], [3600, '3600'], [{ hours: 1 }, '{"hours":1}'], [EgressProfile.natGateway(), 'an EgressProfile'],
  ])('fails on %p, naming the prop, the value and how to make one', (value, shown) => {
    expect(() => validateInstanceOf('timeout', value, Duration, 'a Duration, e.g. Duration.hours(1)'))
      .toThrow(`'timeout' is ${shown}, which is not a Duration: use a Duration, e.g. Duration.hours(1).`);
  });
});
