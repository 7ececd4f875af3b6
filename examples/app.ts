/**
 * The example app: what `new ScheduledBatchWorkload(...)` deploys, alone and on a shared platform.
 *
 *   npx projen example        # synthesizes this app offline into examples/cdk.out and prints what it made
 *   cd examples && npx cdk deploy --all   # with an AWS account
 */
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchPlatform, ScheduledBatchWorkload } from '../src';
import { summarize } from './summary';

const app = new App();

// 1. The one-liner: its own VPC, Spot compute, queue, schedule, logs, IAM and alarms.
const oneLiner = new Stack(app, 'NightlyReportStack');
new ScheduledBatchWorkload(oneLiner, 'NightlyReport', {
  schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: TimeZone.EUROPE_LONDON }),
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
  command: ['python', '-c', 'print("hello")'],
});

// 2. The next step: one platform, ten workloads. Each adds no network cost and no job queue.
const shared = new Stack(app, 'SharedPlatformStack');
const platform = new BatchPlatform(shared, 'Platform');
for (let i = 0; i < 10; i++) {
  new ScheduledBatchWorkload(shared, `Report${i + 1}`, {
    platform,
    schedule: scheduler.ScheduleExpression.rate(Duration.hours(24)),
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
    command: ['python', '-c', `print("report ${i + 1}")`],
  });
}

const assembly = app.synth();
summarize(assembly, [{ stack: oneLiner, workloads: 1 }, { stack: shared, workloads: 10 }]);
