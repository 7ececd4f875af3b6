/**
 * Pieces every EventBridge Scheduler schedule of this library shares (a job's `JobSchedule`, a workflow's): the
 * checks of the retry and window options, and the dead-letter queue.
 */
import { Annotations, Duration, Token, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { IBatchJob } from '../../jobs/batch-job-ref';
import { shareArguments } from '../../private/fair-share';
import { workloadTags } from '../../private/job-tags';
import { rejectKeyWithLogGroup } from '../../private/log-encryption';
import { inHostSpelling, ValidationError } from '../../private/prop-names';
import { assertScheduleAccepted, DeadlinePropNames, ScheduleDeadline } from '../../private/schedule-deadline';
import { validateDuration, validateInstanceOf, validateWholeNumber } from '../../private/validate';
import { SCHEDULED_TIME_ENV, SCHEDULED_TIME_PARAMETER } from '../engine/expressions';

/** Where the names a `RunTracker`'s props have for its creator travel: a non-enumerable symbol key on the props. */
const PROP_NAMES = Symbol.for('cdk-scheduled-batch.trackerPropNames');

/**
 * Marks the props a construct passes to the `RunTracker` it creates (a `JobSchedule`: `runDeadline` for the tracker's
 * `deadline`) with its own names, so that the tracker's messages name what the user wrote. The mark is not a key (a
 * spread does not copy it) and lives on the props, not in module state.
 */
export function withTrackerPropNames<T extends object>(props: T, names: Partial<DeadlinePropNames>): T {
  Object.defineProperty(props, PROP_NAMES, { value: names, enumerable: false });
  return props;
}

/** The names `withTrackerPropNames` put on `props`, if any. */
export function trackerPropNamesOf(props: object): Partial<DeadlinePropNames> | undefined {
  return (props as { [PROP_NAMES]?: Partial<DeadlinePropNames> })[PROP_NAMES];
}

/** The schedule options checked here (a structural subset of `RunScheduleOptions`). */
export interface CheckedScheduleOptions {
  readonly schedule?: scheduler.ScheduleExpression;
  readonly runDeadline?: Duration;
  readonly scheduleRetryAttempts?: number;
  readonly scheduleMaxEventAge?: Duration;
  readonly flexibleTimeWindow?: Duration;
}

/**
 * EventBridge Scheduler retry policy limits and flexible-window limits: MaximumRetryAttempts an integer from 0 to 185,
 * MaximumEventAgeInSeconds an integer from 60 to 86400, MaximumWindowInMinutes an integer from 1 to 1440.
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_FlexibleTimeWindow.html
 */
const SCHEDULER_LIMITS = {
  maxRetryAttempts: 185,
  minEventAge: Duration.minutes(1),
  maxEventAge: Duration.days(1),
  minFlexibleWindow: Duration.minutes(1),
  maxFlexibleWindow: Duration.minutes(1440),
} as const;

/**
 * Refuses a schedule the analysis refuses, and reports its notes (runs that can overlap, an `at()` in the past, a run
 * the clocks skip) as info on `scope`: the same for a tracked run, an untracked schedule and a workflow.
 */
export function acceptSchedule(scope: IConstruct, analysis: ScheduleDeadline): void {
  assertScheduleAccepted(analysis);
  for (const note of analysis.notes) Annotations.of(scope).addInfo(inHostSpelling(note));
}

/**
 * The retry options of a schedule's target (`RunTracker.scheduleTarget`), within EventBridge Scheduler's retry policy.
 * A token is refused by name: aws-cdk-lib's own range check of the target reads the number at synth.
 */
export function validateTargetRetry(options: { readonly retryAttempts?: number; readonly maxEventAge?: Duration }): void {
  if (Token.isUnresolved(options.retryAttempts) || options.maxEventAge?.isUnresolved()) {
    const prop = Token.isUnresolved(options.retryAttempts) ? 'retryAttempts' : 'maxEventAge';
    throw new ValidationError(`'${prop}' is a token: aws-cdk-lib checks the schedule target's retry policy at synth, so it needs a concrete value. Give a number of `
      + `${prop === 'retryAttempts' ? 'retries, e.g. 5' : 'seconds, e.g. Duration.hours(1)'}.`);
  }
  validateWholeNumber('retryAttempts', options.retryAttempts, {
    min: 0, max: SCHEDULER_LIMITS.maxRetryAttempts, why: '(EventBridge Scheduler MaximumRetryAttempts)', fix: 'e.g. 5, or leave it out for the default',
  });
  validateDuration('maxEventAge', options.maxEventAge, {
    minSeconds: SCHEDULER_LIMITS.minEventAge.toSeconds(),
    maxSeconds: SCHEDULER_LIMITS.maxEventAge.toSeconds(),
    why: '(EventBridge Scheduler MaximumEventAgeInSeconds)',
    fix: 'e.g. Duration.hours(1), or leave it out for the default',
  });
}

/**
 * The dead-letter queue, with two checker findings acknowledged, not fixed (listed in docs/security.md):
 * - cdk-nag AwsSolutions-SQS3 asks every queue for a dead-letter queue of its own; this queue *is* one (of the
 *   schedule's target), which the rule does not recognise: https://github.com/cdklabs/cdk-nag/issues/1990.
 * - checkov CKV_AWS_27 accepts only a KMS key for SQS encryption; the queue is encrypted with SQS-managed keys (SSE-SQS),
 *   which cost nothing, where a customer-managed key would add $1/month and a key policy for the scheduler.
 */
export function createDeadLetterQueue(scope: Construct): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is the dead-letter queue of the EventBridge Scheduler target; the rule only recognises SQS redrive policies and Lambda DLQs (cdklabs/cdk-nag#1990).',
  });
  (queue.node.defaultChild as sqs.CfnQueue).addMetadata('checkov', {
    skip: [{ id: 'CKV_AWS_27', comment: 'Encrypted with SQS-managed keys (SSE-SQS); a customer-managed KMS key would add $1/month for a dead-letter queue of schedule events.' }],
  });
  return queue;
}

/**
 * aws-cdk-lib's `Schedule` and `TimeWindow.flexible` compare these with their limits at synth, so a token would fail
 * there, printed as a number (-1.888e+289): refused here first, with the prop's name.
 */
function rejectSchedulerTokens(props: CheckedScheduleOptions): void {
  const given: Array<[string, boolean, string]> = [
    ['scheduleRetryAttempts', Token.isUnresolved(props.scheduleRetryAttempts), 'e.g. 5'],
    ['scheduleMaxEventAge', props.scheduleMaxEventAge?.isUnresolved() ?? false, 'e.g. Duration.hours(1)'],
    ['flexibleTimeWindow', props.flexibleTimeWindow?.isUnresolved() ?? false, 'e.g. Duration.minutes(15)'],
  ];
  for (const [prop, token, example] of given) {
    if (token) {
      throw new ValidationError(`'${prop}' is a token (known only at deploy), but aws-cdk-lib's Schedule checks it against the EventBridge Scheduler limits at synth: give a concrete value (${example}), or leave it out for the default.`);
    }
  }
}

/** A run deadline: at least a minute (the 1-year bound is checked with the deadline's parts). */
export const RUN_DEADLINE_CHECK = {
  minSeconds: 60,
  why: '(it must leave time to submit and start the job)',
  fix: 'e.g. Duration.hours(2), or leave it out for the derived deadline',
} as const;

/** The checks of the options every schedule has (retries, event age, flexible window). */
export function validateRunScheduleOptions(props: CheckedScheduleOptions): void {
  if (props.schedule === undefined || props.schedule === null) {
    throw new ValidationError("'schedule' is required: give when the job runs, e.g. ScheduleExpression.cron({ hour: '2', minute: '0' }) or ScheduleExpression.rate(Duration.hours(1)).");
  }
  validateInstanceOf('schedule', props.schedule, scheduler.ScheduleExpression,
    "a ScheduleExpression, e.g. ScheduleExpression.cron({ hour: '2', minute: '0' }) or ScheduleExpression.rate(Duration.hours(1))");
  for (const prop of ['scheduleMaxEventAge', 'flexibleTimeWindow', 'runDeadline'] as const) {
    validateInstanceOf(prop, props[prop], Duration, 'a Duration, e.g. Duration.hours(1)');
  }
  rejectSchedulerTokens(props);
  const retries = props.scheduleRetryAttempts;
  const retriesOutOfRange = (n: number) => !Number.isInteger(n) || n < 0 || n > SCHEDULER_LIMITS.maxRetryAttempts;
  if (retries !== undefined && !Token.isUnresolved(retries) && retriesOutOfRange(retries)) {
    throw new ValidationError(`'scheduleRetryAttempts' must be a whole number from 0 to ${SCHEDULER_LIMITS.maxRetryAttempts}, got ${retries}.`);
  }
  const outside = (d: Duration, min: Duration, max: Duration) =>
    d.toSeconds({ integral: false }) < min.toSeconds() || d.toSeconds({ integral: false }) > max.toSeconds();
  const age = props.scheduleMaxEventAge;
  if (age && !age.isUnresolved() && outside(age, SCHEDULER_LIMITS.minEventAge, SCHEDULER_LIMITS.maxEventAge)) {
    throw new ValidationError(`'scheduleMaxEventAge' must be from 1 minute to 1 day, got ${age.toHumanString()}.`);
  }
  const window = props.flexibleTimeWindow;
  if (window && !window.isUnresolved() && outside(window, SCHEDULER_LIMITS.minFlexibleWindow, SCHEDULER_LIMITS.maxFlexibleWindow)) {
    throw new ValidationError(`'flexibleTimeWindow' must be from 1 minute to 1440 minutes, got ${window.toHumanString()}.`);
  }
  // What the range checks above let through: NaN, Infinity, fractions of the unit the API takes.
  validateDuration('scheduleMaxEventAge', age, {
    minSeconds: SCHEDULER_LIMITS.minEventAge.toSeconds(),
    maxSeconds: SCHEDULER_LIMITS.maxEventAge.toSeconds(),
    why: '(EventBridge Scheduler MaximumEventAgeInSeconds)',
    fix: 'e.g. Duration.hours(1), or leave it out for the default',
  });
  validateDuration('flexibleTimeWindow', window, {
    minSeconds: SCHEDULER_LIMITS.minFlexibleWindow.toSeconds(),
    maxSeconds: SCHEDULER_LIMITS.maxFlexibleWindow.toSeconds(),
    wholeUnit: 'minutes',
    why: '(EventBridge Scheduler MaximumWindowInMinutes)',
    fix: 'e.g. Duration.minutes(15), or leave it out for runs at the scheduled time',
  });
  // The 1-year upper bound is checked with the derived deadline, whose message says what the deadline is made of.
  validateDuration('runDeadline', props.runDeadline, RUN_DEADLINE_CHECK);
}

/**
 * The SubmitJob input of an untracked schedule's universal target, which a backfill of the schedule replays. The
 * scheduled time reaches the job as it does from a tracked run: parameter and environment variable. On a fair-share
 * queue the job's team and priority (src/private/fair-share.ts); the workload tag, on the job (a REPLACE or deadline
 * stop is scoped by it) and its ECS task (src/private/job-tags.ts).
 */
export function submitJobInput(job: IBatchJob, arraySize?: number): { [key: string]: unknown } {
  return {
    JobName: job.jobName,
    JobQueue: job.jobQueue.jobQueueArn,
    JobDefinition: job.jobDefinitionArn,
    Parameters: { [SCHEDULED_TIME_PARAMETER]: scheduler.ContextAttribute.scheduledTime },
    ContainerOverrides: { Environment: [{ Name: SCHEDULED_TIME_ENV, Value: scheduler.ContextAttribute.scheduledTime }] },
    ...arraySize !== undefined ? { ArrayProperties: { Size: arraySize } } : {},
    ...shareArguments(job),
    Tags: workloadTags(job.jobName),
    PropagateTags: true,
  };
}

/** Why each option needs a tracked run, for the message of an option given with `trackRuns: false`. */
const TRACKED_ONLY: Record<string, string> = {
  runLogEncryptionKey: 'an untracked schedule has no run tracker and no state log',
  runDeadline: 'the deadline applies to tracked runs only, and an untracked schedule submits the job without one (each attempt is still bounded by \'timeout\')',
  startDeadline: 'the start check is part of a tracked run',
  onStartDeadline: 'the start check is part of a tracked run',
  eventBus: 'run-outcome events come from the tracked run\'s state machine',
  notifyRecovery: 'the recovered message comes from the tracked run\'s state machine',
  rollout: 'the tracked run\'s state machine chooses each run\'s revision and records its outcome',
  // JobSchedule's own props (a workload passes them only when its runs are tracked).
  notificationTopic: 'only tracked runs send messages',
  runLogGroup: 'an untracked schedule has no run tracker and no state log',
  runName: 'the name is used in the messages of tracked runs',
  onDemandJobQueue: 'the On-Demand resubmission happens in the tracked run',
};

/**
 * Fails at synth on an option of tracked runs (`TRACKED_ONLY`) given with `trackRuns: false`, naming it (`false` is
 * no option: `notifyRecovery: false` is allowed).
 */
export function rejectUntrackedOptions(props: { readonly trackRuns?: boolean }): void {
  if (props.trackRuns !== false) return;
  const given = props as Record<string, unknown>;
  for (const key of Object.keys(TRACKED_ONLY)) {
    if (given[key] !== undefined && given[key] !== false) {
      throw new ValidationError(`'${key}' is set but 'trackRuns' is false: ${TRACKED_ONLY[key]}. Turn 'trackRuns' on, or leave '${key}' out.`);
    }
  }
}

/** `runName` becomes the run tracker's `workloadName`: checked before, so that the message names this prop. */
export function validateRunName(runName: string | undefined): void {
  if (runName !== undefined && !Token.isUnresolved(runName) && (typeof runName !== 'string' || runName.trim() === '' || runName.includes('{%'))) {
    throw new ValidationError(`'runName' is ${JSON.stringify(runName)}: give a non-empty name without '{%' (Step Functions would read it as an expression), or leave it out for the construct path.`);
  }
}

/** The run tracker's state log: a key for a new one only, and only when runs are tracked. */
export function validateRunLog(props: { readonly runLogEncryptionKey?: kms.IKey; readonly runLogGroup?: logs.ILogGroup }): void {
  rejectKeyWithLogGroup(props.runLogEncryptionKey, props.runLogGroup, 'runLogEncryptionKey', 'runLogGroup');
}
