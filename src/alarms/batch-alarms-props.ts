import { Duration } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';

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
   * When true, the failed-jobs alarm uses the `AWS/Events` `TriggeredRules` of an EventBridge rule filtered on
   * `jobDefinition` instead, and the long-running alarm (which has no per-workload signal) is not created.
   *
   * @see https://docs.aws.amazon.com/batch/latest/userguide/service_limits.html
   * @default false - the queue is dedicated to this workload, so `AWS/Batch` metrics are per workload
   */
  readonly sharedQueue?: boolean;

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
   * (`JobAttemptRunnableToStartingDuration`, Maximum). Batch publishes the metric when the job leaves RUNNABLE, so a job
   * that never starts does not trip it.
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
   * Send each `Batch Job Queue Blocked` event of the queue (and job definition) to the alarm topic with a rule. Turn it
   * off where another rule already sends them to the same topic, such as a platform's for its whole queue.
   * @default true
   */
  readonly queueBlockedNotifications?: boolean;

  /**
   * Sends one message per FAILED job to the alarm topic (EventBridge rule on `Batch Job State Change`, with the job
   * name, id, status reason, exit code and log stream name).
   *
   * @default true
   */
  readonly failureNotifications?: boolean;

  /**
   * Each run is tracked elsewhere (a `RunTracker`, as `ScheduledBatchWorkload` does by default), which reports a
   * failed, late or unsubmitted run once: the failed-jobs and long-running alarms and the per-job failure notification
   * would only repeat it, so they are not created.
   *
   * @default false
   */
  readonly runsTracked?: boolean;

  /**
   * Jobs whose name starts with this are left out of the failed-jobs signal and the per-job failure notification:
   * e.g. `DeployVerification.jobNamePrefix`, whose runs fail the deployment instead. The rule gets an `anything-but`
   * `prefix` match on `detail.jobName`, and on a dedicated queue the failed-jobs alarm reads that rule (`AWS/Events`
   * `TriggeredRules`) instead of the `AWS/Batch` metrics, which have no job-name dimension.
   *
   * @default - every job of the queue (and job definition) counts
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-anything-but
   */
  readonly ignoredJobNamePrefix?: string;
}
