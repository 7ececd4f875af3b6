import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OverlapPolicy } from './overlap-policy';
import { IBatchJob } from '../jobs/batch-job-ref';
import { overlapStrategy } from './overlap/resolve';
import { OverlapStrategy } from './overlap/strategy';
import { createAlarmTopic } from '../private/alarm-topic';
import { validateArraySize } from '../private/array-size';
import { createSchedulerRole } from './private/run-state-machine';
import { analyzeSchedule, DeadlinePropNames } from '../private/schedule-deadline';
import { secondsOf } from '../private/validate';
import { acceptSchedule, createDeadLetterQueue, rejectUntrackedOptions, submitJobInput, validateRunLog, validateRunName, validateRunScheduleOptions, withTrackerPropNames } from './private/schedule-parts';
import { Rollout } from './rollout';
import { RunTracker } from './run-tracker';
import { StartDeadlineAction } from './start-deadline';
import { jobsArn, tagOnSubmitStatement } from '../private/job-tags';
import { acknowledgeWildcardResource } from '../private/nag';
import { inHostSpelling, ValidationError } from '../private/prop-names';
import { RevisionGates } from '../private/revision-gate';
import { rejectUnknownKeys } from '../private/struct-keys';

/** Defaults of {@link JobSchedule}, in one place. */
export const SCHEDULE_DEFAULTS = {
  retryAttempts: 5,
  maxEventAge: Duration.hours(1),
} as const;

/**
 * When and how reliably a run is started, and what bounds it: shared by a job's schedule (`JobScheduleOptions`) and a
 * workflow's (`ScheduledBatchWorkflowProps`).
 */
export interface RunScheduleOptions {
  /**
   * When the job runs. Use `ScheduleExpression.cron({ ..., timeZone })` for a wall-clock time in a time zone
   * (EventBridge Scheduler follows daylight saving time), or `ScheduleExpression.rate(...)`.
   */
  readonly schedule: scheduler.ScheduleExpression;

  /**
   * Whether the schedule is enabled.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Let EventBridge Scheduler start the job at any time within this window after the scheduled time (spreads load).
   * @default - no window: on time
   */
  readonly flexibleTimeWindow?: Duration;

  /**
   * How often EventBridge Scheduler retries a failed SubmitJob call before it sends the event to the dead-letter queue.
   * @default 5
   */
  readonly scheduleRetryAttempts?: number;

  /**
   * How long EventBridge Scheduler keeps retrying a SubmitJob call (1 minute to 1 day).
   * @default Duration.hours(1)
   */
  readonly scheduleMaxEventAge?: Duration;

  /**
   * How long a tracked run may take before it is reported late and its job stopped: a job's run counts from its
   * submission, a workflow's from its start. At least one attempt's `timeout` (a shorter deadline would stop an
   * attempt AWS Batch still lets run), at most 1 year; only with tracked runs (`trackRuns`), and a concrete Duration.
   * @default - attempts x timeout + 15 minutes + 5 minutes per retry; for a workflow, the sum of that over its levels
   *   (the longest step of each)
   */
  readonly runDeadline?: Duration;

  /**
   * What a run does when the previous run is still active: run anyway, queue behind it, or skip (see `OverlapPolicy`).
   * SKIP needs `trackRuns` (a workflow's runs are always tracked).
   * @default OverlapPolicy.ALLOW
   */
  readonly overlapPolicy?: OverlapPolicy;

  /**
   * Tracked runs only: the EventBridge bus of the run-outcome events, one per run (docs/events.md).
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * Tracked runs only: publish a "recovered" message when a run succeeds after a FAILED or TIMED_OUT one; two state
   * transitions more per good run ($0.00005), none when off (see `RunTrackerProps.notifyRecovery`).
   * @default false
   */
  readonly notifyRecovery?: boolean;
}

/** When and how reliably a job is started. Shared by `JobScheduleProps` and `ScheduledBatchWorkloadProps`. */
export interface JobScheduleOptions extends RunScheduleOptions {
  /**
   * Track every scheduled run to success (a `RunTracker`: one Step Functions execution per scheduled time submits the
   * job and waits for it under a deadline) and send one notification for each run that fails, is not done by its
   * deadline, or cannot be submitted. Without it the schedule submits the job directly, and only alarms watch it: a
   * job that FAILED (its timeout ends a hung attempt), a SubmitJob the schedule could not make, and a blocked queue.
   * Nothing then reports a run that never happens (a schedule that did not fire), or a job left waiting before it
   * runs (RUNNABLE for a reason the queue neither reports as blocked nor cancels, such as instances that cannot reach
   * ECS, or STARTING): AWS Batch emits metrics and events only when a job changes state, and none counts due runs.
   * @default true
   */
  readonly trackRuns?: boolean;

  /**
   * Fan-out: submit each run as an AWS Batch array job of this many children (2 to 10,000). Every child runs the same
   * job and reads its shard from `AWS_BATCH_JOB_ARRAY_INDEX` (0 to N-1). AWS Batch retries each child on its own, and
   * the run succeeds only when every child does; a tracked run's message counts the failed children and links up to
   * 10 of them. The default `runDeadline` assumes the children run at the same time: when the compute can run only
   * some at once (waves), set `runDeadline`. With `OverlapPolicy.QUEUE` every child holds the job's one-at-a-time
   * resource, so the children run one after another: the synth warns (`cdk-scheduled-batch:queuedArrayJob`), since
   * the default deadline is not scaled to N children in a row; set `runDeadline` to cover them, or acknowledge it.
   * Applies to every submission: the schedule, a `RunApi` route.
   * @see https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html
   * @default - a single job per run
   */
  readonly arraySize?: number;

  /**
   * How long after its submission a tracked run's job may take to start running before `onStartDeadline` acts (see
   * `RunTrackerProps.startDeadline`). At least 1 minute, shorter than `runDeadline`; tracked runs only.
   * @default Duration.minutes(15) - unless `onStartDeadline` is NONE (the first placement's allowance)
   */
  readonly startDeadline?: Duration;

  /**
   * What a tracked run whose job has not started by `startDeadline` gets: one "not started" report (the run is still
   * tracked), a cancel of the job, or no check (StartDeadlineAction.NONE, the off switch).
   * @default - StartDeadlineAction.REPORT, except for array and OverlapPolicy.QUEUE runs (no check unless asked)
   */
  readonly onStartDeadline?: StartDeadlineAction;

  /**
   * How tracked runs move to a new revision of the job's definition: canary, linear steps or all at once, with rollback
   * by itself (`RunTrackerProps.rollout`). Tracked runs only: the schedule's, a backfill's, a workload's RunApi route's.
   * @default Rollout.allAtOnce() - every run uses the deployed revision
   */
  readonly rollout?: Rollout;
}

/** Properties of a {@link JobSchedule}. */
export interface JobScheduleProps extends JobScheduleOptions {
  /** The job the schedule submits, to its queue: a `BatchJob`, or one imported with `BatchJob.fromBatchJobAttributes`. */
  readonly job: IBatchJob;

  /**
   * Resubmit a run whose every attempt was a Spot reclaim once, to this On-Demand queue (a tracked run only).
   * @default - none
   */
  readonly onDemandJobQueue?: batch.IJobQueue;

  /**
   * The name of the runs in messages.
   * @default - the path of this schedule in the construct tree
   */
  readonly runName?: string;

  /**
   * The topic that gets one message for each tracked run that does not succeed.
   * @default - a new TLS-only topic, when runs are tracked
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * The schedule group the schedule is created in (one shared by many schedules, such as a platform's).
   * @default - a new group for this schedule alone
   */
  readonly scheduleGroup?: scheduler.IScheduleGroup;

  /**
   * Where EventBridge Scheduler puts invocations it could not deliver (one shared by many schedules, such as a
   * platform's).
   * @default - a new encrypted, TLS-only queue
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * The role EventBridge Scheduler starts tracked runs with. It is used as given: grant it `states:StartExecution` on
   * the run tracker's state machine and `sqs:SendMessage` on the dead-letter queue yourself (a platform's shared role
   * does so by tag). Only with tracked runs: an untracked schedule's role submits the job, and is its own.
   * @default - a new role allowed exactly this schedule's target and dead-letter queue
   */
  readonly schedulerRole?: iam.IRole;

  /**
   * The log group the run tracker's state machine writes to (one shared by many, such as a platform's).
   * @default - a new log group for this schedule's runs
   */
  readonly runLogGroup?: logs.ILogGroup;

  /**
   * KMS key to encrypt the run tracker's new state log with. Its key policy gets the statement CloudWatch Logs needs
   * (the `logs.<region>.amazonaws.com` service principal, for log groups of this account and region) when the key is of
   * this app; an imported key's policy must hold it. Only with tracked runs, and not with `runLogGroup` (encrypt the
   * group you pass yourself).
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   * @default - CloudWatch Logs' own encryption
   */
  readonly runLogEncryptionKey?: kms.IKey;
}

/**
 * An EventBridge Scheduler schedule that submits a {@link BatchJob}: its own schedule group (so the `AWS/Scheduler`
 * metrics are per job), a role that may submit exactly this job to exactly its queue, retries, and an encrypted,
 * TLS-only dead-letter queue for invocations it could not deliver.
 *
 * @example
 * declare const job: BatchJob;
 * new JobSchedule(this, 'Nightly', {
 *   job,
 *   schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: TimeZone.EUROPE_LONDON }),
 * });
 */
export class JobSchedule extends Construct {
  /** The schedule group the schedule lives in. */
  public readonly scheduleGroup: scheduler.IScheduleGroup;
  /** The schedule. */
  public readonly schedule: scheduler.Schedule;
  /** The role EventBridge Scheduler submits the job with. */
  public readonly schedulerRole: iam.IRole;
  /** Where EventBridge Scheduler puts invocations it could not deliver. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The schedule expression. */
  public readonly expression: scheduler.ScheduleExpression;
  /** What tracks each run, when `trackRuns` is on (the default). */
  public readonly tracker?: RunTracker;
  /** The topic tracked runs notify, when `trackRuns` is on. */
  public readonly notificationTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: JobScheduleProps) {
    super(scope, id);
    rejectUnknownKeys('JobScheduleProps', props);
    validateScheduleOptions(props);
    validateRunLog(props);
    validateRunName(props.runName);
    warnQueuedArrayJob(this, props);
    this.expression = props.schedule;
    const job = props.job;
    const overlap = overlapStrategy('overlapPolicy', props.overlapPolicy);
    validateOverlapQueue(this, job.jobQueue.jobQueueArn, overlap);
    overlap.prepareJob({ runOneAtATime: () => job.runOneAtATime().attrConsumableResourceArn });

    const tracked = props.trackRuns ?? true;
    if (props.schedulerRole && !tracked) {
      throw new ValidationError("'schedulerRole' is set but 'trackRuns' is false: an untracked schedule's role submits the job and gets exactly that permission, so it is always its own. Leave 'schedulerRole' out, or track runs.");
    }
    // Not retained: a group of its own holds only this schedule, and a retained group's fixed name would make the
    // next create of the same stack fail with "already exists".
    this.scheduleGroup = props.scheduleGroup ?? new scheduler.ScheduleGroup(this, 'ScheduleGroup', { removalPolicy: RemovalPolicy.DESTROY });
    this.deadLetterQueue = props.deadLetterQueue ?? createDeadLetterQueue(this);
    this.schedulerRole = props.schedulerRole ?? createSchedulerRole(this, 'Submits the scheduled job to its queue');
    const retry = {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.scheduleRetryAttempts ?? SCHEDULE_DEFAULTS.retryAttempts,
      maxEventAge: props.scheduleMaxEventAge ?? SCHEDULE_DEFAULTS.maxEventAge,
    };
    let target: scheduler.IScheduleTarget;
    if (tracked) {
      this.notificationTopic = props.notificationTopic ?? createAlarmTopic(this, 'Notifications');
      this.tracker = this.createTracker(props, this.notificationTopic);
      target = this.tracker.scheduleTarget({ role: this.schedulerRole, ...retry });
    } else {
      target = this.submitTarget(props, retry);
    }
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: props.schedule,
      scheduleGroup: this.scheduleGroup,
      enabled: props.enabled ?? true,
      timeWindow: props.flexibleTimeWindow ? scheduler.TimeWindow.flexible(props.flexibleTimeWindow) : undefined,
      description: this.tracker ? `Starts a tracked run of ${job.jobName} on AWS Batch` : `Submits ${job.jobName} to AWS Batch`,
      target,
    });
    // What names the job's revision waits for its verification, if any (DeployVerification): the schedule, and an
    // untracked schedule's own role. A tracked schedule's tracker does so itself; its scheduler role names no revision.
    RevisionGates.of(job).addConsumer(this.schedule);
    if (!tracked) RevisionGates.of(job).addConsumer(this.schedulerRole);
  }

  /** A tracked schedule: a `RunTracker` whose state machine submits the job and follows each run. */
  private createTracker(props: JobScheduleProps, notificationTopic: sns.ITopic): RunTracker {
    const trackerProps = {
      job: props.job,
      notificationTopic,
      deadline: props.runDeadline,
      workloadName: props.runName ?? this.node.path,
      schedule: props.schedule,
      flexibleTimeWindow: props.flexibleTimeWindow,
      overlapPolicy: props.overlapPolicy,
      eventBus: props.eventBus,
      notifyRecovery: props.notifyRecovery,
      arraySize: props.arraySize,
      onDemandJobQueue: props.onDemandJobQueue,
      startDeadline: props.startDeadline,
      onStartDeadline: props.onStartDeadline,
      rollout: props.rollout,
      logGroup: props.runLogGroup,
      logEncryptionKey: props.runLogEncryptionKey,
    };
    withTrackerPropNames(trackerProps, SCHEDULE_PROP_NAMES);
    return new RunTracker(this, 'Runs', trackerProps);
  }

  /** An untracked schedule: EventBridge Scheduler submits the job itself (universal target, batch:SubmitJob). */
  private submitTarget(props: JobScheduleProps, retry: Pick<targets.UniversalTargetProps, 'deadLetterQueue' | 'retryAttempts' | 'maxEventAge'>): scheduler.IScheduleTarget {
    const job = props.job;
    // The same refusals as a tracked schedule's: one that never fires, a zero or sub-minute rate, a malformed one.
    const expression = props.schedule.expressionString;
    if (!Token.isUnresolved(expression)) {
      acceptSchedule(this, analyzeSchedule({
        expression,
        timeZone: props.schedule.timeZone?.timezoneName,
        jobTimeoutSeconds: secondsOf(job.timeout),
        attempts: job.retryAttempts,
        flexibleWindowSeconds: props.flexibleTimeWindow?.toSeconds(), // a token window is refused by validateRunScheduleOptions
        propNames: SCHEDULE_PROP_NAMES,
        deadlineRequired: false, // untracked runs have no deadline: a token timeout or attempt count is fine
      }));
    }
    acknowledgeWildcardResource(this.schedulerRole, jobsArn(this), 'batch:TagResource (the job is tagged with its workload tag as it is submitted) acts on '
      + 'a job id that exists only once submitted; it is conditioned on the one tag key (cdk-scheduled-batch:workload) and this workload\'s value.');
    // EventBridge Scheduler has no templated Batch target: the universal target calls batch:SubmitJob.
    // @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html
    return new targets.Universal({
      service: 'batch',
      action: 'submitJob',
      role: this.schedulerRole,
      input: scheduler.ScheduleTargetInput.fromObject(submitJobInput(job, props.arraySize)),
      // Scoped to this queue and job definition (the Universal target would grant '*'); batch:TagResource for the workload tag only.
      policyStatements: [job.submitPolicyStatement(), tagOnSubmitStatement(this, [job.jobName])],
      ...retry,
    });
  }
}

/**
 * QUEUE needs a consumable resource in the queue's account and region (it is created in this stack's), and SKIP lists
 * the queue's jobs from this stack's account and region: neither can be honoured on a brought queue elsewhere.
 */
function validateOverlapQueue(scope: Construct, queueArn: string, policy: OverlapStrategy): void {
  if (policy.needsLocalQueue === undefined || Token.isUnresolved(queueArn)) return;
  const [, , , region, account] = queueArn.split(':');
  const stack = Stack.of(scope);
  for (const [what, theirs, ours] of [['account', account, stack.account], ['region', region, stack.region]] as const) {
    if (!Token.isUnresolved(ours) && theirs && theirs !== ours) {
      throw new ValidationError(`'overlapPolicy' is ${policy.name} but the job queue ${queueArn} is in ${what} ${theirs}, and stack ${stack.stackName} `
        + `is in ${what} ${ours}: ${policy.needsLocalQueue} ${what}. Use OverlapPolicy.ALLOW with this queue, or deploy the workload to ${what} ${theirs}.`);
    }
  }
}

/** The names of the props of a JobSchedule (and a workload) that make a run's deadline, for messages. */
const SCHEDULE_PROP_NAMES: DeadlinePropNames = {
  schedule: 'schedule', timeZone: 'schedule', jobTimeout: 'timeout', attempts: 'retryAttempts', flexibleTimeWindow: 'flexibleTimeWindow', deadline: 'runDeadline',
};

/** The warning id of QUEUE with `arraySize` (see {@link warnQueuedArrayJob}). */
export const QUEUED_ARRAY_WARNING_ID = 'cdk-scheduled-batch:queuedArrayJob';

/**
 * QUEUE makes the job hold a consumable resource of 1 (`runOneAtATime`), and each child of an array job holds it on
 * its own: the children run one after another, while the default deadline assumes they run at the same time.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/resource-aware-scheduling.html
 */
function warnQueuedArrayJob(scope: Construct, props: JobScheduleProps): void {
  if (props.overlapPolicy !== OverlapPolicy.QUEUE || props.arraySize === undefined) return;
  const size = Token.isUnresolved(props.arraySize) ? 'its' : `its ${props.arraySize}`;
  const deadline = props.runDeadline === undefined
    ? ` The default 'runDeadline' counts one child's attempts, so a tracked run is reported late and stopped after the first children: set 'runDeadline' to cover ${size} children in a row.`
    : ` Make sure 'runDeadline' covers ${size} children in a row.`;
  Annotations.of(scope).addWarningV2(QUEUED_ARRAY_WARNING_ID,
    inHostSpelling(`'overlapPolicy' is OverlapPolicy.QUEUE and 'arraySize' is set: QUEUE gives the job one consumable resource and every child of the array job holds it, so ${size} children run one at a time, not in parallel.${deadline} `
    + `Use OverlapPolicy.ALLOW or SKIP to run the children at once, or acknowledge with Annotations.of(<this construct or its workload>).acknowledgeWarning('${QUEUED_ARRAY_WARNING_ID}', '<why>').`));
}

function validateScheduleOptions(props: JobScheduleOptions): void {
  rejectUntrackedOptions(props);
  const overlap = overlapStrategy('overlapPolicy', props.overlapPolicy);
  if (overlap.needsTracking && props.trackRuns === false) {
    throw new ValidationError(`'overlapPolicy' is ${overlap.name} but 'trackRuns' is false: ${overlap.name} acts in the tracked run, before it submits. Turn 'trackRuns' on, or use OverlapPolicy.QUEUE (runs wait for each other, with or without tracking).`);
  }
  validateRunScheduleOptions(props);
  validateArraySize('arraySize', props.arraySize);
}
