/**
 * Overlap policy REPLACE (Kubernetes CronJob's `Replace`): the new run stops the earlier runs, each with one message,
 * terminates the active jobs of its workload or workflow, then runs. Rendered definitions, IAM, and simulated runs
 * (test/support/asl-sim.ts, real jsonata engine) of a workload, an array job and a workflow.
 */
import * as fs from 'fs';
import * as os from 'os';
import { join } from 'path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BatchPlatform, OverlapPolicy, ScheduledBatchWorkflow, ScheduledBatchWorkload, ScheduledBatchWorkloadProps, UnitPrices } from '../src';
import { readValidationReport } from './checkers/synth-fixtures';
import { simulate, TaskCall, TaskOutcome } from './support/asl-sim';
import { chatNotificationErrors, formsOf } from './support/chat-notification';
import { definitionOf } from './support/state-machine';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const ACCOUNT = '123456789012';
const ME = `arn:aws:states:eu-west-2:${ACCOUNT}:execution:Nightly:0123456789abcdef0123`;
const EARLIER = `arn:aws:states:eu-west-2:${ACCOUNT}:execution:Nightly:earlier000000000001`;
const CONTEXT = {
  Execution: { Id: ME, Name: '0123456789abcdef0123', StartTime: '2026-12-02T02:00:01.250Z', Input: { scheduledTime: '2026-12-02T02:00:00Z' } },
  StateMachine: { Id: `arn:aws:states:eu-west-2:${ACCOUNT}:stateMachine:Nightly` },
  State: { EnteredTime: '2026-12-02T02:00:02.000Z' },
};
// Resources of the AWS API calls, literal from https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
const API = {
  listExecutions: 'arn:aws:states:::aws-sdk:sfn:listExecutions',
  describeExecution: 'arn:aws:states:::aws-sdk:sfn:describeExecution',
  stopExecution: 'arn:aws:states:::aws-sdk:sfn:stopExecution',
  listJobs: 'arn:aws:states:::aws-sdk:batch:listJobs',
  terminateJob: 'arn:aws:states:::aws-sdk:batch:terminateJob',
  submit: 'arn:aws:states:::batch:submitJob.sync',
  publish: 'arn:aws:states:::sns:publish',
  // https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html
  putEvents: 'arn:aws:states:::events:putEvents',
};
// The default start check's one-time schedule (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
const CREATE_SCHEDULE = 'arn:aws:states:::aws-sdk:scheduler:createSchedule';
const callName = (c: TaskCall) => Object.entries(API).find(([, r]) => r === c.resource)?.[0] ?? c.resource;

function workload(props: Partial<ScheduledBatchWorkloadProps> = {}) {
  const stack = new cdk.Stack(new cdk.App(), 'Replace', { env: { account: ACCOUNT, region: 'eu-west-2' } });
  const platform = new BatchPlatform(stack, 'Platform');
  const w = new ScheduledBatchWorkload(stack, 'Nightly', {
    platform,
    image: IMAGE,
    overlapPolicy: OverlapPolicy.REPLACE,
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
    ...props,
  });
  return { stack, workload: w, template: Template.fromStack(stack) };
}

function workflow() {
  const stack = new cdk.Stack(new cdk.App(), 'ReplaceFlow', { env: { account: ACCOUNT, region: 'eu-west-2' } });
  const platform = new BatchPlatform(stack, 'Platform');
  new ScheduledBatchWorkflow(stack, 'Nightly', {
    platform,
    overlapPolicy: OverlapPolicy.REPLACE,
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
    steps: [{ name: 'extract', image: IMAGE }, { name: 'load', image: IMAGE, dependsOn: ['extract'], arraySize: 4 }],
  });
  return { stack, template: Template.fromStack(stack) };
}

/** Scripted AWS answers: one earlier execution running, and `active` jobs of the workload on the queue. */
function answers(jobPrefix: string, active: number): (c: TaskCall) => TaskOutcome {
  return c => {
    switch (callName(c)) {
      case 'listExecutions':
        return {
          result: {
            Executions: [
              { ExecutionArn: ME, StartDate: '2026-12-02T02:00:01.250Z', Status: 'RUNNING' },
              { ExecutionArn: EARLIER, StartDate: '2026-12-01T02:00:01.000Z', Status: 'RUNNING' },
            ],
          },
        };
      case 'describeExecution':
        return { result: { ExecutionArn: c.args.ExecutionArn, Input: JSON.stringify({ scheduledTime: '2026-12-01T02:00:00Z' }), StartDate: '2026-12-01T02:00:01.000Z' } };
      case 'listJobs':
        return {
          result: {
            JobSummaryList: [...Array(active).keys()].map(i => ({
              JobId: `old-${i}`, JobName: `${jobPrefix}-20261201T020000Z-earlier00000${i}`, Status: 'RUNNING', CreatedAt: 100 + i,
            })),
          },
        };
      case 'submit':
        return { result: { JobId: 'new-1', JobName: 'n', Status: 'SUCCEEDED' } };
      default:
        return { result: {} };
    }
  };
}

describe('overlap policy REPLACE: a workload', () => {
  const { template, workload: w } = workload();
  const def = definitionOf(template);

  test('the run first stops the earlier runs and terminates the workload\'s active jobs, then submits', () => {
    expect(def.StartAt).toBe('FindRunsToReplace');
    expect(def.States.FindRunsToReplace).toMatchObject({ Resource: API.listExecutions, Next: 'StopReplacedRuns' });
    expect(def.States.StopReplacedRuns).toMatchObject({ Type: 'Map', Items: '{% $earlierRuns %}', MaxConcurrency: 1, Next: 'FindJobsToReplace' });
    expect(Object.keys(def.States.StopReplacedRuns.ItemProcessor.States).sort()).toEqual(['DescribeReplacedRun', 'NotifyReplacedRun', 'ReplacedRunEvent', 'ReplacedRunEventNotSent', 'StopReplacedRun']);
    expect(def.States.FindJobsToReplace).toMatchObject({ Resource: API.listJobs, Next: 'TerminateReplacedJobs' });
    // Then the default start check's schedule (its deadline counts from the submission, after the replacing), then the job.
    expect(def.States.TerminateReplacedJobs).toMatchObject({ Type: 'Map', Items: '{% $activeJobs %}', Next: 'ScheduleStartCheck' });
    expect(def.States.ScheduleStartCheck.Next).toBe('RunJob');
    // A lookup that fails runs the job anyway.
    expect(def.States.FindJobsToReplace.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'ScheduleStartCheck' }]);
    expect(def.States.FindRunsToReplace.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'FindJobsToReplace' }]);
  });

  test('an earlier run is stopped with one message naming both scheduled times; its job is terminated; the new run publishes nothing of its own', async () => {
    const prefix = w.job.jobName;
    const run = await simulate(def, CONTEXT, answers(prefix, 1));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls.map(callName)).toEqual(['listExecutions', 'describeExecution', 'stopExecution', 'publish', 'putEvents', 'listJobs', 'terminateJob', CREATE_SCHEDULE, 'submit', 'putEvents']);
    const stop = run.calls[2].args;
    expect(stop).toEqual({ ExecutionArn: EARLIER, Error: 'RunReplaced', Cause: 'Replaced by the run of 2026-12-02T02:00:00Z (overlap policy REPLACE)' });
    const message = run.calls[3].args;
    expect(message.Subject).toBe('Replace/Nightly: run 2026-12-01T02:00:00Z replaced');
    expect(message.Message).toContain('Replace/Nightly: the scheduled run of 2026-12-01T02:00:00Z was REPLACED by the run of 2026-12-02T02:00:00Z (overlap policy REPLACE)');
    expect(message.Message).toContain(`#/v2/executions/details/${EARLIER}`);
    // In both forms; the chat card is valid.
    const { text, card } = formsOf(message.Message);
    expect(text).toContain('was REPLACED by the run of 2026-12-02T02:00:00Z');
    expect(card.content).toEqual({ textType: 'client-markdown', title: 'Replace/Nightly: run 2026-12-01T02:00:00Z replaced', description: text });
    expect(chatNotificationErrors(card)).toEqual([]);
    // Its event: REPLACED, about the replaced run.
    expect(run.calls[4].args.Entries[0].Detail).toMatchObject({ outcome: 'REPLACED', execution: EARLIER, scheduledTime: '2026-12-01T02:00:00Z', jobId: null });
    expect(run.calls[9].args.Entries[0].Detail).toMatchObject({ outcome: 'SUCCEEDED', execution: ME });
    expect(run.calls[6].args).toEqual({ JobId: 'old-0', Reason: 'Replaced by the run of 2026-12-02T02:00:00Z (overlap policy REPLACE)' });
  });

  test('with nothing to replace, the run submits its job and publishes nothing', async () => {
    const run = await simulate(def, CONTEXT, c => callName(c) === 'listExecutions' ? { result: { Executions: [{ ExecutionArn: ME, StartDate: CONTEXT.Execution.StartTime }] } }
      : answers(w.job.jobName, 0)(c));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls.map(callName)).toEqual(['listExecutions', 'listJobs', CREATE_SCHEDULE, 'submit', 'putEvents']);
  });

  test('a run started outside the schedule (RunApi, by hand) has no execution: its job is still terminated', async () => {
    const run = await simulate(def, CONTEXT, c => callName(c) === 'listExecutions' ? { result: { Executions: [] } } : answers(w.job.jobName, 2)(c));
    expect(run.calls.map(callName)).toEqual(['listExecutions', 'listJobs', 'terminateJob', 'terminateJob', CREATE_SCHEDULE, 'submit', 'putEvents']);
    expect(run.calls.filter(c => callName(c) === 'publish')).toEqual([]);
  });

  test('IAM: ListExecutions on this state machine, Describe/StopExecution on its executions only (a policy of their own), TerminateJob on jobs', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    const own = policies.find(p => JSON.stringify(p).includes('states:StopExecution'));
    expect(own.Properties.PolicyName).toMatch(/OverlapCheckPolicy/);
    const statements = own.Properties.PolicyDocument.Statement;
    expect(statements[0]).toMatchObject({ Action: 'states:ListExecutions', Resource: { Ref: expect.stringMatching(/StateMachine/) } });
    expect(statements[1].Action).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    expect(JSON.stringify(statements[1].Resource)).toMatch(/:execution:".*StateMachine.*Name.*":\*"/);
    const all = JSON.stringify(policies);
    expect(all).not.toMatch(/"states:StopExecution","Effect":"Allow","Resource":"\*"/);
  });

  test('cdk-nag: the wildcard on its own executions (execution:<name>:*) is acknowledged with its reason, no finding is left', () => {
    const outdir = fs.mkdtempSync(join(os.tmpdir(), 'replace-nag-'));
    try {
      const app = new cdk.App({ outdir });
      const stack = new cdk.Stack(app, 'ReplaceNag');
      new ScheduledBatchWorkload(stack, 'Nightly', {
        schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }), image: IMAGE, overlapPolicy: OverlapPolicy.REPLACE,
      });
      cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      const assembly = app.synth();
      // In-memory, a remaining finding throws; one acknowledged is left out of the report.
      const { findings } = readValidationReport(join(assembly.directory, 'validation-report.json'));
      expect(findings.filter(f => f.plugin === 'AwsSolutions')).toEqual([]);
      const policy = stack.node.findAll().find(c => c.node.path.endsWith('/OverlapCheckPolicy/Resource'))!;
      const acknowledged = Object.assign({}, ...policy.node.metadata
        .filter(m => m.type === cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map(m => m.data));
      expect(Object.entries(acknowledged)).toEqual([[
        expect.stringMatching(/AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<NightlyScheduleRunsStateMachine[0-9A-F]{8}\.Name>:\*\]$/),
        expect.stringContaining('states:DescribeExecution and states:StopExecution act on the earlier run'),
      ]]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('state transitions: 4 more per run, 4 per replaced run (its message and its event), 1 per terminated job; docs/operations.md says so', () => {
    // From the start to the start check (part of every run by default) with nothing to replace: two lookups and two Map states with no items.
    const path: string[] = [];
    for (let name: string = def.StartAt; name !== 'ScheduleStartCheck'; name = def.States[name].Next) path.push(name);
    expect(path).toEqual(['FindRunsToReplace', 'StopReplacedRuns', 'FindJobsToReplace', 'TerminateReplacedJobs']);
    // Describe, stop, its message, its event (and, only when the event fails, ReplacedRunEventNotSent).
    expect(Object.keys(def.States.StopReplacedRuns.ItemProcessor.States)).toHaveLength(5);
    expect(def.States.StopReplacedRuns.ItemProcessor.States.ReplacedRunEvent.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'ReplacedRunEventNotSent' }]);
    // One TerminateJob per job; its catch (a job without the workload tag is not the role's to stop) only on a refusal.
    const terminate = def.States.TerminateReplacedJobs.ItemProcessor;
    expect(terminate.StartAt).toBe('TerminateReplacedJob');
    expect(terminate.States.TerminateReplacedJob.End).toBe(true);
    expect(terminate.States.TerminateReplacedJob.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'ReplacedJobNotStopped' }]);
    const price = (4 * UnitPrices.STATE_TRANSITION).toFixed(4);
    const operations = fs.readFileSync(require.resolve('../docs/operations.md'), 'utf8');
    expect(operations).toContain(`| ${path.length} state transitions more per run when nothing is active ($${price}); 4 more (one SNS message and one event) per replaced run, 1 per terminated job |`);
  });

  test('REPLACE without run tracking fails at synth, naming the props', () => {
    expect(() => workload({ trackRuns: false }))
      .toThrow("'overlapPolicy' is REPLACE but 'trackRuns' is false: REPLACE acts in the tracked run, before it submits.");
  });
});

describe('overlap policy REPLACE: an array job and a workflow', () => {
  test('an array job\'s parent is terminated (AWS Batch terminates its children with it)', async () => {
    const { template, workload: w } = workload({ arraySize: 10 });
    const run = await simulate(definitionOf(template), CONTEXT, answers(w.job.jobName, 1));
    expect(run.calls.map(callName)).toEqual(['listExecutions', 'describeExecution', 'stopExecution', 'publish', 'putEvents', 'listJobs', 'terminateJob', 'submit', 'putEvents']);
    expect(run.calls[7].args.ArrayProperties).toEqual({ Size: 10 });
  });

  test('a workflow stops the earlier execution, terminates the jobs of any of its steps, then runs its levels', async () => {
    const { template } = workflow();
    const def = definitionOf(template);
    expect(def.StartAt).toBe('FindRunsToReplace');
    expect(def.States.TerminateReplacedJobs.Next).toBe('Level1');
    const first = (await simulate(def, CONTEXT, () => ({ result: { JobId: 'x', Status: 'SUCCEEDED' } }))).calls;
    const jobName = first.find(c => callName(c) === 'submit')!.args.JobName as string;
    const prefix = jobName.replace(/-extract-[0-9A-Z]{16}-.*$/, '');
    const run = await simulate(def, CONTEXT, c => {
      if (callName(c) === 'listJobs') {
        return {
          result: {
            JobSummaryList: [
              { JobId: 'step-job', JobName: `${prefix}-load-20261201T020000Z-earlier000001`, Status: 'RUNNABLE', CreatedAt: 1 },
              { JobId: 'other', JobName: `${prefix}x-load-20261201T020000Z-earlier000001`, Status: 'RUNNING', CreatedAt: 2 },
            ],
          },
        };
      }
      return answers(prefix, 0)(c);
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls.map(callName)).toEqual(['listExecutions', 'describeExecution', 'stopExecution', 'publish', 'putEvents', 'listJobs', 'terminateJob', 'submit', 'submit', 'putEvents']);
    expect(run.calls[6].args.JobId).toBe('step-job');
    expect(run.calls[3].args.Message).toContain('was REPLACED by the run of 2026-12-02T02:00:00Z');
  });
});

describe('OverlapPolicy from untyped languages', () => {
  test.each([['skip'], ['SKIP'], [1], [{ name: 'SKIP' }]])('a foreign value %p is refused, naming the prop and the accepted values', (value) => {
    expect(() => workload({ overlapPolicy: value as any }))
      .toThrow(/'overlapPolicy' is .*: give one of OverlapPolicy.ALLOW, OverlapPolicy.QUEUE, OverlapPolicy.SKIP or OverlapPolicy.REPLACE/);
  });

  test('each policy has its name', () => {
    expect([OverlapPolicy.ALLOW, OverlapPolicy.QUEUE, OverlapPolicy.SKIP, OverlapPolicy.REPLACE].map(String)).toEqual(['ALLOW', 'QUEUE', 'SKIP', 'REPLACE']);
  });
});
