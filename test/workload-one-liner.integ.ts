/**
 * Integration test for the one-liner: deploys `new ScheduledBatchWorkload(...)` with its own platform, then runs the
 * job through the path the schedule uses and asserts it SUCCEEDED; a second workload's job fails on purpose and its run
 * must end in its one notification (the run's FAILED status with error JobFailed, reached only after the publish).
 *
 * With an AWS account (deploys, asserts, re-snapshots; ~15 minutes, a t4g.nano NAT instance and one Spot instance):
 *   npx projen integ:workload-one-liner:deploy
 *   npx projen integ:workload-one-liner:destroy
 * Without one, `npx projen test` checks the committed snapshot (test/workload-one-liner.integ.snapshot) is current.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { integApp } from './integ-app';
import { ScheduledBatchWorkload } from '../src';
import { assertFailedRunNotifies, assertScheduledRunSucceeds } from './integ-assertions';

const app = integApp();
const stack = new cdk.Stack(app, 'IntegWorkloadOneLiner');
const workload = new ScheduledBatchWorkload(stack, 'NightlyReport', {
  schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: cdk.TimeZone.EUROPE_LONDON }),
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
  command: ['python', '-c', 'print("hello")'],
});

// A second workload on the one-liner's platform whose job fails on purpose: its run must end in one notification.
const failing = new ScheduledBatchWorkload(stack, 'FailsOnPurpose', {
  platform: workload.platform,
  schedule: scheduler.ScheduleExpression.cron({ hour: '3', minute: '0', timeZone: cdk.TimeZone.EUROPE_LONDON }),
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
  command: ['python', '-c', 'raise SystemExit(1)'],
  retryAttempts: 1,
  alarms: false,
});

const integ = new IntegTest(app, 'WorkloadOneLiner', { testCases: [stack] });
assertScheduledRunSucceeds(integ, workload);
assertFailedRunNotifies(integ, failing);
app.synth();
