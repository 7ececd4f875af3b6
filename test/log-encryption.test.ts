import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  BatchFleet, BatchJob, BatchPlatform, DeployVerification, JobSchedule, PlatformDashboard, RunApi, RunTracker, ScheduledBatchWorkflow,
  ScheduledBatchWorkload,
} from '../src';

// Every log group the library creates takes a customer-managed key (issue #26), and the key policy lets CloudWatch
// Logs use it. The statement as AWS documents it:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
const env = { account: '123456789012', region: 'eu-west-2' };
const LOGS_STATEMENT = {
  Effect: 'Allow',
  Principal: { Service: 'logs.eu-west-2.amazonaws.com' },
  Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
  Resource: '*',
  // Every log group of the account and region (the partition stays a reference: the stack names no partition).
  Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-2:123456789012:log-group:*']] } } },
};
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
const timeout = cdk.Duration.minutes(10);

function stackWithKey(name: string) {
  const stack = new cdk.Stack(new cdk.App(), name, { env });
  const key = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
  return { stack, key, keyArn: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } };
}

/** The log group resource of `logGroup`, as rendered. */
function rendered(logGroup: logs.ILogGroup): any {
  const stack = cdk.Stack.of(logGroup);
  const id = stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup);
  return Template.fromStack(stack).toJSON().Resources[id];
}

/** A RunApi with one route (an API without methods does not synthesize). */
function runApi(stack: cdk.Stack, id: string, props: ConstructorParameters<typeof RunApi>[2] = {}): RunApi {
  const api = new RunApi(stack, id, props);
  const platform = (stack.node.tryFindChild('Platform') as BatchPlatform | undefined) ?? new BatchPlatform(stack, 'Platform');
  api.addJob(new BatchJob(stack, `${id}Job`, { platform, image: IMAGE }), { routeName: 'nightly' });
  return api;
}

const checkovSkips = (resource: any): string[] => (resource.Metadata?.checkov?.skip ?? []).map((s: { id: string }) => s.id);

/** The key policy holds the CloudWatch Logs statement. */
function expectLogsStatement(stack: cdk.Stack) {
  Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: { Statement: Match.arrayWith([LOGS_STATEMENT]) },
  });
}

describe('each log group the library creates takes a customer-managed key', () => {
  test('RunApi accessLogEncryptionKey: the access log is encrypted with it, the key policy lets CloudWatch Logs use it, no checkov skip', () => {
    const { stack, key, keyArn } = stackWithKey('Api');
    const api = runApi(stack, 'RunApi', { accessLogEncryptionKey: key });
    const group = rendered(api.accessLogGroup);
    expect(group.Properties.KmsKeyId).toEqual(keyArn);
    expect(checkovSkips(group)).toEqual([]);
    expectLogsStatement(stack);
  });

  test('RunTracker logEncryptionKey: the state log', () => {
    const { stack, key, keyArn } = stackWithKey('Tracker');
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE });
    const tracker = new RunTracker(stack, 'Runs', {
      job, notificationTopic: new sns.Topic(stack, 'Topic'), workloadName: 'nightly', logEncryptionKey: key,
    });
    expect(rendered(tracker.logGroup).Properties.KmsKeyId).toEqual(keyArn);
    expect(checkovSkips(rendered(tracker.logGroup))).toEqual([]);
    expectLogsStatement(stack);
  });

  test('JobSchedule runLogEncryptionKey: the run tracker\'s state log', () => {
    const { stack, key, keyArn } = stackWithKey('Schedule');
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE });
    const s = new JobSchedule(stack, 'Nightly', { job, schedule, runLogEncryptionKey: key });
    expect(rendered(s.tracker!.logGroup).Properties.KmsKeyId).toEqual(keyArn);
    expectLogsStatement(stack);
  });

  test('ScheduledBatchWorkflow logEncryptionKey: the state log (the steps keep their own key option)', () => {
    const { stack, key, keyArn } = stackWithKey('Flow');
    const flow = new ScheduledBatchWorkflow(stack, 'Flow', { schedule, steps: [{ name: 'extract', image: IMAGE }], logEncryptionKey: key });
    expect(rendered(flow.logGroup).Properties.KmsKeyId).toEqual(keyArn);
    expect(rendered(flow.jobs.extract.logGroup).Properties.KmsKeyId).toBeUndefined();
    expectLogsStatement(stack);
  });

  test('DeployVerification logEncryptionKey: the functions\' and waiter\'s log', () => {
    const { stack, key, keyArn } = stackWithKey('Verify');
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE, timeout });
    const v = new DeployVerification(stack, 'Verify', { job, logEncryptionKey: key });
    expect(rendered(v.logGroup).Properties.KmsKeyId).toEqual(keyArn);
    expect(checkovSkips(rendered(v.logGroup))).toEqual([]);
    expectLogsStatement(stack);
  });

  test('a BatchJob\'s own logEncryptionKey: the key policy now lets CloudWatch Logs use it too', () => {
    const { stack, key, keyArn } = stackWithKey('Job');
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE, logEncryptionKey: key });
    expect(rendered(job.logGroup).Properties.KmsKeyId).toEqual(keyArn);
    expectLogsStatement(stack);
  });

  test('one statement however many log groups share the key', () => {
    const { stack, key } = stackWithKey('Shared');
    runApi(stack, 'A', { accessLogEncryptionKey: key });
    runApi(stack, 'B', { accessLogEncryptionKey: key });
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0] as any;
    expect(policy.Properties.KeyPolicy.Statement.filter((s: any) => s.Principal?.Service === 'logs.eu-west-2.amazonaws.com')).toHaveLength(1);
  });

  test('an environment-agnostic stack names the region of the deployment in the principal and the condition', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Agnostic');
    const key = new kms.Key(stack, 'LogKey');
    runApi(stack, 'RunApi', { accessLogEncryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
        })]),
      },
    });
  });

  test('an imported key is used as given: its policy is not this app\'s (it must already allow CloudWatch Logs)', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Imported', { env });
    const keyArn = 'arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const api = runApi(stack, 'RunApi', { accessLogEncryptionKey: kms.Key.fromKeyArn(stack, 'Key', keyArn) });
    expect(rendered(api.accessLogGroup).Properties.KmsKeyId).toBe(keyArn);
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 0);
  });

  test('without a key: CloudWatch Logs\' own encryption, and the checkov skip says which prop gives one', () => {
    const stack = new cdk.Stack(new cdk.App(), 'NoKey', { env });
    const api = runApi(stack, 'RunApi');
    const group = rendered(api.accessLogGroup);
    expect(group.Properties.KmsKeyId).toBeUndefined();
    expect(group.Metadata.checkov.skip).toEqual([{ id: 'CKV_AWS_158', comment: expect.stringContaining('Pass accessLogEncryptionKey if policy requires a CMK.') }]);
  });
});

describe('ScheduledBatchWorkload logEncryptionKey encrypts every log the workload owns', () => {
  function workload(props: { trackRuns?: boolean } = {}) {
    const { stack, key, keyArn } = stackWithKey('Workload');
    const platform = new BatchPlatform(stack, 'Platform');
    const w = new ScheduledBatchWorkload(stack, 'Nightly', {
      platform, schedule, image: IMAGE, timeout, verifyOnDeploy: true, logEncryptionKey: key, ...props,
    });
    return { stack, w, keyArn };
  }

  test('the job log, the verification log and a state log of its own (not the platform\'s shared one), each with the key', () => {
    const { stack, w, keyArn } = workload();
    const stateLog = w.jobSchedule.tracker!.logGroup;
    expect(stateLog.node.path).toBe('Workload/Nightly/Schedule/Runs/ExecutionLogs');
    for (const group of [w.logGroup, w.verification!.logGroup, stateLog]) expect(rendered(group).Properties.KmsKeyId).toEqual(keyArn);
    expect(stack.node.tryFindChild('Platform')!.node.tryFindChild('SharedRuns')?.node.tryFindChild('ExecutionLogs')).toBeUndefined();
    expectLogsStatement(stack);
  });

  test('untracked runs: no state log; the job and verification logs still take the key', () => {
    const { w, keyArn } = workload({ trackRuns: false });
    expect(w.jobSchedule.tracker).toBeUndefined();
    for (const group of [w.logGroup, w.verification!.logGroup]) expect(rendered(group).Properties.KmsKeyId).toEqual(keyArn);
  });

  test('without a key, the workload\'s runs log to the platform\'s shared state log, as before', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Shared', { env });
    const w = new ScheduledBatchWorkload(stack, 'Nightly', { platform: new BatchPlatform(stack, 'Platform'), schedule, image: IMAGE });
    expect(w.jobSchedule.tracker!.logGroup.node.path).toBe('Shared/Platform/SharedRuns/ExecutionLogs');
  });
});

describe('a key for a log group that is passed in is refused, naming both props', () => {
  test('RunTracker logEncryptionKey with logGroup', () => {
    const { stack, key } = stackWithKey('TrackerConflict');
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE });
    expect(() => new RunTracker(stack, 'Runs', {
      job, notificationTopic: new sns.Topic(stack, 'Topic'), workloadName: 'nightly', logEncryptionKey: key, logGroup: new logs.LogGroup(stack, 'Mine'),
    })).toThrow("'logEncryptionKey' is set but so is 'logGroup': the key encrypts a new log group only. Encrypt the log group you pass with the key yourself, or leave 'logGroup' out.");
  });

  test('JobSchedule runLogEncryptionKey with runLogGroup, and without tracked runs', () => {
    const { stack, key } = stackWithKey('ScheduleConflict');
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE });
    expect(() => new JobSchedule(stack, 'A', { job, schedule, runLogEncryptionKey: key, runLogGroup: new logs.LogGroup(stack, 'Mine') }))
      .toThrow("'runLogEncryptionKey' is set but so is 'runLogGroup': the key encrypts a new log group only. Encrypt the log group you pass with the key yourself, or leave 'runLogGroup' out.");
    expect(() => new JobSchedule(stack, 'B', { job, schedule, runLogEncryptionKey: key, trackRuns: false }))
      .toThrow("'runLogEncryptionKey' is set but 'trackRuns' is false: an untracked schedule has no run tracker and no state log.");
  });
});

describe('a platform\'s shared logs take a key too (sharedLogEncryptionKey)', () => {
  function platformWorkloads(name: string) {
    const { stack, key, keyArn } = stackWithKey(name);
    const platform = new BatchPlatform(stack, 'Platform', { sharedLogEncryptionKey: key });
    const workloads = ['Nightly', 'Weekly'].map(id => new ScheduledBatchWorkload(stack, id, { platform, image: IMAGE, schedule }));
    return { stack, keyArn, workloads };
  }

  test('the job log and the run state log the workloads share are encrypted with it, the key policy lets CloudWatch Logs use it', () => {
    const { stack, keyArn, workloads } = platformWorkloads('Shared');
    const [nightly, weekly] = workloads;
    // Both workloads write to the platform's shared groups: one job log, one state log, each with the key.
    expect(nightly.logGroup).toBe(weekly.logGroup);
    const groups = Template.fromStack(stack).findResources('AWS::Logs::LogGroup');
    const shared = Object.entries<any>(groups).filter(([id]) => id.startsWith('PlatformSharedRuns'));
    expect(shared.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['PlatformSharedRunsExecutionLogs', 'PlatformSharedRunsJobLogs']);
    for (const [, group] of shared) {
      expect(group.Properties.KmsKeyId).toEqual(keyArn);
      expect(checkovSkips(group)).not.toContain('CKV_AWS_158');
    }
    expectLogsStatement(stack);
  });

  test('without it the shared logs keep CloudWatch Logs\' own encryption, and the checkov skip names the prop to set', () => {
    const stack = new cdk.Stack(new cdk.App(), 'NoKey', { env });
    const platform = new BatchPlatform(stack, 'Platform');
    new ScheduledBatchWorkload(stack, 'Nightly', { platform, image: IMAGE, schedule });
    const groups = Object.entries<any>(Template.fromStack(stack).findResources('AWS::Logs::LogGroup')).filter(([id]) => id.startsWith('PlatformSharedRuns'));
    expect(groups).toHaveLength(2);
    for (const [, group] of groups) {
      expect(group.Properties.KmsKeyId).toBeUndefined();
      expect(group.Metadata.checkov.skip).toEqual([expect.objectContaining({ id: 'CKV_AWS_158', comment: expect.stringContaining('sharedLogEncryptionKey') })]);
    }
  });

  test('a BatchFleet passes it to its platform; a workload on a given platform cannot set it (the platform\'s logs are the platform\'s)', () => {
    const { stack, key, keyArn } = stackWithKey('Fleet');
    const fleet = new BatchFleet(stack, 'Fleet', { sharedLogEncryptionKey: key });
    fleet.addWorkload('Nightly', { image: IMAGE, schedule });
    const groups = Template.fromStack(stack).findResources('AWS::Logs::LogGroup');
    const shared = Object.entries<any>(groups).filter(([id]) => id.startsWith('FleetPlatformSharedRuns'));
    expect(shared).toHaveLength(2);
    for (const [, group] of shared) expect(group.Properties.KmsKeyId).toEqual(keyArn);
    const platform = new BatchPlatform(stack, 'Other');
    expect(() => new ScheduledBatchWorkload(stack, 'Bad', { platform, image: IMAGE, schedule, sharedLogEncryptionKey: key }))
      .toThrow("'platform' was given together with 'sharedLogEncryptionKey': a shared platform already has its network, compute, queue and shared logs.");
  });
});

describe('every log retention prop takes only the day counts CloudWatch Logs accepts (logs.RetentionDays)', () => {
  // RetentionInDays takes only the listed values: 8 would fail the deployment.
  // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
  const job = (stack: cdk.Stack) => new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE });
  const builders: Array<[string, (stack: cdk.Stack, retention: logs.RetentionDays) => unknown]> = [
    ['logRetention', (stack, r) => new BatchJob(stack, 'J', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE, logRetention: r })],
    ['logRetention', (stack, r) => new ScheduledBatchWorkload(stack, 'W', { schedule, image: IMAGE, logRetention: r })],
    ['logRetention', (stack, r) => new RunTracker(stack, 'Runs', { job: job(stack), notificationTopic: new sns.Topic(stack, 'Topic'), workloadName: 'nightly', logRetention: r })],
    ['logRetention', (stack, r) => new ScheduledBatchWorkflow(stack, 'Flow', { schedule, steps: [{ name: 'extract', image: IMAGE }], logRetention: r })],
    ['logRetention', (stack, r) => new DeployVerification(stack, 'Verify', { job: job(stack), timeout: cdk.Duration.minutes(30), logRetention: r })],
    ['accessLogRetention', (stack, r) => new RunApi(stack, 'RunApi', { accessLogRetention: r })],
    ['runEventsRetention', (stack, r) => new PlatformDashboard(stack, 'Dashboard', { jobQueue: new BatchPlatform(stack, 'P').jobQueue, platformName: 'p', runEventsRetention: r })],
  ];

  test.each(builders.map(([prop, build], i) => [`${i}: ${prop}`, prop, build] as const))('%s: 8 fails at synth naming the prop and the accepted values; a member and a token pass', (_name, prop, build) => {
    expect(() => build(new cdk.Stack(new cdk.App(), 'Bad', { env }), 8 as logs.RetentionDays))
      .toThrow(new RegExp(`^'${prop}' is 8, which is not a logs\\.RetentionDays: use one of logs\\.RetentionDays\\.ONE_DAY, logs\\.RetentionDays\\.THREE_DAYS, `));
    expect(() => build(new cdk.Stack(new cdk.App(), 'Good', { env }), logs.RetentionDays.ONE_WEEK)).not.toThrow();
    expect(() => build(new cdk.Stack(new cdk.App(), 'Token', { env }), cdk.Token.asNumber(cdk.Lazy.number({ produce: () => 7 })))).not.toThrow();
  });
});
