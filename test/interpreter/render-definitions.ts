/**
 * Renders the state machine of each fixture below, built with the library's public constructs, to
 * `.tmp/interpreter/definitions/<name>.json`, every CloudFormation token resolved to a concrete string (account
 * 123456789012, region eu-west-2), so that an interpreter can run it as Step Functions would after a deploy.
 *
 *   npx ts-node --project test/tsconfig.json test/interpreter/render-definitions.ts [outDir]
 *
 * Each file is `{ "definition": <ASL>, "stateMachineArn": ..., "names": {logical id: ARN} }`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchPlatform, OverlapPolicy, Rollout, ScheduledBatchWorkflow, ScheduledBatchWorkload, StartDeadlineAction, WorkflowStep } from '../../src';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-2';
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const SCHEDULE = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
/** The shortest deadline the constructs take: a deadline scenario passes it in about a second of scaled time. */
const SHORT_DEADLINE = cdk.Duration.minutes(1);

/** A workflow with a fanned-out (array) step: extract -> (transform-a x3, transform-b) -> load. */
const ETL: WorkflowStep[] = [
  { name: 'extract', image: IMAGE, parameters: { source: 's3://in' } },
  { name: 'transform-a', image: IMAGE, dependsOn: ['extract'], arraySize: 3 },
  { name: 'transform-b', image: IMAGE, dependsOn: ['extract'] },
  { name: 'load', image: IMAGE, dependsOn: ['transform-a', 'transform-b'] },
];

/**
 * Builds a fixture in `stack`. Its state machine is the stack's one run state machine; a fixture that returns a string
 * renders the state machine whose logical id starts with it instead (the stack's start check: 'StartDeadlineCheck').
 */
type Fixture = (stack: cdk.Stack) => unknown;
const START_CHECK = 'StartDeadlineCheck';

/** name -> how to build it. The scenarios (scenarios.json) name the fixture they run. */
export const FIXTURES: Record<string, Fixture> = {
  'workload': s => new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE }),
  // A deadline may not be shorter than one attempt's timeout: the job's attempts are as short as AWS Batch allows (60 s).
  'workload-short-deadline': s => new ScheduledBatchWorkload(s, 'Nightly', {
    schedule: SCHEDULE, image: IMAGE, timeout: SHORT_DEADLINE, retryAttempts: 1, runDeadline: SHORT_DEADLINE,
  }),
  'workload-skip': s => new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE, overlapPolicy: OverlapPolicy.SKIP }),
  'workload-queue': s => new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE, overlapPolicy: OverlapPolicy.QUEUE }),
  'workload-array': s => new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE, arraySize: 5 }),
  'workflow': s => new ScheduledBatchWorkflow(s, 'Etl', { schedule: SCHEDULE, steps: ETL }),
  'workflow-short-deadline': s => new ScheduledBatchWorkflow(s, 'Etl', {
    schedule: SCHEDULE, steps: ETL.map(step => ({ ...step, timeout: SHORT_DEADLINE, retryAttempts: 1 })), runDeadline: SHORT_DEADLINE,
  }),
  'workflow-fan-out-first': s => new ScheduledBatchWorkflow(s, 'Etl', {
    schedule: SCHEDULE,
    steps: [{ name: 'split', image: IMAGE, arraySize: 4 }, { name: 'load', image: IMAGE, dependsOn: ['split'] }],
  }),
  'workflow-on-demand': s => new ScheduledBatchWorkflow(s, 'Etl', {
    schedule: SCHEDULE,
    platform: new BatchPlatform(s, 'Platform', { onDemandFallback: true }),
    steps: [{ name: 'extract', image: IMAGE, onDemandFallback: true }, { name: 'load', image: IMAGE, dependsOn: ['extract'] }],
  }),
  'workflow-skip': s => new ScheduledBatchWorkflow(s, 'Etl', { schedule: SCHEDULE, steps: ETL, overlapPolicy: OverlapPolicy.SKIP }),
  'workflow-queue': s => new ScheduledBatchWorkflow(s, 'Etl', { schedule: SCHEDULE, steps: ETL, overlapPolicy: OverlapPolicy.QUEUE }),
  'workload-on-demand': s => new ScheduledBatchWorkload(s, 'Nightly', {
    schedule: SCHEDULE, image: IMAGE, resubmitOnDemand: true, platform: new BatchPlatform(s, 'Platform', { onDemandFallback: true }),
  }),
  // SKIP with On-Demand resubmission: a run still going On-Demand is active too (both queues are listed).
  'workload-skip-on-demand': s => new ScheduledBatchWorkload(s, 'Nightly', {
    schedule: SCHEDULE,
    image: IMAGE,
    overlapPolicy: OverlapPolicy.SKIP,
    resubmitOnDemand: true,
    platform: new BatchPlatform(s, 'Platform', { onDemandFallback: true }),
  }),
  // A capped team's run on a fair-share platform (#27): its job may wait RUNNABLE for its team's cap until the deadline.
  'workload-fair-share-capped': s => new ScheduledBatchWorkload(s, 'Nightly', {
    schedule: SCHEDULE,
    image: IMAGE,
    team: 'science',
    schedulingPriority: 7,
    cpu: 2,
    timeout: SHORT_DEADLINE,
    retryAttempts: 1,
    runDeadline: SHORT_DEADLINE,
    platform: new BatchPlatform(s, 'Platform', { fairShare: { shares: [{ team: 'science', weight: 2, maxvCpus: 4 }] } }),
  }),
  'workload-replace': s => new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE, overlapPolicy: OverlapPolicy.REPLACE }),
  'workload-array-replace': s => new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE, overlapPolicy: OverlapPolicy.REPLACE, arraySize: 5 }),
  'workload-start-deadline': s => new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE, onStartDeadline: StartDeadlineAction.REPORT }),
  'workload-start-deadline-short': s => new ScheduledBatchWorkload(s, 'Nightly', {
    schedule: SCHEDULE, image: IMAGE, timeout: SHORT_DEADLINE, retryAttempts: 1, runDeadline: cdk.Duration.minutes(2), startDeadline: SHORT_DEADLINE,
  }),
  'start-check': s => { new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE, onStartDeadline: StartDeadlineAction.REPORT }); return START_CHECK; },
  'workflow-replace': s => new ScheduledBatchWorkflow(s, 'Etl', {
    schedule: SCHEDULE,
    overlapPolicy: OverlapPolicy.REPLACE,
    steps: [{ name: 'extract', image: IMAGE }, { name: 'load', image: IMAGE, dependsOn: ['extract'] }],
  }),
  // Progressive rollouts (#23): the revision state is one DynamoDB item per job, shared by a scenario's runs
  // (`runs`, `store`, `pinnedRevision`: README, "Several executions in a row").
  'workload-canary': s => new ScheduledBatchWorkload(s, 'Nightly', {
    schedule: SCHEDULE, image: IMAGE, rollout: Rollout.canary({ percent: 50, promoteAfterRuns: 2 }),
  }),
  'workload-linear': s => new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE, rollout: Rollout.linear({ percentages: [10, 50, 100] }) }),
  'workload-last-good': s => new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE, rollout: Rollout.allAtOnce({ rerunOnLastGood: true }) }),
  'workload-keep': s => new ScheduledBatchWorkload(s, 'Nightly', {
    schedule: SCHEDULE, image: IMAGE, rollout: Rollout.canary({ percent: 100, promoteAfterRuns: 1, keepRevisions: 2 }),
  }),
};

/** A concrete ARN (or name) for a resource's Ref / Fn::GetAtt, by resource type. */
function physical(logicalId: string, resource: any, attribute?: string): string {
  const type: string = resource.Type;
  const name = resource.Properties?.JobQueueName ?? resource.Properties?.TopicName ?? resource.Properties?.LogGroupName ?? logicalId;
  const arn = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;
  if (attribute !== undefined && attribute !== 'Arn' && !attribute.endsWith('Arn') && attribute !== 'Name') {
    throw new Error(`no concrete value for ${logicalId}.${attribute}`);
  }
  switch (type) {
    case 'AWS::SNS::Topic': return attribute === 'Name' ? logicalId : arn('sns', logicalId);
    case 'AWS::Batch::JobQueue': return arn('batch', `job-queue/${typeof name === 'string' ? name : logicalId}`);
    case 'AWS::Batch::JobDefinition': return arn('batch', `job-definition/${logicalId}:1`);
    case 'AWS::Batch::ConsumableResource': return arn('batch', `consumable-resource/${logicalId}`);
    case 'AWS::Logs::LogGroup': return attribute === 'Arn' ? arn('logs', `log-group:${logicalId}:*`) : `/aws/batch/${logicalId}`;
    case 'AWS::StepFunctions::StateMachine': return attribute === 'Name' ? logicalId : arn('states', `stateMachine:${logicalId}`);
    case 'AWS::IAM::Role': return `arn:aws:iam::${ACCOUNT}:role/${logicalId}`;
    case 'AWS::DynamoDB::Table': return attribute === 'Arn' ? arn('dynamodb', `table/${logicalId}`) : logicalId;
    default: throw new Error(`no concrete value for a ${type} (${logicalId})`);
  }
}

/** Resolves the CloudFormation intrinsics a definition string can hold, to concrete strings. */
export function resolver(resources: Record<string, any>, stackName: string) {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stackName,
    'AWS::StackId': `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
  };
  const resolve = (v: any): any => {
    if (typeof v === 'string' || typeof v === 'number') return v;
    if (Array.isArray(v)) return v.map(resolve);
    if (v && Array.isArray(v['Fn::Join'])) return (resolve(v['Fn::Join'][1]) as any[]).join(v['Fn::Join'][0]);
    if (v && Array.isArray(v['Fn::Split'])) return String(resolve(v['Fn::Split'][1])).split(v['Fn::Split'][0]);
    if (v && Array.isArray(v['Fn::Select'])) return resolve(v['Fn::Select'][1])[v['Fn::Select'][0]];
    if (v && typeof v.Ref === 'string') {
      if (pseudo[v.Ref] !== undefined) return pseudo[v.Ref];
      if (resources[v.Ref]) return physical(v.Ref, resources[v.Ref]);
    }
    if (v && Array.isArray(v['Fn::GetAtt'])) {
      const [id, attribute] = v['Fn::GetAtt'];
      if (resources[id]) return physical(id, resources[id], attribute);
    }
    throw new Error(`unexpected token in a definition: ${JSON.stringify(v)}`);
  };
  return resolve;
}

export function render(name: string): { definition: any; stateMachineArn: string } {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Interp', { env: { account: ACCOUNT, region: REGION } });
  const pick = FIXTURES[name](stack);
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
  const machines = Object.entries(resources).filter(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine'
    && (typeof pick === 'string' ? id.startsWith(pick) : !id.startsWith(START_CHECK)));
  if (machines.length !== 1) throw new Error(`fixture ${name} has ${machines.length} state machines, expected 1`);
  const [id, machine] = machines[0];
  const resolve = resolver(resources, stack.stackName);
  const text = resolve(machine.Properties.DefinitionString);
  if (text.includes('${Token[')) throw new Error(`fixture ${name}: an unresolved token is left`);
  return { definition: JSON.parse(text), stateMachineArn: physical(id, machine) };
}

function main() {
  const outDir = process.argv[2] ?? path.join(__dirname, '..', '..', '.tmp', 'interpreter', 'definitions');
  fs.mkdirSync(outDir, { recursive: true });
  const only = process.env.INTERP_FIXTURES?.split(',').filter(Boolean);
  for (const name of Object.keys(FIXTURES)) {
    if (only && !only.includes(name)) continue;
    const out = path.join(outDir, `${name}.json`);
    fs.writeFileSync(out, JSON.stringify(render(name), null, 2) + '\n');
    process.stdout.write(`rendered ${out}\n`);
  }
}

if (require.main === module) main();
