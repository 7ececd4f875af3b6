import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import jsonata from 'jsonata';
import { BatchJob, BatchPlatform, JobSchedule, OverlapPolicy, RunTracker, RunTrackerProps, ScheduledBatchWorkload, StartDeadlineAction } from '../src';
import { readValidationReport } from './checkers/synth-fixtures';
import { simulate, TaskCall, TaskOutcome } from './support/asl-sim';
import { roleId, roleStatements } from './support/iam';
import { definitionOf } from './support/state-machine';
import { START_DEADLINE_DEFAULTS } from '../src/runs/private/start-deadline-plan';

// Literal names from the AWS documentation, not imported from src, so a typo in src fails here.
// https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
const CREATE_SCHEDULE = 'arn:aws:states:::aws-sdk:scheduler:createSchedule';
const LIST_JOBS = 'arn:aws:states:::aws-sdk:batch:listJobs';
const CANCEL_JOB = 'arn:aws:states:::aws-sdk:batch:cancelJob';
const SNS_PUBLISH = 'arn:aws:states:::sns:publish';
const BATCH_SYNC = 'arn:aws:states:::batch:submitJob.sync';
// https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html
const UNIVERSAL_START_EXECUTION = 'arn:aws:scheduler:::aws-sdk:sfn:startExecution';

const REGION = 'eu-west-2';
const QUEUE_ARN = `arn:aws:batch:${REGION}:123456789012:job-queue/nightly-queue`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:123456789012:runs`;
const EXECUTION_ARN = `arn:aws:states:${REGION}:123456789012:execution:Runs:c0ffee12-3456-7890-abcd-ef0123456789`;

function tracker(stack: cdk.Stack, id: string, props: Partial<RunTrackerProps> = {}, jobName = 'nightly-report'): RunTracker {
  return new RunTracker(stack, id, {
    job: BatchJob.fromBatchJobAttributes(stack, `${id}Job`, {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, `${id}Queue`, QUEUE_ARN),
      jobDefinitionArn: `arn:aws:batch:${REGION}:123456789012:job-definition/${jobName}:7`,
      jobName,
      timeout: cdk.Duration.hours(1),
      retryAttempts: 3,
    }),
    notificationTopic: sns.Topic.fromTopicArn(stack, `${id}Topic`, TOPIC_ARN),
    workloadName: 'Nightly report',
    ...props,
  });
}

function setup(props: Partial<RunTrackerProps> = {}) {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Tracked', { env: { account: '123456789012', region: REGION } });
  // No start-deadline prop unless the test gives one: the check is on by default.
  const runs = tracker(stack, 'Runs', props);
  return { stack, runs, template: Template.fromStack(stack) };
}

/** A state machine's definition, joins flattened (test/support/state-machine.ts). */
const definition = (template: Template, logicalIdPrefix: string) => definitionOf(template, logicalIdPrefix);
const runDefinition = (t: Template) => definition(t, 'RunsStateMachine');
const checkDefinition = (t: Template) => definition(t, 'StartDeadlineCheckStateMachine');

async function evaluate(expression: string, context: any, vars: Record<string, any> = {}): Promise<any> {
  const m = /^\{%(.*)%\}$/s.exec(expression);
  return jsonata(m![1]).evaluate({}, { ...vars, states: { context } });
}

const RUN_CONTEXT = {
  Execution: { Id: EXECUTION_ARN, Name: 'c0ffee12-3456-7890-abcd-ef0123456789', StartTime: '2026-12-02T02:00:05.000Z', Input: { scheduledTime: '2026-12-02T02:00:00Z' } },
  State: { EnteredTime: '2026-12-02T02:00:07.123Z' },
};

describe('the run creates its start check before RunJob', () => {
  test('by default: a one-time schedule 15 minutes after the state is entered, UTC, no window, deleted after it runs', async () => {
    const { template } = setup();
    const def = runDefinition(template);
    expect(def.StartAt).toBe('ScheduleStartCheck');
    const state = def.States.ScheduleStartCheck;
    expect(state.Resource).toBe(CREATE_SCHEDULE);
    expect(state.Next).toBe('RunJob');
    expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'RunJob' }]);
    const args = state.Arguments;
    expect(args).toMatchObject({
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      GroupName: expect.stringMatching(/^Tracked-StartDeadlineCheck-ScheduleGroup-[0-9A-F]{8}$/),
      // The universal target, so that the execution is named after the schedule (one check per run, even redelivered).
      Target: { Arn: UNIVERSAL_START_EXECUTION, RoleArn: expect.stringMatching(/^<StartDeadlineCheckSchedulerRole[0-9A-F]+\.Arn>$/) },
    });
    expect(await evaluate(args.ScheduleExpression, RUN_CONTEXT)).toBe('at(2026-12-02T02:15:07)');
    const name = await evaluate(args.Name, RUN_CONTEXT);
    expect(name).toMatch(/^[0-9a-f]{8}-c0ffee12-3456-7890-abcd-ef0123456789$/);
    const start = JSON.parse(await evaluate(args.Target.Input, RUN_CONTEXT));
    expect(start).toEqual({ StateMachineArn: expect.stringMatching(/^<StartDeadlineCheckStateMachine[0-9A-F]+>$/), Name: name, Input: expect.any(String) });
    const input = JSON.parse(start.Input);
    expect(input).toEqual({
      workload: 'Nightly report',
      scheduledTime: '2026-12-02T02:00:00Z',
      timeNote: 'UTC',
      jobQueue: QUEUE_ARN,
      jobName: expect.stringMatching(/^nightly-report-20261202T020000Z-ef0123456789$/),
      topicArn: TOPIC_ARN,
      logGroup: expect.any(String),
      action: 'REPORT',
      startDeadline: '15 minutes',
      execution: EXECUTION_ARN,
    });
  });

  test('a schedule name stays within 64 allowed characters for the longest execution name', async () => {
    const { template } = setup();
    const args = runDefinition(template).States.ScheduleStartCheck.Arguments;
    const long = { ...RUN_CONTEXT, Execution: { ...RUN_CONTEXT.Execution, Name: `manual run: ${'x'.repeat(68)}` } };
    const name = await evaluate(args.Name, long);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(/^[0-9a-zA-Z_.-]+$/);
  });

  test('CANCEL and a given start deadline travel in the input', async () => {
    const { template } = setup({ startDeadline: cdk.Duration.minutes(5), onStartDeadline: StartDeadlineAction.CANCEL });
    const args = runDefinition(template).States.ScheduleStartCheck.Arguments;
    expect(await evaluate(args.ScheduleExpression, RUN_CONTEXT)).toBe('at(2026-12-02T02:05:07)');
    expect(JSON.parse(JSON.parse(await evaluate(args.Target.Input, RUN_CONTEXT)).Input)).toMatchObject({ action: 'CANCEL', startDeadline: '5 minutes' });
  });

  test('a good run enters 3 states (ScheduleStartCheck, RunJob, SendSucceededEvent); a createSchedule that fails still runs the job', async () => {
    const { template } = setup();
    const def = runDefinition(template);
    const good = await simulate(def, RUN_CONTEXT, () => ({ result: { JobId: 'job-1', JobName: 'n', Status: 'SUCCEEDED' } }));
    expect(good.status).toBe('SUCCEEDED');
    expect(good.calls.map(c => c.state)).toEqual(['ScheduleStartCheck', 'RunJob', 'SendSucceededEvent']);
    const refused = await simulate(def, RUN_CONTEXT, c => c.resource === CREATE_SCHEDULE
      ? { error: { Error: 'Scheduler.ConflictException', Cause: 'exists' } } : { result: { JobId: 'job-1', Status: 'SUCCEEDED' } });
    expect(refused.status).toBe('SUCCEEDED');
    expect(refused.calls.map(c => c.resource).slice(0, 2)).toEqual([CREATE_SCHEDULE, BATCH_SYNC]);
  });

  test('by default: the five start-check resources, once per stack however many trackers', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Tracked', { env: { account: '123456789012', region: REGION } });
    tracker(stack, 'Runs');
    tracker(stack, 'Other', {}, 'other-report');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
    const own = Object.keys(template.toJSON().Resources).filter(id => id.startsWith('StartDeadlineCheck'));
    expect(own.map(id => template.toJSON().Resources[id].Type).sort()).toEqual([
      'AWS::IAM::Role', 'AWS::IAM::Role', 'AWS::Logs::LogGroup', 'AWS::Scheduler::ScheduleGroup', 'AWS::StepFunctions::StateMachine',
    ]);
  });

  test('onStartDeadline NONE (the off switch): no check, RunJob first, no start-check resources', () => {
    const { template } = setup({ onStartDeadline: StartDeadlineAction.NONE });
    expect(runDefinition(template).StartAt).toBe('RunJob');
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 0);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });

  test('by default, no check where waiting is not lateness: array runs and OverlapPolicy.QUEUE runs, without an error or a warning', () => {
    const stack = new cdk.Stack(new cdk.App(), 'W', { env: { account: '123456789012', region: REGION } });
    const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
    new ScheduledBatchWorkload(stack, 'Fan', { schedule, image, arraySize: 4 });
    new ScheduledBatchWorkload(stack, 'Queued', { schedule, image, overlapPolicy: OverlapPolicy.QUEUE });
    const template = Template.fromStack(stack);
    expect(definition(template, 'FanScheduleRunsStateMachine').StartAt).not.toBe('ScheduleStartCheck');
    expect(definition(template, 'QueuedScheduleRunsStateMachine').States.ScheduleStartCheck).toBeUndefined();
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 2); // the two workloads' own schedule groups, no start-check group
    expect(Object.keys(template.toJSON().Resources).filter(id => id.startsWith('StartDeadlineCheck'))).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('start deadline'))).toEqual([]);
  });

  test('by default, no check for a fair-share team\'s job (it may wait its share); asked for, it has one', () => {
    const stack = new cdk.Stack(new cdk.App(), 'W', { env: { account: '123456789012', region: REGION } });
    const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
    const platform = new BatchPlatform(stack, 'Platform', { fairShare: { shares: [{ team: 'reports', weight: 1 }] } });
    new ScheduledBatchWorkload(stack, 'Waits', { platform, schedule, image, team: 'reports' });
    new ScheduledBatchWorkload(stack, 'Asked', { platform, schedule, image, team: 'reports', startDeadline: cdk.Duration.minutes(45) });
    const template = Template.fromStack(stack);
    expect(definition(template, 'WaitsScheduleRunsStateMachine').States.ScheduleStartCheck).toBeUndefined();
    expect(definition(template, 'AskedScheduleRunsStateMachine').StartAt).toBe('ScheduleStartCheck');
  });

  test('a run deadline not longer than the default start deadline: no check, and an info says why', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Tracked', { env: { account: '123456789012', region: REGION } });
    new RunTracker(stack, 'Runs', {
      job: BatchJob.fromBatchJobAttributes(stack, 'Job', {
        jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN),
        jobDefinitionArn: `arn:aws:batch:${REGION}:123456789012:job-definition/j:1`,
        jobName: 'quick',
        timeout: cdk.Duration.minutes(5),
        retryAttempts: 1,
      }),
      notificationTopic: sns.Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN),
      workloadName: 'Quick',
      deadline: cdk.Duration.minutes(10),
      onStartDeadline: StartDeadlineAction.REPORT,
    });
    const template = Template.fromStack(stack);
    expect(runDefinition(template).StartAt).toBe('RunJob');
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 0);
    Annotations.fromStack(stack).hasInfo('/Tracked/Runs', Match.stringLikeRegexp('No start check: the default start deadline \\(15 minutes\\)'));
  });
});

describe('IAM', () => {
  test('the run may create schedules in the start-check group only, and pass the scheduler role to EventBridge Scheduler only', () => {
    const { template } = setup();
    const t = template.toJSON();
    const statements = roleStatements(t, roleId(t, 'RunsStateMachineRole'));
    const group = Object.values<any>(template.findResources('AWS::Scheduler::ScheduleGroup'))[0].Properties.Name;
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'scheduler:CreateSchedule',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:scheduler:eu-west-2:123456789012:schedule/${group}/*`]] },
    });
    const schedulerRole = roleId(t, 'StartDeadlineCheckSchedulerRole');
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: { 'Fn::GetAtt': [schedulerRole, 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
    // The scheduler role may start the check and nothing else.
    const checkMachine = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find(id => id.startsWith('StartDeadlineCheck'));
    expect(roleStatements(t, schedulerRole)).toEqual([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: checkMachine } }]);
  });

  test('the check may list jobs, cancel only jobs with an admitted workload tag, and publish to the admitted topics', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Tracked', { env: { account: '123456789012', region: REGION } });
    tracker(stack, 'Runs', { onStartDeadline: StartDeadlineAction.REPORT });
    tracker(stack, 'Other', { onStartDeadline: StartDeadlineAction.CANCEL }, 'other-job');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
    const t = template.toJSON();
    const statements = roleStatements(t, roleId(t, 'StartDeadlineCheckStateMachineRole'));
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'batch:CancelJob',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':batch:eu-west-2:123456789012:job/*']] },
      Condition: { StringEquals: { 'aws:ResourceTag/cdk-scheduled-batch:workload': ['nightly-report', 'other-job'] } },
    });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'batch:ListJobs', Resource: '*' });
    expect(statements.filter(s => s.Action === 'sns:Publish')).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC_ARN }]);
    expect(statements.map(s => s.Action).flat().filter((a: string) => !a.startsWith('logs:'))).toEqual(
      expect.arrayContaining(['batch:ListJobs', 'batch:CancelJob', 'sns:Publish']));
    expect(statements.map(s => s.Action).flat().filter((a: string) => !/^(logs:|batch:ListJobs|batch:CancelJob|sns:Publish)/.test(a))).toEqual([]);
  });
});

test('cdk-nag: no finding; the wildcards of the run role and the check role are acknowledged with reasons', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-deadline-nag-'));
  try {
    const app = new cdk.App({ outdir });
    const stack = new cdk.Stack(app, 'Tracked', { env: { account: '123456789012', region: REGION } });
    const runs = tracker(stack, 'Runs', { onStartDeadline: StartDeadlineAction.CANCEL });
    cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    const report = path.join(outdir, 'validation-report.json');
    const findings = fs.existsSync(report) ? readValidationReport(report).findings : [];
    expect(findings.filter(f => f.plugin === 'AwsSolutions')).toEqual([]);
    const acknowledged = (c: cdk.Stack | RunTracker | any) => JSON.stringify(c.node.metadata);
    expect(acknowledged(runs.stateMachine.role)).toContain('scheduler:CreateSchedule of the one-time start-check schedules');
    const checkRole = stack.node.findChild('StartDeadlineCheck').node.findChild('StateMachineRole');
    expect(acknowledged(checkRole)).toContain('batch:CancelJob acts on job ids that exist only at run time');
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

describe('validation', () => {
  test.each([
    [{ startDeadline: cdk.Duration.seconds(30) }, /'startDeadline' is 30 seconds: it must be a whole number of seconds of at least 1 minute .*Duration.minutes\(15\)/],
    [{ startDeadline: cdk.Duration.hours(4) }, /'startDeadline' is 4 hours but the run deadline \('deadline'\) is 3 hours 25 minutes: .*Give a shorter start deadline, or StartDeadlineAction.NONE/],
    [{ startDeadline: cdk.Duration.minutes(5), onStartDeadline: StartDeadlineAction.NONE }, /'startDeadline' is 5 minutes but 'onStartDeadline' is StartDeadlineAction.NONE: .*Leave 'startDeadline' out/],
    [{ onStartDeadline: 'LATER' as any }, /'onStartDeadline' is 'LATER', which is not a StartDeadlineAction: use one of StartDeadlineAction.REPORT, StartDeadlineAction.CANCEL, StartDeadlineAction.NONE/],
    [{ startDeadline: cdk.Duration.minutes(cdk.Lazy.number({ produce: () => 5 })) }, /'startDeadline' is a token .*Give a concrete Duration/],
  ])('fails: %p', (props, message) => {
    expect(() => setup(props as Partial<RunTrackerProps>)).toThrow(message);
  });

  test('fails: an array run (its parent job never enters RUNNING); NONE passes', () => {
    const stack = new cdk.Stack(new cdk.App(), 'W', { env: { account: '123456789012', region: REGION } });
    const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
    expect(() => new ScheduledBatchWorkload(stack, 'Fan', { schedule, image, arraySize: 4, startDeadline: cdk.Duration.minutes(10) }))
      .toThrow(/'startDeadline' is set but so is 'arraySize': an array job's parent never enters RUNNING .*Leave the start deadline out for array runs/);
    expect(() => new ScheduledBatchWorkload(stack, 'Fan2', { schedule, image, arraySize: 4, onStartDeadline: StartDeadlineAction.NONE })).not.toThrow();
  });

  test('fails: a start deadline on an untracked JobSchedule names the prop and the fix', () => {
    const stack = new cdk.Stack(new cdk.App(), 'S', { env: { account: '123456789012', region: REGION } });
    const job = BatchJob.fromBatchJobAttributes(stack, 'Job', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN), jobDefinitionArn: `arn:aws:batch:${REGION}:123456789012:job-definition/j:1`, jobName: 'j',
    });
    expect(() => new JobSchedule(stack, 'Schedule', {
      job, schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)), trackRuns: false, onStartDeadline: StartDeadlineAction.CANCEL,
    })).toThrow(/'onStartDeadline' is set but 'trackRuns' is false: the start check is part of a tracked run. Turn 'trackRuns' on, or leave 'onStartDeadline' out./);
  });
});

describe('the start check (its state machine, simulated)', () => {
  const CHECK_INPUT = {
    workload: 'Nightly report',
    scheduledTime: '2026-12-02T02:00:00Z',
    timeNote: 'UTC',
    jobQueue: QUEUE_ARN,
    jobName: 'nightly-report-20261202T020000Z-ef0123456789',
    topicArn: TOPIC_ARN,
    logGroup: '/aws/batch/job',
    action: 'REPORT',
    startDeadline: '15 minutes',
    execution: EXECUTION_ARN,
  };
  const checkContext = (input: any) => ({ Execution: { Id: 'arn:aws:states:eu-west-2:123456789012:execution:Check:x', Name: 'x', Input: input, StartTime: '2026-12-02T02:15:08Z' } });
  const summary = (status: string, extra: any = {}) => ({ JobId: 'job-1', JobName: CHECK_INPUT.jobName, Status: status, CreatedAt: 1764640807000, ...extra });

  async function check(input: any, jobs: any[]): Promise<{ calls: TaskCall[]; status: string }> {
    const { template } = setup();
    const def = checkDefinition(template);
    const onTask = (c: TaskCall): TaskOutcome => c.resource === LIST_JOBS ? { result: { JobSummaryList: jobs } } : { result: {} };
    // The simulator reads $states.input from the execution input of the first state.
    const run = await simulateWithInput(def, checkContext(input), input, onTask);
    return run;
  }

  async function simulateWithInput(def: any, context: any, input: any, onTask: (c: TaskCall) => TaskOutcome) {
    return simulate({ ...def, States: def.States }, { ...context, Execution: { ...context.Execution, Input: input } }, onTask);
  }

  test.each(['STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'])('a job %s: nothing is sent or cancelled (3 states: FindJob, HasStarted, StartedInTime)', async status => {
    const run = await check(CHECK_INPUT, [summary(status)]);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls.map(c => c.resource)).toEqual([LIST_JOBS]);
  });

  test('a RUNNABLE job that has run an attempt (StartedAt) is not reported', async () => {
    const run = await check(CHECK_INPUT, [summary('RUNNABLE', { StartedAt: 1764640900000 })]);
    expect(run.calls.map(c => c.resource)).toEqual([LIST_JOBS]);
  });

  test('no job (the run could not submit it, and reports that itself): nothing', async () => {
    const run = await check(CHECK_INPUT, []);
    expect(run.calls.map(c => c.resource)).toEqual([LIST_JOBS]);
  });

  test('REPORT, a job still RUNNABLE: one "not started" message to the run\'s topic', async () => {
    const run = await check(CHECK_INPUT, [summary('RUNNABLE', { StatusReason: 'CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY' })]);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls.map(c => c.resource)).toEqual([LIST_JOBS, SNS_PUBLISH]);
    const listArgs = run.calls[0].args;
    expect(listArgs).toEqual({ JobQueue: QUEUE_ARN, Filters: [{ Name: 'JOB_NAME', Values: [CHECK_INPUT.jobName] }] });
    const publish = run.calls[1].args;
    expect(publish.TopicArn).toBe(TOPIC_ARN);
    expect(publish.Subject).toBe('Nightly report: run 2026-12-02T02:00:00Z not started by its start deadline');
    expect(publish.Message.split('\n')).toEqual([
      'Nightly report: the scheduled run of 2026-12-02T02:00:00Z has NOT STARTED, 15 minutes after its job was submitted.',
      'The run is still tracked: it sends one more message if it fails or is not done by its deadline, and none if it succeeds.',
      '',
      'Workload: Nightly report',
      'Scheduled time: 2026-12-02T02:00:00Z (UTC)',
      'Job id: job-1',
      'Job status: RUNNABLE',
      'Status reason: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY',
      'Job: https://eu-west-2.console.aws.amazon.com/batch/home?region=eu-west-2#jobs/detail/job-1',
      `Run history: https://eu-west-2.console.aws.amazon.com/states/home?region=eu-west-2#/v2/executions/details/${EXECUTION_ARN}`,
    ]);
  });

  test.each(['SUBMITTED', 'PENDING', 'RUNNABLE'])('CANCEL, a job %s: CancelJob with a reason naming the start deadline, no message', async status => {
    const run = await check({ ...CHECK_INPUT, action: 'CANCEL' }, [summary(status)]);
    expect(run.calls.map(c => c.resource)).toEqual([LIST_JOBS, CANCEL_JOB]);
    expect(run.calls[1].args).toEqual({ JobId: 'job-1', Reason: 'Scheduled run had not started by its start deadline of 15 minutes (RunTracker)' });
  });

  test('the newest job of that name is the one checked', async () => {
    const run = await check(CHECK_INPUT, [summary('RUNNING', { JobId: 'old', CreatedAt: 1 }), summary('RUNNABLE', { JobId: 'new' })]);
    expect(run.calls.map(c => c.resource)).toEqual([LIST_JOBS, SNS_PUBLISH]);
    expect(run.calls[1].args.Message).toContain('Job id: new');
  });
});

describe('docs/run-tracking.md "Start deadline": the numbers are the simulated ones', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'run-tracking.md'), 'utf8').replace(/\s+/g, ' ');
  const PER_TRANSITION = 0.025 / 1000;
  const FREE = 4000;

  test('a good run: 3 states in its own execution (1 for the check), 3 in the check; the month figures follow', async () => {
    const { template } = setup();
    const run = await simulate(runDefinition(template), RUN_CONTEXT, () => ({ result: { JobId: 'job-1', Status: 'SUCCEEDED' } }));
    const states = new Set<string>();
    const check = await simulate(checkDefinition(template), { Execution: { Id: 'x', Input: { action: 'REPORT' } } },
      c => { states.add(c.state); return { result: { JobSummaryList: [{ JobId: 'j', Status: 'RUNNING', CreatedAt: 1 }] } }; });
    expect(check.status).toBe('SUCCEEDED');
    const runStates = run.calls.length; // every state of a good run is a Task
    const checkStates = states.size + 2; // FindJob, then the Choice and the Succeed state
    expect([runStates, checkStates]).toEqual([3, 3]);
    expect(doc).toContain(`| succeeded | ${runStates} transitions (\`ScheduleStartCheck\`, \`RunJob\`, \`SendSucceededEvent\`): 1 more | ${checkStates} (\`FindJob\`, \`HasStarted\`, \`StartedInTime\`)`);
    const perRun = runStates + checkStates;
    const without = runStates - 1;
    const added = perRun - without;
    expect(doc).toContain(`${added} transitions, $${(added * PER_TRANSITION).toFixed(4)}`);
    const monthly = 8928 * perRun;
    expect(doc).toContain(`daily, 31 × ${perRun} = ${31 * perRun} transitions (free tier)`);
    expect(doc).toContain(`8,928 × ${perRun} = ${monthly.toLocaleString('en-US')} transitions, (${monthly.toLocaleString('en-US')} − 4,000) × $0.000025 = `
      + `$${((monthly - FREE) * PER_TRANSITION).toFixed(2)} (instead of $${((8928 * without - FREE) * PER_TRANSITION).toFixed(2)} without)`);
  });

  test('the default start deadline and the documented limits are the code\'s', () => {
    expect(doc).toContain(`**The default, ${START_DEADLINE_DEFAULTS.startDeadline.toMinutes()} minutes.**`);
    expect(doc).toContain('`START_DEADLINE_DEFAULTS.action` (src/runs/private/start-deadline-plan.ts)');
    expect(START_DEADLINE_DEFAULTS.action).toBe(StartDeadlineAction.REPORT);
    expect(doc).toContain('**On by default.**');
    expect(doc).toContain('must be at least 1 minute and shorter than the run deadline');
  });
});

describe('ScheduledBatchWorkload passes the start deadline to its tracker', () => {
  const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
  const SCHEDULE = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });

  test('startDeadline alone: REPORT, 10 minutes; the workload adds no resource of its own for it', async () => {
    const stack = new cdk.Stack(new cdk.App(), 'W', { env: { account: '123456789012', region: REGION } });
    const workload = new ScheduledBatchWorkload(stack, 'Nightly', { schedule: SCHEDULE, image: IMAGE, startDeadline: cdk.Duration.minutes(10) });
    const template = Template.fromStack(stack);
    const def = definition(template, 'NightlyScheduleRunsStateMachine');
    expect(def.StartAt).toBe('ScheduleStartCheck');
    const start = JSON.parse(await evaluate(def.States.ScheduleStartCheck.Arguments.Target.Input, RUN_CONTEXT));
    expect(JSON.parse(start.Input)).toMatchObject({ action: 'REPORT', startDeadline: '10 minutes', workload: 'W/Nightly' });
    expect(await evaluate(def.States.ScheduleStartCheck.Arguments.ScheduleExpression, RUN_CONTEXT)).toBe('at(2026-12-02T02:10:07)');
    // The five start-check resources live under the stack, not under the workload.
    const own = Object.keys(template.toJSON().Resources).filter(id => id.startsWith('StartDeadlineCheck'));
    expect(own.map(id => template.toJSON().Resources[id].Type).sort()).toEqual([
      'AWS::IAM::Role', 'AWS::IAM::Role', 'AWS::Logs::LogGroup', 'AWS::Scheduler::ScheduleGroup', 'AWS::StepFunctions::StateMachine',
    ]);
    expect(workload.node.tryFindChild('StartDeadlineCheck')).toBeUndefined();
  });

  test('OverlapPolicy.QUEUE: CANCEL fails (it would cancel queued runs); REPORT warns, acknowledgeably', () => {
    const stack = new cdk.Stack(new cdk.App(), 'W', { env: { account: '123456789012', region: REGION } });
    expect(() => new ScheduledBatchWorkload(stack, 'Cancelled', {
      schedule: SCHEDULE, image: IMAGE, overlapPolicy: OverlapPolicy.QUEUE, onStartDeadline: StartDeadlineAction.CANCEL,
    })).toThrow(/'onStartDeadline' is StartDeadlineAction.CANCEL but 'overlapPolicy' is OverlapPolicy.QUEUE: .*Use StartDeadlineAction.REPORT, or another overlap policy./);
    new ScheduledBatchWorkload(stack, 'Nightly', { schedule: SCHEDULE, image: IMAGE, overlapPolicy: OverlapPolicy.QUEUE, onStartDeadline: StartDeadlineAction.REPORT });
    Annotations.fromStack(stack).hasWarning('/W/Nightly/Schedule/Runs',
      Match.stringLikeRegexp("is reported \"not started\" when that wait is longer than the start deadline.*acknowledgeWarning\\('cdk-scheduled-batch:startDeadlineWhileQueued'"));
  });

  test('fails: a start deadline with trackRuns false names the prop and the fix', () => {
    const stack = new cdk.Stack(new cdk.App(), 'W', { env: { account: '123456789012', region: REGION } });
    expect(() => new ScheduledBatchWorkload(stack, 'Nightly', { schedule: SCHEDULE, image: IMAGE, trackRuns: false, startDeadline: cdk.Duration.minutes(10) }))
      .toThrow(/'startDeadline' is set but 'trackRuns' is false: the start check is part of a tracked run. Turn 'trackRuns' on, or leave 'startDeadline' out./);
  });
});
