import * as cdk from 'aws-cdk-lib';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct, IConstruct } from 'constructs';
import {
  BatchFleet, BatchJob, BatchPlatform, DeployVerification, JobSchedule, RunApi, RunTracker, ScheduledBatchWorkflow, ScheduledBatchWorkload,
} from '../src';

// A new job-definition revision must not be submittable before its deploy-time verification has succeeded, by
// anything that names the revision: every RunApi route, schedule, tracker, workflow and grantSubmit policy (issue #26).

const env = { account: '123456789012', region: 'eu-west-2' };
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
const timeout = cdk.Duration.minutes(10);

/** The DependsOn of every CloudFormation resource under `scope`, by logical id. */
function dependsOnOf(scope: IConstruct): Array<[string, string[]]> {
  const stack = cdk.Stack.of(scope);
  const template = Template.fromStack(stack).toJSON().Resources as Record<string, { DependsOn?: string[] }>;
  return scope.node.findAll().filter(cdk.CfnResource.isCfnResource).map(r => {
    const id = stack.getLogicalId(r);
    return [id, template[id]?.DependsOn ?? []];
  });
}

/** The resources under `scope` that do not depend on `logicalId`. */
function notWaitingFor(scope: IConstruct, logicalId: string): string[] {
  return dependsOnOf(scope).filter(([, deps]) => !deps.includes(logicalId)).map(([id]) => id);
}

type CfnJson = { Properties?: unknown; DependsOn?: string[] };

/** The logical ids `value` names with Ref or Fn::GetAtt. */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value === null || typeof value !== 'object') return [];
  const o = value as Record<string, unknown>;
  if (typeof o.Ref === 'string') return [o.Ref];
  if (Array.isArray(o['Fn::GetAtt'])) return [String(o['Fn::GetAtt'][0])];
  return Object.values(o).flatMap(referencedIds);
}

/** `<resource> -> <id>` for each DependsOn entry the resource already references (what cfn-lint W3005 reports). */
function repeatedDependsOn(resources: Record<string, CfnJson>): string[] {
  return Object.entries(resources).flatMap(([id, r]) =>
    (r.DependsOn ?? []).filter(d => referencedIds(r.Properties).includes(d)).map(d => `${id} -> ${d}`));
}

const verificationId = (v: DeployVerification) => cdk.Stack.of(v).getLogicalId(v.resource.node.defaultChild as cdk.CfnResource);

function verifiedWorkload(scope: Construct, id = 'Nightly', runApi?: RunApi) {
  return new ScheduledBatchWorkload(scope, id, { schedule, image: IMAGE, timeout, verifyOnDeploy: true, runApi });
}

describe('RunApi routes wait for every verification of their job', () => {
  test('a second RunApi in the same stack: its route, methods, integration role and policy DependsOn the verification', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Same', { env });
    const first = new RunApi(stack, 'RunApi');
    const w = verifiedWorkload(stack, 'Nightly', first);
    const second = new RunApi(stack, 'OpsApi');
    second.addJob(w.job, { routeName: 'nightly' });
    const gate = verificationId(w.verification!);
    for (const api of [first, second]) {
      const route = api.api.root.resourceForPath('/workloads/nightly');
      expect(dependsOnOf(route).length).toBe(5); // the route, its runs and {jobId} paths, POST and GET
      expect(notWaitingFor(route, gate)).toEqual([]);
      expect(notWaitingFor(api.integrationRole, gate)).toEqual([]);
    }
  });

  test('the order does not matter: a route added before the verification exists waits for it too', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Order', { env });
    const platform = new BatchPlatform(stack, 'Platform');
    const job = new BatchJob(stack, 'Job', { platform, image: IMAGE, timeout });
    const api = new RunApi(stack, 'RunApi');
    api.addJob(job, { routeName: 'nightly' });
    const verification = new DeployVerification(stack, 'Verify', { job });
    const gate = verificationId(verification);
    expect(notWaitingFor(api.api.root.resourceForPath('/workloads/nightly'), gate)).toEqual([]);
    expect(notWaitingFor(api.integrationRole, gate)).toEqual([]);
  });

  test('a route of a job without verification waits for nothing new', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Plain', { env });
    const api = new RunApi(stack, 'RunApi');
    new ScheduledBatchWorkload(stack, 'Nightly', { schedule, image: IMAGE, runApi: api });
    const route = api.api.root.resourceForPath('/workloads/nightly');
    const deps = dependsOnOf(route).flatMap(([, d]) => d);
    expect(deps.filter(d => d.includes('Verification'))).toEqual([]);
  });

  test('a verified workload in a fleet\'s nested stack, the RunApi in the parent: what names the revision reads it from the nested stack; no DependsOn repeats that, no cycle', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Fleet', { env });
    const fleet = new BatchFleet(stack, 'Fleet', { workloadStacks: 2 });
    const api = new RunApi(stack, 'RunApi');
    const w = fleet.addWorkload('Nightly', { schedule, image: IMAGE, timeout, verifyOnDeploy: true, runApi: api });
    const pipeline = new iam.Role(stack, 'Pipeline', { assumedBy: new iam.AccountPrincipal(env.account) });
    w.grantSubmit(pipeline);
    const nested = cdk.Stack.of(w) as cdk.NestedStack;
    expect(nested.nestedStackParent).toBe(stack);
    const nestedId = stack.getLogicalId(nested.nestedStackResource!);
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, CfnJson>;
    const id = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as cdk.CfnResource);
    // The POST method and both policies name the revision: they read it from the nested stack's outputs, which
    // CloudFormation gives once the nested stack, its verification included, is complete.
    const post = api.api.root.resourceForPath('/workloads/nightly/runs').node.findChild('POST');
    const namers = [id(post), id(api.integrationRole.node.findChild('DefaultPolicy')), id(pipeline.node.findChild('DefaultPolicy'))];
    for (const namer of namers) expect(referencedIds(resources[namer].Properties)).toContain(nestedId);
    // cfn-lint W3005: no resource DependsOn what it already references.
    expect(repeatedDependsOn(resources)).toEqual([]);
    // The route's paths and status GET do not name the revision, and submit nothing.
    const notNamers = dependsOnOf(api.api.root.resourceForPath('/workloads/nightly')).map(([r]) => r).filter(r => !namers.includes(r));
    expect(notNamers.length).toBe(4);
    for (const r of notNamers) expect(referencedIds(resources[r].Properties)).not.toContain(nestedId);
    expect(() => app.synth()).not.toThrow();
  });

  test('a RunApi in another top-level stack is refused, saying why (the revision would be a stack export that cannot change)', () => {
    const app = new cdk.App();
    const jobs = new cdk.Stack(app, 'Jobs', { env });
    const other = new RunApi(new cdk.Stack(app, 'Api', { env }), 'RunApi');
    const w = verifiedWorkload(jobs);
    expect(() => other.addJob(w.job)).toThrow(/Jobs\/Nightly\/Job is in stack Jobs but the RunApi Api\/RunApi is in Api: .*stack export, which CloudFormation does not let change/);
  });
});

describe('every other submitter of the job waits for its verification', () => {
  test('grantSubmit to a role in the job\'s stack: the role\'s policy DependsOn the verification', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Grant', { env });
    const w = verifiedWorkload(stack);
    const pipeline = new iam.Role(stack, 'Pipeline', { assumedBy: new iam.AccountPrincipal(env.account) });
    w.grantSubmit(pipeline);
    expect(notWaitingFor(pipeline.node.findChild('DefaultPolicy'), verificationId(w.verification!))).toEqual([]);
  });

  test('grantSubmit before the verification exists (a standalone job): the policy waits too', () => {
    const stack = new cdk.Stack(new cdk.App(), 'GrantFirst', { env });
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE, timeout });
    const pipeline = new iam.Role(stack, 'Pipeline', { assumedBy: new iam.AccountPrincipal(env.account) });
    job.grantSubmit(pipeline);
    const verification = new DeployVerification(stack, 'Verify', { job });
    expect(notWaitingFor(pipeline.node.findChild('DefaultPolicy'), verificationId(verification))).toEqual([]);
  });

  test('grantSubmit to a role in a nested stack of the job\'s stack: the nested stack waits for the verification', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Parent', { env });
    const w = verifiedWorkload(stack);
    const nested = new cdk.NestedStack(stack, 'Pipelines');
    w.grantSubmit(new iam.Role(nested, 'Pipeline', { assumedBy: new iam.AccountPrincipal(env.account) }));
    const [, deps] = dependsOnOf(nested.nestedStackResource!)[0];
    expect(deps).toContain(verificationId(w.verification!));
    expect(() => app.synth()).not.toThrow();
  });

  test('grantSubmit to a role in another top-level stack: that stack deploys after the job\'s (the export orders it); no cycle', () => {
    const app = new cdk.App();
    const jobs = new cdk.Stack(app, 'Jobs', { env });
    const users = new cdk.Stack(app, 'Users', { env });
    const w = verifiedWorkload(jobs);
    w.grantSubmit(new iam.Role(users, 'Operator', { assumedBy: new iam.AccountPrincipal(env.account) }));
    const assembly = app.synth();
    expect(assembly.getStackByName('Users').dependencies.map(d => d.id)).toContain('Jobs');
    expect(assembly.getStackByName('Jobs').dependencies.map(d => d.id)).not.toContain('Users');
  });

  test('a standalone schedule: untracked, the schedule and its role; tracked, the tracker\'s state machine and role', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Schedules', { env });
    const platform = new BatchPlatform(stack, 'Platform');
    const job = new BatchJob(stack, 'Job', { platform, image: IMAGE, timeout });
    const untracked = new JobSchedule(stack, 'Untracked', { job, schedule, trackRuns: false });
    const tracked = new JobSchedule(stack, 'Tracked', { job, schedule });
    const gate = verificationId(new DeployVerification(stack, 'Verify', { job }));
    expect(notWaitingFor(untracked.schedule, gate)).toEqual([]);
    expect(notWaitingFor(untracked.schedulerRole, gate)).toEqual([]);
    const tracker: RunTracker = tracked.tracker!;
    expect(notWaitingFor(tracker.stateMachine, gate)).toEqual([]);
    expect(notWaitingFor(tracker.stateMachine.role, gate)).toEqual([]);
  });

  test('a workflow whose step is verified: its state machine and role wait for the verification', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Flow', { env });
    const flow = new ScheduledBatchWorkflow(stack, 'Flow', {
      schedule, steps: [{ name: 'extract', image: IMAGE, timeout }, { name: 'load', image: IMAGE, timeout, dependsOn: ['extract'] }],
    });
    const gate = verificationId(new DeployVerification(stack, 'VerifyLoad', { job: flow.jobs.load }));
    expect(notWaitingFor(flow.stateMachine, gate)).toEqual([]);
    expect(notWaitingFor(flow.stateMachine.role, gate)).toEqual([]);
  });

  test('the verification\'s own submit function does not wait for it (it submits the run)', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Own', { env });
    const w = verifiedWorkload(stack);
    const deps = dependsOnOf(w.verification!.submitFunction).flatMap(([, d]) => d);
    expect(deps).not.toContain(verificationId(w.verification!));
  });

  test('a verification in another stack than its job warns (acknowledgeable): nothing in the job\'s stack can wait for it', () => {
    const app = new cdk.App();
    const jobs = new cdk.Stack(app, 'Jobs', { env });
    const checks = new cdk.Stack(app, 'Checks', { env });
    const job = new BatchJob(jobs, 'Job', { platform: new BatchPlatform(jobs, 'Platform'), image: IMAGE, timeout });
    new DeployVerification(checks, 'Verify', { job });
    Annotations.fromStack(checks).hasWarning('/Checks/Verify',
      'This verification is in stack Checks but its job Jobs/Job is in Jobs: what submits the job in the job\'s stack cannot wait for it (the stacks would depend on each other), so a new revision can be submitted before it is verified. Create the DeployVerification in the job\'s stack, or acknowledge with Annotations.of(<this verification>).acknowledgeWarning(\'cdk-scheduled-batch:verificationInOtherStack\', \'<why>\'). [ack: cdk-scheduled-batch:verificationInOtherStack]');
  });
});
