/**
 * The deterministic half of the benchmark: resources, template bytes and the shape of one more workload, synthesized
 * in process. Shared by scripts/bench.ts and test/performance-doc.test.ts, which checks docs/performance.md against
 * these numbers (re-measure them with `scripts/bench.ts --footprint-only`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { buildStack, Variant, VARIANTS } from './apps';

/**
 * CloudFormation quotas: 500 resources per stack; a template uploaded to S3 may be 1 MB.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 */
export const MAX_RESOURCES = 500;
export const MAX_TEMPLATE_BYTES = 1_000_000;

type Template = { Resources?: Record<string, { Type: string; Properties?: any }> };

export interface Synthesized {
  /** Resources over all templates of the stack: its own and those of its nested stacks (at any depth). */
  readonly resources: number;
  /** Bytes of those templates, as written to the cloud assembly. */
  readonly bytes: number;
  readonly types: Record<string, number>;
  /** The resources of all those templates in one (ids prefixed with the template's file name but for the top stack's). */
  readonly template: Template;
  /** Nested stacks (templates `*.nested.template.json` in the assembly). */
  readonly nestedStacks: number;
  /** The most resources in one template: what CloudFormation's 500-resource limit applies to. */
  readonly maxStackResources: number;
  /** The largest template, in bytes (the 1 MB limit). */
  readonly maxTemplateBytes: number;
  /** Every file of the cloud assembly directory (templates, manifest, tree.json, assets; not the validation report), in bytes. */
  readonly assemblyBytes: number;
}

/** Every file under `dir`, in bytes, but aws-cdk-lib's validation report (written only with validation on). */
function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.name === 'validation-report.json') continue;
    total += entry.isDirectory() ? dirBytes(full) : fs.statSync(full).size;
  }
  return total;
}

/**
 * What `app.synth()` wrote to `outdir` for the one top-level stack `templateFile` of a single-stack app: its template
 * and every nested stack's (aws-cdk-lib writes each nested template as a file `*.nested.template.json` next to it, at
 * any depth of nesting), summed. Used by the in-process footprint and by the timing child alike.
 */
export function readAssembly(outdir: string, templateFile: string): Synthesized {
  const files = [templateFile, ...fs.readdirSync(outdir).filter(f => f.endsWith('.nested.template.json')).sort().map(f => path.join(outdir, f))];
  const merged: Required<Template> = { Resources: {} };
  const types: Record<string, number> = {};
  let resources = 0;
  let bytes = 0;
  let maxStackResources = 0;
  let maxTemplateBytes = 0;
  files.forEach((file, i) => {
    const text = fs.readFileSync(file, 'utf-8');
    const size = Buffer.byteLength(text);
    const own: Template = JSON.parse(text);
    const entries = Object.entries(own.Resources ?? {});
    for (const [id, r] of entries) {
      merged.Resources[i === 0 ? id : `${path.basename(file)}/${id}`] = r;
      types[r.Type] = (types[r.Type] ?? 0) + 1;
    }
    resources += entries.length;
    bytes += size;
    maxStackResources = Math.max(maxStackResources, entries.length);
    maxTemplateBytes = Math.max(maxTemplateBytes, size);
  });
  return {
    resources, bytes, types, template: merged, nestedStacks: files.length - 1, maxStackResources, maxTemplateBytes, assemblyBytes: dirBytes(outdir),
  };
}

/**
 * aws-cdk-lib refuses to synthesize a stack over 500 resources. The Fargate, hand-written and (non-fleet) library apps
 * pass it at N=50 and more, so that check is lifted for them, alike, to time the synth work itself. Never for the
 * fleet: that it synthesizes as CloudFormation will deploy it is part of what is measured.
 */
export function liftsResourceLimit(variant: Variant): boolean {
  return variant !== 'fleet' && variant !== 'fleetFloor';
}

export function appContext(variant: Variant, cliMetadata = false): Record<string, unknown> {
  return { ...liftsResourceLimit(variant) ? { [cdk.STACK_RESOURCE_LIMIT_CONTEXT]: 100_000 } : {}, ...cliMetadata ? CLI_METADATA_CONTEXT : {} };
}

/** What `cdk synth` adds unless told not to: `aws:cdk:path` metadata on every resource, asset metadata, CDKMetadata. */
export const CLI_METADATA_CONTEXT = { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:version-reporting': true };

/**
 * Synthesizes `n` jobs of `variant` (validation off: it does not change the template; the 500-resource check lifted
 * but for the fleet, see `liftsResourceLimit`), counting its nested stacks' templates with its own,
 * as a bare `App` does, or with the metadata `cdk synth` adds (`cliMetadata`).
 */
export function synthInProcess(variant: Variant, n: number, cliMetadata = false): Synthesized {
  const validationBefore = process.env.CDK_VALIDATION;
  const deprecatedBefore = process.env.JSII_DEPRECATED;
  process.env.CDK_VALIDATION = 'false';
  // The hand-written comparison uses aws-cdk-lib's NatProvider.instanceV2, which passes the deprecated
  // InstanceProps#keyName itself (see src/network/private/nat-instance-provider.ts): jsii's warning about it is not ours.
  if (variant === 'handwritten') process.env.JSII_DEPRECATED = 'quiet';
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fp-'));
  try {
    const app = new cdk.App({ outdir, context: appContext(variant, cliMetadata) });
    const stack = buildStack(app, variant, n);
    return readAssembly(outdir, app.synth().getStackByName(stack.stackName).templateFullPath);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
    if (validationBefore === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validationBefore;
    if (deprecatedBefore === undefined) delete process.env.JSII_DEPRECATED;
    else process.env.JSII_DEPRECATED = deprecatedBefore;
  }
}

export interface FootprintRow {
  variant: Variant;
  resourcesN1: number;
  resourcesN2: number;
  bytesN1: number;
  bytesN2: number;
  marginalResources: number;
  marginalBytes: number;
  baseResources: number;
  fitByResources: number;
  fitByBytes: number;
}

/** What one more library workload on a shared platform adds to the template (N=2 minus N=1). */
export interface WorkloadShape {
  /** CloudWatch alarms. */
  alarms: number;
  /** EventBridge rules. */
  rules: number;
  /** `Fn::Join`s inside those rules' event patterns (the job-definition ARN prefix). */
  ruleJoins: number;
  /** `Fn::Select`s inside those rules' event patterns. */
  ruleSelects: number;
  /** Bytes of the state machines' `DefinitionString` (as JSON, intrinsics included): the run-tracking definition. */
  definitionBytes?: number;
}

export interface Footprint {
  rows: FootprintRow[];
  equal: boolean;
  types: { library: Record<string, number>; handwritten: Record<string, number> };
  workloadShape: WorkloadShape;
  /** Template bytes at N=1 as `cdk synth` writes them (with its metadata), per app. */
  cliBytesN1: Record<string, number>;
}

function count(text: string, what: string): number {
  return text.split(what).length - 1;
}

function shapeOf(template: Synthesized['template']): WorkloadShape {
  const resources = Object.values(template.Resources ?? {});
  const patterns = JSON.stringify(resources.filter(r => r.Type === 'AWS::Events::Rule').map(r => r.Properties?.EventPattern));
  return {
    alarms: resources.filter(r => r.Type === 'AWS::CloudWatch::Alarm').length,
    rules: resources.filter(r => r.Type === 'AWS::Events::Rule').length,
    ruleJoins: count(patterns, '"Fn::Join"'),
    ruleSelects: count(patterns, '"Fn::Select"'),
    definitionBytes: resources.filter(r => r.Type === 'AWS::StepFunctions::StateMachine')
      .reduce((sum, r) => sum + JSON.stringify(r.Properties?.DefinitionString ?? r.Properties?.Definition ?? '').length, 0),
  };
}

/**
 * Resources and bytes at N=1 and N=2 for every app, and what one more library workload adds. The library app is
 * `ScheduledBatchWorkload`s with `platform` in the user's stack (no nested stack), as the hand-written app mirrors it;
 * the fleet's footprint at scale is in the fleet benchmark (scripts/bench/fleet.ts).
 */
export function measureFootprint(): Footprint {
  const rows: FootprintRow[] = [];
  const at: Record<string, { one: Synthesized; two: Synthesized }> = {};
  for (const variant of ['oneliner', ...VARIANTS] as Variant[]) {
    const one = synthInProcess(variant, 1);
    const two = variant === 'oneliner' ? one : synthInProcess(variant, 2);
    at[variant] = { one, two };
    const marginalResources = two.resources - one.resources;
    const marginalBytes = two.bytes - one.bytes;
    const baseResources = one.resources - marginalResources;
    const baseBytes = one.bytes - marginalBytes;
    rows.push({
      variant,
      resourcesN1: one.resources,
      resourcesN2: two.resources,
      bytesN1: one.bytes,
      bytesN2: two.bytes,
      marginalResources,
      marginalBytes,
      baseResources,
      fitByResources: marginalResources > 0 ? Math.floor((MAX_RESOURCES - baseResources) / marginalResources) : 1,
      fitByBytes: marginalBytes > 0 ? Math.floor((MAX_TEMPLATE_BYTES - baseBytes) / marginalBytes) : 1,
    });
  }
  const a = JSON.stringify(Object.entries(at.library.two.types).sort());
  const b = JSON.stringify(Object.entries(at.handwritten.two.types).sort());
  const one = shapeOf(at.library.one.template);
  const two = shapeOf(at.library.two.template);
  return {
    rows,
    equal: a === b,
    types: { library: at.library.two.types, handwritten: at.handwritten.two.types },
    workloadShape: {
      alarms: two.alarms - one.alarms,
      rules: two.rules - one.rules,
      ruleJoins: two.ruleJoins - one.ruleJoins,
      ruleSelects: two.ruleSelects - one.ruleSelects,
      definitionBytes: two.definitionBytes! - one.definitionBytes!,
    },
    cliBytesN1: Object.fromEntries(VARIANTS.map(v => [v, synthInProcess(v, 1, true).bytes])),
  };
}
