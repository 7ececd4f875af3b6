/**
 * `npm run bench`: synth time, CloudFormation footprint and idle cost of this library, side by side with
 * aws-ecs-patterns `ScheduledFargateTask` and the same resources hand-written with aws-cdk-lib L2s.
 *
 *   npx ts-node -P test/tsconfig.json scripts/bench.ts [--quick] [--reps=5] [--validation-reps=5] [--no-fleet] [--write-docs]
 *   npx ts-node -P test/tsconfig.json scripts/bench.ts --fleet-only [--write-docs]   # only the fleet benchmark (N = 10,
 *       100, 1,000 workloads in one stack), the rest of docs/performance.json kept
 *   npx ts-node -P test/tsconfig.json scripts/bench.ts --docs-only   # re-render docs/performance.md from docs/performance.json
 *   npx ts-node -P test/tsconfig.json scripts/bench.ts --footprint-only   # re-measure what is not a timing (resources,
 *       template bytes, idle cost) into docs/performance.json and .md, keeping the timings: after a change to the
 *       templates, test/performance-doc.test.ts asks for it
 *
 * Prints one table, writes bench-results/bench-<timestamp>.json and bench-results/latest.json; with --write-docs also
 * docs/performance.json and docs/performance.md (generated from that JSON, never typed by hand).
 *
 * Synth time: each measurement is a fresh `node` process (scripts/bench/child.ts) that imports everything, then times
 * construct + `app.synth()`. Repetitions are interleaved across the three apps so drift on a shared machine hits all
 * of them alike; median and min-max are reported.
 *
 * Fleet (issue #22, scripts/bench/fleet.ts): `BatchFleet` with N = 10, 100 and 1,000 workloads in one user stack
 * against N `ScheduledFargateTask`s, with peak memory, the assembly's size (parent and nested templates) and synth
 * time per resource. The whole run takes about 20 minutes on 2 cores; `--quick` about 3.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BatchJob, OverlapPolicy, RunTracker } from '../src';
import { Variant, VARIANTS } from './bench/apps';
import { defaultFleetSettings, fargateNote, FleetRow, FleetSettings, fleetMarginal, fleetSteps, measureFleet, perResourceRatio, renderFleetTables } from './bench/fleet';
import { FootprintRow, MAX_RESOURCES, MAX_TEMPLATE_BYTES, measureFootprint, synthInProcess, WorkloadShape } from './bench/footprint';
import { FLEET_COST_NS, fleetCostDesign, fleetMarginalUsd, IdleCostRow, idleCostRows } from './bench/idle-cost';
import { runChild } from './bench/spawn';
import { UnitPrices } from '../src/cost/cost';

const ROOT = path.resolve(__dirname, '..');
const RESULTS_DIR = path.join(ROOT, 'bench-results');
const DOCS_JSON = path.join(ROOT, 'docs', 'performance.json');
const DOCS_MD = path.join(ROOT, 'docs', 'performance.md');
/** The issue's goals (issue #7). */
const GOALS = { vsFargate: 1.5, vsHandWritten: 1.10, marginalResources: 20, defaultIdleUsd: 8 };
/** Issue #22's: a fleet of 1,000 workloads synthesizes, no slower per resource than `ScheduledFargateTask`, at most 5 resources a workload. */
const FLEET_GOALS = { workloads: 1000, perResourceVsFargate: 1.0, marginalResources: 5, marginalUsd: 0.01 };

interface TimingRow {
  validation: boolean;
  n: number;
  variant: Variant;
  samples: number[];
  wallSamples: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  medianWallMs: number;
  perWorkloadMs: number;
  resources: number;
  bytes: number;
}
export interface BenchResults {
  schema: 1;
  /** When the timings were measured. */
  date: string;
  /** When resources, bytes and idle cost were last re-measured (`--footprint-only`), if after `date`. */
  footprintDate?: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string; awsCdkLib: string };
  settings: { ns: number[]; reps: number; validationReps: number };
  timing: TimingRow[];
  footprint: FootprintRow[];
  resourceTypesEqual: boolean;
  resourceTypes: { library: Record<string, number>; handwritten: Record<string, number> };
  /** What one more library workload on a shared platform adds (alarms, rules, intrinsics in the rules). */
  workloadShape?: WorkloadShape;
  /** Template bytes at N=1 as `cdk synth` writes them (its metadata included), per app. */
  cliBytesN1?: Record<string, number>;
  idleCost: IdleCostRow[];
  /** The fleet benchmark (issue #22), when it ran. */
  fleet?: FleetRow[];
  fleetSettings?: FleetSettings;
  /** When the fleet was measured, if not with the rest (`--fleet-only`). */
  fleetDate?: string;
  /** The machine's load average (1, 5, 15 minutes) when the timings started and ended: other work on it slows every app. */
  load?: { start: number[]; end: number[] };
  /** The same for the fleet timings, when measured on their own (`--fleet-only`, `fleetDate`). */
  fleetLoad?: { start: number[]; end: number[] };
  /** `issue` 7 unless set. */
  goals: { name: string; target: string; measured: string; met: boolean; issue?: number }[];
}

function arg(name: string): string | undefined {
  const hit = process.argv.find(a => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return undefined;
  return hit.includes('=') ? hit.split('=')[1] : 'true';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function measureTiming(ns: number[], reps: number, validationReps: number): TimingRow[] {
  const rows: TimingRow[] = [];
  for (const validation of [false, true]) {
    const r = validation ? validationReps : reps;
    for (const n of ns) {
      const samples = new Map<Variant, ReturnType<typeof runChild>[]>(VARIANTS.map(v => [v, []]));
      for (let i = 0; i < r; i++) {
        for (const v of VARIANTS) {
          const s = runChild(v, n, validation);
          samples.get(v)!.push(s);
          process.stderr.write(`  validation=${validation ? 'on ' : 'off'} n=${String(n).padStart(2)} ${v.padEnd(11)} rep ${i + 1}/${r}: ${s.ms.toFixed(0)} ms\n`);
        }
      }
      for (const v of VARIANTS) {
        const ss = samples.get(v)!;
        const ms = ss.map(s => s.ms);
        rows.push({
          validation,
          n,
          variant: v,
          samples: ms.map(x => Math.round(x)),
          wallSamples: ss.map(s => Math.round(s.wallMs)),
          medianMs: Math.round(median(ms)),
          minMs: Math.round(Math.min(...ms)),
          maxMs: Math.round(Math.max(...ms)),
          medianWallMs: Math.round(median(ss.map(s => s.wallMs))),
          perWorkloadMs: Math.round(median(ms) / n * 10) / 10,
          resources: ss[0].resources,
          bytes: ss[0].bytes,
        });
      }
    }
  }
  return rows;
}

function machine(): BenchResults['machine'] {
  const cdkVersion = JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf-8')).version;
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    awsCdkLib: cdkVersion,
  };
}

function loadAverage(): number[] {
  return os.loadavg().map(x => Math.round(x * 100) / 100);
}

function timingOf(r: BenchResults, validation: boolean, n: number, v: Variant): TimingRow | undefined {
  return r.timing.find(t => t.validation === validation && t.n === n && t.variant === v);
}

function ratio(a?: TimingRow, b?: TimingRow): number | undefined {
  return a && b ? Math.round((a.medianMs / b.medianMs) * 100) / 100 : undefined;
}

function goals(r: Omit<BenchResults, 'goals'>): BenchResults['goals'] {
  const out: BenchResults['goals'] = [];
  const maxN = Math.max(...r.settings.ns);
  for (const validation of [false, true]) {
    const lib = r.timing.find(t => t.validation === validation && t.n === maxN && t.variant === 'library');
    const far = r.timing.find(t => t.validation === validation && t.n === maxN && t.variant === 'fargate');
    const hw = r.timing.find(t => t.validation === validation && t.n === maxN && t.variant === 'handwritten');
    const vf = ratio(lib, far);
    const vh = ratio(lib, hw);
    const label = `validation ${validation ? 'on' : 'off'}, N=${maxN}`;
    if (vf !== undefined) out.push({ name: `synth time per workload vs ScheduledFargateTask (${label})`, target: `≤ ${GOALS.vsFargate}×`, measured: `${vf}×`, met: vf <= GOALS.vsFargate });
    if (vh !== undefined) out.push({ name: `synth time per workload vs hand-written L2 (${label})`, target: `≤ ${GOALS.vsHandWritten}×`, measured: `${vh}×`, met: vh <= GOALS.vsHandWritten });
  }
  const lib = r.footprint.find(f => f.variant === 'library')!;
  out.push({ name: 'resources per extra workload on a shared platform', target: `≤ ${GOALS.marginalResources}`, measured: String(lib.marginalResources), met: lib.marginalResources <= GOALS.marginalResources });
  const def = r.idleCost[0];
  out.push({ name: 'default idle cost, network (one-liner, natInstance())', target: `≤ $${GOALS.defaultIdleUsd}/month`, measured: `$${def.networkUsd.toFixed(2)}`, met: def.networkUsd <= GOALS.defaultIdleUsd });
  out.push({ name: 'default idle cost, everything incl. its alarms at list price (one-liner)', target: `≤ $${GOALS.defaultIdleUsd}/month`, measured: `$${def.totalUsd.toFixed(2)}`, met: def.totalUsd <= GOALS.defaultIdleUsd });
  if (r.fleet) out.push(...fleetGoals(r.fleet, r.idleCost));
  return out;
}

function fleetGoals(rows: FleetRow[], idleCost: IdleCostRow[]): BenchResults['goals'] {
  const out: BenchResults['goals'] = [];
  const n = FLEET_GOALS.workloads;
  const big = rows.find(f => f.variant === 'fleet' && !f.validation && f.n === n);
  if (big) {
    const fits = !big.error && big.maxStackResources <= MAX_RESOURCES && big.maxTemplateBytes <= MAX_TEMPLATE_BYTES;
    out.push({
      issue: 22,
      name: `${n.toLocaleString('en-US')} workloads of one \`BatchFleet\` synthesize in one user stack, every template within CloudFormation's limits`,
      target: `≤ ${MAX_RESOURCES} resources and ≤ ${MAX_TEMPLATE_BYTES / 1e6} MB per template`,
      measured: big.error ? `did not synthesize: ${big.error}` : `${big.resources} resources in ${big.nestedStacks + 1} templates; at most ${big.maxStackResources} resources, ${(big.maxTemplateBytes / 1e6).toFixed(2)} MB in one`,
      met: fits,
    });
  }
  for (const f of rows.filter(x => x.variant === 'fleet' && !x.error)) {
    const cmp = perResourceRatio(rows, f.validation, f.n);
    if (!cmp) continue;
    out.push({
      issue: 22,
      name: `synth time per resource vs ScheduledFargateTask (validation ${f.validation ? 'on' : 'off'}, N=${f.n.toLocaleString('en-US')}${cmp.fargateN !== f.n ? `; Fargate at N=${cmp.fargateN.toLocaleString('en-US')}` : ''})`,
      target: `≤ ${FLEET_GOALS.perResourceVsFargate.toFixed(1)}×`,
      measured: `${cmp.ratio.toFixed(2)}×`,
      met: cmp.ratio <= FLEET_GOALS.perResourceVsFargate,
    });
  }
  // Every nested stack the fleet opens on the way counts (itself: 1 resource in the parent), as CloudFormation sees them.
  for (const step of fleetSteps(rows)) {
    out.push({
      issue: 22,
      name: `resources per extra workload in a fleet, whole assembly (N=${step.from.toLocaleString('en-US')} to N=${step.to.toLocaleString('en-US')}; `
        + `${step.stacksOpened} nested stacks opened on the way)`,
      target: `≤ ${FLEET_GOALS.marginalResources}`,
      measured: String(step.resources),
      met: step.resources <= FLEET_GOALS.marginalResources,
    });
  }
  const usd = fleetMarginalUsd(idleCost);
  if (usd !== undefined) {
    out.push({
      issue: 22,
      name: `fixed cost per extra workload in a fleet (\`CostReport\`, ${FLEET_COST_NS.map(fleetCostDesign).join(' vs ')})`,
      target: `≤ $${FLEET_GOALS.marginalUsd.toFixed(2)}/month`,
      measured: `$${usd.toFixed(4)}`,
      met: usd <= FLEET_GOALS.marginalUsd,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering (the console table and docs/performance.md come from the same functions and the same JSON)

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map(r => `| ${r.join(' | ')} |`)].join('\n');
}

const NAMES: Record<string, string> = {
  library: 'this library (shared BatchPlatform)',
  fargate: 'ScheduledFargateTask',
  handwritten: 'hand-written aws-batch L2',
  oneliner: 'this library, one-liner (own platform)',
};

export function renderTables(r: BenchResults): string {
  const parts: string[] = [];
  for (const validation of [false, true]) {
    const rows: string[][] = [];
    for (const n of r.settings.ns) {
      const lib = timingOf(r, validation, n, 'library');
      for (const v of VARIANTS) {
        const t = timingOf(r, validation, n, v);
        if (!t) continue;
        rows.push([
          `N=${n}`, NAMES[v], `${t.medianMs}`, `${t.minMs}–${t.maxMs}`, `${t.perWorkloadMs}`,
          v === 'library' ? '1.00' : (ratio(lib, t)?.toFixed(2) ?? '–'), `${t.medianWallMs}`, `${t.resources}`, `${t.bytes}`,
        ]);
      }
    }
    parts.push(`### Synth time, built-in template validation ${validation ? 'ON (aws-cdk-lib default)' : 'OFF (`CDK_VALIDATION=false`)'}\n\n`
      + `${validation ? r.settings.validationReps : r.settings.reps} fresh processes per cell, interleaved. "library ÷ this" is the library's median divided by this row's: below 1 the library is faster.\n\n`
      + table(['N', 'App', 'median ms', 'min–max ms', 'ms / workload', 'library ÷ this', 'process wall ms', 'resources', 'template bytes'], rows));
  }
  parts.push('### Footprint\n\n' + table(
    ['App', 'resources (N=1)', 'resources (N=2)', 'per extra workload', 'fixed part', 'bytes per extra workload', `workloads per stack (${MAX_RESOURCES} resources)`, 'workloads per stack (1 MB template)'],
    r.footprint.map(f => [NAMES[f.variant], `${f.resourcesN1}`, `${f.resourcesN2}`, f.variant === 'oneliner' ? '–' : `${f.marginalResources}`,
      `${f.variant === 'oneliner' ? f.resourcesN1 : f.baseResources}`, f.variant === 'oneliner' ? '–' : `${f.marginalBytes}`,
      f.variant === 'oneliner' ? '–' : `${f.fitByResources}`, f.variant === 'oneliner' ? '–' : `${f.fitByBytes}`]))
    + `\n\nSame resource types and counts in the library and the hand-written app (N=2): **${r.resourceTypesEqual ? 'yes' : 'NO'}**.`);
  parts.push('### Idle cost (USD/month)\n\n' + table(['Design', 'What', 'network', 'total'],
    r.idleCost.map(c => [c.design, c.what, `$${c.networkUsd.toFixed(2)}`, `$${c.totalUsd.toFixed(2)}`]))
    + '\n\n"network" = NAT, public IPv4, interface endpoints, the NAT instance\'s volume and status-check alarms; "total" adds the workload alarms (list price, before the 10 free alarms of an account).');
  if (r.fleet && r.fleetSettings) {
    parts.push(`### Fleet: N workloads in one user stack (issue #22)${r.fleetDate ? `, measured on ${r.fleetDate}` : ''}\n\n`
      + '`BatchFleet` (its own `BatchPlatform`, N default workloads spread over its nested stacks) against N `ScheduledFargateTask`s, both in one user stack. '
      + 'The two "fleet ÷ Fargate" columns divide the fleet\'s synth time per workload, and per resource (issue #22\'s measure, in bold), by '
      + '`ScheduledFargateTask`\'s in the same run: at most 1 means the fleet is no slower.'
      + `${perWorkloadResources(r)}\n\n`
      + renderFleetTables(r.fleet, r.fleetSettings) + (fargateNote(r.fleet) ? `\n- ${fargateNote(r.fleet)}` : ''));
  }
  for (const issue of [7, 22]) {
    const ofIssue = r.goals.filter(g => (g.issue ?? 7) === issue);
    if (ofIssue.length === 0) continue;
    parts.push(`### Goals (issue #${issue})\n\n` + table(['Goal', 'target', 'measured', 'met'],
      ofIssue.map(g => [g.name, g.target, g.measured, g.met ? 'yes' : '**no**'])));
  }
  return parts.join('\n\n');
}

/** Observations computed from the JSON (no number typed by hand). */
function findings(r: BenchResults): string {
  const skip = skipTransitions();
  const fp = (v: string) => r.footprint.find(f => f.variant === v)!;
  const lib = fp('library');
  const hw = fp('handwritten');
  const far = fp('fargate');
  const maxN = Math.max(...r.settings.ns);
  const off = (v: Variant) => timingOf(r, false, maxN, v);
  const def = r.idleCost[0];
  const fargateCost = r.idleCost.find(c => c.design.startsWith('ScheduledFargateTask'));
  return `## Findings

- **Footprint.** One more workload on a shared platform adds ${lib.marginalResources} resources (a \`ScheduledFargateTask\` adds
  ${far.marginalResources}). In one stack, ${lib.fitByResources <= lib.fitByBytes
    ? `the ${MAX_RESOURCES}-resource limit binds first: **${lib.fitByResources} workloads per stack** (the 1 MB template limit would allow ${lib.fitByBytes})`
    : `the 1 MB template limit binds first: **${lib.fitByBytes} workloads per stack** (the ${MAX_RESOURCES}-resource limit would allow ${lib.fitByResources})`}.
  aws-cdk-lib refuses to synthesize a stack over ${MAX_RESOURCES} resources, so the timing rows past it lift that check for every app
  alike. Past that, a \`BatchFleet\` places the workloads in nested stacks of its own: see the fleet table${fleetLine(r)}.
- **Template bytes.** The library's template is ${(lib.marginalBytes / hw.marginalBytes).toFixed(2)}× the hand-written one per workload for the
  same resources${templateBytesWhy(r.workloadShape, lib.marginalBytes)}.${cliBytesNote(r)}
- **Synth time and template bytes.** At N=${maxN}, validation off: library ${off('library')?.medianMs} ms for ${off('library')?.resources} resources and
  ${off('library')?.bytes} bytes, hand-written ${off('handwritten')?.medianMs} ms for ${off('handwritten')?.resources} and ${off('handwritten')?.bytes},
  \`ScheduledFargateTask\` ${off('fargate')?.medianMs} ms for ${off('fargate')?.resources} and ${off('fargate')?.bytes}: \`app.synth()\` resolves and writes
  every byte, so the library's larger state machine definitions cost synth time that the resource count does not show.${fleetFinding(r)}
- **Validation.** aws-cdk-lib's built-in template validation dominates synth time whenever it is on: compare the two timing tables.
- **Idle cost.** The default one-liner costs $${def.networkUsd.toFixed(2)}/month of network ($${def.totalUsd.toFixed(2)} with its alarms at list
  price; the first 10 alarms of an account are free)${fargateCost ? `, against $${fargateCost.totalUsd.toFixed(2)} for a default \`ScheduledFargateTask\`` : ''}.
  Call \`CostReport.of(stack).toMarkdown()\` for your own stack.
- **Run tracking (per run, not idle).** Each scheduled run is one Step Functions Standard execution: a successful run is 3
  state transitions ($${(3 * UnitPrices.STATE_TRANSITION).toFixed(6)}: the start check's schedule, the run and its event), a failed one 6, one past its deadline 9
  (one fewer each with \`onStartDeadline: StartDeadlineAction.NONE\`; the start check's own execution adds 3), after the account's 4,000 free
  transitions a month ([Step Functions pricing](https://aws.amazon.com/step-functions/pricing/)); a daily schedule stays
  within the free tier, an hourly one is about $0.01 a month. No fixed cost: \`CostReport\` counts none. Paths and counts: [run-tracking.md](run-tracking.md#cost).
- **Run control (per run, not idle).** \`OverlapPolicy.SKIP\` adds ${skip.extra} state transitions to every run
  ($${(skip.extra * UnitPrices.STATE_TRANSITION).toFixed(6)}); a skipped run is ${skip.skipped} in all. \`OverlapPolicy.QUEUE\` (a Batch consumable resource) and a
  \`RunApi\` (API Gateway, billed per request) add no fixed cost. [operations.md](operations.md#run-it-now-backfill-overlapping-runs).
- **Workflows and fan-out (per run).** A \`ScheduledBatchWorkflow\` run is one transition per level (a Parallel state) plus one
  per step, and its event: \`extract -> (transform-a, transform-b) -> load\` is ${3 + 4 + 1} ($${((3 + 4 + 1) * UnitPrices.STATE_TRANSITION).toFixed(6)}), ${3 + 4 + 5} when its last step fails
  (counted on the rendered definition in \`test/workflow.test.ts\`). Fixed cost: one alarm on undelivered runs per workflow, which
  \`CostReport\` counts. An array run (\`arraySize\`) costs what a single job costs, one transition more when it fails.
  Limits (20 steps, 256 KiB per state, 25,000 history events, one year, 2 to 10,000 children): [workflows.md](workflows.md).`;
}

/**
 * The template bytes above are those of a bare \`App\`; \`cdk synth\` writes more (path metadata on every resource, a
 * CDKMetadata resource), and that is what the 1 MB limit sees.
 */
function cliBytesNote(r: BenchResults): string {
  if (!r.cliBytesN1) return '';
  const more = (v: Variant) => {
    const bare = r.timing.find(t => t.n === 1 && t.variant === v)?.bytes;
    const cli = r.cliBytesN1![v];
    return bare && cli ? `${Math.round((cli / bare - 1) * 100)}% for ${NAMES[v]} (${cli} bytes)` : undefined;
  };
  const parts = VARIANTS.map(more).filter(Boolean);
  return parts.length === 0 ? '' : `
- **Template bytes as \`cdk synth\` writes them.** The byte counts above are those of a bare \`App\`. \`cdk synth\` adds
  \`aws:cdk:path\` metadata to every resource and a \`CDKMetadata\` resource (one more of the ${MAX_RESOURCES}), so at N=1 its templates
  are larger: ${parts.join(', ')}. \`cdk synth --no-path-metadata --no-asset-metadata --no-version-reporting\` writes the bare sizes.`;
}

/** How many resources a workload is in each app: the fewer, the more each resource carries of a workload's synth time. */
function perWorkloadResources(r: BenchResults): string {
  const fleet = r.fleet ? fleetMarginal(r.fleet) : undefined;
  const far = r.footprint.find(f => f.variant === 'fargate');
  if (!fleet || !far) return '';
  return ` A fleet workload is ${fleet.resources} resources, a \`ScheduledFargateTask\` ${far.marginalResources}: the per-resource measure divides`
    + ' a workload\'s synth time over fewer resources in the fleet.';
}

/** The fleet's findings, from the fleet rows (the profile sentence is from a one-off \`--cpu-prof\` of the fleet at N=100). */
function fleetFinding(r: BenchResults): string {
  const fleet = r.fleet?.filter(f => f.variant === 'fleet' && !f.validation && !f.error).sort((a, b) => b.n - a.n)[0];
  if (!fleet) return '';
  const cmp = perResourceRatio(r.fleet!, false, fleet.n);
  const far = r.fleet!.find(f => f.variant === 'fargate' && !f.validation && f.n === cmp?.fargateN);
  const floor = perResourceRatio(r.fleet!, false, fleet.n, 'fleetFloor');
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  const marginal = fleetMarginal(r.fleet!);
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return `
- **Fleet (issue #22).** ${fleet.n.toLocaleString('en-US')} workloads of one \`BatchFleet\` synthesize in one user stack, validation off, in
  ${fleet.medianMs} ms (${fleet.medianConstructMs} ms building the constructs, ${fleet.medianAppSynthMs} ms in \`app.synth()\`) with a peak of ${fleet.peakRssMb} MiB;
  ${far ? `${far.n.toLocaleString('en-US')} \`ScheduledFargateTask\`s take ${far.medianMs} ms (${far.medianConstructMs} + ${far.medianAppSynthMs}), ${far.peakRssMb} MiB. ` : ''}`
    + `${cmp ? `Per workload the fleet is ${cmp.perWorkloadRatio.toFixed(2)}× Fargate, per resource ${cmp.ratio.toFixed(2)}× (issue #22 asks for at most 1.0×)` : ''}`
    + `${cmp && far ? `; per template megabyte it is ${Math.round(fleet.medianMs / (fleet.bytes / 1e6))} ms against ${Math.round(far.medianMs / (far.bytes / 1e6))} ms. ` : '. '}`
    + `${floor ? `With every state machine definition one Pass state (the "floor" row, which no work on the definitions can go below) it is still ${floor.ratio.toFixed(2)}× per resource. ` : ''}`
    + `${far ? `Per workload, building the constructs takes ${ratio(fleet.medianConstructMs, far.medianConstructMs)}× \`ScheduledFargateTask\`'s time and \`app.synth()\` `
      + `${ratio(fleet.medianAppSynthMs, far.medianAppSynthMs)}× (the construct / \`app.synth()\` column; both apps have N workloads). ` : ''}`
    + `CPU profiles (\`node --cpu-prof scripts/bench/child.ts fleet 1000\`, one-off) put the
  fleet's \`app.synth()\` time in aws-cdk-lib's cross-stack reference resolution (\`prepareApp\` → \`resolveReferences\`), which
  turns every nested stack's references to the platform into parameters, in rendering the nested templates, and in resolving its
  larger templates (a workload's run-tracking definition is most of its bytes).
  ${marginal ? `Each workload adds ${marginal.bytes.toLocaleString('en-US')} template bytes, so in` : 'In'} the fleet's nested stacks the 1 MB template limit binds long before the
  ${MAX_RESOURCES}-resource one: the fullest nested stack at N=${fleet.n.toLocaleString('en-US')} holds ${fleet.maxStackResources} resources
  (${pct(fleet.maxStackResources / MAX_RESOURCES)} of ${MAX_RESOURCES}) in ${(fleet.maxTemplateBytes / 1e6).toFixed(2)} MB (${pct(fleet.maxTemplateBytes / MAX_TEMPLATE_BYTES)} of 1 MB).`;
}

/** One sentence on the fleet at its largest N, from the fleet rows. */
function fleetLine(r: BenchResults): string {
  const big = r.fleet?.filter(f => f.variant === 'fleet' && !f.validation && !f.error).sort((a, b) => b.n - a.n)[0];
  if (!big) return '';
  return ` (${big.n.toLocaleString('en-US')} workloads: ${big.resources} resources in ${big.nestedStacks + 1} templates, at most ${big.maxStackResources}`
    + ` resources and ${(big.maxTemplateBytes / 1e6).toFixed(2)} MB in one)`;
}

/** Why a library workload's template is larger, from what one more workload adds (`workloadShape`). */
function templateBytesWhy(shape: WorkloadShape | undefined, marginalBytes: number): string {
  if (!shape) return '';
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const parts: string[] = [];
  if (shape.definitionBytes) {
    parts.push(`${shape.definitionBytes} of its ${marginalBytes} bytes are its run-tracking state machine's definition (deadline, overlap `
      + 'policy, failure notifications labelled with the workload), where the hand-written state machine has three states');
  }
  if (shape.alarms > 0) parts.push(`each of its ${plural(shape.alarms, 'alarm', 'alarms')} carries a runbook description`);
  if (shape.rules > 0) {
    const intrinsics = [
      shape.ruleJoins > 0 ? plural(shape.ruleJoins, '`Fn::Join`', '`Fn::Join`s') : '',
      shape.ruleSelects > 0 ? plural(shape.ruleSelects, '`Fn::Select`', '`Fn::Select`s') : '',
    ].filter(Boolean).join(' and ');
    parts.push(`its ${plural(shape.rules, 'EventBridge rule filters', 'EventBridge rules filter')} on a revision-independent job-definition ARN prefix${intrinsics ? ` built with ${intrinsics}` : ''}`);
  }
  return parts.length ? `: ${parts.join('; ')}` : '';
}

/** State transitions of a tracked run with and without the SKIP check, counted on the rendered definition. */
function skipTransitions(): { extra: number; skipped: number } {
  const definition = (overlapPolicy: OverlapPolicy) => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Transitions', { env: { account: '123456789012', region: 'eu-west-2' } });
    const jobQueue = batch.JobQueue.fromJobQueueArn(stack, 'Queue', 'arn:aws:batch:eu-west-2:123456789012:job-queue/q');
    new RunTracker(stack, 'Runs', {
      job: BatchJob.fromBatchJobAttributes(stack, 'Job', { jobQueue, jobDefinitionArn: 'arn:aws:batch:eu-west-2:123456789012:job-definition/d:1', jobName: 'job' }),
      notificationTopic: sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-2:123456789012:t'),
      workloadName: 'w',
      deadline: cdk.Duration.hours(4),
      overlapPolicy,
    });
    const resources = app.synth().getStackByName('Transitions').template.Resources as Record<string, any>;
    const stateMachine = Object.values(resources).find(r => r.Type === 'AWS::StepFunctions::StateMachine');
    const flatten = (v: any): string => typeof v === 'string' ? v : v['Fn::Join'] ? v['Fn::Join'][1].map(flatten).join('') : 'aws';
    return JSON.parse(flatten(stateMachine.Properties.DefinitionString)) as { StartAt: string; States: Record<string, any> };
  };
  const walk = (def: { StartAt: string; States: Record<string, any> }, skip: boolean): number => {
    let n = 0;
    for (let name: string | undefined = def.StartAt; name; n++) {
      const state: any = def.States[name];
      name = state.Type === 'Fail' || state.End ? undefined : state.Type === 'Choice' ? (skip ? state.Choices[0].Next : state.Default) : state.Next;
    }
    return n;
  };
  const skip = definition(OverlapPolicy.SKIP);
  return { extra: walk(skip, false) - walk(definition(OverlapPolicy.ALLOW), false), skipped: walk(skip, true) };
}

export function renderDocs(r: BenchResults): string {
  const m = r.machine;
  return `<!-- Generated by \`scripts/bench.ts --write-docs\` from docs/performance.json. Do not edit by hand: re-run the benchmark (test/performance-doc.test.ts checks it against the code). -->
# Performance: synth time, footprint, idle cost

Users choose between this library, \`aws-ecs-patterns\` \`ScheduledFargateTask\` and hand-written \`aws-batch\` L2 code.
This page compares the three on what they care about: how long \`cdk synth\` takes, how big the CloudFormation
template gets (the ${MAX_RESOURCES}-resource limit), and what the stack costs while idle. All numbers below come from one run
of \`npm run bench\` on ${r.date}${r.footprintDate ? `; resources, template bytes and idle cost were measured again on ${r.footprintDate}
(\`scripts/bench.ts --footprint-only\`), after the templates changed` : ''} (the JSON is [performance.json](performance.json)).

## The machine

| CPU | cores | memory | Node.js | OS | aws-cdk-lib |
|---|---:|---:|---|---|---|
| ${m.cpu} | ${m.cores} | ${m.memoryGiB} GiB | ${m.node} | ${m.platform} | ${m.awsCdkLib} |
${r.load ? `
Load average (1, 5, 15 minutes) when the timings started: ${r.load.start.join(', ')}; when they ended: ${r.load.end.join(', ')}${r.fleetLoad ? `;
when the fleet timings (\`--fleet-only\`, ${r.fleetDate}) started: ${r.fleetLoad.start.join(', ')}; when they ended: ${r.fleetLoad.end.join(', ')}` : ''}
(${r.machine.cores} cores: above ${r.machine.cores}, other work shared the machine and slowed every app alike, as the interleaved repetitions spread it).
` : ''}
## What is measured

- **The apps** (\`scripts/bench/apps.ts\`), each with N scheduled jobs in one stack:
  this library (one \`BatchPlatform\`, N \`ScheduledBatchWorkload\`s with \`platform\`); N \`ScheduledFargateTask\`s with
  their defaults (they share the stack's default cluster and VPC); and \`scripts/bench/hand-written.ts\`, the same
  resources as the library written with aws-cdk-lib L2s (the footprint table checks that resource types and counts are equal).
  These three are single stacks: the library's workloads are declared with \`platform\` in the user's stack, so the
  hand-written app can mirror them resource for resource. A \`BatchFleet\`, which places workloads in nested stacks of
  its own, has its own benchmark below, against \`ScheduledFargateTask\`; no hand-written mirror of its nested stacks is kept.
- **Synth time**: construct + \`app.synth()\`, timed inside a fresh \`node\` process per measurement (so no module cache or
  JIT state is shared; "process wall ms" adds Node start-up and loading aws-cdk-lib, as a pipeline sees it).
  Repetitions are interleaved across the three apps; the median and the min–max are reported. With and without
  aws-cdk-lib's built-in template validation (\`CDK_VALIDATION=false\` turns it off).
- **Footprint**: resources and template bytes at N=1 and N=2; the difference is the cost of one more workload.
  Workloads per stack = (limit − fixed part) ÷ per-workload part, for the ${MAX_RESOURCES}-resource and the 1 MB template limits
  ([CloudFormation quotas](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html)).
  Past the resource limit, split workloads over stacks (a \`BatchPlatform\` in one stack can serve workloads in others).
- **Fleet** (issue #22, \`scripts/bench/fleet.ts\`): a \`BatchFleet\` with N = 10, 100 and 1,000 default workloads in one user
  stack (the fleet spreads them over its nested stacks, chosen by a hash of each id) against N \`ScheduledFargateTask\`s in one
  stack. Per cell, in fresh processes: synth time, peak resident memory, resources and bytes over every template of the
  assembly (the user stack's and each nested stack's), and synth time per resource, compared within the same run.
  With validation off, a third row, the fleet's "floor": the same fleet with each state machine definition one Pass state.
- **Idle cost**: \`CostReport.of(scope)\` for every design, with the prices in \`UnitPrices\` (src/cost/cost.ts, each with its
  AWS pricing page). For \`ScheduledFargateTask\` and the original design the report counts the NAT gateways, Elastic IPs
  and interface endpoints found in the construct tree; no figure is typed in.

## Results

${renderTables(r)}

${findings(r)}

## How to reproduce

\`\`\`sh
git clone https://github.com/cdk-scheduled-batch/cdk-scheduled-batch.git && cd cdk-scheduled-batch
npm ci
npm run bench                      # prints the tables, writes bench-results/latest.json (about 25 minutes on 2 cores)
npm run bench -- --quick           # N = 1 and 10, 3 repetitions; fleet N = 10 and 100, 2: a smoke run
npm run bench -- --write-docs      # also rewrites docs/performance.json and this page
npm run bench -- --no-fleet        # without the fleet benchmark
npm run bench -- --fleet-only --write-docs   # only the fleet (about 12 minutes), the rest of docs/performance.json kept
npx ts-node -P test/tsconfig.json scripts/bench.ts --docs-only        # re-render this page from docs/performance.json
npx ts-node -P test/tsconfig.json scripts/bench.ts --footprint-only   # re-measure resources, bytes and idle cost, keep the timings
\`\`\`

Compare two runs by diffing their JSON files in \`bench-results/\`. Timings depend on the machine and on what else runs
on it; the ratios between the apps, measured in the same run, are what to compare across machines.
`;
}

function main(): void {
  if (arg('docs-only')) {
    const r: BenchResults = JSON.parse(fs.readFileSync(DOCS_JSON, 'utf-8'));
    fs.writeFileSync(DOCS_MD, renderDocs(r));
    process.stdout.write(`wrote ${path.relative(ROOT, DOCS_MD)} from ${path.relative(ROOT, DOCS_JSON)}\n`);
    return;
  }
  if (arg('footprint-only')) {
    writeDocs(remeasureFootprint(JSON.parse(fs.readFileSync(DOCS_JSON, 'utf-8'))));
    return;
  }
  const quick = arg('quick') !== undefined;
  const fleetSettings = defaultFleetSettings(quick);
  if (arg('fleet-only')) {
    // Only the fleet: the rest of docs/performance.json stays as measured (its goals recomputed with the new fleet).
    const before: BenchResults = JSON.parse(fs.readFileSync(DOCS_JSON, 'utf-8'));
    process.stderr.write(`fleet: N=${fleetSettings.ns.join(', ')} (validation off), N=${fleetSettings.validationNs.join(', ') || 'none'} (validation on)\n`);
    const start = loadAverage();
    const fleet = measureFleet(fleetSettings);
    const fleetLoad = { start, end: loadAverage() };
    const partial = { ...before, machine: machine(), fleet, fleetSettings, fleetDate: new Date().toISOString(), fleetLoad };
    report({ ...partial, goals: goals(partial) });
    return;
  }
  const ns = quick ? [1, 10] : [1, 10, 50];
  const reps = Number(arg('reps') ?? (quick ? 3 : 5));
  const validationReps = Number(arg('validation-reps') ?? (quick ? 2 : 5));

  const m = machine();
  process.stderr.write(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, aws-cdk-lib ${m.awsCdkLib}\n`);
  process.stderr.write('footprint and idle cost (in process)...\n');
  const fp = measureFootprint();
  const idleCost = idleCostRows();
  process.stderr.write(`synth time: N=${ns.join(', ')}, ${reps} reps (validation off), ${validationReps} reps (validation on)\n`);
  const loadStart = loadAverage();
  const timing = measureTiming(ns, reps, validationReps);
  let fleet: FleetRow[] | undefined;
  if (arg('no-fleet') === undefined) {
    process.stderr.write(`fleet: N=${fleetSettings.ns.join(', ')} (validation off), N=${fleetSettings.validationNs.join(', ') || 'none'} (validation on)\n`);
    fleet = measureFleet(fleetSettings);
  }

  const partial = {
    schema: 1 as const,
    date: new Date().toISOString(),
    machine: m,
    settings: { ns, reps, validationReps },
    timing,
    footprint: fp.rows,
    resourceTypesEqual: fp.equal,
    resourceTypes: fp.types,
    workloadShape: fp.workloadShape,
    cliBytesN1: fp.cliBytesN1,
    idleCost,
    ...fleet ? { fleet, fleetSettings } : {},
    load: { start: loadStart, end: loadAverage() },
  };
  report({ ...partial, goals: goals(partial) });
}

/** Writes bench-results/, prints the tables and, with --write-docs, writes the docs. */
function report(results: BenchResults): void {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `bench-${results.date.replace(/[:.]/g, '-')}.json`);
  const json = JSON.stringify(results, null, 2) + '\n';
  fs.writeFileSync(file, json);
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), json);
  process.stdout.write(`\n${renderTables(results)}\n\nresults: ${path.relative(ROOT, file)} (and bench-results/latest.json)\n`);
  if (arg('write-docs')) writeDocs(results);
}

function writeDocs(results: BenchResults): void {
  fs.writeFileSync(DOCS_JSON, JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(DOCS_MD, renderDocs(results));
  process.stdout.write(`wrote ${path.relative(ROOT, DOCS_JSON)} and ${path.relative(ROOT, DOCS_MD)}\n`);
}

/**
 * The fleet rows' deterministic part (the templates), synthesized in process. Not `assemblyBytes`: the assembly's
 * metadata holds the constructs' creation stack traces, whose file paths differ between this process and the child.
 */
export function fleetSizes(variant: Variant, n: number): Pick<FleetRow, 'resources' | 'bytes' | 'nestedStacks' | 'maxStackResources' | 'maxTemplateBytes'> {
  const { resources, bytes, nestedStacks, maxStackResources, maxTemplateBytes } = synthInProcess(variant, n);
  return { resources, bytes, nestedStacks, maxStackResources, maxTemplateBytes };
}

/**
 * `r` with everything that is not a timing measured again: the footprint, the resources and bytes of every timing
 * and fleet row (synthesized in process), the idle cost and the goals. The timings and their date stay.
 */
function remeasureFootprint(r: BenchResults): BenchResults {
  const fp = measureFootprint();
  const sizes = new Map<string, { resources: number; bytes: number }>();
  const timing = r.timing.map(t => {
    const key = `${t.variant}/${t.n}`;
    if (!sizes.has(key)) {
      const { resources, bytes } = synthInProcess(t.variant, t.n);
      sizes.set(key, { resources, bytes });
    }
    return { ...t, ...sizes.get(key)! };
  });
  const fleetSized = new Map<string, ReturnType<typeof fleetSizes>>();
  const fleet = r.fleet?.map(f => {
    if (f.error) return f;
    const key = `${f.variant}/${f.n}`;
    if (!fleetSized.has(key)) fleetSized.set(key, fleetSizes(f.variant, f.n));
    const sized = fleetSized.get(key)!;
    return { ...f, ...sized, perResourceMs: Math.round(f.medianMs / sized.resources * 100) / 100 };
  });
  const partial = {
    ...r,
    ...fleet ? { fleet } : {},
    footprintDate: new Date().toISOString(),
    timing,
    footprint: fp.rows,
    resourceTypesEqual: fp.equal,
    resourceTypes: fp.types,
    workloadShape: fp.workloadShape,
    cliBytesN1: fp.cliBytesN1,
    idleCost: idleCostRows(),
  };
  return { ...partial, goals: goals(partial) };
}

if (require.main === module) main();
