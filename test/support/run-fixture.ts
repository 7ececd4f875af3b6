/** A RunTracker's definition and the facts of one simulated run, shared by the message and event tests. */
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { definitionOf } from './state-machine';
import { BatchJob, RunTracker, RunTrackerProps } from '../../src';

export const REGION = 'eu-west-2';
export const EXECUTION = `arn:aws:states:${REGION}:123456789012:execution:Runs:c0ffee12-3456-7890-abcd-ef0123456789`;
export const CONTEXT = {
  Execution: { Id: EXECUTION, Name: 'c0ffee12-3456-7890-abcd-ef0123456789', StartTime: '2026-12-01T06:00:01.000Z', Input: { scheduledTime: '2026-12-01T06:00:00Z' } },
  StateMachine: { Id: `arn:aws:states:${REGION}:123456789012:stateMachine:Runs` },
  State: { EnteredTime: '2026-12-01T06:00:02.000Z' },
};
export const STREAM = 'nightly-report/default/0a1b2c3d';

/** A stack in the fixture's account and region. */
export function trackerStack(): cdk.Stack {
  return new cdk.Stack(new cdk.App(), 'Messages', { env: { account: '123456789012', region: REGION } });
}

/** The definition of a RunTracker of an imported job 'nightly-report' (revision 7, 2 attempts of 1 hour). */
export function trackerDefinition(props: Partial<RunTrackerProps> = {}, stack = trackerStack()): any {
  new RunTracker(stack, 'Runs', {
    job: BatchJob.fromBatchJobAttributes(stack, 'Job', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', `arn:aws:batch:${REGION}:123456789012:job-queue/nightly`),
      jobDefinitionArn: `arn:aws:batch:${REGION}:123456789012:job-definition/nightly-report:7`,
      jobName: 'nightly-report',
      logGroupName: '/aws/batch/nightly-report',
      timeout: cdk.Duration.hours(1),
      retryAttempts: 2,
    }),
    notificationTopic: sns.Topic.fromTopicArn(stack, 'Topic', `arn:aws:sns:${REGION}:123456789012:runs`),
    workloadName: 'Nightly report',
    ...props,
  });
  return definitionOf(Template.fromStack(stack));
}

/** The job detail .sync puts in a failed job's Cause (DescribeJobs, PascalCase). */
export const FAILED_JOB = {
  JobId: 'job-1',
  JobName: 'nightly-report-20261201T060000Z-ef0123456789',
  Status: 'FAILED',
  StatusReason: 'Essential container in task exited',
  JobDefinition: `arn:aws:batch:${REGION}:123456789012:job-definition/nightly-report:7`,
  StartedAt: 1764568860000,
  StoppedAt: 1764569460000,
  Container: { ExitCode: 3, LogStreamName: STREAM, ResourceRequirements: [{ Type: 'VCPU', Value: '1' }, { Type: 'MEMORY', Value: '2048' }] },
  Attempts: [
    { StatusReason: 'Host EC2 (instance i-0abc) terminated.', Container: { LogStreamName: 'nightly-report/default/first' } },
    { StatusReason: 'Essential container in task exited', Container: { ExitCode: 3, LogStreamName: STREAM } },
  ],
};
