/**
 * Every job the library submits carries its workload tag, on the job and on its ECS task, whichever path submits it
 * (#25 item 4), and the roles that stop jobs may stop only jobs that carry it (#26). One test family per path:
 * the job definition (every path, and a person's own submissions), a tracked schedule's run (and its On-Demand
 * resubmission and REPLACE), a workflow's steps, the untracked schedule, the RunApi, the deploy verification and the
 * backfill CLI. The tag key is written out here, not imported, so a typo in src fails.
 */
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchJob, BatchPlatform, JobSchedule, OverlapPolicy, RunApi, ScheduledBatchWorkflow, ScheduledBatchWorkload, ScheduledBatchWorkloadProps } from '../src';
import { definitionOf } from './support/state-machine';
import { renderVtl } from './support/vtl';
import { submitJobTemplate, vtlJsonLiteral } from '../src/api/private/run-api-templates';
import { toCliInput } from '../src/cli/replay';
import { VERIFICATION_HANDLER_SOURCE } from '../src/runs/private/verification-handler';

const KEY = 'cdk-scheduled-batch:workload';
const ENV = { account: '123456789012', region: 'eu-west-2' };
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const SCHEDULE = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
const JOBS = 'arn:aws:batch:eu-west-2:123456789012:job/*';

function stackWithPlatform(onDemandFallback = false) {
  const stack = new cdk.Stack(new cdk.App(), 'Tags', { env: ENV });
  return { stack, platform: new BatchPlatform(stack, 'Platform', { onDemandFallback }) };
}

function workload(props: Partial<ScheduledBatchWorkloadProps> = {}, onDemandFallback = false) {
  const { stack, platform } = stackWithPlatform(onDemandFallback);
  const w = new ScheduledBatchWorkload(stack, 'Nightly', { platform, schedule: SCHEDULE, image: IMAGE, ...props });
  return { stack, workload: w, template: Template.fromStack(stack) };
}

/** Every IAM statement of the template (attached policies and roles' inline ones), references flattened. */
function statements(template: Template): any[] {
  const flat = (v: any) => JSON.parse(JSON.stringify(v).replace(/\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},"([^"]*)"\]\]\}/g, '"arn:aws$1"'));
  return [
    ...Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement),
    ...Object.values(template.findResources('AWS::IAM::Role')).flatMap((r: any) => (r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement)),
  ].map(flat);
}

/** A template value with its joins flattened and references written as `<LogicalId>` (AWS::Partition as `aws`). */
function flatText(v: any): string {
  if (typeof v === 'string') return v;
  if (v && Array.isArray(v['Fn::Join'])) return (v['Fn::Join'][1] as any[]).map(flatText).join(v['Fn::Join'][0]);
  if (v && v.Ref) return v.Ref === 'AWS::Partition' ? 'aws' : `<${v.Ref}>`;
  if (v && v['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
  throw new Error(`unexpected token: ${JSON.stringify(v)}`);
}

const allowing = (template: Template, action: string) => statements(template).filter(s => [s.Action].flat().includes(action));

/** The job definitions' names: the values of their workload tags. */
function jobDefinitionNames(template: Template): string[] {
  return Object.values(template.findResources('AWS::Batch::JobDefinition')).map((d: any) => d.Properties.JobDefinitionName).sort();
}

/** Every TerminateJob grant is on jobs with a workload tag, every TagResource grant is for the workload tag only. */
function expectTagScopedJobActions(template: Template, workloads: string[], terminates = true) {
  const terminate = allowing(template, 'batch:TerminateJob');
  expect(terminate.length > 0).toBe(terminates);
  for (const s of terminate) {
    expect(s).toEqual({ Action: 'batch:TerminateJob', Effect: 'Allow', Resource: JOBS, Condition: { StringEquals: { [`aws:ResourceTag/${KEY}`]: expect.any(Array) } } });
    expect(workloads).toEqual(expect.arrayContaining(s.Condition.StringEquals[`aws:ResourceTag/${KEY}`]));
  }
  const tag = allowing(template, 'batch:TagResource');
  expect(tag.length).toBeGreaterThan(0);
  for (const s of tag) {
    expect(s).toEqual({
      Action: 'batch:TagResource',
      Effect: 'Allow',
      Resource: JOBS,
      Condition: { 'StringEquals': { [`aws:RequestTag/${KEY}`]: expect.any(Array) }, 'ForAllValues:StringEquals': { 'aws:TagKeys': [KEY] } },
    });
    expect(workloads).toEqual(expect.arrayContaining(s.Condition.StringEquals[`aws:RequestTag/${KEY}`]));
  }
}

describe('the job definition: every path, a person\'s own submissions included', () => {
  test('carries the workload tag (its name) and propagates its tags to the ECS task', () => {
    const { template } = workload();
    const [name] = jobDefinitionNames(template);
    template.hasResourceProperties('AWS::Batch::JobDefinition', { JobDefinitionName: name, PropagateTags: true, Tags: { [KEY]: name } });
  });

  test('the team hook: a tag on the workload reaches the job definition, so the ECS task too', () => {
    const { stack, platform } = stackWithPlatform();
    const w = new ScheduledBatchWorkload(stack, 'Nightly', { platform, schedule: SCHEDULE, image: IMAGE });
    cdk.Tags.of(w).add('team', 'payments');
    const template = Template.fromStack(stack);
    const [name] = jobDefinitionNames(template);
    template.hasResourceProperties('AWS::Batch::JobDefinition', { PropagateTags: true, Tags: { [KEY]: name, team: 'payments' } });
  });

  test('grantSubmit gives no tagging permission (the definition\'s tag needs none)', () => {
    const { stack, platform } = stackWithPlatform();
    const job = new BatchJob(stack, 'Job', { platform, image: IMAGE });
    const role = new cdk.aws_iam.Role(stack, 'Pipeline', { assumedBy: new cdk.aws_iam.AccountRootPrincipal() });
    job.grantSubmit(role);
    const template = Template.fromStack(stack);
    expect(allowing(template, 'batch:TagResource')).toEqual([]);
    expect(allowing(template, 'batch:SubmitJob')).toHaveLength(1);
  });
});

describe('a tracked schedule\'s run (the run engine)', () => {
  test('RunJob and its On-Demand resubmission submit with the workload tag and PropagateTags', () => {
    const { template } = workload({ resubmitOnDemand: true }, true);
    const [name] = jobDefinitionNames(template);
    const def = definitionOf(template);
    for (const state of ['RunJob', 'RunJobOnDemand']) {
      expect(def.States[state].Resource).toBe('arn:aws:states:::batch:submitJob.sync');
      expect(def.States[state].Arguments).toMatchObject({ Tags: { [KEY]: name }, PropagateTags: true });
    }
    expectTagScopedJobActions(template, [name]);
  });

  test('the deadline stop is a TerminateJob the role may do only on jobs with the workload tag', () => {
    const { template } = workload();
    const [name] = jobDefinitionNames(template);
    expect(definitionOf(template).States.StopTimedOutJob).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:batch:terminateJob', Arguments: { JobId: '{% $job.JobId %}' }, Assign: { stopped: true }, TimeoutSeconds: 60,
    });
    expect(allowing(template, 'batch:TerminateJob')).toEqual([{
      Action: 'batch:TerminateJob', Effect: 'Allow', Resource: JOBS, Condition: { StringEquals: { [`aws:ResourceTag/${KEY}`]: [name] } },
    }]);
  });

  test('REPLACE terminates only jobs with the workload tag; a refusal (a job submitted by hand without it) is caught per job', () => {
    const { template } = workload({ overlapPolicy: OverlapPolicy.REPLACE });
    const [name] = jobDefinitionNames(template);
    const processor = definitionOf(template).States.TerminateReplacedJobs.ItemProcessor;
    expect(processor.States.TerminateReplacedJob).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:batch:terminateJob',
      Arguments: { JobId: '{% $states.input.JobId %}' },
      TimeoutSeconds: 60,
      End: true,
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'ReplacedJobNotStopped' }],
    });
    expect(processor.States.ReplacedJobNotStopped).toEqual({ Type: 'Pass', QueryLanguage: 'JSONata', End: true });
    expectTagScopedJobActions(template, [name]);
  });
});

describe('a workflow\'s steps', () => {
  test('each step (and its On-Demand resubmission) is tagged with its own job\'s name; the role stops only the steps\' jobs', () => {
    const { stack, platform } = stackWithPlatform(true);
    new ScheduledBatchWorkflow(stack, 'Etl', {
      platform,
      schedule: SCHEDULE,
      steps: [{ name: 'extract', image: IMAGE, onDemandFallback: true }, { name: 'load', image: IMAGE, dependsOn: ['extract'] }],
    });
    const template = Template.fromStack(stack);
    const names = jobDefinitionNames(template);
    expect(names).toHaveLength(2);
    const def = definitionOf(template);
    const branch = (step: string) => (Object.values(def.States) as any[]).flatMap(s => s.Branches ?? []).find((b: any) => b.StartAt === step);
    const tagOf = (state: any) => state.Arguments.Tags[KEY];
    const extract = branch('extract');
    const load = branch('load');
    expect(extract.States.extract.Arguments.PropagateTags).toBe(true);
    expect(extract.States['extract OnDemand'].Arguments.PropagateTags).toBe(true);
    expect(tagOf(extract.States['extract OnDemand'])).toBe(tagOf(extract.States.extract));
    expect(load.States.load.Arguments.PropagateTags).toBe(true);
    expect([tagOf(extract.States.extract), tagOf(load.States.load)].sort()).toEqual(names);
    expect(extract.States['extract StopLateJob'].Resource).toBe('arn:aws:states:::aws-sdk:batch:terminateJob');
    expectTagScopedJobActions(template, names);
    expect(allowing(template, 'batch:TerminateJob')[0].Condition.StringEquals[`aws:ResourceTag/${KEY}`].sort()).toEqual(names);
  });
});

describe('the untracked schedule (EventBridge Scheduler submits the job)', () => {
  test('its SubmitJob input carries the workload tag and PropagateTags; its role may tag with that tag only', () => {
    const { template } = workload({ trackRuns: false });
    const [name] = jobDefinitionNames(template);
    const [schedule] = Object.values(template.findResources('AWS::Scheduler::Schedule')) as any[];
    expect(JSON.stringify(schedule.Properties.Target.Arn)).toContain('aws-sdk:batch:submitJob');
    expect(JSON.parse(flatText(schedule.Properties.Target.Input))).toMatchObject({ JobName: name, Tags: { [KEY]: name }, PropagateTags: true });
    expect(allowing(template, 'batch:TerminateJob')).toEqual([]);
    const tag = allowing(template, 'batch:TagResource');
    expect(tag).toHaveLength(1);
    expect(tag[0].Condition.StringEquals[`aws:RequestTag/${KEY}`]).toEqual([name]);
  });

  test('a JobSchedule of an imported job tags with the name it was given', () => {
    const { stack, platform } = stackWithPlatform();
    const job = BatchJob.fromBatchJobAttributes(stack, 'Imported', {
      jobDefinitionArn: 'arn:aws:batch:eu-west-2:123456789012:job-definition/legacy:4', jobQueue: platform.jobQueue, jobName: 'legacy-report',
    });
    new JobSchedule(stack, 'Schedule', { job, schedule: SCHEDULE, trackRuns: false });
    const template = Template.fromStack(stack);
    const [schedule] = Object.values(template.findResources('AWS::Scheduler::Schedule')) as any[];
    expect(JSON.parse(flatText(schedule.Properties.Target.Input))).toMatchObject({ Tags: { [KEY]: 'legacy-report' }, PropagateTags: true });
    expectTagScopedJobActions(template, ['legacy-report'], false);
  });
});

describe('the RunApi', () => {
  test('the SubmitJob template tags each run and propagates; the integration role may tag with the routes\' values only', () => {
    const { stack, platform } = stackWithPlatform();
    const runApi = new RunApi(stack, 'RunApi');
    new ScheduledBatchWorkload(stack, 'Nightly', { platform, runApi, schedule: SCHEDULE, image: IMAGE });
    const template = Template.fromStack(stack);
    const [name] = jobDefinitionNames(template);
    const post = (Object.values(template.findResources('AWS::ApiGateway::Method')) as any[]).find(m => m.Properties.HttpMethod === 'POST');
    const vtl = flatText(post.Properties.Integration.RequestTemplates['application/json']);
    const body = JSON.parse(renderVtl(vtl, { body: { scheduledTime: '2026-11-23T02:00:00Z' } }).text);
    expect(body).toMatchObject({ tags: { [KEY]: name }, propagateTags: true });
    expectTagScopedJobActions(template, [name]);
  });

  test('the tag value is escaped where it lands: quotes, backslashes, $ and # reach AWS Batch as they are', () => {
    const hostile = 'a"b\\c$d#e${x}#set($y = 1)';
    const template = submitJobTemplate({ jobName: hostile, jobQueueArn: 'arn:q', jobDefinitionArn: 'arn:d:1', declared: [] });
    expect(template).toContain(`"tags": { ${vtlJsonLiteral(KEY)}: ${vtlJsonLiteral(hostile)} }`);
    const body = JSON.parse(renderVtl(template, { body: { scheduledTime: '2026-11-23T02:00:00Z' } }).text);
    expect(body.tags).toEqual({ [KEY]: hostile });
    expect(vtlJsonLiteral(hostile)).not.toMatch(/[$#]/);
  });
});

describe('the deploy verification', () => {
  test('the run is submitted with the workload tag (a resource property), and only it may be stopped', async () => {
    const { template } = workload({ verifyOnDeploy: true, timeout: cdk.Duration.minutes(10) });
    const [name] = jobDefinitionNames(template);
    template.hasResourceProperties('Custom::BatchDeployVerification', { WorkloadTag: name });
    expectTagScopedJobActions(template, [name]);

    const calls: any[] = [];
    const command = (n: string) => class { constructor(public readonly input: any) { (this as any).name = n; } };
    const sdk = {
      BatchClient: class { async send(c: any) { calls.push({ command: c.name, input: c.input }); return { jobId: 'j-1' }; } },
      SubmitJobCommand: command('SubmitJob'),
      DescribeJobsCommand: command('DescribeJobs'),
      TerminateJobCommand: command('TerminateJob'),
    };
    const exports: any = {};
    new Function('require', 'exports', 'console', VERIFICATION_HANDLER_SOURCE)(() => sdk, exports, { log: () => undefined });
    await exports.onEvent({
      RequestType: 'Create',
      ResourceProperties: { JobDefinition: 'arn:d:7', JobQueue: 'arn:q', JobNamePrefix: 'n-verify-', TimeoutSeconds: '60', WorkloadTag: name },
    });
    expect(calls).toEqual([{ command: 'SubmitJob', input: expect.objectContaining({ tags: { [KEY]: name }, propagateTags: true }) }]);
  });
});

describe('the backfill CLI', () => {
  test('replaying an untracked schedule submits its own input, tag key untouched (the caller needs batch:TagResource too)', () => {
    const { template } = workload({ trackRuns: false });
    const [name] = jobDefinitionNames(template);
    const [schedule] = Object.values(template.findResources('AWS::Scheduler::Schedule')) as any[];
    const cliInput = toCliInput(JSON.parse(flatText(schedule.Properties.Target.Input)));
    expect(cliInput).toMatchObject({ jobName: name, tags: { [KEY]: name }, propagateTags: true });
  });

  test('replaying a tracked schedule starts an execution of the run state machine, whose RunJob tags the job', () => {
    const { template } = workload();
    const [schedule] = Object.values(template.findResources('AWS::Scheduler::Schedule')) as any[];
    expect(JSON.stringify(schedule.Properties.Target.Arn)).toMatch(/StateMachine/);
    expect(definitionOf(template).States.RunJob.Arguments.Tags).toEqual({ [KEY]: jobDefinitionNames(template)[0] });
  });
});
