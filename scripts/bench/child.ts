/**
 * One measurement, in a fresh Node process (no module cache or JIT state shared between measurements):
 *   node -r ts-node/register/transpile-only scripts/bench/child.ts <variant> <n>
 * Everything is imported before the clock starts; the clock covers building the constructs and `app.synth()`
 * (with aws-cdk-lib's built-in template validation unless CDK_VALIDATION=false). Prints one JSON line.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as cdk from 'aws-cdk-lib';
import { buildStack, Variant } from './apps';

const [variant, nArg] = process.argv.slice(2);
const n = Number(nArg);
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
try {
  const start = performance.now();
  // N=50 exceeds CloudFormation's 500 resources for the Batch apps (see the footprint table): lift aws-cdk-lib's
  // synth-time check, identically for every app, so the synth work itself can be timed.
  const app = new cdk.App({ outdir, context: { [cdk.STACK_RESOURCE_LIMIT_CONTEXT]: 100_000 } });
  const stack = buildStack(app, variant as Variant, n);
  const constructed = performance.now();
  const assembly = app.synth();
  const end = performance.now();
  const artifact = assembly.getStackByName(stack.stackName);
  const bytes = fs.statSync(artifact.templateFullPath).size;
  const resources = Object.keys(artifact.template.Resources ?? {}).length;
  process.stdout.write(JSON.stringify({ variant, n, ms: end - start, constructMs: constructed - start, synthMs: end - constructed, resources, bytes }) + '\n');
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
