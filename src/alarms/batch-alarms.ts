import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatch_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BatchAlarmsProps } from './batch-alarms-props';
import { BatchQueueMetrics } from './batch-queue-metrics';
import { CostCategory, CostLineItem, ICostEstimable, UnitPrices } from '../cost/cost';
import { createAlarmDashboard } from './private/alarm-dashboard';
import { failureMessage, queueBlockedMessage } from './private/alarm-messages';
import { SignalPlan, eventFilters, planSignals, validateAlarmsProps } from './private/alarm-props';
import { WorkloadSignals, dedicatedQueueSignals, sharedQueueSignals } from './private/alarm-signals';
import { allowAlarmsToPublish, createAlarmTopic, topicTarget } from '../private/alarm-topic';
import { lineItem } from '../private/cost-math';
import { inHostSpelling } from '../private/prop-names';
import { rejectUnknownKeys } from '../private/struct-keys';

/** Period of the event-driven alarms (failed, blocked, delivery, DLQ, durations). */
const ALARM_PERIOD = Duration.minutes(5);
/** The long-running alarm fires above this share of the job timeout. */
const LONG_RUNNING_SHARE = 0.8;

/**
 * Alarms for a scheduled AWS Batch workload, on metrics and events AWS really emits.
 *
 * - failed jobs (`AWS/Batch` `JobsMovedToFailed`, or the rule's `TriggeredRules` on a shared queue)
 * - queue blocked (EventBridge `Batch Job Queue Blocked`, e.g. an INVALID compute environment)
 * - schedule fired but SubmitJob failed (`AWS/Scheduler`), and the schedule's dead-letter queue
 * - long-running and slow-start jobs (`AWS/Batch` duration metrics)
 * - a per-job failure notification with the job's exit code and log stream
 *
 * No Lambda pollers: everything is CloudWatch alarms and EventBridge rules.
 *
 * Nothing here reports a scheduled run that never happened, never started or never finished: AWS Batch publishes its
 * job metrics and events only when a job changes state, and no metric counts the runs a schedule was due to start, so
 * an alarm on "no success in the window" is wrong for many schedules (a late run, a skipped run on a daylight-saving
 * day, an uneven cron). Runs tracked by a `RunTracker` (the `ScheduledBatchWorkload` default) report a run that
 * never starts or never finishes, at its deadline.
 *
 * @example
 * declare const jobQueue: batch.IJobQueue;
 * new BatchAlarms(this, 'Alarms', {
 *   jobQueue,
 *   jobTimeout: Duration.hours(1),
 *   notificationEmail: 'oncall@example.com',
 * });
 */
export class BatchAlarms extends Construct implements ICostEstimable {
  /** The topic every alarm notifies. */
  public readonly alarmTopic: sns.ITopic;
  /** The `AWS/Batch` metrics of the watched queue. */
  public readonly metrics: BatchQueueMetrics;
  /** Jobs reached FAILED; absent when `runsTracked`. */
  public readonly failedJobsAlarm?: cloudwatch.IAlarm;
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
  /**
   * EventBridge rule on `Batch Job Queue Blocked` for this queue (and job definition, when given); it sends each event
   * to the alarm topic (a rule with a target, whose delivery EventBridge documents, rather than an alarm on the
   * `TriggeredRules` of a rule without one).
   */
  public readonly queueBlockedRule?: events.Rule;
  /** EventBridge rule on FAILED jobs: notification target and, on a shared queue, the failed-jobs signal. */
  public readonly failedJobRule?: events.Rule;

  /** What the alarm descriptions name: the construct path watched (a literal, not the queue-name token). */
  private readonly subject: string;
  private readonly signals: WorkloadSignals;
  private failureNotificationsOn = false;
  private readonly ownAlarms: cloudwatch.Alarm[] = [];
  private readonly alarmCosts: Array<{ readonly description: string; readonly metrics: number }> = [];

  constructor(scope: Construct, id: string, props: BatchAlarmsProps) {
    super(scope, id);
    rejectUnknownKeys('BatchAlarmsProps', props);
    validateAlarmsProps(props);
    this.subject = subjectOf(scope, props.jobQueue);
    this.metrics = new BatchQueueMetrics(props.jobQueue);
    this.alarmTopic = this.setUpAlarmTopic(props);

    const plan = planSignals(props);
    const filters = eventFilters(props);
    if (plan.failedJobRule) {
      this.failedJobRule = this.stateChangeRule('FailedJobRule', 'FAILED', 'AWS Batch jobs of this workload that reached FAILED', filters.outcome);
    }
    this.signals = this.chooseSignals(props, plan);
    if (plan.notifyFailures) this.notifyFailures(props);

    if (!plan.tracked) this.failedJobsAlarm = this.addFailedJobsAlarm();
    const jobTimeout = props.jobTimeout ?? props.jobDefinition?.timeout;
    if (props.queueBlockedNotifications ?? true) this.queueBlockedRule = this.createQueueBlockedRule(filters.jobDefinition);
    if (props.scheduleGroup) this.scheduleDeliveryAlarm = this.addScheduleDeliveryAlarm(props.scheduleGroup);
    if (props.deadLetterQueue) this.deadLetterQueueAlarm = this.addDeadLetterQueueAlarm(props.deadLetterQueue);
    if (plan.longRunningAlarm && jobTimeout && !jobTimeout.isUnresolved()) this.longRunningAlarm = this.addLongRunningAlarm(jobTimeout);
    if (props.slowStartThreshold) this.slowStartAlarm = this.addSlowStartAlarm(props.slowStartThreshold);

    this.alarms = [...this.ownAlarms];
    this.addAlarmAction(new cloudwatch_actions.SnsAction(this.alarmTopic));
    if (props.dashboard) this.dashboard = this.createDashboard(props);
  }

  /**
   * Sends every alarm and every notification rule of this construct to `topic` as well (e.g. a platform-wide topic
   * for the platform team next to the workload's own).
   */
  public addNotificationTopic(topic: sns.ITopic): void {
    allowAlarmsToPublish(topic);
    this.addAlarmAction(new cloudwatch_actions.SnsAction(topic));
    this.queueBlockedRule?.addTarget(topicTarget(topic, queueBlockedMessage()));
    if (this.failureNotificationsOn) this.failedJobRule!.addTarget(topicTarget(topic, failureMessage()));
  }

  /** Adds actions (SNS, Lambda, SSM, ...) to every alarm this construct created. */
  public addAlarmAction(...actions: cloudwatch.IAlarmAction[]): void {
    for (const alarm of this.ownAlarms) alarm.addAlarmAction(...actions);
  }

  /**
   * Fixed monthly cost of the alarms this construct created, each billed per metric (a metric-math alarm per metric
   * in its expression), and the dashboard, at list price (the account's 10 free alarm metrics and 3 free dashboards
   * are not deducted). `AWS/Batch` metrics, EventBridge rules on AWS service events and the SNS topic cost nothing.
   */
  public costLineItems(): CostLineItem[] {
    const items = this.alarmCosts.map((c) =>
      lineItem(CostCategory.ALARMS, `CloudWatch alarm: ${c.description}`, c.metrics, UnitPrices.ALARM_METRIC_MONTH));
    if (this.dashboard) {
      items.push(lineItem(CostCategory.DASHBOARD, 'CloudWatch dashboard', 1, UnitPrices.DASHBOARD_MONTH));
    }
    return items;
  }

  /** The topic every alarm notifies (the caller's, or a new one), open to CloudWatch and EventBridge, with the e-mail. */
  private setUpAlarmTopic(props: BatchAlarmsProps): sns.ITopic {
    const topic = props.alarmTopic ?? createAlarmTopic(this, 'AlarmTopic');
    allowAlarmsToPublish(topic);
    if (props.notificationEmail !== undefined) {
      topic.addSubscription(new subscriptions.EmailSubscription(props.notificationEmail));
    }
    return topic;
  }

  /**
   * The signal source, chosen once: `AWS/Batch` metrics of a dedicated queue, or per-workload rules (on a shared queue,
   * or when some jobs are ignored), where operator cancellations cannot be told apart (warned).
   */
  private chooseSignals(props: BatchAlarmsProps, plan: SignalPlan): WorkloadSignals {
    if (!plan.ruleSignals) {
      return dedicatedQueueSignals(this.metrics, props.excludeOperatorCancellations ?? false);
    }
    if (props.excludeOperatorCancellations) {
      Annotations.of(this).addWarningV2('cdk-scheduled-batch:cancellationsNotExcluded',
        inHostSpelling(`'excludeOperatorCancellations' has no effect with '${plan.shared ? 'sharedQueue' : 'ignoredJobNamePrefix'}': the Batch event of a cancelled job cannot `
        + 'be told apart from another failure, and JobsCancelled/JobsTerminated mix every workload on the queue.'));
    }
    return sharedQueueSignals(this.failedJobRule!);
  }

  /** The rule that sends each `Batch Job Queue Blocked` event of this queue (and job definition) to the alarm topic. */
  private createQueueBlockedRule(jobDefinitionFilter: object): events.Rule {
    const rule = new events.Rule(this, 'QueueBlockedRule', {
      description: 'AWS Batch reports a RUNNABLE job of this queue blocked (e.g. compute environment INVALID)',
      eventPattern: {
        source: ['aws.batch'],
        detailType: ['Batch Job Queue Blocked'],
        detail: { jobQueue: [this.metrics.jobQueue.jobQueueArn], ...jobDefinitionFilter },
      },
    });
    rule.addTarget(topicTarget(this.alarmTopic, queueBlockedMessage()));
    return rule;
  }

  private createDashboard(props: BatchAlarmsProps): cloudwatch.Dashboard {
    return createAlarmDashboard(this, {
      metrics: this.metrics,
      shared: props.sharedQueue ?? false,
      failedJobRule: this.failedJobRule,
      scheduleGroup: props.scheduleGroup,
      deadLetterQueue: props.deadLetterQueue,
      alarms: this.alarms,
    });
  }

  private addFailedJobsAlarm(): cloudwatch.Alarm {
    const failed = this.signals.failedJobs();
    return this.addAlarm('FailedJobsAlarm', failed.metric, `failed jobs (${failed.source})`, {
      alarmDescription: `A job of ${this.subject} reached FAILED (after its retries). `
        + 'First check: the failure notification or DescribeJobs statusReason, exit code and log stream.',
    });
  }

  private addScheduleDeliveryAlarm(group: scheduler.IScheduleGroup): cloudwatch.Alarm {
    const sum = { period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM };
    const metric = new cloudwatch.MathExpression({
      expression: 'FILL(targetErrors, 0) + FILL(dropped, 0)',
      usingMetrics: { targetErrors: group.metricTargetErrors(sum), dropped: group.metricDropped(sum) },
      label: 'SubmitJob errors + dropped invocations',
      period: ALARM_PERIOD,
    });
    return this.addAlarm('ScheduleDeliveryAlarm', metric, 'schedule delivery (TargetErrorCount + InvocationDroppedCount)', {
      alarmDescription: `EventBridge Scheduler group ${group.scheduleGroupName} could not start a run `
        + '(TargetErrorCount or InvocationDroppedCount). First check: the dead-letter queue messages (they name the schedule), '
        + 'then that schedule\'s role: states:StartExecution on its state machine (a platform\'s role allows it by the '
        + 'cdk-scheduled-batch:platform tag) for tracked runs, batch:SubmitJob on the job queue and job definition for untracked ones.',
    });
  }

  private addDeadLetterQueueAlarm(queue: sqs.IQueue): cloudwatch.Alarm {
    const metric = queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.MAXIMUM });
    return this.addAlarm('DeadLetterQueueAlarm', metric, 'dead-letter queue (ApproximateNumberOfMessagesVisible)', {
      alarmDescription: `The dead-letter queue ${queue.queueName} holds a schedule invocation that was `
        + 'never delivered. First check: the message attributes (ERROR_CODE, ERROR_MESSAGE) of the message in the queue.',
    });
  }

  private addLongRunningAlarm(jobTimeout: Duration): cloudwatch.Alarm {
    const metric = this.metrics.metricExecutionDuration({ statistic: cloudwatch.Stats.MAXIMUM });
    return this.addAlarm('LongRunningAlarm', metric, 'long-running (JobAttemptExecutionDuration)', {
      threshold: Math.round(jobTimeout.toMilliseconds() * LONG_RUNNING_SHARE),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `An attempt of ${this.subject} ran longer than 80% of the job timeout `
        + `(${jobTimeout.toHumanString()}). First check: the run's log stream and input size; raise the timeout or `
        + 'speed the job up before attempts start timing out.',
    });
  }

  private addSlowStartAlarm(threshold: Duration): cloudwatch.Alarm {
    const metric = this.metrics.metricTimeInQueue({ statistic: cloudwatch.Stats.MAXIMUM });
    return this.addAlarm('SlowStartAlarm', metric, 'slow start (JobAttemptRunnableToStartingDuration)', {
      threshold: threshold.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `A job of ${this.subject} waited in RUNNABLE longer than `
        + `${threshold.toHumanString()}. First check: compute environment maxvCpus, Spot capacity `
        + 'and the instance types allowed.',
    });
  }

  /**
   * The one place alarms are made, with the shared defaults (>= 1 in one period, missing data not breaching); its
   * cost is counted from the metrics the alarm really evaluates.
   */
  private addAlarm(id: string, metric: cloudwatch.IMetric, costDescription: string,
    options: Partial<cloudwatch.CreateAlarmOptions> & { readonly alarmDescription: string }): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: options.threshold ?? 1,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...options,
    });
    this.ownAlarms.push(alarm);
    const billed = metric instanceof cloudwatch.MathExpression ? Object.keys(metric.usingMetrics).length : 1;
    this.alarmCosts.push({ description: costDescription, metrics: billed });
    return alarm;
  }

  private notifyFailures(props: BatchAlarmsProps): void {
    if (props.alarmTopic && !(props.alarmTopic instanceof sns.Topic)) {
      Annotations.of(this).addWarningV2('cdk-scheduled-batch:importedAlarmTopicPolicy',
        inHostSpelling("'alarmTopic' is imported, so no topic policy can be added to it: make sure its policy allows "
        + "'cloudwatch.amazonaws.com' and 'events.amazonaws.com' to sns:Publish (docs/operations.md), or set 'failureNotifications' to false."));
    }
    this.failedJobRule!.addTarget(topicTarget(this.alarmTopic, failureMessage()));
    this.failureNotificationsOn = true;
  }

  private stateChangeRule(ruleId: string, status: string, description: string, jobDefinitionFilter: object): events.Rule {
    return new events.Rule(this, ruleId, {
      description,
      eventPattern: {
        source: ['aws.batch'],
        detailType: ['Batch Job State Change'],
        detail: { status: [status], jobQueue: [this.metrics.jobQueue.jobQueueArn], ...jobDefinitionFilter },
      },
    });
  }
}


/** What the alarm descriptions name: the construct path watched, and the queue (its name when it is a literal). */
function subjectOf(scope: Construct, queue: batch.IJobQueue): string {
  return `${scope.node.path || 'the app'} (job queue ${Token.isUnresolved(queue.jobQueueName) ? queue.node.path : queue.jobQueueName})`;
}
