/**
 * One measurement, in a fresh Node process (no module cache or JIT state shared between measurements):
 *   node -r ts-node/register/transpile-only scripts/bench/child.ts <variant> <n>
 * Everything is imported before the clock starts; the clock covers building the constructs and `app.synth()`
 * (with aws-cdk-lib's built-in template validation unless CDK_VALIDATION=false). Prints one JSON line: the times, the
 * process's peak resident memory (`maxRSS`, loading aws-cdk-lib included, as a pipeline sees it) and what was written to
 * the cloud assembly (the stack's template and its nested stacks', summed: see `readAssembly`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as cdk from 'aws-cdk-lib';
import { buildStack, Variant } from './apps';
import { appContext, readAssembly } from './footprint';

const [variant, nArg] = process.argv.slice(2);
const n = Number(nArg);
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
try {
  const start = performance.now();
  // Past 500 resources in one stack, aws-cdk-lib's synth-time check is lifted for every app but the fleet (see
  // `liftsResourceLimit`), so the synth work itself can be timed.
  const app = new cdk.App({ outdir, context: appContext(variant as Variant) });
  const stack = buildStack(app, variant as Variant, n);
  const constructed = performance.now();
  const assembly = app.synth();
  const end = performance.now();
  const a = readAssembly(outdir, assembly.getStackByName(stack.stackName).templateFullPath);
  process.stdout.write(JSON.stringify({
    variant, n, ms: end - start, constructMs: constructed - start, synthMs: end - constructed,
    // maxRSS is in kibibytes on Linux and macOS.
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    resources: a.resources, bytes: a.bytes, nestedStacks: a.nestedStacks, maxStackResources: a.maxStackResources,
    maxTemplateBytes: a.maxTemplateBytes, assemblyBytes: a.assemblyBytes,
  }) + '\n');
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
