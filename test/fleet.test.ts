/**
 * Issue #22: a platform that carries a fleet. Resources and fixed cost per workload, deterministic placement in
 * nested stacks, what the 101st workload changes, and the guarantees that sharing must keep.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  BatchFleet, BatchFleetProps, CostReport, FLEET_DEFAULTS, MAX_WORKLOADS_PER_STACK, OverlapPolicy, Rollout, ScheduledBatchWorkload,
  ScheduledBatchWorkloadProps,
} from '../src';
import { fleetStack } from './fixtures/fleet';
import { roleId, roleStatements } from './support/iam';
import { CLI_METADATA_CONTEXT } from '../scripts/bench/footprint';
import { sharedJobNamePrefix } from '../src/runs/private/start-check-machine';
import { MAX_NESTED_TEMPLATE_BYTES, MAX_WORKLOAD_STACKS } from '../src/workload/private/fleet-stack';
import { PLATFORM_TAG_KEY } from '../src/workload/private/platform-runs';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const DAILY = scheduler.ScheduleExpression.rate(cdk.Duration.hours(24));

/** A workload with every option that adds to its template: SKIP, a canary with rerun and keep, On-Demand resubmission, its own email topic, a start deadline. */
const EVERY_OPTION = (i: number): ScheduledBatchWorkloadProps => ({
  schedule: DAILY,
  image: IMAGE,
  command: ['python', '-m', 'a.rather.long.module.name', '--with', 'arguments'],
  overlapPolicy: OverlapPolicy.SKIP,
  rollout: Rollout.canary({ rerunOnLastGood: true, keepRevisions: 3 }),
  resubmitOnDemand: true,
  notificationEmail: `team${i}@example.com`,
  startDeadline: cdk.Duration.minutes(30),
});

/** The bytes of each nested stack template in the assembly `dir`, as written. */
function nestedTemplateBytes(dir: string): number[] {
  return fs.readdirSync(dir).filter(f => f.endsWith('.nested.template.json')).map(f => fs.statSync(path.join(dir, f)).size);
}

/** A fleet of one nested stack holding workloads `Job1`..`Job<n>` with `props(i)`, in stack `S` of a new app. */
function oneStackFleet(n: number, props: (i: number) => ScheduledBatchWorkloadProps, fleetProps: BatchFleetProps = {},
  context?: Record<string, unknown>): cdk.App {
  const app = new cdk.App({ context });
  const fleet = new BatchFleet(new cdk.Stack(app, 'S'), 'Fleet', { workloadStacks: 1, ...fleetProps });
  for (const [i, id] of ids(n).entries()) fleet.addWorkload(id, props(i));
  return app;
}

/** How `Job1`..`Job<n>` spread over a fleet of `workloadStacks` stacks: stacks used, the emptiest's and the fullest's count. */
function spread(n: number, workloadStacks?: number): { stacks: number; min: number; max: number } {
  const fleet = new BatchFleet(new cdk.Stack(new cdk.App(), 'S'), 'Fleet', { workloadStacks });
  const counts = new Map<string, number>();
  for (const id of ids(n)) counts.set(fleet.stackFor(id).node.id, (counts.get(fleet.stackFor(id).node.id) ?? 0) + 1);
  return { stacks: counts.size, min: Math.min(...counts.values()), max: Math.max(...counts.values()) };
}

/** A doc's text with its whitespace folded, as the assertions on it quote it. */
function doc(name: string): string {
  return fs.readFileSync(path.join(__dirname, '..', 'docs', name), 'utf8').replace(/\s+/g, ' ');
}

interface Assembly {
  /** Every template of the assembly (parent and nested), by file name. */
  readonly templates: Map<string, any>;
  readonly resources: number;
}

function synthAll(app: cdk.App): Assembly {
  const dir = app.synth().directory;
  const templates = new Map<string, any>();
  let resources = 0;
  for (const f of fs.readdirSync(dir).filter(name => name.endsWith('.template.json')).sort()) {
    const t = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    templates.set(f, t);
    resources += Object.keys(t.Resources ?? {}).length;
  }
  return { templates, resources };
}

/** A fleet of workloads `ids` (default props) in a new app. */
interface Fleet { app: cdk.App; stack: cdk.Stack; fleet: BatchFleet; workloads: ScheduledBatchWorkload[] }

function fleetOf(ids: string[], props: Partial<ScheduledBatchWorkloadProps> = {}): Fleet {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'S');
  const fleet = new BatchFleet(stack, 'Fleet');
  const workloads = ids.map(id => fleet.addWorkload(id, { schedule: DAILY, image: IMAGE, ...props }));
  return { app, stack, fleet, workloads };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `Job${i + 1}`);

describe('resources and fixed cost per workload', () => {
  test('each extra default workload adds at most 5 resources to the whole assembly: its own 4, and 1 for a nested stack it opens', () => {
    const counts = [1, 2, 3, 10, 11, 40, 41, 100].map(n => {
      const { app, fleet } = fleetOf(ids(n));
      return { n, stacks: new Set(ids(n).map(id => fleet.stackFor(id))).size, resources: synthAll(app).resources };
    });
    // resources = the platform's fixed part + 1 per nested stack in use + 4 per workload, for every fleet size.
    const fixed = counts.map(c => c.resources - c.stacks - 4 * c.n);
    expect(new Set(fixed).size).toBe(1);
    // So the whole assembly grows by at most 5 per workload between any two sizes, the nested stacks opened included.
    for (let i = 1; i < counts.length; i++) {
      const [a, b] = [counts[i - 1], counts[i]];
      expect((b.resources - a.resources) / (b.n - a.n)).toBeLessThanOrEqual(5);
    }
    // Within a nested stack that already exists, a workload is 4 resources: job definition, schedule, state machine
    // and its role. A nested stack is 1 resource in the parent, with its first workload; the start check is the fleet's.
    const { app, fleet } = fleetOf(['A']);
    const one = synthAll(app).resources;
    // 'A' and this id hash to the same nested stack (checked): only the workload's own four resources are added.
    const sameStack = ids(200).find(id => fleet.stackFor(id) === fleet.stackFor('A'))!;
    const joins = synthAll(fleetOf(['A', sameStack]).app).resources - one;
    expect(joins).toBe(4);
    const otherStack = ids(200).find(id => fleet.stackFor(id) !== fleet.stackFor('A'))!;
    const opens = synthAll(fleetOf(['A', otherStack]).app).resources - one;
    expect(opens).toBe(5);
    expect(doc('fleet.md')).toContain(`in a stack already in use adds ${joins} resources to the assembly, and one that opens a stack adds ${opens}.`);
  });

  test('the resources of a default workload are its job definition, schedule, state machine and state machine role; the start check is the fleet\'s', () => {
    const { app, stack, workloads } = fleetOf(['Job1']);
    app.synth();
    const types = (t: any) => Object.values<any>(t.Resources).map(r => r.Type).sort();
    expect(types(Template.fromStack(cdk.Stack.of(workloads[0])).toJSON()))
      .toEqual(['AWS::Batch::JobDefinition', 'AWS::IAM::Role', 'AWS::Scheduler::Schedule', 'AWS::StepFunctions::StateMachine']);
    // The fleet's start check (on by default), in the parent: one per fleet whatever its number of workloads or stacks.
    const parent = Template.fromStack(stack).toJSON();
    const check = Object.entries<any>(parent.Resources).filter(([id]) => id.startsWith('FleetStartDeadlineCheck')).map(([, r]) => r.Type).sort();
    expect(check).toEqual(['AWS::IAM::Role', 'AWS::IAM::Role', 'AWS::Logs::LogGroup', 'AWS::Scheduler::ScheduleGroup', 'AWS::StepFunctions::StateMachine']);
    expect(doc('fleet.md')).toContain(`(${check.length} resources, once per fleet; below)`);
    expect(workloads[0].node.tryFindChild('StartDeadlineCheck')).toBeUndefined();
    expect(cdk.Stack.of(workloads[0]).node.tryFindChild('StartDeadlineCheck')).toBeUndefined();
  });

  test('each extra default workload adds no fixed monthly cost (CostReport)', () => {
    const one = CostReport.of(fleetOf(ids(1)).fleet).monthlyUsd;
    const hundred = CostReport.of(fleetOf(ids(100)).fleet).monthlyUsd;
    expect((hundred - one) / 99).toBeLessThanOrEqual(0.01);
    expect(hundred).toBeCloseTo(one, 6);
  });

  test('100 workloads with the default props fit one user stack: the largest nested stack stays far below 500 resources', () => {
    const { app, stack } = fleetOf(ids(100));
    const { templates } = synthAll(app);
    const nested = [...templates.entries()].filter(([f]) => f.includes('.nested.'));
    const parent = templates.get(`${stack.artifactId}.template.json`);
    expect(Object.keys(parent.Resources).length).toBeLessThan(500);
    for (const [, t] of nested) expect(Object.keys(t.Resources).length).toBeLessThan(100);
  });
});

describe('placement', () => {
  test('a workload lands in the nested stack its id hashes to, whatever else is in the fleet and in what order', () => {
    const where = (list: string[]) => new Map(fleetOf(list).workloads.map(w => [w.node.id, cdk.Stack.of(w).node.path]));
    const all = where(ids(30));
    const reversed = where(ids(30).reverse());
    const fewer = where(ids(30).filter((_, i) => i % 3 === 0));
    for (const [id, stackPath] of fewer) expect(all.get(id)).toBe(stackPath);
    expect(reversed).toEqual(all);
    expect(all.get('Job7')).toMatch(/^S\/Fleet\/Workloads\d{3}$/);
  });

  test('the 101st workload changes no existing resource, other than the nested stack that takes it', () => {
    const before = synthAll(fleetOf(ids(100)).app);
    const after = synthAll(fleetOf(ids(101)).app);
    const changed: string[] = [];
    for (const [file, template] of before.templates) {
      const next = after.templates.get(file);
      expect(next).toBeDefined();
      for (const [logicalId, resource] of Object.entries<any>(template.Resources)) {
        const nextResource = next.Resources[logicalId];
        if (JSON.stringify(nextResource) !== JSON.stringify(resource)) changed.push(`${file} ${logicalId} ${resource.Type}`);
      }
    }
    // The AWS::CloudFormation::Stack resource of the nested stack the new workload joins (its template changed);
    // nothing else: the fleet's start check cancels by the fleet's job-name prefix, which the new workload shares.
    expect(changed).toEqual([expect.stringMatching(/^S\.template\.json FleetWorkloads\d{3}NestedStack\S+ AWS::CloudFormation::Stack$/)]);
    expect(after.resources - before.resources).toBeLessThanOrEqual(5);
  });

  test('a nested stack of more than 25 workloads is refused at synth, naming the stack and the fix', () => {
    const one = oneStackFleet(26, () => ({ schedule: DAILY, image: IMAGE }));
    expect(() => one.synth()).toThrow("S/Fleet/Workloads000 holds 26 workloads, more than the 25 whose templates fit CloudFormation's 1 MB per nested stack: raise 'workloadStacks' (now 1, at most 200)");
  });

  test('a default workload is about 29 KB of its nested template (with its start check\'s state): 25 of them stay well below 1 MB', () => {
    const app = oneStackFleet(MAX_WORKLOADS_PER_STACK, () => ({ schedule: DAILY, image: IMAGE, command: ['python', '-m', 'a.rather.long.module.name', '--with', 'arguments'] }));
    const bytes = nestedTemplateBytes(app.synth().directory)[0];
    expect(bytes / MAX_WORKLOADS_PER_STACK).toBeLessThan(31_000);
    expect(bytes).toBeLessThan(0.8 * MAX_NESTED_TEMPLATE_BYTES); // room for workloads larger than the default
    expect(doc('fleet.md')).toContain(`A default workload is 4 resources and about ${(bytes / MAX_WORKLOADS_PER_STACK / 1000).toFixed(1)} KB of template`);
  });

  test('a nested stack is written without indentation, which saves 14% of the bytes of 25 default workloads (docs/fleet.md)', () => {
    const dir = oneStackFleet(MAX_WORKLOADS_PER_STACK, () => ({ schedule: DAILY, image: IMAGE })).synth().directory;
    const [nested] = fs.readdirSync(dir).filter(f => f.endsWith('.nested.template.json'));
    const text = fs.readFileSync(path.join(dir, nested), 'utf8');
    expect(text).not.toContain('\n');
    expect(JSON.stringify(JSON.parse(text))).toBe(text);
    const indented = JSON.stringify(JSON.parse(text), undefined, 1); // as aws-cdk-lib writes a stack by default
    const saved = Math.round(100 * (1 - text.length / indented.length));
    expect(doc('fleet.md')).toContain(`without the indentation aws-cdk-lib adds by default saves ${saved}% of the bytes`);
    expect(doc('compatibility.md')).toContain(`without indentation (${saved}% fewer bytes`);
    // The asset (and so the TemplateURL) is named by the hash of the unindented content: an existing fleet's is unchanged (docs/compatibility.md).
    const assets = JSON.parse(fs.readFileSync(path.join(dir, 'S.assets.json'), 'utf8')).files;
    const [hash] = Object.keys(assets).filter(k => assets[k].source.path === nested);
    expect(createHash('sha256').update(text).digest('hex')).toBe(hash);
  });

  test('a nested stack whose template passes 1 MB is refused at synth, with its bytes, its workloads and the fix: workloads with every option are about twice the default', () => {
    const app = oneStackFleet(MAX_WORKLOADS_PER_STACK, EVERY_OPTION, { onDemandFallback: true });
    expect(() => app.synth()).toThrow(/^S\/Fleet\/Workloads000 writes a template of 1,[0-9]{3},[0-9]{3} bytes for 25 workloads, more than the 1,000,000 bytes CloudFormation takes for a nested stack's template: raise 'workloadStacks' \(now 1, at most 200; about 3 leaves room\) before the first deployment \(it moves workloads between stacks\), or split the workloads over two fleets\.$/);
  });

  test('a workload with every option is about 66 KB of template: 15 fill a nested stack; docs/fleet.md says so', () => {
    const perWorkload = nestedTemplateBytes(oneStackFleet(10, EVERY_OPTION, { onDemandFallback: true }).synth().directory)[0] / 10;
    expect(perWorkload).toBeGreaterThan(60_000);
    expect(perWorkload).toBeLessThan(70_000);
    const fit = Math.floor(MAX_NESTED_TEMPLATE_BYTES / perWorkload);
    // As `cdk synth` writes it: with `aws:cdk:path` metadata on every resource.
    const cli = oneStackFleet(10, EVERY_OPTION, { onDemandFallback: true }, CLI_METADATA_CONTEXT);
    const fitCli = Math.floor(MAX_NESTED_TEMPLATE_BYTES / (nestedTemplateBytes(cli.synth().directory)[0] / 10));
    expect(fitCli).toBeLessThanOrEqual(fit);
    expect(doc('fleet.md')).toContain(`about ${(perWorkload / 1000).toFixed(0)} KB: ${fit} of them fill a nested stack (${fitCli === fit ? 'as many' : fitCli} with the metadata \`cdk synth\` adds)`);
    // "160 for 1,000": with 160 stacks, the fullest of Job1 to Job1000 holds no more than fitCli.
    expect(spread(1000, 160).max).toBeLessThanOrEqual(fitCli);
    expect(doc('fleet.md')).toContain('nested stacks of a default one: 160 for 1,000');
  });

  test('1,000 workloads spread over the 80 default stacks, the fullest holding 21 (under the 25 allowed)', () => {
    expect(FLEET_DEFAULTS.workloadStacks).toBe(80);
    expect(spread(1000)).toMatchObject({ stacks: 80, max: 21 });
  });

  test('each workload has a stack output <group>/<name> of its schedule, what the backfill CLI takes', () => {
    const { app, workloads: [w] } = fleetOf(['Nightly']);
    app.synth();
    const template = Template.fromStack(cdk.Stack.of(w)).toJSON();
    const outputs = Object.entries<any>(template.Outputs).filter(([id]) => id.startsWith('NightlyScheduleRef'));
    expect(outputs).toHaveLength(1);
    const scheduleId = cdk.Stack.of(w).getLogicalId(w.schedule.node.defaultChild as cdk.CfnElement);
    // The platform's group has a literal (generated) name; the schedule's is its Ref.
    expect(outputs[0][1].Value).toEqual({ 'Fn::Join': ['', [expect.stringMatching(/^S-Fleet-Platform-SharedRuns-ScheduleGroup-[0-9A-F]{8}\/$/), { Ref: scheduleId }]] });
    expect(outputs[0][1].Description).toContain('cdk-scheduled-batch <runs|logs|rerun|pause|resume|backfill> --schedule-group <this value>');
  });

  test('docs/fleet.md states the placement numbers the code has', () => {
    const fleetDoc = doc('fleet.md');
    expect(fleetDoc).toContain(`(default ${FLEET_DEFAULTS.workloadStacks})`);
    expect(fleetDoc).toContain(`more than ${MAX_WORKLOADS_PER_STACK} workloads`);
    expect(fleetDoc).toContain(`\`Job1\` to \`Job1000\` the fullest stack holds ${spread(1000).max}; with 1,300 it would hold ${spread(1300).max}`);
    // "about 1,250 workloads fit": the largest count whose fullest stack stays within the cap.
    expect(spread(1250).max).toBeLessThanOrEqual(MAX_WORKLOADS_PER_STACK);
    expect(spread(1260).max).toBeGreaterThan(MAX_WORKLOADS_PER_STACK);
    expect(fleetDoc).toContain('about 1,250 workloads fit the default');
    const hundred = spread(100);
    expect(fleetDoc).toContain(`${hundred.stacks} nested stacks of ${hundred.min} to ${hundred.max} workloads each`);
  });

  test('workloadStacks is checked', () => {
    const stack = new cdk.Stack(new cdk.App(), 'S');
    expect(() => new BatchFleet(stack, 'A', { workloadStacks: 0 })).toThrow(/'workloadStacks' is 0: it must be a whole number .*1.*200/);
    expect(() => new BatchFleet(stack, 'B', { workloadStacks: 2.5 })).toThrow(/'workloadStacks' is 2.5/);
    expect(() => new BatchFleet(stack, 'D', { workloadStacks: MAX_WORKLOAD_STACKS + 1 })).toThrow(`'workloadStacks' is ${MAX_WORKLOAD_STACKS + 1}`);
    expect(new BatchFleet(stack, 'E', { workloadStacks: MAX_WORKLOAD_STACKS }).workloadStacks).toBe(MAX_WORKLOAD_STACKS);
    expect(doc('fleet.md')).toContain(`raise \`workloadStacks\` (up to ${MAX_WORKLOAD_STACKS})`);
    expect(fs.readFileSync(path.join(__dirname, '..', 'API.md'), 'utf8')).toContain(`How many nested stacks the workloads are spread over (1 to ${MAX_WORKLOAD_STACKS})`);
    const fleet = new BatchFleet(stack, 'C', { workloadStacks: 1 });
    expect(fleet.stackFor('x')).toBe(fleet.stackFor('y'));
  });

  test('a workload id used twice, empty or a token is refused, naming the fleet and the fix', () => {
    const stack = new cdk.Stack(new cdk.App(), 'S');
    const fleet = new BatchFleet(stack, 'Fleet');
    fleet.addWorkload('A', { schedule: DAILY, image: IMAGE });
    expect(() => fleet.addWorkload('A', { schedule: DAILY, image: IMAGE })).toThrow("S/Fleet already has a workload 'A': give each workload of a fleet its own id.");
    for (const id of ['', '  ', cdk.Lazy.string({ produce: () => 'B' })]) {
      expect(() => fleet.addWorkload(id, { schedule: DAILY, image: IMAGE }))
        .toThrow(/^The id of a workload added to S\/Fleet is ".*": give a literal, non-empty id, e\.g\. 'NightlyReport'\. It names the workload and chooses its nested stack\.$/);
    }
  });

  test('a workload of another platform is refused', () => {
    const stack = new cdk.Stack(new cdk.App(), 'S');
    const fleet = new BatchFleet(stack, 'Fleet');
    const other = new BatchFleet(stack, 'Other');
    expect(() => fleet.addWorkload('X', { schedule: DAILY, image: IMAGE, platform: other.platform }))
      .toThrow(/'platform' of workload 'X' is S\/Other\/Platform, but S\/Fleet runs its workloads on S\/Fleet\/Platform/);
  });
});

describe('guarantees kept on a shared platform of many workloads', () => {
  const app = new cdk.App();
  const stack = fleetStack(app, 40, 'Fleet40');
  const fleet = stack.node.findChild('Fleet') as BatchFleet;
  const workloads = fleet.node.findAll().filter((c): c is ScheduledBatchWorkload => c instanceof ScheduledBatchWorkload);
  const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Key', 'api/key');
  const withSecret = fleet.addWorkload('WithSecret', { schedule: DAILY, image: IMAGE, secrets: { KEY: batch.Secret.fromSecretsManager(secret) } });
  const credentials = secretsmanager.Secret.fromSecretNameV2(stack, 'Registry', 'registry/login');
  const privateImage = fleet.addWorkload('PrivateImage', { schedule: DAILY, image: ecs.ContainerImage.fromRegistry('registry.example.com/app:1', { credentials }) });
  const granted = workloads[0];
  granted.addToJobRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] }));
  app.synth();
  const templateOf = (w: ScheduledBatchWorkload) => Template.fromStack(cdk.Stack.of(w)).toJSON();
  const resolve = (w: ScheduledBatchWorkload, v: unknown) => JSON.stringify(cdk.Stack.of(w).resolve(v));

  test('the fixture is a fleet of 40 plus the two added here', () => {
    expect(workloads.length).toBe(40);
  });

  test('a workload with its own subscriber has its own topic; its runs notify it only, the others the platform topic', () => {
    const own = workloads.find(w => w.node.id === 'Job10')!;
    const plain = workloads.find(w => w.node.id === 'Job1')!;
    expect(own.notificationTopic).not.toBe(fleet.platform.alarmTopic);
    expect(plain.notificationTopic).toBe(fleet.platform.alarmTopic);
    for (const w of workloads) {
      const t = templateOf(w);
      const machine = Object.entries<any>(t.Resources).find(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && id.startsWith(w.node.id + 'Schedule'))!;
      const definition = JSON.stringify(machine[1].Properties.DefinitionString);
      const topicRef = resolve(w, w.notificationTopic.topicArn);
      expect(definition).toContain(topicRef.slice(1, -1));
      // Subscriptions exist only on the own topics, for their own address.
      const subscriptions = Object.values<any>(t.Resources).filter(r => r.Type === 'AWS::SNS::Subscription' && JSON.stringify(r.Properties.TopicArn).includes(w.node.id));
      expect(subscriptions.map(s => s.Properties.Endpoint)).toEqual(w.node.id === 'Job10' || Number(w.node.id.slice(3)) % 10 === 0 ? [`team${w.node.id.slice(3)}@example.com`] : []);
    }
  });

  test('the fleet\'s start check cancels only jobs tagged with the fleet\'s job-name prefix and publishes to the platform topic only; a nested stack with a topic of its own has its own check for it', () => {
    const parent = Template.fromStack(stack).toJSON();
    const statements = roleStatements(parent, roleId(parent, 'FleetStartDeadlineCheckStateMachineRole'));
    const cancel = statements.find((st: any) => st.Action === 'batch:CancelJob');
    // One prefix, whatever the number of workloads: every fleet job's tag starts with it, and it names the fleet's path.
    const prefix: string = cancel.Condition.StringLike['aws:ResourceTag/cdk-scheduled-batch:workload'];
    expect(prefix).toMatch(/^Fleet40-Fleet-Workloads[0-9]*\*$/);
    expect(cancel.Condition.StringEquals).toBeUndefined();
    for (const w of workloads) expect(w.job.jobName.startsWith(prefix.slice(0, -1))).toBe(true);
    // It publishes to the platform topic, the topic of the workloads without subscribers of their own, and no other.
    const publish = statements.filter((st: any) => [st.Action].flat().includes('sns:Publish'));
    expect(publish.map((st: any) => st.Resource)).toEqual([stack.resolve(fleet.platform.alarmTopic!.topicArn)]);
    // A nested stack that holds a workload with its own topic has a check of its own for that workload's runs,
    // publishing to its topic only and cancelling its job only; the others have none.
    for (const nested of new Set(workloads.map(w => cdk.Stack.of(w)))) {
      const t = Template.fromStack(nested).toJSON();
      const ownTopics = workloads.filter(w => cdk.Stack.of(w) === nested && w.notificationTopic !== fleet.platform.alarmTopic);
      const checkIds = Object.keys(t.Resources).filter(id => id.startsWith('StartDeadlineCheck'));
      if (ownTopics.length === 0) {
        expect(checkIds).toEqual([]);
        continue;
      }
      // docs/fleet.md: "has a check of its own (5 resources)".
      expect(doc('fleet.md')).toContain(`has a check of its own (${checkIds.length} resources)`);
      const own = roleStatements(t, roleId(t, 'StartDeadlineCheckStateMachineRole'));
      expect(own.find((st: any) => st.Action === 'batch:CancelJob').Condition.StringEquals['aws:ResourceTag/cdk-scheduled-batch:workload'])
        .toEqual(ownTopics.map(w => w.job.jobName).sort());
      expect(own.filter((st: any) => [st.Action].flat().includes('sns:Publish')).map((st: any) => st.Resource))
        .toEqual(ownTopics.map(w => nested.resolve(w.notificationTopic.topicArn)));
    }
  });

  test('a workload declared beside the fleet, on its platform, is outside the fleet check\'s prefix and uses its own stack\'s check', () => {
    const beside = fleetOf(ids(12));
    const direct = new ScheduledBatchWorkload(beside.stack, 'Direct', { schedule: DAILY, image: IMAGE, platform: beside.fleet.platform });
    beside.app.synth();
    const parent = Template.fromStack(beside.stack).toJSON();
    const cancelOf = (prefix: string) => roleStatements(parent, roleId(parent, prefix)).find((st: any) => st.Action === 'batch:CancelJob').Condition;
    const fleetPrefix: string = cancelOf('FleetStartDeadlineCheckStateMachineRole').StringLike['aws:ResourceTag/cdk-scheduled-batch:workload'];
    expect(direct.job.jobName.startsWith(fleetPrefix.slice(0, -1))).toBe(false);
    expect(cancelOf('StartDeadlineCheckStateMachineRole').StringEquals['aws:ResourceTag/cdk-scheduled-batch:workload']).toEqual([direct.job.jobName]);
  });

  test('the prefix is the longest all admitted job names share, and never empty', () => {
    const check = new Construct(new cdk.Stack(new cdk.App(), 'S'), 'Check');
    expect(sharedJobNamePrefix(check, ['S-Fleet-Workloads001-A-Job-1', 'S-Fleet-Workloads017-B-Job-2', 'S-Fleet-Workloads012-C-Job-3'])).toBe('S-Fleet-Workloads0');
    expect(sharedJobNamePrefix(check, ['S-Fleet-Workloads001-A-Job-1'])).toBe('S-Fleet-Workloads001-A-Job-1');
    expect(() => sharedJobNamePrefix(check, ['A-Job', 'B-Job']))
      .toThrow('S/Check is shared by workloads whose job names share no prefix (A-Job, B-Job): its CancelJob condition would match every job.');
  });

  test('each run role may submit its own job definition only', () => {
    for (const w of [...workloads, withSecret]) {
      const t = templateOf(w);
      const role = Object.entries<any>(t.Resources).find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith(w.node.id + 'ScheduleRunsStateMachineRole'))!;
      const statements = role[1].Properties.Policies[0].PolicyDocument.Statement.filter((s: any) => [s.Action].flat().includes('batch:SubmitJob'));
      expect(statements.length).toBeGreaterThan(0);
      const ownDefinition = cdk.Stack.of(w).getLogicalId(w.jobDefinition.node.defaultChild as cdk.CfnElement);
      for (const st of statements) {
        const definitions = [st.Resource].flat().filter((r: any) => r.Ref !== undefined && !String(r.Ref).includes('JobQueue'));
        expect(definitions).toEqual([{ Ref: ownDefinition }]);
      }
    }
  });

  test('a job role exists only when granted, and holds only what was granted to it', () => {
    const t = templateOf(granted);
    const jobRoles = Object.entries<any>(t.Resources).filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id.includes('JobJobRole'));
    expect(jobRoles.map(([id]) => id.startsWith(granted.node.id))).toEqual([true]);
    expect(jobRoles[0][1].Properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: 'arn:aws:s3:::reports/*' },
    ]);
    const other = templateOf(workloads[1]);
    expect(Object.keys(other.Resources).filter(id => id.startsWith(workloads[1].node.id) && id.includes('JobRole'))).toEqual([]);
  });

  test("a job's secrets are readable by its own execution role only", () => {
    expect(withSecret.executionRole).not.toBe(workloads[0].executionRole);
    const t = JSON.stringify(templateOf(withSecret));
    expect(t).toContain('secretsmanager:GetSecretValue');
    const readers = Object.entries<any>(templateOf(withSecret).Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r.Properties.Policies ?? []).includes('secretsmanager:GetSecretValue'))
      .map(([id]) => id);
    expect(readers).toHaveLength(1);
    expect(readers[0]).toMatch(/^WithSecretJobExecutionRole/);
    // The shared execution role (in the platform's stack) reads no secret.
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('secretsmanager:GetSecretValue');
  });

  test('an image with registry credentials gets its own execution role (the credentials are a secret)', () => {
    expect(privateImage.executionRole).not.toBe(workloads[0].executionRole);
    expect(workloads[1].executionRole).toBe(workloads[0].executionRole);
  });

  test('the platform scheduler role starts only state machines tagged with the platform, in one statement', () => {
    const parent = Template.fromStack(stack).toJSON();
    const roles = Object.entries<any>(parent.Resources).filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id.includes('SharedRunsSchedulerRole'));
    expect(roles).toHaveLength(1);
    const statements = roles[0][1].Properties.Policies[0].PolicyDocument.Statement;
    const start = statements.filter((s: any) => s.Action === 'states:StartExecution');
    expect(start).toHaveLength(1);
    const tagValue = Object.values(start[0].Condition.StringEquals)[0];
    expect(Object.keys(start[0].Condition.StringEquals)).toEqual([`aws:ResourceTag/${PLATFORM_TAG_KEY}`]);
    for (const w of workloads) {
      const machine = Object.values<any>(templateOf(w).Resources).find(r => r.Type === 'AWS::StepFunctions::StateMachine'
        && JSON.stringify(r.Properties.RoleArn).includes(w.node.id))!;
      expect(machine.Properties.Tags).toEqual(expect.arrayContaining([{ Key: PLATFORM_TAG_KEY, Value: tagValue }]));
    }
  });

  test("a run API route reaches its own workload's job definition only", () => {
    const routed = workloads.filter(w => w.runApi);
    expect(routed.length).toBe(8);
    const api = Template.fromStack(stack).toJSON();
    const policy = JSON.stringify(Object.values<any>(api.Resources).filter(r => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::Role')
      .map(r => r.Properties));
    // The integration role may submit the routed workloads' job definitions and no other.
    for (const w of workloads) {
      // The job definition reaches the parent stack as an output of its nested stack, named after its path.
      expect(policy.includes(`${w.node.id}JobJobDefinition`)).toBe(w.runApi !== undefined);
    }
  });
});
