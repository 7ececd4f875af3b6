/**
 * One EventBridge event per run outcome (docs/events.md), run through the simulator (test/support/asl-sim.ts): the
 * contract's keys, each outcome's detail, the bus, the grant, and that an event never costs a run its message.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchJob, BatchPlatform, CpuArchitecture, JobSchedule, OverlapPolicy, RunCapacity, RunCost, ScheduledBatchWorkflow } from '../src';
import { simulate, TaskCall, TaskOutcome } from './support/asl-sim';
import { chatNotificationErrors, formsOf } from './support/chat-notification';
import { EVENT_OUTCOMES, RUN_EVENT, STATES, WORKFLOW_STATES } from './support/engine';
import { roleId, roleStatements } from './support/iam';
import { CONTEXT, EXECUTION, FAILED_JOB, REGION, trackerDefinition, trackerStack } from './support/run-fixture';
import { definitionOf } from './support/state-machine';

// https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html
const PUT_EVENTS = 'arn:aws:states:::events:putEvents';
const SYNC = 'arn:aws:states:::batch:submitJob.sync';
const PUBLISH = 'arn:aws:states:::sns:publish';
/** The detail's keys, as /work/notes/run-event-schema.md and docs/events.md state them: every one always present. */
const DETAIL_KEYS = ['version', 'outcome', 'workload', 'workflow', 'platform', 'team', 'scheduledTime', 'execution', 'jobId', 'jobName',
  'jobDefinition', 'revision', 'startedAt', 'stoppedAt', 'durationSeconds', 'attempts', 'reclaimedAttempts', 'vcpus', 'memoryMiB',
  'estimatedCostUsd', 'exitCode'];
const SUCCEEDED_JOB = { ...FAILED_JOB, Status: 'SUCCEEDED', StatusReason: undefined, Container: { ...FAILED_JOB.Container, ExitCode: 0 }, Attempts: [{ Container: { ExitCode: 0 } }] };

async function run(def: any, answers: Record<string, TaskOutcome>, context: any = CONTEXT) {
  const result = await simulate(def, context, (c: TaskCall) => answers[c.state] ?? answers[c.resource] ?? { result: {} });
  const entries = result.calls.filter(c => c.resource === PUT_EVENTS).map(c => c.args.Entries);
  return { ...result, entries, details: entries.map(e => e[0].Detail), publishes: result.calls.filter(c => c.resource === PUBLISH) };
}

describe('the run-outcome event of a job\'s run', () => {
  const def = trackerDefinition();

  test('a job detail without its vCPU and memory: estimatedCostUsd is null, not left out (every key is always present)', async () => {
    const bare = { ...SUCCEEDED_JOB, Container: { ExitCode: 0 } };
    const r = await run(def, { [SYNC]: { result: bare } });
    expect(Object.keys(r.details[0]).sort()).toEqual([...DETAIL_KEYS].sort());
    expect(r.details[0]).toMatchObject({ vcpus: null, memoryMiB: null, estimatedCostUsd: null });
  });

  test('succeeded: one event after the run, with the job\'s facts; the run is 3 transitions (its default start check) and publishes nothing', async () => {
    const r = await run(def, { [SYNC]: { result: SUCCEEDED_JOB } });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.calls.map(c => c.state)).toEqual(['ScheduleStartCheck', STATES.run, STATES.succeededEvent]);
    expect(r.publishes).toHaveLength(0);
    // The execution's output is still RunJob's.
    expect(r.output).toEqual({
      scheduledTime: '2026-12-01T06:00:00Z', jobId: 'job-1', jobName: FAILED_JOB.JobName, status: 'SUCCEEDED', estimatedCostUsd: r.details[0].estimatedCostUsd,
    });
    expect(r.entries).toEqual([[{ Source: 'cdk-scheduled-batch', DetailType: 'Scheduled Batch Run', Detail: expect.any(Object) }]]);
    expect(Object.keys(r.details[0]).sort()).toEqual([...DETAIL_KEYS].sort());
    expect(r.details[0]).toEqual({
      version: '1',
      outcome: 'SUCCEEDED',
      workload: 'Nightly report',
      workflow: false,
      platform: null,
      team: null,
      scheduledTime: '2026-12-01T06:00:00Z',
      execution: EXECUTION,
      jobId: 'job-1',
      jobName: FAILED_JOB.JobName,
      jobDefinition: FAILED_JOB.JobDefinition,
      revision: 7,
      startedAt: FAILED_JOB.StartedAt,
      stoppedAt: FAILED_JOB.StoppedAt,
      durationSeconds: 600,
      attempts: 1,
      reclaimedAttempts: 0,
      vcpus: 1,
      memoryMiB: 2048,
      // A job without a platform is priced On-Demand (src/private/run-cost-expression.ts): 1 vCPU, 2 GiB, 10 minutes on EC2.
      estimatedCostUsd: RunCost.estimate({
        capacity: RunCapacity.EC2_ON_DEMAND, vcpus: 1, memoryMib: 2048, durationSeconds: 600, architecture: CpuArchitecture.X86_64,
      }).usd,
      exitCode: 0,
    });
  });

  test('failed: the event comes after the one message, with the exit code and the reclaimed attempts', async () => {
    const r = await run(def, { [SYNC]: { error: { Error: 'States.TaskFailed', Cause: JSON.stringify(FAILED_JOB) } } });
    expect(r.status).toBe('JobFailed');
    expect(r.calls.map(c => c.state)).toEqual(['ScheduleStartCheck', STATES.run, STATES.logTail, STATES.notify, STATES.event]);
    expect(r.details).toHaveLength(1);
    expect(r.details[0]).toMatchObject({ outcome: 'FAILED', jobId: 'job-1', attempts: 2, reclaimedAttempts: 1, exitCode: 3, revision: 7, durationSeconds: 600 });
  });

  test('deadline passed: the job DescribeJobs gave just before it was stopped', async () => {
    const late = { ...FAILED_JOB, Status: 'RUNNING', StoppedAt: undefined, Container: { LogStreamName: 'nightly-report/default/late' }, Attempts: [] };
    const r = await run(def, {
      [SYNC]: { error: { Error: 'States.Timeout' } },
      [STATES.findJob]: { result: { JobSummaryList: [{ JobId: 'job-1' }] } },
      [STATES.describeJob]: { result: { Jobs: [late] } },
    });
    expect(r.status).toBe('DeadlinePassed');
    expect(r.details).toEqual([expect.objectContaining({ outcome: 'DEADLINE_PASSED', jobId: 'job-1', stoppedAt: null, durationSeconds: null, attempts: 0, exitCode: null })]);
  });

  test('not submitted: no job, every job field null', async () => {
    const r = await run(def, { [SYNC]: { error: { Error: 'Batch.ClientException', Cause: 'Job queue is disabled' } } });
    expect(r.status).toBe('NotSubmitted');
    const detail = r.details[0];
    expect(detail.outcome).toBe('NOT_SUBMITTED');
    for (const key of DETAIL_KEYS.filter(k => !['version', 'outcome', 'workload', 'workflow', 'scheduledTime', 'execution'].includes(k))) {
      expect({ key, value: detail[key] }).toEqual({ key, value: null });
    }
  });

  test('skipped (SKIP): the event is of this run, which submitted no job (the message names the earlier one)', async () => {
    const skipDef = trackerDefinition({ overlapPolicy: OverlapPolicy.SKIP });
    const active = { JobId: 'earlier-1', JobName: 'nightly-report-20261130T060000Z-aaaaaaaaaaaa', Status: 'RUNNING', CreatedAt: 1 };
    const r = await run(skipDef, { CheckForActiveRun: { result: { JobSummaryList: [active] } } });
    expect(r.status).toBe('RunSkipped');
    expect(r.publishes).toHaveLength(1);
    expect(r.details).toEqual([expect.objectContaining({ outcome: 'SKIPPED', jobId: null, execution: EXECUTION })]);
  });

  test('an event that cannot be sent costs nothing: a good run still SUCCEEDS, a bad run keeps its one message', async () => {
    const refused: TaskOutcome = { error: { Error: 'EventBridge.AccessDeniedException' } };
    const good = await run(def, { [SYNC]: { result: SUCCEEDED_JOB }, [PUT_EVENTS]: refused });
    expect(good.status).toBe('SUCCEEDED');
    expect(good.output).toMatchObject({ jobId: 'job-1', status: 'SUCCEEDED' });
    const bad = await run(def, { [SYNC]: { error: { Error: 'States.TaskFailed', Cause: JSON.stringify(FAILED_JOB) } }, [PUT_EVENTS]: refused });
    expect(bad.status).toBe('JobFailed');
    expect(bad.publishes).toHaveLength(1);
  });
});

describe('the bus and the grant', () => {
  test('default: events:PutEvents on exactly the account\'s default bus; the entry names no bus', () => {
    const stack = trackerStack();
    const def = trackerDefinition({}, stack);
    expect(def.States[STATES.succeededEvent].Arguments.Entries[0].EventBusName).toBeUndefined();
    const template = Template.fromStack(stack).toJSON();
    const puts = roleStatements(template, roleId(template, 'RunsStateMachineRole')).filter((s: any) => s.Action === 'events:PutEvents');
    expect(puts).toHaveLength(1);
    expect(JSON.stringify(puts[0].Resource)).toContain(`:events:${REGION}:123456789012:event-bus/default`);
  });

  test('eventBus: the entries name it and the role may put events on it only', () => {
    const stack = trackerStack();
    const bus = new events.EventBus(stack, 'Bus');
    const def = trackerDefinition({ eventBus: bus }, stack);
    const busArn = `<${stack.getLogicalId(bus.node.defaultChild as cdk.CfnElement)}.Arn>`;
    for (const state of [STATES.succeededEvent, STATES.event]) expect(def.States[state].Arguments.Entries[0].EventBusName).toBe(busArn);
    const template = Template.fromStack(stack).toJSON();
    const puts = roleStatements(template, roleId(template, 'RunsStateMachineRole')).filter((s: any) => JSON.stringify(s.Action).includes('events:PutEvents'));
    expect(puts).toEqual([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(bus.node.defaultChild as cdk.CfnElement), 'Arn'] } }]);
  });

  test('eventBus on an untracked schedule is refused: events come from the tracked run', () => {
    const stack = trackerStack();
    const job = BatchJob.fromBatchJobAttributes(stack, 'Job', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', `arn:aws:batch:${REGION}:123456789012:job-queue/q`),
      jobDefinitionArn: `arn:aws:batch:${REGION}:123456789012:job-definition/j:1`,
      jobName: 'j',
    });
    expect(() => new JobSchedule(stack, 'S', {
      job, schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)), trackRuns: false, eventBus: new events.EventBus(stack, 'Bus'),
    })).toThrow("'eventBus' is set but 'trackRuns' is false: run-outcome events come from the tracked run's state machine. Turn 'trackRuns' on, or leave 'eventBus' out.");
  });
});

describe('the run-outcome event of a workflow\'s run', () => {
  const stack = new cdk.Stack(new cdk.App(), 'Flow', { env: { account: '123456789012', region: REGION } });
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
  new ScheduledBatchWorkflow(stack, 'Nightly', {
    platform: new BatchPlatform(stack, 'Platform'),
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
    steps: [{ name: 'extract', image }, { name: 'load', image, dependsOn: ['extract'] }],
  });
  const def = definitionOf(Template.fromStack(stack));
  const ctx = { ...CONTEXT, State: { EnteredTime: '2026-12-01T06:00:02.000Z' } };

  test('succeeded: workflow true, the execution\'s times, no job', async () => {
    const r = await run(def, { [SYNC]: { result: { JobId: 'j', Status: 'SUCCEEDED' } } }, ctx);
    expect(r.status).toBe('SUCCEEDED');
    expect(r.calls.map(c => c.state).slice(-1)).toEqual([WORKFLOW_STATES.succeededEvent]);
    expect(Object.keys(r.details[0]).sort()).toEqual([...DETAIL_KEYS].sort());
    expect(r.details[0]).toMatchObject({ outcome: 'SUCCEEDED', workflow: true, workload: 'Flow/Nightly', jobId: null, startedAt: Date.parse(CONTEXT.Execution.StartTime) });
  });

  test('a failed step: FAILED with the step\'s job id and exit code, after the one message', async () => {
    const failedStep = { ...FAILED_JOB, JobId: 'load-1' };
    const r = await run(def, {
      extract: { result: { JobId: 'extract-1', Status: 'SUCCEEDED' } },
      load: { error: { Error: 'States.TaskFailed', Cause: JSON.stringify(failedStep) } },
    }, ctx);
    expect(r.status).toBe('JobFailed');
    expect(r.calls.map(c => c.state).slice(-3)).toEqual(['load FetchLogTail', WORKFLOW_STATES.notify, WORKFLOW_STATES.event]);
    expect(r.details).toEqual([expect.objectContaining({ outcome: 'FAILED', workflow: true, jobId: 'load-1', exitCode: 3, attempts: 2 })]);
  });
});

describe('docs/events.md', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'events.md'), 'utf8');

  test('states the source, the detail type, every detail key and every outcome the engine sends', () => {
    expect(doc).toContain(`\`${RUN_EVENT.source}\``);
    expect(doc).toContain(`\`${RUN_EVENT.detailType}\``);
    for (const key of DETAIL_KEYS) expect(doc).toContain(`| \`${key}\` |`);
    for (const outcome of Object.values(EVENT_OUTCOMES)) expect(doc).toContain(`\`${outcome}\``);
  });

  test('its example events have every key of the contract', () => {
    const examples = [...doc.matchAll(/```json\n(\{\n {2}"version": "0"[^]*?)\n```/g)].map(m => JSON.parse(m[1]));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const e of examples) {
      expect({ source: e.source, type: e['detail-type'] }).toEqual({ source: RUN_EVENT.source, type: RUN_EVENT.detailType });
      expect(Object.keys(e.detail).sort()).toEqual([...DETAIL_KEYS].sort());
    }
  });
});

describe('notifyRecovery: a "recovered" message after a bad run (opt-in)', () => {
  const previous = (Status: string) => ({
    result: {
      Executions: [
        { ExecutionArn: EXECUTION, Status: 'RUNNING', StartDate: CONTEXT.Execution.StartTime },
        { ExecutionArn: `${EXECUTION.slice(0, -4)}0000`, Status, StartDate: '2026-11-30T06:00:01.000Z' },
      ],
    },
  });

  test('off (the default): a good run has no look at the previous run', () => {
    const def = trackerDefinition();
    expect(Object.keys(def.States)).not.toContain('FindPreviousRun');
    expect(def.States[STATES.run].Next).toBe(STATES.succeededEvent);
  });

  test('on, after a FAILED run: one message in both forms, then the event; 2 transitions more, 3 with the message', async () => {
    const stack = trackerStack();
    const def = trackerDefinition({ notifyRecovery: true }, stack);
    expect(def.States[STATES.run].Next).toBe('FindPreviousRun');
    const r = await run(def, { [SYNC]: { result: SUCCEEDED_JOB }, FindPreviousRun: previous('FAILED') });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.calls.map(c => c.state)).toEqual(['ScheduleStartCheck', STATES.run, 'FindPreviousRun', 'NotifyRecovered', STATES.succeededEvent]);
    expect(r.publishes).toHaveLength(1);
    const { text, card } = formsOf(r.publishes[0].args.Message);
    expect(text).toMatch(/^Nightly report: the scheduled run of 2026-12-01T06:00:00Z SUCCEEDED, after a run that did not \(FAILED\)\. Previous run: https:.*0000\nThis run: https:/);
    expect(card.content.title).toBe('Nightly report: run 2026-12-01T06:00:00Z succeeded again');
    expect(chatNotificationErrors(card)).toEqual([]);
    expect(r.details).toEqual([expect.objectContaining({ outcome: 'SUCCEEDED' })]);
    expect(r.output).toMatchObject({ jobId: 'job-1', status: 'SUCCEEDED' });
    // ListExecutions of this state machine only, in the policy that may name it.
    const template = Template.fromStack(stack).toJSON();
    const policies = Object.values(template.Resources).filter((x: any) => x.Type === 'AWS::IAM::Policy') as any[];
    expect(policies.flatMap(x => x.Properties.PolicyDocument.Statement)).toEqual([
      { Action: 'states:ListExecutions', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^RunsStateMachine/) } },
    ]);
  });

  test.each(['SUCCEEDED', 'ABORTED'])('on, after a %s run: nothing is published', async (status) => {
    const def = trackerDefinition({ notifyRecovery: true });
    const r = await run(def, { [SYNC]: { result: SUCCEEDED_JOB }, FindPreviousRun: previous(status) });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.publishes).toHaveLength(0);
    expect(r.calls.map(c => c.state)).toEqual(['ScheduleStartCheck', STATES.run, 'FindPreviousRun', STATES.succeededEvent]);
  });

  test('on, a look or a message that fails leaves the run SUCCEEDED with its event', async () => {
    const def = trackerDefinition({ notifyRecovery: true });
    const look = await run(def, { [SYNC]: { result: SUCCEEDED_JOB }, FindPreviousRun: { error: { Error: 'Sfn.AccessDeniedException' } } });
    expect(look.status).toBe('SUCCEEDED');
    expect(look.details).toHaveLength(1);
    const publish = await run(def, { [SYNC]: { result: SUCCEEDED_JOB }, FindPreviousRun: previous('TIMED_OUT'), NotifyRecovered: { error: { Error: 'SNS.AuthorizationErrorException' } } });
    expect(publish.status).toBe('SUCCEEDED');
    expect(publish.details).toHaveLength(1);
  });

  test('notifyRecovery on an untracked schedule is refused', () => {
    const stack = trackerStack();
    const job = BatchJob.fromBatchJobAttributes(stack, 'Job', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', `arn:aws:batch:${REGION}:123456789012:job-queue/q`),
      jobDefinitionArn: `arn:aws:batch:${REGION}:123456789012:job-definition/j:1`,
      jobName: 'j',
    });
    expect(() => new JobSchedule(stack, 'S', { job, schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)), trackRuns: false, notifyRecovery: true }))
      .toThrow("'notifyRecovery' is set but 'trackRuns' is false: the recovered message comes from the tracked run's state machine. Turn 'trackRuns' on, or leave 'notifyRecovery' out.");
  });
});
