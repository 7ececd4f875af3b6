import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import jsonata from 'jsonata';
import { BatchPlatform, ComputePlatform, CostReport, OverlapPolicy, ScheduledBatchWorkflow, ScheduledBatchWorkflowProps, ScheduledBatchWorkload, UnitPrices, WorkflowStep } from '../src';
import { RUN_OUTCOMES, SCHEDULED_TIME, ALL_ATTEMPTS_RECLAIMED, QUEUE_POLL_SECONDS, QUEUE_WAIT_EVENTS, queuePollSeconds, stepStates, stepSummaryExpression, WORKFLOW_STATES, workflowMessageExpression } from './support/engine';
import { roleId, roleStatements } from './support/iam';
import { definitionOf } from './support/state-machine';
import { renderWorkflowMessage } from './support/workflow-message';
import { MAX_STEPS } from '../src/runs/private/workflow-graph';

// Literal names from the AWS documentation, not imported from src, so a typo in src fails here.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-batch.html
const BATCH_SYNC = 'arn:aws:states:::batch:submitJob.sync';
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html
const SNS_PUBLISH = 'arn:aws:states:::sns:publish';
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const ACCOUNT = '123456789012';
const EXECUTION_ARN = `arn:aws:states:eu-west-2:${ACCOUNT}:execution:Nightly:c0ffee12-3456-7890-abcd-ef0123456789`;

/** extract -> (transform-a, transform-b) -> load */
const ETL: WorkflowStep[] = [
  { name: 'extract', image: IMAGE, parameters: { source: 's3://in' } },
  { name: 'transform-a', image: IMAGE, dependsOn: ['extract'], arraySize: 50 },
  { name: 'transform-b', image: IMAGE, dependsOn: ['extract'], timeout: cdk.Duration.hours(2) },
  { name: 'load', image: IMAGE, dependsOn: ['transform-a', 'transform-b'] },
];

function setup(props: Partial<ScheduledBatchWorkflowProps> = {}, platformProps: { onDemandFallback?: boolean; fargate?: boolean } = {}) {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Workflow', { env: { account: ACCOUNT, region: 'eu-west-2' } });
  const platform = new BatchPlatform(stack, 'Platform', {
    onDemandFallback: platformProps.onDemandFallback,
    computePlatform: platformProps.fargate ? ComputePlatform.FARGATE : undefined,
  });
  const workflow = new ScheduledBatchWorkflow(stack, 'Nightly', {
    platform,
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
    steps: ETL,
    ...props,
  });
  return { stack, platform, workflow, template: () => Template.fromStack(stack) };
}

const branchOf = (def: any, step: string): any => {
  for (const state of Object.values(def.States) as any[]) {
    for (const b of state.Branches ?? []) if (b.StartAt === step) return b;
  }
  throw new Error(`no branch for ${step}`);
};

/**
 * Every way through the top level once something did not succeed, with the states visited and the SNS publishes on
 * the way. A Parallel level that fails goes to its Catch; one that succeeds to Next. A loop (QUEUE's wait) is walked once.
 */
function failurePaths(def: any): { states: string[]; published: number; end: string }[] {
  const paths: { states: string[]; published: number; end: string }[] = [];
  const walk = (name: string, visited: string[], published: number, failed: boolean) => {
    const state = def.States[name];
    if (visited.includes(name)) return;
    const here = [...visited, name];
    if (state.Type === 'Fail') {
      paths.push({ states: here, published, end: name });
      return;
    }
    const publishes = state.Resource === SNS_PUBLISH ? 1 : 0;
    if (state.Next) walk(state.Next, here, published + publishes, failed);
    if (state.Default) walk(state.Default, here, published, failed);
    for (const c of state.Choices ?? []) walk(c.Next, here, published, failed);
    for (const c of state.Catch ?? []) walk(c.Next, here, published, true);
  };
  walk(def.StartAt, [], 0, false);
  return paths;
}

describe('ScheduledBatchWorkflow: the graph', () => {
  test('runs the steps level by level: extract, then transform-a and transform-b in parallel, then load', () => {
    const def = definitionOf(setup().template());
    expect(def.QueryLanguage).toBe('JSONata');
    expect(def.StartAt).toBe('Level1');
    const levels = ['Level1', 'Level2', 'Level3'].map(l => def.States[l]);
    expect(levels.map(l => l.Type)).toEqual(['Parallel', 'Parallel', 'Parallel']);
    expect(levels.map(l => l.Branches.map((b: any) => b.StartAt))).toEqual([['extract'], ['transform-a', 'transform-b'], ['load']]);
    expect(levels[0].Next).toBe('Level2');
    expect(levels[1].Next).toBe('Level3');
    // After the last level, the run's succeeded event.
    expect(levels[2].Next).toBe(WORKFLOW_STATES.succeededEvent);
    expect(def.States[WORKFLOW_STATES.succeededEvent]).toMatchObject({ Resource: 'arn:aws:states:::events:putEvents', End: true });
    expect(def.States.Level4).toBeUndefined();
  });

  test('each step is a .sync Batch job on the platform queue with its own job definition, ending its branch on success', () => {
    const { template, workflow } = setup();
    const def = definitionOf(template());
    const jobDefs = Object.keys(template().findResources('AWS::Batch::JobDefinition'));
    expect(jobDefs).toHaveLength(4);
    for (const step of ['extract', 'transform-a', 'transform-b', 'load']) {
      const task = branchOf(def, step).States[step];
      expect(task.Resource).toBe(BATCH_SYNC);
      expect(task.End).toBe(true);
      expect(task.Arguments.JobQueue).toBe('<PlatformJobQueue45479A00.JobQueueArn>');
      expect(task.Arguments.JobDefinition).toMatch(/^<NightlySteps.*JobDefinition.*>$/);
      expect(task.Arguments.JobName).toContain(`-${step}", 0, 98)`);
    }
    expect(workflow.jobs['transform-a'].jobDefinition).toBeDefined();
  });

  test('the scheduled time and each step\'s declared parameters reach every step', () => {
    const def = definitionOf(setup().template());
    for (const step of ['extract', 'transform-a', 'transform-b', 'load']) {
      const args = branchOf(def, step).States[step].Arguments;
      expect(args.ContainerOverrides.Environment).toEqual([{ Name: 'SCHEDULED_TIME', Value: `{% ${SCHEDULED_TIME} %}` }]);
      if (step === 'extract') {
        expect(args.Parameters).toContain('$k in ["source"]');
        expect(args.Parameters).toContain(`{"scheduledTime": ${SCHEDULED_TIME}}`);
      } else {
        expect(args.Parameters).toEqual({ scheduledTime: `{% ${SCHEDULED_TIME} %}` });
      }
    }
  });

  test('the schedule starts one execution per scheduled time with the scheduled time as input, through a role that may only start it', () => {
    const t = setup().template();
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: { Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }), RetryPolicy: { MaximumRetryAttempts: 5 } },
    });
    const json = t.toJSON();
    expect(roleStatements(json, roleId(json, /^NightlySchedulerRole/))).toEqual(expect.arrayContaining([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/NightlyStateMachine/) } },
    ]));
  });

  test('the array step is an array job; the others are single jobs', () => {
    const def = definitionOf(setup().template());
    expect(branchOf(def, 'transform-a').States['transform-a'].Arguments.ArrayProperties).toEqual({ Size: 50 });
    expect(branchOf(def, 'load').States.load.Arguments.ArrayProperties).toBeUndefined();
  });
});

describe('every JSONata expression of the definition parses (jsonata 2.0.6, the engine Step Functions runs)', () => {
  const expressions = (v: any, at: string, out: [string, string][]) => {
    if (typeof v === 'string') {
      const m = /^\{%(.*)%\}$/s.exec(v);
      if (m) out.push([at, m[1]]);
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) expressions(child, `${at}/${k}`, out);
    }
    return out;
  };
  test.each([OverlapPolicy.ALLOW, OverlapPolicy.SKIP, OverlapPolicy.QUEUE])('overlap policy %s, with an array step and an On-Demand fallback', (overlapPolicy) => {
    const steps: WorkflowStep[] = [...ETL.map(s => s.name === 'extract' ? { ...s, onDemandFallback: true } : s)];
    const found = expressions(definitionOf(setup({ overlapPolicy, steps }, { onDemandFallback: true }).template()), '', []);
    expect(found.length).toBeGreaterThan(50);
    for (const [at, expr] of found) {
      try {
        jsonata(expr);
      } catch (e) {
        throw new Error(`${at}: ${(e as Error).message}: ${expr}`);
      }
    }
  });
});

describe('ScheduledBatchWorkflow: a failed step', () => {
  test('stops its dependents: every step catches into its own Fail state, and a failed level goes to Notify, never to the next level', () => {
    const def = definitionOf(setup().template());
    for (const step of ['extract', 'transform-a', 'transform-b', 'load']) {
      const b = branchOf(def, step);
      const n = stepStates(step);
      expect(b.States[step].Catch.map((c: any) => c.Next)).toEqual([n.findLate, step === 'transform-a' ? n.listChildren : n.logTail]);
      // A failed step's log tail, then its Fail state.
      expect(b.States[n.logTail]).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:cloudwatchlogs:getLogEvents', Next: n.failed });
      expect(b.States[n.failed]).toMatchObject({ Type: 'Fail', Error: '{% $stepOutcome %}' });
      // Nothing inside a branch publishes: the run's one message comes from the top level.
      expect(JSON.stringify(b)).not.toContain(SNS_PUBLISH);
    }
    for (const level of ['Level1', 'Level2', 'Level3']) {
      expect(def.States[level].Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: WORKFLOW_STATES.notify })]);
    }
  });

  test('the Fail state names the step and carries the job\'s summary (evaluated with the jsonata engine)', async () => {
    const cause = JSON.stringify({
      JobId: 'job-1',
      Status: 'FAILED',
      StatusReason: 'Essential container in task exited',
      Container: { ExitCode: 2, LogStreamName: 'transform-b/default/abc' },
      Attempts: [{ Container: { ExitCode: 2 } }],
    });
    const summary = await jsonata(stepSummaryExpression('transform-b')).evaluate({}, {
      stepFailure: { Error: 'States.TaskFailed', Cause: cause }, lateJobId: null, stopped: false, onDemand: false, parse: JSON.parse,
    });
    expect(JSON.parse(summary)).toEqual({
      step: 'transform-b',
      error: 'States.TaskFailed',
      jobId: 'job-1',
      status: 'FAILED',
      statusReason: 'Essential container in task exited',
      exitCode: 2,
      logStream: 'transform-b/default/abc',
      attempts: 1,
      onDemand: false,
      stopped: false,
    });
  });

  test('a failed array step lists its FAILED children before its Fail state, whose summary carries their indices', async () => {
    const def = definitionOf(setup().template());
    const n = stepStates('transform-a');
    const b = branchOf(def, 'transform-a');
    expect(b.States[n.listChildren]).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:batch:listJobs',
      Arguments: { ArrayJobId: expect.stringMatching(/\? \$parse\(\$stepFailure\.Cause\) : \{\}\)\.JobId %\}$/), JobStatus: 'FAILED', MaxResults: 100 },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: n.logTail }],
      Next: n.logTail,
    });
    const cause = JSON.stringify({ JobId: 'p-1', Status: 'FAILED', ArrayProperties: { Size: 50, StatusSummary: { FAILED: 2, SUCCEEDED: 48 } }, Attempts: [] });
    const summary = await jsonata(b.States[n.failed].Cause.replace(/^\{% | %\}$/g, '')).evaluate({}, {
      stepFailure: { Error: 'States.TaskFailed', Cause: cause }, lateJobId: null, stopped: false, onDemand: false, stepChildren: [4, 17], stepLogTail: null, parse: JSON.parse,
    });
    expect(JSON.parse(summary)).toMatchObject({ step: 'transform-a', jobId: 'p-1', childrenFailed: 2, arraySize: 50, failedChildren: [4, 17] });
  });

  test('a step past the deadline is looked up and stopped before its Fail state', () => {
    const def = definitionOf(setup().template());
    const b = branchOf(def, 'load');
    const n = stepStates('load');
    expect(b.States.load.Catch[0]).toMatchObject({ ErrorEquals: ['States.Timeout'], Next: n.findLate });
    expect(b.States[n.findLate]).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:batch:listJobs', Next: n.stopLate });
    expect(b.States[n.stopLate]).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:batch:terminateJob', Arguments: { JobId: '{% $lateJobId %}' }, Next: n.failed });
    expect(b.States[n.stopLate].Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: n.failed }]);
  });

  test.each([OverlapPolicy.ALLOW, OverlapPolicy.SKIP, OverlapPolicy.QUEUE])('every path publishes exactly one message before RunDidNotSucceed (%s)', (overlapPolicy) => {
    const def = definitionOf(setup({ overlapPolicy }).template());
    const paths = failurePaths(def);
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) {
      if (p.end === WORKFLOW_STATES.notificationFailed) expect(p.published).toBe(0);
      else expect({ path: p.states, published: p.published }).toEqual({ path: p.states, published: 1 });
    }
    expect(new Set(paths.map(p => p.end))).toEqual(new Set([WORKFLOW_STATES.failed, WORKFLOW_STATES.notificationFailed]));
  });

  test('the message names the failed step and says its dependents did not run; JSONata and TypeScript agree', async () => {
    const facts = {
      workflow: 'Workflow/Nightly',
      timeZone: 'Europe/London',
      scheduledTime: '2026-12-02T02:00:00Z',
      outcome: RUN_OUTCOMES.jobFailed,
      failure: {
        Error: RUN_OUTCOMES.jobFailed,
        Cause: JSON.stringify({
          step: 'transform-a',
          error: 'States.TaskFailed',
          jobId: 'p-1',
          status: 'FAILED',
          statusReason: 'Array Child Job failed',
          attempts: 0,
          childrenFailed: 3,
          arraySize: 50,
          failedChildren: [4, 9, 31],
          logStream: 's/1',
        }),
      },
      logGroups: { 'transform-a': '/aws/batch/transform-a' },
      executionArn: EXECUTION_ARN,
      deadlineText: '5 hours',
    };
    const rendered = renderWorkflowMessage(facts);
    expect(rendered).toContain("Step 'transform-a' FAILED in AWS Batch; the steps that depend on it did not run.");
    expect(rendered).toContain('Failed step: transform-a');
    expect(rendered).toContain('Children failed: 3 of 50\nFailed children (up to 10): https://eu-west-2.console.aws.amazon.com/batch/home?region=eu-west-2#jobs/detail/p-1:4 ');
    expect(rendered).toContain('#jobs/detail/p-1:31\n');
    expect(rendered).toContain('#logsV2:log-groups/log-group/$252Faws$252Fbatch$252Ftransform-a/log-events/s$252F1');
    const message = await jsonata(workflowMessageExpression(facts.deadlineText)).evaluate({}, {
      ...facts, timeNote: "UTC; the schedule's time zone is Europe/London", parse: JSON.parse, states: { context: { Execution: { Id: EXECUTION_ARN } } },
    });
    expect(message).toBe(rendered);
  });

  test('a run failed outside any step, or skipped, still renders one message; JSONata and TypeScript agree', async () => {
    for (const [outcome, failure] of [
      ['States.Runtime', { Error: 'States.Runtime', Cause: 'An error occurred while executing the state.' }],
      [RUN_OUTCOMES.jobFailed, { Error: RUN_OUTCOMES.jobFailed, Cause: JSON.stringify({ step: 'shards', jobId: 'p', arraySize: 4, failedChildren: null }) }],
      [RUN_OUTCOMES.skipped, { Error: RUN_OUTCOMES.skipped, Cause: 'An earlier run of this workflow is still running (overlap policy SKIP).' }],
    ] as const) {
      const facts = { workflow: 'W', timeZone: 'UTC', scheduledTime: 't', outcome, failure, logGroups: {}, executionArn: EXECUTION_ARN, deadlineText: '1 hour' };
      // The SKIP policy's sentence comes with its transition to the message, as `$note`.
      const note = outcome === RUN_OUTCOMES.skipped ? 'The run was SKIPPED: an earlier run of this workflow is still running (overlap policy SKIP).' : null;
      const message = await jsonata(workflowMessageExpression(facts.deadlineText)).evaluate({}, {
        ...facts, note, timeNote: 'UTC', parse: JSON.parse, states: { context: { Execution: { Id: EXECUTION_ARN } } },
      });
      expect(message).toBe(renderWorkflowMessage(facts));
    }
  });
});

describe('ScheduledBatchWorkflow: overlap policy and deadline apply to the whole run', () => {
  test('default deadline: per level the longest step (attempts x timeout + grace), summed, on every step\'s TimeoutSeconds', () => {
    const { workflow, template } = setup();
    // Level 1: 3 x 1 h + 25 min; level 2: transform-b 3 x 2 h + 25 min; level 3: 3 x 1 h + 25 min.
    const expected = (3 * 3600 + 25 * 60) * 2 + (3 * 7200 + 25 * 60);
    expect(workflow.deadline.toSeconds()).toBe(expected);
    const def = definitionOf(template());
    expect(branchOf(def, 'load').States.load.TimeoutSeconds).toContain(`$floor(${expected} - (`);
  });

  test('QUEUE doubles the default deadline; runDeadline replaces it', () => {
    expect(setup({ overlapPolicy: OverlapPolicy.QUEUE }).workflow.deadline.toSeconds()).toBe(2 * ((3 * 3600 + 25 * 60) * 2 + (3 * 7200 + 25 * 60)));
    expect(setup({ runDeadline: cdk.Duration.hours(12) }).workflow.deadline.toHours()).toBe(12);
  });

  test('fails at synth on a deadline over the 1-year Step Functions limit', () => {
    expect(() => setup({ runDeadline: cdk.Duration.days(366) }))
      .toThrow("'runDeadline' is 366 days, over the 1-year limit of a Step Functions Standard execution: lower it.");
  });

  test('SKIP: a run that finds an earlier running execution publishes one message and ends, without submitting a step', () => {
    const def = definitionOf(setup({ overlapPolicy: OverlapPolicy.SKIP }).template());
    expect(def.StartAt).toBe(WORKFLOW_STATES.checkOverlap);
    const check = def.States[WORKFLOW_STATES.checkOverlap];
    expect(check.Resource).toBe('arn:aws:states:::aws-sdk:sfn:listExecutions');
    expect(check.Arguments).toEqual({ StateMachineArn: '{% $states.context.StateMachine.Id %}', StatusFilter: 'RUNNING', MaxResults: 1000 });
    expect(check.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Level1' }]);
    const choice = def.States[WORKFLOW_STATES.skip];
    expect(choice.Choices).toHaveLength(1);
    expect(choice.Choices[0]).toMatchObject({ Condition: '{% $count($earlierRuns) > 0 %}', Next: WORKFLOW_STATES.notify });
    expect(choice.Default).toBe('Level1');
  });

  test('SKIP/QUEUE: earlier runs are RUNNING executions of this state machine that started before this one (jsonata)', async () => {
    const def = definitionOf(setup({ overlapPolicy: OverlapPolicy.SKIP }).template());
    const expr = def.States[WORKFLOW_STATES.checkOverlap].Assign.earlierRuns.replace(/^\{% | %\}$/g, '');
    const me = { Id: 'arn:x:exec:me', StartTime: '2026-12-02T02:00:01.000Z' };
    const count = async (executions: any[]) =>
      (await jsonata(expr).evaluate({}, { states: { result: { Executions: executions }, context: { Execution: me } } })).length;
    expect(await count([{ ExecutionArn: me.Id, StartDate: me.StartTime }])).toBe(0);
    expect(await count([{ ExecutionArn: me.Id, StartDate: me.StartTime }, { ExecutionArn: 'arn:x:exec:old', StartDate: '2026-12-01T02:00:00.000Z' }])).toBe(1);
    expect(await count([{ ExecutionArn: 'arn:x:exec:later', StartDate: '2026-12-02T02:00:09.000Z' }])).toBe(0);
    // The same as epoch seconds and milliseconds.
    expect(await count([{ ExecutionArn: 'arn:x:exec:old', StartDate: Date.parse('2026-12-01T02:00:00Z') / 1000 }])).toBe(1);
    expect(await count([{ ExecutionArn: 'arn:x:exec:old', StartDate: Date.parse('2026-12-01T02:00:00Z') }])).toBe(1);
    expect(await count([{ ExecutionArn: 'arn:x:exec:later', StartDate: Date.parse('2026-12-02T02:00:09Z') / 1000 }])).toBe(0);
  });

  test('QUEUE: waits and looks again until the earlier run ends, and reports a run still waiting at its deadline', () => {
    const def = definitionOf(setup({ overlapPolicy: OverlapPolicy.QUEUE }).template());
    const choice = def.States[WORKFLOW_STATES.waitIfActive];
    expect(choice.Choices[0].Next).toBe(WORKFLOW_STATES.notify);
    expect(choice.Choices[0].Condition).toContain('>= ');
    expect(choice.Choices[1]).toEqual({ Condition: '{% $count($earlierRuns) > 0 %}', Next: WORKFLOW_STATES.wait });
    expect(def.States[WORKFLOW_STATES.wait]).toMatchObject({ Type: 'Wait', Seconds: QUEUE_POLL_SECONDS, Next: WORKFLOW_STATES.checkOverlap });
  });

  test('QUEUE: a long deadline polls less often, so the waiting stays within 20,000 of the 25,000 history events', () => {
    const longDef = definitionOf(setup({ overlapPolicy: OverlapPolicy.QUEUE, runDeadline: cdk.Duration.days(365) }).template());
    const seconds = longDef.States[WORKFLOW_STATES.wait].Seconds;
    expect(seconds).toBe(queuePollSeconds(365 * 86400));
    expect((1 + Math.ceil(365 * 86400 / seconds)) * QUEUE_WAIT_EVENTS.perLook).toBeLessThanOrEqual(QUEUE_WAIT_EVENTS.max);
    expect(queuePollSeconds(3600)).toBe(60);
  });

  test('SKIP/QUEUE: the role may list the executions of this state machine only, in a policy the state machine does not wait for', () => {
    const t = setup({ overlapPolicy: OverlapPolicy.SKIP }).template();
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('OverlapCheckPolicy'),
      PolicyDocument: { Statement: [{ Action: 'states:ListExecutions', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('NightlyStateMachine') } }] },
    });
  });
});

describe('ScheduledBatchWorkflow: On-Demand resubmission', () => {
  const steps: WorkflowStep[] = [{ name: 'extract', image: IMAGE, onDemandFallback: true }, { name: 'load', image: IMAGE, dependsOn: ['extract'] }];

  test('a step whose attempts were all reclaimed is resubmitted once to an On-Demand queue over the fallback compute environment', () => {
    const t = setup({ steps }, { onDemandFallback: true }).template();
    const def = definitionOf(t);
    const b = branchOf(def, 'extract');
    const n = stepStates('extract');
    expect(b.States.extract.Catch[1]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: n.reclaimed });
    expect(b.States[n.reclaimed]).toMatchObject({ Type: 'Choice', Choices: [{ Condition: `{% ${ALL_ATTEMPTS_RECLAIMED} %}`, Next: n.onDemand }], Default: n.logTail });
    const onDemand = b.States[n.onDemand];
    expect(onDemand.Resource).toBe(BATCH_SYNC);
    expect(onDemand.Arguments.JobQueue).toMatch(/^<PlatformOnDemandJobQueue.*>$/);
    expect(onDemand.Arguments.JobDefinition).toBe(b.States.extract.Arguments.JobDefinition);
    // Once: a failed On-Demand attempt fails the step.
    expect(onDemand.Catch.map((c: any) => c.Next)).toEqual([n.findLateOnDemand, n.logTail]);
    expect(onDemand.Catch[1].Assign.onDemand).toBe(true);
    t.hasResourceProperties('AWS::Batch::JobQueue', {
      ComputeEnvironmentOrder: [{ ComputeEnvironment: { 'Fn::GetAtt': [Match.stringLikeRegexp('PlatformComputeFallbackComputeEnvironment'), 'ComputeEnvironmentArn'] }, Order: 1 }],
    });
    // The step without fallback has no Choice.
    expect(branchOf(def, 'load').States[stepStates('load').reclaimed]).toBeUndefined();
  });

  test.each([
    ['EC2 Spot, every attempt reclaimed', ['Host EC2 (instance i-0abc) terminated.', 'Host EC2 (instance i-0def) terminated.'], true],
    ['Fargate Spot reclaimed', ['Your Spot Task was interrupted.'], true],
    ['last attempt an application error', ['Host EC2 (instance i-0abc) terminated.', 'Essential container in task exited'], false],
    ['application error only', ['Essential container in task exited'], false],
    ['no attempt (never placed)', [], false],
  ])('the Choice\'s condition on a .sync Cause: %s -> %p', async (_, reasons, expected) => {
    const cause = JSON.stringify({ JobId: 'j', Status: 'FAILED', Attempts: (reasons as string[]).map(r => ({ StatusReason: r })) });
    const result = await jsonata(ALL_ATTEMPTS_RECLAIMED).evaluate({}, { stepFailure: { Error: 'States.TaskFailed', Cause: cause }, parse: JSON.parse });
    expect(result).toBe(expected);
  });

  test('a failure that is not a job (not submitted) is never resubmitted', async () => {
    const result = await jsonata(ALL_ATTEMPTS_RECLAIMED).evaluate({}, { stepFailure: { Error: 'Batch.ClientException', Cause: 'Host EC2' }, parse: JSON.parse });
    expect(result).toBe(false);
  });

  test('fails at synth on a platform without On-Demand compute', () => {
    expect(() => setup({ steps }))
      .toThrow("Step 'extract' has 'onDemandFallback': Workflow/Nightly falls back to On-Demand but its platform Workflow/Platform has no On-Demand compute: create the platform with 'onDemandFallback: true' (or a SpotComputeEnvironment with 'onDemandFallback: true'), or leave out what asks for it: 'resubmitOnDemand' of a workload, 'onDemandFallback' of a workflow step.");
  });

  test('one On-Demand queue per platform: two workflows and a workload share it, and the platform owns it', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Shared', { env: { account: '123456789012', region: 'eu-west-2' } });
    const platform = new BatchPlatform(stack, 'Platform', { onDemandFallback: true });
    const flows = ['Nightly', 'Hourly'].map(id => new ScheduledBatchWorkflow(stack, id, {
      platform, schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }), steps,
    }));
    // A workload on the same platform resubmits reclaimed runs to the same queue.
    new ScheduledBatchWorkload(stack, 'Report', {
      platform, resubmitOnDemand: true, image: IMAGE, schedule: scheduler.ScheduleExpression.cron({ hour: '3', minute: '0' }),
    });
    const t = Template.fromStack(stack);
    // The platform's own queue and its On-Demand queue: no queue per workflow or workload.
    t.resourceCountIs('AWS::Batch::JobQueue', 2);
    expect(flows[0].onDemandJobQueue).toBe(flows[1].onDemandJobQueue);
    expect(flows[0].onDemandJobQueue).toBe(platform.onDemandJobQueue(flows[0]));
    expect(flows[0].onDemandJobQueue!.node.path).toBe('Shared/Platform/OnDemandJobQueue');
    // The two workflows' and the workload's (not the stack's start check, which the workload's run has by default).
    const machines = Object.entries(t.findResources('AWS::StepFunctions::StateMachine')).filter(([id]) => !id.startsWith('StartDeadlineCheck'));
    expect(machines).toHaveLength(3);
    for (const [, machine] of machines) {
      expect(JSON.stringify(machine.Properties.DefinitionString)).toMatch(/OnDemand.*PlatformOnDemandJobQueue/);
    }
  });

  test('fails at synth on onDemandFallback with arraySize', () => {
    expect(() => setup({ steps: [{ name: 'shards', image: IMAGE, arraySize: 4, onDemandFallback: true }] }, { onDemandFallback: true }))
      .toThrow("Step 'shards' has 'onDemandFallback' and 'arraySize': an array job's children cannot be resubmitted one by one. Remove one of them.");
  });
});

describe('ScheduledBatchWorkflow: IAM', () => {
  test('the state machine may SubmitJob exactly the steps\' job definitions on the platform queue', () => {
    const t = setup().template();
    const json = t.toJSON();
    const submit = roleStatements(json, roleId(json, /^NightlyStateMachineRole/)).filter((s: any) => s.Action === 'batch:SubmitJob');
    expect(submit).toHaveLength(1);
    const resources = submit[0].Resource.map((r: any) => r.Ref ?? r['Fn::GetAtt']?.[0]);
    expect(resources[0]).toBe('PlatformJobQueue45479A00');
    expect(resources.slice(1)).toHaveLength(4);
    for (const step of ['extract', 'transforma', 'transformb', 'load']) expect(resources.some((r: string) => r.startsWith(`NightlySteps${step}JobDefinition`))).toBe(true);
  });

  test('with onDemandFallback the On-Demand queue is allowed too', () => {
    const t = setup({ steps: [{ name: 'extract', image: IMAGE, onDemandFallback: true }] }, { onDemandFallback: true }).template();
    const json = t.toJSON();
    const submit = roleStatements(json, roleId(json, /^NightlyStateMachineRole/)).find((s: any) => s.Action === 'batch:SubmitJob');
    expect(submit.Resource.map((r: any) => r.Ref ?? r['Fn::GetAtt']?.[0])).toEqual(['PlatformJobQueue45479A00', expect.stringMatching(/^PlatformOnDemandJobQueue/), expect.stringMatching(/^NightlyStepsextractJobDefinition/)]);
  });
});

describe('ScheduledBatchWorkflow: bad input fails at synth, naming the prop, the value and the fix', () => {
  const step = (name: string, dependsOn?: string[]): WorkflowStep => ({ name, image: IMAGE, dependsOn });
  test.each([
    ['an empty steps list', [], "'steps' is empty: give at least one step, e.g. { name: 'extract', command: [...] }."],
    ['a cycle', [step('a', ['c']), step('b', ['a']), step('c', ['b'])], "'steps' has a cycle: a -> b -> c -> a. A step cannot wait for itself: remove one of these 'dependsOn' entries."],
    ['a step that depends on itself', [step('a', ['a'])], "Step 'a' depends on itself ('dependsOn' holds 'a'): remove it."],
    ['an unknown dependency', [step('a'), step('b', ['extract'])], "Step 'b' has 'dependsOn' 'extract', which is not a step of this workflow: use one of 'a', 'b'."],
    ['duplicate names', [step('a'), step('a')], "Step name 'a' is used by two steps: give each step its own 'name'."],
    ['a bad name', [step('load_all')], "Step name 'load_all' is not valid: use 1 to 40 letters, digits and hyphens, starting with a letter or digit, e.g. 'transform-a'."],
    ['too many steps', Array.from({ length: MAX_STEPS + 1 }, (_, i) => step(`s${i}`)), `'steps' has ${MAX_STEPS + 1} steps, more than the ${MAX_STEPS} a workflow takes: split the graph into two workflows, or fan a step out with 'arraySize'.`],
    ['an array size out of range', [{ name: 'shards', image: IMAGE, arraySize: 10_001 }], "Step 'shards' of 'steps': 'arraySize' is 10001: an AWS Batch array job has 2 to 10,000 children (a whole number); leave 'arraySize' out for a single job."],
  ])('%s', (_, steps, message) => {
    expect(() => setup({ steps: steps as WorkflowStep[] })).toThrow(message);
  });

  test('a step no compute of the platform can run names the step', () => {
    expect(() => setup({ steps: [{ name: 'huge', image: IMAGE, cpu: 3, memory: cdk.Size.gibibytes(4) }] }, { fargate: true }))
      .toThrow(/^Step 'huge' of 'steps': .*cpu/);
  });

  test('a token arraySize passes', () => {
    expect(() => setup({ steps: [{ name: 'shards', image: IMAGE, arraySize: cdk.Token.asNumber({ Ref: 'N' }) }] })).not.toThrow();
  });
});

describe('ScheduledBatchWorkflow: notifications and cost', () => {
  test('uses the given notification topic, and alarms on runs the scheduler could not start', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'S', { env: { account: ACCOUNT, region: 'eu-west-2' } });
    const topic = new sns.Topic(stack, 'Topic');
    const workflow = new ScheduledBatchWorkflow(stack, 'W', {
      notificationTopic: topic, schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(6)), steps: [{ name: 'only', image: IMAGE }],
    });
    expect(workflow.notificationTopic).toBe(topic);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('Topic') }],
    });
  });

  test('without a platform it creates one, and notifies the platform\'s topic', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'S', { env: { account: ACCOUNT, region: 'eu-west-2' } });
    const workflow = new ScheduledBatchWorkflow(stack, 'W', { schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(6)), steps: [{ name: 'only', image: IMAGE }] });
    expect(workflow.platform).toBeInstanceOf(BatchPlatform);
    expect(workflow.notificationTopic).toBe(workflow.platform.alarmTopic);
  });

  test('CostReport counts the fixed cost the workflow adds: one alarm metric; the state machine and schedule cost per run only', () => {
    const { workflow } = setup();
    const items = workflow.costLineItems();
    expect(items).toEqual([expect.objectContaining({ description: 'CloudWatch alarm metrics (outside BatchAlarms)', quantity: 1, unitMonthlyUsd: UnitPrices.ALARM_METRIC_MONTH })]);
    expect(CostReport.of(workflow).monthlyUsd).toBeCloseTo(UnitPrices.ALARM_METRIC_MONTH);
  });
});

describe('cost per run and limits (docs/workflows.md)', () => {
  const def = definitionOf(setup().template());
  /** States a run enters on the success path: each Parallel, and in each branch its step's Task. */
  const levels = Object.values(def.States).filter((s: any) => s.Type === 'Parallel') as any[];
  const steps = levels.reduce((n, l) => n + 1 + l.Branches.length, 0);
  /** A good run: every level and step, and its event. */
  const succeeded = steps + 1;
  /** A run whose last step fails: every level and step, plus the step's log tail and Fail state, Notify, the event and RunDidNotSucceed. */
  const failed = steps + 2 + 3;
  const usd = (n: number) => `$${(n * UnitPrices.STATE_TRANSITION).toFixed(6)}`;
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'workflows.md'), 'utf8');

  test('extract -> (transform-a, transform-b) -> load: 8 transitions when it succeeds, 12 when load fails; priced with UnitPrices.STATE_TRANSITION', () => {
    expect({ succeeded, failed }).toEqual({ succeeded: 8, failed: 12 });
    expect(def.States.Level3.Next).toBe('SendSucceededEvent');
    expect(def.States.Level3.Catch[0].Next).toBe('Notify');
    expect(def.States.Notify.Next).toBe('SendRunEvent');
    expect(def.States.SendRunEvent.Next).toBe('RunDidNotSucceed');
    expect(doc).toContain(`| succeeded | ${succeeded} | ${usd(succeeded)} |`);
    expect(doc).toContain(`| the last step fails | ${failed} | ${usd(failed)} |`);
    expect(doc).toContain(`$${(UnitPrices.STATE_TRANSITION * 1000).toFixed(3)} per 1,000 state transitions`);
    // docs/performance.md (rendered by scripts/bench.ts) states the same figures.
    const performance = fs.readFileSync(path.join(__dirname, '..', 'docs', 'performance.md'), 'utf8');
    expect(performance).toContain(`\`extract -> (transform-a, transform-b) -> load\` is ${succeeded} (${usd(succeeded)}), ${failed} when its last step fails`);
  });

  test('the limits the doc states are the ones the code uses', () => {
    expect(doc).toContain(`at most ${MAX_STEPS} steps`);
    expect(doc).toContain('https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html');
    expect(doc).toContain('256 KiB');
    expect(doc).toContain('25,000 events');
    expect(doc).toContain(`every ${QUEUE_POLL_SECONDS} seconds`);
    expect(JSON.stringify(def).length).toBeLessThan(1_048_576);
  });
});

describe('ScheduledBatchWorkflow inputs', () => {
  const numberToken = (name: string) => cdk.Token.asNumber({ Ref: name });

  test.each([
    ['steps missing', { steps: undefined }, /^'steps' is missing: give a list of steps, e.g. steps: \[\{ name: 'extract'/],
    ['steps not a list', { steps: { name: 'extract' } }, /^'steps' is object, not a list: give a list of steps/],
    ['steps a string', { steps: 'extract' }, /^'steps' is 'extract', not a list: give a list of steps/],
  ])('fails on %s (untyped languages)', (_name, props, message) => {
    expect(() => setup(props as any)).toThrow(message);
  });

  test.each([
    ['runDeadline shorter than the longest step\'s timeout', { runDeadline: cdk.Duration.minutes(30) },
      /^'runDeadline' is 30 minutes, shorter than one attempt's 'timeout' \(2 hours\): .* Lower 'timeout' to at most 30 minutes, or raise 'runDeadline' to at least 2 hours\.$/],
    ['runDeadline 0', { runDeadline: cdk.Duration.seconds(0) }, /^'runDeadline' is 0 seconds: it must be a whole number of seconds of at least 1 minute/],
    ['runDeadline NaN', { runDeadline: cdk.Duration.hours(NaN) }, /^'runDeadline' is NaN seconds: it must be a whole number of seconds/],
    ['runDeadline a token', { runDeadline: cdk.Duration.seconds(numberToken('Deadline')) }, /^'runDeadline' is a token \(known only at deploy\): the run deadline is written into the state machine/],
    ['schedule as a string', { schedule: 'rate(1 hour)' }, /^'schedule' is 'rate\(1 hour\)', which is not a ScheduleExpression/],
    ['a step timeout NaN', { steps: [{ name: 'only', image: IMAGE, timeout: cdk.Duration.hours(NaN) }] }, /^Step 'only' of 'steps': 'timeout' is NaN seconds: it must be a whole number of seconds/],
    ['a step cpu Infinity', { steps: [{ name: 'only', image: IMAGE, cpu: Infinity }] }, /^Step 'only' of 'steps': 'cpu' is Infinity: it must be a positive number of vCPUs/],
    ['a step retryAttempts fractional', { steps: [{ name: 'only', image: IMAGE, retryAttempts: 1.5 }] }, /^Step 'only' of 'steps': 'retryAttempts' must be a whole number from 1 to 10, got 1.5/],
    ['a step arraySize NaN', { steps: [{ name: 'only', image: IMAGE, arraySize: NaN }] }, /^Step 'only' of 'steps': 'arraySize' is NaN: an AWS Batch array job has 2 to 10,000 children/],
    ['a step memory as a string', { steps: [{ name: 'only', image: IMAGE, memory: '2GiB' }] }, /^Step 'only' of 'steps': 'memory' is '2GiB', which is not a Size/],
    ['a step command reading an undeclared parameter', { steps: [{ name: 'only', image: IMAGE, command: ['run', 'Ref::day'] }] }, /^Step 'only' of 'steps': 'command' reads Ref::day, but 'parameters' declares no 'day'/],
    ['a token step retryAttempts without runDeadline', { steps: [{ name: 'only', image: IMAGE, retryAttempts: numberToken('Attempts') }] },
      /^Step 'only' of 'steps': 'retryAttempts' is a token \(known only at deploy\), but the default 'runDeadline' is computed at synth from each step's 'retryAttempts' x 'timeout': give it a concrete value, or set 'runDeadline'\.$/],
  ])('fails on bad input: %s', (_name, props, message) => {
    expect(() => setup(props as any)).toThrow(message);
  });

  test('tokens pass: a step\'s retryAttempts, timeout and arraySize, with a concrete runDeadline', () => {
    const { workflow, template } = setup({
      runDeadline: cdk.Duration.hours(8),
      steps: [{ name: 'only', image: IMAGE, retryAttempts: numberToken('Attempts'), timeout: cdk.Duration.seconds(numberToken('Timeout')), arraySize: numberToken('Size') }],
    });
    expect(workflow.deadline.toHours()).toBe(8);
    expect(JSON.stringify(template().toJSON())).not.toMatch(/e\+\d{3}/);
  });
});
