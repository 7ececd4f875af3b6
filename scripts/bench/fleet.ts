/**
 * The fleet benchmark (issue #22): N workloads in ONE user stack, this library through `BatchFleet` (which spreads
 * them over its nested stacks) against N aws-ecs-patterns `ScheduledFargateTask`s, for N = 10, 100 and 1,000.
 * Per cell, in fresh processes: synth time, peak memory, the assembly's size (every template, parent and nested),
 * resources over all templates, nested stacks, synth time per resource, and the ratio of the two apps' time per
 * resource measured in the same run.
 */
import { Variant, FLEET_FLOOR, FLEET_VARIANTS } from './apps';
import { MAX_RESOURCES, MAX_TEMPLATE_BYTES } from './footprint';
import { ChildResult, runChild } from './spawn';

export interface FleetSettings {
  /** Workloads per app. */
  ns: number[];
  /** Fresh processes per cell, validation off. */
  reps: number;
  /** Fresh processes per cell from `largeN` workloads on (each takes tens of seconds). */
  largeReps: number;
  largeN: number;
  /** The Ns measured again with aws-cdk-lib's template validation on (empty: not measured). */
  validationNs: number[];
  validationReps: number;
  /** Fresh processes per cell with validation on from `largeN` workloads on (a `ScheduledFargateTask` app takes minutes). */
  validationLargeReps: number;
}

export interface FleetRow {
  validation: boolean;
  n: number;
  variant: Variant;
  /** Synth time (construct + `app.synth()`) of each process, ms. */
  samples: number[];
  wallSamples: number[];
  /** Peak resident memory of each process, MiB. */
  rssSamples: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  medianWallMs: number;
  /** Medians of the two parts of the synth time: building the constructs, then `app.synth()` (resolve, validate, write). */
  medianConstructMs: number;
  medianAppSynthMs: number;
  /** Median of `rssSamples`. */
  peakRssMb: number;
  /** Resources over all templates (the stack's and its nested stacks'). */
  resources: number;
  /** Bytes of all those templates. */
  bytes: number;
  /** Every file of the cloud assembly (templates, manifest, tree.json), bytes. */
  assemblyBytes: number;
  nestedStacks: number;
  /** The most resources in one template (CloudFormation's limit: 500). */
  maxStackResources: number;
  /** The largest template (CloudFormation's limit: 1 MB from S3). */
  maxTemplateBytes: number;
  perWorkloadMs: number;
  perResourceMs: number;
  /** Set when the app did not synthesize (then only this and the keys above it are meaningful). */
  error?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

export function defaultFleetSettings(quick: boolean): FleetSettings {
  return quick
    ? { ns: [10, 100], reps: 2, largeReps: 2, largeN: 1000, validationNs: [], validationReps: 0, validationLargeReps: 0 }
    : { ns: [10, 100, 1000], reps: 5, largeReps: 3, largeN: 1000, validationNs: [10, 100, 1000], validationReps: 3, validationLargeReps: 1 };
}

/** Measures every cell, repetitions interleaved across the two apps; an app that fails a cell is recorded, not retried. */
export function measureFleet(settings: FleetSettings, log: (line: string) => void = line => process.stderr.write(line + '\n')): FleetRow[] {
  const rows: FleetRow[] = [];
  const modes: [boolean, number[]][] = [[false, settings.ns], [true, settings.validationNs]];
  for (const [validation, ns] of modes) {
    for (const n of ns) {
      const reps = n >= settings.largeN
        ? (validation ? settings.validationLargeReps : settings.largeReps)
        : (validation ? settings.validationReps : settings.reps);
      // The fleet's floor (one Pass state per definition) only with validation off: it is not a template anyone validates.
      const variants = validation ? FLEET_VARIANTS : [...FLEET_VARIANTS, FLEET_FLOOR];
      const samples = new Map<Variant, ChildResult[]>(variants.map(v => [v, []]));
      const errors = new Map<Variant, string>();
      for (let i = 0; i < reps; i++) {
        for (const v of variants) {
          if (errors.has(v)) continue;
          try {
            const s = runChild(v, n, validation);
            samples.get(v)!.push(s);
            log(`  fleet validation=${validation ? 'on ' : 'off'} n=${String(n).padStart(4)} ${v.padEnd(7)} rep ${i + 1}/${reps}: ${s.ms.toFixed(0)} ms, ${s.peakRssMb} MiB, ${s.resources} resources`);
          } catch (e) {
            const message = (e as Error).message;
            errors.set(v, message.split('\n').filter(l => l.trim()).slice(0, 3).join(' ').slice(0, 400));
            log(`  fleet validation=${validation ? 'on ' : 'off'} n=${String(n).padStart(4)} ${v.padEnd(7)} FAILED: ${message.slice(0, 2000)}`);
          }
        }
      }
      for (const v of variants) {
        const ss = samples.get(v)!;
        if (ss.length === 0) {
          rows.push({
            validation,
            n,
            variant: v,
            samples: [],
            wallSamples: [],
            rssSamples: [],
            medianMs: 0,
            minMs: 0,
            maxMs: 0,
            medianWallMs: 0,
            medianConstructMs: 0,
            medianAppSynthMs: 0,
            peakRssMb: 0,
            resources: 0,
            bytes: 0,
            assemblyBytes: 0,
            nestedStacks: 0,
            maxStackResources: 0,
            maxTemplateBytes: 0,
            perWorkloadMs: 0,
            perResourceMs: 0,
            error: errors.get(v) ?? 'no sample',
          });
          continue;
        }
        const ms = ss.map(s => s.ms);
        const med = median(ms);
        rows.push({
          validation,
          n,
          variant: v,
          samples: ms.map(x => Math.round(x)),
          wallSamples: ss.map(s => Math.round(s.wallMs)),
          rssSamples: ss.map(s => s.peakRssMb),
          medianMs: Math.round(med),
          minMs: Math.round(Math.min(...ms)),
          maxMs: Math.round(Math.max(...ms)),
          medianWallMs: Math.round(median(ss.map(s => s.wallMs))),
          medianConstructMs: Math.round(median(ss.map(s => s.constructMs))),
          medianAppSynthMs: Math.round(median(ss.map(s => s.synthMs))),
          peakRssMb: Math.round(median(ss.map(s => s.peakRssMb))),
          resources: ss[0].resources,
          bytes: ss[0].bytes,
          assemblyBytes: ss[0].assemblyBytes,
          nestedStacks: ss[0].nestedStacks,
          maxStackResources: ss[0].maxStackResources,
          maxTemplateBytes: ss[0].maxTemplateBytes,
          perWorkloadMs: round(med / n, 1),
          perResourceMs: round(med / ss[0].resources, 2),
        });
      }
    }
  }
  return rows;
}

/** The Fargate row to compare the fleet at `n` with: the same N, or the largest N below it that synthesized. */
export function fargateBaseline(rows: FleetRow[], validation: boolean, n: number): FleetRow | undefined {
  return rows
    .filter(r => r.variant === 'fargate' && r.validation === validation && !r.error && r.n <= n)
    .sort((a, b) => b.n - a.n)[0];
}

/** The fleet's synth time per resource ÷ `ScheduledFargateTask`'s (see `fargateBaseline`), 2 decimals. */
export interface FleetRatio {
  /** Fleet ms / resource ÷ Fargate ms / resource (issue #22's measure). */
  ratio: number;
  /** Fleet ms / workload ÷ Fargate ms / workload. */
  perWorkloadRatio: number;
  /** The N of the Fargate row compared with. */
  fargateN: number;
}

export function perResourceRatio(rows: FleetRow[], validation: boolean, n: number, variant: Variant = 'fleet'): FleetRatio | undefined {
  const fleet = rows.find(r => r.variant === variant && r.validation === validation && r.n === n && !r.error);
  const far = fargateBaseline(rows, validation, n);
  if (!fleet || !far) return undefined;
  return {
    ratio: round((fleet.medianMs / fleet.resources) / (far.medianMs / far.resources), 2),
    perWorkloadRatio: round((fleet.medianMs / fleet.n) / (far.medianMs / far.n), 2),
    fargateN: far.n,
  };
}

/**
 * Resources and template bytes that each workload adds to the whole assembly (nested stacks included) between
 * consecutive measured Ns, with the nested stacks the fleet opens on the way: issue #22's "each extra workload adds at
 * most 5 resources".
 */
export interface FleetStep { from: number; to: number; resources: number; bytes: number; stacksOpened: number }

export function fleetSteps(rows: FleetRow[]): FleetStep[] {
  const fleet = rows.filter(r => r.variant === 'fleet' && !r.validation && !r.error).sort((a, b) => a.n - b.n);
  return fleet.slice(1).map((b, i) => {
    const a = fleet[i];
    const added = b.n - a.n;
    return {
      from: a.n, to: b.n, resources: round((b.resources - a.resources) / added, 2), bytes: Math.round((b.bytes - a.bytes) / added),
      stacksOpened: b.nestedStacks - a.nestedStacks,
    };
  });
}

/** The largest step of `fleetSteps` with every nested stack already in place: what one workload itself adds. */
export function fleetMarginal(rows: FleetRow[]): FleetStep | undefined {
  return fleetSteps(rows).filter(step => step.stacksOpened === 0).pop();
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map(r => `| ${r.join(' | ')} |`)].join('\n');
}

const APP: Record<string, string> = {
  fleet: 'this library, `BatchFleet`',
  fleetFloor: 'floor: the same `BatchFleet`, each state machine definition one Pass state',
  fargate: 'ScheduledFargateTask',
};
const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
const thousands = (n: number) => n.toLocaleString('en-US');

export function renderFleetTables(rows: FleetRow[], settings: FleetSettings): string {
  const parts: string[] = [];
  for (const validation of [false, true]) {
    const cells = rows.filter(r => r.validation === validation);
    if (cells.length === 0) continue;
    const lines = cells.map(r => {
      if (r.error) return [`N=${thousands(r.n)}`, APP[r.variant], `did not synthesize: ${r.error.replace(/\|/g, '\\|')}`, ...Array(14).fill('')];
      const fleetLike = r.variant !== 'fargate';
      const cmp = fleetLike ? perResourceRatio(rows, validation, r.n, r.variant) : undefined;
      const at = cmp && cmp.fargateN !== r.n ? ` (Fargate N=${thousands(cmp.fargateN)})` : '';
      return [
        `N=${thousands(r.n)}`, APP[r.variant], `${r.medianMs}`, `${r.minMs}–${r.maxMs}`, `${r.samples.length}`,
        r.medianConstructMs || r.medianAppSynthMs ? `${r.medianConstructMs} / ${r.medianAppSynthMs}` : '–',
        `${r.perWorkloadMs}`, fleetLike ? (cmp ? `${cmp.perWorkloadRatio.toFixed(2)}${at}` : '–') : '–',
        `${r.resources}`, r.perResourceMs.toFixed(2), fleetLike ? (cmp ? `${r.variant === 'fleet' ? `**${cmp.ratio.toFixed(2)}**` : cmp.ratio.toFixed(2)}${at}` : '–') : '–',
        `${r.peakRssMb}`, mb(r.bytes), mb(r.assemblyBytes), `${r.nestedStacks}`, `${r.maxStackResources} / ${mb(r.maxTemplateBytes)}`,
      ];
    });
    parts.push(`#### Template validation ${validation ? 'ON (aws-cdk-lib default)' : 'OFF (`CDK_VALIDATION=false`)'}\n\n`
      + table(['N', 'App', 'synth median ms', 'min–max ms', 'processes', 'of which construct / app.synth() ms', 'ms / workload',
        'fleet ÷ Fargate, ms / workload', 'resources (all templates)', 'ms / resource', 'fleet ÷ Fargate, ms / resource', 'peak RSS MiB', 'template MB (parent + nested)', 'assembly MB', 'nested stacks', 'largest stack: resources / MB'], lines));
  }
  const marginal = fleetMarginal(rows);
  const notOn = settings.ns.filter(n => !settings.validationNs.includes(n));
  const notes = [
    ...notOn.length ? [`Template validation on is measured at ${settings.validationNs.length ? `N=${settings.validationNs.map(thousands).join(' and ')}` : 'no N'} only, not at `
      + `N=${notOn.map(thousands).join(', ')}: it multiplies synth time and memory (compare the two tables), and one such process at N=1,000 takes minutes.`] : [],
    `"processes": fresh \`node\` processes per cell, interleaved across the apps (${settings.reps} each`
      + `${settings.ns.some(n => n >= settings.largeN) ? `, ${settings.largeReps} from N=${thousands(settings.largeN)} on` : ''}`
      + `${settings.validationNs.length ? `, ${settings.validationReps} with validation on` : ''}`
      + `${settings.validationNs.some(n => n >= settings.largeN) ? `, ${settings.validationLargeReps} with validation on from N=${thousands(settings.largeN)} on` : ''}).`
      + ' "peak RSS" is the median over them of the process\'s `maxRSS`, loading aws-cdk-lib included.',
    ...settings.validationNs.length ? ['aws-cdk-lib\'s built-in validation reads the templates of the assembly\'s stacks, not those of their nested stacks'
      + ' (its plugin gets the stack artifacts\' `templateFullPath`s), so with validation on it checks the fleet\'s parent template only and'
      + ` every \`ScheduledFargateTask\` resource${validationCost(rows)}. \`test/checkers/run.sh\``
      + ' runs cfn-lint on every template of the checker apps, nested ones included.'] : [],
    '"template MB" sums every template the assembly holds (the user stack\'s and each nested stack\'s `*.nested.template.json`); "assembly MB" is every file'
      + ' of the cloud assembly directory (templates, manifest, `tree.json`, metadata with the constructs\' creation stack traces as a bare `App`'
      + ' writes them; not the validation report). "largest stack" is the one template that comes'
      + ` closest to CloudFormation's limits (${MAX_RESOURCES} resources, ${MAX_TEMPLATE_BYTES / 1e6} MB).`,
  ];
  const floor = floorNote(rows);
  if (floor) notes.push(floor);
  if (marginal) {
    notes.push(`Each workload the fleet adds between N=${thousands(marginal.from)} and N=${thousands(marginal.to)} (every nested stack already in place): `
      + `**${marginal.resources} resources** and ${thousands(marginal.bytes)} template bytes.`);
  }
  return parts.join('\n\n') + '\n\n' + notes.map(n => `- ${n}`).join('\n');
}

/**
 * What the floor rows show (`fleetFloor`, validation off), at the largest N where both it and Fargate's baseline
 * synthesized: how far below the fleet work on the definitions could bring it, and the per-resource ratio that stays.
 */
export function floorNote(rows: FleetRow[]): string | undefined {
  const floors = rows.filter(r => r.variant === FLEET_FLOOR && !r.validation && !r.error).sort((a, b) => b.n - a.n);
  for (const floor of floors) {
    const fleet = rows.find(r => r.variant === 'fleet' && !r.validation && !r.error && r.n === floor.n);
    const cmp = perResourceRatio(rows, false, floor.n, FLEET_FLOOR);
    const far = fargateBaseline(rows, false, floor.n);
    if (!fleet || !cmp || !far) continue;
    return `"floor" is the same fleet with every state machine's definition written as one Pass state (\`fleetFloor\` in \`scripts/bench/apps.ts\`):`
      + ' the states are still built and their statements granted; only the definitions\' bytes are gone, so no work on the definitions'
      + ` (their size, how they are rendered and resolved) can bring the fleet below it. At N=${thousands(floor.n)} it takes`
      + ` ${floor.medianMs} ms against the fleet's ${fleet.medianMs} ms, and is still ${cmp.ratio.toFixed(2)}× \`ScheduledFargateTask\` per resource`
      + ` (${cmp.perWorkloadRatio.toFixed(2)}× per workload). Per workload the fleet has ${(fleet.resources / fleet.n).toFixed(1)} resources (its platform and`
      + ` nested stacks included) against ${(far.resources / far.n).toFixed(1)} for \`ScheduledFargateTask\`: the fewer resources a workload's synth time`
      + ' is spread over, the higher its time per resource.';
  }
  return undefined;
}

/** `: at N=<n> validation adds <x> s to the fleet's synth and <y> s to ScheduledFargateTask's`, at the largest N measured both ways. */
function validationCost(rows: FleetRow[]): string {
  const median = (variant: Variant, n: number, validation: boolean) =>
    rows.find(r => r.variant === variant && r.n === n && r.validation === validation && !r.error)?.medianMs;
  const both = rows.filter(r => r.validation && !r.error).map(r => r.n).filter(x => FLEET_VARIANTS.every(v => median(v, x, false) && median(v, x, true)));
  const n = Math.max(...both);
  if (!Number.isFinite(n)) return '';
  const added = (v: Variant) => ((median(v, n, true)! - median(v, n, false)!) / 1000).toFixed(1);
  return `: at N=${thousands(n)} validation adds ${added('fleet')} s to the fleet's synth and ${added('fargate')} s to \`ScheduledFargateTask\`'s (medians, the tables above)`;
}

/** What the fleet section says about the Fargate baseline, from the measured rows. */
export function fargateNote(rows: FleetRow[]): string {
  const far = rows.filter(r => r.variant === 'fargate' && !r.validation);
  const over = far.filter(r => !r.error && (r.maxStackResources > MAX_RESOURCES || r.maxTemplateBytes > MAX_TEMPLATE_BYTES));
  const failed = far.filter(r => r.error);
  const parts: string[] = [];
  if (over.length) {
    const past = (r: FleetRow) => [r.maxStackResources > MAX_RESOURCES ? `${MAX_RESOURCES} resources` : '', r.maxTemplateBytes > MAX_TEMPLATE_BYTES ? `${MAX_TEMPLATE_BYTES / 1e6} MB` : '']
      .filter(Boolean).join(' and ');
    parts.push('`ScheduledFargateTask` places nothing: '
      + over.map(r => `at N=${thousands(r.n)} it is one stack of ${thousands(r.resources)} resources and ${mb(r.bytes)} MB, past CloudFormation's ${past(r)} per stack`).join('; ')
      + '. A user would split it over stacks by hand.'
      + ' These apps are synthesized with aws-cdk-lib\'s 500-resource check lifted (as the timing tables above do), to time the same synth work;'
      + ' the fleet is synthesized with the check in place.');
  }
  if (failed.length) {
    parts.push(`\`ScheduledFargateTask\` did not synthesize at N=${failed.map(r => thousands(r.n)).join(', ')}: there the fleet is compared with the`
      + ' largest N at which it did, as marked in the table.');
  }
  return parts.join(' ');
}
