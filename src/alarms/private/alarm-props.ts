/**
 * What the props of {@link BatchAlarms} decide before anything is created: their checks, which signals and notifications
 * the construct makes, and the filters of its EventBridge rules.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { BatchAlarmsProps } from '../batch-alarms-props';
import { jobDefinitionArnPrefix } from './alarm-patterns';
import { ValidationError } from '../../private/prop-names';
import { WholeNumberCheck, validateInstanceOf, validateNotificationEmail, validateWholeNumber } from '../../private/validate';
import { JOB_NAME_MAX, JOB_NAME_PATTERN } from '../../runs/engine/expressions';

/**
 * Smallest job timeout AWS Batch accepts (`attemptDurationSeconds`).
 * @see https://docs.aws.amazon.com/batch/latest/userguide/job_timeouts.html
 */
const MIN_JOB_TIMEOUT_SECONDS = 60;

/** Which signals and notifications this construct creates, from the props. */
export interface SignalPlan {
  /** Other workloads submit to the queue. */
  readonly shared: boolean;
  /** Runs are tracked elsewhere: no failed-jobs or long-running alarm, no per-job notification. */
  readonly tracked: boolean;
  /** Per-workload outcomes come from EventBridge rules, because the AWS/Batch metrics (no job-name dimension) would mix in other jobs. */
  readonly ruleSignals: boolean;
  /** Send one message per FAILED job. */
  readonly notifyFailures: boolean;
  /** An EventBridge rule on FAILED jobs is needed: for the notifications, or as the failed-jobs signal. */
  readonly failedJobRule: boolean;
  /**
   * A long-running alarm can be made (given a job timeout): not on a shared queue, where JobAttemptExecutionDuration
   * mixes every workload's run times (the job timeout still ends runaways, which the failed-jobs alarm reports), and
   * not when runs are tracked.
   */
  readonly longRunningAlarm: boolean;
}

/** Which signals and notifications the props ask for. */
export function planSignals(props: BatchAlarmsProps): SignalPlan {
  const shared = props.sharedQueue ?? false;
  const tracked = props.runsTracked ?? false;
  const ruleSignals = shared || props.ignoredJobNamePrefix !== undefined;
  const notifyFailures = (props.failureNotifications ?? true) && !tracked;
  return {
    shared,
    tracked,
    ruleSignals,
    notifyFailures,
    failedJobRule: notifyFailures || (ruleSignals && !tracked),
    longRunningAlarm: !shared && !tracked,
  };
}

/**
 * The `detail` filters of the EventBridge rules: `jobDefinition` (every rule, when given) and `outcome`, which also
 * leaves the ignored jobs out. A blocked queue is reported whichever job found it blocked; run outcomes are not.
 */
export function eventFilters(props: BatchAlarmsProps): { readonly jobDefinition: object; readonly outcome: object } {
  const ignored = props.ignoredJobNamePrefix;
  const jobDefinition = props.jobDefinition
    ? { jobDefinition: events.Match.prefix(jobDefinitionArnPrefix(props.jobDefinition)) }
    : {};
  const outcome = { ...jobDefinition, ...ignored !== undefined ? { jobName: events.Match.anythingButPrefix(ignored) } : {} };
  return { jobDefinition, outcome };
}

/** Every check of the props that needs no construct. */
export function validateAlarmsProps(props: BatchAlarmsProps): void {
  validatePropTypes(props);
  if (props.sharedQueue && !props.jobDefinition) {
    throw new ValidationError("'jobDefinition' is required when 'sharedQueue' is true: AWS/Batch metrics only have the "
      + 'JobQueueName dimension, so per-workload alarms need EventBridge rules filtered on the job definition. '
      + "Pass the workload's job definition, or set 'sharedQueue' to false if the queue is dedicated.");
  }
  validateWholeSeconds('jobTimeout', props.jobTimeout, {
    min: MIN_JOB_TIMEOUT_SECONDS, why: '(the AWS Batch minimum)', fix: 'pass the timeout of the job definition',
  });
  validateWholeSeconds('slowStartThreshold', props.slowStartThreshold, {
    min: 1, fix: 'pass how long a job may wait in RUNNABLE, e.g. Duration.minutes(30), or leave it unset',
  });
  const slow = props.slowStartThreshold;
  if (slow?.isUnresolved() && slow.unitLabel() !== 'millis') {
    throw new ValidationError(`'slowStartThreshold' is a token in ${slow.unitLabel()}: the alarm's threshold is in milliseconds (JobAttemptRunnableToStartingDuration), `
      + 'and a token cannot be converted at synth. Give Duration.millis(<token>), or a literal such as Duration.minutes(30).');
  }
  validateJobNamePrefix(props.ignoredJobNamePrefix);
  if (props.failureNotifications === true && props.runsTracked === true) {
    throw new ValidationError("'failureNotifications' is true but 'runsTracked' is true: a tracked run reports each failure once itself, so the per-job notification is not created. "
      + "Leave 'failureNotifications' out, or set 'runsTracked' to false if nothing tracks the runs.");
  }
  if (props.excludeOperatorCancellations === true && props.runsTracked === true) {
    throw new ValidationError("'excludeOperatorCancellations' is true but 'runsTracked' is true: it shapes the failed-jobs alarm, which tracked runs do not get (each run reports its own outcome once). "
      + "Leave 'excludeOperatorCancellations' out, or set 'runsTracked' to false if nothing tracks the runs.");
  }
  validateNotificationEmail('notificationEmail', props.notificationEmail);
}

/** An empty prefix would leave out every job (no failed-jobs signal at all); one no job name can start with, none. */
function validateJobNamePrefix(prefix: unknown): void {
  if (prefix === undefined || Token.isUnresolved(prefix)) return;
  if (typeof prefix !== 'string' || !JOB_NAME_PATTERN.test(prefix) || prefix.length > JOB_NAME_MAX) {
    throw new ValidationError(`'ignoredJobNamePrefix' is ${JSON.stringify(prefix)}: give the start of the job names to leave out, 1 to ${JOB_NAME_MAX} letters, digits, hyphens and underscores `
      + 'starting with a letter or digit (as AWS Batch job names are), e.g. DeployVerification.jobNamePrefix; an empty prefix would leave out every job.');
  }
}

/** Enum-like props hold what they are typed as (untyped languages can pass anything, e.g. '1 hour'). */
function validatePropTypes(props: BatchAlarmsProps): void {
  for (const prop of ['jobTimeout', 'slowStartThreshold'] as const) {
    validateInstanceOf(prop, props[prop], Duration, 'a Duration, e.g. Duration.hours(1)');
  }
}

/** A Duration prop is a whole number of seconds within bounds; a token passes. */
function validateWholeSeconds(prop: string, duration: Duration | undefined, check: Omit<WholeNumberCheck, 'unit'>): void {
  if (duration === undefined || duration.isUnresolved()) return;
  validateWholeNumber(prop, duration.toSeconds({ integral: false }), { ...check, unit: 'seconds' });
}
