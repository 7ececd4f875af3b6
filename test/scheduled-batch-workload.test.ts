import { App, Annotations as CoreAnnotations, CfnParameter, Duration, Lazy, Size, Stack, Tags, TimeZone, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  BatchPlatform, ComputePlatform, CostCategory, CostOptimizedVpc, CostReport, EgressProfile, HardenedRepository, ScheduledBatchWorkload,
  ScheduledBatchWorkloadProps, SpotComputeEnvironment, UnitPrices,
} from '../src';

const IMAGE = 'public.ecr.aws/docker/library/python:3.13-slim';
const nightly = () => scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: TimeZone.EUROPE_LONDON });

function stack(): Stack {
  return new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

function workload(s: Stack, props: Partial<ScheduledBatchWorkloadProps> = {}, id = 'Nightly'): ScheduledBatchWorkload {
  return new ScheduledBatchWorkload(s, id, {
    schedule: nightly(),
    image: ecs.ContainerImage.fromRegistry(IMAGE),
    command: ['python', '-c', 'print("hello")'],
    ...props,
  });
}

function jobDefinition(template: Template): any {
  const defs = Object.values(template.findResources('AWS::Batch::JobDefinition')) as any[];
  expect(defs).toHaveLength(1);
  return defs[0].Properties;
}

/** The logical id of the one role whose logical id starts with `prefix`. */
function roleIdOf(template: Template, prefix: string): string {
  const ids = Object.keys(template.findResources('AWS::IAM::Role')).filter(id => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/**
 * The statements of the role whose logical id starts with `prefix`: the library's roles keep them inline, in one
 * policy named 'Permissions', and have no AWS::IAM::Policy attached (checked).
 */
function inlineStatements(template: Template, prefix: string): any[] {
  const id = roleIdOf(template, prefix);
  const attached = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => JSON.stringify(p.Properties.Roles ?? []).includes(`"${id}"`));
  expect(attached).toEqual([]);
  const policies = template.toJSON().Resources[id].Properties.Policies ?? [];
  expect(policies.map((p: any) => p.PolicyName)).toEqual(policies.length ? ['Permissions'] : []);
  return policies.flatMap((p: any) => p.PolicyDocument.Statement);
}

describe('the one-liner', () => {
  const s = stack();
  const w = workload(s);
  const template = Template.fromStack(s);

  test('creates its own platform: VPC, compute environment and a job queue over it', () => {
    expect(w.ownsPlatform).toBe(true);
    expect(w.vpc).toBeInstanceOf(CostOptimizedVpc);
    expect(w.computeEnvironment).toBeInstanceOf(SpotComputeEnvironment);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::Batch::ComputeEnvironment', 1);
    template.resourceCountIs('AWS::Batch::JobQueue', 1);
    template.hasResourceProperties('AWS::Batch::JobQueue', {
      ComputeEnvironmentOrder: [{ ComputeEnvironment: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NightlyPlatformCompute'), 'ComputeEnvironmentArn'] }, Order: 1 }],
    });
  });

  test('cancels jobs stuck RUNNABLE: after 4 h for capacity, 10 min for an impossible resource request', () => {
    template.hasResourceProperties('AWS::Batch::JobQueue', {
      JobStateTimeLimitActions: [
        { Action: 'CANCEL', MaxTimeSeconds: 14400, Reason: 'CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY', State: 'RUNNABLE' },
        { Action: 'CANCEL', MaxTimeSeconds: 14400, Reason: 'MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE', State: 'RUNNABLE' },
        { Action: 'CANCEL', MaxTimeSeconds: 600, Reason: 'MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT', State: 'RUNNABLE' },
      ],
    });
  });

  test('job definition: EC2 container, 1 vCPU, 2 GiB, non-root, not privileged, 1 h timeout, tags propagated, old revisions kept', () => {
    const def = jobDefinition(template);
    expect(def.Type).toBe('container');
    expect(def.PlatformCapabilities).toEqual(['EC2']);
    expect(def.Timeout).toEqual({ AttemptDurationSeconds: 3600 });
    expect(def.PropagateTags).toBe(true);
    expect(def.ContainerProperties).toMatchObject({
      Image: IMAGE,
      Command: ['python', '-c', 'print("hello")'],
      User: '1000:1000',
      Privileged: false,
      ReadonlyRootFilesystem: false,
      ResourceRequirements: expect.arrayContaining([
        { Type: 'MEMORY', Value: '2048' },
        { Type: 'VCPU', Value: '1' },
      ]),
    });
    expect(def.ResourceRetentionPolicy).toEqual({ SkipDeregisterOnUpdate: true });
  });

  test('retries Spot reclaims and image pulls, exits on application errors, and ends with a catch-all EXIT', () => {
    expect(jobDefinition(template).RetryStrategy).toEqual({
      Attempts: 3,
      EvaluateOnExit: [
        { Action: 'RETRY', OnStatusReason: 'Host EC2*' },
        { Action: 'RETRY', OnReason: 'CannotPullContainerError:*' },
        { Action: 'EXIT', OnExitCode: '*' },
        { Action: 'EXIT', OnReason: '*' },
      ],
    });
  });

  test('logs go to the platform\'s /aws/batch/ job log group, kept 30 days and retained, in streams named after the job', () => {
    // The job log, the run state log, the VPC flow log, and the stack's start check's state log (on by default).
    template.resourceCountIs('AWS::Logs::LogGroup', 4);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: { 'Fn::Join': ['', [Match.stringLikeRegexp('^/aws/batch/Test-Nightly-Platform-SharedRuns-'), Match.anyValue()]] }, RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
    });
    expect(jobDefinition(template).ContainerProperties.LogConfiguration).toEqual({
      LogDriver: 'awslogs',
      Options: {
        'awslogs-group': { Ref: expect.stringMatching(/^NightlyPlatformSharedRunsJobLogs/) },
        // The job name leads every stream name, so the jobs that share the log group keep their streams apart.
        'awslogs-stream-prefix': w.jobName,
        'awslogs-region': 'us-east-1',
      },
    });
    expect(Stack.of(w).resolve(w.logGroup.logGroupName)).toEqual({ Ref: expect.stringMatching(/^NightlyPlatformSharedRunsJobLogs/) });
  });

  test('the job runs with the platform\'s execution role, which may only write to the job log group (inline); no job role until one is needed', () => {
    expect(inlineStatements(template, 'NightlyPlatformSharedRunsJobExecutionRole')).toEqual([{
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NightlyPlatformSharedRunsJobLogs/), 'Arn'] },
    }]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' } }] },
      Description: Match.stringLikeRegexp('^Writes the logs of the platform'),
      ManagedPolicyArns: Match.absent(),
    });
    const container = jobDefinition(template).ContainerProperties;
    expect(container.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NightlyPlatformSharedRunsJobExecutionRole/), 'Arn'] });
    // A job that calls no AWS API gets no role, so no credentials.
    expect(container.JobRoleArn).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::IAM::Role', { Description: 'The permissions of the job code' }, 0);
    template.resourcePropertiesCountIs('AWS::IAM::Role', { Description: 'Pulls the image, writes the job logs and reads the job secrets' }, 0);
  });

  test('a logRetention of its own gives the workload its own job log group and an execution role that writes only to it', () => {
    const kept = stack();
    const own = workload(kept, { logRetention: RetentionDays.ONE_YEAR });
    const t = Template.fromStack(kept);
    t.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: { 'Fn::Join': ['', [Match.stringLikeRegexp('^/aws/batch/Test-Nightly-Job-'), Match.anyValue()]] }, RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
    expect(jobDefinition(t).ContainerProperties.LogConfiguration.Options).toEqual({
      'awslogs-group': { Ref: expect.stringMatching(/^NightlyJobLogGroup/) },
      'awslogs-stream-prefix': own.jobName,
      'awslogs-region': 'us-east-1',
    });
    expect(inlineStatements(t, 'NightlyJobExecutionRole')).toEqual([{
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NightlyJobLogGroup/), 'Arn'] },
    }]);
    expect(jobDefinition(t).ContainerProperties.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NightlyJobExecutionRole/), 'Arn'] });
    // Nothing of the platform's shared job logging is created for it.
    expect(Object.keys(t.toJSON().Resources).filter(id => /^NightlyPlatformSharedRuns(JobLogs|JobExecutionRole)/.test(id))).toEqual([]);
  });

  test('EventBridge Scheduler starts a tracked run in the platform\'s group, in the schedule time zone, with retries and the platform\'s DLQ', () => {
    // The platform's group, and the stack's start-check group of one-time schedules (on by default: test/start-deadline.test.ts).
    const groups = Object.keys(template.findResources('AWS::Scheduler::ScheduleGroup')).sort();
    expect(groups).toEqual([expect.stringMatching(/^NightlyPlatformSharedRunsScheduleGroup/), expect.stringMatching(/^StartDeadlineCheckScheduleGroup/)]);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      GroupName: Match.stringLikeRegexp('^Test-Nightly-Platform-SharedRuns-ScheduleGroup-'),
      Target: {
        Arn: { Ref: Match.stringLikeRegexp('^NightlyScheduleRunsStateMachine') },
        Input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}',
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NightlyPlatformSharedRunsSchedulerRole'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NightlyPlatformSharedRunsDeadLetterQueue'), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
      },
    });
    expect(Stack.of(w).resolve(w.scheduleGroup.scheduleGroupName)).toEqual(template.toJSON().Resources[groups[0]].Properties.Name);
  });

  test('each run submits this job definition to this queue with .sync, under a deadline, and notifies the workload topic', () => {
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as any;
    const text = JSON.stringify(machine.Properties.DefinitionString);
    expect(text).toContain('batch:submitJob.sync');
    expect(text).toContain('NightlyPlatformJobQueue');
    expect(text).toContain('NightlyJobJobDefinition');
    expect(text).toContain('NightlyPlatformAlarmTopic');
    // 3 attempts x 1 h + 15 min + 2 x 5 min
    expect(text).toContain('"TimeoutSeconds\\":12300');
  });

  test('trackRuns: false submits the job directly through the universal target, with a scheduler role of its own (inline) in the platform\'s group', () => {
    const untracked = stack();
    workload(untracked, { trackRuns: false });
    const t = Template.fromStack(untracked);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      GroupName: Match.stringLikeRegexp('^Test-Nightly-Platform-SharedRuns-ScheduleGroup-'),
      Target: Match.objectLike({
        Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:batch:submitJob']] },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NightlyScheduleSchedulerRole'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NightlyPlatformSharedRunsDeadLetterQueue'), 'Arn'] } },
      }),
    });
    expect(inlineStatements(t, 'NightlyScheduleSchedulerRole')).toEqual([
      {
        Action: 'batch:SubmitJob',
        Effect: 'Allow',
        // The job's own submit statement (BatchJob.submitPolicyStatement), the same as grantSubmit's.
        Resource: [{ Ref: expect.stringMatching(/^NightlyJobJobDefinition/) }, { 'Fn::GetAtt': [expect.stringMatching(/^NightlyPlatformJobQueue/), 'JobQueueArn'] }],
      },
      // Tagging the job with its workload tag as it is submitted (test/job-tags.test.ts).
      expect.objectContaining({ Action: 'batch:TagResource', Condition: expect.objectContaining({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['cdk-scheduled-batch:workload'] } }) }),
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NightlyPlatformSharedRunsDeadLetterQueue/), 'Arn'] } },
    ]);
    // The platform's tag-scoped role starts tracked runs only: an untracked schedule does not get it.
    expect(Object.keys(t.findResources('AWS::IAM::Role')).filter(id => id.startsWith('NightlyPlatformSharedRunsSchedulerRole'))).toEqual([]);
    // The failed-jobs and long-running alarms watch untracked runs: the workload has alarms of its own. No alarm claims
    // to catch a missed run (docs/operations.md says what untracked runs leave unwatched).
    const own = Object.keys(t.findResources('AWS::CloudWatch::Alarm')).filter(id => id.startsWith('NightlyAlarms')).sort();
    expect(own.map(id => id.replace(/^NightlyAlarms/, '').replace(/[0-9A-F]{8}$/, ''))).toEqual(['FailedJobsAlarm', 'LongRunningAlarm']);
    t.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'JobsMovedToSucceeded' }, 0);
  });

  test('the platform\'s scheduler role may start only state machines tagged for the platform, and send to its DLQ; this run\'s state machine has the tag', () => {
    const statements = inlineStatements(template, 'NightlyPlatformSharedRunsSchedulerRole');
    expect(statements).toEqual([
      {
        Action: 'states:StartExecution',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:us-east-1:123456789012:stateMachine:*']] },
        Condition: { StringEquals: { 'aws:ResourceTag/cdk-scheduled-batch:platform': expect.stringMatching(/^Test-Nightly-Platform-SharedRuns-/) } },
      },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NightlyPlatformSharedRunsDeadLetterQueue/), 'Arn'] } },
    ]);
    const tag = statements[0].Condition.StringEquals['aws:ResourceTag/cdk-scheduled-batch:platform'];
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      Tags: Match.arrayWith([{ Key: 'cdk-scheduled-batch:platform', Value: tag }]),
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          Principal: { Service: 'scheduler.amazonaws.com' },
        }],
      },
    });
    // The scheduler and execution roles keep their statements inline (no AWS::IAM::Policy of theirs or the job's) and
    // have no "*" resource; the scheduler role's one wildcard is stateMachine:*, under the tag condition above (the
    // ECS instance role's and the run tracker's AWS-forced ones are tested with them).
    expect(Object.keys(template.findResources('AWS::IAM::Policy')).filter(id => /^Nightly(Schedule|Job|PlatformSharedRuns)/.test(id))).toEqual([]);
    const roles = ['NightlyPlatformSharedRunsSchedulerRole', 'NightlyPlatformSharedRunsJobExecutionRole'].map(prefix => inlineStatements(template, prefix));
    expect(JSON.stringify(roles)).not.toContain('"Resource":"*"');
  });

  test('the run state machine\'s role keeps its statements inline, and the run logs to the platform\'s state log group', () => {
    const statements = inlineStatements(template, 'NightlyScheduleRunsStateMachineRole');
    expect(statements).toContainEqual({
      Action: 'batch:SubmitJob',
      Effect: 'Allow',
      Resource: [{ Ref: expect.stringMatching(/^NightlyJobJobDefinition/) }, { 'Fn::GetAtt': [expect.stringMatching(/^NightlyPlatformJobQueue/), 'JobQueueArn'] }],
    });
    expect(statements).toContainEqual({ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^NightlyPlatformAlarmTopic/) } });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NightlyScheduleRunsStateMachineRole'), 'Arn'] },
      LoggingConfiguration: Match.objectLike({
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NightlyPlatformSharedRunsExecutionLogs'), 'Arn'] } } }],
      }),
    });
  });

  test('the dead-letter queue is encrypted, TLS-only and keeps messages 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
  });

  test('creates no repository when an image is given, and alarms by default', () => {
    expect(w.repository).toBeUndefined();
    template.resourceCountIs('AWS::ECR::Repository', 0);
    expect(w.alarms).toBeDefined();
    expect(w.alarms!.alarms.length).toBeGreaterThan(0);
  });

  test('the job definition has a literal name, which a workload\'s own event rules match with a prefix on every revision', () => {
    expect(jobDefinition(template).JobDefinitionName).toBe(w.jobName);
    // A tracked run is reported by its tracker: the one-liner has no rule of its own, only the platform's
    // blocked-queue rule, over the whole queue.
    expect(Object.keys(template.findResources('AWS::Events::Rule'))).toEqual([expect.stringMatching(/^NightlyPlatformSharedRunsAlarmsQueueBlockedRule/)]);
    // Untracked on a shared platform, the workload's own rule (failed jobs) matches its job definition.
    const shared = stack();
    const platform = new BatchPlatform(shared, 'Platform');
    const untracked = workload(shared, { platform, trackRuns: false }, 'Untracked');
    const rules = Object.entries(Template.fromStack(shared).findResources('AWS::Events::Rule')).filter(([id]) => id.startsWith('UntrackedAlarms'));
    // No blocked-queue rule of its own: the platform's sends every blocked job of the queue to the same topic once.
    expect(rules.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['UntrackedAlarmsFailedJobRule']);
    expect(Object.keys(Template.fromStack(shared).findResources('AWS::Events::Rule')).filter(id => /QueueBlockedRule/.test(id)).map(id => id.replace(/[0-9A-F]{8}$/, '')))
      .toEqual(['PlatformSharedRunsAlarmsQueueBlockedRule']);
    for (const [, rule] of rules) {
      expect(rule.Properties.EventPattern.detail.jobDefinition).toEqual([
        { prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:batch:us-east-1:123456789012:job-definition/${untracked.jobName}:`]] } },
      ]);
    }
  });

  test('creates no data bucket by default', () => {
    expect(w.dataBucket).toBeUndefined();
    template.resourceCountIs('AWS::S3::Bucket', 0);
  });
});

describe('image and repository', () => {
  test('without an image the workload creates a HardenedRepository and runs its latest tag, which stays movable', () => {
    const s = stack();
    const w = new ScheduledBatchWorkload(s, 'Nightly', { schedule: nightly() });
    expect(w.repository).toBeInstanceOf(HardenedRepository);
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' }],
    });
    expect(JSON.stringify(jobDefinition(t).ContainerProperties.Image)).toContain(':latest');
    // An execution role of its own (inline) may pull from that repository, and write to the platform's job log group.
    const statements = inlineStatements(t, 'NightlyJobExecutionRole');
    expect(statements).toContainEqual({
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NightlyJobRepository/), 'Arn'] },
    });
    expect(statements).toContainEqual({ Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' });
    expect(statements).toContainEqual({
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NightlyPlatformSharedRunsJobLogs/), 'Arn'] },
    });
    expect(jobDefinition(t).ContainerProperties.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NightlyJobExecutionRole/), 'Arn'] });
    // The platform's shared execution role, which pulls nothing, is not created for it.
    expect(Object.keys(t.findResources('AWS::IAM::Role')).filter(id => id.startsWith('NightlyPlatformSharedRunsJobExecutionRole'))).toEqual([]);
  });

  test('a pinned imageTag makes every tag of the created repository immutable', () => {
    const s = stack();
    new ScheduledBatchWorkload(s, 'Nightly', { schedule: nightly(), imageTag: 'v1.2.3' });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::ECR::Repository', { ImageTagMutability: 'IMMUTABLE' });
    expect(JSON.stringify(jobDefinition(t).ContainerProperties.Image)).toContain(':v1.2.3');
  });

  test('without an image, synth warns that runs fail until the tag is pushed, and says how to push it', () => {
    const s = stack();
    new ScheduledBatchWorkload(s, 'Nightly', { schedule: nightly() });
    new ScheduledBatchWorkload(s, 'Pinned', { schedule: nightly(), imageTag: 'v1.2.3' });
    const annotations = Annotations.fromStack(s);
    annotations.hasWarning('/Test/Nightly', Match.stringLikeRegexp(
      "runs ':latest' of the ECR repository it creates.*every run fails to pull the image until ':latest' is pushed.*docker push <repositoryUri>:latest.*cdk-scheduled-batch:emptyRepository"));
    annotations.hasWarning('/Test/Pinned', Match.stringLikeRegexp("until ':v1.2.3' is pushed.*docker push <repositoryUri>:v1.2.3"));
  });

  test('the empty-repository warning can be acknowledged, and a given image or brought repository raises none', () => {
    const s = stack();
    const acknowledged = new ScheduledBatchWorkload(s, 'Acknowledged', { schedule: nightly() });
    CoreAnnotations.of(acknowledged).acknowledgeWarning('cdk-scheduled-batch:emptyRepository', 'The pipeline pushes :latest before the first run');
    workload(s, {}, 'WithImage');
    new ScheduledBatchWorkload(s, 'Brought', { schedule: nightly(), repository: ecr.Repository.fromRepositoryName(s, 'Repo', 'team/report') });
    Annotations.fromStack(s).hasNoWarning('*', Match.stringLikeRegexp('emptyRepository'));
  });

  test('a brought repository is used and none is created', () => {
    const s = stack();
    const repo = ecr.Repository.fromRepositoryName(s, 'Repo', 'team/report');
    const w = new ScheduledBatchWorkload(s, 'Nightly', { schedule: nightly(), repository: repo, imageTag: 'v7' });
    expect(w.repository).toBe(repo);
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::ECR::Repository', 0);
    expect(JSON.stringify(jobDefinition(t).ContainerProperties.Image)).toContain('team/report:v7');
  });
});

describe('job options', () => {
  test('secrets are injected from Secrets Manager and SSM, readable by the job\'s own execution role only', () => {
    const s = stack();
    const secret = new secretsmanager.Secret(s, 'Secret');
    const param = ssm.StringParameter.fromStringParameterName(s, 'Param', '/app/token');
    const w = workload(s, { secrets: { DB_PASSWORD: batch.Secret.fromSecretsManager(secret), TOKEN: batch.Secret.fromSsmParameter(param) } });
    // A second workload on the same platform: public image, no secrets, so the platform's shared execution role.
    const other = workload(s, { platform: w.platform }, 'Other');
    const t = Template.fromStack(s);
    const defs = t.findResources('AWS::Batch::JobDefinition');
    const def = (prefix: string) => Object.entries(defs).find(([id]) => id.startsWith(prefix))![1].Properties;
    expect(def('NightlyJob').ContainerProperties.Secrets).toEqual([
      { Name: 'DB_PASSWORD', ValueFrom: { Ref: Match.stringLikeRegexp('^Secret') } as any },
      { Name: 'TOKEN', ValueFrom: expect.anything() },
    ].map(x => expect.objectContaining({ Name: x.Name })));
    const statements = inlineStatements(t, 'NightlyJobExecutionRole');
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: expect.stringMatching(/^Secret/) } }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['ssm:GetParameter']) }));
    expect(def('NightlyJob').ContainerProperties.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NightlyJobExecutionRole/), 'Arn'] });
    // The other job runs with the shared role, which reads none of the secrets; no other role may read them.
    expect(def('OtherJob').ContainerProperties.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NightlyPlatformSharedRunsJobExecutionRole/), 'Arn'] });
    expect(other.executionRole).not.toBe(w.executionRole);
    const readers = Object.entries(t.toJSON().Resources as { [id: string]: any })
      .filter(([, r]) => ['AWS::IAM::Role', 'AWS::IAM::Policy'].includes(r.Type) && /secretsmanager:GetSecretValue|ssm:GetParameter/.test(JSON.stringify(r.Properties)))
      .map(([id]) => id);
    expect(readers).toEqual([expect.stringMatching(/^NightlyJobExecutionRole/)]);
  });

  test('the cost of a workload counts a Secrets Manager secret once however many variables read it, and SSM parameters not at all', () => {
    const s = stack();
    const secret = new secretsmanager.Secret(s, 'Secret');
    const param = ssm.StringParameter.fromStringParameterName(s, 'Param', '/app/token');
    const w = workload(s, {
      secrets: {
        DB_USER: batch.Secret.fromSecretsManager(secret, 'user'),
        DB_PASSWORD: batch.Secret.fromSecretsManager(secret, 'password'),
        TOKEN: batch.Secret.fromSsmParameter(param),
      },
    });
    const secretLines = w.costLineItems().filter(i => i.category === CostCategory.SECRETS);
    expect(secretLines.reduce((sum, i) => sum + i.quantity, 0)).toBe(1);
    expect(secretLines.reduce((sum, i) => sum + i.monthlyUsd, 0)).toBe(UnitPrices.SECRET_MONTH);
  });

  test('cpu, memory, timeout, user, retries and environment are passed through', () => {
    const s = stack();
    workload(s, {
      cpu: 4,
      memory: Size.gibibytes(16),
      timeout: Duration.minutes(30),
      user: 'root',
      retryAttempts: 5,
      environment: { STAGE: 'prod' },
      retryableExitCodes: ['75'],
      readonlyRootFilesystem: true,
    });
    const def = jobDefinition(Template.fromStack(s));
    expect(def.Timeout).toEqual({ AttemptDurationSeconds: 1800 });
    expect(def.ContainerProperties).toMatchObject({
      User: 'root',
      ReadonlyRootFilesystem: true,
      Environment: [{ Name: 'STAGE', Value: 'prod' }],
      ResourceRequirements: expect.arrayContaining([{ Type: 'MEMORY', Value: '16384' }, { Type: 'VCPU', Value: '4' }]),
    });
    expect(def.RetryStrategy).toEqual({
      Attempts: 5,
      EvaluateOnExit: [
        { Action: 'RETRY', OnStatusReason: 'Host EC2*' },
        { Action: 'RETRY', OnReason: 'CannotPullContainerError:*' },
        { Action: 'RETRY', OnExitCode: '75' },
        { Action: 'EXIT', OnExitCode: '*' },
        { Action: 'EXIT', OnReason: '*' },
      ],
    });
  });

  test('Fargate Spot: Fargate container, Fargate Spot interruption retried, X86_64', () => {
    const s = stack();
    workload(s, { computePlatform: ComputePlatform.FARGATE, cpu: 0.5, memory: Size.gibibytes(1) });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::Batch::ComputeEnvironment', { ComputeResources: Match.objectLike({ Type: 'FARGATE_SPOT' }) });
    const def = jobDefinition(t);
    expect(def.PlatformCapabilities).toEqual(['FARGATE']);
    expect(def.ContainerProperties.RuntimePlatform).toEqual({ CpuArchitecture: 'X86_64' });
    expect(def.RetryStrategy.EvaluateOnExit[0]).toEqual({ Action: 'RETRY', OnStatusReason: 'Your Spot Task was interrupted*' });
    expect(def.ContainerProperties.ResourceRequirements).toEqual(expect.arrayContaining([{ Type: 'MEMORY', Value: '1024' }, { Type: 'VCPU', Value: '0.5' }]));
  });

  test('schedule switches: disabled, flexible window, retry policy', () => {
    const s = stack();
    workload(s, {
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)),
      enabled: false,
      flexibleTimeWindow: Duration.minutes(15),
      scheduleRetryAttempts: 0,
      scheduleMaxEventAge: Duration.minutes(5),
    });
    Template.fromStack(s).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(6 hours)',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 } }),
    });
  });

  test('grantSubmit lets a principal submit this job definition to this queue', () => {
    const s = stack();
    const w = workload(s);
    const user = new iam.User(s, 'Operator');
    w.grantSubmit(user);
    Template.fromStack(s).hasResourceProperties('AWS::IAM::Policy', {
      Users: [{ Ref: Match.stringLikeRegexp('^Operator') }],
      PolicyDocument: {
        Statement: [{
          Action: 'batch:SubmitJob',
          Effect: 'Allow',
          Resource: [{ Ref: Match.stringLikeRegexp('^NightlyJobJobDefinition') }, { 'Fn::GetAtt': [Match.stringLikeRegexp('^NightlyPlatformJobQueue'), 'JobQueueArn'] }],
        }],
      },
    });
  });

  test('addToJobRolePolicy adds to the job role', () => {
    const s = stack();
    const w = workload(s);
    w.addToJobRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['arn:aws:dynamodb:us-east-1:123456789012:table/t'] }));
    const t = Template.fromStack(s);
    // The job role is created with its first statement, inline, and the job definition runs the job with it.
    expect(inlineStatements(t, 'NightlyJobJobRole')).toEqual([{ Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/t' }]);
    expect(jobDefinition(t).ContainerProperties.JobRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NightlyJobJobRole/), 'Arn'] });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' } }] },
      Description: 'The permissions of the job code',
      ManagedPolicyArns: Match.absent(),
    });
  });
});

describe('data bucket', () => {
  test('createDataBucket makes an encrypted, versioned, TLS-only, private, retained bucket the job role can read and write', () => {
    const s = stack();
    const w = workload(s, { createDataBucket: true });
    const t = Template.fromStack(s);
    t.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: { Ref: Match.stringLikeRegexp('^NightlyJobDataAccessLogs') } }),
      }),
      DeletionPolicy: 'Retain',
    });
    expect(w.dataBucket).toBeDefined();
    expect(inlineStatements(t, 'NightlyJobJobRole')).toEqual([
      { Action: ['s3:ListBucket', 's3:GetBucketLocation'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NightlyJobDataBucket/), 'Arn'] } },
      {
        // Spelled out: no s3:GetObject*, s3:Abort* or other wildcard actions.
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^NightlyJobDataBucket/), 'Arn'] }, '/*']] },
      },
    ]);
    expect(jobDefinition(t).ContainerProperties.JobRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NightlyJobJobRole/), 'Arn'] });
  });

  test('a brought bucket is granted and none is created', () => {
    const s = stack();
    const bucket = s3.Bucket.fromBucketName(s, 'Data', 'team-data');
    workload(s, { dataBucket: bucket });
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::S3::Bucket', 0);
    const statements = inlineStatements(t, 'NightlyJobJobRole');
    expect(statements.map(x => x.Action)).toEqual([
      ['s3:ListBucket', 's3:GetBucketLocation'],
      ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    ]);
    for (const statement of statements) expect(JSON.stringify(statement.Resource)).toContain(':s3:::team-data');
    expect(jobDefinition(t).ContainerProperties.JobRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NightlyJobJobRole/), 'Arn'] });
  });
});

describe('bring your own', () => {
  test('vpc: compute goes into the brought VPC and no VPC is created', () => {
    const s = stack();
    const vpc = new CostOptimizedVpc(s, 'Shared', { egress: EgressProfile.natGateway() });
    const w = workload(s, { vpc });
    expect(w.vpc).toBe(vpc);
    Template.fromStack(s).resourceCountIs('AWS::EC2::VPC', 1);
  });

  test('compute environment: the queue is built over it and no other compute is created', () => {
    const s = stack();
    const vpc = new CostOptimizedVpc(s, 'Vpc');
    const compute = new SpotComputeEnvironment(s, 'Compute', { vpc });
    const w = workload(s, { computeEnvironment: compute });
    expect(w.computeEnvironment).toBe(compute);
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::Batch::ComputeEnvironment', 1);
    t.hasResourceProperties('AWS::Batch::JobQueue', {
      ComputeEnvironmentOrder: [{ ComputeEnvironment: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Compute'), 'ComputeEnvironmentArn'] }, Order: 1 }],
    });
  });

  test('job queue: no VPC, compute or queue is created and the alarms treat the queue as shared', () => {
    const s = stack();
    const queue = batch.JobQueue.fromJobQueueArn(s, 'Queue', 'arn:aws:batch:us-east-1:123456789012:job-queue/shared');
    const w = workload(s, { jobQueue: queue, computePlatform: ComputePlatform.FARGATE, cpu: 1, memory: Size.gibibytes(2) });
    expect(w.jobQueue).toBe(queue);
    expect(w.vpc).toBeUndefined();
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::EC2::VPC', 0);
    t.resourceCountIs('AWS::Batch::ComputeEnvironment', 0);
    t.resourceCountIs('AWS::Batch::JobQueue', 0);
    expect(jobDefinition(t).PlatformCapabilities).toEqual(['FARGATE']);
  });

  test('on a shared platform the workload notifies a topic of its own, and its alarms and rules also reach the platform topic', () => {
    const s = stack();
    const topic = new sns.Topic(s, 'Ops', { enforceSSL: true });
    const platform = new BatchPlatform(s, 'Platform', { alarmTopic: topic });
    const w = workload(s, { platform, notificationEmail: 'reports@example.com' });
    // Untracked, a workload also has CloudWatch alarms of its own (failed jobs, missed run).
    const u = workload(s, { platform, notificationEmail: 'batch@example.com', trackRuns: false }, 'Untracked');
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::SNS::Topic', 3);
    expect(w.notificationTopic).not.toBe(topic);
    const own = Stack.of(s).resolve((w.notificationTopic as sns.Topic).topicArn);
    const ownOfU = Stack.of(s).resolve((u.notificationTopic as sns.Topic).topicArn);
    // The subscriber gets this workload's messages only.
    t.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'reports@example.com', TopicArn: own });
    t.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'batch@example.com', TopicArn: ownOfU });
    // Its own alarms watch it; the platform's shared ones (schedule delivery, dead-letter queue) are not its.
    expect(w.alarms!.node.path).toBe('Test/Nightly/Alarms');
    expect(u.alarms!.node.path).toBe('Test/Untracked/Alarms');
    const alarms = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('UntrackedAlarms'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([ownOfU, { Ref: expect.stringMatching(/^Ops/) }]);
    }
    // A tracked run's failures come from its tracker: the workload's own blocked-queue rule (its job definition
    // only) notifies its topic and the platform's.
    const rules = Object.entries(t.findResources('AWS::Events::Rule')).filter(([id]) => id.startsWith('NightlyAlarms'));
    expect(rules.map(([id]) => id)).toEqual([expect.stringMatching(/^NightlyAlarmsQueueBlockedRule/)]);
    // Its own subscribers hear of its blocked jobs; the platform topic hears of them once, by the platform's rule.
    expect(rules[0][1].Properties.Targets.map((x: any) => x.Arn)).toEqual([own]);
    // Run notifications go to the workload's own topic.
    const machine = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0] as any;
    expect(JSON.stringify(machine.Properties.DefinitionString)).toContain(own.Ref);
    // The platform's shared alarms go to the platform topic alone: no workload's subscriber is on them.
    const platformAlarms = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('PlatformSharedRunsAlarms'));
    expect(platformAlarms.length).toBe(2);
    for (const [, alarm] of platformAlarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Ops/) }]);
  });

  test('two workloads on one platform: one workload\'s subscriber is on nothing of the other\'s', () => {
    const s = stack();
    const platform = new BatchPlatform(s, 'Platform');
    const a = workload(s, { platform, notificationEmail: 'a@example.com' }, 'A');
    const b = workload(s, { platform, notificationEmail: 'b@example.com' }, 'B');
    const t = Template.fromStack(s);
    const arnOf = (w: ScheduledBatchWorkload) => JSON.stringify(s.resolve((w.notificationTopic as sns.Topic).topicArn));
    const subs = Object.values(t.findResources('AWS::SNS::Subscription')) as any[];
    expect(subs.map(x => [x.Properties.Endpoint, JSON.stringify(x.Properties.TopicArn)])).toEqual([['a@example.com', arnOf(a)], ['b@example.com', arnOf(b)]]);
    // Nothing of B's (alarms, rules, state machine) names A's topic.
    const ofB = Object.entries(t.toJSON().Resources).filter(([id]) => id.startsWith('B')).map(([, r]) => JSON.stringify(r)).join();
    expect(ofB).not.toContain(arnOf(a));
  });

  test('platform props pass through to the platform the workload creates: an On-Demand fallback after Spot', () => {
    const s = stack();
    workload(s, { onDemandFallback: true, maxvCpus: 64 });
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::Batch::ComputeEnvironment', 2);
    t.hasResourceProperties('AWS::Batch::JobQueue', {
      ComputeEnvironmentOrder: [
        { ComputeEnvironment: Match.anyValue(), Order: 1 },
        { ComputeEnvironment: Match.anyValue(), Order: 2 },
      ],
    });
    t.hasResourceProperties('AWS::Batch::ComputeEnvironment', { ComputeResources: Match.objectLike({ Type: 'SPOT', MaxvCpus: 64 }) });
  });

  test('on a shared platform, a workload may still send its notifications to a topic it brings', () => {
    const s = stack();
    const platform = new BatchPlatform(s, 'Platform');
    const teamTopic = new sns.Topic(s, 'Team', { enforceSSL: true });
    const w = workload(s, { platform, alarmTopic: teamTopic });
    workload(s, { platform, alarmTopic: teamTopic, trackRuns: false }, 'Untracked');
    expect(w.notificationTopic).toBe(teamTopic);
    const t = Template.fromStack(s);
    const alarms = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('UntrackedAlarms'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Team/) }, { Ref: expect.stringMatching(/^PlatformAlarmTopic/) }]);
    }
    const rules = Object.entries(t.findResources('AWS::Events::Rule')).filter(([id]) => id.startsWith('NightlyAlarms'));
    expect(rules.length).toBe(1);
    // The platform topic hears of blocked jobs once, by the platform's own rule.
    expect(rules[0][1].Properties.Targets.map((x: any) => x.Arn)).toEqual([{ Ref: expect.stringMatching(/^Team/) }]);
    // The tracked run notifies the brought topic.
    const machine = Object.entries(t.findResources('AWS::StepFunctions::StateMachine')).find(([id]) => id.startsWith('Nightly'))![1] as any;
    expect(JSON.stringify(machine.Properties.DefinitionString)).toMatch(/"Ref":"Team[0-9A-F]{8}"/);
  });

  test('alarms: false creates no alarms', () => {
    const s = stack();
    const w = workload(s, { alarms: false });
    expect(w.alarms).toBeUndefined();
    const t = Template.fromStack(s);
    expect(Object.keys(t.findResources('AWS::CloudWatch::Alarm')).filter(id => id.startsWith('NightlyAlarms'))).toEqual([]);
    t.resourceCountIs('AWS::Events::Rule', 0);
  });
});

describe('shared platform', () => {
  test('workloads on one platform share its VPC, compute, queue and run resources, and each keeps its own job definition, schedule and run', () => {
    const s = stack();
    const platform = new BatchPlatform(s, 'Platform');
    const a = workload(s, { platform }, 'A');
    const b = workload(s, { platform }, 'B');
    expect(a.jobQueue).toBe(b.jobQueue);
    expect(a.ownsPlatform).toBe(false);
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::Batch::ComputeEnvironment', 1);
    t.resourceCountIs('AWS::Batch::JobQueue', 1);
    // Their own: job definition, schedule, run state machine (and its role).
    t.resourceCountIs('AWS::Batch::JobDefinition', 2);
    t.resourceCountIs('AWS::Scheduler::Schedule', 2);
    // + the stack's start check (on by default), one for both: its state machine, schedule group and state log.
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 2 + 1);
    // The platform's, shared: one schedule group, one dead-letter queue, one scheduler role, one job execution role,
    // one job log group and one state log group (and the flow log), one topic, two alarms.
    t.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1 + 1);
    t.resourceCountIs('AWS::SQS::Queue', 1);
    t.resourceCountIs('AWS::Logs::LogGroup', 3 + 1);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 2 + 2); // + the NAT instance's recovery and reboot alarms
    expect(a.scheduleGroup).toBe(b.scheduleGroup);
    expect(a.deadLetterQueue).toBe(b.deadLetterQueue);
    expect(a.schedulerRole).toBe(b.schedulerRole);
    expect(a.executionRole).toBe(b.executionRole);
    expect(a.logGroup).toBe(b.logGroup);
    expect(a.notificationTopic).toBe(b.notificationTopic);
    expect(a.alarms).toBe(b.alarms);
    // Both run state machines carry the platform's tag, which its scheduler role requires.
    const tags = Object.entries(t.findResources('AWS::StepFunctions::StateMachine')).filter(([id]) => !id.startsWith('StartDeadlineCheck'))
      .map(([, m]: [string, any]) => m.Properties.Tags);
    expect(tags).toHaveLength(2);
    expect(tags[0]).toEqual(tags[1]);
    expect(tags[0]).toContainEqual({ Key: 'cdk-scheduled-batch:platform', Value: expect.stringMatching(/^Test-Platform-SharedRuns-/) });
  });

  test('the scheduler role of one platform cannot start the runs of another: each platform has its own tag value', () => {
    const s = stack();
    const one = workload(s, { platform: new BatchPlatform(s, 'One') }, 'A');
    const two = workload(s, { platform: new BatchPlatform(s, 'Two') }, 'B');
    const t = Template.fromStack(s);
    const tagOf = (w: ScheduledBatchWorkload) => {
      const machine = t.toJSON().Resources[Stack.of(s).getLogicalId(w.jobSchedule.tracker!.stateMachine.node.defaultChild as any)];
      return machine.Properties.Tags.find((x: any) => x.Key === 'cdk-scheduled-batch:platform').Value;
    };
    const allowed = (platformId: string) => inlineStatements(t, `${platformId}SharedRunsSchedulerRole`)[0].Condition.StringEquals['aws:ResourceTag/cdk-scheduled-batch:platform'];
    expect(allowed('One')).toBe(tagOf(one));
    expect(allowed('Two')).toBe(tagOf(two));
    expect(tagOf(one)).not.toBe(tagOf(two));
  });

  test('60 workloads (more than the 50-queue quota) fit on one platform (one queue, one compute environment) across three stacks of 20', () => {
    const app = new App();
    const env = { account: '123456789012', region: 'us-east-1' };
    const platformStack = new Stack(app, 'Platform', { env });
    const platform = new BatchPlatform(platformStack, 'Platform');
    const stacks = ['WorkloadsA', 'WorkloadsB', 'WorkloadsC'].map(name => new Stack(app, name, { env }));
    for (let i = 0; i < 60; i++) {
      workload(stacks[i % 3], { platform }, `Job${i}`);
    }
    const counts = stacks.map(st => Object.keys(Template.fromStack(st).toJSON().Resources).length);
    for (const c of counts) expect(c).toBeLessThanOrEqual(500);
    const queues = [platformStack, ...stacks].reduce((n, st) => n + Object.keys(Template.fromStack(st).findResources('AWS::Batch::JobQueue')).length, 0);
    const ces = [platformStack, ...stacks].reduce((n, st) => n + Object.keys(Template.fromStack(st).findResources('AWS::Batch::ComputeEnvironment')).length, 0);
    expect(queues).toBe(1);
    expect(ces).toBe(1);
    expect(stacks.reduce((n, st) => n + Object.keys(Template.fromStack(st).findResources('AWS::Scheduler::Schedule')).length, 0)).toBe(60);
  });

  test('a second own-platform workload in a stack warns and points at BatchPlatform', () => {
    const s = stack();
    workload(s, {}, 'A');
    workload(s, {}, 'B');
    const annotations = Annotations.fromStack(s);
    annotations.hasWarning('/Test/B', Match.stringLikeRegexp('create one BatchPlatform.*severalOwnPlatforms'));
    annotations.hasNoWarning('/Test/A', Match.stringLikeRegexp('severalOwnPlatforms'));
  });
});

describe('tags', () => {
  test('tags on the workload reach the job definition, the queue and the instances it launches', () => {
    const s = stack();
    const w = workload(s);
    Tags.of(w).add('CostCenter', 'reports');
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::Batch::JobDefinition', { Tags: { CostCenter: 'reports' } });
    t.hasResourceProperties('AWS::Batch::JobQueue', { Tags: { CostCenter: 'reports' } });
    t.hasResourceProperties('AWS::Batch::ComputeEnvironment', { ComputeResources: Match.objectLike({ Tags: Match.objectLike({ CostCenter: 'reports' }) }) });
  });
});

describe('validation', () => {
  const cases: Array<[string, Partial<ScheduledBatchWorkloadProps>, RegExp]> = [
    ['retryAttempts 0', { retryAttempts: 0 }, /'retryAttempts' must be a whole number from 1 to 10, got 0/],
    ['retryAttempts 11', { retryAttempts: 11 }, /'retryAttempts' must be a whole number from 1 to 10, got 11/],
    ['a leading * in an exit code', { retryableExitCodes: ['*1'] }, /'retryableExitCodes' entry '\*1' is not an exit-code pattern/],
    ['too many exit codes', { retryableExitCodes: ['1', '2'] }, /'retryableExitCodes' may list at most 1 entries, got 2/],
    ['a timeout under 60 s', { timeout: Duration.seconds(30) }, /'timeout' must be at least 60 seconds, got 30 seconds/],
    ['fractional EC2 vCPUs', { cpu: 0.5 }, /'cpu' must be a whole number of vCPUs from 1 to 192 on EC2, got 0.5/],
    ['too little EC2 memory', { memory: Size.mebibytes(2) }, /'memory' must be from 4 MiB to 1536 GiB on EC2, got 2 MiB/],
    ['a Fargate vCPU count that does not exist', { computePlatform: ComputePlatform.FARGATE, cpu: 3 }, /'cpu' must be one of 0.25, 0.5, 1, 2, 4, 8, 16 vCPUs on Fargate, got 3/],
    ['a Fargate memory that does not match the vCPUs', { computePlatform: ComputePlatform.FARGATE, cpu: 1, memory: Size.gibibytes(16) }, /'memory' of 16384 MiB is not a Fargate size for 1 vCPU: use one of 2048, 3072/],
    ['privileged on Fargate', { computePlatform: ComputePlatform.FARGATE, privileged: true }, /'privileged' is true but the job runs on Fargate/],
    ['an AWS_BATCH_ environment variable', { environment: { AWS_BATCH_X: '1' } }, /'environment' key 'AWS_BATCH_X' starts with AWS_BATCH_/],
    ['image with imageTag', { imageTag: 'v1' }, /'image' was given together with 'imageTag'/],
    ['schedule retries over 185', { scheduleRetryAttempts: 186 }, /'scheduleRetryAttempts' must be a whole number from 0 to 185, got 186/],
    ['an event age over a day', { scheduleMaxEventAge: Duration.days(2) }, /'scheduleMaxEventAge' must be from 1 minute to 1 day, got 2 days/],
    ['a flexible window over 1440 minutes', { flexibleTimeWindow: Duration.days(2) }, /'flexibleTimeWindow' must be from 1 minute to 1440 minutes, got 2 days/],
  ];
  test.each(cases)('fails on %s', (_name, props, message) => {
    expect(() => workload(stack(), props)).toThrow(message);
  });

  test.each([
    ['alarms on', {}],
    ['alarms off', { alarms: false }],
  ])('notificationEmail that is not an address fails at synth, %s', (_name, props) => {
    expect(() => workload(stack(), { ...props, notificationEmail: 'oncall' }))
      .toThrow("'notificationEmail' must be an e-mail address, got 'oncall': give one address such as 'oncall@example.com'");
  });

  test.each(['<oncall@example.com>', 'Ops <oncall@example.com>', 'mailto:oncall@example.com', 'oncall@localhost', 'a@b@example.com', 'on call@example.com', 'oncall@example.com, ops@example.com'])(
    'notificationEmail %j, which SNS would refuse as an email endpoint, fails at synth', (email) => {
      expect(() => workload(stack(), { notificationEmail: email }))
        .toThrow(`'notificationEmail' must be an e-mail address, got '${email}': give one address such as 'oncall@example.com' (no display name, no 'mailto:'), or leave 'notificationEmail' out.`);
    });

  test.each(['oncall@example.com', 'first.last+batch@sub.example.co.uk', 'o\'neil@example-mail.com'])('notificationEmail %j passes', (email) => {
    expect(() => workload(stack(), { notificationEmail: email }, 'Ok')).not.toThrow();
  });

  test('a missing schedule (JavaScript, a Python dict) fails naming the prop, not with a TypeError', () => {
    expect(() => workload(stack(), { schedule: undefined as any }))
      .toThrow("'schedule' is required: give when the job runs, e.g. ScheduleExpression.cron({ hour: '2', minute: '0' }) or ScheduleExpression.rate(Duration.hours(1)).");
  });

  test('notificationEmail with alarms off is subscribed; a token passes', () => {
    const s = stack();
    workload(s, { alarms: false, notificationEmail: 'oncall@example.com' }, 'Plain');
    const email = new ssm.StringParameter(s, 'Email', { stringValue: 'x@example.com' }).stringValue;
    workload(s, { alarms: false, notificationEmail: email }, 'Token');
    const endpoints = Object.values(Template.fromStack(s).findResources('AWS::SNS::Subscription')).map((r: any) => r.Properties.Endpoint);
    expect(endpoints).toEqual(['oncall@example.com', expect.objectContaining({ 'Fn::GetAtt': expect.any(Array) })]);
  });

  test('a dashboard without alarms fails at synth, naming both props', () => {
    expect(() => workload(stack(), { alarms: false, dashboard: true }))
      .toThrow("'dashboard' is true but 'alarms' is false: the dashboard shows the workload's alarms. Set 'alarms' to true (the default), or leave 'dashboard' out.");
  });

  test('fails when a platform is combined with a VPC', () => {
    const s = stack();
    const platform = new BatchPlatform(s, 'Platform');
    expect(() => workload(s, { platform, vpc: new ec2.Vpc(s, 'Other') }))
      .toThrow(/'platform' was given together with 'vpc': a shared platform already has its network/);
  });

  test('fails when a data bucket is both brought and created', () => {
    const s = stack();
    expect(() => workload(s, { dataBucket: s3.Bucket.fromBucketName(s, 'B', 'team-bucket'), createDataBucket: true }))
      .toThrow(/'dataBucket' was given and 'createDataBucket' is true/);
  });

  test('fails when a job queue is brought together with compute settings', () => {
    const s = stack();
    const queue = batch.JobQueue.fromJobQueueArn(s, 'Queue', 'arn:aws:batch:us-east-1:123456789012:job-queue/shared');
    expect(() => workload(s, { jobQueue: queue, spot: false })).toThrow(/'jobQueue' was given together with 'spot'/);
  });

  test('fails on a runnable time limit outside 10 minutes to 1 day', () => {
    expect(() => new BatchPlatform(stack(), 'Platform', { runnableTimeLimit: Duration.minutes(5) }))
      .toThrow(/'runnableTimeLimit' must be from 10 minutes to 1 day, got 5 minutes/);
  });

  test('a runnable time limit that is not whole seconds, or a token, fails naming the prop', () => {
    expect(() => new BatchPlatform(stack(), 'Platform', { runnableTimeLimit: Duration.millis(600_500) }))
      .toThrow("'runnableTimeLimit' is 600.5 seconds: it must be a whole number of seconds from 10 minutes to 1 day (AWS Batch job state time limits); e.g. Duration.hours(4), or leave it out for the default.");
    expect(() => new BatchPlatform(stack(), 'Token', { runnableTimeLimit: Duration.seconds(Token.asNumber(Lazy.number({ produce: () => 900 }))) }))
      .toThrow("'runnableTimeLimit' is a token: aws-cdk-lib checks a job queue's time limit at synth, so it needs a concrete value. Give e.g. Duration.hours(4), or leave it out for the default.");
  });
});

describe('job requests the platform cannot run fail at synth', () => {
  test('fails on more vCPUs than the platform\'s compute can give one job', () => {
    expect(() => workload(stack(), { cpu: 512 })).toThrow(/'cpu'/);
  });

  test('fails on more vCPUs than maxvCpus allows', () => {
    expect(() => workload(stack(), { maxvCpus: 4, cpu: 8, memory: Size.gibibytes(8) })).toThrow(/'cpu' of 8 vCPUs/);
  });

  test('fails on an image tag no registry accepts', () => {
    expect(() => workload(stack(), { image: undefined, imageTag: 'v1 final' })).toThrow(/'imageTag'/);
  });

  test('fails on the same variable in environment and secrets', () => {
    const s = stack();
    const param = ssm.StringParameter.fromStringParameterName(s, 'Param', '/app/token');
    expect(() => workload(s, { environment: { TOKEN: 'x' }, secrets: { TOKEN: batch.Secret.fromSsmParameter(param) } }))
      .toThrow("'environment' and 'secrets' both set 'TOKEN'");
  });

  test('environment renders in key order whatever order the map arrives in', () => {
    const render = (env: { [k: string]: string }) => {
      const s = stack();
      workload(s, { environment: env });
      return JSON.stringify(jobDefinition(Template.fromStack(s)).ContainerProperties.Environment);
    };
    const a = render({ ZED: '1', ALPHA: '2', MID: '3' });
    expect(a).toBe(render({ MID: '3', ZED: '1', ALPHA: '2' }));
    expect(JSON.parse(a).map((e: any) => e.Name)).toEqual(['ALPHA', 'MID', 'ZED']);
  });
});

describe('per-workload footprint on a shared platform', () => {
  test('each extra default workload adds 4 resources (job definition, schedule, state machine and its role) and no fixed cost', () => {
    const count = (n: number) => {
      const s = stack();
      const platform = new BatchPlatform(s, 'Platform');
      for (let i = 0; i < n; i++) workload(s, { platform }, `W${i}`);
      return { template: Template.fromStack(s).toJSON(), cost: CostReport.of(s).monthlyUsd };
    };
    const one = count(1);
    const two = count(2);
    const added = Object.entries(two.template.Resources as { [id: string]: any }).filter(([id]) => !(id in one.template.Resources));
    expect(added.map(([, r]) => r.Type).sort()).toEqual(['AWS::Batch::JobDefinition', 'AWS::IAM::Role', 'AWS::Scheduler::Schedule', 'AWS::StepFunctions::StateMachine']);
    expect(two.cost).toBe(one.cost);
  });
});

describe('schedules that can never run fail at synth, tracked or not', () => {
  test.each([
    ['a cron that never fires (31 February)', scheduler.ScheduleExpression.expression('cron(0 0 31 2 ? *)')],
    ['a zero rate', scheduler.ScheduleExpression.expression('rate(0 minutes)')],
  ])('fails on %s', (_what, expression) => {
    expect(() => workload(stack(), { schedule: expression })).toThrow(/'schedule'/);
    expect(() => workload(stack(), { schedule: expression, trackRuns: false })).toThrow(/'schedule'/);
  });
});

describe('run deadline and numeric inputs', () => {
  const numberToken = (s: Stack, name: string) => new CfnParameter(s, name, { type: 'Number' }).valueAsNumber;

  test.each([
    ['runDeadline without tracking', { runDeadline: Duration.hours(2), trackRuns: false },
      /^'runDeadline' is set but 'trackRuns' is false: the deadline applies to tracked runs only/],
    ['runDeadline shorter than one attempt\'s timeout', { runDeadline: Duration.minutes(10) },
      /^'runDeadline' is 10 minutes, shorter than one attempt's 'timeout' \(1 hour\): a run that uses its attempt's time is stopped and reported late/],
    ['runDeadline 0', { runDeadline: Duration.seconds(0) }, /^'runDeadline' is 0 seconds: it must be a whole number of seconds of at least 1 minute/],
    ['runDeadline over a year', { runDeadline: Duration.days(400) }, /^The run deadline \('runDeadline'\) is 400 days, over the 1-year limit of a Step Functions Standard execution: lower 'timeout' or 'retryAttempts' or 'runDeadline'\.$/],
    ['a derived deadline over a year', { timeout: Duration.days(40), retryAttempts: 10 }, /^The run deadline \('retryAttempts' x 'timeout' \+ grace\) is 400 days 1 hour/],
    ['timeout NaN', { timeout: Duration.hours(NaN) }, /^'timeout' is NaN seconds: it must be a whole number of seconds/],
    ['timeout Infinity', { timeout: Duration.hours(Infinity) }, /^'timeout' is Infinity seconds: it must be a whole number of seconds/],
    ['runDeadline as a string', { runDeadline: '2h' as any }, /^'runDeadline' is '2h', which is not a Duration/],
    ['schedule as a string', { schedule: 'rate(1 hour)' as any }, /^'schedule' is 'rate\(1 hour\)', which is not a ScheduleExpression/],
    ['memory as a string', { memory: '2GiB' as any }, /^'memory' is '2GiB', which is not a Size/],
    ['an undeclared Ref:: in command', { command: ['report', 'Ref::day'] }, /^'command' reads Ref::day, but 'parameters' declares no 'day'/],
  ])('fails on %s, naming the workload prop', (_name, props, message) => {
    expect(() => workload(stack(), props as Partial<ScheduledBatchWorkloadProps>)).toThrow(message);
  });

  test('fails on a token retryAttempts without a runDeadline, naming it and never printing the token as a number', () => {
    const s = stack();
    const attempt = () => workload(s, { retryAttempts: numberToken(s, 'Attempts') });
    expect(attempt).toThrow(/^'retryAttempts' is a token \(known only at deploy\), but the default run deadline is computed at synth from 'retryAttempts' x 'timeout': give 'retryAttempts' a concrete value, or set 'runDeadline'\.$/);
    expect(attempt).not.toThrow(/e\+\d{3}/);
  });

  test('tokens pass: retryAttempts and arraySize from parameters, with a concrete runDeadline', () => {
    const s = stack();
    const w = workload(s, { retryAttempts: numberToken(s, 'Attempts'), arraySize: numberToken(s, 'Size'), runDeadline: Duration.hours(6) });
    expect(w.jobSchedule.tracker!.deadline.toHours()).toBe(6);
    expect(JSON.stringify(Template.fromStack(s).toJSON())).not.toMatch(/e\+\d{3}/);
  });

  test('the note of a deadline shorter than every attempt names runDeadline', () => {
    const s = stack();
    workload(s, { runDeadline: Duration.hours(2) });
    const infos = Annotations.fromStack(s).findInfo('*', Match.stringLikeRegexp("'runDeadline' \\(2 hours\\) is shorter than 'retryAttempts' x 'timeout' \\(3 hours\\)"));
    expect(infos).toHaveLength(1);
  });
});
