/**
 * Runs one measurement (scripts/bench/child.ts) in a fresh `node` process and parses its JSON line.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Variant } from './apps';

const ROOT = path.resolve(__dirname, '..', '..');

/** What one child process measured. */
export interface ChildResult {
  /** Construct + `app.synth()`, timed inside the process. */
  readonly ms: number;
  /** Of `ms`: building the constructs, then `app.synth()` (resolve, validate, write). */
  readonly constructMs: number;
  readonly synthMs: number;
  /** The whole process as the parent saw it: Node start-up, loading aws-cdk-lib, construct, synth. */
  readonly wallMs: number;
  /** The process's peak resident memory (`process.resourceUsage().maxRSS`), MiB. */
  readonly peakRssMb: number;
  readonly resources: number;
  readonly bytes: number;
  readonly nestedStacks: number;
  readonly maxStackResources: number;
  readonly maxTemplateBytes: number;
  readonly assemblyBytes: number;
}

/** Runs `variant` with `n` jobs in a new process; throws with the child's stderr when it fails or passes `timeoutMs`. */
export function runChild(variant: Variant, n: number, validation: boolean, timeoutMs = 15 * 60_000): ChildResult {
  const start = performance.now();
  const res = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'child.ts'), variant, String(n)], {
    cwd: ROOT,
    encoding: 'utf-8',
    env: { ...process.env, CDK_VALIDATION: validation ? 'true' : 'false', JSII_DEPRECATED: 'quiet', TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json') },
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
  });
  const wallMs = performance.now() - start;
  const line = (res.stdout ?? '').trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !line.startsWith('{')) {
    const why = res.error ? `${res.error.message}` : `exit ${res.status}${res.signal ? `, ${res.signal}` : ''}`;
    throw new Error(`bench child ${variant} n=${n} validation=${validation} failed (${why}):\n${res.stderr}`);
  }
  const out = JSON.parse(line);
  return {
    ms: out.ms,
    constructMs: out.constructMs,
    synthMs: out.synthMs,
    wallMs,
    peakRssMb: out.peakRssMb,
    resources: out.resources,
    bytes: out.bytes,
    nestedStacks: out.nestedStacks,
    maxStackResources: out.maxStackResources,
    maxTemplateBytes: out.maxTemplateBytes,
    assemblyBytes: out.assemblyBytes,
  };
}
