import { Duration, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { IBatchJob } from '../jobs/batch-job-ref';
import { JOB_NAME_PATTERN, SCHEDULED_TIME_ENV, SCHEDULED_TIME_PARAMETER } from './engine/expressions';
import { RunDefinition } from './engine/run-definition';
import { platformFactsOf } from './engine/run-graph';
import { overlapStrategy } from './overlap/resolve';
import { OverlapPolicy } from './overlap-policy';
import { rolloutPlan, RolloutStore } from './private/rollout-store';
import { Rollout } from './rollout';
import { validateArraySize } from '../private/array-size';
import { createExecutionLogGroup, createRunStateMachine, scheduledRunTarget } from './private/run-state-machine';
import { PARAMETER_NAME } from '../private/job-options';
import { ValidationError } from '../private/prop-names';
import { analyzeDeadline, analyzeSchedule, DeadlinePropNames, defaultDeadlineSeconds, describeDuration, ScheduleDeadline } from '../private/schedule-deadline';
import { secondsOf, validateDuration, validateLogRetention } from '../private/validate';
import { acceptSchedule, RUN_DEADLINE_CHECK, trackerPropNamesOf, validateTargetRetry } from './private/schedule-parts';
import { startDeadlineSetup, StartDeadlineRun } from './private/start-deadline-plan';
import { StartDeadlineAction } from './start-deadline';
import { rejectKeyWithLogGroup } from '../private/log-encryption';
import { RevisionGates } from '../private/revision-gate';
import { rejectUnknownKeys } from '../private/struct-keys';

/** Properties of a {@link RunTracker}. */
export interface RunTrackerProps {
  /**
   * The job each run submits, to its queue, by its job definition's revision-bearing ARN. Its name prefixes each run's
   * job name: `<jobName>-<scheduled time>-<execution>` (the prefix is cut to 98 characters), e.g.
   * `nightly-report-20261201T060000Z-3f2a9c1b4e7d`. Its timeout and attempts make the default deadline.
   */
  readonly job: IBatchJob;
  /** The topic that gets one message for each run that does not succeed. */
  readonly notificationTopic: sns.ITopic;
  /**
   * How long after its submission a run may take before it is reported as not done by its deadline. At the deadline,
   * the job is stopped (AWS Batch TerminateJob) and the run reported.
   *
   * @default - retryAttempts x jobTimeout + 15 minutes + 5 minutes per retry (queueing, instance launch, image pull)
   */
  readonly deadline?: Duration;
  /** Name of the workload in messages. */
  readonly workloadName: string;
  /**
   * The schedule's time zone, named in messages next to the scheduled time (which is in UTC).
   *
   * @default - the time zone of `schedule`, else UTC
   */
  readonly timeZone?: string;
  /**
   * The schedule that starts the runs. When given, it is checked: a schedule that never fires, or a deadline Step
   * Functions cannot hold, throws; overlapping runs and runs that daylight saving time skips are reported as info.
   *
   * @default - no schedule check
   */
  readonly schedule?: scheduler.ScheduleExpression;
  /**
   * The schedule's flexible time window, for the check of `schedule` (a run starts up to this long after its time).
   *
   * @default - none
   */
  readonly flexibleTimeWindow?: Duration;
  /**
   * The log group the state machine writes its state events to (one shared by many run trackers, such as a
   * platform's). `logRetention` applies only to a new one.
   * @default - a new log group (`ExecutionLogs`), named under /aws/vendedlogs/states/
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * How long the state machine's log events (one per state, without input or output) are kept. The execution history
   * itself is kept 90 days by Step Functions.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * KMS key to encrypt a new state log with. Its key policy gets the statement CloudWatch Logs needs (the
   * `logs.<region>.amazonaws.com` service principal, for log groups of this account and region) when the key is of this
   * app; an imported key's policy must hold it. Not with `logGroup` (encrypt the group you pass yourself).
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * What a run does while an earlier run is active (see `OverlapPolicy`). QUEUE makes the job run one at a time
   * (`runOneAtATime`) and doubles the default deadline, to cover the wait for one earlier run.
   * @default OverlapPolicy.ALLOW
   */
  readonly overlapPolicy?: OverlapPolicy;

  /**
   * The EventBridge bus that receives one event per run outcome (source `cdk-scheduled-batch`, detail-type
   * `Scheduled Batch Run`: succeeded, failed, deadline passed, not started, skipped, replaced, not submitted; see
   * docs/events.md). The state machine may put events on this bus only.
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * Publish a "recovered" message when a run succeeds after a run that did not (the previous run ended FAILED or
   * TIMED_OUT), in both forms, to the same topic. Costs two state transitions more per good run (a look at the
   * previous run and a choice; $0.00005) and one more after a bad run; off, good runs are unchanged. Alternatively,
   * close the incident from the run's `SUCCEEDED` event (docs/events.md), at no cost to the runs.
   * @default false
   */
  readonly notifyRecovery?: boolean;

  /**
   * Submit each run as an AWS Batch array job of this many children (2 to 10,000), each with its
   * `AWS_BATCH_JOB_ARRAY_INDEX`. The run succeeds when every child does; its message counts the failed children and
   * links up to 10 of them. The default deadline assumes the children run at the same time: set `deadline` when the
   * compute runs them in waves.
   * @see https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html
   * @default - a single job per run
   */
  readonly arraySize?: number;

  /**
   * When every attempt of a run was a Spot reclaim, submit it once more to this queue (an On-Demand one, such as
   * `BatchPlatform.onDemandJobQueue()`) under what is left of the deadline, before the run is reported. Not with
   * `arraySize` (an array job's children cannot be resubmitted one by one).
   * @default - no resubmission: a run whose attempts were all reclaimed is reported as failed
   */
  readonly onDemandJobQueue?: batch.IJobQueue;

  /**
   * How long after its submission the job may take to start running (reach STARTING or RUNNING) before
   * `onStartDeadline` acts: one report, or a cancel, well before the run deadline. At least 1 minute, shorter than the
   * run deadline. The check is a one-time EventBridge Scheduler schedule each run creates, which starts the stack's
   * start-check state machine (shared by the stack's run trackers); it costs a good run one state transition.
   * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
   * @default Duration.minutes(15) - unless `onStartDeadline` is NONE: the allowance the default deadline gives
   *   the first placement (queueing, instance launch, image pull); no check when the run deadline is not longer
   */
  readonly startDeadline?: Duration;

  /**
   * What happens to a run whose job has not started by `startDeadline`: one "not started" report to the notification
   * topic (the run is still tracked, and sends one more message only if it then fails), a cancel of the job (the run
   * then fails with its usual one message), or no check.
   * @default - StartDeadlineAction.REPORT (also when only `startDeadline` is given), except for array runs (`arraySize`)
   *   and OverlapPolicy.QUEUE runs, which get no check unless asked; StartDeadlineAction.NONE turns it off
   */
  readonly onStartDeadline?: StartDeadlineAction;

  /**
   * How runs move to a newly deployed revision of the job's definition: `Rollout.canary()` (a share of runs on it,
   * promoted after enough successes, rolled back by itself on a failure), `Rollout.linear()` (growing shares), or
   * all at once; each may rerun a failed run on the last good revision and deregister old revisions. The state lives
   * in one DynamoDB table per stack, an item per job; a run reads and writes it once (two state transitions and two
   * request units more per run). See docs/operations.md, "Releasing a new image".
   * @default Rollout.allAtOnce() - every run uses the deployed revision; no state is kept
   */
  readonly rollout?: Rollout;
}

/** Options of the EventBridge Scheduler target that starts one execution per scheduled time. */
export interface RunTrackerTargetOptions {
  /**
   * The role EventBridge Scheduler assumes to start executions.
   *
   * @default - a role created by the target, allowed states:StartExecution on this state machine
   */
  readonly role?: iam.IRole;
  /**
   * Where EventBridge Scheduler puts a run it could not start after its retries. Such a run never reaches the state
   * machine, so it produces no message: alarm on this queue.
   *
   * @default - no dead-letter queue
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * How often EventBridge Scheduler retries a StartExecution call that failed (0 to 185).
   *
   * @default 185
   */
  readonly retryAttempts?: number;
  /**
   * How long EventBridge Scheduler keeps retrying (1 minute to 1 day).
   *
   * @default Duration.hours(24)
   */
  readonly maxEventAge?: Duration;
}

/**
 * Run-by-run tracking of a scheduled AWS Batch job, without Lambda: EventBridge Scheduler starts one Step Functions
 * Standard execution per scheduled time; the execution submits the job and waits for it (`batch:submitJob.sync`)
 * under a deadline. A run that fails, is not done by its deadline, or cannot be submitted publishes exactly one
 * message to `notificationTopic` and ends FAILED; a run that succeeds publishes nothing. The execution history
 * (kept 90 days) is the run history. Wiring and limits: docs/run-tracking.md.
 */
export class RunTracker extends Construct {
  /** The environment variable that carries the run's scheduled time (ISO 8601, UTC) into the container. */
  public static readonly SCHEDULED_TIME_ENV = SCHEDULED_TIME_ENV;
  /** The job parameter that carries the run's scheduled time (`Ref::scheduledTime` in the job's command). */
  public static readonly SCHEDULED_TIME_PARAMETER = SCHEDULED_TIME_PARAMETER;

  /** The state machine; one execution per run. */
  public readonly stateMachine: sfn.StateMachine;
  /** The state machine's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** The deadline of each run, counted from the job's submission. */
  public readonly deadline: Duration;
  /**
   * The stack's rollout state table, which holds this job's revision state (an item keyed by the job's name), when
   * `rollout` keeps state; read it to see which revision is stable, on trial, rolled back or last good.
   */
  public readonly rolloutTable?: dynamodb.ITable;

  constructor(scope: Construct, id: string, props: RunTrackerProps) {
    super(scope, id);
    rejectUnknownKeys('RunTrackerProps', props);
    const analysis = analyze(props);
    acceptSchedule(this, analysis);
    validateNames(props);
    validateArraySize('arraySize', props.arraySize);
    if (props.onDemandJobQueue && props.arraySize !== undefined) {
      throw new ValidationError("'onDemandJobQueue' and 'arraySize' are both set: an array job's children cannot be resubmitted one by one. Remove one of them.");
    }
    this.deadline = Duration.seconds(analysis.taskTimeoutSeconds);

    validateLogProps(props);
    this.logGroup = props.logGroup ?? createExecutionLogGroup(this, props.logRetention, props.logEncryptionKey);

    const job = props.job;
    const overlap = overlapStrategy('overlapPolicy', props.overlapPolicy);
    overlap.prepareJob({ runOneAtATime: () => job.runOneAtATime().attrConsumableResourceArn });
    const jobName = job.jobName;
    const start = startDeadlineSetup(this, props, analysis.taskTimeoutSeconds, startDeadlineRun(props));
    const rollout = rolloutPlan(this, props.rollout, job, analysis.minGapSeconds);
    this.rolloutTable = rollout ? RolloutStore.of(this).table : undefined;
    const definition = new RunDefinition(this, {
      label: props.workloadName,
      jobQueueArn: job.jobQueue.jobQueueArn,
      topic: props.notificationTopic,
      timeZone: props.timeZone ?? props.schedule?.timeZone?.timezoneName ?? 'UTC',
      deadlineSeconds: analysis.taskTimeoutSeconds,
      deadlineText: describeDuration(analysis.taskTimeoutSeconds),
      workflow: false,
      runPrefix: jobName,
      overlap,
      eventBus: props.eventBus,
      notifyRecovery: props.notifyRecovery,
      levels: [[{
        name: jobName,
        jobDefinitionArn: job.jobDefinitionArn,
        jobNamePrefix: jobName,
        workloadTag: jobName,
        parameterNames: Object.keys(job.parameters),
        logGroupName: job.logGroupName,
        arraySize: props.arraySize,
        onDemandQueueArn: props.onDemandJobQueue?.jobQueueArn,
        shareIdentifier: job.shareIdentifier,
        schedulingPriority: job.schedulingPriority,
      }]],
      startDeadline: start?.plan,
      rollout,
      ...platformFactsOf(job),
    });
    this.stateMachine = createRunStateMachine(this, definition.startState, this.logGroup,
      `Runs ${props.workloadName} once per scheduled time and publishes one message for a run that does not succeed.`,
      'One Task that waits on an AWS Batch job: the execution history (90 days) and the state log show every step and its timing; X-Ray traces would add cost and no information.');
    definition.grant(this.stateMachine, job);
    start?.check.admit(this.stateMachine, props.notificationTopic, jobName);
    // The state machine names the job's revision: a new one is submitted only once it is verified (DeployVerification).
    RevisionGates.of(job).addConsumer(this.stateMachine);
    RevisionGates.of(job).addConsumer(this.stateMachine.role);
  }

  /**
   * The EventBridge Scheduler target that starts one execution per scheduled time, with the scheduled time
   * (`<aws.scheduler.scheduled-time>`) as input.
   */
  public scheduleTarget(options: RunTrackerTargetOptions = {}): scheduler.IScheduleTarget {
    rejectUnknownKeys('RunTrackerTargetOptions', options);
    validateTargetRetry(options);
    return scheduledRunTarget(this.stateMachine, options);
  }

}

function analyze(props: RunTrackerProps): ScheduleDeadline {
  // A JobSchedule (and so a workload) registers its own prop names, so that messages name what its user wrote.
  const names: DeadlinePropNames = {
    schedule: 'schedule',
    timeZone: 'timeZone',
    jobTimeout: 'timeout',
    attempts: 'retryAttempts',
    flexibleTimeWindow: 'flexibleTimeWindow',
    deadline: 'deadline',
    ...trackerPropNamesOf(props),
  };
  const scheduleZone = props.schedule?.timeZone?.timezoneName;
  const known = (zone: string | undefined) => zone !== undefined && !Token.isUnresolved(zone);
  const bothKnown = known(props.timeZone) && known(scheduleZone);
  if (bothKnown && props.timeZone !== scheduleZone) {
    throw new ValidationError(`'timeZone' is '${props.timeZone}' but 'schedule' runs in '${scheduleZone}': leave 'timeZone' out, or make them the same.`);
  }
  validateDuration(names.deadline, props.deadline, RUN_DEADLINE_CHECK);
  if (props.deadline?.isUnresolved()) {
    throw new ValidationError(`'${names.deadline}' is a token (known only at deploy): the run deadline is written into the state machine and its messages at synth. Give a concrete Duration, e.g. Duration.hours(2), or leave it out for the derived deadline.`);
  }
  const job = props.job;
  const jobTimeoutSeconds = secondsOf(job.timeout);
  const attempts = job.retryAttempts;
  const concrete = !Token.isUnresolved(jobTimeoutSeconds) && !Token.isUnresolved(attempts);
  // A run that may wait for an earlier one (itself stopped at its deadline) gets the policy's factor of the default.
  const factor = props.deadline === undefined ? overlapStrategy('overlapPolicy', props.overlapPolicy).deadlineFactor : 1;
  const window = props.flexibleTimeWindow;
  const input = {
    timeZone: props.timeZone ?? scheduleZone,
    jobTimeoutSeconds,
    attempts,
    flexibleWindowSeconds: window && !window.isUnresolved() ? window.toSeconds() : undefined,
    deadlineSeconds: factor !== 1 && concrete ? factor * defaultDeadlineSeconds(jobTimeoutSeconds, attempts) : props.deadline?.toSeconds(),
    propNames: names,
  };
  const expression = props.schedule?.expressionString;
  return expression !== undefined && !Token.isUnresolved(expression) ? analyzeSchedule({ ...input, expression }) : analyzeDeadline(input);
}

/** What of the run besides its start-deadline props decides its start check. */
function startDeadlineRun(props: RunTrackerProps): StartDeadlineRun {
  return {
    deadlineProp: trackerPropNamesOf(props)?.deadline ?? 'deadline',
    queued: props.overlapPolicy === OverlapPolicy.QUEUE,
    arrayed: props.arraySize !== undefined,
    shared: props.job.shareIdentifier !== undefined,
    topic: props.notificationTopic,
  };
}

/** The retention is one CloudWatch Logs takes; a retention or a key is for a new state log only. */
function validateLogProps(props: RunTrackerProps): void {
  validateLogRetention('logRetention', props.logRetention);
  if (props.logGroup && props.logRetention !== undefined) {
    throw new ValidationError("'logRetention' is set but so is 'logGroup': the retention applies to a new log group only. Set the retention on the log group you pass, or leave 'logGroup' out.");
  }
  // A JobSchedule checks its own names (runLogEncryptionKey, runLogGroup) first.
  rejectKeyWithLogGroup(props.logEncryptionKey, props.logGroup, 'logEncryptionKey', 'logGroup');
}

function validateNames(props: RunTrackerProps): void {
  const jobName = props.job.jobName;
  if (!Token.isUnresolved(jobName) && !JOB_NAME_PATTERN.test(jobName)) {
    throw new ValidationError(`'jobName' of the job is '${jobName}': AWS Batch job names take letters, digits, hyphens and underscores and start with a letter or digit, for example 'nightly-report'.`);
  }
  for (const name of Object.keys(props.job.parameters)) {
    if (!PARAMETER_NAME.test(name) || name === SCHEDULED_TIME_PARAMETER) {
      throw new ValidationError(`'parameters' of the job holds '${name}': declared parameter names are letters, digits and underscores, starting with a letter; not '${SCHEDULED_TIME_PARAMETER}', which every run sets.`);
    }
  }
  for (const [name, value] of [['workloadName', props.workloadName], ['logGroupName', props.job.logGroupName]] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && (value.trim() === '' || value.includes('{%'))) {
      throw new ValidationError(`'${name}' is '${value}': give a non-empty name without '{%' (Step Functions would read it as an expression).`);
    }
  }
}
