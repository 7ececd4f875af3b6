/**
 * What a user writes without this library to get the resources of `n` ScheduledBatchWorkloads on one BatchPlatform:
 * a VPC with a hardened NAT instance (recovery alarms, flow logs, S3 gateway endpoint), a Spot compute environment with
 * a launch template, a job queue and an alarm topic; shared by the jobs, as the library shares them: a job log group
 * and the execution role that writes it, a schedule group, a dead-letter queue, a scheduler role, a log group for the
 * run-tracking state machines, a queue-blocked rule and two alarms; per job a job definition, a run-tracking state
 * machine with its role (inline policy) and a schedule. Plain aws-cdk-lib L2s, no helper of the library: the
 * benchmark's "hand-written L2" baseline, in the user's stack like the library's `ScheduledBatchWorkload`s with
 * `platform` (a `BatchFleet`'s nested stacks are not mirrored: the fleet benchmark compares it with `ScheduledFargateTask`).
 */
import * as cdk from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

const IMAGE = 'public.ecr.aws/docker/library/python:3.13-slim';

export function handWrittenStack(stack: cdk.Stack, n: number): void {
  // Network: one NAT instance, private compute subnets, S3 gateway endpoint, flow logs.
  const nat = ec2.NatProvider.instanceV2({
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
    associatePublicIpAddress: true,
    defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    natGatewayProvider: nat,
    restrictDefaultSecurityGroup: false,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ],
  });
  nat.connections.allowFrom(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.allTraffic(), 'NAT for traffic from inside the VPC');
  nat.gatewayInstances.forEach((instance, i) => {
    instance.instance.blockDeviceMappings = [{ deviceName: '/dev/xvda', ebs: { volumeSize: 8, volumeType: 'gp3', encrypted: true, deleteOnTermination: true } }];
    instance.instance.metadataOptions = { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 };
    for (const [metricName, action] of [
      ['StatusCheckFailed_System', cwActions.Ec2InstanceAction.RECOVER],
      ['StatusCheckFailed_Instance', cwActions.Ec2InstanceAction.REBOOT],
    ] as const) {
      new cloudwatch.Alarm(vpc, `Nat${i + 1}${metricName}`, {
        metric: new cloudwatch.Metric({
          namespace: 'AWS/EC2',
          metricName,
          dimensionsMap: { InstanceId: instance.instanceId },
          statistic: 'Maximum',
          period: cdk.Duration.minutes(1),
        }),
        threshold: 1,
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      }).addAlarmAction(new cwActions.Ec2Action(action));
    }
  });
  vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }] });
  vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(vpc, 'FlowLogGroup', { retention: logs.RetentionDays.THREE_MONTHS })),
  });

  // Compute: Spot, scale to zero, IMDSv2 and an encrypted gp3 root volume.
  const compute = new Construct(stack, 'Compute');
  const securityGroup = new ec2.SecurityGroup(compute, 'SecurityGroup', { vpc, allowAllOutbound: false });
  securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs, ECR and S3');
  const instanceRole = new iam.Role(compute, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  instanceRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:DiscoverPollEndpoint', 'ec2:DescribeTags', 'ecr:GetAuthorizationToken'], resources: ['*'],
  }));
  instanceRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:RegisterContainerInstance', 'ecs:DeregisterContainerInstance', 'ecs:Poll', 'ecs:StartTelemetrySession',
      'ecs:UpdateContainerInstancesState', 'ecs:SubmitAttachmentStateChanges', 'ecs:SubmitContainerStateChange', 'ecs:SubmitTaskStateChange'],
    resources: [stack.formatArn({ service: 'ecs', resource: 'cluster', resourceName: '*' }), stack.formatArn({ service: 'ecs', resource: 'container-instance', resourceName: '*' })],
  }));
  const launchTemplate = new ec2.LaunchTemplate(compute, 'LaunchTemplate', {
    requireImdsv2: true,
    httpPutResponseHopLimit: 1,
    blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
  });
  const computeEnvironment = new batch.ManagedEc2EcsComputeEnvironment(compute, 'ComputeEnvironment', {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    spot: true,
    minvCpus: 0,
    maxvCpus: 256,
    securityGroups: [securityGroup],
    instanceRole,
    launchTemplate,
    useOptimalInstanceClasses: true,
    images: [{ imageType: batch.EcsMachineImageType.ECS_AL2023 }],
  });
  const jobQueue = new batch.JobQueue(stack, 'JobQueue', {
    computeEnvironments: [{ computeEnvironment, order: 1 }],
    jobStateTimeLimitActions: [
      { reason: batch.JobStateTimeLimitActionsReason.INSUFFICIENT_INSTANCE_CAPACITY, maxTime: cdk.Duration.hours(4) },
      { reason: batch.JobStateTimeLimitActionsReason.COMPUTE_ENVIRONMENT_MAX_RESOURCE, maxTime: cdk.Duration.hours(4) },
      { reason: batch.JobStateTimeLimitActionsReason.JOB_RESOURCE_REQUIREMENT, maxTime: cdk.Duration.minutes(10) },
    ],
  });
  const topic = new sns.Topic(stack, 'AlarmTopic', { enforceSSL: true });
  const alarmAction = new cwActions.SnsAction(topic);

  // Shared by every job of the platform: job logs and the execution role that writes them, one schedule group, one
  // dead-letter queue, one scheduler role (allowed to start the state machines tagged with the platform), one log group
  // for the run-tracking state machines, the queue-blocked rule and two alarms. Roles carry their policy inline (no
  // AWS::IAM::Policy resource): the L2s get them through `withoutPolicyUpdates()`, so their own grants add nothing.
  const PLATFORM_TAG = 'bench:platform';
  const platformName = `${stack.stackName}-platform`;
  const inline = (...statements: iam.PolicyStatement[]) => ({ Permissions: new iam.PolicyDocument({ statements }) });
  const jobLogs = new logs.LogGroup(stack, 'JobLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: cdk.RemovalPolicy.RETAIN });
  const executionRole = new iam.Role(stack, 'JobExecutionRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    inlinePolicies: inline(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [jobLogs.logGroupArn] })),
  });
  const scheduleGroup = new scheduler.ScheduleGroup(stack, 'ScheduleGroup');
  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetterQueue', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: cdk.Duration.days(14) });
  const schedulerRole = new iam.Role(stack, 'SchedulerRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
    inlinePolicies: inline(
      new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: '*', arnFormat: cdk.ArnFormat.COLON_RESOURCE_NAME })],
        conditions: { StringEquals: { [`aws:ResourceTag/${PLATFORM_TAG}`]: platformName } },
      }),
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }),
    ),
  });
  const runLogs = new logs.LogGroup(stack, 'RunLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: cdk.RemovalPolicy.RETAIN });
  new events.Rule(stack, 'QueueBlockedRule', {
    eventPattern: { source: ['aws.batch'], detailType: ['Batch Job Queue Blocked'], detail: { jobQueue: [jobQueue.jobQueueArn] } },
    targets: [new eventTargets.SnsTopic(topic)],
  });
  const alarms = [
    new cloudwatch.MathExpression({
      expression: 'FILL(targetErrors, 0) + FILL(dropped, 0)',
      usingMetrics: { targetErrors: scheduleGroup.metricTargetErrors(), dropped: scheduleGroup.metricDropped() },
      period: cdk.Duration.minutes(5),
    }).createAlarm(stack, 'ScheduleDeliveryAlarm', { threshold: 1, evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING }),
    deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: cdk.Duration.minutes(5) })
      .createAlarm(stack, 'DeadLetterQueueAlarm', { threshold: 1, evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING }),
  ];
  alarms.forEach(a => a.addAlarmAction(alarmAction));

  // Per job: a job definition, a run-tracking state machine with its role, a schedule in the shared group.
  for (let i = 1; i <= n; i++) {
    const job = new Construct(stack, `Job${i}`);
    const jobDefinition = new batch.EcsJobDefinition(job, 'JobDefinition', {
      container: new batch.EcsEc2ContainerDefinition(job, 'Container', {
        image: ecs.ContainerImage.fromRegistry(IMAGE),
        cpu: 1,
        memory: cdk.Size.gibibytes(2),
        executionRole: executionRole.withoutPolicyUpdates(),
        user: '1000:1000',
        logging: ecs.LogDrivers.awsLogs({ logGroup: jobLogs, streamPrefix: `job${i}` }),
      }),
      retryAttempts: 3,
      retryStrategies: [
        batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
        batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.CANNOT_PULL_CONTAINER),
        batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onExitCode: '*' })),
      ],
      timeout: cdk.Duration.hours(1),
      propagateTags: true,
      skipDeregisterOnUpdate: true,
    });
    // A run-tracking state machine started once per scheduled time; failures go to the platform's topic.
    const machineRole = new iam.Role(job, 'RunsRole', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      inlinePolicies: inline(
        new iam.PolicyStatement({ actions: ['batch:SubmitJob'], resources: [jobQueue.jobQueueArn, jobDefinition.jobDefinitionArn] }),
        new iam.PolicyStatement({ actions: ['batch:DescribeJobs', 'batch:TerminateJob'], resources: ['*'] }),
        new iam.PolicyStatement({
          actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForBatchJobsRule' })],
        }),
        new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
        new iam.PolicyStatement({
          actions: ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
            'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
          resources: ['*'],
        }),
      ),
    });
    const machine = new sfn.StateMachine(job, 'Runs', {
      definitionBody: sfn.DefinitionBody.fromString(stack.toJsonString({
        StartAt: 'RunJob',
        States: {
          RunJob: {
            Type: 'Task',
            Resource: `arn:${cdk.Aws.PARTITION}:states:::batch:submitJob.sync`,
            TimeoutSeconds: 12300,
            Parameters: { JobName: `job${i}`, JobQueue: jobQueue.jobQueueArn, JobDefinition: jobDefinition.jobDefinitionArn, Parameters: { 'scheduledTime.$': '$.scheduledTime' } },
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Notify' }],
            End: true,
          },
          Notify: { Type: 'Task', Resource: `arn:${cdk.Aws.PARTITION}:states:::sns:publish`, Parameters: { 'TopicArn': topic.topicArn, 'Message.$': '$' }, Next: 'Failed' },
          Failed: { Type: 'Fail', Error: 'RunDidNotSucceed' },
        },
      })),
      role: machineRole.withoutPolicyUpdates(),
      logs: { destination: runLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    cdk.Tags.of(machine).add(PLATFORM_TAG, platformName);
    new scheduler.Schedule(job, 'Schedule', {
      schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(24)),
      scheduleGroup,
      target: new schedulerTargets.StepFunctionsStartExecution(machine, {
        role: schedulerRole.withoutPolicyUpdates(),
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        deadLetterQueue,
        retryAttempts: 5,
        maxEventAge: cdk.Duration.hours(1),
      }),
    });
  }
}
