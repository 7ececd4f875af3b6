/**
 * docs/performance.md states what the code synthesizes: every resource count, template size, alarm, rule and cost on
 * it is measured here again from synthesized stacks, and must agree with what the example app prints and the README.
 * After a change to the templates: `npx ts-node -P test/tsconfig.json scripts/bench.ts --footprint-only`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { exampleStacks, SHARED_WORKLOADS } from '../examples/stacks';
import { summaryLines } from '../examples/summary';
import { BenchResults, fleetSizes, renderDocs } from '../scripts/bench';
import { buildStack } from '../scripts/bench/apps';
import { appContext, MAX_RESOURCES, MAX_TEMPLATE_BYTES, measureFootprint, synthInProcess } from '../scripts/bench/footprint';
import { fleetMarginalUsd, idleCostRows, workloadAlarmCount } from '../scripts/bench/idle-cost';
import { BatchPlatform, CostReport, ScheduledBatchWorkload } from '../src';

const ROOT = path.join(__dirname, '..');
const json: BenchResults = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'performance.json'), 'utf8'));
const page = fs.readFileSync(path.join(ROOT, 'docs', 'performance.md'), 'utf8');
const flat = (text: string) => text.replace(/\s+/g, ' ');
const REMEASURE = 'docs/performance.md is out of date: run `npx ts-node -P test/tsconfig.json scripts/bench.ts --footprint-only` and commit docs/performance.{json,md}';

/** toEqual, failing with how to bring the page up to date. */
function expectDocumented(measured: unknown, documented: unknown, what: string): void {
  try {
    expect(measured).toEqual(documented);
  } catch (e) {
    throw new Error(`${what}: ${REMEASURE}\n${(e as Error).message}`);
  }
}

describe('docs/performance.md', () => {
  const footprint = measureFootprint();

  test('is rendered from docs/performance.json (no hand edit)', () => {
    expect(page).toBe(renderDocs(json));
  });

  test('footprint table: resources and template bytes at N=1 and N=2 of every app, synthesized now', () => {
    expectDocumented(footprint.rows, json.footprint, 'footprint');
    expectDocumented(footprint.types, json.resourceTypes, 'resource types');
    expectDocumented(footprint.equal, json.resourceTypesEqual, 'same resource types');
  });

  test('timing tables: the resources and template bytes of every row, synthesized now', () => {
    const sizes = new Map<string, { resources: number; bytes: number }>();
    for (const row of json.timing) {
      const key = `${row.variant}/${row.n}`;
      if (!sizes.has(key)) {
        const { resources, bytes } = synthInProcess(row.variant, row.n);
        sizes.set(key, { resources, bytes });
      }
      expectDocumented({ resources: row.resources, bytes: row.bytes }, sizes.get(key), `N=${row.n} ${row.variant}`);
    }
  });

  test('template bytes as `cdk synth` writes them (with its metadata), at N=1', () => {
    expectDocumented(footprint.cliBytesN1, json.cliBytesN1, 'cdk synth bytes');
    for (const bytes of Object.values(footprint.cliBytesN1)) expect(page).toContain(`(${bytes} bytes)`);
  });

  test('what one more workload adds, as the findings state it: no alarm or rule of its own (the platform\'s are shared), its state machine definition', () => {
    expectDocumented(footprint.workloadShape, json.workloadShape, 'workload shape');
    const { alarms, rules, ruleJoins, ruleSelects, definitionBytes } = footprint.workloadShape;
    expect({ alarms, rules, ruleJoins, ruleSelects }).toEqual({ alarms: 0, rules: 0, ruleJoins: 0, ruleSelects: 0 });
    const lib = footprint.rows.find(r => r.variant === 'library')!;
    expect(definitionBytes).toBeGreaterThan(lib.marginalBytes / 2);
    expect(flat(page)).toContain(`${definitionBytes} of its ${lib.marginalBytes} bytes are its run-tracking state machine's definition`);
    expect(page).not.toMatch(/carries a runbook description|EventBridge rule filters/);
  });

  describe('fleet table (issue #22)', () => {
    const fleet = json.fleet ?? [];

    test('was measured: BatchFleet and ScheduledFargateTask at N = 10, 100 and 1,000, validation off', () => {
      for (const variant of ['fleet', 'fargate', 'fleetFloor']) {
        expect(fleet.filter(f => f.variant === variant && !f.validation).map(f => f.n)).toEqual([10, 100, 1000]);
      }
      const big = fleet.find(f => f.variant === 'fleet' && !f.validation && f.n === 1000)!;
      expect(big.error).toBeUndefined();
      expect(big.maxStackResources).toBeLessThanOrEqual(MAX_RESOURCES);
      expect(big.maxTemplateBytes).toBeLessThanOrEqual(MAX_TEMPLATE_BYTES);
      expect(big.peakRssMb).toBeGreaterThan(0);
    });

    // N=1,000 takes tens of seconds to synthesize: the benchmark measures it (scripts/bench.ts --footprint-only re-synthesizes it).
    test.each([10, 100])('N=%d: resources, template bytes and nested stacks of every app, synthesized now', n => {
      for (const variant of ['fleet', 'fargate', 'fleetFloor'] as const) {
        const rows = fleet.filter(f => f.variant === variant && f.n === n && !f.error);
        expect(rows.length).toBeGreaterThan(0);
        const now = fleetSizes(variant, n);
        for (const row of rows) {
          const { resources, bytes, nestedStacks, maxStackResources, maxTemplateBytes } = row;
          expectDocumented({ resources, bytes, nestedStacks, maxStackResources, maxTemplateBytes }, now, `fleet table, N=${n} ${variant}`);
          expect(row.assemblyBytes).toBeGreaterThan(bytes);
          expect(row.perResourceMs).toBeCloseTo(row.medianMs / row.resources, 1);
        }
      }
    });

    test('the floor is the fleet with each state machine definition one Pass state: the same resources and IAM statements, and the fleet built after it is whole', () => {
      /** Every resource of the app's templates (nested ones too), by template file and logical id. */
      const resources = (variant: 'fleet' | 'fleetFloor') => {
        const assembly = new cdk.App({ context: appContext(variant) });
        // One stack id for both, so that the names derived from it (job names in IAM conditions) are the same.
        buildStack(assembly, variant, 3, 'Bench');
        const dir = assembly.synth().directory;
        return fs.readdirSync(dir).filter(f => f.endsWith('.template.json')).flatMap(f =>
          Object.entries<any>(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).Resources).map(([id, r]) => ({ at: `${f}/${id}`, ...r })));
      };
      const definitions = (rs: any[]) => rs.filter(r => r.Type === 'AWS::StepFunctions::StateMachine').map(r => JSON.stringify(r.Properties.DefinitionString));
      const iam = (rs: any[]) => rs.filter(r => r.Type.startsWith('AWS::IAM::'));
      const floor = resources('fleetFloor');
      expect(definitions(floor).length).toBeGreaterThan(3);
      expect(new Set(definitions(floor))).toEqual(new Set([JSON.stringify('{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}')]));
      const whole = resources('fleet');
      expect(whole.map(r => r.at)).toEqual(floor.map(r => r.at));
      // The states are still built: the roles get the statements their tasks need.
      expect(iam(floor).length).toBeGreaterThan(3);
      // batch:ListJobs is granted from the start check's typed task (the state graph's policy statements).
      expect(JSON.stringify(iam(floor))).toContain('batch:ListJobs');
      expect(iam(floor)).toEqual(iam(whole));
      for (const d of definitions(whole)) expect(d).toContain('JSONata');
      const [a, b] = [fleetSizes('fleet', 10), fleetSizes('fleetFloor', 10)];
      expect({ resources: b.resources, nestedStacks: b.nestedStacks }).toEqual({ resources: a.resources, nestedStacks: a.nestedStacks });
      expect(b.bytes).toBeLessThan(a.bytes / 2);
    });

    test('the fixed cost of one more fleet workload, as the goals state it', () => {
      const usd = fleetMarginalUsd(json.idleCost)!;
      expect(json.goals.find(g => g.issue === 22 && g.name.startsWith('fixed cost per extra workload'))?.measured).toBe(`$${usd.toFixed(4)}`);
    });
  });

  test('idle-cost table: CostReport of every design, and the alarms each workload has', () => {
    expectDocumented(idleCostRows(), json.idleCost, 'idle cost');
    const shared = json.idleCost.find(c => c.design === `ScheduledBatchWorkload × ${SHARED_WORKLOADS} on one BatchPlatform`)!;
    expect(shared.what).toBe(`shared network and platform alarms, ${footprint.workloadShape.alarms} alarms of its own each`);
    for (const oneLiner of json.idleCost.filter(c => c.what.startsWith('one-liner'))) {
      expect(oneLiner.what).toMatch(/^one-liner: own VPC, compute, queue, run tracking, \d+ alarms?$/);
    }
  });
});

describe('the example app, the performance page and the README agree', () => {
  const app = new cdk.App({ context: { 'aws:cdk:disable-creation-stack-traces': true } });
  const stacks = exampleStacks(app);
  const lines = summaryLines(app.synth(), stacks);
  const [oneLiner, shared] = stacks.map(s => s.stack);
  const idle = (design: string) => json.idleCost.find(c => c.design === design)!;

  test('the one-liner: the same idle cost in the example output, the cost table and the README', () => {
    const total = CostReport.of(oneLiner).monthlyUsd;
    expect(total).toBe(idle('ScheduledBatchWorkload, default (natInstance())').totalUsd);
    expect(lines[0]).toContain(`NightlyReportStack: 1 workload(s), ${Object.keys(cdk.assertions.Template.fromStack(oneLiner).toJSON().Resources).length} resources`);
    expect(lines[0]).toContain(`idle cost $${total.toFixed(2)}/month`);
    const readme = flat(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    expect(readme).toContain(`the one-liner above costs $${total.toFixed(2)} a month idle`);
  });

  test(`${SHARED_WORKLOADS} workloads on one platform: the same alarms per workload and idle cost everywhere`, () => {
    const workloads = shared.node.children.filter((c): c is ScheduledBatchWorkload => c instanceof ScheduledBatchWorkload);
    expect(workloads).toHaveLength(SHARED_WORKLOADS);
    for (const w of workloads) expect(workloadAlarmCount(w)).toBe(json.workloadShape!.alarms);
    const platformAlarms = (shared.node.findChild('Platform') as BatchPlatform).node.findAll().filter(c => c instanceof cdk.aws_cloudwatch.CfnAlarm).length;
    const total = CostReport.of(shared).monthlyUsd;
    expect(total).toBe(idle(`ScheduledBatchWorkload × ${SHARED_WORKLOADS} on one BatchPlatform`).totalUsd);
    const sharedLine = lines.find(l => l.startsWith('SharedPlatformStack:'))!;
    expect(sharedLine).toContain(`${SHARED_WORKLOADS} workload(s)`);
    expect(sharedLine).toContain(`${platformAlarms + SHARED_WORKLOADS * json.workloadShape!.alarms} alarms, idle cost $${total.toFixed(2)}/month`);
  });
});
