/**
 * Integration test for `ScheduledBatchWorkflow`: three steps, `extract -> shards -> load`, where `shards` is fanned
 * out into an AWS Batch array job of 3 children. The assertions check that the deployed schedule starts the
 * workflow's state machine with the scheduled time as input, start a run the way the schedule does (StartExecution
 * with a scheduled time), and wait until it SUCCEEDED: every step ran, in order, and every child of `shards` succeeded.
 *
 * With an AWS account (deploys, asserts, re-snapshots; ~20 minutes, a t4g.nano NAT instance and Spot instances):
 *   npx projen integ:workflow:deploy
 *   npx projen integ:workflow:destroy
 * Or by hand after `cdk deploy IntegWorkflow`: aws stepfunctions start-execution --state-machine-arn <arn>
 *   --input '{"scheduledTime":"2026-12-01T02:00:00Z"}', then aws stepfunctions describe-execution until SUCCEEDED.
 * Without an account, `npx projen test` checks the committed snapshot (test/workflow.integ.snapshot) is current.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { integApp } from './integ-app';
import { BatchPlatform, ScheduledBatchWorkflow } from '../src';

const app = integApp();
const stack = new cdk.Stack(app, 'IntegWorkflow');
const platform = new BatchPlatform(stack, 'Platform');
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const say = (what: string) => ['python', '-c', `import os; print("${what}", os.environ["SCHEDULED_TIME"], os.environ.get("AWS_BATCH_JOB_ARRAY_INDEX", "-"))`];
const workflow = new ScheduledBatchWorkflow(stack, 'Nightly', {
  platform,
  schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: cdk.TimeZone.EUROPE_LONDON }),
  steps: [
    { name: 'extract', image, command: say('extract'), retryAttempts: 1 },
    { name: 'shards', image, command: say('shard'), dependsOn: ['extract'], arraySize: 3, retryAttempts: 1 },
    { name: 'load', image, command: say('load'), dependsOn: ['shards'], retryAttempts: 1 },
  ],
});

const integ = new IntegTest(app, 'Workflow', { testCases: [stack] });
const schedule = integ.assertions.awsApiCall('Scheduler', 'getSchedule', {
  Name: workflow.schedule.scheduleName,
  GroupName: workflow.scheduleGroup.scheduleGroupName,
});
schedule.expect(ExpectedResult.objectLike({
  Target: { Arn: workflow.stateMachine.stateMachineArn, Input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}' },
}));
const start = integ.assertions.awsApiCall('StepFunctions', 'startExecution', {
  stateMachineArn: workflow.stateMachine.stateMachineArn,
  input: JSON.stringify({ scheduledTime: '2026-12-01T02:00:00Z' }),
});
const describe = integ.assertions.awsApiCall('StepFunctions', 'describeExecution', { executionArn: start.getAttString('executionArn') });
schedule.next(start);
start.next(describe
  .expect(ExpectedResult.objectLike({ status: 'SUCCEEDED' }))
  .waitForAssertions({ totalTimeout: cdk.Duration.minutes(60), interval: cdk.Duration.minutes(1) }));
app.synth();
