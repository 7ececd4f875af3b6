/**
 * The stacks of the example app (examples/app.ts), also built by test/performance-doc.test.ts to check that what the
 * example prints agrees with docs/performance.md and the README.
 */
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchPlatform, ScheduledBatchWorkload } from '../src';
import { StackSummary } from './summary';

export const EXAMPLE_IMAGE = 'public.ecr.aws/docker/library/python:3.13-slim';
export const SHARED_WORKLOADS = 10;

export function exampleStacks(app: App): StackSummary[] {
  // 1. The one-liner: its own VPC, Spot compute, queue, schedule, logs, IAM and alarms.
  const oneLiner = new Stack(app, 'NightlyReportStack');
  new ScheduledBatchWorkload(oneLiner, 'NightlyReport', {
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: TimeZone.EUROPE_LONDON }),
    image: ecs.ContainerImage.fromRegistry(EXAMPLE_IMAGE),
    command: ['python', '-c', 'print("hello")'],
  });

  // 2. The next step: one platform, ten workloads. Each adds no network cost and no job queue.
  const shared = new Stack(app, 'SharedPlatformStack');
  const platform = new BatchPlatform(shared, 'Platform');
  for (let i = 0; i < SHARED_WORKLOADS; i++) {
    new ScheduledBatchWorkload(shared, `Report${i + 1}`, {
      platform,
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(24)),
      image: ecs.ContainerImage.fromRegistry(EXAMPLE_IMAGE),
      command: ['python', '-c', `print("report ${i + 1}")`],
    });
  }
  return [{ stack: oneLiner, workloads: 1 }, { stack: shared, workloads: SHARED_WORKLOADS }];
}
