import { Size, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import { IConstruct } from 'constructs';
import type { IBatchPlatform } from '../../compute/batch-platform';
import { ComputePlatform } from '../../compute/compute-platform';
import { BURSTABLE_LARGEST, BURSTABLE_SIZES, DEFAULT_CLASSES, FAMILIES, vcpusOfSize } from '../../compute/private/instance-families';
import type { SpotComputeEnvironment } from '../../compute/spot-compute-environment';
import { inHostSpellingEach, ValidationError } from '../../private/prop-names';

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
 * EC2 bounds any compute environment has: at least one whole vCPU, at least 4 MiB of memory (AWS Batch minimum), and
 * no more than the largest current instance sizes (e.g. r7i.48xlarge: 192 vCPUs / 1,536 GiB). What one particular
 * compute environment can run is {@link maxJobResources} / {@link validateJobFitsCompute}.
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/mo.html
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
      throw new ValidationError(`'cpu' must be one of ${FARGATE_CPU_MEMORY.map(([c]) => c).join(', ')} vCPUs on Fargate, got ${cpu}: pick the nearest Fargate size.`);
    }
    if (!legal.includes(mib)) {
      throw new ValidationError(`'memory' of ${mib} MiB is not a Fargate size for ${cpu} vCPU: use one of ${legal.join(', ')} MiB (Size.mebibytes(...)), or change 'cpu'.`);
    }
    return;
  }
  if (!Number.isInteger(cpu) || cpu < EC2_LIMITS.minCpu || cpu > EC2_LIMITS.maxCpu) {
    throw new ValidationError(`'cpu' must be a whole number of vCPUs from ${EC2_LIMITS.minCpu} to ${EC2_LIMITS.maxCpu} on EC2, got ${cpu}: fractional vCPUs exist only on Fargate.`);
  }
  if (mib < EC2_LIMITS.minMemoryMiB || mib > EC2_LIMITS.maxMemoryMiB) {
    throw new ValidationError(`'memory' must be from ${EC2_LIMITS.minMemoryMiB} MiB to ${EC2_LIMITS.maxMemoryMiB / 1024} GiB on EC2, got ${mib} MiB.`);
  }
}

/**
 * Memory the Batch ECS AMI keeps from jobs on every instance: "The default AWS Batch compute resource AMI also reserves
 * 32 MiB of memory for the Amazon ECS container agent and other critical system processes." The kernel takes more
 * (an m4.large with 8,192 MiB shows 7,985 MiB), which the page gives no formula for, so the memory figures below are
 * upper bounds: a job asking for nearly all of an instance's memory can still wait in RUNNABLE.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/memory-management.html
 */
export const ECS_RESERVED_MEMORY_MIB = 32;

/** One instance type a compute environment may launch, with what a job can get on it. */
interface Candidate {
  readonly name: string;
  readonly vcpus: number;
  /** Instance memory minus {@link ECS_RESERVED_MEMORY_MIB} (an upper bound, see there). */
  readonly memoryMiB: number;
}

/** The instance `family.size` (the family's largest when `size` is undefined), if its size is known. */
function candidateOf(family: string, size: string | undefined): Candidate | undefined {
  const burstable = BURSTABLE_SIZES[family];
  if (burstable) {
    const known = burstable[size ?? BURSTABLE_LARGEST];
    return known && { name: `${family}.${size ?? BURSTABLE_LARGEST}`, vcpus: known[0], memoryMiB: known[1] * 1024 - ECS_RESERVED_MEMORY_MIB };
  }
  const f = FAMILIES[family];
  if (!f) return undefined;
  const vcpus = size === undefined ? f.maxVcpus : vcpusOfSize(size, f.maxVcpus);
  if (vcpus === undefined || vcpus > f.maxVcpus) return undefined;
  return { name: `${family}.${size ?? f.largest}`, vcpus, memoryMiB: vcpus * f.gibPerVcpu * 1024 - ECS_RESERVED_MEMORY_MIB };
}

/** An instance type (`t3.small`) or class (`m6i`, its largest size) as a candidate; undefined when unknown. */
function candidateOfName(name: string): Candidate | undefined {
  const [family, size] = name.split('.');
  return candidateOf(family, size);
}

/** The largest instance of each type or class the compute may launch; undefined if any of them is unknown. */
function ec2Candidates(compute: SpotComputeEnvironment): Candidate[] | undefined {
  const explicit = [
    ...compute.instanceTypes.map(t => candidateOf(t.toString().split('.')[0], t.toString().split('.')[1] ?? '')),
    ...compute.instanceClasses.map(c => candidateOf(`${c}`, undefined)),
  ];
  const candidates = explicit.length > 0 ? explicit : DEFAULT_CLASSES[compute.architecture].map(c => candidateOf(c, undefined));
  return candidates.some(c => c === undefined) ? undefined : candidates as Candidate[];
}

/** Fargate's sizes as candidates: for each vCPU value, the most memory it can have. */
function fargateCandidates(): Candidate[] {
  return FARGATE_CPU_MEMORY.map(([cpu, , max]) => ({ name: `Fargate ${cpu} vCPU`, vcpus: cpu, memoryMiB: max }));
}

/** The vCPU cap of one job: the compute environment's maxvCpus (a job larger than it stays RUNNABLE). */
function vcpuCap(compute: SpotComputeEnvironment): number {
  return Token.isUnresolved(compute.maxvCpus) ? Number.POSITIVE_INFINITY : compute.maxvCpus;
}

/**
 * The most vCPUs and the most memory (MiB) one job can ask for on this compute, each on its own; undefined when that
 * cannot be told at synth time (an instance family this library has no sizes for).
 *
 * - EC2: vCPUs are the largest allowed instance's (Batch's default classes when none are given), at most `maxvCpus`
 *   (a job needing more than `maxvCpus` stays RUNNABLE with `MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE`);
 *   memory is the largest allowed instance's less the 32 MiB the Batch AMI reserves, an upper bound
 *   ({@link ECS_RESERVED_MEMORY_MIB}). Memory is not capped by `maxvCpus`: Batch may exceed `maxvCpus` by one instance.
 * - Fargate: 16 vCPUs and 120 GiB, with vCPUs capped by `maxvCpus` and memory the most the capped vCPU size allows.
 *
 * Both figures are the most a job can get; {@link validateJobFitsCompute} also checks that one instance has both.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/job_stuck_in_runnable.html
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html (maxvCpus)
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html (Fargate sizes)
 */
export function maxJobResources(compute: SpotComputeEnvironment): { cpu: number; memoryMiB: number } | undefined {
  const cap = vcpuCap(compute);
  if (compute.platform === ComputePlatform.FARGATE) {
    const allowed = fargateCandidates().filter(c => c.vcpus <= cap);
    const largest = allowed[allowed.length - 1] ?? fargateCandidates()[0];
    return { cpu: largest.vcpus, memoryMiB: largest.memoryMiB };
  }
  const candidates = ec2Candidates(compute);
  if (!candidates) return undefined;
  return {
    cpu: Math.min(cap, Math.max(...candidates.map(c => c.vcpus))),
    memoryMiB: Math.max(...candidates.map(c => c.memoryMiB)),
  };
}

/** What one job may be placed on, for {@link jobFitError}. */
interface ComputeShape {
  /** What the message names, e.g. `compute Stack/Platform/Compute`. */
  readonly where: string;
  readonly fargate: boolean;
  /** The vCPU cap of one job (maxvCpus); candidates above it are cut to it. */
  readonly cap: number;
  readonly candidates: Candidate[];
  /** The fix that gives the compute bigger instances. */
  readonly bigger: string;
}

/**
 * Fails at synth when no instance (or Fargate size) of this compute can run one job with `cpu` vCPUs and `memory`:
 * Batch would accept the job and leave it RUNNABLE forever. Names the prop, the value and the fix. Tokens, and
 * compute whose instance sizes are unknown ({@link maxJobResources} is undefined), pass.
 */
export function validateJobFitsCompute(compute: SpotComputeEnvironment, cpu: number, memory: Size): void {
  if (Token.isUnresolved(cpu) || memory.isUnresolved() || !maxJobResources(compute)) return;
  const fargate = compute.platform === ComputePlatform.FARGATE;
  const error = jobFitError({
    where: `compute ${compute.node.path}`,
    fargate,
    cap: vcpuCap(compute),
    candidates: fargate ? fargateCandidates() : ec2Candidates(compute)!,
    bigger: fargate ? 'use EC2 compute for more than 16 vCPUs' : 'give the compute larger instanceTypes/instanceClasses',
  }, cpu, memory.toMebibytes());
  if (error) throw new ValidationError(error);
}

/**
 * The EC2 instances of a job queue's compute environments, when all of them are known at synth: managed EC2 or Spot
 * compute environments (an L2 `ManagedEc2EcsComputeEnvironment` or any with a `CfnComputeEnvironment` child) whose
 * instance types and classes are all in the tables of instance-families.ts. Undefined (nothing is checked) for an
 * imported queue or compute environment, Fargate, EKS or unmanaged compute, `optimal`, a family without a table, or a
 * token.
 */
export function queueComputeShape(queue: batch.IJobQueue): ComputeShape | undefined {
  const environments = (queue as { readonly computeEnvironments?: batch.OrderedComputeEnvironment[] }).computeEnvironments;
  if (!Array.isArray(environments) || environments.length === 0) return undefined;
  const shapes = environments.map(e => computeEnvironmentShape(e.computeEnvironment));
  if (shapes.some(shape => shape === undefined)) return undefined;
  const known = shapes as Array<{ path: string; cap: number; candidates: Candidate[] }>;
  const bigger = 'give the compute environment larger instanceTypes/instanceClasses';
  if (known.length === 1) {
    return { where: `job queue ${queue.node.path} (compute environment ${known[0].path})`, fargate: false, cap: known[0].cap, candidates: known[0].candidates, bigger };
  }
  // Several compute environments: a job runs on one of them, within its maxvCpus.
  const candidates = known.flatMap(k => k.candidates.map(c => c.vcpus > k.cap
    ? { ...c, name: `${c.name} in ${k.path}, maxvCpus ${k.cap}`, vcpus: k.cap } : { ...c, name: `${c.name} in ${k.path}` }));
  return { where: `job queue ${queue.node.path}`, fargate: false, cap: Number.POSITIVE_INFINITY, candidates, bigger };
}

/** A managed EC2/Spot compute environment's instances (as rendered, with `default_*` classes expanded) and maxvCpus. */
function computeEnvironmentShape(environment: IConstruct): { path: string; cap: number; candidates: Candidate[] } | undefined {
  const cfn = environment.node.defaultChild;
  if (!(cfn instanceof batch.CfnComputeEnvironment) || cfn.eksConfiguration !== undefined) return undefined;
  const resources = Stack.of(environment).resolve(cfn.computeResources);
  if (!resources || !['EC2', 'SPOT'].includes(resources.type) || !Array.isArray(resources.instanceTypes)) return undefined;
  const names: unknown[] = resources.instanceTypes.flatMap((t: unknown) =>
    t === 'default_x86_64' ? DEFAULT_CLASSES.X86_64 : t === 'default_arm64' ? DEFAULT_CLASSES.ARM64 : [t]);
  const candidates = names.map(n => typeof n === 'string' ? candidateOfName(n) : undefined);
  if (candidates.length === 0 || candidates.some(c => c === undefined)) return undefined;
  const cap = typeof resources.maxvCpus === 'number' ? resources.maxvCpus : Number.POSITIVE_INFINITY;
  return { path: environment.node.path, cap, candidates: candidates as Candidate[] };
}

/**
 * Why no instance (or Fargate size) of `shape` can run one job with `cpu` vCPUs and `mib` MiB, naming the prop, the
 * value, the largest instance and the fix; undefined when one can.
 */
export function jobFitError(shape: ComputeShape, cpu: number, mib: number): string | undefined {
  const { where, fargate, cap, candidates, bigger } = shape;
  const maxCpu = Math.min(cap, Math.max(...candidates.map(c => c.vcpus)));
  const fargateAllowed = candidates.filter(c => c.vcpus <= cap);
  const maxMemory = fargate
    ? (fargateAllowed[fargateAllowed.length - 1] ?? candidates[0]).memoryMiB
    : Math.max(...candidates.map(c => c.memoryMiB));
  const byCpu = [...candidates].sort((a, b) => b.vcpus - a.vcpus)[0];
  const byMemory = [...candidates].sort((a, b) => b.memoryMiB - a.memoryMiB)[0];

  if (cpu > maxCpu) {
    const reason = cap < byCpu.vcpus
      ? `its maxvCpus is ${cap}`
      : `its largest ${fargate ? 'Fargate size' : 'allowed instance'} (${byCpu.name}) has ${byCpu.vcpus} vCPUs`;
    const fix = cap < byCpu.vcpus ? `raise the compute's 'maxvCpus' to at least ${cpu}` : bigger;
    return `'cpu' of ${cpu} vCPUs is more than ${where} can run: ${reason}. Fix: lower 'cpu' to ${maxCpu} or less, or ${fix}.`;
  }
  if (mib > maxMemory) {
    const reason = fargate && cap < byMemory.vcpus
      ? `its maxvCpus of ${cap} allows Fargate sizes up to ${maxCpu} vCPUs, with at most ${maxMemory} MiB`
      : `its largest ${fargate ? 'Fargate size' : 'allowed instance'} (${byMemory.name}) leaves at most ${byMemory.memoryMiB} MiB to jobs`;
    const fix = fargate && cap < byMemory.vcpus ? 'raise the compute\'s \'maxvCpus\'' : bigger;
    return `'memory' of ${mib} MiB is more than ${where} can run: ${reason}. Fix: lower 'memory' to ${maxMemory} MiB or less, or ${fix}.`;
  }
  if (!fargate && !candidates.some(c => Math.min(c.vcpus, cap) >= cpu && c.memoryMiB >= mib)) {
    return `'cpu' of ${cpu} vCPUs with 'memory' of ${mib} MiB fits no single instance ${where} can launch: `
      + `${byCpu.name} has the vCPUs (${byCpu.vcpus}) but leaves ${byCpu.memoryMiB} MiB, ${byMemory.name} has the memory `
      + `(${byMemory.memoryMiB} MiB) but ${byMemory.vcpus} vCPUs. Fix: lower 'cpu' or 'memory', or give the compute an `
      + 'instance type with both (e.g. a larger r-family size).';
  }
  return undefined;
}

/**
 * The job's vCPUs and memory, checked against the platform: a job bigger than any instance would sit RUNNABLE. The
 * platform's own compute is checked now; the compute environments of a job queue the user brought are checked at synth
 * (`addValidation`), once instance types added later are in, and only when all their instance sizes are known.
 */
export function validatedResources(scope: IConstruct, platform: IBatchPlatform, cpu: number, memory: Size): { cpu: number; memory: Size } {
  const computePlatform = platform.computePlatform;
  validateCpuMemory(computePlatform, cpu, memory);
  const compute = platform.computeEnvironment;
  if (compute) validateJobFitsCompute(compute, cpu, memory);
  if (!compute && computePlatform === ComputePlatform.EC2 && !Token.isUnresolved(cpu) && !memory.isUnresolved()) {
    scope.node.addValidation({ validate: () => inHostSpellingEach(broughtComputeFitErrors(platform.jobQueue, cpu, memory)) });
  }
  return { cpu, memory };
}

/** Why a job of `cpu` and `memory` cannot run on the compute of a brought `jobQueue`, if its instances are known. */
function broughtComputeFitErrors(jobQueue: batch.IJobQueue, cpu: number, memory: Size): string[] {
  const shape = queueComputeShape(jobQueue);
  const error = shape && jobFitError(shape, cpu, memory.toMebibytes());
  return error ? [error] : [];
}
