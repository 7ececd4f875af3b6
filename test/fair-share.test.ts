/**
 * Fair share (#27): a platform's queue with a scheduling policy, teams with weights and caps, and every submission
 * path sending the job's share identifier and priority, with submit grants allowing exactly that share.
 */
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import {
  BatchFleet, BatchJob, ComputePlatform, BatchPlatform, BatchPlatformProps, FairShareOptions, OverlapPolicy, RunApi, ScheduledBatchWorkflow,
  ScheduledBatchWorkload, ScheduledBatchWorkloadProps,
} from '../src';
import { definitionOf } from './support/state-machine';
import { renderVtl } from './support/vtl';
import { toCliInput } from '../src/cli/replay';
import { VERIFICATION_HANDLER_SOURCE } from '../src/runs/private/verification-handler';

const ENV = { account: '123456789012', region: 'eu-west-2' };
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const SCHEDULE = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
const FAIR: FairShareOptions = {
  shares: [{ team: 'reporting', weight: 3 }, { team: 'science', maxvCpus: 4 }, { team: 'adhoc', weight: 1, maxvCpus: 2 }],
  computeReservation: 10,
  shareDecay: cdk.Duration.hours(1),
};

function stackWith(platformProps: BatchPlatformProps = { fairShare: FAIR }) {
  const stack = new cdk.Stack(new cdk.App(), 'Fair', { env: ENV });
  const platform = new BatchPlatform(stack, 'Platform', platformProps);
  return { stack, platform };
}

function workload(props: Partial<ScheduledBatchWorkloadProps> = {}, platformProps?: BatchPlatformProps) {
  const { stack, platform } = stackWith(platformProps);
  const w = new ScheduledBatchWorkload(stack, 'Nightly', { platform, schedule: SCHEDULE, image: IMAGE, team: 'reporting', ...props });
  return { stack, platform, workload: w, template: Template.fromStack(stack) };
}

/** Every statement of the template that allows batch:SubmitJob, with the role or policy it is in. */
function submitStatements(template: Template): any[] {
  const out: any[] = [];
  for (const [id, r] of Object.entries<any>(template.toJSON().Resources)) {
    const docs = r.Type === 'AWS::IAM::Role' ? (r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument)
      : r.Type === 'AWS::IAM::Policy' ? [r.Properties.PolicyDocument] : [];
    for (const doc of docs) {
      for (const s of doc.Statement) if ([s.Action].flat().includes('batch:SubmitJob')) out.push({ id, ...s });
    }
  }
  return out;
}

function flatText(v: any): string {
  if (typeof v === 'string') return v;
  if (v && Array.isArray(v['Fn::Join'])) return (v['Fn::Join'][1] as any[]).map(flatText).join(v['Fn::Join'][0]);
  if (v && v.Ref) return `<${v.Ref}>`;
  if (v && v['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
  throw new Error(`unexpected token: ${JSON.stringify(v)}`);
}

const submitStates = (definition: any): any[] => {
  const found: any[] = [];
  const walk = (states: any) => {
    for (const st of Object.values<any>(states ?? {})) {
      if (typeof st.Resource === 'string' && st.Resource.includes('batch:submitJob')) found.push(st);
      for (const branch of st.Branches ?? []) walk(branch.States);
      if (st.ItemProcessor) walk(st.ItemProcessor.States);
    }
  };
  walk(definition.States);
  return found;
};

describe('the platform', () => {
  test('fairShare gives the queue a scheduling policy: weights as inverse weight factors, reservation and decay', () => {
    const { stack } = stackWith();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Batch::SchedulingPolicy', {
      FairsharePolicy: {
        ComputeReservation: 10,
        ShareDecaySeconds: 3600,
        ShareDistribution: [
          { ShareIdentifier: 'reporting', WeightFactor: 0.3333 },
          { ShareIdentifier: 'science', WeightFactor: 1 },
          { ShareIdentifier: 'adhoc', WeightFactor: 1 },
        ],
      },
    });
    const [policyId] = Object.keys(t.findResources('AWS::Batch::SchedulingPolicy'));
    t.hasResourceProperties('AWS::Batch::JobQueue', { SchedulingPolicyArn: { 'Fn::GetAtt': [policyId, 'Arn'] } });
  });

  test('the documented defaults: no reservation, no decay, weight 1', () => {
    const { stack } = stackWith({ fairShare: { shares: [{ team: 'a' }] } });
    Template.fromStack(stack).hasResourceProperties('AWS::Batch::SchedulingPolicy', {
      FairsharePolicy: { ComputeReservation: 0, ShareDecaySeconds: 0, ShareDistribution: [{ ShareIdentifier: 'a', WeightFactor: 1 }] },
    });
  });

  test('without fairShare the queue is FIFO: no policy, no consumable resource', () => {
    const { stack, platform } = stackWith({});
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Batch::SchedulingPolicy', 0);
    t.resourceCountIs('AWS::Batch::ConsumableResource', 0);
    expect(JSON.stringify(t.toJSON())).not.toContain('SchedulingPolicyArn');
    expect(platform.fairShare).toBe(false);
  });

  test('a cap is a REPLENISHABLE consumable resource of the cap, one per capped team', () => {
    const { stack, platform } = stackWith();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Batch::ConsumableResource', 2);
    t.hasResourceProperties('AWS::Batch::ConsumableResource', { ResourceType: 'REPLENISHABLE', TotalQuantity: 4 });
    t.hasResourceProperties('AWS::Batch::ConsumableResource', { ResourceType: 'REPLENISHABLE', TotalQuantity: 2 });
    expect(platform.teamCap('science')?.maxvCpus).toBe(4);
    expect(platform.teamCap('reporting')).toBeUndefined();
  });

  test('the On-Demand queue has the same policy (a resubmitted job keeps its share)', () => {
    const { stack, platform } = stackWith({ fairShare: FAIR, onDemandFallback: true });
    platform.onDemandJobQueue(platform);
    const t = Template.fromStack(stack);
    const [policyId] = Object.keys(t.findResources('AWS::Batch::SchedulingPolicy'));
    const queues = Object.values<any>(t.findResources('AWS::Batch::JobQueue'));
    expect(queues).toHaveLength(2);
    for (const q of queues) expect(q.Properties.SchedulingPolicyArn).toEqual({ 'Fn::GetAtt': [policyId, 'Arn'] });
  });

  test('a fleet takes fairShare like a platform', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Fleet', { env: ENV });
    const fleet = new BatchFleet(stack, 'Fleet', { fairShare: FAIR });
    expect(fleet.platform.fairShare).toBe(true);
  });

  test.each<[string, FairShareOptions, RegExp]>([
    ['a team with a hyphen', { shares: [{ team: 'data-eng' }] }, /'fairShare.shares\[\].team' is "data-eng": .*letters and digits/],
    ['a team twice', { shares: [{ team: 'a' }, { team: 'a', weight: 2 }] }, /lists the team 'a' twice/],
    ['a weight of 0', { shares: [{ team: 'a', weight: 0 }] }, /'fairShare.shares\[a\].weight' is 0: it must be a whole number from 1 to 1000/],
    ['a cap of 0', { shares: [{ team: 'a', maxvCpus: 0 }] }, /'fairShare.shares\[a\].maxvCpus' is 0 vCPUs/],
    ['a reservation of 100', { computeReservation: 100 }, /'fairShare.computeReservation' is 100 percent: .*from 0 to 99/],
    ['a decay over a week', { shareDecay: cdk.Duration.days(8) }, /'fairShare.shareDecay' is 8 days: .*to 7 days/],
  ])('fails on %s', (_what, fairShare, message) => {
    expect(() => stackWith({ fairShare })).toThrow(message);
  });

  test('fails on fairShare with a brought job queue (its policy is not this app\'s to set)', () => {
    const { stack, platform } = stackWith({});
    expect(() => new BatchPlatform(stack, 'Other', { jobQueue: platform.jobQueue, fairShare: FAIR })).toThrow(/'jobQueue' was given together with 'fairShare'/);
  });
});

describe('validation of team and priority', () => {
  test('fails without a team on a fair-share platform, naming the prop and the fix', () => {
    expect(() => workload({ team: undefined })).toThrow(/'team' is not set on Fair\/Nightly\/Job, whose platform schedules by fair share.*Set 'team'/);
  });

  test('fails with a team on a FIFO platform', () => {
    expect(() => workload({ team: 'reporting' }, {})).toThrow(/'team' is "reporting" on .*its platform has no 'fairShare'.*Remove it, or give the BatchPlatform 'fairShare'/);
  });

  test('fails with a priority on a FIFO platform', () => {
    expect(() => workload({ team: undefined, schedulingPriority: 5 }, {})).toThrow(/'schedulingPriority' is 5 on .*no 'fairShare'/);
  });

  test.each([[-1], [10000], [1.5]])('fails on schedulingPriority %p (0 to 9999)', priority => {
    expect(() => workload({ schedulingPriority: priority })).toThrow(/'schedulingPriority' is .*: it must be a whole number from 0 to 9999/);
  });

  test('fails on a team that is not a share identifier', () => {
    expect(() => workload({ team: 'team a' })).toThrow(/'team' is "team a": a team is an AWS Batch share identifier/);
  });

  test('a team token passes', () => {
    expect(() => workload({ team: cdk.Lazy.string({ produce: () => 'reporting' }) })).not.toThrow();
  });

  test('a token team passes in shares without a cap; with a cap it fails naming the fix (the cap is a resource named after the team)', () => {
    const token = cdk.Lazy.string({ produce: () => 'reporting' });
    expect(() => stackWith({ fairShare: { shares: [{ team: token, weight: 2 }] } })).not.toThrow();
    expect(() => stackWith({ fairShare: { shares: [{ team: token, maxvCpus: 4 }] } })).toThrow(
      /^'fairShare\.shares\[\]\.team' is a token \(\$\{Token\[TOKEN\.\d+\]\}\) on a team with 'maxvCpus': the team's cap is a resource named after the team at synth\. Give the team as a literal, or leave out its maxvCpus\.$/);
  });

  test('a job bigger than its team\'s cap fails at synth', () => {
    expect(() => workload({ team: 'adhoc', cpu: 4 })).toThrow(/'cpu' is 4 on .*more than the cap of its team 'adhoc' \(maxvCpus 2\).*Lower 'cpu' to at most 2/);
  });

  test('the priority goes on the job definition too (for submissions by hand)', () => {
    workload({ schedulingPriority: 70 }).template.hasResourceProperties('AWS::Batch::JobDefinition', { SchedulingPriority: 70 });
  });
});

describe('caps on the job definition', () => {
  test('a capped team\'s job requires its vCPUs of the team\'s resource', () => {
    const { template: t, platform } = workload({ team: 'science', cpu: 2 });
    const cap = platform.teamCap('science')!;
    const [jd] = Object.values<any>(t.findResources('AWS::Batch::JobDefinition'));
    expect(jd.Properties.ConsumableResourceProperties.ConsumableResourceList).toEqual([
      { ConsumableResource: cdk.Stack.of(platform).resolve(cap.consumableResourceArn), Quantity: 2 },
    ]);
  });

  test('with overlap QUEUE the job definition requires both: the team cap and the one-at-a-time lock of 1', () => {
    const { template: t } = workload({ team: 'science', cpu: 1, overlapPolicy: OverlapPolicy.QUEUE });
    const [jd] = Object.values<any>(t.findResources('AWS::Batch::JobDefinition'));
    const list = jd.Properties.ConsumableResourceProperties.ConsumableResourceList;
    expect(list).toHaveLength(2);
    expect(list.map((c: any) => c.Quantity).sort()).toEqual([1, 1]);
    expect(list.map((c: any) => c.ConsumableResource['Fn::GetAtt'][0]).sort()).toEqual([
      expect.stringMatching(/^NightlyJobOneRunAtATime/), expect.stringMatching(/^PlatformTeamCapscience/),
    ]);
  });

  test('a Fargate job of 0.25 vCPU takes 1 unit (consumable resources count whole units)', () => {
    const { template: t } = workload({ team: 'adhoc', cpu: 0.25, memory: cdk.Size.mebibytes(512) }, { fairShare: FAIR, computePlatform: ComputePlatform.FARGATE });
    const [jd] = Object.values<any>(t.findResources('AWS::Batch::JobDefinition'));
    expect(jd.Properties.ConsumableResourceProperties.ConsumableResourceList[0].Quantity).toBe(1);
  });

  test('an uncapped team\'s job requires nothing', () => {
    const [jd] = Object.values<any>(workload({ team: 'reporting' }).template.findResources('AWS::Batch::JobDefinition'));
    expect(jd.Properties.ConsumableResourceProperties).toBeUndefined();
  });
});

describe('every submission path sends the share identifier and the priority', () => {
  test('the tracked schedule\'s run state and the On-Demand resubmission', () => {
    const { template } = workload({ schedulingPriority: 40, resubmitOnDemand: true }, { fairShare: FAIR, onDemandFallback: true });
    const states = submitStates(definitionOf(template));
    expect(states).toHaveLength(2);
    for (const st of states) expect(st.Arguments).toMatchObject({ ShareIdentifier: 'reporting', SchedulingPriorityOverride: 40 });
  });

  test('the priority defaults to 0 and is always sent on a fair-share queue', () => {
    const [st] = submitStates(definitionOf(workload().template));
    expect(st.Arguments).toMatchObject({ ShareIdentifier: 'reporting', SchedulingPriorityOverride: 0 });
  });

  test('a FIFO platform\'s submissions carry neither', () => {
    const { template } = workload({ team: undefined }, {});
    const [st] = submitStates(definitionOf(template));
    expect(st.Arguments.ShareIdentifier).toBeUndefined();
    expect(st.Arguments.SchedulingPriorityOverride).toBeUndefined();
    for (const s of submitStatements(template)) expect(s.Condition?.StringEquals?.['batch:ShareIdentifier']).toBeUndefined();
  });

  test('the untracked schedule\'s SubmitJob (which a backfill of it repeats)', () => {
    const { template } = workload({ trackRuns: false, schedulingPriority: 9 });
    const [schedule] = Object.values<any>(template.findResources('AWS::Scheduler::Schedule'));
    const input = JSON.parse(flatText(schedule.Properties.Target.Input));
    expect(input).toMatchObject({ ShareIdentifier: 'reporting', SchedulingPriorityOverride: 9 });
    // The backfill replays that input as `aws batch submit-job --cli-input-json` (src/cli/run-actions.ts).
    expect(toCliInput(input)).toMatchObject({ shareIdentifier: 'reporting', schedulingPriorityOverride: 9 });
  });

  test('the RunApi\'s SubmitJob request', () => {
    const { stack, platform } = stackWith();
    const runApi = new RunApi(stack, 'RunApi');
    new ScheduledBatchWorkload(stack, 'Nightly', { platform, runApi, schedule: SCHEDULE, image: IMAGE, team: 'science', schedulingPriority: 3 });
    const t = Template.fromStack(stack);
    const post = Object.values<any>(t.findResources('AWS::ApiGateway::Method')).find(m => m.Properties.HttpMethod === 'POST');
    const vtl = flatText(post.Properties.Integration.RequestTemplates['application/json']);
    const body = JSON.parse(renderVtl(vtl, { body: { scheduledTime: '2026-11-23T02:00:00Z' } }).text);
    expect(body).toMatchObject({ shareIdentifier: 'science', schedulingPriorityOverride: 3 });
  });

  test('the deploy verification\'s run: resource properties, and the handler passes them to SubmitJob', async () => {
    const { template } = workload({ verifyOnDeploy: true, schedulingPriority: 12, timeout: cdk.Duration.minutes(10) });
    template.hasResourceProperties('Custom::BatchDeployVerification', { ShareIdentifier: 'reporting', SchedulingPriorityOverride: 12 });
    const calls: any[] = [];
    const command = (n: string) => class { constructor(public readonly input: any) { (this as any).name = n; } };
    const sdk = {
      BatchClient: class { async send(c: any) { calls.push(c.input); return { jobId: 'j-1' }; } },
      SubmitJobCommand: command('SubmitJob'),
      DescribeJobsCommand: command('DescribeJobs'),
      TerminateJobCommand: command('TerminateJob'),
    };
    const exports: any = {};
    new Function('require', 'exports', 'console', VERIFICATION_HANDLER_SOURCE)(() => sdk, exports, { log: () => undefined });
    await exports.onEvent({
      RequestType: 'Create',
      ResourceProperties: { JobDefinition: 'arn:d:1', JobQueue: 'arn:q', JobNamePrefix: 'n-', TimeoutSeconds: '60', ShareIdentifier: 'reporting', SchedulingPriorityOverride: '12' },
    });
    expect(calls[0]).toMatchObject({ shareIdentifier: 'reporting', schedulingPriorityOverride: 12 });
    await exports.onEvent({ RequestType: 'Create', ResourceProperties: { JobDefinition: 'arn:d:1', JobQueue: 'arn:q', JobNamePrefix: 'n-', TimeoutSeconds: '60' } });
    expect(calls[1].shareIdentifier).toBeUndefined();
  });

  test('a workflow: each step under its own team, and one grant statement per team', () => {
    const { stack, platform } = stackWith();
    new ScheduledBatchWorkflow(stack, 'Flow', {
      platform,
      schedule: SCHEDULE,
      steps: [
        { name: 'extract', image: IMAGE, team: 'science', schedulingPriority: 5 },
        { name: 'report', image: IMAGE, team: 'reporting', dependsOn: ['extract'] },
      ],
    });
    const t = Template.fromStack(stack);
    const byTeam = Object.fromEntries(submitStates(definitionOf(t))
      .map(st => [st.Arguments.ShareIdentifier, st.Arguments.SchedulingPriorityOverride]));
    expect(byTeam).toEqual({ science: 5, reporting: 0 });
    const shares = submitStatements(t).map(s => s.Condition?.StringEquals?.['batch:ShareIdentifier']).sort();
    expect(shares).toEqual(['reporting', 'science']);
  });
});

describe('submit grants allow exactly the job\'s own share', () => {
  test('every batch:SubmitJob statement of a fair-share workload is conditioned on its team', () => {
    const { template } = workload({ verifyOnDeploy: true, resubmitOnDemand: true, timeout: cdk.Duration.minutes(10) },
      { fairShare: FAIR, onDemandFallback: true });
    const statements = submitStatements(template);
    expect(statements.length).toBeGreaterThanOrEqual(3); // the run state machine (queue, On-Demand queue), the verification
    for (const s of statements) expect(s.Condition).toEqual({ StringEquals: { 'batch:ShareIdentifier': 'reporting' } });
  });

  test('the untracked schedule\'s role', () => {
    const statements = submitStatements(workload({ trackRuns: false }).template);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) expect(s.Condition).toEqual({ StringEquals: { 'batch:ShareIdentifier': 'reporting' } });
  });

  test('grantSubmit to a user\'s role, and the capped team\'s resource is among the resources', () => {
    const { stack, platform } = stackWith();
    const job = new BatchJob(stack, 'Job', { platform, image: IMAGE, team: 'adhoc' });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    job.grantSubmit(role);
    const [s] = submitStatements(Template.fromStack(stack)).filter(x => x.id.startsWith('CallerDefaultPolicy'));
    expect(s.Condition).toEqual({ StringEquals: { 'batch:ShareIdentifier': 'adhoc' } });
    expect(JSON.stringify(s.Resource)).toContain('PlatformTeamCapadhoc');
  });

  test('an imported job with a share identifier submits and grants under it', () => {
    const { stack, platform } = stackWith();
    const job = BatchJob.fromBatchJobAttributes(stack, 'Imported', {
      jobDefinitionArn: 'arn:aws:batch:eu-west-2:123456789012:job-definition/legacy:4', jobQueue: platform.jobQueue, jobName: 'legacy', shareIdentifier: 'science',
    });
    expect(job.schedulingPriority).toBe(0);
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    job.grantSubmit(role);
    const [s] = submitStatements(Template.fromStack(stack)).filter(x => x.id.startsWith('CallerDefaultPolicy'));
    expect(s.Condition).toEqual({ StringEquals: { 'batch:ShareIdentifier': 'science' } });
  });
});
