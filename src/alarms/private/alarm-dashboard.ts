import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BatchQueueMetrics } from '../batch-queue-metrics';
import { ruleTriggered } from './alarm-signals';

const PERIOD = Duration.minutes(5);

/** What the workload dashboard shows. */
export interface AlarmDashboardInput {
  readonly metrics: BatchQueueMetrics;
  readonly shared: boolean;
  readonly failedJobRule?: events.IRule;
  readonly scheduleGroup?: scheduler.IScheduleGroup;
  readonly deadLetterQueue?: sqs.IQueue;
  readonly alarms: cloudwatch.IAlarm[];
}

/** Succeeded vs failed, retries, time in queue / launch / run time, schedule delivery and alarm status. */
export function createAlarmDashboard(scope: Construct, input: AlarmDashboardInput): cloudwatch.Dashboard {
  const m = input.metrics;
  const queueLabel = input.shared ? ' (whole queue, all workloads)' : '';
  const percentiles = (metric: (o?: cloudwatch.MetricOptions) => cloudwatch.Metric, what: string) => [
    metric({ statistic: cloudwatch.Stats.p(50), label: `${what} p50` }),
    metric({ statistic: cloudwatch.Stats.p(90), label: `${what} p90` }),
    metric({ statistic: cloudwatch.Stats.MAXIMUM, label: `${what} max` }),
  ];
  const outcome: cloudwatch.IMetric[] = [
    m.metricJobsSucceeded({ label: `Succeeded${queueLabel}` }),
    m.metricJobsFailed({ label: `Failed${queueLabel}` }),
  ];
  if (input.failedJobRule) outcome.push(ruleTriggered(input.failedJobRule).with({ label: 'Failed (this workload)' }));
  const widgets: cloudwatch.IWidget[][] = [
    [
      new cloudwatch.GraphWidget({ title: 'Jobs succeeded vs failed', left: outcome, width: 12 }),
      new cloudwatch.GraphWidget({
        title: `Retries and submissions${queueLabel}`,
        left: [m.metricJobsRetried({ label: 'Retried' }), m.metricJobsSubmitted({ label: 'Submitted' })],
        width: 12,
      }),
    ],
    [
      new cloudwatch.GraphWidget({ title: `Time in queue (ms)${queueLabel}`, left: percentiles((o) => m.metricTimeInQueue(o), 'Queue'), width: 8 }),
      new cloudwatch.GraphWidget({ title: `Launch time (ms)${queueLabel}`, left: percentiles((o) => m.metricLaunchDuration(o), 'Launch'), width: 8 }),
      new cloudwatch.GraphWidget({ title: `Run time (ms)${queueLabel}`, left: percentiles((o) => m.metricExecutionDuration(o), 'Run'), width: 8 }),
    ],
  ];
  const delivery: cloudwatch.IMetric[] = [];
  if (input.scheduleGroup) {
    const g = input.scheduleGroup;
    const sum = { period: PERIOD, statistic: cloudwatch.Stats.SUM };
    delivery.push(
      g.metricAttempts({ ...sum, label: 'Invocation attempts' }),
      g.metricTargetErrors({ ...sum, label: 'SubmitJob errors' }),
      g.metricDropped({ ...sum, label: 'Dropped' }),
      g.metricSentToDLQ({ ...sum, label: 'Sent to DLQ' }),
    );
  }
  if (input.deadLetterQueue) {
    delivery.push(input.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'DLQ messages', period: PERIOD }));
  }
  const lastRow: cloudwatch.IWidget[] = [];
  if (delivery.length > 0) {
    lastRow.push(new cloudwatch.GraphWidget({ title: 'Schedule delivery', left: delivery, width: 12 }));
  }
  lastRow.push(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: input.alarms, width: delivery.length > 0 ? 12 : 24 }));
  widgets.push(lastRow);
  return new cloudwatch.Dashboard(scope, 'Dashboard', { widgets, defaultInterval: Duration.days(7) });
}
