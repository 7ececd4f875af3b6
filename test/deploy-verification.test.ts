import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchJob, BatchPlatform, DeployVerification, ScheduledBatchWorkload, ScheduledBatchWorkloadProps } from '../src';
import { VERIFICATION_HANDLER_SOURCE } from '../src/runs/private/verification-handler';
import { VERIFICATION_LIMITS } from '../src/runs/private/verification-limits';

const env = { account: '123456789012', region: 'eu-west-2' };
const IMAGE = 'public.ecr.aws/docker/library/python:3.13-slim';
const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
// The CloudFormation custom resource type the verification renders (a literal here, so a rename in src fails).
const CR = 'Custom::BatchDeployVerification';

function workload(props: Partial<ScheduledBatchWorkloadProps> = {}, image = IMAGE) {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Rollout', { env });
  const w = new ScheduledBatchWorkload(stack, 'Nightly', {
    schedule,
    image: ecs.ContainerImage.fromRegistry(image),
    command: ['python', '-m', 'report'],
    timeout: cdk.Duration.minutes(10),
    verifyOnDeploy: true,
    ...props,
  });
  return { stack, w, template: Template.fromStack(stack) };
}

const logicalId = (t: Template, type: string) => {
  const ids = Object.keys(t.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0];
};
const only = (t: Template, type: string) => Object.values(t.findResources(type))[0] as any;

describe('the custom resource and its IAM', () => {
  test('an array workload is verified as an array job of 2 children (AWS Batch\'s smallest); one that is not, as one job', () => {
    expect(only(workload({ arraySize: 500 }).template, CR).Properties.ArraySize).toBe('2');
    expect(only(workload().template, CR).Properties.ArraySize).toBeUndefined();
    const stack = new cdk.Stack(new cdk.App(), 'Direct', { env });
    const job = workload().w.job;
    expect(() => new DeployVerification(stack, 'Verify', { job, arraySize: 1 })).toThrow(/'arraySize' is 1: an AWS Batch array job has 2 to 10,000 children/);
  });

  test('one custom resource whose inputs are the job definition Ref (ARN with revision), the queue, the name prefix and the timeout', () => {
    const { template: t, w } = workload();
    t.resourceCountIs(CR, 1);
    t.hasResourceProperties(CR, {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('VerificationProviderframeworkonEvent'), 'Arn'] },
      JobDefinition: { Ref: logicalId(t, 'AWS::Batch::JobDefinition') },
      JobQueue: { 'Fn::GetAtt': [logicalId(t, 'AWS::Batch::JobQueue'), 'JobQueueArn'] },
      JobNamePrefix: `${w.jobName}-verify-`,
      TimeoutSeconds: 3 * 600 + 600, // 3 attempts x 10 minutes + 10 minutes to start
      Command: Match.absent(),
    });
    expect(w.verification!.jobNamePrefix).toBe(`${w.jobName}-verify-`);
  });

  test('a verification command is passed as the run\'s command override', () => {
    const { template: t } = workload({ verificationCommand: ['python', '-m', 'report', '--self-test'] });
    t.hasResourceProperties(CR, { Command: ['python', '-m', 'report', '--self-test'] });
  });

  test('submit: batch:SubmitJob on this queue and this job definition only; check: DescribeJobs (*) and TerminateJob on jobs', () => {
    const { template: t } = workload();
    const jobDefinition = { Ref: logicalId(t, 'AWS::Batch::JobDefinition') };
    const queue = { 'Fn::GetAtt': [logicalId(t, 'AWS::Batch::JobQueue'), 'JobQueueArn'] };
    const jobName = Object.values(t.findResources('AWS::Batch::JobDefinition'))[0].Properties.JobDefinitionName;
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('VerificationSubmitRole') }],
      // The job's own grant (BatchJob.grantSubmit).
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'batch:SubmitJob', Effect: 'Allow', Resource: [jobDefinition, queue] }]) },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('VerificationCheckRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'batch:DescribeJobs', Effect: 'Allow', Resource: '*' },
          {
            Action: 'batch:TerminateJob',
            // Only a job that carries this workload's tag, as the verification run does.
            Condition: { StringEquals: { 'aws:ResourceTag/cdk-scheduled-batch:workload': [jobName] } },
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':batch:eu-west-2:123456789012:job/*']] },
          },
        ]),
      },
    });
    // The submit role may tag the run it submits with the workload tag, and nothing else.
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('VerificationSubmitRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: 'batch:TagResource',
          Condition: {
            'StringEquals': { 'aws:RequestTag/cdk-scheduled-batch:workload': [jobName] },
            'ForAllValues:StringEquals': { 'aws:TagKeys': ['cdk-scheduled-batch:workload'] },
          },
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':batch:eu-west-2:123456789012:job/*']] },
        }]),
      },
    });
    t.hasResourceProperties(CR, { WorkloadTag: jobName });
    // No statement anywhere else grants SubmitJob on the verification's behalf, and no role has a managed policy.
    const submitters = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.PolicyDocument).includes('batch:SubmitJob'))
      .map((p: any) => JSON.stringify(p.Properties.Roles));
    expect(submitters.filter(r => r.includes('Verification'))).toHaveLength(1);
    const roles = Object.entries(t.findResources('AWS::IAM::Role')).filter(([id]) => id.includes('Verification'));
    expect(roles).toHaveLength(5); // submit, check, framework on-event, framework waiter, waiter state machine
    for (const [, role] of roles) expect((role as any).Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('five functions on a current Node.js runtime, all logging to one log group with retention; the waiter polls every 30 s', () => {
    const { template: t } = workload();
    const functions = Object.values(t.findResources('AWS::Lambda::Function')) as any[];
    expect(functions).toHaveLength(5);
    const logGroup = Object.entries(t.findResources('AWS::Logs::LogGroup')).find(([id]) => id.includes('VerificationLogs'))!;
    expect((logGroup[1] as any).Properties.RetentionInDays).toBe(365);
    expect((logGroup[1] as any).Properties.LogGroupName).toBeUndefined();
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toMatch(/^nodejs(2[2-9]|[3-9][0-9])\.x$/);
      expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: logGroup[0] });
      expect(fn.Properties.FunctionName).toBeUndefined();
    }
    const own = functions.filter(f => f.Properties.Code.ZipFile !== undefined);
    expect(own.map(f => f.Properties.Handler).sort()).toEqual(['index.isComplete', 'index.onEvent']);
    for (const fn of own) expect(fn.Properties.Runtime).toBe('nodejs24.x');
    // totalTimeout = 40 minutes + 5 minutes margin, every 30 seconds: 90 polls.
    const waiter = Object.entries(t.findResources('AWS::StepFunctions::StateMachine')).find(([id]) => id.includes('waiter'))![1] as any;
    const definition = JSON.stringify(waiter.Properties.DefinitionString);
    expect(definition).toContain('\\"IntervalSeconds\\":30,\\"MaxAttempts\\":90');
    expect(waiter.Properties.LoggingConfiguration.Level).toBe('ALL');
  });

  test('BatchJob alone: DeployVerification makes the same resources, with MAX_TIMEOUT and QUERY_INTERVAL exposed', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Alone', { env });
    const platform = new BatchPlatform(stack, 'Platform');
    const job = new BatchJob(stack, 'Job', { platform, image: ecs.ContainerImage.fromRegistry(IMAGE), timeout: cdk.Duration.minutes(5), retryAttempts: 1 });
    const v = new DeployVerification(stack, 'Verify', { job, timeout: cdk.Duration.minutes(30) });
    const t = Template.fromStack(stack);
    t.hasResourceProperties(CR, { JobDefinition: { Ref: logicalId(t, 'AWS::Batch::JobDefinition') }, TimeoutSeconds: 1800 });
    t.resourceCountIs('AWS::Lambda::Function', 5);
    expect(v.timeout.toMinutes()).toBe(30);
    expect(DeployVerification.MAX_TIMEOUT.toMinutes()).toBe(55);
    expect(DeployVerification.QUERY_INTERVAL.toSeconds()).toBe(30);
  });
});

describe('nothing changed, no run: the custom resource changes only with the job definition', () => {
  const cr = (t: Template) => only(t, CR).Properties;
  const jobDefinition = (t: Template) => only(t, 'AWS::Batch::JobDefinition').Properties;

  test('two synths of an unchanged job: identical custom resource and job definition, so CloudFormation updates nothing', () => {
    const a = workload().template;
    const b = workload().template;
    expect(cr(b)).toEqual(cr(a));
    expect(jobDefinition(b)).toEqual(jobDefinition(a));
  });

  test.each([
    ['the image', workload({}, `${IMAGE}-v2`).template],
    ['the command', workload({ command: ['python', '-m', 'report', '--v2'] }).template],
  ])('a new %s changes the job definition, which CloudFormation replaces: a new ARN (revision) in JobDefinition', (_what, changed) => {
    const before = workload().template;
    expect(jobDefinition(changed)).not.toEqual(jobDefinition(before));
    // The custom resource's JobDefinition is the Ref of that job definition: the ARN with its new revision.
    expect(cr(changed).JobDefinition).toEqual({ Ref: logicalId(changed, 'AWS::Batch::JobDefinition') });
    expect({ ...cr(changed), JobDefinition: undefined }).toEqual({ ...cr(before), JobDefinition: undefined });
  });

  test('the schedule and the run tracker switch to a new revision only after its verification (DependsOn)', () => {
    const { template: t } = workload();
    const crId = logicalId(t, CR);
    expect(only(t, 'AWS::Scheduler::Schedule').DependsOn).toEqual([crId]);
    const tracker = Object.entries(t.findResources('AWS::StepFunctions::StateMachine')).find(([id]) => id.includes('Runs'))![1] as any;
    expect(tracker.DependsOn).toEqual([crId]);
    // The run role names the revision in its inline policy (it would refuse the old one the schedule still submits):
    // it waits too. The platform's scheduler role starts state machines by tag and names no revision.
    const roles = Object.entries(t.findResources('AWS::IAM::Role'));
    const runRole = roles.find(([id]) => /RunsStateMachineRole/.test(id))![1] as any;
    expect(JSON.stringify(runRole.Properties.Policies)).toContain('batch:SubmitJob');
    expect(runRole.DependsOn).toEqual([crId]);
    const sharedScheduler = roles.find(([id]) => /SharedRunsSchedulerRole/.test(id))![1] as any;
    expect(JSON.stringify(sharedScheduler.Properties.Policies)).not.toContain('batch:SubmitJob');
  });

  test('untracked runs: the scheduler role\'s policy (SubmitJob on the revision) switches after the verification', () => {
    const { template: t } = workload({ trackRuns: false });
    const crId = logicalId(t, CR);
    const [role] = Object.entries(t.findResources('AWS::IAM::Role')).filter(([id]) => id.includes('ScheduleSchedulerRole'));
    expect(JSON.stringify(role[1])).toContain('batch:SubmitJob');
    expect((role[1] as any).DependsOn).toEqual([crId]);
    expect(only(t, 'AWS::Scheduler::Schedule').DependsOn).toEqual([crId]);
  });
});

describe('pinned revisions: what the schedule submits is the job definition Ref (the ARN with its revision)', () => {
  test('tracked runs: the state machine submits JobDefinition = Ref', () => {
    const { template: t } = workload({ verifyOnDeploy: false });
    const machine = Object.entries(t.findResources('AWS::StepFunctions::StateMachine')).find(([id]) => id.includes('Runs'))![1] as any;
    expect(JSON.stringify(machine.Properties.DefinitionString)).toContain(`"JobDefinition\\":\\"",{"Ref":"${logicalId(t, 'AWS::Batch::JobDefinition')}"}`);
  });

  test('untracked runs: the schedule target input names JobDefinition = Ref', () => {
    const { template: t } = workload({ verifyOnDeploy: false, trackRuns: false });
    const input = JSON.stringify(only(t, 'AWS::Scheduler::Schedule').Properties.Target.Input);
    expect(input).toContain(`"JobDefinition\\":\\"",{"Ref":"${logicalId(t, 'AWS::Batch::JobDefinition')}"}`);
  });

  test('old revisions stay ACTIVE: the job definition is not deregistered on update', () => {
    const { template: t } = workload({ verifyOnDeploy: false });
    t.hasResourceProperties('AWS::Batch::JobDefinition', { ResourceRetentionPolicy: { SkipDeregisterOnUpdate: true } });
  });
});

describe('the verification run is not a workload run', () => {
  test('untracked runs: the failure rule leaves <jobName>-verify-* out (anything-but prefix), and the failed-jobs alarm reads that rule', () => {
    const { template: t, w } = workload({ trackRuns: false });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.batch'],
        'detail-type': ['Batch Job State Change'],
        'detail': Match.objectLike({ status: ['FAILED'], jobName: [{ 'anything-but': { prefix: `${w.jobName}-verify-` } }] }),
      },
    });
    const failed = w.alarms!.failedJobsAlarm!.node.defaultChild as cdk.aws_cloudwatch.CfnAlarm;
    expect(failed.namespace).toBe('AWS/Events');
    expect(failed.metricName).toBe('TriggeredRules');
    // A blocked queue is reported whichever job found it blocked.
    const blocked = Object.values(t.findResources('AWS::Events::Rule'))
      .find((r: any) => r.Properties.EventPattern['detail-type'][0] === 'Batch Job Queue Blocked') as any;
    expect(blocked.Properties.EventPattern.detail.jobName).toBeUndefined();
  });

  test('without verification the failure rule and alarm are as before (no job-name filter, AWS/Batch metric)', () => {
    const { template: t, w } = workload({ trackRuns: false, verifyOnDeploy: false });
    for (const rule of Object.values(t.findResources('AWS::Events::Rule')) as any[]) {
      expect(rule.Properties.EventPattern.detail?.jobName).toBeUndefined();
    }
    expect((w.alarms!.failedJobsAlarm!.node.defaultChild as cdk.aws_cloudwatch.CfnAlarm).namespace).toBe('AWS/Batch');
  });

  test('tracked runs: the tracker only follows the executions it starts; nothing of the verification is in its definition', () => {
    const { template: t, w } = workload();
    const machine = Object.entries(t.findResources('AWS::StepFunctions::StateMachine')).find(([id]) => id.includes('Runs'))![1] as any;
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).not.toContain('-verify-');
    expect(definition).not.toContain(logicalId(t, CR));
    // The schedule starts the tracker; the verification is submitted by the custom resource, outside it.
    expect(JSON.stringify(only(t, 'AWS::Scheduler::Schedule').Properties.Target.Arn)).toContain('RunsStateMachine');
    // Tracked: no failed-jobs alarm or failure-notification rule exists to trip.
    expect(w.alarms!.failedJobsAlarm).toBeUndefined();
    expect(w.alarms!.failedJobRule).toBeUndefined();
  });
});

describe('off by default: no Lambda, no custom resource', () => {
  test('the default workload synth has no AWS::Lambda::Function and no custom resource', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Default', { env });
    const w = new ScheduledBatchWorkload(stack, 'Nightly', { schedule, image: ecs.ContainerImage.fromRegistry(IMAGE) });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Lambda::Function', 0);
    expect(Object.values(t.toJSON().Resources).filter((r: any) => r.Type.startsWith('Custom::'))).toEqual([]);
    expect(w.verification).toBeUndefined();
  });

  test('verifyOnDeploy: false synthesizes the same template as leaving it out (no logical id moves)', () => {
    const t = (props: Partial<ScheduledBatchWorkloadProps>) => {
      const stack = new cdk.Stack(new cdk.App(), 'Same', { env });
      new ScheduledBatchWorkload(stack, 'Nightly', { schedule, image: ecs.ContainerImage.fromRegistry(IMAGE), ...props });
      return Template.fromStack(stack).toJSON();
    };
    expect(t({ verifyOnDeploy: false })).toEqual(t({}));
  });
});

describe('bad input fails at synth, naming the prop, the value and the fix', () => {
  test('verificationTimeout longer than the custom-resource maximum', () => {
    expect(() => workload({ verificationTimeout: cdk.Duration.minutes(56) })).toThrow(
      /'verificationTimeout' is 56 minutes, more than 55 minutes: a CloudFormation custom resource must answer within 1 hour.*Set 'verificationTimeout' to at most 55 minutes/);
  });

  test('verificationTimeout too short for 1 minute per attempt after 10 minutes to start', () => {
    expect(() => workload({ verificationTimeout: cdk.Duration.minutes(12) })).toThrow(
      /'verificationTimeout' is 12 minutes: after 10 minutes to start, 3 attempt\(s\) of at least 1 minute.*do not fit. Set 'verificationTimeout' to at least 13 minutes/);
  });

  test.each([
    [cdk.Duration.seconds(30), /'verificationAttemptTimeout' is 30 seconds \(30 seconds\): give a whole number of seconds from 1 minute.*to the job's own timeout \(10 minutes\)/],
    [cdk.Duration.minutes(11), /'verificationAttemptTimeout' is 11 minutes \(660 seconds\): give a whole number of seconds from 1 minute/],
    [cdk.Duration.millis(90500), /'verificationAttemptTimeout' is 1 minute 30 seconds \(90.5 seconds\): give a whole number of seconds/],
  ])('verificationAttemptTimeout %s outside 1 minute .. the job\'s timeout', (attemptTimeout, message) => {
    expect(() => workload({ verificationAttemptTimeout: attemptTimeout })).toThrow(message);
  });

  test('verificationAttemptTimeout whose attempts do not fit in verificationTimeout', () => {
    expect(() => workload({ verificationAttemptTimeout: cdk.Duration.minutes(10), verificationTimeout: cdk.Duration.minutes(30) })).toThrow(
      /'verificationAttemptTimeout' is 10 minutes: 3 attempt\(s\) of it plus 10 minutes to start take 40 minutes, more than the deployment waits \(30 minutes\).*at most 6 minutes 40 seconds/);
  });

  test('an empty verification command', () => {
    expect(() => workload({ verificationCommand: [] })).toThrow(/'verificationCommand' is \[\]: give the command the verification run executes/);
    expect(() => workload({ verificationCommand: [' '] })).toThrow(/'verificationCommand' is \[" "\]/);
  });

  test('verification options without verifyOnDeploy', () => {
    expect(() => workload({ verifyOnDeploy: undefined, verificationTimeout: cdk.Duration.minutes(40) })).toThrow(
      /'verificationTimeout' is set but 'verifyOnDeploy' is not set: set 'verifyOnDeploy: true'/);
    expect(() => workload({ verifyOnDeploy: false, verificationAttemptTimeout: cdk.Duration.minutes(5) })).toThrow(
      /'verificationAttemptTimeout' is set but 'verifyOnDeploy' is false/);
  });

  test.each([
    ['account', 'arn:aws:batch:eu-west-2:210987654321:job-queue/shared', /in account 210987654321 and the stack Rollout deploys to account 123456789012/],
    ['region', 'arn:aws:batch:us-east-1:123456789012:job-queue/shared', /in region us-east-1 and the stack Rollout deploys to region eu-west-2/],
  ])('a brought queue in another %s cannot be submitted to', (_what, jobQueueArn, message) => {
    const stack = new cdk.Stack(new cdk.App(), 'Rollout', { env });
    const platform = BatchPlatform.fromBatchPlatformAttributes(stack, 'Shared', { jobQueueArn });
    expect(() => new ScheduledBatchWorkload(stack, 'Nightly', {
      platform, schedule, image: ecs.ContainerImage.fromRegistry(IMAGE), timeout: cdk.Duration.minutes(10), verifyOnDeploy: true,
    })).toThrow(message);
    // The same queue without verification is fine.
    expect(() => new ScheduledBatchWorkload(stack, 'Other', { platform, schedule, image: ecs.ContainerImage.fromRegistry(IMAGE) })).not.toThrow();
  });

  test('a brought queue created disabled', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Rollout', { env });
    const queue = new batch.JobQueue(stack, 'Queue', { enabled: false });
    expect(() => new ScheduledBatchWorkload(stack, 'Nightly', {
      jobQueue: queue, schedule, image: ecs.ContainerImage.fromRegistry(IMAGE), timeout: cdk.Duration.minutes(10), verifyOnDeploy: true,
    })).toThrow(/cannot run on the job queue Rollout\/Queue: it is created with 'enabled: false'/);
  });

  test('the standalone construct names its own props', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Alone', { env });
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: ecs.ContainerImage.fromRegistry(IMAGE), timeout: cdk.Duration.minutes(5) });
    expect(() => new DeployVerification(stack, 'A', { job, timeout: cdk.Duration.hours(2) })).toThrow(/'timeout' is 2 hours, more than 55 minutes/);
    expect(() => new DeployVerification(stack, 'B', { job, command: [] })).toThrow(/'command' is \[\]/);
  });

  test('an attempt timeout under AWS Batch\'s 1 minute fails even when the wait or the job\'s timeout is a token', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Floor', { env });
    const token = (seconds: number) => cdk.Duration.seconds(cdk.Token.asNumber(cdk.Lazy.number({ produce: () => seconds })));
    const platform = new BatchPlatform(stack, 'Platform');
    const job = new BatchJob(stack, 'Job', { platform, image: ecs.ContainerImage.fromRegistry(IMAGE), timeout: cdk.Duration.minutes(5) });
    const tokenJob = new BatchJob(stack, 'TokenJob', { platform, image: ecs.ContainerImage.fromRegistry(IMAGE), timeout: token(300) });
    expect(() => new DeployVerification(stack, 'A', { job, attemptTimeout: cdk.Duration.seconds(30), timeout: token(1800) }))
      .toThrow("'attemptTimeout' is 30 seconds (30 seconds): give a whole number of seconds from 1 minute (the least AWS Batch accepts) to the job's own timeout (5 minutes), or leave it out");
    expect(() => new DeployVerification(stack, 'B', { job: tokenJob, attemptTimeout: cdk.Duration.seconds(30) }))
      .toThrow("'attemptTimeout' is 30 seconds (30 seconds): give a whole number of seconds from 1 minute (the least AWS Batch accepts) to the job's own timeout, or leave it out");
    expect(() => new DeployVerification(stack, 'C', { job: tokenJob, attemptTimeout: cdk.Duration.minutes(2) })).not.toThrow();
  });

  test('a verification command that reads a parameter the job does not declare fails, naming the prop', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Refs', { env });
    const job = new BatchJob(stack, 'Job', {
      platform: new BatchPlatform(stack, 'Platform'), image: ecs.ContainerImage.fromRegistry(IMAGE), timeout: cdk.Duration.minutes(5), parameters: { day: 'today' },
    });
    expect(() => new DeployVerification(stack, 'A', { job, command: ['echo', 'Ref::nope'] }))
      .toThrow("'command' reads Ref::nope, but 'parameters' declares no 'nope': AWS Batch would pass the text 'Ref::nope' to the container unchanged.");
    expect(() => new DeployVerification(stack, 'B', { job, command: ['echo', 'Ref::day', 'Ref::scheduledTime'] })).not.toThrow();
    expect(() => workload({ verificationCommand: ['echo', 'Ref::nope'] })).toThrow("'verificationCommand' reads Ref::nope, but 'parameters' declares no 'nope'");
  });

  test('tokens pass through: an unresolved timeout is left to deploy time (the Provider then waits its 1-hour maximum)', () => {
    const timeout = cdk.Duration.seconds(cdk.Token.asNumber(cdk.Lazy.number({ produce: () => 1800 })));
    const { template: t } = workload({ verificationTimeout: timeout });
    t.hasResourceProperties(CR, { TimeoutSeconds: 1800 });
  });
});

describe('the verification run\'s own attempt timeout (SubmitJob override)', () => {
  const oneLiner = () => {
    const stack = new cdk.Stack(new cdk.App(), 'OneLiner', { env });
    const w = new ScheduledBatchWorkload(stack, 'Nightly', { schedule, image: ecs.ContainerImage.fromRegistry(IMAGE), verifyOnDeploy: true });
    return { w, t: Template.fromStack(stack) };
  };

  test('the one-liner with verifyOnDeploy synthesizes: 55 minutes of wait, 3 attempts of 15 minutes each', () => {
    const { w, t } = oneLiner();
    expect([w.job.retryAttempts, w.job.timeout.toMinutes()]).toEqual([3, 60]);
    expect(w.verification!.timeout.toMinutes()).toBe(55);
    expect(w.verification!.attemptTimeout!.toMinutes()).toBe(15);
    t.hasResourceProperties(CR, { TimeoutSeconds: 55 * 60, AttemptTimeoutSeconds: 15 * 60 });
  });

  test('a job whose attempts fit keeps its own attempt timeout: no override is sent', () => {
    const { template: t, w } = workload();
    expect(w.verification!.attemptTimeout).toBeUndefined();
    t.hasResourceProperties(CR, { TimeoutSeconds: 40 * 60, AttemptTimeoutSeconds: Match.absent() });
  });

  test.each([
    // [retryAttempts, job timeout min, verificationTimeout min, expected attempt timeout min, expected wait min]
    [1, 60, undefined, 45, 55],
    [2, 30, undefined, 22, 55],
    [10, 60, undefined, 4, 55],
    [3, 10, 20, 3, 20],
    [3, 10, 45, 10, 45], // fits: no override (the job's own 10 minutes)
  ])('%i attempt(s) of %i minutes, verificationTimeout %s: %i-minute attempts within %i minutes', (attempts, jobMinutes, waitMinutes, attemptMinutes, wait) => {
    const { w } = workload({
      retryAttempts: attempts,
      timeout: cdk.Duration.minutes(jobMinutes),
      verificationTimeout: waitMinutes === undefined ? undefined : cdk.Duration.minutes(waitMinutes),
    });
    const v = w.verification!;
    expect(v.timeout.toMinutes()).toBe(wait);
    expect((v.attemptTimeout ?? w.job.timeout).toMinutes()).toBe(attemptMinutes);
    // What the numbers promise: every attempt plus the start margin fits in the wait.
    expect(attempts * attemptMinutes + VERIFICATION_LIMITS.startMargin.toMinutes()).toBeLessThanOrEqual(wait);
  });

  test('an explicit verificationAttemptTimeout is sent and the wait defaults to its attempts plus 10 minutes', () => {
    const { template: t, w } = workload({ timeout: undefined, verificationAttemptTimeout: cdk.Duration.minutes(5), verificationCommand: ['selftest'] });
    expect(w.verification!.timeout.toMinutes()).toBe(3 * 5 + 10);
    t.hasResourceProperties(CR, { TimeoutSeconds: 25 * 60, AttemptTimeoutSeconds: 300, Command: ['selftest'] });
  });

  test('the standalone construct takes attemptTimeout and names it in its messages', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Alone', { env });
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: ecs.ContainerImage.fromRegistry(IMAGE) });
    const v = new DeployVerification(stack, 'A', { job, attemptTimeout: cdk.Duration.minutes(2) });
    expect([v.timeout.toMinutes(), v.attemptTimeout!.toMinutes()]).toEqual([16, 2]);
    expect(() => new DeployVerification(stack, 'B', { job, attemptTimeout: cdk.Duration.hours(2) })).toThrow(/'attemptTimeout' is 2 hours/);
  });
});

/** Runs the inline handler source with a stubbed `@aws-sdk/client-batch`. */
function handlers(replies: { [command: string]: any } = {}) {
  const calls: Array<{ command: string; input: any }> = [];
  const command = (name: string) => class { constructor(public readonly input: any) { (this as any).name = name; } };
  const sdk = {
    BatchClient: class { async send(c: any) { calls.push({ command: c.name, input: c.input }); return replies[c.name] ?? {}; } },
    SubmitJobCommand: command('SubmitJob'),
    DescribeJobsCommand: command('DescribeJobs'),
    TerminateJobCommand: command('TerminateJob'),
  };
  const exports: any = {};
  const quiet = { log: () => undefined };
  new Function('require', 'exports', 'console', VERIFICATION_HANDLER_SOURCE)(
    (m: string) => { expect(m).toBe('@aws-sdk/client-batch'); return sdk; }, exports, quiet);
  return { onEvent: exports.onEvent, isComplete: exports.isComplete, calls };
}

describe('the handlers, run with a stubbed Batch client', () => {
  const OLD = 'arn:aws:batch:eu-west-2:123456789012:job-definition/nightly:6';
  const NEW = 'arn:aws:batch:eu-west-2:123456789012:job-definition/nightly:7';
  const props = (jobDefinition: string, extra = {}) => ({
    JobDefinition: jobDefinition, JobQueue: 'arn:aws:batch:eu-west-2:123456789012:job-queue/q', JobNamePrefix: 'nightly-verify-', TimeoutSeconds: '1800', ...extra,
  });

  test('Create submits one run of the revision, named <prefix><time>, with the deploy time as its scheduled time', async () => {
    const h = handlers({ SubmitJob: { jobId: 'j-1' } });
    const out = await h.onEvent({ RequestType: 'Create', ResourceProperties: props(NEW) });
    const time = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(h.calls).toEqual([{
      command: 'SubmitJob',
      input: {
        jobName: expect.stringMatching(/^nightly-verify-\d{8}T\d{6}Z$/),
        jobQueue: props(NEW).JobQueue,
        jobDefinition: NEW,
        // The deploy time is the run's scheduled time, as a scheduled run gets its own.
        parameters: { scheduledTime: time },
        containerOverrides: { environment: [{ name: 'SCHEDULED_TIME', value: time }] },
      },
    }]);
    const { input } = h.calls[0];
    expect(input.jobName.slice('nightly-verify-'.length)).toBe(input.parameters.scheduledTime.replace(/[^0-9A-Za-z]/g, ''));
    expect(input.containerOverrides.environment[0].value).toBe(input.parameters.scheduledTime);
    expect(out.Data.JobId).toBe('j-1');
    expect(out.PhysicalResourceId).toBeUndefined(); // moves to the ARN only on success
  });

  test('an attempt timeout of its own becomes SubmitJob\'s timeout override', async () => {
    const h = handlers({ SubmitJob: { jobId: 'j-1' } });
    await h.onEvent({ RequestType: 'Create', ResourceProperties: props(NEW, { AttemptTimeoutSeconds: '900' }) });
    expect(h.calls[0].input.timeout).toEqual({ attemptDurationSeconds: 900 });
    expect(h.calls[0].input.retryStrategy).toBeUndefined(); // the job definition's own attempts and Spot-reclaim rules
  });

  test('a verification command becomes the container override', async () => {
    const h = handlers({ SubmitJob: { jobId: 'j-1' } });
    await h.onEvent({ RequestType: 'Create', ResourceProperties: props(NEW, { Command: ['python', '--self-test'] }) });
    expect(h.calls[0].input.containerOverrides).toEqual({ command: ['python', '--self-test'], environment: [{ name: 'SCHEDULED_TIME', value: h.calls[0].input.parameters.scheduledTime }] });
  });

  test('an ArraySize makes the run an array job of that many children', async () => {
    const h = handlers({ SubmitJob: { jobId: 'j-1' } });
    await h.onEvent({ RequestType: 'Create', ResourceProperties: props(NEW, { ArraySize: '2' }) });
    expect(h.calls[0].input.arrayProperties).toEqual({ size: 2 });
    const one = handlers({ SubmitJob: { jobId: 'j-2' } });
    await one.onEvent({ RequestType: 'Create', ResourceProperties: props(NEW) });
    expect(one.calls[0].input.arrayProperties).toBeUndefined();
  });

  test('Update to a new revision submits; Update with the verified revision (e.g. only the timeout changed) does not', async () => {
    const h = handlers({ SubmitJob: { jobId: 'j-2' } });
    await h.onEvent({ RequestType: 'Update', PhysicalResourceId: OLD, ResourceProperties: props(NEW), OldResourceProperties: props(OLD) });
    expect(h.calls).toHaveLength(1);
    const same = await h.onEvent({ RequestType: 'Update', PhysicalResourceId: NEW, ResourceProperties: props(NEW, { TimeoutSeconds: '2400' }), OldResourceProperties: props(NEW) });
    expect(same).toEqual({ PhysicalResourceId: NEW });
    expect(h.calls).toHaveLength(1);
  });

  test('the rollback after a failed verification runs nothing: the physical id still names the old revision', async () => {
    const h = handlers();
    const out = await h.onEvent({ RequestType: 'Update', PhysicalResourceId: OLD, ResourceProperties: props(OLD), OldResourceProperties: props(NEW) });
    expect(out).toEqual({ PhysicalResourceId: OLD });
    expect(h.calls).toEqual([]);
  });

  test('Delete runs nothing and keeps the id', async () => {
    const h = handlers();
    expect(await h.onEvent({ RequestType: 'Delete', PhysicalResourceId: NEW, ResourceProperties: props(NEW) })).toEqual({ PhysicalResourceId: NEW });
    expect(h.calls).toEqual([]);
  });

  const pending = (deadline: number) => ({ ResourceProperties: props(NEW), PhysicalResourceId: OLD, Data: { JobId: 'j-2', JobName: 'nightly-verify-x', Deadline: String(deadline) } });

  test('isComplete: SUCCEEDED completes and moves the physical id to the verified revision', async () => {
    const h = handlers({ DescribeJobs: { jobs: [{ status: 'SUCCEEDED' }] } });
    expect(await h.isComplete(pending(Date.now() + 60_000))).toEqual({ IsComplete: true, PhysicalResourceId: NEW });
    expect(h.calls).toEqual([{ command: 'DescribeJobs', input: { jobs: ['j-2'] } }]);
  });

  test('isComplete: RUNNING before the deadline keeps waiting', async () => {
    const h = handlers({ DescribeJobs: { jobs: [{ status: 'RUNNING' }] } });
    expect(await h.isComplete(pending(Date.now() + 60_000))).toEqual({ IsComplete: false });
  });

  test('isComplete: FAILED fails the deployment with the reason, exit code and log stream', async () => {
    const h = handlers({ DescribeJobs: { jobs: [{ status: 'FAILED', statusReason: 'Essential container in task exited', container: { exitCode: 1, logStreamName: 'job/default/abc' } }] } });
    await expect(h.isComplete(pending(Date.now() + 60_000))).rejects.toThrow(
      /Verification failed: job nightly-verify-x \(j-2\) of .*nightly:7 ended FAILED: Essential container in task exited, exit code 1, log stream job\/default\/abc\. The deployment rolls back/);
  });

  test('isComplete: past the deadline terminates the run and fails the deployment', async () => {
    const h = handlers({ DescribeJobs: { jobs: [{ status: 'RUNNABLE' }] } });
    await expect(h.isComplete(pending(Date.now() - 1))).rejects.toThrow(/Verification timed out: .* was RUNNABLE after 1800 seconds and was terminated/);
    expect(h.calls.map(c => c.command)).toEqual(['DescribeJobs', 'TerminateJob']);
    expect(h.calls[1].input).toEqual({ jobId: 'j-2', reason: 'Deploy verification timed out' });
  });

  test('isComplete after an onEvent that submitted nothing completes at once', async () => {
    const h = handlers();
    expect(await h.isComplete({ ResourceProperties: props(NEW), PhysicalResourceId: NEW })).toEqual({ IsComplete: true });
    expect(h.calls).toEqual([]);
  });
});

describe('README and docs/operations.md state the verification\'s numbers', () => {
  const read = (...p: string[]) => fs.readFileSync(path.join(__dirname, '..', ...p), 'utf8').replace(/\s+/g, ' ');
  const max = DeployVerification.MAX_TIMEOUT.toMinutes();
  test('the longest verification, the polling interval and the default margin', () => {
    expect(read('README.md')).toContain(`A deployment waits at most ${max} minutes for the run`);
    const operations = read('docs', 'operations.md');
    expect(operations).toContain(`\`verificationTimeout\` is at most ${max} minutes, leaving ${VERIFICATION_LIMITS.providerMargin.toMinutes()} minutes to terminate a timed-out run`);
    expect(operations).toContain(`by default the wait is that plus ${VERIFICATION_LIMITS.startMargin.toMinutes()} minutes (queueing, instance start, image pull), at most ${max} minutes`);
    const margin = VERIFICATION_LIMITS.startMargin.toMinutes();
    expect(operations).toContain(`(${max} - ${margin}) / 3 = ${(max - margin) / 3} minutes for the one-liner`);
    expect(operations).toContain(`reads the job every ${DeployVerification.QUERY_INTERVAL.toSeconds()} seconds (\`DeployVerification.QUERY_INTERVAL\`)`);
  });
});
