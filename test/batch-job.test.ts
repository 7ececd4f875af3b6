/**
 * BatchJob on its own, and the IBatchJob contract every submitter relies on: what SubmitJob is granted on follows the
 * job whatever the order of calls, and an imported job works wherever a BatchJob does.
 */
import * as cdk from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BatchJob, BatchPlatform } from '../src';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const ENV = { account: '123456789012', region: 'eu-west-2' };

function setup() {
  const stack = new cdk.Stack(new cdk.App(), 'Jobs', { env: ENV });
  const platform = new BatchPlatform(stack, 'Platform');
  const job = new BatchJob(stack, 'Report', { platform, image: IMAGE, command: ['python', '-c', 'print(1)'] });
  return { stack, platform, job };
}

/** The SubmitJob resources of the policies attached to `roleId` (by logical id prefix). */
function submitResources(stack: cdk.Stack, rolePrefix: string): unknown[][] {
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as any[];
  return policies
    .filter(p => JSON.stringify(p.Properties.Roles).includes(rolePrefix))
    .flatMap(p => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => s.Action === 'batch:SubmitJob')
    .map((s: any) => [s.Resource].flat());
}

describe('BatchJob', () => {
  test('a job definition on the platform\'s queue: its name, timeout, attempts, non-root user, tags propagated, old revisions kept', () => {
    const { stack, job } = setup();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Batch::JobDefinition', {
      JobDefinitionName: job.jobName,
      Timeout: { AttemptDurationSeconds: 3600 },
      RetryStrategy: Match.objectLike({ Attempts: 3 }),
      PropagateTags: true,
      ContainerProperties: Match.objectLike({ User: '1000:1000', Command: ['python', '-c', 'print(1)'] }),
    });
    expect(job.jobQueue).toBe(job.platform.jobQueue);
    expect(job.logGroupName).toBe(job.logGroup.logGroupName);
    expect(job.jobName).toMatch(/^Jobs-Report-[0-9A-F]{8}$/);
  });

  test('grantSubmit before runOneAtATime covers the consumable resource added after it: no order of calls matters', () => {
    const { stack, job } = setup();
    const early = new iam.Role(stack, 'Early', { assumedBy: new iam.AccountRootPrincipal() });
    job.grantSubmit(early);
    const lock = job.runOneAtATime();
    const late = new iam.Role(stack, 'Late', { assumedBy: new iam.AccountRootPrincipal() });
    job.grantSubmit(late);
    const arn = stack.resolve(lock.attrConsumableResourceArn);
    for (const role of ['Early', 'Late']) {
      const [resources] = submitResources(stack, role);
      expect(resources).toHaveLength(3);
      expect(resources).toContainEqual(arn);
    }
    // Idempotent: one consumable resource, required once by the job definition.
    expect(job.runOneAtATime()).toBe(lock);
    Template.fromStack(stack).resourceCountIs('AWS::Batch::ConsumableResource', 1);
  });

  test('submitPolicyStatement: the same resources as grantSubmit, for a policy made elsewhere', () => {
    const { stack, job } = setup();
    const statement = job.submitPolicyStatement();
    expect(statement.actions).toEqual(['batch:SubmitJob']);
    expect(stack.resolve(statement.resources)).toEqual([stack.resolve(job.jobDefinition.jobDefinitionArn), stack.resolve(job.jobQueue.jobQueueArn)]);
  });
});

describe('BatchJob.fromBatchJobAttributes', () => {
  const attrs = (stack: cdk.Stack) => ({
    jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', 'arn:aws:batch:eu-west-2:123456789012:job-queue/shared'),
    jobDefinitionArn: 'arn:aws:batch:eu-west-2:123456789012:job-definition/report:7',
    jobName: 'report',
  });

  test('an imported job: defaults, and grantSubmit on exactly its queue and job definition', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Imported', { env: ENV });
    const job = BatchJob.fromBatchJobAttributes(stack, 'Job', attrs(stack));
    expect([job.timeout.toHours(), job.retryAttempts, job.logGroupName, job.parameters]).toEqual([1, 3, '/aws/batch/job', {}]);
    const role = new iam.Role(stack, 'Submitter', { assumedBy: new iam.AccountRootPrincipal() });
    job.grantSubmit(role);
    expect(submitResources(stack, 'Submitter')).toEqual([[
      'arn:aws:batch:eu-west-2:123456789012:job-queue/shared', 'arn:aws:batch:eu-west-2:123456789012:job-definition/report:7',
    ]]);
  });

  test('an imported job cannot run one at a time, and its attempts are checked', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Imported', { env: ENV });
    const job = BatchJob.fromBatchJobAttributes(stack, 'Job', attrs(stack));
    expect(() => job.runOneAtATime()).toThrow(/Imported\/Job is an imported job: .* Use OverlapPolicy.ALLOW or SKIP with it, or define the job with BatchJob/);
    for (const retryAttempts of [0, 11, 2.5, NaN]) {
      const s = new cdk.Stack(new cdk.App(), 'Bad', { env: ENV });
      expect(() => BatchJob.fromBatchJobAttributes(s, 'Job', { ...attrs(s), retryAttempts })).toThrow(`'retryAttempts' is ${retryAttempts}: AWS Batch makes 1 to 10 attempts`);
    }
  });
});

describe('job definition size', () => {
  const build = (props: Record<string, unknown>) => {
    const stack = new cdk.Stack(new cdk.App(), 'Size', { env: ENV });
    return () => new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE, ...props });
  };

  test('parameters or environment past AWS Batch\'s 24 KiB for a job definition fail at synth, each value within its own limit', () => {
    const parameters = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, 'x'.repeat(1000)]));
    expect(build({ parameters })).toThrow(/^'parameters', 'environment' and 'command' hold 30,\d{3} bytes together, more than the 24,576 \(24 KiB\) AWS Batch takes for a whole job definition/);
    const environment = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`V${i}`, 'y'.repeat(1024)]));
    expect(build({ environment })).toThrow(/hold 4\d,\d{3} bytes together/);
  });

  test('a definition just under the limit passes', () => {
    const environment = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`V${i}`, 'y'.repeat(1000)]));
    expect(build({ environment })).not.toThrow();
  });
});

describe('job names', () => {
  test('two long ids alike up to the end get names that differ within the prefix a run keeps (98 characters)', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Names', { env: ENV });
    const platform = new BatchPlatform(stack, 'Platform');
    const long = 'CustomerChurnPredictionFeatureExtractionForEnterpriseAccountsInEveryRegionWeServeToday'.repeat(2);
    const [eu, us] = ['Eu', 'Us'].map(r => new BatchJob(stack, `${long}${r}`, { platform, image: IMAGE }));
    for (const job of [eu, us]) expect(job.jobName.length).toBeLessThanOrEqual(98);
    // The names end with a hash of the path: cut where a run's job name cuts them, they still differ.
    expect(eu.jobName.slice(0, 98)).not.toBe(us.jobName.slice(0, 98));
  });

  test.each([['', '""'], ['my job', '"my job"'], ['x'.repeat(129), `"${'x'.repeat(129)}"`], ['-report', '"-report"']])(
    'an imported job named %j is refused: AWS Batch would refuse every run', (jobName, shown) => {
      const stack = new cdk.Stack(new cdk.App(), 'Imported', { env: ENV });
      const jobQueue = batch.JobQueue.fromJobQueueArn(stack, 'Queue', 'arn:aws:batch:eu-west-2:123456789012:job-queue/shared');
      expect(() => BatchJob.fromBatchJobAttributes(stack, 'Job', { jobQueue, jobDefinitionArn: 'arn:aws:batch:eu-west-2:123456789012:job-definition/r:1', jobName }))
        .toThrow(`'jobName' is ${shown}: AWS Batch takes job names of 1 to 128 letters, digits, hyphens and underscores, starting with a letter or digit.`);
    });

  test('an imported job\'s token name passes, and a timeout that is not a Duration is refused by name', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Imported', { env: ENV });
    const jobQueue = batch.JobQueue.fromJobQueueArn(stack, 'Queue', 'arn:aws:batch:eu-west-2:123456789012:job-queue/shared');
    const base = { jobQueue, jobDefinitionArn: 'arn:aws:batch:eu-west-2:123456789012:job-definition/r:1' };
    expect(() => BatchJob.fromBatchJobAttributes(stack, 'Token', { ...base, jobName: cdk.Fn.importValue('JobName') })).not.toThrow();
    expect(() => BatchJob.fromBatchJobAttributes(stack, 'Number', { ...base, jobName: 'r', timeout: 3600 as any })).toThrow(/'timeout' is 3600/);
  });
});

describe('BatchJob inputs', () => {
  const job = (props: Record<string, unknown>) => {
    const stack = new cdk.Stack(new cdk.App(), 'Inputs', { env: ENV });
    return new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE, ...props } as any);
  };

  test.each([
    ['cpu NaN', { cpu: NaN }, /^'cpu' is NaN: it must be a positive number of vCPUs; give a whole number on EC2/],
    ['cpu Infinity', { cpu: Infinity }, /^'cpu' is Infinity: it must be a positive number of vCPUs/],
    ['cpu negative', { cpu: -2 }, /^'cpu' is -2: it must be a positive number of vCPUs/],
    ['cpu as a string', { cpu: '2' }, /^'cpu' is '2': it must be a positive number of vCPUs/],
    ['cpu fractional on EC2', { cpu: 1.5 }, /'cpu' must be a whole number of vCPUs from 1 to .* on EC2, got 1.5/],
    ['memory NaN', { memory: cdk.Size.mebibytes(NaN) }, /^'memory' is NaN MiB: it must be a positive whole number of MiB \(AWS Batch MEMORY, at least 4\); give e.g. Size.mebibytes\(512\)/],
    ['memory Infinity', { memory: cdk.Size.gibibytes(Infinity) }, /^'memory' is Infinity MiB: it must be a positive whole number of MiB/],
    ['memory a fraction of a MiB', { memory: cdk.Size.mebibytes(512.5) }, /^'memory' is 512.5 MiB: it must be a positive whole number of MiB/],
    ['memory as a string', { memory: '2GiB' }, /^'memory' is '2GiB', which is not a Size: use a Size, e.g. Size.gibibytes\(2\)\.$/],
    ['timeout NaN', { timeout: cdk.Duration.hours(NaN) }, /^'timeout' is NaN seconds: it must be a whole number of seconds of at least 1 minute \(AWS Batch attemptDurationSeconds\); give one attempt's limit, e.g. Duration.hours\(1\)\.$/],
    ['timeout Infinity', { timeout: cdk.Duration.hours(Infinity) }, /^'timeout' is Infinity seconds: it must be a whole number of seconds/],
    ['timeout a fraction of a second', { timeout: cdk.Duration.millis(90_500) }, /^'timeout' is 90.5 seconds: it must be a whole number of seconds/],
    ['timeout as a string', { timeout: '1h' }, /^'timeout' is '1h', which is not a Duration: use a Duration, e.g. Duration.hours\(1\)\.$/],
    ['retryAttempts NaN', { retryAttempts: NaN }, /^'retryAttempts' must be a whole number from 1 to 10, got NaN/],
    ['retryAttempts Infinity', { retryAttempts: Infinity }, /^'retryAttempts' must be a whole number from 1 to 10, got Infinity/],
    ['retryAttempts negative', { retryAttempts: -1 }, /^'retryAttempts' must be a whole number from 1 to 10, got -1/],
    ['retryAttempts fractional', { retryAttempts: 2.5 }, /^'retryAttempts' must be a whole number from 1 to 10, got 2.5/],
    ['an undeclared Ref:: in command', { command: ['report', '--day', 'Ref::day'] },
      /^'command' reads Ref::day, but 'parameters' declares no 'day': AWS Batch would pass the text 'Ref::day' to the container unchanged\. Declare it with a default, e.g. parameters: \{ day: '<default>' \}/],
    ['an undeclared Ref:: inside an argument', { command: ['sh', '-c', 'echo Ref::region'], parameters: { mode: 'full' } }, /^'command' reads Ref::region, but 'parameters' declares no 'region'/],
    ['retryAttempts as a string', { retryAttempts: '3' }, /^'retryAttempts' must be a whole number from 1 to 10, got '3' \(a string\)/],
    ['an exit code above 255', { retryableExitCodes: ['256'] }, /^'retryableExitCodes' entry '256' can never match a failed attempt: a container exits with a code from 1 to 255 when it fails \(0 is success\)\. Give the code your application exits with, e\.g\. '75'\.$/],
    ['an exit-code prefix above 255', { retryableExitCodes: ['300*'] }, /^'retryableExitCodes' entry '300\*' can never match a failed attempt/],
    ['exit code 0', { retryableExitCodes: ['0'] }, /^'retryableExitCodes' entry '0' can never match a failed attempt/],
    ['an exit code as a number', { retryableExitCodes: [75] }, /^'retryableExitCodes' entry 75 \(a number\) is not an exit-code pattern AWS Batch accepts: use a string of digits/],
    ['an empty environment variable name', { environment: { '': 'x' } }, /^'environment' key "" is not an environment variable name a container can receive: it must not be empty or hold '=', spaces or control characters\. Use letters, digits and underscores, e\.g\. 'LOG_LEVEL'\.$/],
    ['an environment variable name with =', { environment: { 'A=B': '1' } }, /^'environment' key "A=B" is not an environment variable name/],
    ['an environment variable name with a space', { environment: { 'MY VAR': '1' } }, /^'environment' key "MY VAR" is not an environment variable name/],
    ['a secret name with a newline', { secrets: { 'A\nB': {} } }, /^'secrets' key "A\\nB" is not an environment variable name/],
    ['environment as a list', { environment: ['A=1'] }, /^'environment' is \["A=1"\]: give a map of variable names to values, e\.g\. \{ LOG_LEVEL: 'info' \}\.$/],
    ['SCHEDULED_TIME in environment', { environment: { SCHEDULED_TIME: 'x' } },
      /^'environment' key 'SCHEDULED_TIME' is set by every scheduled, API and workflow run to the run's scheduled time, which replaces this value: rename it, or read the run's time from \$SCHEDULED_TIME\.$/],
    ['an empty user', { user: '' }, /^'user' is "": give a user name or UID, optionally with ':' and a group name or GID, e\.g\. '1000:1000' \(the default\)\. An empty 'user' would run the image's own user, often root\.$/],
    ['a user with a space', { user: 'a b:c' }, /^'user' is "a b:c": give a user name or UID/],
    ['a user with two colons', { user: '1:2:3' }, /^'user' is "1:2:3": give a user name or UID/],
    ['logRetention not a RetentionDays', { logRetention: 8 }, /^'logRetention' is 8, which is not a logs\.RetentionDays: use one of logs\.RetentionDays\.ONE_DAY, /],
    ['logRetention 0', { logRetention: 0 }, /^'logRetention' is 0, which is not a logs\.RetentionDays/],
    ['an empty program in command', { command: ['', 'x'] }, /^'command' starts with "": the first entry is the program the container runs\. Give it, e\.g\. \['python', '-m', 'report'\], or leave 'command' out to run the image's own\.$/],
    ['command as one string', { command: 'echo hi' }, /^'command' is "echo hi": give a list of strings, the program first, e\.g\. \['python', '-m', 'report'\]\.$/],
    ['a number in command', { command: ['sleep', 5] }, /^'command' is \["sleep",5\]: give a list of strings/],
    ['an undefined environment value', { environment: { A: undefined } }, /^'environment' value of 'A' is undefined: environment values are strings\. Quote it, e\.g\. A: '<value>', or leave 'A' out\.$/],
    ['a number as an environment value', { environment: { A: 5 } }, /^'environment' value of 'A' is 5 \(a number\): environment values are strings\. Quote it, e\.g\. A: '5'/],
  ])('fails on bad input: %s', (_name, props, message) => {
    expect(() => job(props)).toThrow(message);
  });

  test('root and privileged are legal but warn, each with an id to acknowledge; the default user and a named non-root user do not', () => {
    const warnings = (props: Record<string, unknown>) => {
      const j = job(props);
      return Annotations.fromStack(cdk.Stack.of(j)).findWarning('*', Match.stringLikeRegexp('cdk-scheduled-batch:(rootUser|privilegedContainer)'))
        .map(w => String(w.entry.data));
    };
    expect(warnings({ user: 'root' })).toEqual([expect.stringMatching(/^'user' is 'root': the container runs as root, .*Run as a non-root user \(the default '1000:1000'\), or acknowledge this warning if the image needs root\. \[ack: cdk-scheduled-batch:rootUser\]$/)]);
    expect(warnings({ user: '0:0' })).toEqual([expect.stringContaining("'user' is '0:0': the container runs as root")]);
    expect(warnings({ privileged: true })).toEqual([expect.stringMatching(/^'privileged' is true: the container gets root access to its EC2 host .* \[ack: cdk-scheduled-batch:privilegedContainer\]$/)]);
    expect(warnings({})).toEqual([]);
    expect(warnings({ user: 'app:app', privileged: false })).toEqual([]);
  });

  test('token names and values pass: a user, an exit code and a log retention from the context', () => {
    const s = (v: string) => cdk.Lazy.string({ produce: () => v });
    expect(() => job({ user: s(''), retryableExitCodes: [s('999')], logRetention: cdk.Token.asNumber(cdk.Lazy.number({ produce: () => 8 })) })).not.toThrow();
  });

  test('declared parameters and Ref::scheduledTime in command pass', () => {
    expect(() => job({ command: ['report', 'Ref::scheduledTime', 'Ref::region'], parameters: { region: 'eu' } })).not.toThrow();
  });

  test('tokens pass: cpu, memory, timeout and retryAttempts from parameters', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Tokens', { env: ENV });
    const n = (name: string) => new cdk.CfnParameter(stack, name, { type: 'Number' }).valueAsNumber;
    const platform = new BatchPlatform(stack, 'Platform');
    const tokenJob = new BatchJob(stack, 'Job', {
      platform, image: IMAGE, cpu: n('Cpu'), memory: cdk.Size.mebibytes(n('Memory')), timeout: cdk.Duration.seconds(n('Timeout')), retryAttempts: n('Attempts'),
    });
    expect(cdk.Token.isUnresolved(tokenJob.retryAttempts)).toBe(true);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/e\+\d{3}/);
  });
});

describe('job definition tags', () => {
  test('past AWS Batch\'s 50 with the library\'s own workload tag, the synth fails naming the count; 49 of the user\'s pass', () => {
    const make = (n: number) => {
      const app = new cdk.App();
      const stack = new cdk.Stack(app, 'Tagged', { env: ENV });
      for (let i = 0; i < n; i++) cdk.Tags.of(stack).add(`tag${i}`, 'v');
      new BatchJob(stack, 'Job', { platform: new BatchPlatform(stack, 'Platform'), image: IMAGE });
      return () => app.synth();
    };
    expect(make(50)).toThrow(/The job definition of Tagged\/Job\/JobDefinition has 51 tags, more than the 50 AWS Batch takes: its own 'cdk-scheduled-batch:workload' is one of them, .* Remove 1\./);
    expect(make(49)).not.toThrow();
  });
});
