import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { BatchQueueMetrics } from '../batch-queue-metrics';

/** @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html */
const EVENTS_NAMESPACE = 'AWS/Events';
const PERIOD = Duration.minutes(5);

/** Where a workload's job outcomes are read from, chosen once per `BatchAlarms`. */
export interface WorkloadSignals {
  /** Jobs of the workload that reached FAILED, and what the metric is (for the cost line). */
  failedJobs(): { readonly metric: cloudwatch.IMetric; readonly source: string };
}

/** `AWS/Events` `TriggeredRules` of one rule (per rule, so per workload even on a shared queue). */
export function ruleTriggered(rule: events.IRule, period: Duration = PERIOD): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: EVENTS_NAMESPACE,
    metricName: 'TriggeredRules',
    dimensionsMap: { RuleName: rule.ruleName },
    statistic: cloudwatch.Stats.SUM,
    period,
  });
}

/** A queue only this workload uses: the free `AWS/Batch` metrics are per workload. */
export function dedicatedQueueSignals(metrics: BatchQueueMetrics, excludeOperatorCancellations: boolean): WorkloadSignals {
  return {
    failedJobs: () => excludeOperatorCancellations
      ? {
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(failed, 0) - FILL(cancelled, 0) - FILL(terminated, 0)',
          usingMetrics: {
            failed: metrics.metricJobsFailed(),
            cancelled: metrics.metricJobsCancelled(),
            terminated: metrics.metricJobsTerminated(),
          },
          label: 'Failed jobs, without operator cancels',
          period: PERIOD,
        }),
        source: 'JobsMovedToFailed - JobsCancelled - JobsTerminated',
      }
      : { metric: metrics.metricJobsFailed(), source: 'JobsMovedToFailed' },
  };
}

/**
 * A queue other workloads share: `AWS/Batch` metrics mix them (their only dimension is `JobQueueName`), so outcomes
 * come from EventBridge rules filtered on this workload's job definition.
 */
export function sharedQueueSignals(failedJobRule: events.IRule): WorkloadSignals {
  return {
    failedJobs: () => ({ metric: ruleTriggered(failedJobRule), source: 'TriggeredRules' }),
  };
}
