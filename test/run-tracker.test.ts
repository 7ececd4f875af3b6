import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import jsonata from 'jsonata';
import { BatchJob, BatchJobAttributes, RunCapacity, RunCost, RunTracker, RunTrackerProps, ScheduledBatchWorkload, StartDeadlineAction, UnitPrices } from '../src';
import { readValidationReport } from './checkers/synth-fixtures';
import { messageExpression, notificationExpression, RUN_OUTCOMES, SCHEDULED_TIME, STATES } from './support/engine';
import { roleId, roleStatements } from './support/iam';
import { renderCostLine, renderRunMessage } from './support/run-message';
import { costLine } from '../src/runs/engine/messages';

// Literal names from the AWS documentation, not imported from src, so a typo in src fails here.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-batch.html
const BATCH_SYNC = 'arn:aws:states:::batch:submitJob.sync';
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html
const SNS_PUBLISH = 'arn:aws:states:::sns:publish';
// https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html
const SCHEDULED_TIME_ATTRIBUTE = '<aws.scheduler.scheduled-time>';
// https://docs.aws.amazon.com/step-functions/latest/dg/batch-iam.html
const BATCH_RULE = 'arn:aws:events:eu-west-2:123456789012:rule/StepFunctionsGetEventsForBatchJobsRule';

const REGION = 'eu-west-2';
const QUEUE_ARN = `arn:aws:batch:${REGION}:123456789012:job-queue/nightly-queue`;
const JOB_DEF_ARN = `arn:aws:batch:${REGION}:123456789012:job-definition/nightly-report:7`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:123456789012:runs`;
const EXECUTION_ARN = `arn:aws:states:${REGION}:123456789012:execution:Runs:c0ffee12-3456-7890-abcd-ef0123456789`;

function setup(props: Partial<RunTrackerProps> = {}, appProps: cdk.AppProps = {}, job: Partial<BatchJobAttributes> = {}) {
  const app = new cdk.App(appProps);
  const stack = new cdk.Stack(app, 'Tracked', { env: { account: '123456789012', region: REGION } });
  const tracker = new RunTracker(stack, 'Runs', {
    job: BatchJob.fromBatchJobAttributes(stack, 'Job', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN),
      jobDefinitionArn: JOB_DEF_ARN,
      jobName: 'nightly-report',
      timeout: cdk.Duration.hours(1),
      retryAttempts: 3,
      ...job,
    }),
    notificationTopic: sns.Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN),
    workloadName: 'Nightly report',
    ...props,
  });
  return { app, stack, tracker };
}

/** The state machine definition with CloudFormation joins flattened (AWS::Partition -> aws). */
function definitionOf(stack: cdk.Stack): any {
  const machines = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
  // The run's state machine, not the stack's start check (on by default).
  const [machine] = Object.entries(machines).filter(([id]) => !id.startsWith('StartDeadlineCheck')).map(([, m]) => m) as any[];
  const flatten = (v: any): string => {
    if (typeof v === 'string') return v;
    if (v && Array.isArray(v['Fn::Join'])) return (v['Fn::Join'][1] as any[]).map(flatten).join(v['Fn::Join'][0]);
    if (v && v.Ref === 'AWS::Partition') return 'aws';
    // The start check's state machine and scheduler role (ScheduleStartCheck's target), as <LogicalId> / <LogicalId.Attr>.
    if (v && typeof v.Ref === 'string' && v.Ref.startsWith('StartDeadlineCheck')) return `<${v.Ref}>`;
    if (v && Array.isArray(v['Fn::GetAtt']) && v['Fn::GetAtt'][0].startsWith('StartDeadlineCheck')) return `<${v['Fn::GetAtt'].join('.')}>`;
    throw new Error(`unexpected token in the definition: ${JSON.stringify(v)}`);
  };
  return JSON.parse(flatten(machine.Properties.DefinitionString));
}

/** Every way through the state machine once the job did not succeed: the states visited and how each ended. */
function failurePaths(def: any): { states: string[]; published: number; end: string }[] {
  const paths: { states: string[]; published: number; end: string }[] = [];
  const walk = (name: string, visited: string[], published: number) => {
    const state = def.States[name];
    if (visited.includes(name)) throw new Error(`loop through ${name}`);
    const here = [...visited, name];
    if (state.Type === 'Fail') {
      paths.push({ states: here, published, end: name });
      return;
    }
    const publishes = state.Resource === SNS_PUBLISH ? 1 : 0;
    if (state.Next) walk(state.Next, here, published + publishes); // the state succeeded
    for (const c of state.Catch ?? []) walk(c.Next, here, published); // the state failed: it published nothing
  };
  // From the job's state: the default start check's state before it publishes nothing either way (its Catch goes on to RunJob).
  for (const c of def.States[STATES.run].Catch) walk(c.Next, [STATES.run], 0);
  return paths;
}

describe('RunTracker state machine', () => {
  test('submits the job with .sync under the deadline, and ends the run after a success with its event, without publishing', () => {
    const { stack, tracker } = setup();
    const def = definitionOf(stack);
    const run = def.States[STATES.run];

    // The default start check's one state comes first (test/start-deadline.test.ts), then the job.
    expect(def.StartAt).toBe('ScheduleStartCheck');
    expect(def.States.ScheduleStartCheck.Next).toBe(STATES.run);
    expect(def.QueryLanguage).toBe('JSONata');
    expect(run.Type).toBe('Task');
    expect(run.Resource).toBe(BATCH_SYNC);
    // 3 attempts x 1 hour + 15 minutes + 2 x 5 minutes.
    expect(run.TimeoutSeconds).toBe(3 * 3600 + 15 * 60 + 2 * 5 * 60);
    expect(tracker.deadline.toSeconds()).toBe(run.TimeoutSeconds);
    expect(run.Next).toBe(STATES.succeededEvent);
    expect(def.States[STATES.succeededEvent]).toMatchObject({ Resource: 'arn:aws:states:::events:putEvents', End: true });
    expect(run.Arguments).toMatchObject({ JobQueue: QUEUE_ARN, JobDefinition: JOB_DEF_ARN });
    expect(run.Arguments.JobName).toMatch(/^\{% \$substring\("nightly-report", 0, 98\) & '-' & /);
  });

  test('hands the scheduled time to the job as the parameter scheduledTime and the variable SCHEDULED_TIME', () => {
    const { stack } = setup();
    const args = definitionOf(stack).States[STATES.run].Arguments;

    const fromInput = `{% ${SCHEDULED_TIME} %}`;
    expect(fromInput).toContain('$states.context.Execution.Input.scheduledTime');
    expect(args.Parameters).toEqual({ scheduledTime: fromInput });
    expect(args.ContainerOverrides).toEqual({ Environment: [{ Name: 'SCHEDULED_TIME', Value: fromInput }] });
    expect(RunTracker.SCHEDULED_TIME_ENV).toBe('SCHEDULED_TIME');
    expect(RunTracker.SCHEDULED_TIME_PARAMETER).toBe('scheduledTime');
  });

  test('catches every error of the run: a timeout looks the job up first, anything else goes to the message', () => {
    const { stack } = setup();
    const def = definitionOf(stack);

    expect(def.States[STATES.run].Catch.map((c: any) => [c.ErrorEquals, c.Next])).toEqual([
      [['States.Timeout'], STATES.findJob],
      [['States.ALL'], STATES.logTail],
    ]);
    expect(def.States[STATES.findJob].Resource).toBe('arn:aws:states:::aws-sdk:batch:listJobs');
    expect(def.States[STATES.findJob].Arguments.Filters[0].Name).toBe('JOB_NAME');
    // The lookup asks for the very name the run submitted.
    expect(def.States[STATES.findJob].Arguments.Filters[0].Values).toEqual([def.States[STATES.run].Arguments.JobName]);
    expect(def.States[STATES.describeJob].Resource).toBe('arn:aws:states:::aws-sdk:batch:describeJobs');
    // At the deadline the job is stopped explicitly, with a reason that shows in AWS Batch.
    expect(def.States[STATES.stopJob]).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:batch:terminateJob',
      Arguments: { JobId: '{% $job.JobId %}', Reason: 'Scheduled run passed its deadline of 3 hours 25 minutes (RunTracker)' },
      Assign: { stopped: true },
      Next: STATES.logTail,
    });
    expect(def.States[STATES.logTail]).toMatchObject({ Resource: 'arn:aws:states:::aws-sdk:cloudwatchlogs:getLogEvents', Next: STATES.notify });
    expect(def.States[STATES.notify]).toMatchObject({ Type: 'Task', Resource: SNS_PUBLISH, Next: STATES.event });
    expect(def.States[STATES.event]).toMatchObject({ Resource: 'arn:aws:states:::events:putEvents', Next: STATES.failed });
    expect(def.States[STATES.notify].Arguments.TopicArn).toBe(TOPIC_ARN);
    expect(def.States[STATES.failed]).toMatchObject({ Type: 'Fail', Error: '{% $outcome %}' });
  });

  test('every way a bad run can go publishes exactly one message before the execution fails', () => {
    const { stack } = setup();
    const paths = failurePaths(definitionOf(stack));

    expect(paths.length).toBeGreaterThanOrEqual(8);
    for (const p of paths) {
      if (p.end === STATES.failed) expect({ path: p.states, published: p.published }).toEqual({ path: p.states, published: 1 });
      else expect({ path: p.states, end: p.end, published: p.published }).toEqual({ path: p.states, end: STATES.notificationFailed, published: 0 });
    }
    const tail = [STATES.logTail, STATES.notify, STATES.event, STATES.failed];
    expect(paths.map(p => p.states)).toContainEqual([STATES.run, STATES.findJob, STATES.describeJob, STATES.stopJob, ...tail]);
    expect(paths.map(p => p.states)).toContainEqual([STATES.run, ...tail]);
    expect(paths.map(p => p.states)).toContainEqual([STATES.run, STATES.logTail, STATES.notify, STATES.notifyPlain, STATES.event, STATES.failed]);
    // The event's failure does not undo the message: it is caught, and the run ends as it would have.
    expect(paths.map(p => p.states)).toContainEqual([STATES.run, STATES.logTail, STATES.notify, STATES.event, STATES.failed]);
  });

  test('a message that cannot be rendered is not retried; a publish error is', () => {
    const { stack } = setup();
    const notify = definitionOf(stack).States[STATES.notify];

    expect(notify.Retry).toEqual([
      { ErrorEquals: ['States.QueryEvaluationError'], MaxAttempts: 0 },
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 },
    ]);
  });

  test('the message names the workload, scheduled time, job id, status reason, exit code, attempts and links', () => {
    const { stack } = setup({ timeZone: 'Europe/London' }, {}, { logGroupName: '/aws/batch/nightly-report' });
    const def = definitionOf(stack);
    const message: string = def.States[STATES.notify].Arguments.Message;

    expect(message).toBe(`{% ${notificationExpression('3 hours 25 minutes')} %}`);
    expect(def.States[STATES.notify].Arguments.MessageStructure).toBe('json');
    for (const field of ['Workload: ', 'Scheduled time: ', 'Job id: ', 'Status reason: ', 'Exit code: ', 'Attempts finished: ',
      'batch/home?region=', '#jobs/detail/', 'cloudwatch/home?region=', '#logsV2:log-groups/log-group/', 'states/home?region=']) {
      expect(message).toContain(field);
    }
    const assign = def.States[STATES.run].Catch[1].Assign;
    expect(assign).toMatchObject({
      workload: 'Nightly report',
      logGroup: '/aws/batch/nightly-report',
      timeNote: "UTC; the schedule's time zone is Europe/London",
      failure: '{% $states.errorOutput %}',
      job: '{% null %}',
      stopped: false,
    });
    expect(def.States[STATES.run].Catch[0].Assign.outcome).toBe(RUN_OUTCOMES.deadlinePassed);
  });

  test('logs every state event, without execution data, to a retained log group; X-Ray is off', () => {
    const { stack } = setup();
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', [Match.stringLikeRegexp('^/aws/vendedlogs/states/.*-$'), { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]] },
      RetentionInDays: 365,
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: false },
    });
  });

  test('the role gets exactly the .sync Batch policy, the two lookups, the logging delivery, sns:Publish, the event and the log tail', () => {
    // Without the start check, whose two statements on this role test/start-deadline.test.ts asserts (on by default there).
    const { stack } = setup({ onStartDeadline: StartDeadlineAction.NONE });
    const template = Template.fromStack(stack).toJSON();
    const flat = (v: any) => JSON.parse(JSON.stringify(v).replace(/\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},"([^"]*)"\]\]\}/g, '"arn:aws$1"'));

    // The statements are inline in the role: no separate policy resource.
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::IAM::Policy'))).toHaveLength(0);
    expect(flat(roleStatements(template, roleId(template, /StateMachineRole/)))).toEqual([
      // The run's event, on exactly the default bus (no eventBus given).
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: 'arn:aws:events:eu-west-2:123456789012:event-bus/default' },
      // The typed lookup and publish tasks' own statements.
      { Action: 'batch:ListJobs', Effect: 'Allow', Resource: '*' },
      { Action: 'batch:DescribeJobs', Effect: 'Allow', Resource: '*' },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: TOPIC_ARN },
      {
        // Step Functions' own statement for log delivery: these actions have no resource-level permissions.
        Action: ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
        Effect: 'Allow',
        Resource: '*',
      },
      { Action: 'batch:SubmitJob', Effect: 'Allow', Resource: [QUEUE_ARN, JOB_DEF_ARN] },
      // Tagging at SubmitJob: only the workload tag key, only this job's value (src/private/job-tags.ts).
      {
        Action: 'batch:TagResource',
        Condition: {
          'StringEquals': { 'aws:RequestTag/cdk-scheduled-batch:workload': ['nightly-report'] },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['cdk-scheduled-batch:workload'] },
        },
        Effect: 'Allow',
        Resource: `arn:aws:batch:${REGION}:123456789012:job/*`,
      },
      // TerminateJob (the deadline stop, and .sync's own on a stopped execution) of jobs with this workload's tag only.
      {
        Action: 'batch:TerminateJob',
        Condition: { StringEquals: { 'aws:ResourceTag/cdk-scheduled-batch:workload': ['nightly-report'] } },
        Effect: 'Allow',
        Resource: `arn:aws:batch:${REGION}:123456789012:job/*`,
      },
      { Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], Effect: 'Allow', Resource: BATCH_RULE },
      // The log tail: the streams of the job's own log group only.
      { Action: 'logs:GetLogEvents', Effect: 'Allow', Resource: 'arn:aws:logs:eu-west-2:123456789012:log-group:/aws/batch/job:log-stream:*' },
    ]);
  });

  test('cdk-nag: the wildcard resources and X-Ray off (SF2) are acknowledged with reasons on the tracker\'s own resources', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-tracker-nag-'));
    try {
      // Without the start check: its acknowledged wildcards are test/start-deadline.test.ts's (on by default there).
      const { app, tracker } = setup({ onStartDeadline: StartDeadlineAction.NONE }, { outdir });
      cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      app.synth();
      const report = path.join(outdir, 'validation-report.json');
      const findings = fs.existsSync(report) ? readValidationReport(report).findings : [];
      expect(findings.filter(f => f.plugin === 'AwsSolutions')).toEqual([]);
      expect(JSON.stringify(tracker.stateMachine.node.defaultChild!.node.metadata)).toContain('AwsSolutions-SF2');
      // The policy has "*" and job/* resources (asserted above), so IAM5 fires unless acknowledged, with these reasons.
      const acknowledged = tracker.stateMachine.role.node.metadata
        .filter(m => m.type === cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .map(m => m.data as Record<string, string>);
      expect(acknowledged).toEqual([
        { 'Annotation::AwsSolutions-IAM5[Resource::*]': expect.stringContaining('batch:DescribeJobs and batch:ListJobs have no resource-level permissions') },
        { 'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:batch:eu-west-2:123456789012:job/*]': expect.stringContaining('batch:TerminateJob') },
        { 'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:eu-west-2:123456789012:log-group:/aws/batch/job:log-stream:*]': expect.stringContaining('logs:GetLogEvents') },
      ]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('RunTracker schedule target', () => {
  test('starts one execution per scheduled time with the scheduled time as input, with the given retries and DLQ', () => {
    const { stack, tracker } = setup();
    const dlq = new sqs.Queue(stack, 'Dlq');
    new scheduler.Schedule(stack, 'Schedule', {
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2', timeZone: cdk.TimeZone.EUROPE_LONDON }),
      target: tracker.scheduleTarget({ deadLetterQueue: dlq, retryAttempts: 5, maxEventAge: cdk.Duration.hours(1) }),
    });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: {
        Arn: { Ref: Match.stringLikeRegexp('^RunsStateMachine') },
        Input: JSON.stringify({ scheduledTime: SCHEDULED_TIME_ATTRIBUTE }),
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dlq'), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('^RunsStateMachine') } }]),
      },
    });
  });
});

describe('RunTracker props', () => {
  test('an explicit deadline is the Task timeout; one shorter than the attempts is reported as info', () => {
    const { stack, tracker } = setup({ deadline: cdk.Duration.hours(2) });

    expect(definitionOf(stack).States[STATES.run].TimeoutSeconds).toBe(7200);
    expect(tracker.deadline.toHours()).toBe(2);
    Annotations.fromStack(stack).hasInfo('/Tracked/Runs', Match.stringLikeRegexp("'deadline' \\(2 hours\\) is shorter than 'retryAttempts' x 'timeout' \\(3 hours\\)"));
  });

  test('a schedule that never fires is refused with the prop, the value and a fix', () => {
    expect(() => setup({ schedule: scheduler.ScheduleExpression.expression('cron(0 0 31 2 ? *)') }))
      .toThrow(/'schedule' cron\(0 0 31 2 \? \*\) never fires: .*use 'L'/);
  });

  test('a deadline over the 1-year Step Functions limit is refused', () => {
    expect(() => setup({}, {}, { timeout: cdk.Duration.days(40), retryAttempts: 10 }))
      .toThrow(/over the 1-year limit of a Step Functions Standard execution: lower 'timeout' or 'retryAttempts'/);
  });

  test('overlapping runs and DST-skipped runs are reported as info, not refused', () => {
    const { stack } = setup({
      schedule: scheduler.ScheduleExpression.cron({ minute: '30', hour: '1', timeZone: cdk.TimeZone.EUROPE_LONDON }),
    });
    Annotations.fromStack(stack).hasInfo('/Tracked/Runs', Match.stringLikeRegexp('clocks go forward and 01:30 does not exist'));

    const frequent = setup({ schedule: scheduler.ScheduleExpression.rate(cdk.Duration.minutes(5)) });
    Annotations.fromStack(frequent.stack).hasInfo('/Tracked/Runs', Match.stringLikeRegexp('runs can overlap'));
  });

  test('the schedule time zone is named in messages; a different timeZone prop is refused', () => {
    const london = scheduler.ScheduleExpression.cron({ minute: '0', hour: '2', timeZone: cdk.TimeZone.EUROPE_LONDON });
    const { stack } = setup({ schedule: london });
    expect(definitionOf(stack).States[STATES.run].Catch[1].Assign.timeNote).toBe("UTC; the schedule's time zone is Europe/London");

    expect(() => setup({ schedule: london, timeZone: 'America/New_York' }))
      .toThrow("'timeZone' is 'America/New_York' but 'schedule' runs in 'Europe/London'");
    expect(() => setup({ timeZone: 'Europe/Londres' })).toThrow(/'timeZone' is 'Europe\/Londres', which is not an IANA time zone name/);
  });

  test.each<[string, object, string]>([
    ['1.5 retries', { retryAttempts: 1.5 }, "'retryAttempts' is 1.5: it must be a whole number from 0 to 185 (EventBridge Scheduler MaximumRetryAttempts); e.g. 5, or leave it out for the default."],
    ['NaN retries', { retryAttempts: NaN }, "'retryAttempts' is NaN: it must be a whole number from 0 to 185"],
    ['186 retries', { retryAttempts: 186 }, "'retryAttempts' is 186: it must be a whole number from 0 to 185"],
    ['an event age of 30 seconds', { maxEventAge: cdk.Duration.seconds(30) }, "'maxEventAge' is 30 seconds: it must be a whole number of seconds from 1 minute to 1 day (EventBridge Scheduler MaximumEventAgeInSeconds)"],
    ['an event age of 90.5 seconds', { maxEventAge: cdk.Duration.millis(90_500) }, "'maxEventAge' is 90.5 seconds: it must be a whole number of seconds"],
    ['a token retry count', { retryAttempts: cdk.Token.asNumber(cdk.Lazy.number({ produce: () => 3 })) },
      "'retryAttempts' is a token: aws-cdk-lib checks the schedule target's retry policy at synth, so it needs a concrete value. Give a number of retries, e.g. 5."],
  ])('scheduleTarget refuses %s, naming the option and the fix', (_name, options, message) => {
    const { tracker } = setup();
    expect(() => tracker.scheduleTarget(options)).toThrow(message);
  });

  test('a time zone in the wrong case is refused with the name to use (Scheduler takes IANA names as written); a token time zone passes', () => {
    expect(() => setup({ timeZone: 'europe/london' })).toThrow(
      "'timeZone' is 'europe/london': IANA time zone names are case-sensitive (each part starts with a capital letter) and EventBridge Scheduler takes them as written. Use 'Europe/London'.");
    expect(() => setup({ timeZone: 'America/Port-au-Prince' })).not.toThrow();
    const token = cdk.Lazy.string({ produce: () => 'Europe/London' });
    expect(() => setup({ timeZone: token })).not.toThrow();
    const london = scheduler.ScheduleExpression.cron({ minute: '0', hour: '2', timeZone: cdk.TimeZone.EUROPE_LONDON });
    expect(() => setup({ schedule: london, timeZone: token })).not.toThrow();
  });

  test('a workload whose schedule has a token time zone synthesizes, the zone resolved into the schedule; a wrong case names the schedule', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Zone', { env: { account: '123456789012', region: REGION } });
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
    const zone = cdk.TimeZone.of(cdk.Lazy.string({ produce: () => 'Europe/London' }));
    new ScheduledBatchWorkload(stack, 'W', { schedule: scheduler.ScheduleExpression.expression('cron(0 2 * * ? *)', zone), image });
    Template.fromStack(stack).hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpressionTimezone: 'Europe/London' });
    expect(() => new ScheduledBatchWorkload(stack, 'Lower', {
      schedule: scheduler.ScheduleExpression.expression('cron(0 2 * * ? *)', cdk.TimeZone.of('europe/london')), image,
    })).toThrow("The time zone of 'schedule' is 'europe/london': IANA time zone names are case-sensitive");
  });

  test('the job brings its timeout and attempts: the default deadline is attempts x timeout + grace', () => {
    const { tracker } = setup({}, {}, { timeout: cdk.Duration.hours(2), retryAttempts: 2 });
    // 2 x 2 hours + 15 minutes + 5 minutes per retry (docs/run-tracking.md)
    expect(tracker.deadline.toMinutes()).toBe(2 * 120 + 15 + 5);
  });

  test('two trackers in one stack name their own job in their messages', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Jobs', { env: { account: '123456789012', region: REGION } });
    const queue = batch.JobQueue.fromJobQueueArn(stack, 'Queue', QUEUE_ARN);
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN);
    for (const name of ['extract', 'load']) {
      new RunTracker(stack, `${name}Runs`, {
        job: BatchJob.fromBatchJobAttributes(stack, `${name}Job`, { jobQueue: queue, jobDefinitionArn: `${JOB_DEF_ARN}${name}`, jobName: name }),
        notificationTopic: topic,
        workloadName: name,
      });
    }
    const machines = Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'));
    const text = machines.map(m => JSON.stringify(m.Properties.DefinitionString));
    expect(text.filter(t => t.includes('\\"workload\\":\\"extract\\"'))).toHaveLength(1);
    expect(text.filter(t => t.includes('\\"workload\\":\\"load\\"'))).toHaveLength(1);
  });

  test('invalid names are refused', () => {
    // An imported job's name is checked where it is imported, before the tracker sees it.
    expect(() => setup({}, {}, { jobName: 'nightly report' })).toThrow(/'jobName' is "nightly report": AWS Batch takes job names of 1 to 128 letters/);
    expect(() => setup({ workloadName: '{% $x %}' })).toThrow(/'workloadName' is '\{% \$x %\}'/);
    expect(() => setup({}, {}, { retryAttempts: 11 })).toThrow(/'retryAttempts' is 11: AWS Batch makes 1 to 10 attempts/);
  });
});

/** A job detail as the `.sync` integration puts it in the Cause of States.TaskFailed (DescribeJobs, PascalCase). */
const FAILED_JOB = {
  JobArn: `arn:aws:batch:${REGION}:123456789012:job/5c1f7d1e-aaaa-bbbb-cccc-0123456789ab`,
  JobId: '5c1f7d1e-aaaa-bbbb-cccc-0123456789ab',
  JobName: 'nightly-report-20261201T060000Z-ef0123456789',
  Status: 'FAILED',
  StatusReason: 'Essential container in task exited',
  Attempts: [
    { Container: { ExitCode: 137, LogStreamName: 'job/default/aaa' }, StatusReason: 'Essential container in task exited' },
    { Container: { ExitCode: 2, LogStreamName: 'job/default/bbb' }, StatusReason: 'Essential container in task exited' },
  ],
  Container: { ExitCode: 2, LogStreamName: 'job/default/bbb' },
};

describe('the one message of a bad run', () => {
  const base = {
    workload: 'Nightly report',
    timeZone: 'Europe/London',
    logGroup: '/aws/batch/nightly-report',
    scheduledTime: '2026-12-01T06:00:00Z',
    executionArn: EXECUTION_ARN,
    deadlineText: '3 hours 25 minutes',
  };
  const console = `https://${REGION}.console.aws.amazon.com/`;

  test('job failed: status, reason, exit code and attempts come from the job detail in the Cause', () => {
    const message = renderRunMessage({
      ...base,
      outcome: RUN_OUTCOMES.jobFailed,
      failure: { Error: 'States.TaskFailed', Cause: JSON.stringify(FAILED_JOB) },
    });

    expect(message.split('\n')).toEqual([
      'Nightly report: the scheduled run of 2026-12-01T06:00:00Z did not succeed.',
      'The job FAILED in AWS Batch.',
      '',
      'Workload: Nightly report',
      "Scheduled time: 2026-12-01T06:00:00Z (UTC; the schedule's time zone is Europe/London)",
      'Job id: 5c1f7d1e-aaaa-bbbb-cccc-0123456789ab',
      'Job status: FAILED',
      'Status reason: Essential container in task exited',
      'Exit code: 2',
      'Attempts finished: 2',
      'Estimated cost: n/a', // this detail has no start and stop times
      `Job: ${console}batch/home?region=${REGION}#jobs/detail/5c1f7d1e-aaaa-bbbb-cccc-0123456789ab`,
      `Log stream: ${console}cloudwatch/home?region=${REGION}#logsV2:log-groups/log-group/$252Faws$252Fbatch$252Fnightly-report/log-events/job$252Fdefault$252Fbbb`,
      `Run history: ${console}states/home?region=${REGION}#/v2/executions/details/${EXECUTION_ARN}`,
      'Error: States.TaskFailed',
    ]);
  });

  test('the cost line: vCPU- and GiB-seconds of the job detail at its capacity\'s list price (Spot as the platform says)', async () => {
    const detail = {
      ...FAILED_JOB,
      StartedAt: 1764568800000,
      StoppedAt: 1764569400000,
      PlatformCapabilities: ['FARGATE'],
      Container: { ResourceRequirements: [{ Type: 'VCPU', Value: '1' }, { Type: 'MEMORY', Value: '2048' }] },
    };
    const shape = { vcpus: 1, memoryMib: 2048, durationSeconds: 600 };
    // Hand-computed in test/run-cost.test.ts's table: Fargate x86, 1 vCPU 2 GiB, 10 minutes = $0.008228.
    expect(renderCostLine(detail, false)).toBe('Estimated cost: $0.008228 (list-price estimate)');
    expect(renderCostLine(detail, true)).toBe(`Estimated cost: $${RunCost.estimate({ ...shape, capacity: RunCapacity.FARGATE_SPOT }).usd} (list-price estimate)`);
    // The engine renders the same line from the same detail.
    const expression = `($d := $states.input; ${costLine(false)})`;
    expect(await jsonata(expression).evaluate({}, { states: { input: detail } })).toBe('Estimated cost: $0.008228 (list-price estimate)');
  });

  test('deadline passed: says the job was stopped, with the status DescribeJobs gave just before', () => {
    const message = renderRunMessage({
      ...base,
      outcome: RUN_OUTCOMES.deadlinePassed,
      failure: { Error: 'States.Timeout' },
      stopped: true,
      job: { JobId: 'j-1', Status: 'RUNNABLE', StatusReason: 'CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested', Attempts: [] },
    });

    expect(message).toContain('The run was NOT DONE by its deadline, 3 hours 25 minutes after the job was submitted. The job was stopped (AWS Batch TerminateJob)');
    expect(message).toContain('Job id: j-1\nJob status: RUNNABLE\nStatus reason: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY');
    expect(message).toContain('Exit code: n/a\nAttempts finished: 0');
    expect(message).toContain('Log stream: n/a');
    expect(message).toContain('#jobs/detail/j-1');
  });

  test('deadline passed and the job could not be looked up: everything about the job is n/a, the run link stays', () => {
    const message = renderRunMessage({ ...base, outcome: RUN_OUTCOMES.deadlinePassed, failure: { Error: 'States.Timeout' } });

    expect(message).toContain('The job could not be looked up or stopped: check it in AWS Batch.');
    expect(message).toContain('Job id: n/a\nJob status: n/a');
    expect(message).toContain('Job: n/a\nLog stream: n/a\nRun history: ');
  });

  test('not submitted: the SubmitJob error is the status reason, and there is no job', () => {
    const cause = 'Job Queue is disabled (Service: Batch, Status Code: 400, Request ID: 1234)';
    const message = renderRunMessage({ ...base, timeZone: 'UTC', outcome: RUN_OUTCOMES.notSubmitted, failure: { Error: 'Batch.ClientException', Cause: cause } });

    expect(message).toContain('The job was NOT SUBMITTED, or Step Functions could not follow it (see the error).');
    expect(message).toContain('Scheduled time: 2026-12-01T06:00:00Z (UTC)\nJob id: n/a');
    expect(message).toContain(`Status reason: ${cause}`);
    expect(message).toContain('Error: Batch.ClientException');
  });

  test('the message expression in the state machine says what the TypeScript rendering says, per outcome', () => {
    const expression = messageExpression(base.deadlineText);
    for (const outcome of [RUN_OUTCOMES.jobFailed, RUN_OUTCOMES.deadlinePassed, RUN_OUTCOMES.notSubmitted]) {
      expect(expression).toContain(`'${outcome}'`);
    }
    // An overlap policy's outcome (e.g. RunSkipped) brings its own sentence.
    expect(expression).toContain('$type($note) = \'string\' ? $note');
    for (const text of ['The job FAILED in AWS Batch.', 'NOT DONE by its deadline, 3 hours 25 minutes after', 'The job was stopped (AWS Batch TerminateJob)',
      'could not be looked up or stopped', 'NOT SUBMITTED']) {
      expect(expression).toContain(text);
    }
    expect(expression).toContain('($stopped ? ');
    // The job detail of a failed job is parsed from the Cause only for that outcome.
    expect(expression).toContain(`$outcome = '${RUN_OUTCOMES.jobFailed}' ? (($type($c) = 'string'`);
  });
});

describe('cost per run (docs/run-tracking.md, docs/performance.md)', () => {
  // Counts the states a run enters on each path of the definition, from its start to its end; by default the run has
  // a start check (ScheduleStartCheck before RunJob), and with StartDeadlineAction.NONE it has none.
  const definitionWith = (extra: Partial<RunTrackerProps>) => {
    const stack = new cdk.Stack(new cdk.App(), 'Cost', { env: { account: '123456789012', region: 'eu-west-2' } });
    new RunTracker(stack, 'Runs', {
      job: BatchJob.fromBatchJobAttributes(stack, 'Job', {
        jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Q', QUEUE_ARN),
        jobDefinitionArn: JOB_DEF_ARN,
        jobName: 'nightly-report',
        timeout: cdk.Duration.minutes(30),
        retryAttempts: 1,
      }),
      notificationTopic: sns.Topic.fromTopicArn(stack, 'T', TOPIC_ARN),
      workloadName: 'Nightly report',
      deadline: cdk.Duration.hours(1),
      ...extra,
    });
    return definitionOf(stack);
  };
  const countsOf = (definition: any) => {
    const walk = (from: string, until?: string): number => {
      let n = 0;
      for (let name: string | undefined = from; name && name !== until; n++) {
        const state: any = definition.States[name];
        name = state.Type === 'Fail' || state.End ? undefined : state.Next;
      }
      return n;
    };
    const toRunJob = walk(definition.StartAt, 'RunJob') + 1; // the states entered up to and including RunJob
    const catchTo = (error: string) => definition.States.RunJob.Catch.find((c: any) => c.ErrorEquals.includes(error)).Next as string;
    return { succeeded: walk(definition.StartAt), failed: toRunJob + walk(catchTo('States.ALL')), deadline: toRunJob + walk(catchTo('States.Timeout')) };
  };
  const transitions = countsOf(definitionWith({}));
  const withoutCheck = countsOf(definitionWith({ onStartDeadline: StartDeadlineAction.NONE }));

  test('by default (with the start check) a successful run is 3 transitions, a failed run 6, a run past its deadline 9; priced with UnitPrices.STATE_TRANSITION', () => {
    expect(transitions).toEqual({ succeeded: 3, failed: 6, deadline: 9 });
    expect(withoutCheck).toEqual({ succeeded: 2, failed: 5, deadline: 8 });
    const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'run-tracking.md'), 'utf8');
    const usd = (n: number) => `$${(n * UnitPrices.STATE_TRANSITION).toFixed(n * UnitPrices.STATE_TRANSITION < 0.0001 ? 6 : 5)}`;
    expect(doc).toContain(`| succeeded | ${transitions.succeeded} | ${usd(transitions.succeeded)} | ${withoutCheck.succeeded} |`);
    expect(doc).toContain(`| \`JobFailed\` / \`NotSubmitted\` | ${transitions.failed} | ${usd(transitions.failed)} | ${withoutCheck.failed} |`);
    expect(doc).toContain(`| \`DeadlinePassed\` | ${transitions.deadline} | ${usd(transitions.deadline)} | ${withoutCheck.deadline} |`);
    expect(doc).toContain(`Standard workflows cost $${(UnitPrices.STATE_TRANSITION * 1000).toFixed(3)} per 1,000 state transitions`);
    // A month of good runs: the run's own transitions and the check's 3 (docs/run-tracking.md "Start deadline").
    const perRun = transitions.succeeded + 3;
    const month = (runs: number) => `$${Math.max(0, (runs * perRun - 4000) * UnitPrices.STATE_TRANSITION).toFixed(2)}`;
    expect(doc).toContain(`| hourly | 744 | ${(744 * perRun).toLocaleString('en-US')} | ${month(744)} |`);
    expect(doc).toContain(`| \`rate(1 minute)\` | 44,640 | ${(44640 * perRun).toLocaleString('en-US')} | ${month(44640)} |`);
    const perf = fs.readFileSync(path.join(__dirname, '..', 'docs', 'performance.md'), 'utf8').replace(/\s+/g, ' ');
    expect(perf).toContain(`a successful run is ${transitions.succeeded} state transitions (${usd(transitions.succeeded)}: the start check's schedule, `
      + `the run and its event), a failed one ${transitions.failed}, one past its deadline ${transitions.deadline}`);
  });
});

describe('RunTracker inputs', () => {
  const token = (name: string) => cdk.Token.asNumber({ Ref: name });

  test.each([
    ['deadline shorter than one attempt\'s timeout', { deadline: cdk.Duration.minutes(10) }, {},
      /^'deadline' is 10 minutes, shorter than one attempt's 'timeout' \(1 hour\): .* Lower 'timeout' to at most 10 minutes, or raise 'deadline' to at least 1 hour\.$/],
    ['deadline 0', { deadline: cdk.Duration.seconds(0) }, {}, /^'deadline' is 0 seconds: it must be a whole number of seconds of at least 1 minute/],
    ['deadline NaN', { deadline: cdk.Duration.hours(NaN) }, {}, /^'deadline' is NaN seconds: it must be a whole number of seconds/],
    ['deadline as a string', { deadline: '2h' }, {}, /^'deadline' is '2h', which is not a Duration/],
    ['deadline a token', { deadline: cdk.Duration.seconds(token('Deadline')) }, {}, /^'deadline' is a token \(known only at deploy\)/],
    ['the job\'s retryAttempts a token, without a deadline', {}, { retryAttempts: token('Attempts') },
      /^'retryAttempts' is a token \(known only at deploy\), but the default run deadline is computed at synth from 'retryAttempts' x 'timeout': give 'retryAttempts' a concrete value, or set 'deadline'\.$/],
    ['the job\'s timeout a token, without a deadline', {}, { timeout: cdk.Duration.seconds(token('Timeout')) },
      /^'timeout' is a token \(known only at deploy\), but the default run deadline is computed at synth/],
  ])('fails on bad input: %s', (_name, props, job, message) => {
    expect(() => setup(props as any, {}, job)).toThrow(message);
  });

  test('tokens pass: the job\'s retryAttempts and timeout with a concrete deadline, an arraySize', () => {
    const { stack, tracker } = setup({ deadline: cdk.Duration.hours(5), arraySize: token('Size') }, {},
      { retryAttempts: token('Attempts'), timeout: cdk.Duration.seconds(token('Timeout')) });
    expect(tracker.deadline.toHours()).toBe(5);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/e\+\d{3}/);
  });
});
