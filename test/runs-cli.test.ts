import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchPlatform, OverlapPolicy, ScheduledBatchWorkload, ScheduledBatchWorkloadProps } from '../src';
import { CliBuild, CliResult, runCli } from './support/cli';
import { definitionOf } from './support/state-machine';
import { executionTail, scheduledTimeOfJob, trackedSource } from '../src/cli/run-history';
import { LIMITS, MAX_PARAMETERS, USAGE } from '../src/cli/runs';
import { workloadPathOf } from '../src/cli/workload-ref';

/**
 * The runs CLI end to end: src/cli/runs.ts run by Node with a fake `aws` first on PATH. The fake answers each
 * `<service> <command>` from a config file (by the value of one of its flags where the config says so), logs every
 * call with its arguments, and fails a call the config does not know, so a test also proves which calls were made.
 */
const BUILD = new CliBuild();
const CLI = BUILD.cli('runs');
const ACCOUNT = '123456789012';
const STATE_MACHINE = `arn:aws:states:eu-west-2:${ACCOUNT}:stateMachine:NightlyRuns-Ab12`;
const QUEUE = `arn:aws:batch:eu-west-2:${ACCOUNT}:job-queue/PlatformQueue`;
const GROUP = 'Platform-SharedRuns-ScheduleGroup';
const PREFIX = 'App-Nightly-Job-C60B8782';

const FAKE_AWS = `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const dir = process.env.FAKE_AWS_DIR;
const argv = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
fs.appendFileSync(path.join(dir, 'log.jsonl'), JSON.stringify(argv) + '\\n');
const arg = (name) => argv[argv.indexOf(name) + 1];
const reply = (value) => { process.stdout.write(JSON.stringify(value)); process.exit(0); };
const fail = (text) => { process.stderr.write(text + '\\n'); process.exit(254); };
const key = argv[0] + ' ' + argv[1];
const answer = config[key];
if (answer === undefined) fail('fake aws: unexpected call ' + argv.join(' '));
if (answer.raw !== undefined) { process.stdout.write(answer.raw); process.exit(0); }
if (answer.error) fail(answer.error);
if (key === 'batch describe-jobs') {
  const ids = argv.slice(argv.indexOf('--jobs') + 1).filter(a => !a.startsWith('--'));
  reply({ jobs: ids.flatMap(id => answer[id] ? [{ jobId: id, ...answer[id] }] : []) });
}
if (answer.byFlag) reply(answer.answers[arg(answer.byFlag)] ?? answer.otherwise ?? fail('fake aws: no answer for ' + argv.join(' ')));
reply(answer);
`;

let dir: string;

function configure(config: object): void {
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
}

function calls(): string[][] {
  const file = path.join(dir, 'log.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l)) : [];
}

function callsOf(service: string, command: string): string[][] {
  return calls().filter(c => c[0] === service && c[1] === command);
}

const flag = (call: string[], name: string) => call[call.indexOf(name) + 1];

function cli(...args: string[]): Promise<CliResult> {
  return runCli(CLI, args, dir);
}

/** A deployed tracked schedule, its state machine's definition as the run engine renders it (job name expression included). */
function tracked(extra: object = {}) {
  const jobName = `{% $substring("${PREFIX}", 0, 98) & '-' & $substring($replace($replace($states.context.Execution.Input.scheduledTime, /\\\\.[0-9]+/, ''),`
    + ' /[^A-Za-z0-9]/, \'\'), 0, 16) & \'-\' & ($n := $states.context.Execution.Name; $substring($n, $max([0, $length($n) - 12]))) %}';
  return {
    'scheduler get-schedule': {
      Arn: `arn:aws:scheduler:eu-west-2:${ACCOUNT}:schedule/${GROUP}/Nightly`,
      Name: 'Nightly',
      GroupName: GROUP,
      State: 'ENABLED',
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
      FlexibleTimeWindow: { Mode: 'OFF' },
      CreationDate: '2026-11-01T00:00:00Z',
      LastModificationDate: '2026-11-02T00:00:00Z',
      Target: { Arn: STATE_MACHINE, Input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}', RoleArn: `arn:aws:iam::${ACCOUNT}:role/SchedulerRole` },
    },
    'stepfunctions describe-state-machine': {
      definition: JSON.stringify({
        StartAt: 'RunJob',
        States: { RunJob: { Type: 'Task', Resource: 'arn:aws:states:::batch:submitJob.sync', Arguments: { JobName: jobName, JobQueue: QUEUE }, End: true } },
      }),
    },
    ...extra,
  };
}

const EXECUTIONS = {
  executions: [
    { name: 'c0ffee00-1111-2222-3333-444455556666', executionArn: `${STATE_MACHINE}:exec-3`, status: 'RUNNING', startDate: '2026-12-03T02:00:01+00:00' },
    {
      name: 'backfill-20261202T020000Z-9f8e7d6c',
      executionArn: `${STATE_MACHINE}:exec-2`,
      status: 'FAILED',
      startDate: '2026-12-02T02:00:01+00:00',
      stopDate: '2026-12-02T02:31:41+00:00',
    },
    { name: 'skipped-run-0001', executionArn: `${STATE_MACHINE}:exec-1`, status: 'SUCCEEDED', startDate: '2026-12-01T02:00:01+00:00', stopDate: '2026-12-01T02:00:02+00:00' },
  ],
};

const JOBS = {
  jobSummaryList: [
    { jobId: 'job-3', jobName: `${PREFIX}-20261203T020000Z-444455556666`, createdAt: 3, status: 'RUNNING' },
    {
      jobId: 'job-2',
      jobName: `${PREFIX}-20261202T020000Z-00Z-9f8e7d6c`,
      createdAt: 2,
      status: 'FAILED',
      statusReason: 'Essential container in task exited',
      container: { exitCode: 3 },
    },
    // Another workload whose name starts with this one's, with the same execution tail and newer: not this workload's run.
    { jobId: 'other', jobName: `${PREFIX}-Extra-20261202T020000Z-00Z-9f8e7d6c`, createdAt: 4, status: 'SUCCEEDED' },
  ],
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-cli-'));
  fs.writeFileSync(path.join(dir, 'aws'), FAKE_AWS, { mode: 0o755 });
  configure(tracked());
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

afterAll(() => BUILD.remove());

describe('usage', () => {
  test('--help lists every command and the ways to name a workload; no command is a usage error', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    for (const command of ['runs', 'logs', 'rerun', 'pause', 'resume', 'backfill']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    for (const f of ['--schedule-group', '--stack', '--workload', '--template', '--json', '--limit', '--lines', '--index', '--parameter']) expect(help.stdout).toContain(f);
    expect(USAGE).toContain(`1-${LIMITS.runs.max} (default ${LIMITS.runs.default})`);
    expect((await cli()).code).toBe(2);
    expect(calls()).toEqual([]);
  });

  test.each([
    [['frobnicate'], "unknown command 'frobnicate': give one of runs, logs, rerun, pause, resume, backfill."],
    [['runs'], 'give the workload with exactly one of --schedule-group or --stack.'],
    [['runs', '--schedule-group', 'g/n', '--stack', 'S'], 'give the workload with exactly one of --schedule-group or --stack (got --schedule-group, --stack).'],
    [['runs', '--workload', 'Nightly', '--schedule-group', 'g'], '--workload goes with --stack (without --template).'],
    [['runs', '--template', 'x.json', '--schedule-group', 'g'], '--template goes with --stack.'],
    [['runs', '--schedule-id', 'X', '--stack', 'S'], '--schedule-id goes with --template.'],
    [['runs', '--schedule-name', 'n', '--stack', 'S'], '--schedule-name goes with --schedule-group.'],
    [['runs', '--schedule-group', 'g/a', '--schedule-name', 'b'], "--schedule-group names the schedule 'a' and --schedule-name 'b': give one of them."],
    [['runs', '--schedule-group', 'g', '--limit', '0'], "--limit is '0': give a whole number from 1 to 100."],
    [['runs', '--schedule-group', 'g', '--limit', '101'], "--limit is '101': give a whole number from 1 to 100."],
    [['runs', '--schedule-group', 'g', '--limit', '1e3'], "--limit is '1e3': give a whole number from 1 to 100."],
    [['logs', '--schedule-group', 'g', '--lines', '10001'], "--lines is '10001': give a whole number from 1 to 10000."],
    [['logs', '--schedule-group', 'g', '--index', '-1'], "flag '--index' needs a value."],
    [['logs', '--schedule-group', 'g', '--index', '10000'], "--index is '10000': give a whole number from 0 to 9999."],
    [['logs', '--schedule-group', 'g', '--time', '2026-12-01T02:00:00Z', '--job', 'j'], 'give --time or --job, not both.'],
    [['runs', '--schedule-group', 'g', '--time', '2026-12-01T02:00:00Z'], "unknown flag '--time'."],
    [['rerun', '--schedule-group', 'g'], 'rerun needs --time <scheduled time>: the run to make again.'],
    [['rerun', '--schedule-group', 'g', '--time', '2026-12-01T02:00:00Z', '--parameter', 'no-equals'], "--parameter 'no-equals': give <name>=<value>"],
    [['rerun', '--schedule-group', 'g', '--time', '2026-12-01T02:00:00Z', ...Array.from({ length: MAX_PARAMETERS + 1 }, (_, i) => `--parameter=p${i}=v`)],
      `${MAX_PARAMETERS + 1} --parameter flags: at most ${MAX_PARAMETERS}.`],
    [['toString'], "unknown command 'toString': give one of runs, logs, rerun, pause, resume, backfill."],
    [['constructor', '--schedule-group', 'g'], "unknown command 'constructor'"],
    [['runs', '--schedule-group', 'g', '--json=false'], "flag '--json' takes no value: give it alone to turn it on."],
    [['runs', '--help=yes'], "flag '--help' takes no value: give it alone to turn it on."],
    [['pause', '--schedule-group', 'g/Other', '--schedule-group', 'g/Nightly'], '--schedule-group is given more than once: give it once.'],
    [['rerun', '--schedule-group', 'g', '--time', '2026-12-01T02:00:00Z', '--time', '2026-12-02T02:00:00Z'], '--time is given more than once: give it once.'],
    [['rerun', '--schedule-group', 'g', '--time', '2026-12-01T02:00:00Z', '--parameter', 'a=1', '--parameter', 'a=2'], '--parameter a is given more than once: give each parameter once.'],
    [['pause', '--schedule-group', 'g', '--region', ''], '--region is empty: give a value, or leave the flag out.'],
    [['pause', '--schedule-group', 'g', '--profile', ' '], '--profile is empty: give a value, or leave the flag out.'],
    [['pause', '--schedule-group', 'g/Nightly/extra'], "--schedule-group is 'g/Nightly/extra': give <group> or <group>/<name>, each 1 to 64 letters, digits, '-', '_' or '.'"],
    [['pause', '--schedule-group', 'g/'], "--schedule-group is 'g/': give <group> or <group>/<name>"],
    [['pause', '--schedule-group', '/'], "--schedule-group is '/': give <group> or <group>/<name>"],
    [['pause', '--schedule-group', 'g', '--schedule-name', 'a b'], "--schedule-name is 'a b': give the schedule's name, 1 to 64 letters, digits, '-', '_' or '.'."],
    [['runs', '--stack', 'S'.repeat(5000)], '--stack is 5,000 characters long: at most 4,096.'],
  ])('%j is a usage error before any AWS call', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('cdk-scheduled-batch --help');
    expect(calls()).toEqual([]);
  });

  test('a scheduled time before 1970 or malformed is a usage error, after the schedule (its time zone) is read', async () => {
    for (const time of ['0026-12-01T02:00:00Z', '2026-13-01', 'yesterday']) {
      const r = await cli('rerun', '--schedule-group', `${GROUP}/Nightly`, '--time', time);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--time is '${time}'`);
    }
    expect(callsOf('stepfunctions', 'start-execution')).toEqual([]);
  });

  test.each([
    ['2026-03-29T01:30', "--time is '2026-03-29T01:30', a wall time that does not exist in Europe/London (the clocks skip it), so the schedule never fired then: "
      + "give the scheduled time as 'cdk-scheduled-batch runs' lists it, or in UTC with Z (the first instant after the gap is 2026-03-29T01:00:00Z)."],
    ['2026-12-02T02:00:00+99:00', "--time is '2026-12-02T02:00:00+99:00': the offset +99:00 is not one a clock uses; give one from -12:00 to +14:00, or Z."],
    ['2026-12-02T02:00:00+05:60', 'the offset +05:60 is not one a clock uses'],
    ['2026-12-02', '--time 2026-12-02T00:00:00Z is not a time cron(0 2 * * ? *) fires at in Europe/London, and no earlier run of it was found '
      + "(the nearest scheduled times: 2026-12-01T02:00:00Z, 2026-12-02T02:00:00Z): give the scheduled time of the run to make again, as 'cdk-scheduled-batch runs' lists it."],
    ['2026-12-02T02:00:30Z', '--time 2026-12-02T02:00:30Z is not a time cron(0 2 * * ? *) fires at in Europe/London, and no earlier run of it was found (the nearest scheduled times: 2026-12-02T02:00:00Z, 2026-12-03T02:00:00Z)'],
    ['2999-12-31T02:00:00Z', '--time 2999-12-31T02:00:00Z has not come yet, and no run of it was found: the schedule runs it itself (pause the schedule if it must not).'],
  ])('rerun --time %s is a usage error once the schedule (and, for a time off it, the earlier run) is read, and starts nothing', async (time, message) => {
    configure(tracked({ 'batch list-jobs': { jobSummaryList: [] }, 'stepfunctions start-execution': { executionArn: 'arn:x' } }));
    const r = await cli('rerun', '--schedule-group', `${GROUP}/Nightly`, '--time', time);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(callsOf('stepfunctions', 'start-execution')).toEqual([]);
  });

  test('logs --time in a spring-forward gap is refused too; a fall-back wall time is its first instant', async () => {
    configure(tracked({ 'batch list-jobs': { jobSummaryList: [] } }));
    const gap = await cli('logs', '--schedule-group', `${GROUP}/Nightly`, '--time', '2026-03-29T01:30');
    expect(gap.code).toBe(2);
    expect(gap.stderr).toContain("--time is '2026-03-29T01:30', a wall time that does not exist in Europe/London");
    const repeated = await cli('logs', '--schedule-group', `${GROUP}/Nightly`, '--time', '2026-10-25T01:30');
    expect(repeated.code).toBe(1);
    expect(repeated.stderr).toContain('is the run of 2026-10-25T00:30:00Z');
  });

  test('aws answering null, or an empty start, is an error that says so (exit 1), not a TypeError or "started again: undefined"', async () => {
    configure({ 'scheduler get-schedule': { raw: 'null' } });
    const nullAnswer = await cli('pause', '--schedule-group', `${GROUP}/Nightly`);
    expect(nullAnswer.code).toBe(1);
    expect(nullAnswer.stderr).toContain('aws scheduler get-schedule printed null, not the JSON object it answers with.');
    configure(tracked({ 'batch list-jobs': { jobSummaryList: [] }, 'stepfunctions start-execution': {} }));
    const empty = await cli('rerun', '--schedule-group', `${GROUP}/Nightly`, '--time', '2026-12-02T02:00:00Z');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("aws stepfunctions start-execution answered without an executionArn: check 'aws stepfunctions list-executions' for rerun-20261202T020000Z-");
    expect(empty.stdout).toBe('');
  });

  test('backfill is a subcommand: the same flags as cdk-scheduled-batch-backfill', async () => {
    const r = await cli('backfill', '--from', '2026-12-01', '--to', '2026-12-03', '--dry-run', '--schedule', 'cron(0 2 * * ? *)');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['2026-12-01T02:00:00Z  2026-12-01 02:00 +00:00 UTC', '2026-12-02T02:00:00Z  2026-12-02 02:00 +00:00 UTC']);
  });

  test('an AWS refusal exits 1 with the aws CLI\'s own message', async () => {
    configure({ 'scheduler get-schedule': { error: 'An error occurred (ResourceNotFoundException) when calling the GetSchedule operation: Schedule Nightly does not exist.' } });
    const r = await cli('runs', '--schedule-group', `${GROUP}/Nightly`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Schedule Nightly does not exist.');
  });
});

describe('runs', () => {
  test('a tracked workload: its executions, each joined to its job by the job name; a run without a job reads its input', async () => {
    configure(tracked({
      'stepfunctions list-executions': EXECUTIONS,
      'batch list-jobs': JOBS,
      'stepfunctions describe-execution': { input: '{"scheduledTime":"2026-12-01T02:00:00Z"}' },
    }));
    const r = await cli('runs', '--schedule-group', `${GROUP}/Nightly`, '--limit', '3', '--region', 'eu-west-2');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'SCHEDULED             STATUS     STARTED                    DURATION  JOB      EXIT  JOB ID',
      '2026-12-03T02:00:00Z  RUNNING    2026-12-03T02:00:01+00:00  -         RUNNING  -     job-3',
      '2026-12-02T02:00:00Z  FAILED     2026-12-02T02:00:01+00:00  31m40s    FAILED   3     job-2',
      '2026-12-01T02:00:00Z  SUCCEEDED  2026-12-01T02:00:01+00:00  1s        -        -     -',
    ]);
    const [get] = callsOf('scheduler', 'get-schedule');
    expect([flag(get, '--group-name'), flag(get, '--name'), flag(get, '--region')]).toEqual([GROUP, 'Nightly', 'eu-west-2']);
    const [list] = callsOf('batch', 'list-jobs');
    expect([flag(list, '--job-queue'), flag(list, '--filters'), flag(list, '--max-items')]).toEqual([QUEUE, `name=JOB_NAME,values=${PREFIX}-*`, '6']);
    expect(flag(callsOf('stepfunctions', 'list-executions')[0], '--max-items')).toBe('3');
    // Only the run without a job needed its execution described.
    expect(callsOf('stepfunctions', 'describe-execution').map(c => flag(c, '--execution-arn'))).toEqual([`${STATE_MACHINE}:exec-1`]);
    // The transcripts of the README and docs/operations.md show this very output.
    for (const doc of ['README.md', 'docs/operations.md']) {
      const text = fs.readFileSync(path.join(__dirname, '..', doc), 'utf8');
      expect(text).toContain(`$ npx cdk-scheduled-batch runs --stack App --workload Nightly --limit 3\n${doc === 'README.md' ? '' : `${r.stderr}`}${r.stdout}$ `);
    }
  });

  test('--json prints the runs as data', async () => {
    configure(tracked({ 'stepfunctions list-executions': { executions: EXECUTIONS.executions.slice(1, 2) }, 'batch list-jobs': JOBS }));
    const r = await cli('runs', '--schedule-group', GROUP, '--schedule-name', 'Nightly', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{
      scheduledTime: '2026-12-02T02:00:00Z',
      status: 'FAILED',
      startedAt: '2026-12-02T02:00:01+00:00',
      stoppedAt: '2026-12-02T02:31:41+00:00',
      durationSeconds: 1900,
      jobId: 'job-2',
      jobStatus: 'FAILED',
      exitCode: 3,
      reason: 'Essential container in task exited',
      executionArn: `${STATE_MACHINE}:exec-2`,
    }]);
  });

  test('an untracked workload: its jobs by exact name, the scheduled time from their parameters', async () => {
    const config = tracked({
      'batch list-jobs': {
        jobSummaryList: [
          { jobId: 'u-2', jobName: 'nightly', createdAt: 2, status: 'SUCCEEDED', startedAt: Date.UTC(2026, 11, 2, 2, 1), stoppedAt: Date.UTC(2026, 11, 2, 3, 2, 5), container: { exitCode: 0 } },
          { jobId: 'u-x', jobName: 'nightly-other', createdAt: 1, status: 'FAILED' },
        ],
      },
      'batch describe-jobs': { 'u-2': { parameters: { scheduledTime: '2026-12-02T02:00:00Z' } } },
    }) as any;
    config['scheduler get-schedule'].Target = {
      Arn: 'arn:aws:scheduler:::aws-sdk:batch:submitJob',
      Input: JSON.stringify({ JobName: 'nightly', JobQueue: QUEUE, JobDefinition: 'def:3', Parameters: { scheduledTime: '<aws.scheduler.scheduled-time>' } }),
    };
    configure(config);
    const r = await cli('runs', '--schedule-group', `${GROUP}/Nightly`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')[1]).toBe('2026-12-02T02:00:00Z  SUCCEEDED  2026-12-02T02:01:00Z  1h01m     SUCCEEDED  0     u-2');
    expect(r.stdout).not.toContain('u-x');
    expect(flag(callsOf('batch', 'list-jobs')[0], '--filters')).toBe('name=JOB_NAME,values=nightly');
    expect(callsOf('stepfunctions', 'describe-state-machine')).toEqual([]);
  });

  test('a state machine that is not a workload\'s (no job name this tool knows) is refused, naming it', async () => {
    configure(tracked({ 'stepfunctions describe-state-machine': { definition: '{"States":{"A":{"Type":"Pass","End":true}}}' } }));
    const r = await cli('runs', '--schedule-group', `${GROUP}/Nightly`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the state machine ${STATE_MACHINE} submits no job this tool knows`);
  });
});

describe('finding the workload', () => {
  const output = (workloadPath: string, value: string) => ({
    OutputKey: `${workloadPath.split('/').pop()}ScheduleRef1234ABCD`,
    OutputValue: value,
    Description: `Schedule group and name of ${workloadPath}: cdk-scheduled-batch <runs|logs|rerun|pause|resume|backfill> --schedule-group <this value>`,
  });

  test('--stack reads the ScheduleRef output; --workload picks one of several by construct id', async () => {
    configure(tracked({
      'cloudformation describe-stacks': {
        Stacks: [{
          Outputs: [output('App/Nightly', `${GROUP}/Nightly`), output('App/Weekly', `${GROUP}/Weekly`),
            { OutputKey: 'Other', OutputValue: 'x' }],
        }],
      },
      'stepfunctions list-executions': { executions: [] },
      'batch list-jobs': { jobSummaryList: [] },
    }));
    const ok = await cli('runs', '--stack', 'App', '--workload', 'Nightly');
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe('no runs found.');
    expect(flag(callsOf('scheduler', 'get-schedule')[0], '--name')).toBe('Nightly');
    const ambiguous = await cli('runs', '--stack', 'App');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('stack App has 2 workloads: choose one with --workload <construct id>:\n  App/Nightly');
    const none = await cli('runs', '--stack', 'App', '--workload', 'Monthly');
    expect(none.stderr).toContain("--workload 'Monthly' matches 0 of the workloads of stack App; give one of:");
  });

  test('a BatchFleet\'s workloads: read from the nested stacks when the stack itself has no ScheduleRef', async () => {
    const nested = ['arn:aws:cloudformation:eu-west-2:123456789012:stack/App-Workloads7/1', 'arn:aws:cloudformation:eu-west-2:123456789012:stack/App-Workloads9/2'];
    configure(tracked({
      'cloudformation describe-stacks': {
        byFlag: '--stack-name',
        answers: {
          App: { Stacks: [{ Outputs: [] }] },
          [nested[0]]: { Stacks: [{ Outputs: [output('App/Fleet/Workloads7/Nightly', `${GROUP}/Nightly`)] }] },
          [nested[1]]: { Stacks: [{ Outputs: [output('App/Fleet/Workloads9/Weekly', `${GROUP}/Weekly`)] }] },
        },
      },
      'cloudformation list-stack-resources': {
        StackResourceSummaries: [
          { ResourceType: 'AWS::CloudFormation::Stack', PhysicalResourceId: nested[0] }, { ResourceType: 'AWS::SQS::Queue', PhysicalResourceId: 'q' },
          { ResourceType: 'AWS::CloudFormation::Stack', PhysicalResourceId: nested[1] },
        ],
      },
      'stepfunctions list-executions': { executions: [] },
      'batch list-jobs': { jobSummaryList: [] },
    }));
    const r = await cli('runs', '--stack', 'App', '--workload', 'Weekly');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('stack App has no ScheduleRef output: reading its 2 nested stacks...');
    expect(flag(callsOf('scheduler', 'get-schedule')[0], '--name')).toBe('Weekly');
  });

  test('--template and --stack: the template\'s schedule, by logical id, in the deployed stack; its group by name', async () => {
    const template = path.join(dir, 'App.template.json');
    fs.writeFileSync(template, JSON.stringify({
      Resources: {
        NightlySchedule1A2B: { Type: 'AWS::Scheduler::Schedule', Properties: { ScheduleExpression: 'cron(0 2 * * ? *)' }, Metadata: { 'aws:cdk:path': 'App/Nightly/Schedule' } },
        WeeklySchedule3C4D: { Type: 'AWS::Scheduler::Schedule', Properties: { ScheduleExpression: 'cron(0 3 ? * MON *)' } },
      },
    }));
    configure(tracked({
      'cloudformation describe-stack-resource': { StackResourceDetail: { PhysicalResourceId: 'NightlySchedule-XYZ' } },
      'scheduler list-schedules': { Schedules: [{ Name: 'NightlySchedule-XYZ2', GroupName: 'other' }, { Name: 'NightlySchedule-XYZ', GroupName: GROUP }] },
      'stepfunctions list-executions': { executions: [] },
      'batch list-jobs': { jobSummaryList: [] },
    }));
    const r = await cli('runs', '--template', template, '--stack', 'App', '--schedule-id', 'Nightly');
    expect(r.code).toBe(0);
    expect(flag(callsOf('cloudformation', 'describe-stack-resource')[0], '--logical-resource-id')).toBe('NightlySchedule1A2B');
    expect(flag(callsOf('scheduler', 'list-schedules')[0], '--name-prefix')).toBe('NightlySchedule-XYZ');
    const [get] = callsOf('scheduler', 'get-schedule');
    expect([flag(get, '--group-name'), flag(get, '--name')]).toEqual([GROUP, 'NightlySchedule-XYZ']);
    const twoSchedules = await cli('runs', '--template', template, '--stack', 'App');
    expect(twoSchedules.code).toBe(2);
    expect(twoSchedules.stderr).toContain('has 2 schedules: choose one with --schedule-id');
  });
});

describe('logs', () => {
  const job = (extra: object = {}) => ({
    status: 'FAILED',
    parameters: { scheduledTime: '2026-12-02T02:00:00Z', day: 'Tue' },
    container: { logStreamName: `${PREFIX}/default/abc123`, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/platform/jobs' } } },
    ...extra,
  });

  test('the newest run\'s last lines, from its job\'s own log group and stream, newest last', async () => {
    configure(tracked({
      'batch list-jobs': JOBS,
      'batch describe-jobs': { 'job-3': job() },
      'logs get-log-events': { events: [{ message: 'starting\n' }, { message: 'Traceback: boom' }] },
    }));
    const r = await cli('logs', '--schedule-group', `${GROUP}/Nightly`, '--lines', '2');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([`# /platform/jobs ${PREFIX}/default/abc123`, 'starting', 'Traceback: boom']);
    expect(flag(callsOf('batch', 'list-jobs')[0], '--max-items')).toBe('1');
    const [get] = callsOf('logs', 'get-log-events');
    expect([flag(get, '--log-group-name'), flag(get, '--log-stream-name'), flag(get, '--limit')]).toEqual(['/platform/jobs', `${PREFIX}/default/abc123`, '2']);
    expect(get).toContain('--no-start-from-head');
  });

  test('--time finds the run of that scheduled time (a wall time in the schedule\'s zone works too); --json', async () => {
    configure(tracked({ 'batch list-jobs': JOBS, 'batch describe-jobs': { 'job-2': job() }, 'logs get-log-events': { events: [{ message: 'x' }] } }));
    // 02:00 in London in December is 02:00Z.
    const r = await cli('logs', '--schedule-group', `${GROUP}/Nightly`, '--time', '2026-12-02T02:00', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ jobId: 'job-2', logGroup: '/platform/jobs', logStream: `${PREFIX}/default/abc123`, lines: ['x'] });
    const missing = await cli('logs', '--schedule-group', `${GROUP}/Nightly`, '--time', '2026-11-02T02:00:00Z');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no job of ${PREFIX} in ${QUEUE} is the run of 2026-11-02T02:00:00Z (the newest 500 were read).`);
  });

  test('an array job needs --index (its children log one by one); a job that never started says so', async () => {
    configure(tracked({
      'batch describe-jobs': { 'arr': job({ arrayProperties: { size: 4 }, container: {} }), 'arr:3': job(), 'stuck': { status: 'RUNNABLE', statusReason: 'no capacity' } },
      'logs get-log-events': { events: [{ message: 'child 3' }] },
    }));
    const noIndex = await cli('logs', '--schedule-group', `${GROUP}/Nightly`, '--job', 'arr');
    expect([noIndex.code, noIndex.stdout.trim()]).toEqual([1, 'job arr is an array job of 4 children, which log one by one: give --index 0 to 3.']);
    const child = await cli('logs', '--schedule-group', `${GROUP}/Nightly`, '--job', 'arr', '--index', '3');
    expect(child.code).toBe(0);
    expect(child.stdout).toContain('child 3');
    const tooFar = await cli('logs', '--schedule-group', `${GROUP}/Nightly`, '--job', 'arr', '--index', '4');
    expect(tooFar.stderr).toContain('--index 4: job arr has children 0 to 3.');
    const stuck = await cli('logs', '--schedule-group', `${GROUP}/Nightly`, '--job', 'stuck');
    expect([stuck.code, stuck.stdout.trim()]).toEqual([1, 'job stuck has no log stream: it is RUNNABLE (no capacity) and never started a container.']);
    expect(callsOf('logs', 'get-log-events')).toHaveLength(1);
  });
});

describe('rerun', () => {
  test('a tracked run: a new execution of the same scheduled time, with the earlier run\'s parameters and the given ones', async () => {
    configure(tracked({
      'batch list-jobs': JOBS,
      'batch describe-jobs': { 'job-2': { status: 'FAILED', parameters: { scheduledTime: '2026-12-02T02:00:00Z', day: 'Tue', mode: 'full' } } },
      'stepfunctions start-execution': { executionArn: `${STATE_MACHINE}:rerun` },
    }));
    const r = await cli('rerun', '--schedule-group', `${GROUP}/Nightly`, '--time', '2026-12-02T02:00:00Z', '--parameter', 'mode=quick', '--parameter', 'note=a=b');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`2026-12-02T02:00:00Z started again: ${STATE_MACHINE}:rerun`);
    const [start] = callsOf('stepfunctions', 'start-execution');
    expect(flag(start, '--state-machine-arn')).toBe(STATE_MACHINE);
    expect(flag(start, '--name')).toMatch(/^rerun-20261202T020000Z-[0-9a-f]{8}$/);
    expect(JSON.parse(flag(start, '--input'))).toEqual({ scheduledTime: '2026-12-02T02:00:00Z', parameters: { day: 'Tue', mode: 'quick', note: 'a=b' } });
  });

  test('an untracked run: SubmitJob of the schedule\'s own input, the scheduled time filled in, in the CLI\'s input form', async () => {
    const config = tracked({
      'batch list-jobs': { jobSummaryList: [{ jobId: 'u-1', jobName: 'nightly', createdAt: 1, status: 'FAILED' }] },
      'batch describe-jobs': { 'u-1': { status: 'FAILED', parameters: { scheduledTime: '2026-12-02T02:00:00Z', day: 'Tue' } } },
      'batch submit-job': { jobId: 'u-2' },
    }) as any;
    config['scheduler get-schedule'].Target = {
      Arn: 'arn:aws:scheduler:::aws-sdk:batch:submitJob',
      Input: JSON.stringify({ JobName: 'nightly', JobQueue: QUEUE, JobDefinition: 'def:3', Parameters: { scheduledTime: '<aws.scheduler.scheduled-time>' } }),
    };
    configure(config);
    const r = await cli('rerun', '--schedule-group', `${GROUP}/Nightly`, '--time', '2026-12-02T02:00:00Z', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ scheduledTime: '2026-12-02T02:00:00Z', jobId: 'u-2', parameters: { day: 'Tue' } });
    expect(JSON.parse(flag(callsOf('batch', 'submit-job')[0], '--cli-input-json'))).toEqual({
      jobName: 'nightly', jobQueue: QUEUE, jobDefinition: 'def:3', parameters: { day: 'Tue', scheduledTime: '2026-12-02T02:00:00Z' },
    });
  });

  test('a run found by its time is rerun even off the schedule (one started through a RunApi at 13:37, say)', async () => {
    configure(tracked({
      'batch list-jobs': { jobSummaryList: [{ jobId: 'api-1', jobName: `${PREFIX}-20261205T133700Z-0123456789ab`, createdAt: 5, status: 'SUCCEEDED' }] },
      'batch describe-jobs': { 'api-1': { status: 'SUCCEEDED', parameters: { scheduledTime: '2026-12-05T13:37:00Z', mode: 'full' } } },
      'stepfunctions start-execution': { executionArn: `${STATE_MACHINE}:again` },
    }));
    const r = await cli('rerun', '--schedule-group', `${GROUP}/Nightly`, '--time', '2026-12-05T13:37:00Z');
    expect(r.code).toBe(0);
    expect(JSON.parse(flag(callsOf('stepfunctions', 'start-execution')[0], '--input'))).toEqual({ scheduledTime: '2026-12-05T13:37:00Z', parameters: { mode: 'full' } });
  });

  test('AWS refusing the look-up of the earlier run stops the rerun (exit 1): its parameters would be lost', async () => {
    configure(tracked({
      'batch list-jobs': { error: 'An error occurred (AccessDeniedException) when calling the ListJobs operation: not authorized' },
      'stepfunctions start-execution': { executionArn: 'arn:x' },
    }));
    const r = await cli('rerun', '--schedule-group', `${GROUP}/Nightly`, '--time', '2026-12-02T02:00:00Z');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AccessDeniedException');
    expect(callsOf('stepfunctions', 'start-execution')).toEqual([]);
  });

  test('an input longer than a program argument may be is refused before the call, naming --parameter (not spawn E2BIG)', async () => {
    configure(tracked({ 'batch list-jobs': { jobSummaryList: [] }, 'stepfunctions start-execution': { executionArn: 'arn:x' } }));
    const big = Array.from({ length: 40 }, (_, i) => ['--parameter', `p${i}=${'x'.repeat(4000)}`]).flat();
    const r = await cli('rerun', '--schedule-group', `${GROUP}/Nightly`, '--time', '2026-12-02T02:00:00Z', ...big);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/aws stepfunctions start-execution would get an argument of 160,\d{3} bytes, more than the 131,072 a program's argument may hold: shorten the --parameter values\./);
    expect(callsOf('stepfunctions', 'start-execution')).toEqual([]);
  });

  test('no earlier run found: it runs with the given parameters only, and says so', async () => {
    configure(tracked({ 'batch list-jobs': { jobSummaryList: [] }, 'stepfunctions start-execution': { executionArn: 'arn:x' } }));
    const r = await cli('rerun', '--schedule-group', `${GROUP}/Nightly`, '--time', '2026-12-05T02:00:00Z');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(no earlier run was found, so it has no parameters but the given ones)');
    expect(JSON.parse(flag(callsOf('stepfunctions', 'start-execution')[0], '--input'))).toEqual({ scheduledTime: '2026-12-05T02:00:00Z', parameters: {} });
  });
});

describe('pause and resume', () => {
  test('pause sends the whole schedule back with State DISABLED (UpdateSchedule replaces it); resume enables it', async () => {
    configure(tracked({ 'scheduler update-schedule': { ScheduleArn: 'arn' } }));
    const r = await cli('pause', '--schedule-group', `${GROUP}/Nightly`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`${GROUP}/Nightly: ENABLED -> DISABLED.`);
    const sent = JSON.parse(flag(callsOf('scheduler', 'update-schedule')[0], '--cli-input-json'));
    const deployed = (tracked() as any)['scheduler get-schedule'];
    expect(sent).toEqual({
      State: 'DISABLED',
      Name: 'Nightly',
      GroupName: GROUP,
      ScheduleExpression: deployed.ScheduleExpression,
      ScheduleExpressionTimezone: 'Europe/London',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: deployed.Target,
    });
    const again = await cli('resume', '--schedule-group', `${GROUP}/Nightly`, '--json');
    expect(JSON.parse(again.stdout)).toEqual({ schedule: `${GROUP}/Nightly`, previous: 'ENABLED', state: 'ENABLED' });
    expect(callsOf('scheduler', 'update-schedule')).toHaveLength(1);
  });

  test('resume of a paused schedule enables it; pause of a paused one changes nothing', async () => {
    const config = tracked({ 'scheduler update-schedule': {} }) as any;
    config['scheduler get-schedule'].State = 'DISABLED';
    configure(config);
    expect((await cli('pause', '--schedule-group', `${GROUP}/Nightly`)).stdout.trim()).toBe(`${GROUP}/Nightly is already DISABLED.`);
    expect(callsOf('scheduler', 'update-schedule')).toEqual([]);
    expect((await cli('resume', '--schedule-group', `${GROUP}/Nightly`)).stdout.trim()).toBe(`${GROUP}/Nightly: DISABLED -> ENABLED.`);
    expect(JSON.parse(flag(callsOf('scheduler', 'update-schedule')[0], '--cli-input-json')).State).toBe('ENABLED');
  });
});

describe('the run engine\'s own definitions', () => {
  function deployed(props: Partial<ScheduledBatchWorkloadProps> = {}) {
    const stack = new cdk.Stack(new cdk.App(), 'App', { env: { account: ACCOUNT, region: 'eu-west-2' } });
    const platform = new BatchPlatform(stack, 'Platform', { onDemandFallback: true });
    const workload = new ScheduledBatchWorkload(stack, 'Nightly', {
      platform,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36'),
      schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
      ...props,
    });
    // The definition as deployed: references resolved (written <LogicalId>), every expression as the engine renders it.
    const template = Template.fromStack(stack);
    const source = trackedSource(JSON.stringify(definitionOf(template)), STATE_MACHINE);
    return { jobName: stack.resolve(workload.job.jobName) as string, source, template };
  }

  test('the ScheduleRef output of a workload names its construct path in the form --stack reads', () => {
    const outputs = Object.entries<any>(deployed().template.toJSON().Outputs).filter(([key]) => key.includes('ScheduleRef'));
    expect(outputs.map(([, o]) => workloadPathOf(o.Description))).toEqual(['App/Nightly']);
  });

  test.each<[string, Partial<ScheduledBatchWorkloadProps>, number]>([
    ['the one-liner', {}, 1],
    ['SKIP', { overlapPolicy: OverlapPolicy.SKIP }, 1],
    ['REPLACE', { overlapPolicy: OverlapPolicy.REPLACE }, 1],
    ['a resubmission On-Demand', { resubmitOnDemand: true }, 2],
    ['an array job', { arraySize: 5 }, 1],
  ])('%s: the CLI reads the job name prefix and every queue its runs are submitted to', (_, props, queues) => {
    const { jobName, source } = deployed(props);
    expect(source.jobName).toBe(jobName);
    expect(source.queues).toHaveLength(queues);
    expect(source.queues.every(q => /^<[\w.]+>$/.test(q))).toBe(true);
  });

  test('a run\'s job name, as the engine builds it, gives back the scheduled time and ends with the execution\'s tail', () => {
    const { source } = deployed();
    const name = `${source.jobName}-20261202T020000Z-${executionTail('backfill-20261202T020000Z-9f8e7d6c')}`;
    expect(scheduledTimeOfJob(source, name)).toBe('2026-12-02T02:00:00Z');
    expect(executionTail('a:b/c-0123456789abcdef')).toBe('456789abcdef');
  });
});
