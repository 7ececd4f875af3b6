/**
 * Sizes of the EC2 instance families this library can reason about, for the job-size checks (job-resources.ts) and
 * the instance-type checks of SpotComputeEnvironment. No imports from the constructs, so both can use it.
 */

/**
 * Instance families whose sizes all have the same memory per vCPU, with their largest size: compute optimized (c)
 * 2 GiB per vCPU, general purpose (m) 4 GiB, memory optimized (r) 8 GiB. Burstable families are in
 * {@link BURSTABLE_SIZES}, size by size. A family in neither (GPU, storage, high-memory, network-optimized variants,
 * ...) makes `maxJobResources` (job-resources.ts) answer "cannot tell".
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/co.html
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/mo.html
 */
export const FAMILIES: Readonly<Record<string, { readonly gibPerVcpu: number; readonly largest: string; readonly maxVcpus: number }>> = (() => {
  const table: Record<string, { gibPerVcpu: number; largest: string; maxVcpus: number }> = {};
  const add = (largest: string, maxVcpus: number, families: string[]) => {
    for (const family of families) {
      table[family] = { gibPerVcpu: ({ c: 2, m: 4, r: 8 } as Record<string, number>)[family[0]], largest, maxVcpus };
    }
  };
  const cmr = (suffixes: string[]) => ['c', 'm', 'r'].flatMap(k => suffixes.map(s => `${k}${s}`));
  // e.g. c5.24xlarge: 96 vCPUs / 192 GiB; r6i.32xlarge: 128 / 1,024 GiB; m6g.16xlarge: 64 / 256 GiB;
  // c7i.48xlarge: 192 / 384 GiB; r7i.48xlarge: 192 / 1,536 GiB.
  add('24xlarge', 96, cmr(['5', '5a', '5d']));
  add('32xlarge', 128, cmr(['6i', '6id']));
  add('16xlarge', 64, cmr(['6g', '6gd', '7g', '7gd']));
  add('48xlarge', 192, cmr(['6a', '7a', '7i', '8g']));
  return table;
})();

/**
 * Burstable general-purpose families, whose memory per vCPU differs by size: vCPUs and GiB of every size.
 * t2: nano 1/0.5, micro 1/1, small 1/2, medium 2/4, large 2/8, xlarge 4/16, 2xlarge 8/32; t3, t3a and t4g: the same
 * memory with 2 vCPUs from nano to large.
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html
 */
const T2_SIZES = { 'nano': [1, 0.5], 'micro': [1, 1], 'small': [1, 2], 'medium': [2, 4], 'large': [2, 8], 'xlarge': [4, 16], '2xlarge': [8, 32] } as const;
const T3_SIZES = { ...T2_SIZES, nano: [2, 0.5], micro: [2, 1], small: [2, 2] } as const;
export const BURSTABLE_SIZES: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>> = {
  t2: T2_SIZES, t3: T3_SIZES, t3a: T3_SIZES, t4g: T3_SIZES,
};

/** The largest size of each burstable family. */
export const BURSTABLE_LARGEST = '2xlarge';

/**
 * Batch's default instance classes: `default_x86_64` = m6i, c6i, r6i, c7i; `default_arm64` = m6g, c6g, r6g, c7g.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/instance-type-compute-table.html
 */
export const DEFAULT_CLASSES: Readonly<Record<string, readonly string[]>> = {
  X86_64: ['m6i', 'c6i', 'r6i', 'c7i'],
  ARM64: ['m6g', 'c6g', 'r6g', 'c7g'],
};

/** vCPUs of an instance size (`large` = 2, `xlarge` = 4, `Nxlarge` = 4N, `metal-Nxl` = 4N, `medium` = 1), if known. */
export function vcpusOfSize(size: string, familyMax: number): number | undefined {
  if (size === 'medium') return 1;
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  if (size === 'metal') return familyMax;
  const m = /^(\d+)xlarge$/.exec(size) ?? /^metal-(\d+)xl$/.exec(size);
  return m ? 4 * Number(m[1]) : undefined;
}

/**
 * The reason an instance type cannot exist, when its family is known and its size is larger than the family's largest
 * (e.g. `m6i.48xlarge`: m6i stops at 32xlarge); undefined when it may exist or the family is unknown.
 */
export function nonexistentSize(instanceType: string): string | undefined {
  const [family, size] = instanceType.split('.');
  if (size === undefined) return undefined;
  const burstable = BURSTABLE_SIZES[family];
  if (burstable && !(size in burstable)) {
    return `${family} comes in ${Object.keys(burstable).join(', ')}`;
  }
  const f = FAMILIES[family];
  if (!f) return undefined;
  const vcpus = vcpusOfSize(size, f.maxVcpus);
  if (vcpus === undefined) {
    return `'${size}' is not an instance size (sizes are like medium, large, xlarge, 2xlarge or metal; the largest ${family} is ${family}.${f.largest})`;
  }
  if (vcpus > f.maxVcpus) {
    return `the largest ${family} size is ${family}.${f.largest} (${f.maxVcpus} vCPUs)`;
  }
  return undefined;
}

/**
 * An EC2 instance type name as aws-cdk-lib reads it to find the architecture (`InstanceType.architecture`, which
 * `ManagedEc2EcsComputeEnvironment` calls on every type): a family of letters, a generation of 1 or 2 digits, optional
 * letters and hyphens for the processor and capabilities, a dot and a size (e.g. c7gn.16xlarge, m7i.metal-48xl).
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html
 */
export const INSTANCE_TYPE_NAME = /^[a-z]+\d{1,2}[a-z-]*\.[a-z0-9-]+$/;
