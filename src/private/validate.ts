import { Duration, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ValidationError } from './prop-names';

/**
 * Synth-time checks of props against bad input, shared by the constructs so every message has the same shape:
 * `'<prop>' is <value>: <what is accepted>; <the fix>`. A token (an unresolved number or string) always passes: its
 * value is only known at deploy time.
 *
 * Values from untyped languages (JavaScript, or a Python dict) can be anything at run time, so every check takes
 * `unknown`: a string where a number or enum is declared fails here with the prop's name, not later in aws-cdk-lib.
 */

/** What a whole-number prop accepts. */
export interface WholeNumberCheck {
  /** Smallest accepted value (inclusive). @default - no lower bound */
  readonly min?: number;
  /** Largest accepted value (inclusive). @default - no upper bound */
  readonly max?: number;
  /** Why the bounds are what they are, e.g. `(the ECS AMI snapshot)`, appended to the accepted range. */
  readonly why?: string;
  /** The unit the number counts, e.g. `GiB` or `seconds`. @default - none */
  readonly unit?: string;
  /** What to do instead, e.g. `use 0 to scale to zero`. */
  readonly fix: string;
}

/**
 * Fails unless `value` is a whole number within `check`'s bounds: NaN, ±Infinity, fractions, non-numbers and
 * out-of-range values fail. `undefined` (the prop was not given) and tokens pass.
 */
export function validateWholeNumber(prop: string, value: unknown, check: WholeNumberCheck): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const { min, max } = check;
  const ok = typeof value === 'number' && Number.isInteger(value)
    && (min === undefined || value >= min) && (max === undefined || value <= max);
  if (ok) return;
  const unit = check.unit ? ` ${check.unit}` : '';
  const shown = typeof value === 'number' ? `${value}${unit}` : describeValue(value);
  throw new ValidationError(`'${prop}' is ${shown}: it must be a whole number${check.unit ? ` of ${check.unit}` : ''}`
    + `${describeRange(min, max)}${check.why ? ` ${check.why}` : ''}; ${check.fix}.`);
}

/**
 * Fails unless `value` is one of the values of the TypeScript enum `enumObject` (string or numeric), listing the
 * accepted members as `<enumName>.<MEMBER>`. `undefined` and tokens pass.
 */
export function validateEnum(prop: string, value: unknown, enumObject: object, enumName: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const entries = Object.entries(enumObject)
    // A numeric enum also maps each value back to its name; those reverse entries are not members.
    .filter(([name]) => Number.isNaN(Number(name)));
  if (entries.some(([, member]) => member === value)) return;
  const names = entries.map(([name]) => `${enumName}.${name}`);
  const listed = names.length <= MAX_LISTED ? names.join(', ') : `${names.slice(0, MAX_LISTED).join(', ')}, … (${names.length} in all)`;
  throw new ValidationError(`'${prop}' is ${describeValue(value)}, which is not ${withArticle(enumName)}: use one of ${listed}.`);
}

/**
 * One e-mail address as an SNS `email` subscription's endpoint: a local part without white space, `@`, or the
 * characters that wrap or list addresses (`<>()[],;:"`, so no `Name <a@b>` and no `mailto:`), then a domain of
 * dot-separated labels (letters, digits, inner hyphens) with at least one dot.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 */
const EMAIL = /^[^@\s<>()[\],;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** Fails at synth when `email` is not one e-mail address SNS can subscribe; a token passes. */
export function validateNotificationEmail(prop: string, email: unknown): void {
  if (email === undefined || Token.isUnresolved(email)) return;
  if (typeof email !== 'string' || !EMAIL.test(email)) {
    throw new ValidationError(`'${prop}' must be an e-mail address, got ${describeValue(email)}: give one address such as 'oncall@example.com' (no display name, no 'mailto:'), or leave '${prop}' out.`);
  }
}

/**
 * Fails unless `value` is a `logs.RetentionDays`: CloudWatch Logs takes only those day counts (`RetentionInDays`),
 * and a number such as 8 would fail the deployment.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export function validateLogRetention(prop: string, value: unknown): void {
  validateEnum(prop, value, logs.RetentionDays, 'logs.RetentionDays');
}

/**
 * Fails unless `value` is an instance of the class `type` (an enum-like class such as `Duration`, `Size` or
 * `EgressProfile`), naming how to make one in `accepted`, e.g. `a Duration, e.g. Duration.hours(1)`. `undefined` passes.
 */
export function validateInstanceOf(prop: string, value: unknown, type: AnyClass, accepted: string): void {
  // `instanceof`, for classes whose constructor is private (enum-like classes), which TypeScript's instanceof refuses.
  if (value === undefined || Object.prototype.isPrototypeOf.call(type.prototype, value as object)) return;
  throw new ValidationError(`'${prop}' is ${describeValue(value)}, which is not ${withArticle(type.name)}: use ${accepted}.`);
}

/**
 * Fails unless `value` is a list whose entries are all given (Java and Go can send `null` entries, a Python dict a
 * string where a list belongs), naming the entry and what it should be (`entry`, e.g. `security group`; `example`, a
 * list as the fix shows it). `undefined` and a token list pass; `check`, when given, checks each entry further.
 */
export function validateList(prop: string, value: unknown, entry: string, example: string, check?: (item: unknown, name: string) => void): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Array.isArray(value)) {
    throw new ValidationError(`'${prop}' is ${describeValue(value)}, which is not a list: give a list of ${entry}s, e.g. ${example}.`);
  }
  value.forEach((item, i) => {
    if (item === null || item === undefined) {
      throw new ValidationError(`'${prop}[${i}]' is ${item}: each entry of '${prop}' is ${withArticle(entry)}; remove the empty entry.`);
    }
    check?.(item, `${prop}[${i}]`);
  });
}

/** Fails unless `item` is a string (`describe`: what the string is, e.g. 'a program argument'). */
export function validateStringEntry(item: unknown, name: string, describe: string): void {
  if (typeof item !== 'string') throw new ValidationError(`'${name}' is ${describeValue(item)}: each entry is ${describe}, a string.`);
}

/** What a Duration prop accepts. */
export interface DurationCheck {
  /** Shortest accepted duration, in seconds (inclusive). @default - any positive duration */
  readonly minSeconds?: number;
  /** Longest accepted duration, in seconds (inclusive). @default - no upper bound */
  readonly maxSeconds?: number;
  /** The whole unit the service takes it in: `seconds` (the default) or `minutes`. */
  readonly wholeUnit?: 'seconds' | 'minutes';
  /** Why the bounds are what they are, e.g. `(EventBridge Scheduler RetryPolicy)`. */
  readonly why?: string;
  /** What to do instead. */
  readonly fix: string;
}

/**
 * Fails unless `value` is a `Duration` of a finite, whole number of `check.wholeUnit` within `check`'s bounds:
 * a string such as '1h', NaN, Infinity, fractions of the unit and out-of-range values fail. `undefined` and a
 * Duration holding a token pass.
 */
export function validateDuration(prop: string, value: unknown, check: DurationCheck): void {
  validateInstanceOf(prop, value, Duration, 'a Duration, e.g. Duration.hours(1)');
  if (value === undefined || (value as Duration).isUnresolved()) return;
  const seconds = (value as Duration).toSeconds({ integral: false });
  const unit = check.wholeUnit ?? 'seconds';
  const size = unit === 'minutes' ? 60 : 1;
  const min = check.minSeconds ?? 1;
  const max = check.maxSeconds;
  const ok = Number.isFinite(seconds) && Number.isInteger(seconds / size) && seconds >= min && (max === undefined || seconds <= max);
  if (ok) return;
  const shown = Number.isInteger(seconds) ? (value as Duration).toHumanString() : `${seconds} seconds`;
  const range = max === undefined ? ` of at least ${describeSpan(min)}` : ` from ${describeSpan(min)} to ${describeSpan(max)}`;
  throw new ValidationError(`'${prop}' is ${shown}: it must be a whole number of ${unit}${range}${check.why ? ` ${check.why}` : ''}; ${check.fix}.`);
}

function describeSpan(seconds: number): string {
  return Duration.seconds(seconds).toHumanString();
}

/** A class, whatever its constructor's visibility: enum-like classes (`Duration`, `Size`) have private ones. */
export interface AnyClass {
  readonly prototype: object;
  readonly name: string;
}

/** Enums with more members than this are listed in part (ec2.InstanceClass has hundreds). */
const MAX_LISTED = 25;

function describeRange(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

/** `a Size`, `an InstanceType`. */
function withArticle(name: string): string {
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}

/**
 * A value as `describeValue` shows it, followed by its type when that is not the `expected` one: `'5' (a string)` for
 * a number prop given '5', `[true] (a list)` for a boolean; a value of the expected type, or undefined, alone.
 */
export function describeTyped(value: unknown, expected: 'number' | 'string' | 'boolean'): string {
  const type = Array.isArray(value) ? 'list' : typeof value;
  const shown = Array.isArray(value) ? JSON.stringify(value) : describeValue(value);
  return value === undefined || type === expected ? shown : `${shown} (${withArticle(type)})`;
}

/** A value as the user would recognise it in a message: strings quoted, objects by their class or JSON. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value !== 'object' || value === null) return String(value);
  const className = value.constructor?.name;
  if (className && className !== 'Object') return withArticle(className);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** A Duration in seconds, or a number token when it holds one (`Duration.toSeconds` throws on `Duration.hours(token)`). */
export function secondsOf(duration: Duration): number {
  return duration.isUnresolved() ? Token.asNumber(duration) : duration.toSeconds();
}
