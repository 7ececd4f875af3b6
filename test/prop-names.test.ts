import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { OverlapPolicy, RunApi, ScheduledBatchWorkflow, ScheduledBatchWorkload } from '../src';
import { hostLanguage, inHostSpelling, inHostSpellingEach, isPublicPropName, spellProp, ValidationError } from '../src/private/prop-names';
import { PUBLIC_STRUCTS, STRUCT_KEYS } from '../src/private/struct-keys.generated';

/** What each jsii runtime sets JSII_AGENT to (the sources are cited in src/private/prop-names.ts). */
const AGENTS = {
  python: 'Python/3.12.1',
  java: 'Java/21.0.2',
  go: 'go1.22.3/linux/amd64',
  dotnet: 'DotNet/8.0.1/.NETCoreApp,Version=v8.0/1.0.0.0',
} as const;

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const SCHEDULE = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
const stack = () => new cdk.Stack(new cdk.App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-2' } });
/** An untyped value, as a Python dict passes it. */
const untyped = (value: object): any => value;

/** Runs `fn` with JSII_AGENT set to `agent` (unset for undefined), as the jsii runtime of that language sets it. */
function withAgent<T>(agent: string | undefined, fn: () => T): T {
  const before = process.env.JSII_AGENT;
  if (agent === undefined) delete process.env.JSII_AGENT; else process.env.JSII_AGENT = agent;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.JSII_AGENT; else process.env.JSII_AGENT = before;
  }
}

/** The message `fn` throws. */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('nothing was thrown');
}

describe('the host language is read from JSII_AGENT, as each jsii runtime sets it', () => {
  test.each([
    [AGENTS.python, 'python'],
    ['Python/3.9.18', 'python'],
    [AGENTS.java, 'java'],
    ['Java/1.8.0_392', 'java'],
    [AGENTS.go, 'go'],
    ['go1.21.0/darwin/arm64', 'go'],
    ['devel go1.23-1a2b3c4 Tue Jan 2 2024/linux/amd64', 'go'],
    [AGENTS.dotnet, 'dotnet'],
    [undefined, 'typescript'],
    ['', 'typescript'],
    ['node.js/v20.11.0', 'typescript'],
    ['Rust/1.80.0', 'unknown'],
  ])('%s -> %s', (agent, host) => {
    expect(hostLanguage(agent)).toBe(host);
  });

  test('by default the process\'s JSII_AGENT', () => {
    expect(withAgent(AGENTS.python, () => hostLanguage())).toBe('python');
    expect(withAgent(undefined, () => hostLanguage())).toBe('typescript');
  });
});

describe('quoted prop names are rewritten to the host\'s spelling', () => {
  const MESSAGE = "'runDeadline' is set but 'trackRuns' is false: turn 'trackRuns' on, or leave 'runDeadline' out.";

  test.each([
    ['typescript', undefined, MESSAGE],
    ['java', AGENTS.java, MESSAGE],
    ['python', AGENTS.python, "'run_deadline' is set but 'track_runs' is false: turn 'track_runs' on, or leave 'run_deadline' out."],
    ['go', AGENTS.go, "'RunDeadline' is set but 'TrackRuns' is false: turn 'TrackRuns' on, or leave 'RunDeadline' out."],
    ['dotnet', AGENTS.dotnet, "'RunDeadline' is set but 'TrackRuns' is false: turn 'TrackRuns' on, or leave 'RunDeadline' out."],
  ])('%s', (_host, agent, expected) => {
    expect(inHostSpelling(MESSAGE, agent)).toBe(expected);
  });

  test('paths of props: each name that is a prop, indexes kept', () => {
    const message = "'steps[1].dependsOn' names 'extract', which is not a step; see 'jobAccess.secretsManager'.";
    expect(inHostSpelling(message, AGENTS.python))
      .toBe("'steps[1].depends_on' names 'extract', which is not a step; see 'job_access.secrets_manager'.");
    expect(inHostSpelling(message, AGENTS.go))
      .toBe("'Steps[1].DependsOn' names 'extract', which is not a step; see 'JobAccess.SecretsManager'.");
  });

  test('names jsii spells unusually: maxvCpus, single words, two props joined by a slash', () => {
    expect(inHostSpelling("'maxvCpus' and 'minvCpus' and 'cpu'", AGENTS.python)).toBe("'maxv_cpus' and 'minv_cpus' and 'cpu'");
    expect(inHostSpelling("'maxvCpus' and 'minvCpus' and 'cpu'", AGENTS.go)).toBe("'MaxvCpus' and 'MinvCpus' and 'Cpu'");
    expect(inHostSpelling("'instanceTypes'/'instanceClasses' mix", AGENTS.python)).toBe("'instance_types'/'instance_classes' mix");
  });

  test('left alone: values after a word that introduces one, a value after a quoted prop, names that are no prop', () => {
    // A route, a step, a parameter a user named like a prop stays as the user named it.
    expect(inHostSpelling("'routeName' is 'timeout': use lower-case letters.", AGENTS.go)).toBe("'RouteName' is 'timeout': use lower-case letters.");
    expect(inHostSpelling("'routeName' 'schedule' of Stack/Job is already taken.", AGENTS.go))
      .toBe("'RouteName' 'schedule' of Stack/Job is already taken.");
    expect(inHostSpelling("Step 'command' has 'dependsOn' 'image', which is not a step.", AGENTS.go))
      .toBe("Step 'command' has 'DependsOn' 'image', which is not a step.");
    expect(inHostSpelling("'parameters' declares 'timeout', got 'memory'.", AGENTS.go)).toBe("'Parameters' declares 'timeout', got 'memory'.");
    expect(inHostSpelling("'environment' key 'cpu' is reserved.", AGENTS.go)).toBe("'Environment' key 'cpu' is reserved.");
    expect(inHostSpelling("Quote it, for example 'timeout': '3' (e.g. 'memory').", AGENTS.go)).toBe("Quote it, for example 'timeout': '3' (e.g. 'memory').");
    // Not props: an enum value, a schedule, an internal name, a name in double quotes (a dict key as it must be written).
    const untouched = "'ALLOW', 'cron(0 2 * * ? *)', 'deadlineSeconds', 'nightly-report', \"dependsOn\"";
    expect(inHostSpelling(untouched, AGENTS.python)).toBe(untouched);
    expect(inHostSpelling(untouched, AGENTS.go)).toBe(untouched);
  });

  test('an apostrophe is not a quote: the job\'s \'timeout\' is one quoted name', () => {
    expect(inHostSpelling("the job's 'timeout' and its workloads' 'retryAttempts'", AGENTS.python))
      .toBe("the job's 'timeout' and its workloads' 'retry_attempts'");
  });

  test('a host jsii does not name keeps the TypeScript names and adds both other spellings once, at the end', () => {
    const spelt = inHostSpelling(MESSAGE, 'Rust/1.80.0');
    expect(spelt).toBe(`${MESSAGE} [names in TypeScript spelling; in Python | Go and C#: runDeadline = run_deadline | RunDeadline, `
      + 'trackRuns = track_runs | TrackRuns]');
    // An error wrapping another's message gets one note, covering both.
    expect(inHostSpelling(`Step 'a' of 'steps': ${spelt}`, 'Rust/1.80.0')).toBe(`Step 'a' of 'steps': ${MESSAGE} [names in TypeScript `
      + 'spelling; in Python | Go and C#: steps = steps | Steps, runDeadline = run_deadline | RunDeadline, trackRuns = track_runs | TrackRuns]');
    expect(inHostSpelling("'nightly-report' is taken", 'Rust/1.80.0')).toBe("'nightly-report' is taken");
  });

  test.each(Object.entries(AGENTS))('rewriting twice changes nothing (%s): an error may wrap another\'s message', (_host, agent) => {
    const once = inHostSpelling(MESSAGE, agent);
    expect(inHostSpelling(`Step 'a' of 'steps': ${once}`, agent)).toBe(`${inHostSpelling("Step 'a' of 'steps': ", agent)}${once}`);
  });

  test('ValidationError spells its message for the JSII_AGENT of the moment it is made', () => {
    expect(withAgent(AGENTS.python, () => new ValidationError("'arraySize' is 1").message)).toBe("'array_size' is 1");
    expect(withAgent(undefined, () => new ValidationError("'arraySize' is 1").message)).toBe("'arraySize' is 1");
    expect(new ValidationError('x')).toBeInstanceOf(Error);
  });

  test('inHostSpellingEach spells each message an addValidation check returns', () => {
    expect(withAgent(AGENTS.python, () => inHostSpellingEach(["raise 'workloadStacks'", "'arraySize' is 1"])))
      .toEqual(["raise 'workload_stacks'", "'array_size' is 1"]);
  });
});

describe('the spellings are the ones jsii generates (read from the generated API docs)', () => {
  const DOCS = path.join(__dirname, '..', 'docs', 'api');
  /** Each `Struct.property.camelName` anchor of a language's API doc, with the name the doc shows for it. */
  const documented = (file: string) => [...fs.readFileSync(path.join(DOCS, file), 'utf8')
    .matchAll(/href="#cdk-scheduled-batch\.(\w+)\.property\.(\w+)">(\w+)</g)]
    .filter(m => PUBLIC_STRUCTS.includes(m[1]))
    .map(m => ({ where: `${m[1]}.${m[2]}`, camel: m[2], shown: m[3] }));

  test.each([['API.python.md', 'python'], ['API.go.md', 'go'], ['API.java.md', 'java']] as const)(
    '%s: every property of every public struct', (file, host) => {
      const pairs = documented(file);
      const keys = PUBLIC_STRUCTS.flatMap(s => STRUCT_KEYS[s]);
      // Every key is documented (at least in one struct), and each documented one is spelt as the doc shows it.
      expect(new Set(pairs.map(p => p.camel))).toEqual(new Set(keys));
      expect(pairs.filter(p => spellProp(p.camel, host) !== p.shown)).toEqual([]);
    });

  test('the public structs are the structs of the API docs', () => {
    const text = fs.readFileSync(path.join(DOCS, 'API.python.md'), 'utf8');
    const structs = text.slice(text.indexOf('## Structs'), text.indexOf('## Classes'));
    expect([...structs.matchAll(/^### (\w+) /gm)].map(m => m[1])).toEqual([...PUBLIC_STRUCTS]);
    // An internal struct's keys are not rewritten (e.g. DeadlinePropNames.deadline is a public name only by chance).
    expect(isPublicPropName('deadlineSeconds')).toBe(false);
    expect(isPublicPropName('runDeadline')).toBe(true);
  });
});

describe('construct errors name the prop as each language writes it', () => {
  const badDeadline = () => new ScheduledBatchWorkload(stack(), 'W', {
    schedule: SCHEDULE, image: IMAGE, runDeadline: cdk.Duration.hours(2), trackRuns: false,
  });

  test.each([
    [undefined, "'runDeadline' is set but 'trackRuns' is false", "Turn 'trackRuns' on, or leave 'runDeadline' out."],
    [AGENTS.java, "'runDeadline' is set but 'trackRuns' is false", "Turn 'trackRuns' on, or leave 'runDeadline' out."],
    [AGENTS.python, "'run_deadline' is set but 'track_runs' is false", "Turn 'track_runs' on, or leave 'run_deadline' out."],
    [AGENTS.go, "'RunDeadline' is set but 'TrackRuns' is false", "Turn 'TrackRuns' on, or leave 'RunDeadline' out."],
    [AGENTS.dotnet, "'RunDeadline' is set but 'TrackRuns' is false", "Turn 'TrackRuns' on, or leave 'RunDeadline' out."],
  ])('ScheduledBatchWorkload runDeadline with trackRuns false, JSII_AGENT=%s', (agent, start, end) => {
    const message = withAgent(agent, () => thrown(badDeadline));
    expect(message.startsWith(start)).toBe(true);
    expect(message.endsWith(end)).toBe(true);
  });

  test('a number out of range (the shared whole-number check): Python and Go', () => {
    const bad = () => new ScheduledBatchWorkload(stack(), 'W', { schedule: SCHEDULE, image: IMAGE, retryAttempts: 0 });
    expect(withAgent(AGENTS.python, () => thrown(bad))).toMatch(/^'retry_attempts' /);
    expect(withAgent(AGENTS.go, () => thrown(bad))).toMatch(/^'RetryAttempts' /);
  });

  test('a workflow step\'s error, wrapped with the step\'s name, spells the props of both', () => {
    const bad = () => new ScheduledBatchWorkflow(stack(), 'F', {
      schedule: SCHEDULE, steps: [{ name: 'a', image: IMAGE }, { name: 'b', image: IMAGE, dependsOn: ['c'] }],
    });
    expect(withAgent(AGENTS.python, () => thrown(bad))).toBe("Step 'b' has 'depends_on' 'c', which is not a step of this workflow: use one of 'a', 'b'.");
    expect(withAgent(AGENTS.go, () => thrown(bad))).toBe("Step 'b' has 'DependsOn' 'c', which is not a step of this workflow: use one of 'a', 'b'.");
  });

  test('a warning names the props as the language writes them', () => {
    const s = withAgent(AGENTS.python, () => {
      const st = stack();
      new ScheduledBatchWorkload(st, 'W', { schedule: SCHEDULE, image: IMAGE, overlapPolicy: OverlapPolicy.QUEUE, arraySize: 4 });
      return st;
    });
    Annotations.fromStack(s).hasWarning('*', Match.stringLikeRegexp("^'overlap_policy' is OverlapPolicy.QUEUE and 'array_size' is set: .*set 'run_deadline'"));
  });
});

describe('an unknown key: from Python a dict, whose keys need the TypeScript spelling, so both spellings are given', () => {
  const dictStep = () => new ScheduledBatchWorkflow(stack(), 'F', untyped({
    schedule: SCHEDULE, steps: [{ name: 'a', image: IMAGE }, { name: 'b', image: IMAGE, depends_on: ['a'] }],
  }));

  test('Python: the dict key to write and the struct class\'s keyword argument', () => {
    expect(withAgent(AGENTS.python, () => thrown(dictStep))).toBe("'depends_on' is not a property of WorkflowStep (in 'steps[1]'): a dict's keys "
      + 'reach the library unconverted, so write the key as "dependsOn", or use the struct class: WorkflowStep(depends_on=...).');
    expect(withAgent(AGENTS.python, () => thrown(() => new RunApi(stack(), 'A', untyped({ banana: 1 }))))).toBe("'banana' is not a property of "
      + "RunApiProps: a dict's keys reach the library unconverted; the keys of RunApiProps are \"accessLogEncryptionKey\", \"accessLogRetention\", "
      + '"throttlingBurstLimit", "throttlingRateLimit" (or use the struct class RunApiProps(...) with keyword arguments).');
  });

  test('TypeScript/JavaScript and Go: the nearest key in their spelling, no Python hint', () => {
    expect(withAgent(undefined, () => thrown(dictStep))).toBe("'depends_on' is not a property of WorkflowStep (in 'steps[1]'): did you mean 'dependsOn'?");
    expect(withAgent(AGENTS.go, () => thrown(dictStep))).toBe("'depends_on' is not a property of WorkflowStep (in 'Steps[1]'): did you mean 'DependsOn'?");
  });

  test('a host jsii does not name: the Python hint and the note with both spellings', () => {
    expect(withAgent('Rust/1.80.0', () => thrown(dictStep))).toBe("'depends_on' is not a property of WorkflowStep (in 'steps[1]'): "
      + "did you mean 'dependsOn'? (Python: snake_case keys of a dict are not converted; use the struct class, e.g. "
      + 'WorkflowStep(depends_on=...), or camelCase keys) [names in TypeScript spelling; in Python | Go and C#: '
      + 'steps[1] = steps[1] | Steps[1], dependsOn = depends_on | DependsOn]');
  });
});
