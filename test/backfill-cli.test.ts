import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliBuild, CliResult, runCli } from './support/cli';
import { CONCURRENCY, EARLIEST_YEAR, MAX_RUNS_LIMIT, USAGE } from '../src/cli/backfill';
import { THROTTLE_ATTEMPTS, toCliInput } from '../src/cli/replay';
import { DEFAULT_FIRE_TIME_LIMIT } from '../src/private/fire-times';

/**
 * The backfill CLI end to end: src/cli/backfill.ts run by Node (through ts-node) with a fake `aws` first on PATH. The
 * fake logs every call, answers list-schedules/get-schedule from a config file, and keeps each started run in a file,
 * so the log shows which runs were unfinished at once and a second run of the same command finds them started.
 */
const BUILD = new CliBuild();
const CLI = BUILD.cli('backfill');
const STATE_MACHINE = 'arn:aws:states:eu-west-2:123456789012:stateMachine:NightlyReportScheduleRunsStateMachine-Ab12Cd34';
const GROUP = 'IntegWorkloadOneLiner-Nightlport-Schedule-ScheduleGroup-8167E3B5';

const FAKE_AWS = `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const dir = process.env.FAKE_AWS_DIR;
const argv = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
const log = (event) => fs.appendFileSync(path.join(dir, 'log.jsonl'), JSON.stringify({ ...event, argv }) + '\\n');
const arg = (name) => argv[argv.indexOf(name) + 1];
const runFile = (name) => path.join(dir, 'runs', name + '.json');
const reply = (value) => { process.stdout.write(JSON.stringify(value)); process.exit(0); };
const fail = (text) => { process.stderr.write(text + '\\n'); process.exit(254); };
const poll = (name) => {
  const run = JSON.parse(fs.readFileSync(runFile(name), 'utf8'));
  run.polls += 1;
  let status = run.status;
  if (!status) status = run.polls < 2 ? 'RUNNING' : (config.fail || []).some(f => name.includes(f)) ? 'FAILED' : 'SUCCEEDED';
  if (status !== 'RUNNING' && !run.status) { run.status = status; log({ event: 'finish', name }); }
  fs.writeFileSync(runFile(name), JSON.stringify(run));
  return status;
};
const [service, command] = argv;
log({ event: 'call' });
// config.throttle: { <command>: n } answers the first n calls of that command with a throttling error.
if ((config.throttle || {})[command] !== undefined) {
  const counter = path.join(dir, 'throttled-' + command);
  const n = fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) : 0;
  if (n < config.throttle[command]) {
    fs.writeFileSync(counter, String(n + 1));
    fail('An error occurred (ThrottlingException) when calling the operation: Rate exceeded');
  }
}
if (service === 'scheduler' && command === 'list-schedules') reply({ Schedules: config.names.map(Name => ({ Name, GroupName: arg('--group-name') })) });
if (service === 'scheduler' && command === 'get-schedule') reply(config.schedule);
if (service === 'stepfunctions' && command === 'start-execution') {
  const name = arg('--name');
  if ((config.denied || []).some(f => name.includes(f))) fail('An error occurred (AccessDeniedException) when calling the StartExecution operation: not authorized');
  if (fs.existsSync(runFile(name))) fail('An error occurred (ExecutionAlreadyExists) when calling the StartExecution operation: Execution Already Exists');
  fs.writeFileSync(runFile(name), JSON.stringify({ polls: 0 }));
  log({ event: 'start', name });
  reply({ executionArn: arg('--state-machine-arn').replace(':stateMachine:', ':execution:') + ':' + name, startDate: '2026-12-01T00:00:00Z' });
}
if (service === 'stepfunctions' && command === 'describe-execution') {
  const name = arg('--execution-arn').split(':').pop();
  reply({ status: fs.existsSync(runFile(name)) ? poll(name) : 'SUCCEEDED' });
}
if (service === 'batch' && command === 'submit-job') {
  const input = JSON.parse(arg('--cli-input-json'));
  const name = 'job-' + String((input.parameters || {}).ScheduledTime || process.pid).replace(/[-:]/g, '');
  fs.writeFileSync(runFile(name), JSON.stringify({ polls: 0 }));
  log({ event: 'start', name, input });
  reply({ jobId: name, jobName: input.jobName });
}
if (service === 'batch' && command === 'describe-jobs') reply({ jobs: [{ jobId: arg('--jobs'), status: poll(arg('--jobs')) }] });
fail('fake aws: unexpected call ' + argv.join(' '));
`;

type Result = CliResult;

interface LogLine {
  readonly event: 'call' | 'start' | 'finish';
  readonly argv: string[];
  readonly name?: string;
  readonly input?: any;
}

let dir: string;

function configure(config: object): void {
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
}

function trackedSchedule(input = '{"scheduledTime":"<aws.scheduler.scheduled-time>"}') {
  return {
    Arn: `arn:aws:scheduler:eu-west-2:123456789012:schedule/${GROUP}/Schedule`,
    Name: 'Schedule',
    GroupName: GROUP,
    ScheduleExpression: 'cron(0 2 * * ? *)',
    ScheduleExpressionTimezone: 'Europe/London',
    Target: { Arn: STATE_MACHINE, Input: input, RoleArn: 'arn:aws:iam::123456789012:role/SchedulerRole' },
  };
}

function backfill(...args: string[]): Promise<Result> {
  return runCli(CLI, args, dir, { CDK_SCHEDULED_BATCH_BACKFILL_POLL_MS: '10' });
}

function log(): LogLine[] {
  const file = path.join(dir, 'log.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l)) : [];
}

/** Most runs started and not yet seen finished, at any point of the log. */
function maxUnfinished(lines: LogLine[]): number {
  let open = 0;
  let max = 0;
  for (const l of lines) {
    if (l.event === 'start') max = Math.max(max, ++open);
    if (l.event === 'finish') open--;
  }
  return max;
}

afterAll(() => BUILD.remove());

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backfill-'));
  fs.mkdirSync(path.join(dir, 'runs'));
  fs.writeFileSync(path.join(dir, 'aws'), FAKE_AWS, { mode: 0o755 });
  configure({ names: ['Schedule'], schedule: trackedSchedule() });
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('dry run', () => {
  test('prints each time in UTC and local, across the autumn change, and never calls aws', async () => {
    const r = await backfill('--from', '2026-10-24', '--to', '2026-10-27', '--dry-run', '--schedule', 'cron(30 1 * * ? *)', '--time-zone', 'Europe/London');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      '2026-10-24T00:30:00Z  2026-10-24 01:30 +01:00 Europe/London',
      '2026-10-25T00:30:00Z  2026-10-25 01:30 +01:00 Europe/London',
      '2026-10-26T01:30:00Z  2026-10-26 01:30 +00:00 Europe/London',
    ]);
    // A bare date is midnight in the schedule's zone: 2026-10-24 00:00 BST is 2026-10-23T23:00Z.
    expect(r.stderr).toContain('2026-10-23T23:00:00Z to 2026-10-27T00:00:00Z: 3 scheduled times (dry run: nothing is started)');
    expect(log()).toEqual([]);
  });

  test('reads the schedule and its zone from a synthesized template, choosing by --schedule-id', async () => {
    const template = path.join(__dirname, 'workload-one-liner.integ.snapshot', 'IntegWorkloadOneLiner.template.json');
    const several = await backfill('--from', '2026-11-23', '--to', '2026-11-25', '--dry-run', '--template', template);
    expect(several.code).toBe(2);
    expect(several.stderr).toMatch(/has 2 schedules: choose one with --schedule-id/);
    expect(several.stderr).toContain('NightlyReportScheduleD09FBB2E: "cron(0 2 * * ? *)" in "Europe/London"');
    expect(several.stderr).toContain('FailsOnPurposeScheduleC3C65C78');
    const one = await backfill('--from', '2026-11-23', '--to', '2026-11-25', '--dry-run', '--template', template, '--schedule-id', 'FailsOnPurpose');
    expect(one.code).toBe(0);
    expect(one.stdout).toBe('2026-11-23T03:00:00Z  2026-11-23 03:00 +00:00 Europe/London\n2026-11-24T03:00:00Z  2026-11-24 03:00 +00:00 Europe/London\n');
    expect(log()).toEqual([]);
  });

  test('a schedule the library refuses at synth is refused, with the same message', async () => {
    const r = await backfill('--from', '2026-11-23', '--to', '2026-11-25', '--dry-run', '--schedule', 'cron(0 2 * * *)');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("'--schedule' cron(0 2 * * *) has 5 fields");
  });

  test('more times than --max-runs is refused, naming the flag', async () => {
    const r = await backfill('--from', '2026-11-23', '--to', '2026-11-24', '--dry-run', '--schedule', 'rate(1 minute)');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/more than 1000 scheduled times of rate\(1 minute\): shorten the range or raise '--max-runs'/);
    expect((await backfill('--from', '2026-11-23', '--to', '2026-11-24', '--dry-run', '--schedule', 'rate(1 minute)', '--max-runs', '1440')).stdout.trim().split('\n')).toHaveLength(1440);
  });
});

describe('tracked runs (a RunTracker state machine)', () => {
  test('starts one execution per time with the time in the input, named by the time, never more than --concurrency at once', async () => {
    const r = await backfill('--from', '2026-11-23', '--to', '2026-11-28', '--schedule-group', GROUP, '--concurrency', '2', '--region', 'eu-west-2', '--profile', 'ops');
    expect(r.stderr).toBe('cron(0 2 * * ? *) in Europe/London, 2026-11-23T00:00:00Z to 2026-11-28T00:00:00Z: 5 scheduled times.\n');
    expect(r.code).toBe(0);
    const lines = log();
    const starts = lines.filter(l => l.event === 'start').sort((a, b) => a.name!.localeCompare(b.name!));
    expect(starts.map(s => s.argv[s.argv.indexOf('--input') + 1])).toEqual(
      ['23', '24', '25', '26', '27'].map(d => `{"scheduledTime":"2026-11-${d}T02:00:00Z"}`));
    expect(starts.map(s => s.name)).toEqual(['23', '24', '25', '26', '27'].map(d => expect.stringMatching(new RegExp(`^backfill-202611${d}T020000Z-[0-9a-f]{8}$`))));
    expect(starts.every(s => s.argv.includes(STATE_MACHINE))).toBe(true);
    expect(maxUnfinished(lines)).toBe(2);
    // Every call carries the caller's region and profile.
    expect(lines.every(l => l.argv.join(' ').includes('--output json --region eu-west-2 --profile ops'))).toBe(true);
    expect(lines[0].argv.slice(0, 4)).toEqual(['scheduler', 'list-schedules', '--group-name', GROUP]);
    expect(r.stdout).toMatch(/^2026-11-23T02:00:00Z {2}SUCCEEDED {2}arn:aws:states:eu-west-2:123456789012:execution:/m);
    expect(r.stdout).toContain('backfill: 5 runs, 5 succeeded, 0 already started, 0 did not succeed.');
  });

  test('--concurrency 1 runs one at a time', async () => {
    const r = await backfill('--from', '2026-11-23', '--to', '2026-11-26', '--schedule-group', GROUP);
    expect(r.code).toBe(0);
    expect(maxUnfinished(log())).toBe(1);
  });

  test('the same backfill again reports the runs as already started and starts none', async () => {
    const args = ['--from', '2026-11-23', '--to', '2026-11-25', '--schedule-group', GROUP, '--concurrency', '2'];
    expect((await backfill(...args)).code).toBe(0);
    fs.rmSync(path.join(dir, 'log.jsonl'));
    const again = await backfill(...args);
    expect(again.code).toBe(0);
    expect(log().filter(l => l.event === 'start')).toEqual([]);
    expect(again.stdout).toMatch(/^2026-11-23T02:00:00Z {2}already started \(SUCCEEDED\) {2}arn:aws:states:eu-west-2:123456789012:execution:NightlyReportScheduleRunsStateMachine-Ab12Cd34:backfill-20261123T020000Z-/m);
    expect(again.stdout).toContain('backfill: 2 runs, 0 succeeded, 2 already started, 0 did not succeed.');
  });

  test('a run that fails, or one that cannot start, makes the exit status 1; the others still run', async () => {
    configure({ names: ['Schedule'], schedule: trackedSchedule(), fail: ['20261124T'], denied: ['20261125T'] });
    const r = await backfill('--from', '2026-11-23', '--to', '2026-11-27', '--schedule-group', GROUP, '--concurrency', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^2026-11-24T02:00:00Z {2}FAILED /m);
    expect(r.stdout).toMatch(/^2026-11-25T02:00:00Z {2}not started {2}aws stepfunctions start-execution failed: .*AccessDeniedException/m);
    expect(r.stdout).toMatch(/^2026-11-26T02:00:00Z {2}SUCCEEDED /m);
    expect(r.stdout).toContain('backfill: 4 runs, 2 succeeded, 0 already started, 2 did not succeed: 2026-11-24T02:00:00Z, 2026-11-25T02:00:00Z.');
  });

  test('a group that does not hold exactly one schedule, or a target of another kind, is refused', async () => {
    configure({ names: [], schedule: trackedSchedule() });
    const none = await backfill('--from', '2026-11-23', '--to', '2026-11-24', '--schedule-group', GROUP);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/holds no schedule/);
    configure({ names: ['Schedule'], schedule: { ...trackedSchedule(), Target: { Arn: 'arn:aws:lambda:eu-west-2:123456789012:function:f' } } });
    const lambda = await backfill('--from', '2026-11-23', '--to', '2026-11-24', '--schedule-group', GROUP);
    expect(lambda.code).toBe(1);
    expect(lambda.stderr).toMatch(/the schedule's target is arn:aws:lambda:.*: the backfill replays the two targets of this library/);
    expect(log().filter(l => l.event === 'start')).toEqual([]);
  });
});

describe('the bugs of issue #24 and a shared schedule group', () => {
  test('a year before 1970 is refused, not read as 19xx (0026-01-01 once gave 101 runs from 1926)', async () => {
    const r = await backfill('--from', '0026-01-01', '--to', '2026-01-02', '--dry-run', '--schedule', 'cron(0 0 1 1 ? *)');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--from is '0026-01-01': the year 0026 is before 1970, when no schedule could have fired; give a four-digit year such as 2026.");
    expect((await backfill('--from', '2026-01-01', '--to', '0099-01-02', '--dry-run', '--schedule', 'rate(1 day)')).stderr).toContain("--to is '0099-01-02'");
  });

  test('--max-runs has an upper bound', async () => {
    const r = await backfill('--from', '2026-11-23', '--to', '2026-11-24', '--dry-run', '--schedule', 'rate(1 day)', '--max-runs', '100001');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--max-runs is '100001': give a whole number from 1 to 100000.");
    expect((await backfill('--from', '2026-11-23', '--to', '2026-11-24', '--dry-run', '--schedule', 'rate(1 day)', '--max-runs', '100000')).code).toBe(0);
  });

  test('a template file that holds null, a number or an array is refused with a usage error, not a TypeError', async () => {
    for (const [content, what] of [['null', 'null'], ['42', 'a number'], ['[]', 'an array']]) {
      const file = path.join(dir, 'template.json');
      fs.writeFileSync(file, content);
      const r = await backfill('--from', '2026-11-23', '--to', '2026-11-24', '--dry-run', '--template', file);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--template ${file} holds ${what}, not a CloudFormation template`);
      expect(r.stderr).not.toContain('TypeError');
    }
  });

  test('throttled calls are made again; a run whose state cannot be read after it started is reported started, not "not started"', async () => {
    configure({ names: ['Schedule'], schedule: trackedSchedule(), throttle: { 'start-execution': 2, 'describe-execution': 3 } });
    const retried = await backfill('--from', '2026-11-23', '--to', '2026-11-24', '--schedule-group', GROUP);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/^2026-11-23T02:00:00Z {2}SUCCEEDED /m);
    expect(log().filter(l => l.event === 'start')).toHaveLength(1);
    fs.rmSync(path.join(dir, 'log.jsonl'));
    for (const f of fs.readdirSync(dir).filter(name => name.startsWith('throttled-'))) fs.rmSync(path.join(dir, f));
    configure({ names: ['Schedule'], schedule: trackedSchedule(), throttle: { 'describe-execution': 100 } });
    const unknown = await backfill('--from', '2026-11-24', '--to', '2026-11-25', '--schedule-group', GROUP);
    expect(unknown.code).toBe(1);
    expect(log().filter(l => l.event === 'start')).toHaveLength(1);
    expect(unknown.stdout).toMatch(/^2026-11-24T02:00:00Z {2}started, state unknown {2}arn:aws:states:.*:execution:.*ThrottlingException/m);
    expect(unknown.stdout).not.toContain('not started');
  });

  test('a platform\'s shared group: the schedule is chosen by --schedule-name or <group>/<name>, and without one the error says how', async () => {
    configure({ names: ['Billing', 'Schedule', 'Reports'], schedule: trackedSchedule() });
    const ambiguous = await backfill('--from', '2026-11-23', '--to', '2026-11-24', '--schedule-group', GROUP);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain(`schedule group '${GROUP}' holds 3 schedules (Billing, Schedule, Reports): choose one with --schedule-name, or give <group>/<name>`);
    for (const args of [['--schedule-group', GROUP, '--schedule-name', 'Schedule'], ['--schedule-group', `${GROUP}/Schedule`]]) {
      fs.rmSync(path.join(dir, 'log.jsonl'), { force: true });
      fs.rmSync(path.join(dir, 'runs'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'runs'));
      const r = await backfill('--from', '2026-11-23', '--to', '2026-11-24', ...args);
      expect(r.code).toBe(0);
      const calls = log().filter(l => l.event === 'call').map(l => l.argv.slice(0, 2).join(' '));
      expect(calls).not.toContain('scheduler list-schedules');
      expect(log()[0].argv.slice(0, 6)).toEqual(['scheduler', 'get-schedule', '--group-name', GROUP, '--name', 'Schedule']);
    }
    const both = await backfill('--from', '2026-11-23', '--to', '2026-11-24', '--schedule-group', `${GROUP}/Schedule`, '--schedule-name', 'Billing');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--schedule-group names the schedule 'Schedule' and --schedule-name 'Billing': give one of them.");
  });
});

describe('untracked runs (the batch:submitJob universal target)', () => {
  const input = {
    JobName: 'nightly-report',
    JobQueue: 'arn:aws:batch:eu-west-2:123456789012:job-queue/q',
    JobDefinition: 'arn:aws:batch:eu-west-2:123456789012:job-definition/d:3',
    Parameters: { ScheduledTime: '<aws.scheduler.scheduled-time>', Region: 'eu' },
    ContainerOverrides: { Environment: [{ Name: 'SCHEDULED_TIME', Value: '<aws.scheduler.scheduled-time>' }] },
  };

  test('submits the SubmitJob input in the CLI\'s camelCase, Parameters keys untouched, and waits for each job', async () => {
    configure({
      names: ['Schedule'],
      schedule: { ...trackedSchedule(), Target: { Arn: 'arn:aws:scheduler:::aws-sdk:batch:submitJob', Input: JSON.stringify(input) } },
      fail: ['20261125T'],
    });
    const r = await backfill('--from', '2026-11-23', '--to', '2026-11-26', '--schedule-group', GROUP, '--concurrency', '2');
    const starts = log().filter(l => l.event === 'start').sort((a, b) => a.name!.localeCompare(b.name!));
    expect(starts.map(s => s.input)).toEqual(['23', '24', '25'].map(d => ({
      jobName: 'nightly-report',
      jobQueue: input.JobQueue,
      jobDefinition: input.JobDefinition,
      parameters: { ScheduledTime: `2026-11-${d}T02:00:00Z`, Region: 'eu' },
      containerOverrides: { environment: [{ name: 'SCHEDULED_TIME', value: `2026-11-${d}T02:00:00Z` }] },
    })));
    expect(maxUnfinished(log())).toBe(2);
    expect(r.stdout).toMatch(/^2026-11-25T02:00:00Z {2}FAILED {2}job-20261125T020000Z$/m);
    expect(r.code).toBe(1);
  });

  test('toCliInput lower-cases member names recursively, not the keys of user-named maps', () => {
    expect(toCliInput({ Tags: { CostCenter: 'x' }, ArrayProperties: { Size: 2 }, DependsOn: [{ JobId: 'a', Type: 'N_TO_N' }] })).toEqual({
      tags: { CostCenter: 'x' }, arrayProperties: { size: 2 }, dependsOn: [{ jobId: 'a', type: 'N_TO_N' }],
    });
  });
});

describe('bad command lines give the usage and exit 2, naming the flag', () => {
  test.each([
    [['--form', '2026-11-23'], /unknown flag '--form'/],
    [['--from', '2026-11-23', '--dry-run', '--schedule', 'cron(0 2 * * ? *)'], /--to is required/],
    [['--from', '2026-11-23', '--to', '2026-11-24', '--dry-run'], /give exactly one of --schedule, --template or --schedule-group/],
    [['--from', '23/11/2026', '--to', '2026-11-24', '--dry-run', '--schedule', 'cron(0 2 * * ? *)'], /--from is '23\/11\/2026': give an ISO date/],
    [['--from', '2026-11-24', '--to', '2026-11-23', '--dry-run', '--schedule', 'cron(0 2 * * ? *)'], /--to \(2026-11-23T00:00:00Z\) must be after --from/],
    [['--from', '2026-11-23', '--to', '2026-11-24', '--schedule-group', GROUP, '--concurrency', '0'], /--concurrency is '0': give a whole number from 1 to 50/],
    [['--from', '2026-11-23', '--to', '2026-11-24', '--schedule', 'cron(0 2 * * ? *)'], /a real run replays the deployed schedule's own target: give --schedule-group/],
    [['--from', '2026-11-23', '--to', '2026-11-24', '--dry-run', '--schedule-group', GROUP], /--dry-run never calls AWS/],
    [['--from', '2026-11-23', '--to', '2026-11-24', '--dry-run', '--schedule', 'cron(0 2 * * ? *)', '--time-zone', 'Mars/Olympus'], /'Mars\/Olympus' is not an IANA time zone name/],
    [['--from', '2026-11-01', '--from', '2026-11-23', '--to', '2026-11-24', '--dry-run', '--schedule', 'cron(0 2 * * ? *)'], /--from is given more than once: give it once\./],
    [['--from', '2026-11-23T00:00:00+99:00', '--to', '2026-11-24', '--dry-run', '--schedule', 'cron(0 2 * * ? *)'], /--from is '2026-11-23T00:00:00\+99:00': the offset \+99:00 is not one a clock uses; give one from -12:00 to \+14:00, or Z\./],
    [['--from', '2026-11-23', '--to', '2026-11-24', '--dry-run', '--schedule=cron(0 2 * * ? *)', '--dry-run=false'], /flag '--dry-run' takes no value: give it alone to turn it on\./],
    [['--from', '2026-11-23', '--to', '2026-11-24', '--schedule-group', `${GROUP}/Nightly/extra`], /--schedule-group is '[\w-]+\/Nightly\/extra': give <group> or <group>\/<name>/],
    [['--from', '2026-11-23', '--to', '2026-11-24', '--schedule-group', GROUP, '--region', ''], /--region is empty: give a value, or leave the flag out\./],
  ])('%j', async (args, message) => {
    const r = await backfill(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('Usage:');
    expect(log()).toEqual([]);
  });

  test('a range that reaches past now is refused before any run starts: the schedule runs those times itself', async () => {
    const r = await backfill('--from', '2998-12-01', '--to', '2999-01-01', '--schedule-group', GROUP);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--to 2999-01-01T00:00:00Z reaches past now: 31 of the 31 scheduled times \(from 2998-12-01T02:00:00Z\) have not come yet, and the schedule runs them itself\./);
    expect(log().filter(l => l.event === 'start')).toEqual([]);
    const dry = await backfill('--from', '2999-01-01', '--to', '2999-01-03', '--dry-run', '--schedule', 'cron(0 2 * * ? *)');
    expect(dry.code).toBe(0);
    expect(dry.stdout.trim().split('\n')).toHaveLength(2);
  });

  test('--help prints the usage and exits 0', async () => {
    const r = await backfill('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage:\n {2}cdk-scheduled-batch-backfill --from <date> --to <date> --dry-run --schedule/);
  });
});

describe('docs/backfill.md states the CLI\'s numbers', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'backfill.md'), 'utf8');
  test('concurrency and the run limit, as the usage text gives them', () => {
    expect(doc).toContain(`| \`--concurrency\` | Most runs unfinished at once, 1 to ${CONCURRENCY.max} (default ${CONCURRENCY.default}). |`);
    expect(USAGE).toContain(`1-${CONCURRENCY.max} (default ${CONCURRENCY.default})`);
    expect(doc).toContain(`(default ${DEFAULT_FIRE_TIME_LIMIT}, at most ${MAX_RUNS_LIMIT}), so that a mistyped year`);
    expect(USAGE).toContain(`(default ${DEFAULT_FIRE_TIME_LIMIT}, at most ${MAX_RUNS_LIMIT})`);
    expect(doc).toContain(`is ${EARLIEST_YEAR} or later`);
    expect(doc).toContain(`up to ${THROTTLE_ATTEMPTS} attempts with a doubling wait`);
    expect(doc).toContain(`\`--max-runs\` (default ${DEFAULT_FIRE_TIME_LIMIT}) refuses larger ranges`);
  });
});
