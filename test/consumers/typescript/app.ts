/**
 * The TypeScript reference app of the four-language proof (see test/consumers/README.md).
 *
 * The Python, Java and Go apps next to this one build the SAME stack (same construct ids, same props, same order);
 * test/consumers/run.sh synthesizes all four and fails unless every template is byte-identical to this one.
 * When you change the example here, change it in the three other apps too.
 *
 * It runs the compiled library in lib/ (what `npx projen compile` wrote and package-all packed into every
 * language's package), not src/, so that all four apps run the same build; src/ only provides the types.
 *
 * Usage: npx ts-node --transpile-only -P test/tsconfig.json test/consumers/typescript/app.ts <outdir>
 * CONSUMERS_DELIBERATE_DIFF=1 changes one prop, so that run.sh --self-test can prove the comparison fails.
 */
import * as path from 'path';
import { App, Duration, Size, Stack, TimeZone } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';

type Library = typeof import('../../../src');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { BatchPlatform, ComputePlatform, CostReport, HardenedRepository, OverlapPolicy, RunApi, ScheduledBatchWorkflow, ScheduledBatchWorkload } = require(path.join(__dirname, '..', '..', '..', 'lib')) as Library;

const outdir = process.argv[2] ?? path.join(__dirname, 'cdk.out');
// No CDKMetadata resource: it records the language runtime, which is the one thing that legitimately differs.
const app = new App({ outdir, analyticsReporting: false });
const stack = new Stack(app, 'ConsumerExample');

// --- HardenedRepository: a KMS key crosses the language boundary, plus lists, numbers and a Duration.
const key = new kms.Key(stack, 'ImagesKey', { enableKeyRotation: true, description: 'Encrypts container images at rest' });
new HardenedRepository(stack, 'Images', {
  encryptionKey: key,
  mutableTagPatterns: ['latest', 'dev-*'],
  maxTaggedImages: process.env.CONSUMERS_DELIBERATE_DIFF === '1' ? 26 : 25,
  untaggedImageExpiry: Duration.days(3),
});
// --- HardenedRepository with defaults, replicated: an array of structs crosses the boundary.
new HardenedRepository(stack, 'MirroredImages', {
  replicationDestinations: [{ region: 'eu-west-1' }],
});

// --- The one-liner, in its own stack: its own VPC, compute, queue, schedule, logs, IAM and alarms.
const oneLiner = new Stack(app, 'ConsumerOneLiner');
new ScheduledBatchWorkload(oneLiner, 'NightlyReport', {
  schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: TimeZone.EUROPE_LONDON }),
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
  command: ['python', '-c', 'print("hello")'],
});

// --- Two workloads on a shared Fargate platform: an enum, a construct passed as a prop, Size, maps and lists.
const shared = new Stack(app, 'ConsumerSharedPlatform');
const platform = new BatchPlatform(shared, 'Platform', { computePlatform: ComputePlatform.FARGATE });
for (const name of ['Billing', 'Reports']) {
  new ScheduledBatchWorkload(shared, name, {
    platform,
    schedule: scheduler.ScheduleExpression.rate(Duration.hours(24)),
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
    cpu: 0.5,
    memory: Size.gibibytes(1),
    environment: { STAGE: 'prod' },
    retryableExitCodes: ['75'],
  });
}

// --- Maps given in a different key order in every language, and secrets from SSM and Secrets Manager.
// TypeScript gives the keys in sorted order; Python in reverse order, Java with Map.of (an order that changes from one
// JVM to the next) and Go with a map literal (Go randomizes map iteration). The templates are identical only if the
// library renders map props in sorted key order.
const withSecrets = new Stack(app, 'ConsumerEnvironmentAndSecrets');
const dbPassword = ssm.StringParameter.fromSecureStringParameterAttributes(withSecrets, 'DbPassword', {
  parameterName: '/consumer/db-password',
});
const apiToken = secretsmanager.Secret.fromSecretNameV2(withSecrets, 'ApiToken', 'consumer/api-token');
new ScheduledBatchWorkload(withSecrets, 'Export', {
  computePlatform: ComputePlatform.FARGATE,
  schedule: scheduler.ScheduleExpression.cron({ hour: '3', minute: '15', timeZone: TimeZone.EUROPE_LONDON }),
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
  environment: { LOG_LEVEL: 'info', OUTPUT_BUCKET: 'reports', REGION_NAME: 'eu-west-1', TZ: 'Europe/London' },
  secrets: {
    API_TOKEN: batch.Secret.fromSecretsManager(apiToken),
    DB_PASSWORD: batch.Secret.fromSsmParameter(dbPassword),
  },
});

// --- Run control: a run-now API, the overlap policies, declared parameters (a map, in a different key order in every
// language) and verification at deploy.
const runControl = new Stack(app, 'ConsumerRunControl');
const runApi = new RunApi(runControl, 'RunApi');
const report = new ScheduledBatchWorkload(runControl, 'Report', {
  runApi,
  schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: TimeZone.EUROPE_LONDON }),
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
  command: ['python', '-m', 'report', 'Ref::scheduledTime', 'Ref::region'],
  parameters: { format: 'csv', mode: 'full', region: 'eu' },
  overlapPolicy: OverlapPolicy.QUEUE,
  timeout: Duration.minutes(10),
  verifyOnDeploy: true,
});
new ScheduledBatchWorkload(runControl, 'Ingest', {
  platform: report.platform,
  runApi,
  runApiRouteName: 'ingest-hourly',
  schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
  overlapPolicy: OverlapPolicy.SKIP,
});
report.grantRun(new iam.Role(runControl, 'Operators', { assumedBy: new iam.AccountRootPrincipal() }));

// --- Workflow: a graph of steps (a list of structs, each with a list of names), fan-out and the On-Demand fallback.
const workflowStack = new Stack(app, 'ConsumerWorkflow');
const workflowPlatform = new BatchPlatform(workflowStack, 'Platform', { onDemandFallback: true });
new ScheduledBatchWorkflow(workflowStack, 'Nightly', {
  platform: workflowPlatform,
  schedule: scheduler.ScheduleExpression.cron({ hour: '3', minute: '30', timeZone: TimeZone.EUROPE_LONDON }),
  overlapPolicy: OverlapPolicy.SKIP,
  steps: [
    {
      name: 'extract',
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
      command: ['python', '-m', 'extract', 'Ref::scheduledTime'],
      onDemandFallback: true,
    },
    {
      name: 'transform',
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
      dependsOn: ['extract'],
      arraySize: 10,
      timeout: Duration.minutes(30),
    },
    {
      name: 'load',
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
      dependsOn: ['transform'],
      parameters: { target: 'warehouse' },
    },
  ],
});

// --- Add the next construct here (and the same lines in python/app.py, java/.../ConsumerApp.java, go/main.go).

// --- The idle cost of every stack, as CostReport computes it: run.sh compares these lines across the languages.
for (const s of [stack, oneLiner, shared, withSecrets, runControl, workflowStack]) {
  console.log(`COST ${s.stackName} ${CostReport.of(s).monthlyUsd.toFixed(2)}`);
}

app.synth();
