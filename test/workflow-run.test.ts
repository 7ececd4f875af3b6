/**
 * Runs of the rendered state machines, simulated (test/support/asl-sim.ts) with the real jsonata engine against
 * scripted AWS Batch, Step Functions and SNS results: which jobs are submitted in which order, what the one message
 * says, and how the execution ends.
 */
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchPlatform, OverlapPolicy, ScheduledBatchWorkflow, ScheduledBatchWorkflowProps, ScheduledBatchWorkload, WorkflowStep } from '../src';
import { simulate, TaskCall, TaskOutcome } from './support/asl-sim';
import { definitionOf } from './support/state-machine';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const ACCOUNT = '123456789012';
const SYNC = 'arn:aws:states:::batch:submitJob.sync';
const PUBLISH = 'arn:aws:states:::sns:publish';
const CONTEXT = {
  Execution: {
    Id: `arn:aws:states:eu-west-2:${ACCOUNT}:execution:Nightly:0123456789abcdef0123`,
    Name: '0123456789abcdef0123',
    StartTime: '2026-12-02T02:00:01.250Z',
    Input: { scheduledTime: '2026-12-02T02:00:00Z', parameters: { source: 's3://other' } },
  },
  StateMachine: { Id: `arn:aws:states:eu-west-2:${ACCOUNT}:stateMachine:Nightly` },
  State: { EnteredTime: '2026-12-02T02:00:02.000Z' },
};

const ETL: WorkflowStep[] = [
  { name: 'extract', image: IMAGE, parameters: { source: 's3://in' }, onDemandFallback: true },
  { name: 'transform-a', image: IMAGE, dependsOn: ['extract'], arraySize: 50 },
  { name: 'transform-b', image: IMAGE, dependsOn: ['extract'] },
  { name: 'load', image: IMAGE, dependsOn: ['transform-a', 'transform-b'] },
];

function definition(props: Partial<ScheduledBatchWorkflowProps> = {}): any {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Sim', { env: { account: ACCOUNT, region: 'eu-west-2' } });
  const platform = new BatchPlatform(stack, 'Platform', { onDemandFallback: true });
  new ScheduledBatchWorkflow(stack, 'Nightly', {
    platform, schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }), steps: ETL, ...props,
  });
  return definitionOf(Template.fromStack(stack));
}

/** The step a submission is for, from its job name `<workflow>-<step>-<time>-<execution>`. */
const stepOf = (c: TaskCall) => /-(extract|transform-a|transform-b|load)-[0-9A-Z]{16}-/.exec(c.args.JobName)?.[1];
const submits = (calls: TaskCall[]) => calls.filter(c => c.resource === SYNC).map(stepOf);
const published = (calls: TaskCall[]) => calls.filter(c => c.resource === PUBLISH).map(c => JSON.parse(c.args.Message).default as string);
const ok = (jobId: string): TaskOutcome => ({ result: { JobId: jobId, JobName: 'n', Status: 'SUCCEEDED' } });
const failedJob = (detail: object): TaskOutcome => ({ error: { Error: 'States.TaskFailed', Cause: JSON.stringify(detail) } });

describe('a simulated workflow run', () => {
  test('succeeds: every step submitted once, in dependency order, with the scheduled time and its parameters; nothing published', async () => {
    const run = await simulate(definition(), CONTEXT, c => ok(`${stepOf(c)}-1`));
    expect(run.status).toBe('SUCCEEDED');
    expect(submits(run.calls)).toEqual(['extract', 'transform-a', 'transform-b', 'load']);
    expect(published(run.calls)).toEqual([]);
    const extract = run.calls[0].args;
    expect(extract.JobName).toMatch(/-extract-20261202T020000Z-89abcdef0123$/);
    expect(extract.Parameters).toEqual({ source: 's3://other', scheduledTime: '2026-12-02T02:00:00Z' });
    expect(extract.ContainerOverrides.Environment).toEqual([{ Name: 'SCHEDULED_TIME', Value: '2026-12-02T02:00:00Z' }]);
    expect(run.calls[1].args.ArrayProperties).toEqual({ Size: 50 });
  });

  test('a failed step stops its dependents and the run publishes ONE message naming it, then ends JobFailed', async () => {
    const run = await simulate(definition(), CONTEXT, c => stepOf(c) === 'transform-b'
      ? failedJob({ JobId: 'tb-1', Status: 'FAILED', StatusReason: 'Essential container in task exited', Container: { ExitCode: 3, LogStreamName: 'tb/default/1' }, Attempts: [{ Container: { ExitCode: 3 }, StatusReason: 'Essential container in task exited' }] })
      : c.resource === PUBLISH ? { result: { MessageId: 'm' } } : ok(`${stepOf(c)}-1`));
    expect(submits(run.calls)).toEqual(['extract', 'transform-a', 'transform-b']);
    const [message] = published(run.calls);
    expect(published(run.calls)).toHaveLength(1);
    expect(message).toContain("Step 'transform-b' FAILED in AWS Batch; the steps that depend on it did not run.");
    expect(message).toContain('Failed step: transform-b\nJob id: tb-1\nJob status: FAILED\nStatus reason: Essential container in task exited\nExit code: 3\nAttempts finished: 1');
    expect(message).toContain('#jobs/detail/tb-1');
    expect(message).toContain('/log-events/tb$252Fdefault$252F1');
    expect(run.status).toBe('JobFailed');
  });

  test('a step whose Spot attempts were all reclaimed runs once more On-Demand; the run goes on', async () => {
    let extractCalls = 0;
    const run = await simulate(definition(), CONTEXT, c => {
      if (stepOf(c) === 'extract' && extractCalls++ === 0) {
        return failedJob({ JobId: 'ex-1', Status: 'FAILED', Attempts: [1, 2, 3].map(i => ({ StatusReason: `Host EC2 (instance i-${i}) terminated.` })) });
      }
      return ok(`${stepOf(c)}-1`);
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(submits(run.calls)).toEqual(['extract', 'extract', 'transform-a', 'transform-b', 'load']);
    expect(run.calls[0].args.JobQueue).toBe('<PlatformJobQueue45479A00.JobQueueArn>');
    expect(run.calls[1].args.JobQueue).toMatch(/^<PlatformOnDemandJobQueue.*JobQueueArn>$/);
    expect(published(run.calls)).toEqual([]);
  });

  test('an application error is not resubmitted On-Demand, and a failed On-Demand attempt says so in the one message', async () => {
    const noRetry = await simulate(definition(), CONTEXT, c => stepOf(c) === 'extract'
      ? failedJob({ JobId: 'ex-1', Status: 'FAILED', Attempts: [{ StatusReason: 'Essential container in task exited' }] })
      : { result: {} });
    expect(submits(noRetry.calls)).toEqual(['extract']);
    const twice = await simulate(definition(), CONTEXT, c => stepOf(c) === 'extract'
      ? failedJob({ JobId: 'ex-1', Status: 'FAILED', Attempts: [{ StatusReason: 'Host EC2 (instance i-1) terminated.' }] })
      : { result: {} });
    expect(submits(twice.calls)).toEqual(['extract', 'extract']);
    expect(published(twice.calls)).toHaveLength(1);
    expect(published(twice.calls)[0]).toContain('Resubmitted On-Demand after every Spot attempt was reclaimed: yes');
  });

  test('a failed array step lists its failed children and the message links them', async () => {
    const run = await simulate(definition(), CONTEXT, c => {
      if (c.resource.endsWith('batch:listJobs')) {
        expect(c.args).toEqual({ ArrayJobId: 'ta-1', JobStatus: 'FAILED', MaxResults: 100 });
        return { result: { JobSummaryList: [{ JobId: 'ta-1:31', ArrayProperties: { Index: 31 } }, { JobId: 'ta-1:4', ArrayProperties: { Index: 4 } }] } };
      }
      if (stepOf(c) === 'transform-a') {
        return failedJob({ JobId: 'ta-1', Status: 'FAILED', StatusReason: 'Array Child Job failed', ArrayProperties: { Size: 50, StatusSummary: { FAILED: 2, SUCCEEDED: 48 } }, Attempts: [] });
      }
      return ok(`${stepOf(c)}-1`);
    });
    const [message] = published(run.calls);
    expect(message).toContain('Children failed: 2 of 50\nFailed children (up to 10): https://eu-west-2.console.aws.amazon.com/batch/home?region=eu-west-2#jobs/detail/ta-1:4 https://eu-west-2.console.aws.amazon.com/batch/home?region=eu-west-2#jobs/detail/ta-1:31\n');
    expect(run.status).toBe('JobFailed');
  });

  test('a step past the deadline is found, stopped and reported once as DeadlinePassed', async () => {
    const run = await simulate(definition(), CONTEXT, c => {
      if (stepOf(c) === 'load') return { error: { Error: 'States.Timeout', Cause: 'timed out' } };
      if (c.resource.endsWith('batch:listJobs')) return { result: { JobSummaryList: [{ JobId: 'ld-9', Status: 'RUNNING' }] } };
      if (c.resource.endsWith('batch:terminateJob')) {
        expect(c.args.JobId).toBe('ld-9');
        return { result: {} };
      }
      return ok(`${stepOf(c)}-1`);
    });
    expect(run.calls.map(c => c.state).slice(-4)).toEqual(['load FindLateJob', 'load StopLateJob', 'Notify', 'SendRunEvent']);
    const [message] = published(run.calls);
    expect(message).toContain("Step 'load' was NOT DONE by the run's deadline");
    expect(message).toContain('Job id: ld-9');
    expect(message).toContain('The late job was stopped (AWS Batch TerminateJob).');
    expect(run.status).toBe('DeadlinePassed');
  });

  test('SKIP: an earlier running execution skips the run with one message and no job', async () => {
    const def = definition({ overlapPolicy: OverlapPolicy.SKIP });
    const run = await simulate(def, CONTEXT, c => c.resource.endsWith('sfn:listExecutions')
      ? { result: { Executions: [{ ExecutionArn: CONTEXT.Execution.Id, StartDate: CONTEXT.Execution.StartTime }, { ExecutionArn: 'arn:old', StartDate: '2026-12-01T02:00:00.000Z' }] } }
      : { result: {} });
    expect(submits(run.calls)).toEqual([]);
    expect(published(run.calls)).toHaveLength(1);
    expect(published(run.calls)[0]).toContain('The run was SKIPPED');
    expect(run.status).toBe('RunSkipped');
    const alone = await simulate(def, CONTEXT, c => c.resource.endsWith('sfn:listExecutions')
      ? { result: { Executions: [{ ExecutionArn: CONTEXT.Execution.Id, StartDate: CONTEXT.Execution.StartTime }] } } : ok('j'));
    expect(alone.status).toBe('SUCCEEDED');
  });

  test('QUEUE: waits while an earlier run is running, then runs the graph', async () => {
    let looks = 0;
    const run = await simulate(definition({ overlapPolicy: OverlapPolicy.QUEUE }), CONTEXT, c => c.resource.endsWith('sfn:listExecutions')
      ? { result: { Executions: looks++ < 2 ? [{ ExecutionArn: 'arn:old', StartDate: '2026-12-01T02:00:00.000Z' }] : [] } }
      : ok(`${stepOf(c)}-1`));
    expect(looks).toBe(3);
    expect(submits(run.calls)).toEqual(['extract', 'transform-a', 'transform-b', 'load']);
    expect(run.status).toBe('SUCCEEDED');
  });

  test('a message that cannot be published goes out plain; if that fails too the run ends NotificationFailed', async () => {
    let publishes = 0;
    const run = await simulate(definition(), CONTEXT, c => {
      if (c.resource === PUBLISH) return publishes++ === 0 ? { error: { Error: 'SNS.InternalError' } } : { result: {} };
      return stepOf(c) === 'extract' ? failedJob({ JobId: 'ex-1', Status: 'FAILED', Attempts: [] }) : ok('j');
    });
    expect(run.calls.filter(c => c.resource === PUBLISH).map(c => c.state)).toEqual(['Notify', 'NotifyWithoutDetails']);
    expect(run.status).toBe('JobFailed');
    const lost = await simulate(definition(), CONTEXT, c => c.resource === PUBLISH ? { error: { Error: 'SNS.InternalError' } }
      : failedJob({ JobId: 'ex-1', Status: 'FAILED', Attempts: [] }));
    expect(lost.status).toBe('NotificationFailed');
  });
});

describe('a simulated array run of a workload (RunTracker)', () => {
  test('a failed array run publishes one message with the failed children; a succeeded one publishes nothing', async () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Sim', { env: { account: ACCOUNT, region: 'eu-west-2' } });
    new ScheduledBatchWorkload(stack, 'Shards', { schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }), image: IMAGE, arraySize: 500 });
    const def = definitionOf(Template.fromStack(stack));
    const parent = { JobId: 'p-1', Status: 'FAILED', ArrayProperties: { Size: 500, StatusSummary: { FAILED: 1 } }, Attempts: [] };
    const run = await simulate(def, CONTEXT, c => c.resource === SYNC ? failedJob(parent)
      : c.resource.endsWith('batch:listJobs') ? { result: { JobSummaryList: [{ JobId: 'p-1:7', ArrayProperties: { Index: 7 } }] } } : { result: {} });
    expect(run.calls[0].args.ArrayProperties).toEqual({ Size: 500 });
    expect(published(run.calls)).toHaveLength(1);
    expect(published(run.calls)[0]).toContain('Children failed: 1 of 500\nFailed children (up to 10): https://eu-west-2.console.aws.amazon.com/batch/home?region=eu-west-2#jobs/detail/p-1:7\n');
    expect(run.status).toBe('JobFailed');
    const good = await simulate(def, CONTEXT, () => ok('p-2'));
    expect(good.status).toBe('SUCCEEDED');
    expect(published(good.calls)).toEqual([]);
  });
});
