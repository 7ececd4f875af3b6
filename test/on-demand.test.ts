/**
 * A workload's run whose every attempt was a Spot reclaim is resubmitted once to the platform's On-Demand queue
 * (`resubmitOnDemand`), through the same engine and the same shared queue as a workflow step's `onDemandFallback`.
 */
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchPlatform, ScheduledBatchWorkload, ScheduledBatchWorkloadProps } from '../src';
import { simulate, TaskCall, TaskOutcome } from './support/asl-sim';
import { roleId, roleStatements } from './support/iam';
import { definitionOf } from './support/state-machine';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const SYNC = 'arn:aws:states:::batch:submitJob.sync';
const PUBLISH = 'arn:aws:states:::sns:publish';
const CONTEXT = {
  Execution: {
    Id: 'arn:aws:states:eu-west-2:123456789012:execution:Nightly:0123456789abcdef0123',
    Name: '0123456789abcdef0123',
    StartTime: '2026-12-02T02:00:01.250Z',
    Input: { scheduledTime: '2026-12-02T02:00:00Z' },
  },
  StateMachine: { Id: 'arn:aws:states:eu-west-2:123456789012:stateMachine:Nightly' },
  State: { EnteredTime: '2026-12-02T02:00:02.000Z' },
};
// Status reasons of reclaimed attempts: EC2 Spot (aws-cdk-lib Reason.SPOT_INSTANCE_RECLAIMED) and Fargate Spot.
const RECLAIMED = ['Host EC2 (instance i-0abc) terminated.', 'Your Spot Task was interrupted.'];

function setup(props: Partial<ScheduledBatchWorkloadProps> = {}, onDemandFallback = true) {
  const stack = new cdk.Stack(new cdk.App(), 'OnDemand', { env: { account: '123456789012', region: 'eu-west-2' } });
  const platform = new BatchPlatform(stack, 'Platform', { onDemandFallback });
  new ScheduledBatchWorkload(stack, 'Nightly', {
    platform, image: IMAGE, resubmitOnDemand: true, schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }), ...props,
  });
  return Template.fromStack(stack);
}

const failed = (reasons: string[]): TaskOutcome => ({
  error: { Error: 'States.TaskFailed', Cause: JSON.stringify({ JobId: 'spot-1', Status: 'FAILED', Attempts: reasons.map(StatusReason => ({ StatusReason })) }) },
});
const queues = (calls: TaskCall[]) => calls.filter(c => c.resource === SYNC).map(c => c.args.JobQueue as string);
const messages = (calls: TaskCall[]) => calls.filter(c => c.resource === PUBLISH).map(c => JSON.parse(c.args.Message).default as string);

describe('resubmitOnDemand', () => {
  const template = setup();
  const def = definitionOf(template);

  test('every attempt reclaimed: submitted once more to the platform\'s On-Demand queue; the run succeeds and publishes nothing', async () => {
    let n = 0;
    const run = await simulate(def, CONTEXT, c => (c.resource === SYNC && n++ === 0 ? failed(RECLAIMED) : { result: { JobId: 'od-1', Status: 'SUCCEEDED' } }));
    expect(run.status).toBe('SUCCEEDED');
    expect(queues(run.calls)).toEqual(['<PlatformJobQueue45479A00.JobQueueArn>', expect.stringMatching(/^<PlatformOnDemandJobQueue.*JobQueueArn>$/)]);
    expect(messages(run.calls)).toEqual([]);
  });

  test('the On-Demand run fails too: one message, which says the run was resubmitted', async () => {
    const run = await simulate(def, CONTEXT, c => (c.resource === SYNC ? failed(RECLAIMED) : { result: {} }));
    expect(run.status).toBe('JobFailed');
    expect(queues(run.calls)).toHaveLength(2);
    const [message] = messages(run.calls);
    expect(messages(run.calls)).toHaveLength(1);
    expect(message).toContain('Resubmitted On-Demand after every Spot attempt was reclaimed: yes');
  });

  test('an application error is not resubmitted: one message, no On-Demand run', async () => {
    const run = await simulate(def, CONTEXT, c => (c.resource === SYNC ? failed(['Essential container in task exited']) : { result: {} }));
    expect(run.status).toBe('JobFailed');
    expect(queues(run.calls)).toHaveLength(1);
    expect(messages(run.calls)).toHaveLength(1);
    expect(messages(run.calls)[0]).not.toContain('Resubmitted On-Demand');
  });

  test('the tracker may submit to the On-Demand queue, with this job definition only', () => {
    const json = template.toJSON();
    const statements = roleStatements(json, roleId(json, /^NightlyScheduleRunsStateMachineRole/)).filter((s: any) => s.Action === 'batch:SubmitJob');
    const onDemand = statements.find((s: any) => JSON.stringify(s.Resource).includes('PlatformOnDemandJobQueue'));
    expect(onDemand.Resource).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^PlatformOnDemandJobQueue/), 'JobQueueArn'] }, { Ref: expect.stringMatching(/^NightlyJobJobDefinition/) },
    ]);
  });

  test.each([
    ['a platform without On-Demand compute', {}, false, /has no On-Demand compute: create the platform with 'onDemandFallback: true'/],
    ['arraySize', { arraySize: 4 }, true, "'resubmitOnDemand' is true but 'arraySize' is 4: an array job's children cannot be resubmitted one by one. Leave 'resubmitOnDemand' out, or 'arraySize' (one job per run)."],
    ['trackRuns: false', { trackRuns: false }, true, /'resubmitOnDemand' is true but 'trackRuns' is false/],
  ])('refused at synth with %s', (_what, props, fallback, message) => {
    expect(() => setup(props as Partial<ScheduledBatchWorkloadProps>, fallback)).toThrow(message);
  });
});
