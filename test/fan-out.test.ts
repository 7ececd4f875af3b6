import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import jsonata from 'jsonata';
import { BatchPlatform, RunApi, ScheduledBatchWorkload, ScheduledBatchWorkloadProps } from '../src';
import { messageExpression, RUN_OUTCOMES, STATES } from './support/engine';
import { renderRunMessage } from './support/run-message';
import { definitionOf } from './support/state-machine';
import { renderVtl } from './support/vtl';
import { submitJobTemplate } from '../src/api/private/run-api-templates';

// https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html (aws-sdk:<service>:<action>)
const LIST_JOBS = 'arn:aws:states:::aws-sdk:batch:listJobs';
const SNS_PUBLISH = 'arn:aws:states:::sns:publish';
const IMAGE = 'public.ecr.aws/docker/library/python:3.13-slim';
const ACCOUNT = '123456789012';
const EXECUTION_ARN = `arn:aws:states:eu-west-2:${ACCOUNT}:execution:Runs:abc`;

function setup(props: Partial<ScheduledBatchWorkloadProps> = {}, options: { api?: boolean } = {}) {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'FanOut', { env: { account: ACCOUNT, region: 'eu-west-2' } });
  const platform = new BatchPlatform(stack, 'Platform');
  const runApi = options.api ? new RunApi(stack, 'RunApi') : undefined;
  const workload = new ScheduledBatchWorkload(stack, 'Shards', {
    platform,
    runApi,
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
    image: ecs.ContainerImage.fromRegistry(IMAGE),
    ...props,
  });
  return { stack, workload, template: () => Template.fromStack(stack) };
}

/** A failed array parent as the .sync Cause carries it (DescribeJobs detail, PascalCase). */
const PARENT = {
  JobId: 'a1b2c3d4-0000-1111-2222-333344445555',
  Status: 'FAILED',
  StatusReason: 'Array Child Job failed',
  ArrayProperties: { Size: 500, StatusSummary: { SUCCEEDED: 497, FAILED: 3 } },
  Attempts: [],
};

describe('fan-out: arraySize', () => {
  test('the tracked run submits an array job of N children', () => {
    const def = definitionOf(setup({ arraySize: 500 }).template());
    expect(def.States[STATES.run].Arguments.ArrayProperties).toEqual({ Size: 500 });
  });

  test('every JSONata expression of the array run\'s definition parses (jsonata 2.0.6)', () => {
    const walk = (v: any): string[] => typeof v === 'string' ? (/^\{%(.*)%\}$/s.exec(v) ? [v.slice(2, -2)] : [])
      : v && typeof v === 'object' ? Object.values(v).flatMap(walk) : [];
    const found = walk(definitionOf(setup({ arraySize: 500 }).template()));
    expect(found.length).toBeGreaterThan(10);
    for (const expr of found) expect(() => jsonata(expr)).not.toThrow();
  });

  test('without arraySize the run is a single job and there is no child lookup', () => {
    const def = definitionOf(setup().template());
    expect(def.States[STATES.run].Arguments.ArrayProperties).toBeUndefined();
    expect(def.States[STATES.listChildren]).toBeUndefined();
  });

  test('the untracked schedule submits an array job of N children', () => {
    const t = setup({ arraySize: 20, trackRuns: false }).template();
    const [schedule] = Object.values(t.findResources('AWS::Scheduler::Schedule')) as any[];
    const input = schedule.Properties.Target.Input;
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    expect(text).toContain('\\"ArrayProperties\\":{\\"Size\\":20}');
  });

  test('the RunApi SubmitJob request carries arrayProperties.size, from the workload', () => {
    const body = JSON.parse(renderVtl(submitJobTemplate({ jobName: 'shards', jobQueueArn: 'arn:q', jobDefinitionArn: 'arn:d:1', declared: [], arraySize: 7 }),
      { body: { scheduledTime: '2026-12-01T02:00:00Z' }, requestId: '4f3c2b1a-0000-1111-2222-333344445555' }).text);
    expect(body.arrayProperties).toEqual({ size: 7 });
    const t = setup({ arraySize: 7 }, { api: true }).template();
    const methods = t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST' } });
    const template = JSON.stringify(Object.values(methods).map((m: any) => m.Properties.Integration.RequestTemplates));
    expect(template).toContain('\\"arrayProperties\\": { \\"size\\": 7 }');
  });

  test('the run succeeds when the parent does: RunJob goes on to its succeeded event (the parent is SUCCEEDED only if every child is)', () => {
    // https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html: "If any child job fails, the parent job
    // fails"; .sync ends with the parent's final status.
    const def = definitionOf(setup({ arraySize: 500 }).template());
    expect(def.States[STATES.run].Next).toBe(STATES.succeededEvent);
    expect(def.States[STATES.succeededEvent].End).toBe(true);
  });

  test('a failed array run lists the FAILED children of the parent before its one message', () => {
    const def = definitionOf(setup({ arraySize: 500 }).template());
    const catchAll = def.States[STATES.run].Catch.find((c: any) => c.ErrorEquals.includes('States.ALL'));
    expect(catchAll.Next).toBe(STATES.listChildren);
    expect(catchAll.Assign.children).toBe('{% null %}');
    const list = def.States[STATES.listChildren];
    expect(list.Resource).toBe(LIST_JOBS);
    expect(list.Arguments).toEqual({ ArrayJobId: expect.stringMatching(/\? \$parse\(\$failure\.Cause\) : \{\}\)\.JobId %\}$/), JobStatus: 'FAILED', MaxResults: 100 });
    // Then the log tail (an array parent has no stream of its own: it says so) and the message.
    expect(list.Next).toBe(STATES.logTail);
    expect(list.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: STATES.logTail }]);
    expect(def.States[STATES.logTail].Next).toBe(STATES.notify);
    expect(def.States[STATES.notify].Resource).toBe(SNS_PUBLISH);
    expect(list.Resource).not.toBe(SNS_PUBLISH);
  });

  /** The facts of a failed run of a 500-child array job (PARENT) whose message is rendered. */
  const failedArrayRun = {
    workload: 'Shards',
    timeZone: 'UTC',
    logGroup: '/aws/batch/shards',
    scheduledTime: '2026-12-02T02:00:00Z',
    outcome: RUN_OUTCOMES.jobFailed,
    failure: { Error: 'States.TaskFailed', Cause: JSON.stringify(PARENT) },
    executionArn: EXECUTION_ARN,
    arrayed: true,
  };

  test('the message says how many children failed and links up to 10 of them; JSONata and TypeScript agree', async () => {
    const children = Array.from({ length: 12 }, (_, i) => ({ JobId: `${PARENT.JobId}:${30 - i}`, ArrayProperties: { Index: 30 - i } }));
    const facts = { ...failedArrayRun, deadlineText: '3 hours 25 minutes', children };
    const rendered = renderRunMessage(facts);
    expect(rendered).toContain('Children failed: 3 of 500');
    const links = rendered.split('\n').find(l => l.startsWith('Failed children (up to 10): '))!.split(' ').slice(5);
    expect(links).toHaveLength(10);
    expect(links[0]).toBe(`https://eu-west-2.console.aws.amazon.com/batch/home?region=eu-west-2#jobs/detail/${PARENT.JobId}:19`);
    expect(links[9]).toMatch(/:28$/);
    const message = await jsonata(messageExpression(facts.deadlineText, true)).evaluate({}, {
      ...facts, timeNote: 'UTC', job: null, stopped: false, parse: (s: string) => JSON.parse(s), states: { context: { Execution: { Id: EXECUTION_ARN } } },
    });
    expect(message).toBe(rendered);
  });

  test('when the children could not be listed the message still counts them and says n/a for the links', async () => {
    const facts = { ...failedArrayRun, deadlineText: '1 hour' };
    const rendered = renderRunMessage(facts);
    expect(rendered).toContain('Children failed: 3 of 500\nFailed children (up to 10): n/a');
    const message = await jsonata(messageExpression(facts.deadlineText, true)).evaluate({}, {
      ...facts, timeNote: 'UTC', job: null, stopped: false, parse: (s: string) => JSON.parse(s), children: null, states: { context: { Execution: { Id: EXECUTION_ARN } } },
    });
    expect(message).toBe(rendered);
  });

  test('retries apply per child: the job definition keeps its retry strategy, which AWS Batch applies to each child', () => {
    const t = setup({ arraySize: 4, retryAttempts: 2 }).template();
    t.hasResourceProperties('AWS::Batch::JobDefinition', { RetryStrategy: { Attempts: 2 } });
  });

  test.each([1, 0, 10_001, 2.5])('fails at synth on arraySize %p, naming the prop, the value and the range', (size) => {
    expect(() => setup({ arraySize: size }))
      .toThrow(`'arraySize' is ${size}: an AWS Batch array job has 2 to 10,000 children (a whole number); leave 'arraySize' out for a single job.`);
  });

  test('a token arraySize passes validation', () => {
    expect(() => setup({ arraySize: cdk.Token.asNumber({ Ref: 'Size' }) })).not.toThrow();
  });

  test('on a RunApi route alone, arraySize is validated too', () => {
    const { stack, workload } = setup();
    const api = new RunApi(stack, 'Api2');
    expect(() => api.addJob(workload.job, { routeName: 'x', arraySize: 10_001 })).toThrow("'arraySize' is 10001");
  });
});
