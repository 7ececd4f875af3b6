import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { spelledFiles, unspelled } from '../scripts/spell-errors';
import {
  BatchPlatform, ComputePlatform, CostOptimizedVpc, CostReport, EgressProfile, ScheduledBatchWorkload,
} from '../src';

const SRC = path.join(__dirname, '..', 'src');
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
const env = { account: '123456789012', region: 'us-east-1' };

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

/** Relative imports of each file (type-only imports included: a cycle of types is still a cycle of modules). */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const deps = [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map(m => path.resolve(path.dirname(file), m[1]) + '.ts');
    graph.set(file, deps);
  }
  return graph;
}

/** One cycle, as a list of modules, or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

describe('src/ is grouped by concern', () => {
  const CONCERNS = ['alarms', 'api', 'cli', 'compute', 'cost', 'jobs', 'network', 'private', 'runs', 'workload'];

  test('src/ holds the concern folders and index.ts only', () => {
    const entries = fs.readdirSync(SRC, { withFileTypes: true });
    expect(entries.filter(e => e.isFile()).map(e => e.name)).toEqual(['index.ts']);
    expect(entries.filter(e => e.isDirectory()).map(e => e.name).sort()).toEqual(CONCERNS);
  });

  test('index.ts exports each concern\'s public modules and nothing private', () => {
    const exported = [...fs.readFileSync(path.join(SRC, 'index.ts'), 'utf8').matchAll(/export \* from '\.\/([^']+)'/g)].map(m => m[1]);
    expect(exported.filter(e => e.includes('private/'))).toEqual([]);
    expect(new Set(exported.map(e => e.split('/')[0]))).toEqual(new Set(CONCERNS.filter(c => c !== 'private' && c !== 'cli')));
  });

  test('a concern\'s private helpers serve their own concern: only shared ones sit in src/private', () => {
    // Helpers under src/<concern>/private/ may be imported from another concern's private helper only when the
    // dependency is on what that helper computes (e.g. instance families); no public module reaches into another
    // concern's private folder.
    const offenders: string[] = [];
    // The one-liner (src/workload) wires every concern and may use their helpers.
    for (const file of sourceFiles(SRC).filter(f => !f.includes(`${path.sep}private${path.sep}`))) {
      const concern = path.relative(SRC, file).split(path.sep)[0];
      if (concern === 'workload') continue;
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const target = path.relative(SRC, path.resolve(path.dirname(file), m[1]));
        const [targetConcern, second] = target.split(path.sep);
        if (second === 'private' && targetConcern !== concern) offenders.push(`${path.relative(SRC, file)} imports ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('dependencies run one way', () => {
  test('no import cycle in src/', () => {
    const cycle = findCycle(importGraph(sourceFiles(SRC)));
    expect(cycle?.map(f => path.relative(SRC, f))).toBeUndefined();
  });

  test('the cycle check finds a planted cycle', () => {
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeUndefined();
  });

  test('CostReport knows the library only through ICostEstimable (no instanceof on its classes)', () => {
    const report = fs.readFileSync(path.join(SRC, 'cost', 'cost-report.ts'), 'utf8') + fs.readFileSync(path.join(SRC, 'private', 'cost-walk.ts'), 'utf8');
    expect(report).not.toMatch(/instanceof (ScheduledBatchWorkload|BatchPlatform|BatchAlarms|CostOptimizedVpc|SpotComputeEnvironment|BatchJob)\b/);
    expect(report).not.toMatch(/from '\.\.?\/(scheduled-batch-workload|batch-platform|batch-alarms|cost-optimized-vpc|spot-compute-environment|batch-job)'/);
  });

  test('no module-level registry: state lives in the construct tree', () => {
    const offenders = sourceFiles(SRC).filter(f => /^(export )?const \w+ = new (Weak)?Map\b/m.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map(f => path.relative(SRC, f))).toEqual([]);
  });

  test('the constructs this layer wires are one screen each: no file in src/ over 400 lines', () => {
    const long = sourceFiles(SRC)
      .map(f => ({ file: path.relative(SRC, f), lines: fs.readFileSync(f, 'utf8').split('\n').length }))
      .filter(f => f.lines > 400);
    expect(long).toEqual([]);
  });
});

describe('messages name props as the user wrote them (src/private/prop-names.ts)', () => {
  test('every error src/ throws is a ValidationError; every annotation and addValidation message goes through inHostSpelling', () => {
    // If this fails, run `npx ts-node -P test/tsconfig.json scripts/spell-errors.ts`: it rewrites them mechanically.
    const offenders = spelledFiles().flatMap(f => unspelled(f, fs.readFileSync(f, 'utf8')).map(o => `${path.relative(SRC, f)}:${o}`));
    expect(offenders).toEqual([]);
  });

  test('the check covers src/ but src/cli/ (flags, not props) and finds planted offenders, not a throw inside a string', () => {
    const files = spelledFiles().map(f => path.relative(SRC, f));
    expect(files).toEqual(expect.arrayContaining(['private/struct-keys.ts', 'runs/job-schedule.ts', 'private/validate.ts']));
    expect(files.filter(f => f.startsWith('cli'))).toEqual([]);
    const planted = [
      "if (x) throw new Error('bad');",
      "Annotations.of(this).addWarningV2('cdk-scheduled-batch:x', 'msg');",
      "Annotations.of(this).addInfo('note');",
      "Annotations.of(this).addWarningV2('cdk-scheduled-batch:y', inHostSpelling('ok'));",
      "throw new ValidationError('ok');",
      "const handler = `throw new Error('in the Lambda source');`;",
      'this.node.addValidation({ validate: () => this.check() });',
      'this.node.addValidation({ validate: () => inHostSpellingEach(this.check()) });',
      'this.node.addValidation({ validate() { return []; } });',
      'this.node.addValidation({ validate() { return inHostSpellingEach([]); } });',
    ].join('\n');
    expect(unspelled('planted.ts', planted)).toEqual([
      '1: throw new Error(...) (use ValidationError)',
      '2: addWarningV2 message not in inHostSpelling(...)',
      '3: addInfo message not in inHostSpelling(...)',
      '7: addValidation messages not in inHostSpellingEach(...)',
      "9: addValidation's validate is not an arrow function returning an expression (return inHostSpellingEach(messages))",
    ]);
  });
});

describe('one idle cost for one scope, whichever way it is asked', () => {
  test('platform, workload and stack: costLineItems() = CostReport.of() items, and the parts add up', () => {
    const app = new App();
    const s = new Stack(app, 'Costs', { env });
    const vpc = new CostOptimizedVpc(s, 'Vpc');
    const platform = new BatchPlatform(s, 'Platform', { vpc });
    const shared = new ScheduledBatchWorkload(s, 'Shared', { platform, schedule, image: IMAGE });
    const own = new ScheduledBatchWorkload(s, 'Own', { schedule, image: IMAGE });

    for (const scope of [vpc, platform, shared, own]) {
      expect(CostReport.of(scope).items).toEqual(scope.costLineItems());
    }
    // A VPC passed in is counted where it is defined: not in the platform. The platform counts the alarms its
    // workloads share (schedule delivery and dead-letter queue: 3 alarm metrics, $0.30); a default workload on it, none.
    expect(CostReport.of(platform).monthlyUsd).toBe(0.30);
    expect(CostReport.of(shared).monthlyUsd).toBe(0);
    expect(CostReport.of(vpc).monthlyUsd).toBe(vpc.monthlyIdleCostUsd());
    const parts = [vpc, platform, shared, own].map(c => CostReport.of(c).monthlyUsd).reduce((a, b) => a + b, 0);
    expect(Math.abs(CostReport.of(s).monthlyUsd - parts)).toBeLessThanOrEqual(0.02); // each figure rounds to cents
    expect(CostReport.of(app).monthlyUsd).toBe(CostReport.of(s).monthlyUsd);
  });

  test('a platform that creates its VPC reports the VPC', () => {
    const s = new Stack(new App(), 'Own', { env });
    const platform = new BatchPlatform(s, 'Platform');
    expect(platform.costLineItems()).toEqual(CostReport.of(platform).items);
    expect(CostReport.of(platform).monthlyUsd).toBe((platform.vpc as CostOptimizedVpc).monthlyIdleCostUsd());
  });
});

describe('no writes behind a construct\'s back: a workload asks its platform for the endpoints its secrets need', () => {
  function platformStack(app: App, jobAccess?: { secretsManager?: boolean }) {
    const s = new Stack(app, 'PlatformStack', { env });
    const platform = new BatchPlatform(s, 'Platform', {
      computePlatform: ComputePlatform.FARGATE,
      egress: EgressProfile.vpcEndpoints({ singleAz: true }),
      jobAccess,
    });
    return { s, platform };
  }
  function secretWorkload(s: Stack, platform: BatchPlatform) {
    const secret = secretsmanager.Secret.fromSecretNameV2(s, 'Secret', 'reports/db');
    return new ScheduledBatchWorkload(s, 'Nightly', {
      platform,
      schedule,
      image: IMAGE,
      cpu: 0.25,
      memory: undefined,
      secrets: { DB_PASSWORD: batch.Secret.fromSecretsManager(secret) },
    });
  }
  const endpoints = (s: Stack) => Object.values(Template.fromStack(s).findResources('AWS::EC2::VPCEndpoint'))
    .map((r: any) => JSON.stringify(r.Properties.ServiceName)).filter(n => n.includes('secretsmanager'));

  test('in another stack, a missing endpoint is a synth error telling what to declare on the platform', () => {
    const app = new App();
    const { platform } = platformStack(app);
    const workloadStack = new Stack(app, 'WorkloadStack', { env });
    expect(() => secretWorkload(workloadStack, platform)).toThrow(
      /WorkloadStack\/Nightly\/Job \(stack WorkloadStack\) reads Secrets Manager secrets, and its platform PlatformStack\/Platform in stack PlatformStack .*secretsmanager.*Declare 'jobAccess: \{"secretsManager":true\}' on the BatchPlatform in its own stack/);
  });

  test('declared on the platform, the endpoint is in the platform stack and the workload stack adds none', () => {
    const app = new App();
    const { s, platform } = platformStack(app, { secretsManager: true });
    const workloadStack = new Stack(app, 'WorkloadStack', { env });
    secretWorkload(workloadStack, platform);
    expect(endpoints(s)).toHaveLength(1);
    Template.fromStack(workloadStack).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('in the platform\'s own stack, the workload\'s request adds the endpoint to the platform (a visible call)', () => {
    const app = new App();
    const { s, platform } = platformStack(app);
    const vpc = platform.vpc as CostOptimizedVpc;
    expect(vpc.interfaceEndpointServiceNames()).not.toContain('secretsmanager');
    secretWorkload(s, platform);
    expect(vpc.interfaceEndpointServiceNames()).toContain('secretsmanager');
    expect(endpoints(s)).toHaveLength(1);
  });

  test('an imported platform cannot be checked: a warning says what to declare where it is defined', () => {
    const app = new App();
    const s = new Stack(app, 'WorkloadStack', { env });
    const platform = BatchPlatform.fromBatchPlatformAttributes(s, 'Platform', {
      jobQueueArn: 'arn:aws:batch:us-east-1:123456789012:job-queue/shared',
    });
    const secret = secretsmanager.Secret.fromSecretNameV2(s, 'Secret', 'reports/db');
    const w = new ScheduledBatchWorkload(s, 'Nightly', {
      platform, schedule, image: IMAGE, secrets: { DB_PASSWORD: batch.Secret.fromSecretsManager(secret) },
    });
    expect(w.jobQueue.jobQueueArn).toBe('arn:aws:batch:us-east-1:123456789012:job-queue/shared');
    Annotations.fromStack(s).hasWarning('/WorkloadStack/Nightly/Job',
      Match.stringLikeRegexp("imported platform .*declare 'jobAccess' on the BatchPlatform where it is defined"));
    const machines = Object.values(Template.fromStack(s).findResources('AWS::StepFunctions::StateMachine'));
    expect(JSON.stringify(machines)).toContain('arn:aws:batch:us-east-1:123456789012:job-queue/shared');
  });
});

describe('a redeploy after cdk destroy finds no name taken', () => {
  // The same app deployed again after `cdk destroy`: a retained resource with a fixed physical name would make the
  // create fail with "already exists" (reproduced in a local emulator for the job log group before this check).
  const NAME_PROPS = ['LogGroupName', 'Name', 'BucketName', 'RepositoryName', 'TopicName', 'QueueName', 'JobDefinitionName', 'JobQueueName', 'ComputeEnvironmentName', 'RoleName'];
  const app = new App();
  const stacks: Stack[] = fs.readdirSync(path.join(__dirname, 'fixtures')).filter(f => f.endsWith('.ts'))
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    .flatMap(f => (require(path.join(__dirname, 'fixtures', f)) as { stacks(a: App): Stack[] }).stacks(app));

  test.each(stacks.map(s => [s.stackName, s] as const))('%s: every retained resource has a generated name or one that ends in the stack id', (_n, s) => {
    const fixed = Object.entries(Template.fromStack(s).toJSON().Resources as { [id: string]: any })
      .filter(([, r]) => r.DeletionPolicy === 'Retain')
      .flatMap(([id, r]) => NAME_PROPS.filter(p => r.Properties?.[p] !== undefined && !JSON.stringify(r.Properties[p]).includes('AWS::StackId'))
        .map(p => `${id}.${p}`));
    expect(fixed).toEqual([]);
  });

  test('the job log groups keep their /aws/batch/ prefix and end in the stack id: the platform\'s shared one and a workload\'s own', () => {
    const s = new Stack(new App(), 'Redeploy', { env });
    const nightly = new ScheduledBatchWorkload(s, 'Nightly', { schedule, image: IMAGE });
    // A retention of its own gives a workload a job log group of its own.
    new ScheduledBatchWorkload(s, 'Kept', { platform: nightly.platform, schedule, image: IMAGE, logRetention: RetentionDays.ONE_YEAR });
    const stackGuid = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };
    const t = Template.fromStack(s);
    t.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        LogGroupName: { 'Fn::Join': ['', [Match.stringLikeRegexp('^/aws/batch/Redeploy-Nightly-Platform-SharedRuns-[0-9A-F]{8}-$'), stackGuid]] },
      }),
    });
    t.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        LogGroupName: { 'Fn::Join': ['', [Match.stringLikeRegexp('^/aws/batch/Redeploy-Kept-Job-[0-9A-F]{8}-$'), stackGuid]] },
      }),
    });
    t.hasResource('AWS::Scheduler::ScheduleGroup', { DeletionPolicy: 'Delete' });
  });
});
