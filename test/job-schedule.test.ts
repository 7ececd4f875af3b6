/**
 * JobSchedule on its own: the schedule, its dead-letter queue and role, a tracked or a direct target, for a BatchJob or
 * an imported job; two schedules in one stack each name their own runs.
 */
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchJob, BatchPlatform, JobSchedule, OverlapPolicy } from '../src';
import { definitionOf } from './support/state-machine';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const ENV = { account: '123456789012', region: 'eu-west-2' };
const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: cdk.TimeZone.EUROPE_LONDON });

function stackWithJobs(...names: string[]) {
  const stack = new cdk.Stack(new cdk.App(), 'Jobs', { env: ENV });
  const platform = new BatchPlatform(stack, 'Platform');
  const jobs = names.map(name => new BatchJob(stack, name, { platform, image: IMAGE }));
  return { stack, platform, jobs };
}

describe('JobSchedule', () => {
  test('a tracked schedule: its own group, a dead-letter queue, a scheduler role, and a run tracker for the job', () => {
    const { stack, jobs: [job] } = stackWithJobs('Report');
    const s = new JobSchedule(stack, 'Nightly', { job, schedule });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 } }),
    });
    expect(s.tracker).toBeDefined();
    expect(s.notificationTopic).toBeDefined();
    const run = definitionOf(t).States.RunJob;
    expect(run.Arguments.JobDefinition).toMatch(/^<ReportJobDefinition/);
    expect(run.Arguments.JobQueue).toMatch(/^<PlatformJobQueue/);
  });

  test('two schedules in one stack name their own runs in every message', () => {
    const { stack, jobs } = stackWithJobs('Extract', 'Load');
    new JobSchedule(stack, 'ExtractSchedule', { job: jobs[0], schedule });
    new JobSchedule(stack, 'LoadSchedule', { job: jobs[1], schedule, runName: 'nightly load' });
    const machines = Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine')) as any[];
    const names = machines.map(m => {
      const flat = JSON.stringify(m.Properties.DefinitionString);
      return /\\"workload\\":\\"([^\\]+)\\"/.exec(flat)?.[1];
    }).sort();
    expect(names).toEqual(['Jobs/ExtractSchedule', 'nightly load']);
  });

  test('trackRuns: false submits the job itself, with the job\'s own SubmitJob statement', () => {
    const { stack, jobs: [job] } = stackWithJobs('Report');
    const s = new JobSchedule(stack, 'Nightly', { job, schedule, trackRuns: false, overlapPolicy: OverlapPolicy.QUEUE });
    expect(s.tracker).toBeUndefined();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:batch:submitJob']] } }),
    });
    // QUEUE without tracking: the job definition requires the consumable resource, and the scheduler may use it.
    const lock = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReportOneRunAtATime'), 'ConsumableResourceArn'] };
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^NightlySchedulerRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'batch:SubmitJob', Resource: Match.arrayWith([lock]) })]) },
    });
  });

  test('an imported job is scheduled like a BatchJob; QUEUE on it is refused', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Imported', { env: ENV });
    const job = BatchJob.fromBatchJobAttributes(stack, 'Job', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', 'arn:aws:batch:eu-west-2:123456789012:job-queue/shared'),
      jobDefinitionArn: 'arn:aws:batch:eu-west-2:123456789012:job-definition/report:7',
      jobName: 'report',
    });
    new JobSchedule(stack, 'Nightly', { job, schedule, overlapPolicy: OverlapPolicy.SKIP });
    const def = definitionOf(Template.fromStack(stack));
    expect(def.States.RunJob.Arguments.JobDefinition).toBe('arn:aws:batch:eu-west-2:123456789012:job-definition/report:7');
    expect(() => new JobSchedule(stack, 'Queued', { job, schedule, overlapPolicy: OverlapPolicy.QUEUE }))
      .toThrow(/is an imported job: its job definition is not this app's/);
  });
});
