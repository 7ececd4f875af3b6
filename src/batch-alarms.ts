import { Annotations, Duration, Token, Validations } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatch_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CostCategory, CostLineItem, ICostEstimable, UnitPrices } from './cost';
import { jobDefinitionArnPrefix } from './private/alarm-patterns';
import { createAlarmTopic } from './private/alarm-topic';
import { lineItem } from './private/cost-math';
import {
  MAX_ALARM_WINDOW_SECONDS,
  SuccessWindow,
  deriveSuccessWindow,
  describeSeconds,
  scheduleCadence,
  slidingWindow,
} from './private/schedule-window';

/**
 * Namespace of the job metrics AWS Batch publishes for free, with the single dimension `JobQueueName`.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/using_cloudwatch_metrics.html
 */
const BATCH_NAMESPACE = 'AWS/Batch';
/** @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html */
const EVENTS_NAMESPACE = 'AWS/Events';
/** Period of the event-driven alarms (failed, blocked, delivery, DLQ, durations). */
const ALARM_PERIOD = Duration.minutes(5);
/** The long-running alarm fires above this share of the job timeout. */
const LONG_RUNNING_SHARE = 0.8;
/**
 * Smallest job timeout AWS Batch accepts (`attemptDurationSeconds`).
 * @see https://docs.aws.amazon.com/batch/latest/userguide/job_timeouts.html
 */
const MIN_JOB_TIMEOUT_SECONDS = 60;

/** Properties of {@link BatchAlarms}. */
export interface BatchAlarmsProps {
  /**
   * The job queue to watch. Its name is the `JobQueueName` dimension of the `AWS/Batch` metrics and its ARN the
   * `detail.jobQueue` filter of the EventBridge rules.
   */
  readonly jobQueue: batch.IJobQueue;

  /**
   * The workload's job definition. When set, every EventBridge rule (failure notifications, queue blocked and, on a
   * shared queue, the failed and succeeded signals) also matches `detail.jobDefinition` on a prefix that covers all
   * revisions of this definition. Required when `sharedQueue` is true.
   *
   * Also supplies the job timeout for the long-running alarm when `jobTimeout` is not set.
   *
   * @default - the rules match every job on the queue
   */
  readonly jobDefinition?: batch.IJobDefinition;

  /**
   * Whether other workloads submit to the same job queue. AWS Batch caps job queues at 50 per region (not
   * adjustable) and its metrics have only the `JobQueueName` dimension, so on a shared queue they mix workloads.
   * When true, the failed-jobs and missed-run alarms use `AWS/Events` `TriggeredRules` of EventBridge rules filtered
   * on `jobDefinition` instead, and the long-running alarm (which has no per-workload signal) is not created.
   *
   * @see https://docs.aws.amazon.com/batch/latest/userguide/service_limits.html
   * @default false - the queue is dedicated to this workload, so `AWS/Batch` metrics are per workload
   */
  readonly sharedQueue?: boolean;

  /**
   * The workload's schedule, from which the missed-run (dead-man's switch) window is derived: a cron firing once a
   * day gives a 1-day wall-clock window in the schedule's time zone (unless fire time + job timeout passes midnight),
   * once a week a 1-week one; any other schedule a sliding window of 1.5 x its period (longest gap plus half the
   * shortest gap for uneven crons), at most 7 days.
   *
   * @default - no missed-run alarm unless `successWindow` is set
   */
  readonly schedule?: scheduler.ScheduleExpression;

  /**
   * Overrides the missed-run window: the alarm fires when no job succeeded within this sliding window. Must be at
   * least the schedule's period (longest gap between two runs) and at most 7 days.
   *
   * @default - derived from `schedule`
   */
  readonly successWindow?: Duration;

  /**
   * The workload's EventBridge Scheduler schedule group. Enables the schedule-delivery alarm on its
   * `AWS/Scheduler` `TargetErrorCount` and `InvocationDroppedCount`. Use a group per workload: the metrics are per
   * group.
   *
   * @default - no schedule-delivery alarm
   */
  readonly scheduleGroup?: scheduler.IScheduleGroup;

  /**
   * The schedule's dead-letter queue. Enables an alarm on `ApproximateNumberOfMessagesVisible` >= 1.
   *
   * @default - no dead-letter-queue alarm
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * The job's attempt timeout; the long-running alarm fires when an attempt ran longer than 80% of it.
   *
   * @default - `jobDefinition.timeout`; no long-running alarm when neither is set
   */
  readonly jobTimeout?: Duration;

  /**
   * Enables the slow-start alarm: a job waited longer than this in RUNNABLE before STARTING
   * (`JobAttemptRunnableToStartingDuration`, Maximum).
   *
   * @default - no slow-start alarm
   */
  readonly slowStartThreshold?: Duration;

  /**
   * Topic every alarm (and the per-job failure notification) is sent to. A brought topic encrypted with KMS needs a
   * customer-managed key whose policy lets `cloudwatch.amazonaws.com` and `events.amazonaws.com` use it, and an
   * imported topic's policy must allow `events.amazonaws.com` to publish.
   *
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
   * @default - a new topic that denies publishing without TLS (`enforceSSL`)
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Subscribes this e-mail address to the alarm topic (the recipient must confirm the subscription).
   *
   * @default - no subscription
   */
  readonly notificationEmail?: string;

  /**
   * Do not count jobs that FAILED because an operator cancelled or terminated them:
   * the failed-jobs alarm becomes `JobsMovedToFailed - JobsCancelled - JobsTerminated` (3 billed alarm metrics).
   * Only possible on a dedicated queue: the Batch events do not tell an operator cancel apart.
   *
   * @default false
   */
  readonly excludeOperatorCancellations?: boolean;

  /**
   * Creates a CloudWatch dashboard (succeeded vs failed, retries, time in queue / launch / run time, schedule
   * delivery, alarm status). Each dashboard beyond the account's three free ones costs $3 a month.
   *
   * @see https://aws.amazon.com/cloudwatch/pricing/
   * @default false
   */
  readonly dashboard?: boolean;

  /**
   * Sends one message per FAILED job to the alarm topic (EventBridge rule on `Batch Job State Change`, with the job
   * name, id, status reason, exit code and log stream name).
   *
   * @default true
   */
  readonly failureNotifications?: boolean;
}

interface AlarmCost {
  readonly description: string;
  readonly metrics: number;
}

/**
 * Alarms for a scheduled AWS Batch workload, on metrics and events AWS really emits.
 *
 * - failed jobs (`AWS/Batch` `JobsMovedToFailed`, or the rule's `TriggeredRules` on a shared queue)
 * - missed or late run: a dead-man's switch, "no job succeeded within the window" (missing data = breaching)
 * - queue blocked (EventBridge `Batch Job Queue Blocked`, e.g. an INVALID compute environment)
 * - schedule fired but SubmitJob failed (`AWS/Scheduler`), and the schedule's dead-letter queue
 * - long-running and slow-start jobs (`AWS/Batch` duration metrics)
 * - a per-job failure notification with the job's exit code and log stream
 *
 * No Lambda pollers: everything is CloudWatch alarms and EventBridge rules.
 *
 * @example
 * declare const jobQueue: batch.IJobQueue;
 * new BatchAlarms(this, 'Alarms', {
 *   jobQueue,
 *   schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: TimeZone.EUROPE_LONDON }),
 *   jobTimeout: Duration.hours(1),
 *   notificationEmail: 'oncall@example.com',
 * });
 */
export class BatchAlarms extends Construct implements ICostEstimable {
  /** The topic every alarm notifies. */
  public readonly alarmTopic: sns.ITopic;
  /** Jobs reached FAILED. */
  public readonly failedJobsAlarm: cloudwatch.IAlarm;
  /** No job succeeded within the expected window (dead-man's switch); absent without `schedule`/`successWindow`. */
  public readonly missedRunAlarm?: cloudwatch.IAlarm;
  /** The window of {@link missedRunAlarm}. */
  public readonly missedRunWindow?: Duration;
  /** Batch reported the queue blocked (a RUNNABLE job that cannot start). */
  public readonly queueBlockedAlarm: cloudwatch.IAlarm;
  /** The schedule fired but SubmitJob failed or the invocation was dropped; absent without `scheduleGroup`. */
  public readonly scheduleDeliveryAlarm?: cloudwatch.IAlarm;
  /** The schedule's dead-letter queue holds a message; absent without `deadLetterQueue`. */
  public readonly deadLetterQueueAlarm?: cloudwatch.IAlarm;
  /** An attempt ran longer than 80% of the job timeout; absent without a timeout or on a shared queue. */
  public readonly longRunningAlarm?: cloudwatch.IAlarm;
  /** A job waited in RUNNABLE longer than `slowStartThreshold`; absent without it. */
  public readonly slowStartAlarm?: cloudwatch.IAlarm;
  /** The dashboard, when `dashboard` is true. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** Every alarm created, in the order above. */
  public readonly alarms: cloudwatch.IAlarm[];
  /** EventBridge rule on `Batch Job Queue Blocked` for this queue (and job definition, when given). */
  public readonly queueBlockedRule: events.Rule;
  /** EventBridge rule on FAILED jobs: notification target and, on a shared queue, the failed-jobs signal. */
  public readonly failedJobRule?: events.Rule;
  /** EventBridge rule on SUCCEEDED jobs of the job definition: the missed-run signal on a shared queue. */
  public readonly succeededJobRule?: events.Rule;

  private readonly jobQueue: batch.IJobQueue;
  /**
   * What the alarm descriptions name: the construct path the alarms watch (a literal; the queue's name is a token that
   * would add an Fn::Select/Fn::Split to every description).
   */
  private readonly subject: string;
  private readonly ownAlarms: cloudwatch.Alarm[] = [];
  private readonly alarmCosts: AlarmCost[] = [];

  constructor(scope: Construct, id: string, props: BatchAlarmsProps) {
    super(scope, id);
    this.subject = `${scope.node.path || 'the app'} (job queue ${Token.isUnresolved(props.jobQueue.jobQueueName) ? props.jobQueue.node.path : props.jobQueue.jobQueueName})`;
    this.jobQueue = props.jobQueue;
    const shared = props.sharedQueue ?? false;

    // ---- validation -------------------------------------------------------------------------------------------
    if (shared && !props.jobDefinition) {
      throw new Error("'jobDefinition' is required when 'sharedQueue' is true: AWS/Batch metrics only have the "
        + 'JobQueueName dimension, so per-workload alarms need EventBridge rules filtered on the job definition. '
        + "Pass the workload's job definition, or set 'sharedQueue' to false if the queue is dedicated.");
    }
    const jobTimeout = props.jobTimeout ?? props.jobDefinition?.timeout;
    if (props.jobTimeout && !props.jobTimeout.isUnresolved() && props.jobTimeout.toSeconds() < MIN_JOB_TIMEOUT_SECONDS) {
      throw new Error(`'jobTimeout' must be at least 60 seconds (the AWS Batch minimum), got ${props.jobTimeout.toHumanString()}. `
        + 'Pass the timeout of the job definition.');
    }
    if (props.slowStartThreshold && !props.slowStartThreshold.isUnresolved() && props.slowStartThreshold.toSeconds() <= 0) {
      throw new Error(`'slowStartThreshold' must be positive, got ${props.slowStartThreshold.toHumanString()}. `
        + 'Pass how long a job may wait in RUNNABLE, e.g. Duration.minutes(30), or leave it unset.');
    }
    if (props.notificationEmail !== undefined && !Token.isUnresolved(props.notificationEmail)
      && !/^[^@\s]+@[^@\s]+$/.test(props.notificationEmail)) {
      throw new Error(`'notificationEmail' must be an e-mail address, got '${props.notificationEmail}'.`);
    }

    // ---- topic ------------------------------------------------------------------------------------------------
    if (props.alarmTopic) {
      this.alarmTopic = props.alarmTopic;
    } else {
      this.alarmTopic = createAlarmTopic(this, 'AlarmTopic');
    }
    if (props.notificationEmail !== undefined) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.notificationEmail));
    }

    const jobDefinitionFilter = props.jobDefinition
      ? { jobDefinition: events.Match.prefix(jobDefinitionArnPrefix(props.jobDefinition)) }
      : {};
    const stateChangeRule = (ruleId: string, status: string, description: string) => new events.Rule(this, ruleId, {
      description,
      eventPattern: {
        source: ['aws.batch'],
        detailType: ['Batch Job State Change'],
        detail: { status: [status], jobQueue: [this.jobQueue.jobQueueArn], ...jobDefinitionFilter },
      },
    });

    // ---- 7. per-job failure notification (also the shared-queue failed-jobs signal) ----------------------------
    if ((props.failureNotifications ?? true) || shared) {
      this.failedJobRule = stateChangeRule('FailedJobRule', 'FAILED', 'AWS Batch jobs of this workload that reached FAILED');
      if (props.failureNotifications ?? true) {
        if (props.alarmTopic && !(props.alarmTopic instanceof sns.Topic)) {
          Annotations.of(this).addWarningV2('cdk-scheduled-batch:importedAlarmTopicPolicy',
            "'alarmTopic' is imported, so the failure-notification rule cannot add a topic policy: make sure the "
            + "topic policy allows 'events.amazonaws.com' to sns:Publish, or set 'failureNotifications' to false.");
        }
        this.failedJobRule.addTarget(new targets.SnsTopic(this.alarmTopic, { message: failureMessage() }));
      }
    }

    // ---- 1. failed jobs ---------------------------------------------------------------------------------------
    let failedMetric: cloudwatch.IMetric;
    if (shared) {
      if (props.excludeOperatorCancellations) {
        Annotations.of(this).addWarningV2('cdk-scheduled-batch:cancellationsNotExcluded',
          "'excludeOperatorCancellations' has no effect with 'sharedQueue': the Batch event of a cancelled job cannot "
          + 'be told apart from another failure, and JobsCancelled/JobsTerminated mix every workload on the queue.');
      }
      failedMetric = this.ruleTriggered(this.failedJobRule!);
      this.alarmCosts.push({ description: 'failed jobs (TriggeredRules)', metrics: 1 });
    } else if (props.excludeOperatorCancellations) {
      failedMetric = new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) - FILL(cancelled, 0) - FILL(terminated, 0)',
        usingMetrics: {
          failed: this.metricJobsFailed(),
          cancelled: this.metricJobsCancelled(),
          terminated: this.metricJobsTerminated(),
        },
        label: 'Failed jobs, without operator cancels',
        period: ALARM_PERIOD,
      });
      this.alarmCosts.push({ description: 'failed jobs (JobsMovedToFailed - JobsCancelled - JobsTerminated)', metrics: 3 });
    } else {
      failedMetric = this.metricJobsFailed();
      this.alarmCosts.push({ description: 'failed jobs (JobsMovedToFailed)', metrics: 1 });
    }
    this.failedJobsAlarm = this.alarm('FailedJobsAlarm', {
      metric: failedMetric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `A job of ${this.subject} reached FAILED (after its retries). `
        + 'First check: the failure notification or DescribeJobs statusReason, exit code and log stream.',
    });

    // ---- 2. missed or late run (dead-man's switch) -----------------------------------------------------------
    const window = this.successWindow(props);
    if (window) {
      this.missedRunWindow = Duration.seconds(window.windowSeconds);
      let succeeded: cloudwatch.IMetric;
      if (shared) {
        this.succeededJobRule = stateChangeRule('SucceededJobRule', 'SUCCEEDED', 'AWS Batch jobs of this workload that reached SUCCEEDED');
        succeeded = this.ruleTriggered(this.succeededJobRule, Duration.seconds(window.periodSeconds));
      } else {
        succeeded = this.metricJobsSucceeded({ period: Duration.seconds(window.periodSeconds) });
      }
      const where = window.wallClockTimeZone
        ? `in the ${describeSeconds(window.periodSeconds).replace(/^1 /, '')} (${window.wallClockTimeZone}) that just ended`
        : `in the last ${describeSeconds(window.windowSeconds)}`;
      const alarm = this.alarm('MissedRunAlarm', {
        metric: succeeded,
        threshold: 1,
        evaluationPeriods: window.evaluationPeriods,
        datapointsToAlarm: window.evaluationPeriods,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: `No job of ${this.subject} succeeded ${where}: the scheduled run was not `
          + 'submitted, is stuck, or failed. First check: schedule-delivery and queue-blocked alarms, then the job list.',
      });
      if (window.wallClockTimeZone) {
        const cfnAlarm = alarm.node.defaultChild as cloudwatch.CfnAlarm;
        // aws-cdk-lib types this L1 property only from 2.264 on; the override renders the same CloudFormation on our
        // 2.263 floor and on newer releases.
        cfnAlarm.addPropertyOverride('EvaluationWindow', { WallClockWindow: { Timezone: window.wallClockTimeZone } });
        // The resource schema bundled with aws-cdk-lib's template validator predates EvaluationWindow (CloudFormation and
        // cfn-lint >= 1.58 accept it), so its F3002 on this one alarm is a false positive.
        // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudwatch-alarm-evaluationwindow.html
        Validations.of(cfnAlarm).acknowledge({
          id: 'CloudFormation-Validate::F3002',
          reason: 'EvaluationWindow (WallClockWindow) is a valid AWS::CloudWatch::Alarm property missing from the bundled schema.',
        });
      }
      this.missedRunAlarm = alarm;
      this.alarmCosts.push({ description: 'missed run (dead-man\'s switch)', metrics: 1 });
    }

    // ---- 3. queue blocked -------------------------------------------------------------------------------------
    this.queueBlockedRule = new events.Rule(this, 'QueueBlockedRule', {
      description: 'AWS Batch reports a RUNNABLE job of this queue blocked (e.g. compute environment INVALID)',
      eventPattern: {
        source: ['aws.batch'],
        detailType: ['Batch Job Queue Blocked'],
        detail: { jobQueue: [this.jobQueue.jobQueueArn], ...jobDefinitionFilter },
      },
    });
    this.queueBlockedAlarm = this.alarm('QueueBlockedAlarm', {
      metric: this.ruleTriggered(this.queueBlockedRule),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `AWS Batch reported the queue of ${this.subject} blocked. First check: the statusReason `
        + 'of the RUNNABLE job (ACTION_REQUIRED = compute environment INVALID; CAPACITY/MISCONFIGURATION otherwise).',
    });
    this.alarmCosts.push({ description: 'queue blocked (TriggeredRules)', metrics: 1 });

    // ---- 4. schedule fired but SubmitJob failed ----------------------------------------------------------------
    if (props.scheduleGroup) {
      const group = props.scheduleGroup;
      this.scheduleDeliveryAlarm = this.alarm('ScheduleDeliveryAlarm', {
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(targetErrors, 0) + FILL(dropped, 0)',
          usingMetrics: {
            targetErrors: group.metricTargetErrors({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }),
            dropped: group.metricDropped({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }),
          },
          label: 'SubmitJob errors + dropped invocations',
          period: ALARM_PERIOD,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `EventBridge Scheduler group ${group.scheduleGroupName} could not submit the job `
          + '(TargetErrorCount or InvocationDroppedCount). First check: the schedule role\'s batch:SubmitJob permission, '
          + 'the job queue and job definition ARNs in the target, and the dead-letter queue messages.',
      });
      this.alarmCosts.push({ description: 'schedule delivery (TargetErrorCount + InvocationDroppedCount)', metrics: 2 });
    }

    // ---- dead-letter queue ------------------------------------------------------------------------------------
    if (props.deadLetterQueue) {
      this.deadLetterQueueAlarm = this.alarm('DeadLetterQueueAlarm', {
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: ALARM_PERIOD,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `The dead-letter queue ${props.deadLetterQueue.queueName} holds a schedule invocation that was `
          + 'never delivered. First check: the message attributes (ERROR_CODE, ERROR_MESSAGE) of the message in the queue.',
      });
      this.alarmCosts.push({ description: 'dead-letter queue (ApproximateNumberOfMessagesVisible)', metrics: 1 });
    }

    // ---- 5. long-running -------------------------------------------------------------------------------------
    // On a shared queue JobAttemptExecutionDuration mixes every workload's run times, so there is no long-running
    // alarm; the job timeout still ends runaways, which the failed-jobs alarm reports.
    if (jobTimeout && !shared && !jobTimeout.isUnresolved()) {
      const thresholdMs = Math.round(jobTimeout.toMilliseconds() * LONG_RUNNING_SHARE);
      this.longRunningAlarm = this.alarm('LongRunningAlarm', {
        metric: this.metricExecutionDuration({ statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: thresholdMs,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `An attempt of ${this.subject} ran longer than 80% of the job timeout `
          + `(${jobTimeout.toHumanString()}). First check: the run's log stream and input size; raise the timeout or `
          + 'speed the job up before attempts start timing out.',
      });
      this.alarmCosts.push({ description: 'long-running (JobAttemptExecutionDuration)', metrics: 1 });
    }

    // ---- 6. slow start ----------------------------------------------------------------------------------------
    if (props.slowStartThreshold) {
      this.slowStartAlarm = this.alarm('SlowStartAlarm', {
        metric: this.metricTimeInQueue({ statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: props.slowStartThreshold.toMilliseconds(),
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `A job of ${this.subject} waited in RUNNABLE longer than `
          + `${props.slowStartThreshold.toHumanString()}. First check: compute environment maxvCpus, Spot capacity `
          + 'and the instance types allowed.',
      });
      this.alarmCosts.push({ description: 'slow start (JobAttemptRunnableToStartingDuration)', metrics: 1 });
    }

    this.alarms = [...this.ownAlarms];
    this.addAlarmAction(new cloudwatch_actions.SnsAction(this.alarmTopic));

    // ---- 9. dashboard -----------------------------------------------------------------------------------------
    if (props.dashboard) {
      this.dashboard = this.createDashboard(props, shared);
    }
  }

  /** Adds actions (SNS, Lambda, SSM, ...) to every alarm this construct created. */
  public addAlarmAction(...actions: cloudwatch.IAlarmAction[]): void {
    for (const alarm of this.ownAlarms) alarm.addAlarmAction(...actions);
  }

  /**
   * Any `AWS/Batch` metric of the queue (dimension `JobQueueName` = the queue's name).
   * Sum over 5 minutes unless `props` says otherwise.
   * @see https://docs.aws.amazon.com/batch/latest/userguide/using_cloudwatch_metrics.html
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: BATCH_NAMESPACE,
      metricName,
      dimensionsMap: { JobQueueName: this.jobQueue.jobQueueName },
      statistic: cloudwatch.Stats.SUM,
      period: ALARM_PERIOD,
      ...props,
    });
  }

  /** Jobs that entered SUBMITTED (`JobsSubmitted`; an array parent counts its size). Sum over 5 minutes. */
  public metricJobsSubmitted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JobsSubmitted', props);
  }

  /** Jobs that reached SUCCEEDED (`JobsMovedToSucceeded`). Sum over 5 minutes. */
  public metricJobsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JobsMovedToSucceeded', props);
  }

  /** Jobs that reached FAILED (`JobsMovedToFailed`, cancelled and terminated jobs included). Sum over 5 minutes. */
  public metricJobsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JobsMovedToFailed', props);
  }

  /** Jobs that FAILED because of a cancel request (`JobsCancelled`). Sum over 5 minutes. */
  public metricJobsCancelled(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JobsCancelled', props);
  }

  /** Jobs that FAILED because of a terminate request (`JobsTerminated`). Sum over 5 minutes. */
  public metricJobsTerminated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JobsTerminated', props);
  }

  /** Attempts that failed and went back to RUNNABLE (`JobsRetried`). Sum over 5 minutes. */
  public metricJobsRetried(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JobsRetried', props);
  }

  /** Jobs that entered RUNNING (`JobsMovedToRunning`). Sum over 5 minutes. */
  public metricJobsRunning(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JobsMovedToRunning', props);
  }

  /** Time in queue, RUNNABLE to STARTING, in ms (`JobAttemptRunnableToStartingDuration`). Maximum over 5 minutes. */
  public metricTimeInQueue(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JobAttemptRunnableToStartingDuration', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /** Container launch time, STARTING to RUNNING, in ms (`JobAttemptStartingToRunningDuration`). Maximum over 5 minutes. */
  public metricLaunchDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JobAttemptStartingToRunningDuration', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /** Run time of an attempt, in ms (`JobAttemptExecutionDuration`, emitted when the attempt ends). Maximum over 5 minutes. */
  public metricExecutionDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JobAttemptExecutionDuration', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /** Submission to first STARTING, in ms (`JobSubmittedToFirstStartingDuration`). Maximum over 5 minutes. */
  public metricSubmittedToFirstStartingDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JobSubmittedToFirstStartingDuration', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * Fixed monthly cost: each alarm metric (a metric-math alarm bills every metric in its expression) and the
   * dashboard, at list price (the account's 10 free alarm metrics and 3 free dashboards are not deducted).
   * `AWS/Batch` metrics, EventBridge rules on AWS service events and the SNS topic have no fixed cost.
   */
  public costLineItems(): CostLineItem[] {
    const items = this.alarmCosts.map((c) =>
      lineItem(CostCategory.ALARMS, `CloudWatch alarm: ${c.description}`, c.metrics, UnitPrices.ALARM_METRIC_MONTH));
    if (this.dashboard) {
      items.push(lineItem(CostCategory.DASHBOARD, 'CloudWatch dashboard', 1, UnitPrices.DASHBOARD_MONTH));
    }
    return items;
  }

  private alarm(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, props);
    this.ownAlarms.push(alarm);
    return alarm;
  }

  /** `AWS/Events` `TriggeredRules` of one rule (per rule, so per workload even on a shared queue). */
  private ruleTriggered(rule: events.IRule, period: Duration = ALARM_PERIOD): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: EVENTS_NAMESPACE,
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: rule.ruleName },
      statistic: cloudwatch.Stats.SUM,
      period,
    });
  }

  private successWindow(props: BatchAlarmsProps): SuccessWindow | undefined {
    const expression = props.schedule?.expressionString;
    const cadence = expression && !Token.isUnresolved(expression) ? scheduleCadence(expression) : undefined;

    if (props.successWindow) {
      if (props.successWindow.isUnresolved()) {
        throw new Error("'successWindow' must be a concrete duration (it sets the alarm period), got a token.");
      }
      const seconds = props.successWindow.toSeconds();
      if (seconds < 60 || seconds > MAX_ALARM_WINDOW_SECONDS) {
        throw new Error('\'successWindow\' must be between 1 minute and 7 days (the longest CloudWatch alarm window), got '
          + `${props.successWindow.toHumanString()}.`);
      }
      if (cadence && seconds < cadence.maxGapSeconds) {
        throw new Error(`'successWindow' (${props.successWindow.toHumanString()}) is shorter than the period of the schedule `
          + `'${expression}' (${describeSeconds(cadence.maxGapSeconds)} between runs): the alarm would fire while nothing is `
          + `wrong. Set 'successWindow' to at least ${describeSeconds(cadence.maxGapSeconds)}, or leave it unset to derive it.`);
      }
      return slidingWindow(seconds);
    }

    if (!props.schedule) return undefined;
    if (!cadence) {
      Annotations.of(this).addWarningV2('cdk-scheduled-batch:missedRunAlarmSkipped',
        `No missed-run alarm: the window cannot be derived from the schedule '${expression}' (one-time at(), a token, `
        + "or a cron using L, W, # or a year). Set 'successWindow' to the longest time between two successful runs.");
      return undefined;
    }
    const timeout = props.jobTimeout ?? props.jobDefinition?.timeout;
    const allowance = timeout && !timeout.isUnresolved() ? timeout.toSeconds() : 0;
    const window = deriveSuccessWindow(cadence, props.schedule.timeZone?.timezoneName, allowance);
    if (!window) {
      Annotations.of(this).addWarningV2('cdk-scheduled-batch:missedRunAlarmSkipped',
        `No missed-run alarm: the schedule '${expression}' has ${describeSeconds(cadence.maxGapSeconds)} between runs, `
        + 'longer than the 7 days a CloudWatch alarm can look back.');
    }
    return window;
  }

  private createDashboard(props: BatchAlarmsProps, shared: boolean): cloudwatch.Dashboard {
    const queueLabel = shared ? ' (whole queue, all workloads)' : '';
    const percentiles = (metric: (o?: cloudwatch.MetricOptions) => cloudwatch.Metric, what: string) => [
      metric({ statistic: cloudwatch.Stats.p(50), label: `${what} p50` }),
      metric({ statistic: cloudwatch.Stats.p(90), label: `${what} p90` }),
      metric({ statistic: cloudwatch.Stats.MAXIMUM, label: `${what} max` }),
    ];
    const outcome: cloudwatch.IMetric[] = [
      this.metricJobsSucceeded({ label: `Succeeded${queueLabel}` }),
      this.metricJobsFailed({ label: `Failed${queueLabel}` }),
    ];
    if (this.failedJobRule) {
      outcome.push(this.ruleTriggered(this.failedJobRule).with({ label: 'Failed (this workload)' }));
    }
    if (this.succeededJobRule) {
      outcome.push(this.ruleTriggered(this.succeededJobRule).with({ label: 'Succeeded (this workload)' }));
    }
    const widgets: cloudwatch.IWidget[][] = [
      [
        new cloudwatch.GraphWidget({ title: 'Jobs succeeded vs failed', left: outcome, width: 12 }),
        new cloudwatch.GraphWidget({
          title: `Retries and submissions${queueLabel}`,
          left: [this.metricJobsRetried({ label: 'Retried' }), this.metricJobsSubmitted({ label: 'Submitted' })],
          width: 12,
        }),
      ],
      [
        new cloudwatch.GraphWidget({ title: `Time in queue (ms)${queueLabel}`, left: percentiles((o) => this.metricTimeInQueue(o), 'Queue'), width: 8 }),
        new cloudwatch.GraphWidget({ title: `Launch time (ms)${queueLabel}`, left: percentiles((o) => this.metricLaunchDuration(o), 'Launch'), width: 8 }),
        new cloudwatch.GraphWidget({ title: `Run time (ms)${queueLabel}`, left: percentiles((o) => this.metricExecutionDuration(o), 'Run'), width: 8 }),
      ],
    ];
    const delivery: cloudwatch.IMetric[] = [];
    if (props.scheduleGroup) {
      const g = props.scheduleGroup;
      const sum = { period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM };
      delivery.push(
        g.metricAttempts({ ...sum, label: 'Invocation attempts' }),
        g.metricTargetErrors({ ...sum, label: 'SubmitJob errors' }),
        g.metricDropped({ ...sum, label: 'Dropped' }),
        g.metricSentToDLQ({ ...sum, label: 'Sent to DLQ' }),
      );
    }
    if (props.deadLetterQueue) {
      delivery.push(props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'DLQ messages', period: ALARM_PERIOD }));
    }
    const lastRow: cloudwatch.IWidget[] = [];
    if (delivery.length > 0) {
      lastRow.push(new cloudwatch.GraphWidget({ title: 'Schedule delivery', left: delivery, width: 12 }));
    }
    lastRow.push(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: delivery.length > 0 ? 12 : 24 }));
    widgets.push(lastRow);
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets,
      defaultInterval: Duration.days(7),
    });
  }
}

/**
 * The SNS message of the per-job failure notification (input transformer over the `Batch Job State Change` event).
 * `container.*` holds the last attempt.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/batch_job_events.html
 */
function failureMessage(): events.RuleTargetInput {
  return events.RuleTargetInput.fromObject({
    message: 'AWS Batch job FAILED',
    jobName: events.EventField.fromPath('$.detail.jobName'),
    jobId: events.EventField.fromPath('$.detail.jobId'),
    status: events.EventField.fromPath('$.detail.status'),
    statusReason: events.EventField.fromPath('$.detail.statusReason'),
    exitCode: events.EventField.fromPath('$.detail.container.exitCode'),
    logStreamName: events.EventField.fromPath('$.detail.container.logStreamName'),
    jobQueue: events.EventField.fromPath('$.detail.jobQueue'),
    jobDefinition: events.EventField.fromPath('$.detail.jobDefinition'),
    time: events.EventField.time,
    region: events.EventField.region,
  });
}
