/**
 * JobSchedule on its own: the schedule, its dead-letter queue and role, a tracked or a direct target, for a BatchJob or
 * an imported job; two schedules in one stack each name their own runs.
 */
import * as cdk from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchJob, BatchPlatform, JobSchedule, OverlapPolicy, ScheduledBatchWorkflow } from '../src';
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
    // Its own group, and the stack's start-check group (the start deadline is on by default; test/start-deadline.test.ts).
    const groups = Object.keys(t.findResources('AWS::Scheduler::ScheduleGroup')).sort();
    expect(groups).toEqual([expect.stringMatching(/^NightlyScheduleGroup/), expect.stringMatching(/^StartDeadlineCheckScheduleGroup/)]);
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

  test('an untracked schedule and a workflow report the schedule\'s notes as a tracked run does (info): runs that can overlap, an at() in the past', () => {
    const { stack, jobs: [job, other] } = stackWithJobs('Report', 'Other');
    new JobSchedule(stack, 'Frequent', { job, schedule: scheduler.ScheduleExpression.rate(cdk.Duration.minutes(5)), trackRuns: false });
    new JobSchedule(stack, 'Past', { job: other, schedule: scheduler.ScheduleExpression.expression('at(2020-01-01T00:00:00)'), trackRuns: false });
    new ScheduledBatchWorkflow(stack, 'Flow', { schedule: scheduler.ScheduleExpression.expression('at(2020-01-01T00:00:00)'), steps: [{ name: 'a', image: IMAGE }] });
    const annotations = Annotations.fromStack(stack);
    annotations.hasInfo('/Jobs/Frequent', Match.stringLikeRegexp("'schedule' rate\\(5 minutes\\) has runs 5 minutes apart.*runs can overlap"));
    annotations.hasInfo('/Jobs/Past', Match.stringLikeRegexp("'schedule' at\\(2020-01-01T00:00:00\\) is in the past in Etc/UTC: a one-time schedule fires once at that time, so it will not run"));
    annotations.hasInfo('/Jobs/Flow', Match.stringLikeRegexp('is in the past'));
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
    // The scheduler role keeps its statements inline.
    t.hasResourceProperties('AWS::IAM::Role', {
      Policies: [{ PolicyName: 'Permissions', PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'batch:SubmitJob', Resource: Match.arrayWith([lock]) })]) } }],
      Description: 'Submits the scheduled job to its queue',
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

describe('JobSchedule inputs', () => {
  const scheduleWith = (props: Record<string, unknown>, jobProps: Record<string, unknown> = {}) => {
    const stack = new cdk.Stack(new cdk.App(), 'Inputs', { env: ENV });
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE, ...jobProps });
    return new JobSchedule(stack, 'Schedule', { job, schedule, ...props } as any);
  };
  const tokenOf = (stack: cdk.Stack, name: string) => new cdk.CfnParameter(stack, name, { type: 'Number' }).valueAsNumber;

  test.each([
    ['runDeadline without tracking', { runDeadline: cdk.Duration.hours(2), trackRuns: false }, {},
      /^'runDeadline' is set but 'trackRuns' is false: the deadline applies to tracked runs only.*Turn 'trackRuns' on, or leave 'runDeadline' out\.$/],
    ['runName without tracking', { runName: 'nightly', trackRuns: false }, {},
      /^'runName' is set but 'trackRuns' is false: the name is used in the messages of tracked runs\. Turn 'trackRuns' on, or leave 'runName' out\.$/],
    ['a notification topic without tracking', { notificationTopic: { topicArn: 'arn:aws:sns:eu-west-2:123456789012:t' }, trackRuns: false }, {},
      /^'notificationTopic' is set but 'trackRuns' is false: only tracked runs send messages\./],
    ['a run log group without tracking', { runLogGroup: { logGroupName: 'g' }, trackRuns: false }, {}, /^'runLogGroup' is set but 'trackRuns' is false/],
    ['an On-Demand queue without tracking', { onDemandJobQueue: { jobQueueArn: 'arn' }, trackRuns: false }, {}, /^'onDemandJobQueue' is set but 'trackRuns' is false: the On-Demand resubmission happens in the tracked run\./],
    ['arraySize as a string', { arraySize: '5' }, {}, /^'arraySize' is '5' \(a string\): an AWS Batch array job has 2 to 10,000 children/],
    ['runDeadline shorter than one attempt', { runDeadline: cdk.Duration.minutes(10) }, { timeout: cdk.Duration.hours(1) },
      /^'runDeadline' is 10 minutes, shorter than one attempt's 'timeout' \(1 hour\): .* Lower 'timeout' to at most 10 minutes, or raise 'runDeadline' to at least 1 hour\.$/],
    ['runDeadline 0', { runDeadline: cdk.Duration.seconds(0) }, {},
      /^'runDeadline' is 0 seconds: it must be a whole number of seconds of at least 1 minute \(it must leave time to submit and start the job\); e.g. Duration.hours\(2\), or leave it out for the derived deadline\.$/],
    ['runDeadline over a year', { runDeadline: cdk.Duration.days(366) }, {}, /^The run deadline \('runDeadline'\) is 366 days, over the 1-year limit of a Step Functions Standard execution: lower 'timeout' or 'retryAttempts' or 'runDeadline'\.$/],
    ['runDeadline NaN', { runDeadline: cdk.Duration.hours(NaN) }, {}, /^'runDeadline' is NaN seconds: it must be a whole number of seconds/],
    ['runDeadline as a string', { runDeadline: '2h' }, {}, /^'runDeadline' is '2h', which is not a Duration: use a Duration, e.g. Duration.hours\(1\)\.$/],
    ['schedule as a string', { schedule: 'cron(0 2 * * ? *)' }, {}, /^'schedule' is 'cron\(0 2 \* \* \? \*\)', which is not a ScheduleExpression: use a ScheduleExpression, e.g. ScheduleExpression.cron/],
    ['scheduleRetryAttempts NaN', { scheduleRetryAttempts: NaN }, {}, /^'scheduleRetryAttempts' must be a whole number from 0 to 185, got NaN/],
    ['scheduleRetryAttempts Infinity', { scheduleRetryAttempts: Infinity }, {}, /^'scheduleRetryAttempts' must be a whole number from 0 to 185, got Infinity/],
    ['scheduleRetryAttempts negative', { scheduleRetryAttempts: -1 }, {}, /^'scheduleRetryAttempts' must be a whole number from 0 to 185, got -1/],
    ['scheduleRetryAttempts fractional', { scheduleRetryAttempts: 2.5 }, {}, /^'scheduleRetryAttempts' must be a whole number from 0 to 185, got 2.5/],
    ['scheduleMaxEventAge NaN', { scheduleMaxEventAge: cdk.Duration.minutes(NaN) }, {},
      /^'scheduleMaxEventAge' is NaN seconds: it must be a whole number of seconds from 1 minute to 1 day \(EventBridge Scheduler MaximumEventAgeInSeconds\)/],
    ['scheduleMaxEventAge a fraction of a second', { scheduleMaxEventAge: cdk.Duration.millis(90_500) }, {}, /^'scheduleMaxEventAge' is 90.5 seconds: it must be a whole number of seconds/],
    ['scheduleMaxEventAge as a string', { scheduleMaxEventAge: '1h' }, {}, /^'scheduleMaxEventAge' is '1h', which is not a Duration/],
    ['flexibleTimeWindow NaN', { flexibleTimeWindow: cdk.Duration.minutes(NaN) }, {},
      /^'flexibleTimeWindow' is NaN seconds: it must be a whole number of minutes from 1 minute to 1 day \(EventBridge Scheduler MaximumWindowInMinutes\)/],
    ['flexibleTimeWindow a fraction of a minute', { flexibleTimeWindow: cdk.Duration.seconds(90) }, {}, /^'flexibleTimeWindow' is 1 minute 30 seconds: it must be a whole number of minutes/],
    ['flexibleTimeWindow Infinity', { flexibleTimeWindow: cdk.Duration.minutes(Infinity) }, {}, /^'flexibleTimeWindow' must be from 1 minute to 1440 minutes, got Infinity/],
    ['arraySize NaN', { arraySize: NaN }, {}, /^'arraySize' is NaN: an AWS Batch array job has 2 to 10,000 children/],
    ['arraySize Infinity', { arraySize: Infinity }, {}, /^'arraySize' is Infinity: an AWS Batch array job has 2 to 10,000 children/],
    ['arraySize negative', { arraySize: -4 }, {}, /^'arraySize' is -4: an AWS Batch array job/],
    ['arraySize fractional', { arraySize: 2.5 }, {}, /^'arraySize' is 2.5: an AWS Batch array job/],
  ])('fails on bad input: %s', (_name, props, jobProps, message) => {
    expect(() => scheduleWith(props, jobProps)).toThrow(message);
  });

  test('fails when a token job prop makes the default runDeadline, naming the prop, never printing the token', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Tokens', { env: ENV });
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE, retryAttempts: tokenOf(stack, 'Attempts') });
    const attempt = () => new JobSchedule(stack, 'Schedule', { job, schedule });
    expect(attempt).toThrow(/^'retryAttempts' is a token \(known only at deploy\), but the default run deadline is computed at synth from 'retryAttempts' x 'timeout': give 'retryAttempts' a concrete value, or set 'runDeadline'\.$/);
    expect(attempt).not.toThrow(/e\+\d{3}/);
  });

  test('tokens pass: job retryAttempts and timeout with a runDeadline, arraySize, an untracked schedule', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Tokens', { env: ENV });
    const platform = new BatchPlatform(stack, 'Platform');
    const job = new BatchJob(stack, 'Job', { platform, image: IMAGE, retryAttempts: tokenOf(stack, 'Attempts'), timeout: cdk.Duration.seconds(tokenOf(stack, 'Timeout')) });
    const options = {
      job, schedule, arraySize: tokenOf(stack, 'Size'),
    };
    const tracked = new JobSchedule(stack, 'Tracked', { ...options, runDeadline: cdk.Duration.hours(4) });
    new JobSchedule(stack, 'Untracked', { ...options, trackRuns: false });
    expect(tracked.tracker!.deadline.toHours()).toBe(4);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/e\+\d{3}/);
  });

  test('fails on a token runDeadline or scheduler option: each is needed at synth, and the message names it', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Tokens', { env: ENV });
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE });
    expect(() => new JobSchedule(stack, 'WithDeadline', { job, schedule, runDeadline: cdk.Duration.seconds(tokenOf(stack, 'Deadline')) }))
      .toThrow(/^'runDeadline' is a token \(known only at deploy\): the run deadline is written into the state machine and its messages at synth\. Give a concrete Duration/);
    expect(() => new JobSchedule(stack, 'WithWindow', { job, schedule, flexibleTimeWindow: cdk.Duration.minutes(tokenOf(stack, 'Window')) }))
      .toThrow(/^'flexibleTimeWindow' is a token \(known only at deploy\), but aws-cdk-lib's Schedule checks it against the EventBridge Scheduler limits at synth: give a concrete value \(e.g. Duration.minutes\(15\)\)/);
    expect(() => new JobSchedule(stack, 'WithRetries', { job, schedule, scheduleRetryAttempts: tokenOf(stack, 'Retries') })).toThrow(/^'scheduleRetryAttempts' is a token/);
    expect(() => new JobSchedule(stack, 'WithAge', { job, schedule, scheduleMaxEventAge: cdk.Duration.seconds(tokenOf(stack, 'Age')) })).toThrow(/^'scheduleMaxEventAge' is a token/);
  });

  test('QUEUE with arraySize warns, acknowledgeably: the children hold the one-at-a-time resource in turn', () => {
    const s = scheduleWith({ overlapPolicy: OverlapPolicy.QUEUE, arraySize: 8 });
    const warnings = Annotations.fromStack(cdk.Stack.of(s)).findWarning('*', Match.stringLikeRegexp('queuedArrayJob'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(/its 8 children run one at a time, not in parallel\. The default 'runDeadline' counts one child's attempts.*set 'runDeadline' to cover its 8 children in a row\..*acknowledgeWarning\('cdk-scheduled-batch:queuedArrayJob'/);
    const acknowledged = scheduleWith({ overlapPolicy: OverlapPolicy.QUEUE, arraySize: 8, runDeadline: cdk.Duration.hours(30) });
    cdk.Annotations.of(acknowledged).acknowledgeWarning('cdk-scheduled-batch:queuedArrayJob', 'the deadline covers 8 children in a row');
    expect(Annotations.fromStack(cdk.Stack.of(acknowledged)).findWarning('*', Match.stringLikeRegexp('queuedArrayJob'))).toHaveLength(0);
    expect(Annotations.fromStack(cdk.Stack.of(scheduleWith({ arraySize: 8 }))).findWarning('*', Match.stringLikeRegexp('queuedArrayJob'))).toHaveLength(0);
  });
});
