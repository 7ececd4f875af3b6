import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ComputePlatform } from '../src/compute/compute-platform';
import { SpotComputeEnvironment } from '../src/compute/spot-compute-environment';
import { CpuArchitecture, SpotComputeEnvironmentProps } from '../src/compute/spot-compute-environment-props';
import { ECS_RESERVED_MEMORY_MIB, maxJobResources, validateJobFitsCompute } from '../src/jobs/private/job-resources';

const GIB = 1024;

function compute(props: Partial<SpotComputeEnvironmentProps> = {}): SpotComputeEnvironment {
  const stack = new cdk.Stack(new cdk.App(), 'Stack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  return new SpotComputeEnvironment(stack, 'Compute', { vpc, ...props });
}

/** Instance memory as a job sees it at most: the instance's GiB less what the Batch AMI reserves. */
const jobMemory = (gib: number) => gib * GIB - ECS_RESERVED_MEMORY_MIB;

describe('maxJobResources', () => {
  test('EC2 default x86 classes (m6i/c6i/r6i/c7i): c7i.48xlarge vCPUs, r6i.32xlarge memory, less the 32 MiB the AMI reserves', () => {
    expect(ECS_RESERVED_MEMORY_MIB).toBe(32);
    expect(maxJobResources(compute())).toEqual({ cpu: 192, memoryMiB: jobMemory(1024) });
  });

  test('EC2 default ARM classes (m6g/c6g/r6g/c7g): 64 vCPUs, r6g.16xlarge memory', () => {
    expect(maxJobResources(compute({ architecture: CpuArchitecture.ARM64 }))).toEqual({ cpu: 64, memoryMiB: jobMemory(512) });
  });

  test('EC2 vCPUs are capped by maxvCpus; memory is not (Batch may exceed maxvCpus by one instance)', () => {
    expect(maxJobResources(compute({ maxvCpus: 16 }))).toEqual({ cpu: 16, memoryMiB: jobMemory(1024) });
  });

  test('EC2 with instance types: the largest of them', () => {
    const types = [new ec2.InstanceType('c6i.2xlarge'), new ec2.InstanceType('m6i.4xlarge')];
    expect(maxJobResources(compute({ instanceTypes: types }))).toEqual({ cpu: 16, memoryMiB: jobMemory(64) });
  });

  test('EC2 with instance classes: their largest sizes', () => {
    expect(maxJobResources(compute({ instanceClasses: [ec2.InstanceClass.C7I, ec2.InstanceClass.R7I] })))
      .toEqual({ cpu: 192, memoryMiB: jobMemory(1536) });
  });

  test('EC2 metal sizes count as the family\'s largest', () => {
    expect(maxJobResources(compute({ instanceTypes: [new ec2.InstanceType('m6i.metal')] }))).toEqual({ cpu: 128, memoryMiB: jobMemory(512) });
    expect(maxJobResources(compute({ instanceTypes: [new ec2.InstanceType('c7i.metal-24xl')] }))).toEqual({ cpu: 96, memoryMiB: jobMemory(192) });
  });

  test('burstable families: each size from the table (t3.small 2 vCPUs / 2 GiB), a class its 2xlarge (8 / 32 GiB)', () => {
    expect(maxJobResources(compute({ instanceTypes: [new ec2.InstanceType('t3.small')] }))).toEqual({ cpu: 2, memoryMiB: jobMemory(2) });
    expect(maxJobResources(compute({ instanceTypes: [new ec2.InstanceType('t2.small')] }))).toEqual({ cpu: 1, memoryMiB: jobMemory(2) });
    expect(maxJobResources(compute({ instanceClasses: [ec2.InstanceClass.T3] }))).toEqual({ cpu: 8, memoryMiB: jobMemory(32) });
    // A size the family does not have is refused where the compute environment is made (it never gets here).
    expect(() => compute({ instanceTypes: [new ec2.InstanceType('t3.4xlarge')] })).toThrow(/'instanceTypes' entry 't3.4xlarge' is not an EC2 instance type: t3 comes in nano, micro/);
  });

  test('undefined when a family has no known sizes (GPU, storage, ...)', () => {
    expect(maxJobResources(compute({ instanceTypes: [new ec2.InstanceType('g5.xlarge')] }))).toBeUndefined();
    expect(maxJobResources(compute({ instanceClasses: [ec2.InstanceClass.I4I] }))).toBeUndefined();
    expect(maxJobResources(compute({ instanceTypes: [new ec2.InstanceType('m6i.large'), new ec2.InstanceType('p5.48xlarge')] }))).toBeUndefined();
  });

  test('EC2 with an unresolved maxvCpus: the instance limit only', () => {
    const c = compute({ maxvCpus: cdk.Token.asNumber({ Ref: 'MaxvCpus' }) });
    expect(maxJobResources(c)).toEqual({ cpu: 192, memoryMiB: jobMemory(1024) });
  });

  test('Fargate: 16 vCPUs / 120 GiB', () => {
    expect(maxJobResources(compute({ platform: ComputePlatform.FARGATE }))).toEqual({ cpu: 16, memoryMiB: 120 * GIB });
  });

  test('Fargate capped by maxvCpus: the largest Fargate size within it, and its memory', () => {
    expect(maxJobResources(compute({ platform: ComputePlatform.FARGATE, maxvCpus: 4 }))).toEqual({ cpu: 4, memoryMiB: 30 * GIB });
    expect(maxJobResources(compute({ platform: ComputePlatform.FARGATE, maxvCpus: 3 }))).toEqual({ cpu: 2, memoryMiB: 16 * GIB });
  });
});

describe('validateJobFitsCompute', () => {
  test('passes what the compute can run, up to the limits', () => {
    expect(() => validateJobFitsCompute(compute(), 192, cdk.Size.gibibytes(300))).not.toThrow();
    expect(() => validateJobFitsCompute(compute(), 1, cdk.Size.mebibytes(jobMemory(1024)))).not.toThrow();
    expect(() => validateJobFitsCompute(compute({ platform: ComputePlatform.FARGATE }), 16, cdk.Size.gibibytes(120))).not.toThrow();
  });

  test('passes tokens, and compute whose sizes are unknown', () => {
    expect(() => validateJobFitsCompute(compute(), cdk.Token.asNumber({ Ref: 'Cpu' }), cdk.Size.gibibytes(1))).not.toThrow();
    expect(() => validateJobFitsCompute(compute(), 1, cdk.Size.mebibytes(cdk.Token.asNumber({ Ref: 'Mem' })))).not.toThrow();
    expect(() => validateJobFitsCompute(compute({ instanceTypes: [new ec2.InstanceType('g5.xlarge')] }), 512, cdk.Size.gibibytes(4096))).not.toThrow();
  });

  test('fails when cpu is more than the largest allowed instance has', () =>
    expect(() => validateJobFitsCompute(compute({ instanceTypes: [new ec2.InstanceType('c6i.2xlarge')] }), 16, cdk.Size.gibibytes(8)))
      .toThrow(/^'cpu' of 16 vCPUs is more than compute Stack\/Compute can run: its largest allowed instance \(c6i\.2xlarge\) has 8 vCPUs\. Fix: lower 'cpu' to 8 or less, or give the compute larger instanceTypes\/instanceClasses\.$/));

  test('fails when cpu is more than maxvCpus', () =>
    expect(() => validateJobFitsCompute(compute({ maxvCpus: 16 }), 32, cdk.Size.gibibytes(8)))
      .toThrow(/^'cpu' of 32 vCPUs is more than compute Stack\/Compute can run: its maxvCpus is 16\. Fix: lower 'cpu' to 16 or less, or raise the compute's 'maxvCpus' to at least 32\.$/));

  test('fails when memory is more than the largest allowed instance leaves to jobs', () =>
    expect(() => validateJobFitsCompute(compute(), 4, cdk.Size.gibibytes(1024)))
      .toThrow(/^'memory' of 1048576 MiB is more than compute Stack\/Compute can run: its largest allowed instance \(r6i\.32xlarge\) leaves at most 1048544 MiB to jobs\. Fix: lower 'memory' to 1048544 MiB or less, or give the compute larger instanceTypes\/instanceClasses\.$/));

  test('fails when no single instance has both the vCPUs and the memory', () =>
    expect(() => validateJobFitsCompute(compute(), 150, cdk.Size.gibibytes(1000)))
      .toThrow(/^'cpu' of 150 vCPUs with 'memory' of 1024000 MiB fits no single instance compute Stack\/Compute can launch: c7i\.48xlarge has the vCPUs \(192\) but leaves 393184 MiB, r6i\.32xlarge has the memory \(1048544 MiB\) but 128 vCPUs\. Fix: lower 'cpu' or 'memory'/));

  test('fails when cpu is more than Fargate\'s largest size', () =>
    expect(() => validateJobFitsCompute(compute({ platform: ComputePlatform.FARGATE }), 32, cdk.Size.gibibytes(64)))
      .toThrow(/^'cpu' of 32 vCPUs is more than compute Stack\/Compute can run: its largest Fargate size \(Fargate 16 vCPU\) has 16 vCPUs\. Fix: lower 'cpu' to 16 or less, or use EC2 compute for more than 16 vCPUs\.$/));

  test('fails when memory is more than Fargate allows within maxvCpus', () =>
    expect(() => validateJobFitsCompute(compute({ platform: ComputePlatform.FARGATE, maxvCpus: 4 }), 4, cdk.Size.gibibytes(60)))
      .toThrow(/^'memory' of 61440 MiB is more than compute Stack\/Compute can run: its maxvCpus of 4 allows Fargate sizes up to 4 vCPUs, with at most 30720 MiB\. Fix: lower 'memory' to 30720 MiB or less, or raise the compute's 'maxvCpus'\.$/));
});
