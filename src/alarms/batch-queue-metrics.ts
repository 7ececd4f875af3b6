import { Duration } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * Namespace of the job metrics AWS Batch publishes for free, with the single dimension `JobQueueName`.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/using_cloudwatch_metrics.html
 */
const BATCH_NAMESPACE = 'AWS/Batch';
/** Default period of the metrics. */
const PERIOD = Duration.minutes(5);

/**
 * The `AWS/Batch` job metrics of one job queue (dimension `JobQueueName`), as aws-cdk puts `metric*()` on a resource.
 * On a queue shared by several workloads they mix every workload's jobs.
 *
 * @see https://docs.aws.amazon.com/batch/latest/userguide/using_cloudwatch_metrics.html
 *
 * @example
 * declare const jobQueue: batch.IJobQueue;
 * const failed = new BatchQueueMetrics(jobQueue).metricJobsFailed();
 */
export class BatchQueueMetrics {
  /** The queue whose metrics these are. */
  public readonly jobQueue: batch.IJobQueue;

  constructor(jobQueue: batch.IJobQueue) {
    this.jobQueue = jobQueue;
  }

  /** Any `AWS/Batch` metric of the queue. Sum over 5 minutes unless `props` says otherwise. */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: BATCH_NAMESPACE,
      metricName,
      dimensionsMap: { JobQueueName: this.jobQueue.jobQueueName },
      statistic: cloudwatch.Stats.SUM,
      period: PERIOD,
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
}
