import { Size, Token } from 'aws-cdk-lib';
import { ComputePlatform } from '../compute-platform';

/**
 * The vCPU / memory pairs Fargate accepts (memory in MiB): [vCPU, min, max, step].
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
 */
export const FARGATE_CPU_MEMORY: ReadonlyArray<readonly [number, number, number, number]> = [
  [0.25, 512, 2048, 512], // 512, 1024, 2048 (1536 is not listed: checked below)
  [0.5, 1024, 4096, 1024],
  [1, 2048, 8192, 1024],
  [2, 4096, 16384, 1024],
  [4, 8192, 30720, 1024],
  [8, 16384, 61440, 4096],
  [16, 32768, 122880, 8192],
];

/**
 * EC2 bounds: at least one whole vCPU, at least 4 MiB of memory (AWS Batch minimum), and no more than the
 * largest instance the default instance classes offer (c7i/m6i/r6i families reach 192 vCPUs / 1,536 GiB).
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html
 */
export const EC2_LIMITS = { minCpu: 1, maxCpu: 192, minMemoryMiB: 4, maxMemoryMiB: 1536 * 1024 } as const;

function fargateMemoriesFor(cpu: number): number[] {
  const row = FARGATE_CPU_MEMORY.find(([c]) => c === cpu);
  if (!row) return [];
  const [, min, max, step] = row;
  const out: number[] = [];
  for (let m = min; m <= max; m += step) {
    if (cpu === 0.25 && m === 1536) continue;
    out.push(m);
  }
  return out;
}

/** Fails at synth on a cpu/memory combination the platform cannot run. */
export function validateCpuMemory(platform: ComputePlatform, cpu: number, memory: Size): void {
  if (Token.isUnresolved(cpu) || memory.isUnresolved()) return;
  const mib = memory.toMebibytes();
  if (platform === ComputePlatform.FARGATE) {
    const legal = fargateMemoriesFor(cpu);
    if (legal.length === 0) {
      throw new Error(`'cpu' must be one of ${FARGATE_CPU_MEMORY.map(([c]) => c).join(', ')} vCPUs on Fargate, got ${cpu}: pick the nearest Fargate size.`);
    }
    if (!legal.includes(mib)) {
      throw new Error(`'memory' of ${mib} MiB is not a Fargate size for ${cpu} vCPU: use one of ${legal.join(', ')} MiB (Size.mebibytes(...)), or change 'cpu'.`);
    }
    return;
  }
  if (!Number.isInteger(cpu) || cpu < EC2_LIMITS.minCpu || cpu > EC2_LIMITS.maxCpu) {
    throw new Error(`'cpu' must be a whole number of vCPUs from ${EC2_LIMITS.minCpu} to ${EC2_LIMITS.maxCpu} on EC2, got ${cpu}: fractional vCPUs exist only on Fargate.`);
  }
  if (mib < EC2_LIMITS.minMemoryMiB || mib > EC2_LIMITS.maxMemoryMiB) {
    throw new Error(`'memory' must be from ${EC2_LIMITS.minMemoryMiB} MiB to ${EC2_LIMITS.maxMemoryMiB / 1024} GiB on EC2, got ${mib} MiB.`);
  }
}
