import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import jsonata from 'jsonata';
import { BatchJob, BatchPlatform, ComputePlatform, CostReport, OverlapPolicy, RUN_API_DEFAULTS, RunApi, ScheduledBatchWorkload, ScheduledBatchWorkloadProps, UnitPrices } from '../src';
import {
  activeJobsExpression, messageExpression, RUN_OUTCOMES, runParametersExpression, STATES,
} from './support/engine';
import { renderRunMessage } from './support/run-message';
import { definitionOf } from './support/state-machine';
import { renderVtl } from './support/vtl';
import {
  DESCRIBE_JOB_TEMPLATE, ERROR_RESPONSE, runRequestSchema, SCHEDULED_TIME_PATTERN, statusResponseTemplate, submitJobTemplate, SUBMITTED_RESPONSE,
} from '../src/api/private/run-api-templates';
import { PARAMETER_VALUE_MAX } from '../src/private/job-options';

// Literal names from the AWS documentation, not imported from src, so a typo in src fails here.
// https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html
const SCHEDULED_TIME_ATTRIBUTE = '<aws.scheduler.scheduled-time>';
// https://docs.aws.amazon.com/batch/latest/userguide/job_stuck_in_runnable.html: the blocked reasons AWS Batch infers
// and jobStateTimeLimitActions can act on. None of them is "waiting for a consumable resource": a job that waits for
// one sits in RUNNABLE "until all the required resources become available"
// (https://docs.aws.amazon.com/batch/latest/userguide/resource-aware-scheduling-how-to-for-jobs.html).
const DOCUMENTED_BLOCKED_REASONS = [
  'CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY',
  'MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE',
  'MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT',
  'MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS',
];
const IMAGE = 'public.ecr.aws/docker/library/python:3.13-slim';
const ACCOUNT = '123456789012';

function setup(props: Partial<ScheduledBatchWorkloadProps> = {}, options: { api?: boolean } = {}) {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'RunControl', { env: { account: ACCOUNT, region: 'eu-west-2' } });
  const platform = new BatchPlatform(stack, 'Platform');
  const runApi = options.api ? new RunApi(stack, 'RunApi') : undefined;
  const workload = new ScheduledBatchWorkload(stack, 'Nightly', {
    platform,
    runApi,
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: cdk.TimeZone.EUROPE_LONDON }),
    image: ecs.ContainerImage.fromRegistry(IMAGE),
    ...props,
  });
  return { app, stack, platform, runApi, workload, template: () => Template.fromStack(stack) };
}

/** The statements of every IAM policy that allows `action`, with the policy's logical id. */
function statementsAllowing(template: Template, action: string): Array<{ policy: string; resources: unknown[] }> {
  const out: Array<{ policy: string; resources: unknown[] }> = [];
  // Attached policies and the roles' inline ones (the library's roles keep their statements inline).
  const documents: Array<[string, any]> = [
    ...(Object.entries(template.findResources('AWS::IAM::Policy')) as any[]).map(([id, p]) => [id, p.Properties.PolicyDocument] as [string, any]),
    ...(Object.entries(template.findResources('AWS::IAM::Role')) as any[])
      .flatMap(([id, r]) => (r.Properties.Policies ?? []).map((p: any) => [id, p.PolicyDocument] as [string, any])),
  ];
  for (const [id, document] of documents) {
    for (const s of document.Statement) {
      const actions = [s.Action].flat();
      if (actions.includes(action)) out.push({ policy: id, resources: [s.Resource].flat() });
    }
  }
  return out;
}

/** Evaluates a Step Functions JSONata expression (`{% ... %}` stripped) with `$states` bound. */
async function evaluate(expression: string, states: object): Promise<any> {
  return jsonata(expression.replace(/^\{% /, '').replace(/ %\}$/, '')).evaluate({}, { states });
}

describe('overlap policy ALLOW (the default)', () => {
  test('no consumable resource, no overlap check before submitting: a run starts with its default start check, then submits its job', () => {
    const t = setup().template();
    t.resourceCountIs('AWS::Batch::ConsumableResource', 0);
    const def = definitionOf(t);
    expect(def.StartAt).toBe('ScheduleStartCheck');
    expect(def.States.ScheduleStartCheck.Next).toBe(STATES.run);
    expect(jobDefinition(t).ConsumableResourceProperties).toBeUndefined();
  });
});

function jobDefinition(t: Template): any {
  const [def] = Object.values(t.findResources('AWS::Batch::JobDefinition')) as any[];
  return def.Properties;
}

describe('overlap policy QUEUE', () => {
  test('the job definition requires one unit of a replenishable consumable resource of quantity 1', () => {
    const t = setup({ overlapPolicy: OverlapPolicy.QUEUE }).template();
    t.resourceCountIs('AWS::Batch::ConsumableResource', 1);
    t.hasResourceProperties('AWS::Batch::ConsumableResource', { ResourceType: 'REPLENISHABLE', TotalQuantity: 1 });
    const [lockId] = Object.keys(t.findResources('AWS::Batch::ConsumableResource'));
    expect(jobDefinition(t).ConsumableResourceProperties).toEqual({
      ConsumableResourceList: [{ ConsumableResource: { 'Fn::GetAtt': [lockId, 'ConsumableResourceArn'] }, Quantity: 1 }],
    });
    // The tracked run submits directly: no check state.
    expect(definitionOf(t).StartAt).toBe(STATES.run);
  });

  test('every principal that submits the job may use the consumable resource (SubmitJob is authorized on it)', () => {
    const { stack, workload, template } = setup({ overlapPolicy: OverlapPolicy.QUEUE }, { api: true });
    workload.grantSubmit(new iam.Role(stack, 'Pipeline', { assumedBy: new iam.AccountPrincipal(ACCOUNT) }));
    const t = template();
    const [lockId] = Object.keys(t.findResources('AWS::Batch::ConsumableResource'));
    const lock = { 'Fn::GetAtt': [lockId, 'ConsumableResourceArn'] };
    const submitters = statementsAllowing(t, 'batch:SubmitJob');
    // The tracker's role, the API's integration role, and the pipeline.
    const owners = [...new Set(submitters.map(s => s.policy.replace(/DefaultPolicy.*$/, '').replace(/[0-9A-F]{8}$/, '')))].sort();
    expect(owners).toEqual(['NightlyScheduleRunsStateMachineRole', 'Pipeline', 'RunApiIntegrationRole']);
    for (const s of submitters) expect(s.resources).toContainEqual(lock);
  });

  test('a deploy-time verification may submit the job with its consumable resource too', () => {
    const t = setup({ overlapPolicy: OverlapPolicy.QUEUE, verifyOnDeploy: true, timeout: cdk.Duration.minutes(10) }).template();
    const [lockId] = Object.keys(t.findResources('AWS::Batch::ConsumableResource'));
    const verifier = statementsAllowing(t, 'batch:SubmitJob').filter(s => s.policy.includes('Verification'));
    expect(verifier).toHaveLength(1);
    expect(verifier[0].resources).toContainEqual({ 'Fn::GetAtt': [lockId, 'ConsumableResourceArn'] });
  });

  test('untracked schedules queue too: the scheduler role may submit with the consumable resource', () => {
    const t = setup({ overlapPolicy: OverlapPolicy.QUEUE, trackRuns: false }).template();
    const [lockId] = Object.keys(t.findResources('AWS::Batch::ConsumableResource'));
    const submitters = statementsAllowing(t, 'batch:SubmitJob');
    expect(submitters).toHaveLength(1);
    expect(submitters[0].resources).toContainEqual({ 'Fn::GetAtt': [lockId, 'ConsumableResourceArn'] });
  });

  test('a tracked run\'s default deadline doubles, to cover the wait for one earlier run', () => {
    // 3 attempts x 1 hour + 15 minutes + 2 x 5 minutes = 3 h 25 min; queued: twice that.
    expect(definitionOf(setup().template()).States[STATES.run].TimeoutSeconds).toBe(3 * 3600 + 25 * 60);
    expect(definitionOf(setup({ overlapPolicy: OverlapPolicy.QUEUE }).template()).States[STATES.run].TimeoutSeconds).toBe(2 * (3 * 3600 + 25 * 60));
    // A deadline the user gives is kept.
    const given = setup({ overlapPolicy: OverlapPolicy.QUEUE, runDeadline: cdk.Duration.hours(5) }).template();
    expect(definitionOf(given).States[STATES.run].TimeoutSeconds).toBe(5 * 3600);
  });

  test('a run waiting for the resource trips neither the stuck-RUNNABLE cancellation nor an alarm rule', () => {
    const t = setup({ overlapPolicy: OverlapPolicy.QUEUE }).template();
    // The queue cancels RUNNABLE jobs only for documented blocked reasons, none of which is a consumable-resource wait.
    const [queue] = Object.values(t.findResources('AWS::Batch::JobQueue')) as any[];
    const actions = queue.Properties.JobStateTimeLimitActions as any[];
    expect(actions.length).toBeGreaterThan(0);
    for (const a of actions) {
      expect(DOCUMENTED_BLOCKED_REASONS).toContain(a.Reason);
      expect(a.State).toBe('RUNNABLE');
    }
    // A waiting job emits only `Batch Job State Change` events with status RUNNABLE: no rule of the workload matches one.
    const waiting = {
      'source': 'aws.batch',
      'detail-type': 'Batch Job State Change',
      'detail': { status: 'RUNNABLE', statusReason: '', jobQueue: 'q', jobDefinition: 'd', jobName: 'n' },
    };
    const rules = Object.values(t.findResources('AWS::Events::Rule')) as any[];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(matches(rule.Properties.EventPattern, waiting)).toBe(false);
    // The queue-blocked rule listens to `Batch Job Queue Blocked` only.
    const blocked = rules.filter(r => JSON.stringify(r.Properties.EventPattern).includes('Batch Job Queue Blocked'));
    expect(blocked).toHaveLength(1);
    expect(blocked[0].Properties.EventPattern['detail-type']).toEqual(['Batch Job Queue Blocked']);
  });
});

/**
 * Whether an EventBridge pattern matches an event, for the pattern forms this library writes (value lists, prefix,
 * anything-but); a token in a pattern matches no literal value.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 */
function matches(pattern: any, event: any): boolean {
  return Object.entries(pattern).every(([key, want]) => {
    const value = event?.[key];
    if (!Array.isArray(want)) return typeof want === 'object' && matches(want, value);
    return want.some((w: any) => {
      if (typeof w === 'string' || typeof w === 'number') return value === w;
      if (w && typeof w.prefix === 'string') return typeof value === 'string' && value.startsWith(w.prefix);
      if (w && w['anything-but'] !== undefined) return value !== undefined && ![w['anything-but']].flat().includes(value);
      return false;
    });
  });
}

describe('overlap policy SKIP', () => {
  const t = setup({ overlapPolicy: OverlapPolicy.SKIP }).template();
  const def = definitionOf(t);
  const jobName = def.States[STATES.run].Arguments.JobName.match(/\$substring\("([^"]+)"/)[1];

  test('with On-Demand resubmission, both queues are listed (a run still going On-Demand is active), in one Map state', () => {
    const stack = new cdk.Stack(new cdk.App(), 'OnDemandSkip', { env: { account: ACCOUNT, region: 'eu-west-2' } });
    new ScheduledBatchWorkload(stack, 'Nightly', {
      platform: new BatchPlatform(stack, 'Platform', { onDemandFallback: true }),
      resubmitOnDemand: true,
      overlapPolicy: OverlapPolicy.SKIP,
      schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
      image: ecs.ContainerImage.fromRegistry(IMAGE),
    });
    const d = definitionOf(Template.fromStack(stack));
    const check = d.States[STATES.checkOverlap];
    expect(check).toMatchObject({ Type: 'Map', Next: STATES.skipIfActive, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'ScheduleStartCheck' }] });
    expect(check.Items).toEqual([d.States[STATES.run].Arguments.JobQueue, d.States[STATES.runOnDemand].Arguments.JobQueue]);
    const perQueue = check.ItemProcessor.States[`${STATES.checkOverlap}OnQueue`];
    expect(perQueue).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:batch:listJobs', Arguments: { JobQueue: '{% $states.input %}' }, End: true });
    expect(check.Assign.activeJobs).toBe('{% $append([], $reduce($states.result, function($all, $list) { $append($all, $list) }, [])^(CreatedAt)) %}');
  });

  test('the run first lists the workload\'s jobs on its queue, then runs or skips', () => {
    expect(def.StartAt).toBe(STATES.checkOverlap);
    const check = def.States[STATES.checkOverlap];
    expect(check).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:batch:listJobs', Next: STATES.skipIfActive });
    expect(check.Arguments.JobQueue).toBe(def.States[STATES.run].Arguments.JobQueue);
    expect(check.Arguments.Filters).toEqual([{ Name: 'JOB_NAME', Values: [`{% $substring("${jobName}", 0, 98) & '-*' %}`] }]);
    // A failed lookup runs the job rather than losing the run (through the default start check, which comes just before RunJob).
    expect(check.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'ScheduleStartCheck' }]);
    expect(def.States.ScheduleStartCheck.Next).toBe(STATES.run);
    const choice = def.States[STATES.skipIfActive];
    expect(choice).toMatchObject({ Type: 'Choice', Choices: [{ Condition: '{% $count($activeJobs) > 0 %}', Next: STATES.notify }], Default: 'ScheduleStartCheck' });
    // The skip is reported with the SKIP policy's outcome, sentence and the earlier run's job.
    expect(choice.Choices[0].Assign).toMatchObject({ outcome: RUN_OUTCOMES.skipped, word: 'skipped', job: '{% $activeJobs[0] %}' });
    expect(choice.Choices[0].Assign.note).toContain('The run was SKIPPED');
  });

  const summary = (name: string, status: string, createdAt: number) => ({ JobId: `id-${createdAt}`, JobName: name, Status: status, StatusReason: 'r', CreatedAt: createdAt });
  test.each([
    ['an active run of this workload', [summary(`${jobName}-20261201T020000Z-abc123def456`, 'RUNNABLE', 5)], 'id-5'],
    ['the oldest of several active runs', [
      summary(`${jobName}-20261202T020000Z-abc123def456`, 'RUNNING', 9),
      summary(`${jobName}-20261201T020000Z-abc123def457`, 'STARTING', 4),
    ], 'id-4'],
    ['finished runs only', [summary(`${jobName}-20261201T020000Z-abc123def456`, 'SUCCEEDED', 5), summary(`${jobName}-20261130T020000Z-abc`, 'FAILED', 3)], null],
    ['another workload whose name extends this prefix', [summary(`${jobName}-extra-20261201T020000Z-abc123def456`, 'RUNNING', 5)], null],
    ['a verification job of this workload', [summary(`${jobName}-verify-abc`, 'RUNNING', 5)], null],
    ['no jobs at all', [], null],
  ])('the check finds %s', async (_what, jobs, expected) => {
    const found = await evaluate(activeJobsExpression(jobName), { result: { JobSummaryList: jobs } });
    expect(found.length === 0 ? null : found[0].JobId).toBe(expected);
  });

  test('a skipped run publishes one message that says so and names the active run, and ends RunSkipped', async () => {
    const facts = {
      workload: 'Nightly',
      timeZone: 'Europe/London',
      logGroup: '/aws/batch/nightly',
      scheduledTime: '2026-12-02T02:00:00Z',
      outcome: RUN_OUTCOMES.skipped,
      failure: { Error: RUN_OUTCOMES.skipped, Cause: 'An earlier run of this workload is still active (overlap policy SKIP).' },
      job: { JobId: 'id-5', Status: 'RUNNING', StatusReason: 'Essential container in task exited' },
      executionArn: `arn:aws:states:eu-west-2:${ACCOUNT}:execution:Runs:abc`,
      deadlineText: '3 hours 25 minutes',
    };
    const rendered = renderRunMessage(facts);
    expect(rendered).toContain('The run was SKIPPED: an earlier run of this workload is still active');
    expect(rendered).toContain('Job id: id-5\nJob status: RUNNING');
    // The state machine's JSONata says exactly what the TypeScript rendering says.
    const message = await jsonata(messageExpression(facts.deadlineText)).evaluate({}, {
      ...facts,
      timeNote: "UTC; the schedule's time zone is Europe/London",
      stopped: false,
      note: 'The run was SKIPPED: an earlier run of this workload is still active (overlap policy SKIP). The job below is that earlier run.',
      states: { context: { Execution: { Id: facts.executionArn } } },
    });
    expect(message).toBe(rendered);
    expect(def.States[STATES.failed].Error).toBe('{% $outcome %}');
  });

  test.each([OverlapPolicy.QUEUE, OverlapPolicy.SKIP])('%s on a brought queue in another account or region fails at synth', (policy) => {
    for (const [queueArn, what] of [['arn:aws:batch:eu-west-2:210987654321:job-queue/theirs', 'account 210987654321'], ['arn:aws:batch:us-east-1:123456789012:job-queue/theirs', 'region us-east-1']]) {
      const app = new cdk.App();
      const stack = new cdk.Stack(app, 'Brought', { env: { account: ACCOUNT, region: 'eu-west-2' } });
      expect(() => new ScheduledBatchWorkload(stack, 'Nightly', {
        platform: BatchPlatform.fromBatchPlatformAttributes(stack, 'Theirs', { jobQueueArn: queueArn, computePlatform: ComputePlatform.EC2 }),
        schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)),
        image: ecs.ContainerImage.fromRegistry(IMAGE),
        overlapPolicy: policy,
      })).toThrow(`'overlapPolicy' is ${policy} but the job queue ${queueArn} is in ${what}`);
    }
  });

  test('message texts with quotes and backslashes stay valid JSONata', async () => {
    const expression = messageExpression('2 hours (it\'s "late") \\ ok');
    await expect(jsonata(expression).evaluate({}, {
      workload: 'w',
      timeNote: 'UTC',
      logGroup: 'l',
      scheduledTime: 't',
      outcome: RUN_OUTCOMES.deadlinePassed,
      failure: {},
      stopped: true,
      states: { context: { Execution: { Id: 'arn:aws:states:eu-west-2:1:execution:m:e' } } },
    })).resolves.toContain('NOT DONE by its deadline, 2 hours (it\'s "late") \\ ok after the job was submitted.');
  });

  test('SKIP without run tracking fails at synth, naming both props and the way out', () => {
    expect(() => setup({ overlapPolicy: OverlapPolicy.SKIP, trackRuns: false }))
      .toThrow("'overlapPolicy' is SKIP but 'trackRuns' is false: SKIP acts in the tracked run, before it submits. Turn 'trackRuns' on, or use OverlapPolicy.QUEUE");
  });
});

describe('the scheduled time reaches every run, as parameter and environment variable', () => {
  test('tracked: the state machine submits scheduledTime and SCHEDULED_TIME from the schedule\'s input', () => {
    const t = setup().template();
    const args = definitionOf(t).States[STATES.run].Arguments;
    expect(args.ContainerOverrides.Environment[0].Name).toBe('SCHEDULED_TIME');
    expect(Object.keys(args.Parameters)).toEqual(['scheduledTime']);
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: { Input: JSON.stringify({ scheduledTime: SCHEDULED_TIME_ATTRIBUTE }) },
    });
  });

  test('untracked: the schedule\'s SubmitJob input carries the same parameter and variable', () => {
    const t = setup({ trackRuns: false }).template();
    const [schedule] = Object.values(t.findResources('AWS::Scheduler::Schedule')) as any[];
    const flatten = (v: any): string => typeof v === 'string' ? v : Array.isArray(v?.['Fn::Join']) ? v['Fn::Join'][1].map(flatten).join('') : '<ref>';
    const text = flatten(schedule.Properties.Target.Input);
    expect(text).toContain(`"Parameters":{"scheduledTime":"${SCHEDULED_TIME_ATTRIBUTE}"}`);
    expect(text).toContain(`"ContainerOverrides":{"Environment":[{"Name":"SCHEDULED_TIME","Value":"${SCHEDULED_TIME_ATTRIBUTE}"}]}`);
  });

  test('API: the SubmitJob request carries the requested time the same way', () => {
    const body = renderSubmit([], { scheduledTime: '2026-11-23T02:00:00Z' });
    expect(body.parameters).toEqual({ scheduledTime: '2026-11-23T02:00:00Z' });
    expect(body.containerOverrides).toEqual({ environment: [{ name: 'SCHEDULED_TIME', value: '2026-11-23T02:00:00Z' }] });
  });
});

function renderSubmit(declared: string[], request: object, jobName = 'nightly-report'): any {
  const template = submitJobTemplate({ jobName, jobQueueArn: 'arn:queue', jobDefinitionArn: 'arn:def:3', declared });
  return JSON.parse(renderVtl(template, { body: request, requestId: '4f3c2b1a-0000-1111-2222-333344445555' }).text);
}

describe('declared parameters', () => {
  test('are the job definition\'s parameters, with their defaults, in key order', () => {
    const t = setup({ parameters: { region: 'eu', mode: 'full' } }).template();
    expect(jobDefinition(t).Parameters).toEqual({ mode: 'full', region: 'eu' });
    expect(JSON.stringify(jobDefinition(t).Parameters)).toBe('{"mode":"full","region":"eu"}');
  });

  test('a manual execution may override declared parameters only, with strings only', async () => {
    const expr = runParametersExpression(['mode', 'region']);
    const run = (input: object) => evaluate(expr, { context: { Execution: { Input: input, StartTime: '2026-12-01T09:00:00.123Z' } } });
    expect(await run({ scheduledTime: '2026-12-01T02:00:00Z', parameters: { region: 'us', command: 'rm -rf', mode: 5 } }))
      .toEqual({ region: 'us', scheduledTime: '2026-12-01T02:00:00Z' });
    expect(await run({ scheduledTime: '2026-12-01T02:00:00Z' })).toEqual({ scheduledTime: '2026-12-01T02:00:00Z' });
    expect(await run({ parameters: 'mode=x' })).toEqual({ scheduledTime: '2026-12-01T09:00:00.123Z' });
    const t = setup({ parameters: { region: 'eu', mode: 'full' } }).template();
    expect(definitionOf(t).States[STATES.run].Arguments.Parameters).toBe(`{% ${expr} %}`);
  });

  test.each([
    [{ 'my-param': 'x' }, "'parameters' name 'my-param' is not valid: use 1 to 64 letters, digits and underscores, starting with a letter"],
    [{ '1st': 'x' }, "'parameters' name '1st' is not valid"],
    [{ scheduledTime: 'x' }, "'parameters' declares 'scheduledTime', which every run sets to its scheduled time: choose another name"],
    [{ retries: 3 as unknown as string }, "'parameters' default of 'retries' is 3 (number): AWS Batch parameters are strings. Quote it, for example 'retries': '3'."],
    [{ big: 'x'.repeat(1025) }, "'parameters' default of 'big' is 1025 characters: at most 1024"],
  ])('%j fails at synth', (parameters, message) => {
    expect(() => setup({ parameters })).toThrow(message);
  });
});

describe('RunApi', () => {
  const { stack, runApi, workload, template } = setup({ parameters: { region: 'eu' }, overlapPolicy: OverlapPolicy.SKIP }, { api: true });
  const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountPrincipal(ACCOUNT) });
  workload.grantRun(operator);
  const t = template();

  test('REST API, regional, IAM authorization on every method, no Lambda', () => {
    t.resourceCountIs('AWS::Lambda::Function', 0);
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method')) as any[];
    expect(methods.map(m => m.Properties.HttpMethod).sort()).toEqual(['GET', 'POST']);
    for (const m of methods) expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  test('a direct AWS integration to batch:SubmitJob and batch:DescribeJobs, with its own role', () => {
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method')) as any[];
    const uri = (m: any) => JSON.stringify(m.Properties.Integration.Uri);
    const post = methods.find(m => m.Properties.HttpMethod === 'POST');
    const get = methods.find(m => m.Properties.HttpMethod === 'GET');
    for (const m of [post, get]) {
      expect(m.Properties.Integration).toMatchObject({
        Type: 'AWS',
        IntegrationHttpMethod: 'POST',
        PassthroughBehavior: 'NEVER',
        RequestParameters: { 'integration.request.header.Content-Type': "'application/json'" },
      });
    }
    expect(uri(post)).toContain(':batch:path/v1/submitjob');
    expect(uri(get)).toContain(':batch:path/v1/describejobs');
    const roleId = post.Properties.Integration.Credentials['Fn::GetAtt'][0];
    expect(roleId).toMatch(/^RunApiIntegrationRole/);
    const statements = statementsAllowing(t, 'batch:SubmitJob').filter(s => s.policy.startsWith('RunApiIntegrationRole'));
    expect(statements).toHaveLength(1);
    expect(statements[0].resources).toHaveLength(2); // the queue and the job definition, nothing else
    expect(statementsAllowing(t, 'batch:DescribeJobs').find(s => s.policy.startsWith('RunApiIntegrationRole'))!.resources).toEqual(['*']);
  });

  test('access logging, throttling and X-Ray on the stage', () => {
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"user":"\\$context.identity.user"') },
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10, HttpMethod: '*', ResourcePath: '/*' })],
    });
  });

  test('request bodies are validated against the route\'s JSON schema model', () => {
    t.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    const [model] = Object.values(t.findResources('AWS::ApiGateway::Model')) as any[];
    expect(model.Properties.Schema).toEqual(runRequestSchema(['region']));
    const post = (Object.values(t.findResources('AWS::ApiGateway::Method')) as any[]).find(m => m.Properties.HttpMethod === 'POST');
    expect(post.Properties.RequestValidatorId).toBeDefined();
    expect(post.Properties.RequestModels['application/json']).toEqual({ Ref: Object.keys(t.findResources('AWS::ApiGateway::Model'))[0] });
  });

  test('grantRun allows invoking exactly this workload\'s two routes', () => {
    const [policy] = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('OperatorDefaultPolicy')).map(([, p]) => p) as any[];
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('execute-api:Invoke');
    const arns = statements[0].Resource.map((r: any) => r['Fn::Join'][1].filter((x: any) => typeof x === 'string').join(''));
    expect(arns).toEqual([expect.stringMatching(/\/POST\/workloads\/nightly\/runs$/), expect.stringMatching(/\/GET\/workloads\/nightly\/runs\/\*$/)]);
    expect(runApi!.runUrl('nightly')).toBeDefined();
  });
});

describe('RunApi request model (JSON schema draft 4, as API Gateway validates)', () => {
  const validate = new Ajv({ strict: false }).compile(runRequestSchema(['region', 'mode']));
  test.each([
    [{ scheduledTime: '2026-11-23T02:00:00Z' }],
    [{ scheduledTime: '2026-11-23T02:00:00.123Z', parameters: { region: 'us' } }],
    [{ scheduledTime: '2026-02-28T23:59:59Z', parameters: { region: 'us', mode: 'delta' } }],
    [{ scheduledTime: '2026-11-23T02:00:00Z', parameters: {} }],
  ])('accepts %j', (request) => {
    expect(validate(request)).toBe(true);
  });
  test.each([
    ['no scheduled time', {}],
    ['a date without a time', { scheduledTime: '2026-11-23' }],
    ['a local time', { scheduledTime: '2026-11-23T02:00:00' }],
    ['an offset instead of UTC', { scheduledTime: '2026-11-23T02:00:00+01:00' }],
    ['month 13', { scheduledTime: '2026-13-23T02:00:00Z' }],
    ['a number', { scheduledTime: 1764000000 }],
    ['an undeclared parameter', { scheduledTime: '2026-11-23T02:00:00Z', parameters: { command: 'rm -rf /' } }],
    ['a parameter that is not a string', { scheduledTime: '2026-11-23T02:00:00Z', parameters: { region: 5 } }],
    ['a parameter over 1024 characters', { scheduledTime: '2026-11-23T02:00:00Z', parameters: { region: 'x'.repeat(1025) } }],
    ['a command override', { scheduledTime: '2026-11-23T02:00:00Z', command: ['sh'] }],
    ['an environment override', { scheduledTime: '2026-11-23T02:00:00Z', containerOverrides: { environment: [] } }],
    ['an image override', { scheduledTime: '2026-11-23T02:00:00Z', image: 'evil' }],
  ])('rejects %s', (_what, request) => {
    expect(validate(request)).toBe(false);
  });

  // Java's and Python's `$` also match before a final line terminator, Ruby's `^` and `$` at every line: a JavaScript
  // engine whose `^` and `$` match at any line terminator (the `m` flag) stands in for all of them.
  const lineAnchoredRegExp = Object.assign((pattern: string, flags: string) => new RegExp(pattern, `${flags}m`), { code: 'lineAnchoredRegExp' });
  const lineAnchored = new Ajv({ strict: false, code: { regExp: lineAnchoredRegExp } });
  const validateLineAnchored = lineAnchored.compile(runRequestSchema(['region']));
  const TERMINATORS = [['\\n', '\n'], ['\\r\\n', '\r\n'], ['\\r', '\r'], ['U+2028', '\u2028'], ['U+2029', '\u2029']];
  test.each(TERMINATORS)('a scheduled time ending in %s is refused, also where `$` matches before a line terminator', (_name, terminator) => {
    for (const time of ['2026-11-23T02:00:00Z', '2026-11-23T02:00:00.123Z']) {
      expect(validate({ scheduledTime: time + terminator })).toBe(false);
      expect(validateLineAnchored({ scheduledTime: time + terminator })).toBe(false);
      expect(validateLineAnchored({ scheduledTime: `x${terminator}${time}` })).toBe(false);
      expect(validateLineAnchored({ scheduledTime: time })).toBe(true);
    }
  });

  test('the stand-in engine does let a `...Z$` pattern through with a final line break (the hazard the model avoids)', () => {
    const dollar = lineAnchored.compile({ type: 'string', pattern: `${SCHEDULED_TIME_PATTERN}$` });
    expect(dollar('2026-11-23T02:00:00Z\n')).toBe(true);
    expect(SCHEDULED_TIME_PATTERN).not.toContain('$');
  });

  test.each([
    ['anything after the Z', '2026-11-23T02:00:00Z1'],
    ['a second time', '2026-11-23T02:00:00Z2026'],
    ['four fraction digits', '2026-11-23T02:00:00.1234Z'],
    ['a space', '2026-11-23T02:00:00Z '],
  ])('rejects %s in either engine', (_what, scheduledTime) => {
    expect(validate({ scheduledTime })).toBe(false);
    expect(validateLineAnchored({ scheduledTime })).toBe(false);
  });
});

describe('RunApi mapping templates (rendered as API Gateway renders VTL)', () => {
  test('SubmitJob: the job is named like a tracked run, with the declared parameters given and escaped', () => {
    const body = renderSubmit(['mode', 'region'], { scheduledTime: '2026-11-23T02:00:00.5Z', parameters: { region: 'say "hi" it\'s \\ me' } });
    expect(body).toEqual({
      jobName: 'nightly-report-20261123T020000Z-333344445555',
      jobQueue: 'arn:queue',
      jobDefinition: 'arn:def:3',
      parameters: { region: 'say "hi" it\'s \\ me', scheduledTime: '2026-11-23T02:00:00.5Z' },
      containerOverrides: { environment: [{ name: 'SCHEDULED_TIME', value: '2026-11-23T02:00:00.5Z' }] },
      // The workload tag, on the job and its ECS task (test/job-tags.test.ts).
      tags: { 'cdk-scheduled-batch:workload': 'nightly-report' },
      propagateTags: true,
    });
    // Recognised by the SKIP check like a scheduled run.
    expect(body.jobName).toMatch(/^nightly-report-[A-Za-z0-9]{16}-/);
  });

  test('SubmitJob: declared parameters that are not given keep their job-definition defaults', () => {
    expect(renderSubmit(['mode', 'region'], { scheduledTime: '2026-11-23T02:00:00Z' }).parameters).toEqual({ scheduledTime: '2026-11-23T02:00:00Z' });
  });

  // What would reach the template if the model were bypassed or loosened: every value must still come out as itself.
  const HOSTILE = 'x", "jobQueue": "arn:evil" } \\ it\'s\n\r\t\u2028\u2029\u0001 </script> 😀';

  test('SubmitJob: the scheduled time is escaped where it lands (parameter and environment variable)', () => {
    const body = renderSubmit(['region'], { scheduledTime: HOSTILE, parameters: { region: HOSTILE } });
    expect(body.jobQueue).toBe('arn:queue');
    expect(body.parameters).toEqual({ region: HOSTILE, scheduledTime: HOSTILE });
    expect(body.containerOverrides).toEqual({ environment: [{ name: 'SCHEDULED_TIME', value: HOSTILE }] });
    // The job name keeps letters and digits of it only.
    expect(body.jobName).toMatch(/^nightly-report-[A-Za-z0-9]*-333344445555$/);
  });

  test('an error from AWS Batch renders as JSON, with or without a message', () => {
    const render = (body: object) => JSON.parse(renderVtl(ERROR_RESPONSE, { body }).text);
    expect(render({ __type: 'ClientException', message: 'Job queue is DISABLED' })).toEqual({ message: 'Job queue is DISABLED' });
    expect(render({ __type: 'ClientException', message: HOSTILE })).toEqual({ message: HOSTILE });
    expect(render({ __type: 'ServerException' })).toEqual({ message: 'AWS Batch returned an error without a message.' });
    expect(render({ message: '' })).toEqual({ message: 'AWS Batch returned an error without a message.' });
    expect(render({})).toEqual({ message: 'AWS Batch returned an error without a message.' });
  });

  test('responses escape what AWS Batch returns', () => {
    expect(JSON.parse(renderVtl(SUBMITTED_RESPONSE, { body: { jobArn: HOSTILE, jobName: HOSTILE, jobId: HOSTILE } }).text))
      .toEqual({ jobId: HOSTILE, jobName: HOSTILE, jobArn: HOSTILE });
    const job = {
      jobId: HOSTILE, jobName: `nightly-report-${HOSTILE}`, jobQueue: 'arn:queue', status: HOSTILE, statusReason: HOSTILE, parameters: { scheduledTime: HOSTILE },
    };
    expect(JSON.parse(renderVtl(statusResponseTemplate('nightly-report', 'arn:queue'), { body: { jobs: [job] } }).text)).toMatchObject({
      jobId: HOSTILE, jobName: job.jobName, status: HOSTILE, statusReason: HOSTILE, scheduledTime: HOSTILE,
    });
  });

  test('the submit response returns the job id', () => {
    const out = JSON.parse(renderVtl(SUBMITTED_RESPONSE, { body: { jobArn: 'arn:job/1', jobName: 'n', jobId: '1' } }).text);
    expect(out).toEqual({ jobId: '1', jobName: 'n', jobArn: 'arn:job/1' });
  });

  test('status: a run of this workload on its queue is shown; any other job is a 404', () => {
    const request = JSON.parse(renderVtl(DESCRIBE_JOB_TEMPLATE, { pathParameters: { jobId: 'abc"' } }).text);
    expect(request).toEqual({ jobs: ['abc"'] });
    const template = statusResponseTemplate('nightly-report', 'arn:queue');
    const job = {
      jobId: '1',
      jobName: 'nightly-report-20261123T020000Z-333344445555',
      jobQueue: 'arn:queue',
      status: 'RUNNING',
      statusReason: 'it\'s "fine"',
      createdAt: 1,
      startedAt: 2,
      parameters: { scheduledTime: '2026-11-23T02:00:00Z' },
    };
    const shown = renderVtl(template, { body: { jobs: [job] } });
    expect(shown.status).toBeUndefined();
    expect(JSON.parse(shown.text)).toEqual({
      jobId: '1',
      jobName: job.jobName,
      status: 'RUNNING',
      statusReason: 'it\'s "fine"',
      scheduledTime: '2026-11-23T02:00:00Z',
      createdAt: 1,
      startedAt: 2,
      stoppedAt: null,
    });
    for (const other of [{ ...job, jobName: 'other-20261123T020000Z-1' }, { ...job, jobQueue: 'arn:other' }]) {
      const hidden = renderVtl(template, { body: { jobs: [other] } });
      expect(hidden.status).toBe(404);
      expect(JSON.parse(hidden.text)).toEqual({ message: 'No run of this workload has this job id.' });
    }
    expect(renderVtl(template, { body: { jobs: [] } }).status).toBe(404);
  });
});

describe('RunApi footprint', () => {
  /** A stack with a platform and `ids` workloads, on one RunApi or without one. */
  const build = (ids: string[], api: boolean): cdk.Stack => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Footprint', { env: { account: ACCOUNT, region: 'eu-west-2' } });
    const platform = new BatchPlatform(stack, 'Platform');
    const runApi = api ? new RunApi(stack, 'RunApi') : undefined;
    for (const id of ids) {
      new ScheduledBatchWorkload(stack, id, {
        platform, runApi, schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)), image: ecs.ContainerImage.fromRegistry(IMAGE),
      });
    }
    return stack;
  };
  const count = (ids: string[], api: boolean): number => Object.keys(Template.fromStack(build(ids, api)).toJSON().Resources).length;

  test('the first workload on an API adds 14 resources, each further one 6 (its route, runs and {jobId} paths, POST, GET and its model)', () => {
    const first = count(['A'], true) - count(['A'], false);
    const second = count(['A', 'B'], true) - count(['A', 'B'], false) - first;
    expect({ first, second }).toEqual({ first: 14, second: 6 });
  });

  test('no idle cost: CostReport counts the same with or without the API (API Gateway bills per request)', () => {
    expect(CostReport.of(build(['A', 'B'], true)).monthlyUsd).toBe(CostReport.of(build(['A', 'B'], false)).monthlyUsd);
  });
});

describe('RunApi validations', () => {
  /** A second workload, 'Other', on the API of `setup`'s, with the route name `routeName`. */
  const secondRoute = (first: Partial<ScheduledBatchWorkloadProps>, routeName: string) => {
    const { stack, platform, runApi } = setup(first, { api: true });
    return () => new ScheduledBatchWorkload(stack, 'Other', {
      platform,
      runApi,
      runApiRouteName: routeName,
      schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)),
      image: ecs.ContainerImage.fromRegistry(IMAGE),
    });
  };

  test('two workloads may not share a route name', () => {
    expect(secondRoute({}, 'nightly')).toThrow("'routeName' 'nightly' of RunControl/Other/Job is already the route of RunControl/Nightly/Job on RunControl/RunApi: give one of them another 'routeName'");
  });

  test('route names that differ only in hyphens fail at synth, naming both (their request models would share a name)', () => {
    expect(secondRoute({ runApiRouteName: 'report1' }, 'report-1')).toThrow("'routeName' 'report-1' of RunControl/Other/Job and 'report1' of RunControl/Nightly/Job on RunControl/RunApi differ only in hyphens, "
      + "which the API's request model names leave out (both would be RunRequestReport1): give one of them another 'routeName'");
  });

  test('a token route name fails at synth: the path and model are fixed at synth', () => {
    expect(() => setup({ runApiRouteName: cdk.Lazy.string({ produce: () => 'nightly' }) }, { api: true }))
      .toThrow(/'runApiRouteName' is a token \(\$\{Token\[TOKEN\.\d+\]\}\): the route name is the API's path part/);
  });

  test.each(['Nightly', 'has space', '-x', 'x'.repeat(64)])('route name %j fails at synth', (routeName) => {
    expect(() => setup({ runApiRouteName: routeName }, { api: true })).toThrow(`'runApiRouteName' is '${routeName}': use 1 to 63 lower-case letters`);
    const stack = new cdk.Stack(new cdk.App(), 'Direct', { env: { account: ACCOUNT, region: 'eu-west-2' } });
    const job = new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: ecs.ContainerImage.fromRegistry(IMAGE) });
    expect(() => new RunApi(stack, 'Api').addJob(job, { routeName })).toThrow(`'routeName' is '${routeName}': use 1 to 63 lower-case letters`);
  });

  test('a route name without an API, and grantRun without an API, fail naming the prop', () => {
    expect(() => setup({ runApiRouteName: 'nightly' })).toThrow("'runApiRouteName' is 'nightly' but no 'runApi' was given");
    const { stack, workload } = setup();
    expect(() => workload.grantRun(new iam.Role(stack, 'R', { assumedBy: new iam.AccountPrincipal(ACCOUNT) })))
      .toThrow("RunControl/Nightly has no 'runApi'");
  });

  test.each<[string, unknown, string]>([
    ['throttlingRateLimit', -5, '-5: give'],
    ['throttlingRateLimit', 0, '0: give'],
    ['throttlingRateLimit', NaN, 'NaN: give'],
    ['throttlingRateLimit', Infinity, 'Infinity: give'],
    ['throttlingRateLimit', '5', "'5' (a string): give"],
    ['throttlingBurstLimit', -5, '-5: it must be a whole number from 1 to 2147483647 (API Gateway takes a 32-bit integer); give'],
    ['throttlingBurstLimit', 0, '0: it must be a whole number from 1'],
    ['throttlingBurstLimit', 2.5, '2.5: it must be a whole number from 1'],
    ['throttlingBurstLimit', NaN, 'NaN: it must be a whole number from 1'],
    ['throttlingBurstLimit', Infinity, 'Infinity: it must be a whole number from 1'],
    ['throttlingBurstLimit', 5e9, '5000000000: it must be a whole number from 1 to 2147483647'],
    ['throttlingBurstLimit', '5', "'5': it must be a whole number from 1"],
  ])('%s %p fails at synth, naming the prop, the value and the accepted range', (prop, value, shown) => {
    const stack = new cdk.Stack(new cdk.App(), 'Throttle');
    expect(() => new RunApi(stack, 'RunApi', { [prop]: value })).toThrow(`'${prop}' is ${shown}`);
  });

  test('a fractional rate, a whole burst and tokens are accepted', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Throttle');
    const rate = new cdk.CfnParameter(stack, 'Rate', { type: 'Number' }).valueAsNumber;
    const burst = new cdk.CfnParameter(stack, 'Burst', { type: 'Number' }).valueAsNumber;
    const apis = [
      new RunApi(stack, 'Fraction', { throttlingRateLimit: 0.5, throttlingBurstLimit: 1 }),
      new RunApi(stack, 'Tokens', { throttlingRateLimit: rate, throttlingBurstLimit: burst }),
    ];
    const settings = apis.map(a => stack.resolve((a.api.deploymentStage.node.defaultChild as cdk.aws_apigateway.CfnStage).methodSettings)[0]);
    expect(settings).toEqual([
      expect.objectContaining({ throttlingRateLimit: 0.5, throttlingBurstLimit: 1 }),
      expect.objectContaining({ throttlingRateLimit: { Ref: 'Rate' }, throttlingBurstLimit: { Ref: 'Burst' } }),
    ]);
  });

  test('an API without routes fails at synth, saying how to give it one', () => {
    const app = new cdk.App();
    new RunApi(new cdk.Stack(app, 'Empty'), 'RunApi');
    expect(() => app.synth()).toThrow("RunApi Empty/RunApi has no routes: pass it as 'runApi' of a ScheduledBatchWorkload, call addJob, or remove it.");
  });

  test('grantRun on an unknown route fails, listing the routes', () => {
    const { stack, runApi } = setup({}, { api: true });
    expect(() => runApi!.grantRun(new iam.Role(stack, 'R', { assumedBy: new iam.AccountPrincipal(ACCOUNT) }), 'weekly'))
      .toThrow("'routeName' 'weekly' is not a route of RunControl/RunApi; its routes are: nightly.");
  });

  test('an API in another stack is refused: the references would run both ways', () => {
    const app = new cdk.App();
    const apiStack = new cdk.Stack(app, 'Api', { env: { account: ACCOUNT, region: 'eu-west-2' } });
    const jobStack = new cdk.Stack(app, 'Jobs', { env: { account: ACCOUNT, region: 'eu-west-2' } });
    const runApi = new RunApi(apiStack, 'RunApi');
    expect(() => new ScheduledBatchWorkload(jobStack, 'Nightly', {
      runApi, schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)), image: ecs.ContainerImage.fromRegistry(IMAGE),
    })).toThrow('Jobs/Nightly/Job is in stack Jobs but the RunApi Api/RunApi is in Api');
  });
});

describe('docs/operations.md states the numbers of the code', () => {
  const operations = fs.readFileSync(path.join(__dirname, '..', 'docs', 'operations.md'), 'utf8');
  /** States a run enters from StartAt to its end, following `next` choices. */
  const walk = (def: any, choose: (state: any) => string): number => {
    let n = 0;
    for (let name: string | undefined = def.StartAt; name; n++) {
      const state = def.States[name];
      name = state.Type === 'Fail' || state.End ? undefined : state.Type === 'Choice' ? choose(state) : state.Next;
    }
    return n;
  };

  test('SKIP: state transitions per run, and their price', () => {
    const plain = definitionOf(setup().template());
    const skip = definitionOf(setup({ overlapPolicy: OverlapPolicy.SKIP }).template());
    const extra = walk(skip, c => c.Default) - walk(plain, c => c.Default);
    expect(extra).toBe(2);
    // A skipped run: the check, the choice, the one publish, its event, the Fail state.
    expect(walk(skip, c => c.Choices[0].Next)).toBe(5);
    const price = (extra * UnitPrices.STATE_TRANSITION).toFixed(5);
    expect(operations).toContain(`| 2 state transitions more per run ($${price}), 5 in all for a skipped run (its message and its event) |`);
    expect(operations).toContain('`batch:ListJobs`, newest 100');
    expect(skip.States[STATES.checkOverlap].Arguments.MaxResults).toBe(100);
  });

  test('the access log\'s retention', () => {
    expect(RUN_API_DEFAULTS.accessLogRetention).toBe(365);
    expect(operations).toContain('Every request is in the API\'s access log (`runApi.accessLogGroup`, one year)');
  });

  test('the API\'s throttle and the longest parameter value', () => {
    expect(operations).toContain(`${RUN_API_DEFAULTS.throttlingRateLimit} requests a second, bursts of ${RUN_API_DEFAULTS.throttlingBurstLimit}`);
    expect(operations).toContain(`values are strings of at most ${PARAMETER_VALUE_MAX}`);
    expect(operations).toContain(`over ${PARAMETER_VALUE_MAX} characters`);
  });
});
