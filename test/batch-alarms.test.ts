import * as cdk from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BatchAlarms, BatchAlarmsProps, CostCategory, UnitPrices } from '../src';
import { parseField, scheduleCadence } from '../src/private/schedule-window';

// Expected names are literal strings copied from the AWS documentation pages, NOT imported from the source, so a
// typo in a metric name, namespace or dimension in src/ fails these tests.
// https://docs.aws.amazon.com/batch/latest/userguide/using_cloudwatch_metrics.html
const BATCH_NS = 'AWS/Batch';
const QUEUE_DIM = 'JobQueueName';
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
const EVENTS_NS = 'AWS/Events';
// https://docs.aws.amazon.com/scheduler/latest/UserGuide/monitoring-cloudwatch.html
const SCHEDULER_NS = 'AWS/Scheduler';
// https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-batch.html
const STATE_CHANGE = 'Batch Job State Change';
const QUEUE_BLOCKED = 'Batch Job Queue Blocked';

const QUEUE_ARN = 'arn:aws:batch:us-east-1:123456789012:job-queue/nightly-queue';
const QUEUE_NAME = 'nightly-queue';
const JOB_DEF_ARN = 'arn:aws:batch:us-east-1:123456789012:job-definition/nightly-report:7';
const JOB_DEF_PREFIX = 'arn:aws:batch:us-east-1:123456789012:job-definition/nightly-report:';

const DAILY_LONDON = scheduler.ScheduleExpression.cron({ minute: '0', hour: '2', timeZone: cdk.TimeZone.EUROPE_LONDON });

function setup(props: Partial<BatchAlarmsProps> = {}) {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Stack');
  const jobQueue = batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN);
  const alarms = new BatchAlarms(stack, 'Alarms', { jobQueue, ...props });
  return { stack, alarms, template: Template.fromStack(stack) };
}

function importedJobDefinition(stack: cdk.Stack) {
  return batch.EcsJobDefinition.fromJobDefinitionArn(stack, 'JobDef', JOB_DEF_ARN);
}

/** The CloudFormation logical ID of a construct. */
function logicalId(construct: cloudwatch.IAlarm | cdk.IResource): string {
  const child = construct.node.defaultChild as cdk.CfnElement;
  return cdk.Stack.of(construct).getLogicalId(child);
}

function alarmProps(template: Template, id: string): any {
  return template.toJSON().Resources[id].Properties;
}

describe('schedule cadence (pure functions, for the default run deadline)', () => {
  test('rate(1 hour): every gap is 1 hour', () => {
    expect(scheduleCadence('rate(1 hour)')).toEqual({ maxGapSeconds: 3600, minGapSeconds: 3600 });
  });

  test('daily cron: 1 day', () => {
    expect(scheduleCadence('cron(0 2 * * ? *)')).toEqual({ maxGapSeconds: 86_400, minGapSeconds: 86_400 });
  });

  test('uneven cron (08:00 and 18:00): longest and shortest gap', () => {
    expect(scheduleCadence('cron(0 8,18 * * ? *)')).toEqual({ maxGapSeconds: 14 * 3600, minGapSeconds: 10 * 3600 });
  });

  test('weekdays-only cron: the weekend is the longest gap (72 h)', () => {
    expect(scheduleCadence('cron(0 2 ? * MON-FRI *)')).toEqual({ maxGapSeconds: 72 * 3600, minGapSeconds: 24 * 3600 });
  });

  test('monthly cron: 31 days at most', () => {
    expect(scheduleCadence('cron(0 2 1 * ? *)')!.maxGapSeconds).toBe(31 * 86_400);
  });

  test.each([
    'at(2027-01-01T00:00:00)',
    'cron(0 2 L * ? *)',
    'cron(0 2 ? * 2#1 *)',
    'cron(0 2 * * ? 2027)',
    'cron(0 2 * * * *)',
    'rate(${Token[TOKEN.1]} hours)',
  ])('%s: cadence cannot be derived', (expression) => {
    expect(scheduleCadence(expression)).toBeUndefined();
  });

  test('cron fields: names, ranges, steps and lists', () => {
    expect([...parseField('MON-WED,FRI', 1, 7, ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'])!]).toEqual([2, 3, 4, 6]);
    expect([...parseField('10-20/5', 0, 59)!]).toEqual([10, 15, 20]);
    expect([...parseField('*/20', 0, 59)!]).toEqual([0, 20, 40]);
    expect(parseField('61', 0, 59)).toBeUndefined();
  });

});

describe('BatchAlarms on a dedicated queue (AWS/Batch metrics)', () => {
  test('failed jobs: JobsMovedToFailed Sum >= 1 in 5 minutes, missing data not breaching', () => {
    const { template } = setup();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: BATCH_NS,
      MetricName: 'JobsMovedToFailed',
      Dimensions: [{ Name: QUEUE_DIM, Value: QUEUE_NAME }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('failed jobs excluding operator cancels: metric math over JobsCancelled and JobsTerminated', () => {
    const { template, alarms } = setup({ excludeOperatorCancellations: true });
    const props = alarmProps(template, logicalId(alarms.failedJobsAlarm!));
    expect(props).toMatchObject({
      EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
    const byId = Object.fromEntries(props.Metrics.map((m: any) => [m.Id, m]));
    expect(byId.expr_1.Expression).toBe('FILL(failed, 0) - FILL(cancelled, 0) - FILL(terminated, 0)');
    expect(byId.expr_1.ReturnData).toBe(true);
    for (const [id, name] of [['failed', 'JobsMovedToFailed'], ['cancelled', 'JobsCancelled'], ['terminated', 'JobsTerminated']]) {
      expect(byId[id].MetricStat).toEqual({
        Metric: { Namespace: BATCH_NS, MetricName: name, Dimensions: [{ Name: QUEUE_DIM, Value: QUEUE_NAME }] },
        Period: 300,
        Stat: 'Sum',
      });
    }
  });

  test('the dimension is the queue NAME derived from the L2 JobQueue ARN, not the ARN (Ref)', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
    const ce = new batch.FargateComputeEnvironment(stack, 'Ce', { vpc });
    const jobQueue = new batch.JobQueue(stack, 'Queue', { computeEnvironments: [{ computeEnvironment: ce, order: 1 }] });
    new BatchAlarms(stack, 'Alarms', { jobQueue });
    const queueId = stack.getLogicalId(jobQueue.node.defaultChild as cdk.CfnElement);
    const queueName = {
      'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', { 'Fn::GetAtt': [queueId, 'JobQueueArn'] }] }] }] }],
    };
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'JobsMovedToFailed',
      Dimensions: [{ Name: QUEUE_DIM, Value: queueName }],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': [QUEUE_BLOCKED], 'detail': { jobQueue: [{ 'Fn::GetAtt': [queueId, 'JobQueueArn'] }] } },
    });
  });

  test('no missed-run alarm: nothing alarms on the absence of successes, and a schedule is not a prop', () => {
    // AWS Batch publishes JobsMovedToSucceeded only when a job changes state, and no metric counts due runs, so no
    // alarm on "no success in a window" can be exact for a cron: it was removed (docs/operations.md).
    const { template } = setup({ jobTimeout: cdk.Duration.hours(1), slowStartThreshold: cdk.Duration.minutes(30) });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'JobsMovedToSucceeded' }, 0);
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { TreatMissingData: 'breaching' }, 0);
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { ComparisonOperator: 'LessThanThreshold' }, 0);
    expect(() => setup({ schedule: DAILY_LONDON } as any)).toThrow(/'schedule' is not a property of BatchAlarmsProps/);
    expect(() => setup({ successWindow: cdk.Duration.days(1) } as any)).toThrow(/'successWindow' is not a property of BatchAlarmsProps/);
  });

  test('queue blocked: rule on Batch Job Queue Blocked for the queue ARN sends the event to the topic, no alarm', () => {
    const { template, alarms } = setup();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.batch'], 'detail-type': [QUEUE_BLOCKED], 'detail': { jobQueue: [QUEUE_ARN] } },
      State: 'ENABLED',
      Targets: [Match.objectLike({
        Arn: { Ref: logicalId(alarms.alarmTopic) },
        InputTransformer: Match.objectLike({
          InputPathsMap: Match.objectLike({ 'detail-statusReason': '$.detail.statusReason', 'detail-jobId': '$.detail.jobId' }),
        }),
      })],
    });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'TriggeredRules', Dimensions: [{ Name: 'RuleName', Value: { Ref: logicalId(alarms.queueBlockedRule!) } }] }, 0);
  });

  test('runsTracked: no failed-jobs or long-running alarm and no failure rule (the tracker reports each run once)', () => {
    const { template, alarms } = setup({ runsTracked: true, jobTimeout: cdk.Duration.hours(1) });
    expect(alarms.failedJobsAlarm).toBeUndefined();
    expect(alarms.longRunningAlarm).toBeUndefined();
    expect(alarms.failedJobRule).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::Events::Rule', 1);
  });

  test('schedule delivery: TargetErrorCount + InvocationDroppedCount of the schedule group', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack');
    const group = new scheduler.ScheduleGroup(stack, 'Group', { scheduleGroupName: 'nightly-report' });
    const alarms = new BatchAlarms(stack, 'Alarms', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN),
      scheduleGroup: group,
    });
    const props = alarmProps(Template.fromStack(stack), logicalId(alarms.scheduleDeliveryAlarm!));
    expect(props).toMatchObject({
      EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
    const byId = Object.fromEntries(props.Metrics.map((m: any) => [m.Id, m]));
    expect(byId.expr_1.Expression).toBe('FILL(targetErrors, 0) + FILL(dropped, 0)');
    expect(byId.targetErrors.MetricStat).toEqual({
      Metric: { Namespace: SCHEDULER_NS, MetricName: 'TargetErrorCount', Dimensions: [{ Name: 'ScheduleGroup', Value: 'nightly-report' }] },
      Period: 300,
      Stat: 'Sum',
    });
    expect(byId.dropped.MetricStat).toEqual({
      Metric: { Namespace: SCHEDULER_NS, MetricName: 'InvocationDroppedCount', Dimensions: [{ Name: 'ScheduleGroup', Value: 'nightly-report' }] },
      Period: 300,
      Stat: 'Sum',
    });
  });

  test('no schedule group, no DLQ: no delivery or DLQ alarm', () => {
    const { alarms, template } = setup();
    expect(alarms.scheduleDeliveryAlarm).toBeUndefined();
    expect(alarms.deadLetterQueueAlarm).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SQS' }, 0);
  });

  test('dead-letter queue: ApproximateNumberOfMessagesVisible Maximum >= 1', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack');
    const dlq = sqs.Queue.fromQueueArn(stack, 'Dlq', 'arn:aws:sqs:us-east-1:123456789012:nightly-dlq');
    new BatchAlarms(stack, 'Alarms', { jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN), deadLetterQueue: dlq });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: 'nightly-dlq' }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('long-running: JobAttemptExecutionDuration Maximum > 80% of the timeout, in ms', () => {
    const { template, alarms } = setup({ jobTimeout: cdk.Duration.hours(2) });
    expect(alarmProps(template, logicalId(alarms.longRunningAlarm!))).toMatchObject({
      Namespace: BATCH_NS,
      MetricName: 'JobAttemptExecutionDuration',
      Dimensions: [{ Name: QUEUE_DIM, Value: QUEUE_NAME }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 5_760_000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('long-running: the timeout comes from the job definition when jobTimeout is not set', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack');
    const jobDefinition = new batch.EcsJobDefinition(stack, 'JobDef', {
      container: new batch.EcsFargateContainerDefinition(stack, 'Container', {
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
        cpu: 1,
        memory: cdk.Size.gibibytes(2),
      }),
      timeout: cdk.Duration.minutes(50),
    });
    const alarms = new BatchAlarms(stack, 'Alarms', { jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN), jobDefinition });
    expect(alarmProps(Template.fromStack(stack), logicalId(alarms.longRunningAlarm!)).Threshold).toBe(2_400_000);
  });

  test('no timeout: no long-running alarm', () => {
    const { alarms, template } = setup();
    expect(alarms.longRunningAlarm).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'JobAttemptExecutionDuration' }, 0);
  });

  test('slow start: JobAttemptRunnableToStartingDuration Maximum > threshold in ms', () => {
    const { template, alarms } = setup({ slowStartThreshold: cdk.Duration.minutes(30) });
    expect(alarmProps(template, logicalId(alarms.slowStartAlarm!))).toMatchObject({
      Namespace: BATCH_NS,
      MetricName: 'JobAttemptRunnableToStartingDuration',
      Dimensions: [{ Name: QUEUE_DIM, Value: QUEUE_NAME }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1_800_000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('no slowStartThreshold: no slow-start alarm', () => {
    const { alarms, template } = setup();
    expect(alarms.slowStartAlarm).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'JobAttemptRunnableToStartingDuration' }, 0);
  });

  test('alarms lists every alarm; the defaults are failed jobs and queue blocked', () => {
    const { alarms, template } = setup();
    expect(alarms.alarms).toEqual([alarms.failedJobsAlarm]);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  });
});

describe('BatchAlarms on a shared queue (per-workload EventBridge signals)', () => {
  function shared(props: Partial<BatchAlarmsProps> = {}) {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack');
    const alarms = new BatchAlarms(stack, 'Alarms', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN),
      jobDefinition: importedJobDefinition(stack),
      sharedQueue: true,
      ...props,
    });
    return { stack, alarms, template: Template.fromStack(stack) };
  }

  test('failed jobs: TriggeredRules of a rule on FAILED jobs of this job definition (any revision)', () => {
    const { template, alarms } = shared();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.batch'],
        'detail-type': [STATE_CHANGE],
        'detail': { status: ['FAILED'], jobQueue: [QUEUE_ARN], jobDefinition: [{ prefix: JOB_DEF_PREFIX }] },
      },
    });
    expect(alarmProps(template, logicalId(alarms.failedJobsAlarm!))).toMatchObject({
      Namespace: EVENTS_NS,
      MetricName: 'TriggeredRules',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: logicalId(alarms.failedJobRule!) } }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { Namespace: BATCH_NS, MetricName: 'JobsMovedToFailed' }, 0);
  });

  test('no rule on SUCCEEDED jobs: only failures are per-workload signals', () => {
    const { template } = shared({ dashboard: true });
    template.resourcePropertiesCountIs('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: Match.objectLike({ status: ['SUCCEEDED'] }) }) }, 0);
  });

  test('queue blocked rule also filters on the job definition', () => {
    const { template } = shared();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': [QUEUE_BLOCKED], 'detail': { jobQueue: [QUEUE_ARN], jobDefinition: [{ prefix: JOB_DEF_PREFIX }] } },
    });
  });

  test('job definition with a token ARN: prefix built with Fn::Split/Select/Join', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack');
    const jobDefinition = new batch.EcsJobDefinition(stack, 'JobDef', {
      container: new batch.EcsFargateContainerDefinition(stack, 'Container', {
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
        cpu: 1,
        memory: cdk.Size.gibibytes(2),
      }),
    });
    new BatchAlarms(stack, 'Alarms', { jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN), jobDefinition, sharedQueue: true });
    const ref = { Ref: stack.getLogicalId(jobDefinition.node.defaultChild as cdk.CfnElement) };
    const select = (i: number) => ({ 'Fn::Select': [i, { 'Fn::Split': [':', ref] }] });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'detail-type': [STATE_CHANGE],
        'detail': { jobDefinition: [{ prefix: { 'Fn::Join': [':', [0, 1, 2, 3, 4, 5].map(select).concat(['' as any])] } }] },
      },
    });
  });

  test('no long-running alarm: the duration metric would mix workloads', () => {
    const { alarms, template } = shared({ jobTimeout: cdk.Duration.hours(1) });
    expect(alarms.longRunningAlarm).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'JobAttemptExecutionDuration' }, 0);
  });

  test('excludeOperatorCancellations is ignored with a warning', () => {
    const { stack, template } = shared({ excludeOperatorCancellations: true });
    Annotations.fromStack(stack).hasWarning('/Stack/Alarms', Match.stringLikeRegexp("'excludeOperatorCancellations' has no effect"));
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'JobsCancelled' }, 0);
  });

  test('failure rule exists even with failureNotifications false, without a target', () => {
    const { template, alarms } = shared({ failureNotifications: false });
    expect(alarms.failedJobRule).toBeDefined();
    const rule = template.toJSON().Resources[logicalId(alarms.failedJobRule!)].Properties;
    expect(rule.Targets).toBeUndefined();
  });
});

describe('notifications and actions', () => {
  test('default topic enforces SSL (cdk-nag SNS3) and receives every alarm', () => {
    const { template, alarms } = setup({ jobTimeout: cdk.Duration.hours(1) });
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'sns:Publish',
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
    const topicRef = { Ref: logicalId(alarms.alarmTopic as sns.Topic) };
    for (const alarm of alarms.alarms) {
      expect(alarmProps(template, logicalId(alarm)).AlarmActions).toEqual([topicRef]);
    }
  });

  test('bring-your-own topic: no topic created, alarms notify it', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack');
    const topic = new sns.Topic(stack, 'Ops', { enforceSSL: true });
    const alarms = new BatchAlarms(stack, 'Alarms', { jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN), alarmTopic: topic });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(alarms.alarmTopic).toBe(topic);
    const topicRef = { Ref: stack.getLogicalId(topic.node.defaultChild as cdk.CfnElement) };
    expect(alarmProps(template, logicalId(alarms.failedJobsAlarm!)).AlarmActions).toEqual([topicRef]);
  });

  test('imported topic with failure notifications: warning about the topic policy', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack');
    new BatchAlarms(stack, 'Alarms', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN),
      alarmTopic: sns.Topic.fromTopicArn(stack, 'Ops', 'arn:aws:sns:us-east-1:123456789012:ops'),
    });
    Annotations.fromStack(stack).hasWarning('/Stack/Alarms', Match.stringLikeRegexp('events.amazonaws.com'));
  });

  test('notificationEmail subscribes the address', () => {
    const { template } = setup({ notificationEmail: 'oncall@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  test('no notificationEmail: no subscription', () => {
    const { template } = setup();
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('per-job failure notification: FAILED events of the queue to SNS with job name, id, reason, exit code, log stream', () => {
    const { template, alarms } = setup();
    const rule = template.toJSON().Resources[logicalId(alarms.failedJobRule!)].Properties;
    expect(rule.EventPattern).toEqual({
      'source': ['aws.batch'],
      'detail-type': [STATE_CHANGE],
      'detail': { status: ['FAILED'], jobQueue: [QUEUE_ARN] },
    });
    expect(rule.Targets).toHaveLength(1);
    const target = rule.Targets[0];
    expect(target.Arn).toEqual({ Ref: logicalId(alarms.alarmTopic as sns.Topic) });
    expect(target.InputTransformer.InputPathsMap).toEqual(expect.objectContaining({
      'detail-jobName': '$.detail.jobName',
      'detail-jobId': '$.detail.jobId',
      'detail-statusReason': '$.detail.statusReason',
      'detail-container-exitCode': '$.detail.container.exitCode',
      'detail-container-logStreamName': '$.detail.container.logStreamName',
    }));
    const template_ = target.InputTransformer.InputTemplate as string;
    for (const part of ['"jobName":<detail-jobName>', '"jobId":<detail-jobId>', '"statusReason":<detail-statusReason>',
      '"exitCode":<detail-container-exitCode>', '"logStreamName":<detail-container-logStreamName>']) {
      expect(template_).toContain(part);
    }
    // targets.SnsTopic lets EventBridge publish to the topic.
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } })]),
      },
    });
  });

  test('with a job definition, the failure rule matches every revision of it', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack');
    new BatchAlarms(stack, 'Alarms', { jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN), jobDefinition: importedJobDefinition(stack) });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { status: ['FAILED'], jobQueue: [QUEUE_ARN], jobDefinition: [{ prefix: JOB_DEF_PREFIX }] } },
    });
  });

  test('failureNotifications false on a dedicated queue: no failure rule', () => {
    const { alarms, template } = setup({ failureNotifications: false });
    expect(alarms.failedJobRule).toBeUndefined();
    template.resourceCountIs('AWS::Events::Rule', 1); // queue blocked only
  });

  test('addAlarmAction adds the action to every alarm', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack');
    const alarms = new BatchAlarms(stack, 'Alarms', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN),
      jobTimeout: cdk.Duration.hours(1),
      slowStartThreshold: cdk.Duration.minutes(30),
    });
    const other = new sns.Topic(stack, 'Pager', { enforceSSL: true });
    alarms.addAlarmAction({ bind: () => ({ alarmActionArn: other.topicArn }) });
    const template = Template.fromStack(stack);
    expect(alarms.alarms).toHaveLength(3);
    for (const alarm of alarms.alarms) {
      expect(alarmProps(template, logicalId(alarm)).AlarmActions).toHaveLength(2);
    }
  });
});

describe('metric helpers', () => {
  test.each([
    ['metricJobsSubmitted', 'JobsSubmitted', 'Sum'],
    ['metricJobsSucceeded', 'JobsMovedToSucceeded', 'Sum'],
    ['metricJobsFailed', 'JobsMovedToFailed', 'Sum'],
    ['metricJobsCancelled', 'JobsCancelled', 'Sum'],
    ['metricJobsTerminated', 'JobsTerminated', 'Sum'],
    ['metricJobsRetried', 'JobsRetried', 'Sum'],
    ['metricJobsRunning', 'JobsMovedToRunning', 'Sum'],
    ['metricTimeInQueue', 'JobAttemptRunnableToStartingDuration', 'Maximum'],
    ['metricLaunchDuration', 'JobAttemptStartingToRunningDuration', 'Maximum'],
    ['metricExecutionDuration', 'JobAttemptExecutionDuration', 'Maximum'],
    ['metricSubmittedToFirstStartingDuration', 'JobSubmittedToFirstStartingDuration', 'Maximum'],
  ])('%s → AWS/Batch %s (%s, 5 minutes, JobQueueName)', (method, metricName, statistic) => {
    const { alarms } = setup();
    const metric = (alarms.metrics as any)[method]() as cloudwatch.Metric;
    expect(metric.namespace).toBe(BATCH_NS);
    expect(metric.metricName).toBe(metricName);
    expect(metric.dimensions).toEqual({ [QUEUE_DIM]: QUEUE_NAME });
    expect(metric.statistic).toBe(statistic);
    expect(metric.period.toSeconds()).toBe(300);
  });

  test('options override the defaults', () => {
    const { alarms } = setup();
    const metric = alarms.metrics.metricTimeInQueue({ statistic: 'p90', period: cdk.Duration.hours(1) });
    expect(metric.statistic).toBe('p90');
    expect(metric.period.toHours()).toBe(1);
  });
});

describe('dashboard and cost', () => {
  test('no dashboard by default', () => {
    const { alarms, template } = setup();
    expect(alarms.dashboard).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  test('dashboard: outcome, retries, p50/p90/max durations, schedule delivery, alarm status', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack');
    const alarms = new BatchAlarms(stack, 'Alarms', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN),
      scheduleGroup: scheduler.ScheduleGroup.fromScheduleGroupName(stack, 'Group', 'nightly-report'),
      deadLetterQueue: sqs.Queue.fromQueueArn(stack, 'Dlq', 'arn:aws:sqs:us-east-1:123456789012:nightly-dlq'),
      dashboard: true,
    });
    expect(alarms.dashboard).toBeDefined();
    const body = JSON.stringify(Template.fromStack(stack).toJSON().Resources[logicalId(alarms.dashboard as any)].Properties.DashboardBody);
    for (const text of ['JobsMovedToSucceeded', 'JobsMovedToFailed', 'JobsRetried', 'JobAttemptRunnableToStartingDuration',
      'JobAttemptStartingToRunningDuration', 'JobAttemptExecutionDuration', 'p50', 'p90', 'Maximum', 'TargetErrorCount',
      'InvocationDroppedCount', 'ApproximateNumberOfMessagesVisible', 'alarm']) {
      expect(body).toContain(text);
    }
  });

  test('cost of the default workload alarms: one line per alarm metric at the list price', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack');
    const alarms = new BatchAlarms(stack, 'Alarms', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN),
      scheduleGroup: scheduler.ScheduleGroup.fromScheduleGroupName(stack, 'Group', 'nightly-report'),
      deadLetterQueue: sqs.Queue.fromQueueArn(stack, 'Dlq', 'arn:aws:sqs:us-east-1:123456789012:nightly-dlq'),
      jobTimeout: cdk.Duration.hours(1),
    });
    const items = alarms.costLineItems();
    expect(items.every((i) => i.category === CostCategory.ALARMS && i.unitMonthlyUsd === UnitPrices.ALARM_METRIC_MONTH)).toBe(true);
    // failed 1 + delivery 2 + DLQ 1 + long-running 1 = 5 metrics = $0.50 (queue blocked is a rule with a target)
    expect(items.reduce((n, i) => n + i.quantity, 0)).toBe(5);
    expect(Math.round(items.reduce((n, i) => n + i.monthlyUsd, 0) * 100) / 100).toBe(0.5);
  });

  test('dashboard adds $3/month; excluding cancels bills 3 metrics for the failed-jobs alarm', () => {
    const { alarms } = setup({ dashboard: true, excludeOperatorCancellations: true });
    const items = alarms.costLineItems();
    expect(items).toContainEqual(expect.objectContaining({
      category: CostCategory.DASHBOARD, quantity: 1, monthlyUsd: UnitPrices.DASHBOARD_MONTH,
    }));
    expect(items.find((i) => i.description.includes('failed jobs'))!.quantity).toBe(3);
  });
});

describe('validation', () => {
  test.each<[string, unknown]>([['empty', ''], ['a space', 'my job'], ['a leading hyphen', '-x'], ['longer than a job name', 'x'.repeat(129)]])(
    'an ignoredJobNamePrefix no job name can start with fails (%s): empty, it would leave out every job', (_name, prefix) => {
      expect(() => setup({ ignoredJobNamePrefix: prefix as string })).toThrow(`'ignoredJobNamePrefix' is ${JSON.stringify(prefix)}: give the start of the job names to leave out, `
        + '1 to 128 letters, digits, hyphens and underscores starting with a letter or digit (as AWS Batch job names are), e.g. DeployVerification.jobNamePrefix; an empty prefix would leave out every job.');
    });

  test('failureNotifications: true with runsTracked: true fails (the notification is not created); either alone passes', () => {
    expect(() => setup({ failureNotifications: true, runsTracked: true })).toThrow(
      "'failureNotifications' is true but 'runsTracked' is true: a tracked run reports each failure once itself, so the per-job notification is not created. "
      + "Leave 'failureNotifications' out, or set 'runsTracked' to false if nothing tracks the runs.");
    expect(() => setup({ runsTracked: true })).not.toThrow();
    expect(() => setup({ failureNotifications: true })).not.toThrow();
  });

  test('excludeOperatorCancellations: true with runsTracked: true fails (no failed-jobs alarm to shape); either alone passes', () => {
    expect(() => setup({ excludeOperatorCancellations: true, runsTracked: true })).toThrow(
      "'excludeOperatorCancellations' is true but 'runsTracked' is true: it shapes the failed-jobs alarm, which tracked runs do not get (each run reports its own outcome once). "
      + "Leave 'excludeOperatorCancellations' out, or set 'runsTracked' to false if nothing tracks the runs.");
    expect(() => setup({ excludeOperatorCancellations: false, runsTracked: true })).not.toThrow();
    const { template } = setup({ excludeOperatorCancellations: true });
    expect(JSON.stringify(template.toJSON())).toContain('JobsCancelled');
  });

  test('a job-name prefix and a token prefix pass', () => {
    expect(() => setup({ ignoredJobNamePrefix: 'Nightly-Job-verify-' })).not.toThrow();
    expect(() => setup({ ignoredJobNamePrefix: cdk.Lazy.string({ produce: () => '' }) })).not.toThrow();
  });

  test('slowStartThreshold: a token in milliseconds passes; a token in another unit fails, naming the fix (the threshold is in milliseconds)', () => {
    const token = () => cdk.Token.asNumber(cdk.Lazy.number({ produce: () => 600_000 }));
    expect(() => setup({ slowStartThreshold: cdk.Duration.millis(token()) })).not.toThrow();
    expect(() => setup({ slowStartThreshold: cdk.Duration.seconds(token()) })).toThrow(
      "'slowStartThreshold' is a token in seconds: the alarm's threshold is in milliseconds (JobAttemptRunnableToStartingDuration), and a token cannot be converted at synth. "
      + 'Give Duration.millis(<token>), or a literal such as Duration.minutes(30).');
  });

  test('fails when sharedQueue is set without jobDefinition', () => {
    expect(() => setup({ sharedQueue: true })).toThrow(/'jobDefinition' is required when 'sharedQueue' is true/);
  });

  // Duration props are whole seconds within bounds; NaN, Infinity and fractions fail naming the prop.
  test.each<[string, Partial<BatchAlarmsProps>, RegExp]>([
    ['jobTimeout under 60 seconds', { jobTimeout: cdk.Duration.seconds(30) },
      /'jobTimeout' is 30 seconds: it must be a whole number of seconds of at least 60 \(the AWS Batch minimum\); pass the timeout of the job definition/],
    ['jobTimeout fractional seconds', { jobTimeout: cdk.Duration.millis(90_500) }, /'jobTimeout' is 90.5 seconds: it must be a whole number of seconds of at least 60/],
    ['jobTimeout NaN', { jobTimeout: cdk.Duration.seconds(NaN) }, /'jobTimeout' is NaN seconds: it must be a whole number of seconds/],
    ['jobTimeout Infinity', { jobTimeout: cdk.Duration.seconds(Infinity) }, /'jobTimeout' is Infinity seconds: it must be a whole number of seconds/],
    ['slowStartThreshold zero', { slowStartThreshold: cdk.Duration.seconds(0) },
      /'slowStartThreshold' is 0 seconds: it must be a whole number of seconds of at least 1; pass how long a job may wait in RUNNABLE/],
    ['slowStartThreshold under a second', { slowStartThreshold: cdk.Duration.millis(500) }, /'slowStartThreshold' is 0.5 seconds: it must be a whole number of seconds of at least 1/],
    ['slowStartThreshold Infinity', { slowStartThreshold: cdk.Duration.minutes(Infinity) }, /'slowStartThreshold' is Infinity seconds: it must be a whole number of seconds/],
  ])('fails on a bad duration: %s', (_, props, message) => {
    expect(() => setup(props)).toThrow(message);
  });

  // Untyped languages can pass a string or a number where an enum-like class is typed.
  test.each<[string, Partial<BatchAlarmsProps>, RegExp]>([
    ['jobTimeout', { jobTimeout: 3600 as any }, /'jobTimeout' is 3600, which is not a Duration: use a Duration, e.g. Duration.hours\(1\)/],
    ['slowStartThreshold', { slowStartThreshold: { minutes: 30 } as any }, /'slowStartThreshold' is \{"minutes":30\}, which is not a Duration/],
  ])('fails on a foreign value for an enum-like prop: %s', (_, props, message) => {
    expect(() => setup(props)).toThrow(message);
  });

  test('token durations pass the checks unchecked', () => {
    // Values a range check would refuse (30 s, 0.5 s), hidden in tokens: they pass, and resolve at synth.
    const { alarms, template } = setup({
      jobTimeout: cdk.Duration.seconds(cdk.Lazy.number({ produce: () => 30 })),
      slowStartThreshold: cdk.Duration.millis(cdk.Lazy.number({ produce: () => 500 })),
    });
    // A token timeout cannot be turned into a threshold, so no long-running alarm; the slow-start alarm takes the token.
    expect(alarms.longRunningAlarm).toBeUndefined();
    expect(alarmProps(template, logicalId(alarms.slowStartAlarm!)).Threshold).toBe(500);
  });

  test('fails when notificationEmail is not an address', () => {
    expect(() => setup({ notificationEmail: 'oncall' })).toThrow(/'notificationEmail' must be an e-mail address, got 'oncall'/);
  });

  test('token e-mail is accepted', () => {
    const { template } = setup({ notificationEmail: cdk.Lazy.string({ produce: () => 'x@example.com' }) });
    template.resourceCountIs('AWS::SNS::Subscription', 1);
  });
});
