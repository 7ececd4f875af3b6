/**
 * Defaults, checks and derived values of {@link SpotComputeEnvironmentProps}: everything about the props that needs no
 * construct, so the construct's file holds only what it creates.
 */
import { Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ComputePlatform } from '../compute-platform';
import { CpuArchitecture, SpotComputeEnvironmentProps } from '../spot-compute-environment-props';
import { INSTANCE_TYPE_NAME, nonexistentSize } from './instance-families';
import { ValidationError } from '../../private/prop-names';
import { validateEnum, validateInstanceOf, validateList, validateWholeNumber } from '../../private/validate';

/** Defaults, in one place. */
export const DEFAULT_MAX_VCPUS = 256;
export const DEFAULT_MIN_VCPUS = 0;
/**
 * Root volume of the ECS-optimized Amazon Linux 2023 AMI: 30 GiB gp3 on /dev/xvda (aws/amazon-ecs-ami
 * `block_device_size_gb`). A launch template cannot make it smaller than the AMI snapshot.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-optimized_AMI.html
 */
export const DEFAULT_ROOT_VOLUME_GIB = 30;
/**
 * gp3 volumes are 1 GiB to 16 TiB.
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html
 */
export const MAX_GP3_GIB = 16_384;
/**
 * A Fargate compute environment takes at most 16 subnets and 5 security groups.
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html (subnets)
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResourceUpdate.html (securityGroupIds)
 */
export const FARGATE_MAX_SUBNETS = 16;
export const FARGATE_MAX_SECURITY_GROUPS = 5;

/** Every check of the props that needs no construct, before anything is created. */
export function validateComputeProps(props: SpotComputeEnvironmentProps): void {
  validatePropTypes(props);
  const isEc2 = (props.platform ?? ComputePlatform.EC2) === ComputePlatform.EC2;
  validateVcpus(props, isEc2);
  validateSpotOptions(props, props.spot ?? true, isEc2);
  if (!isEc2) {
    rejectEc2Only(props);
  }
  validateRootVolumeSize(props.rootVolumeSize);
}

/** Enum and enum-like props hold what they are typed as (untyped languages can pass anything, e.g. 'spot'). */
function validatePropTypes(props: SpotComputeEnvironmentProps): void {
  validateList('securityGroups', props.securityGroups, 'security group', '[securityGroup]');
  validateList('instanceTypes', props.instanceTypes, 'instance type', "[new ec2.InstanceType('m7g.large')]");
  validateList('instanceClasses', props.instanceClasses, 'instance class', '[ec2.InstanceClass.M7G]');
  validateEnum('vpcSubnets.subnetType', props.vpcSubnets?.subnetType, ec2.SubnetType, 'ec2.SubnetType');
  validateEnum('platform', props.platform, ComputePlatform, 'ComputePlatform');
  validateEnum('architecture', props.architecture, CpuArchitecture, 'CpuArchitecture');
  props.instanceClasses?.forEach((c, i) => validateEnum(`instanceClasses[${i}]`, c, ec2.InstanceClass, 'ec2.InstanceClass'));
  props.instanceTypes?.forEach((t, i) => validateInstanceOf(`instanceTypes[${i}]`, t, ec2.InstanceType,
    "new ec2.InstanceType('m7g.large') or ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE)"));
  validateInstanceOf('rootVolumeSize', props.rootVolumeSize, Size, `a Size, e.g. Size.gibibytes(${DEFAULT_ROOT_VOLUME_GIB})`);
}

function validateVcpus(props: SpotComputeEnvironmentProps, isEc2: boolean) {
  validateWholeNumber('maxvCpus', props.maxvCpus, { min: 1, fix: `use e.g. ${DEFAULT_MAX_VCPUS}` });
  validateWholeNumber('minvCpus', props.minvCpus, { min: 0, fix: 'use 0 to scale to zero' });
  const givenMin = props.minvCpus;
  const min = props.minvCpus ?? DEFAULT_MIN_VCPUS;
  const max = props.maxvCpus ?? DEFAULT_MAX_VCPUS;
  if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && min > max) {
    throw new ValidationError(`'minvCpus' (${min}) must be <= 'maxvCpus' (${max}): lower minvCpus or raise maxvCpus`);
  }
  if (!isEc2 && givenMin !== undefined && (Token.isUnresolved(givenMin) || givenMin !== 0)) {
    throw new ValidationError(`'minvCpus' is ${givenMin}, but Fargate compute environments have no minimum: remove 'minvCpus' or use ComputePlatform.EC2`);
  }
}

function validateSpotOptions(props: SpotComputeEnvironmentProps, spot: boolean, isEc2: boolean) {
  const bid = props.spotBidPercentage;
  if (bid !== undefined) {
    if (!spot) {
      throw new ValidationError(`'spotBidPercentage' is ${bid}, but 'spot' is false: remove 'spotBidPercentage' or set 'spot: true'`);
    }
    if (!isEc2) {
      throw new ValidationError(`'spotBidPercentage' is ${bid}, but Fargate Spot has no bid: remove 'spotBidPercentage' or use ComputePlatform.EC2`);
    }
    validateWholeNumber('spotBidPercentage', bid, {
      min: 1, max: 100, why: '(percent of the On-Demand price)', fix: "leave it unset (AWS's recommendation) or use e.g. 100",
    });
  }
  if (props.onDemandFallback && !spot) {
    throw new ValidationError("'onDemandFallback' is true, but 'spot' is false: the primary compute environment is already On-Demand; remove 'onDemandFallback' or set 'spot: true'");
  }
}

/** The root volume is whole GiB, at least the ECS AMI snapshot and at most a gp3 volume. */
function validateRootVolumeSize(size: Size | undefined): void {
  validateWholeNumber('rootVolumeSize', size?.toGibibytes({ rounding: SizeRoundingBehavior.NONE }), {
    min: DEFAULT_ROOT_VOLUME_GIB,
    max: MAX_GP3_GIB,
    unit: 'GiB',
    why: `(${DEFAULT_ROOT_VOLUME_GIB} GiB is the ECS AMI snapshot, ${MAX_GP3_GIB} GiB the gp3 maximum)`,
    fix: `use e.g. Size.gibibytes(${DEFAULT_ROOT_VOLUME_GIB})`,
  });
}

function rejectEc2Only(props: SpotComputeEnvironmentProps) {
  const ec2Only: Array<[string, unknown]> = [
    ['instanceTypes', props.instanceTypes],
    ['instanceClasses', props.instanceClasses],
    ['rootVolumeSize', props.rootVolumeSize],
    ['instanceRole', props.instanceRole],
  ];
  for (const [name, value] of ec2Only) {
    if (value !== undefined) {
      throw new ValidationError(`'${name}' applies to ComputePlatform.EC2 only, but 'platform' is FARGATE: remove '${name}' or use ComputePlatform.EC2`);
    }
  }
}

/**
 * The architecture: the one given, else the one of the instance types and classes, else X86_64. Fails when they mix or
 * disagree, or name a size or family the AL2023 ECS AMI cannot run.
 */
export function resolveArchitecture(props: SpotComputeEnvironmentProps): CpuArchitecture {
  props.instanceTypes?.forEach((t, i) => validateInstanceTypeName(t.toString(), i));
  const found = new Map<CpuArchitecture, string>();
  const note = (name: string, arch: ec2.InstanceArchitecture) => {
    const a = arch === ec2.InstanceArchitecture.ARM_64 ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64;
    if (!found.has(a)) found.set(a, name);
  };
  for (const t of props.instanceTypes ?? []) note(t.toString(), t.architecture);
  for (const c of props.instanceClasses ?? []) note(`${c}`, ec2.InstanceType.of(c, ec2.InstanceSize.LARGE).architecture);

  if (found.size > 1) {
    throw new ValidationError(`'instanceTypes'/'instanceClasses' mix architectures (${found.get(CpuArchitecture.X86_64)} is X86_64, ${found.get(CpuArchitecture.ARM64)} is ARM64): a compute environment runs one image architecture; use one architecture, or two SpotComputeEnvironments`);
  }
  const derived = [...found.keys()][0];
  if (props.architecture !== undefined && derived !== undefined && derived !== props.architecture) {
    throw new ValidationError(`'architecture' is ${props.architecture}, but '${found.get(derived)}' in 'instanceTypes'/'instanceClasses' is ${derived}: make them agree or drop 'architecture'`);
  }
  for (const t of props.instanceTypes ?? []) {
    const why = nonexistentSize(t.toString());
    if (why) {
      throw new ValidationError(`'instanceTypes' entry '${t}' is not an EC2 instance type: ${why}. Fix: use an existing size, or the instance class alone (instanceClasses) to let Batch pick the size.`);
    }
  }
  const all = [...(props.instanceTypes ?? []).map(t => t.toString().split('.')[0]), ...(props.instanceClasses ?? []).map(c => `${c}`)];
  const a1 = all.find(c => c === 'a1');
  if (a1) {
    throw new ValidationError("'instanceTypes'/'instanceClasses' contain A1, which Amazon Linux 2023 (ECS_AL2023) does not support: use Graviton2 or later (e.g. m6g, c7g)");
  }
  // Both architectures on Fargate and Fargate Spot: AWS Batch added Fargate Spot on ARM64 Linux in August 2025; only
  // Windows containers remain unsupported on Fargate Spot (the job definition decides the OS, not this construct).
  // @see https://docs.aws.amazon.com/batch/latest/APIReference/API_RuntimePlatform.html
  // @see https://docs.aws.amazon.com/batch/latest/userguide/create-compute-environment.html
  return props.architecture ?? derived ?? CpuArchitecture.X86_64;
}

/**
 * aws-cdk-lib's EC2 compute environment reads each instance type's architecture from its name at synth
 * (`InstanceType.architecture`), and fails without naming the prop on a token or a name it cannot read.
 */
function validateInstanceTypeName(name: string, index: number): void {
  const entry = `'instanceTypes[${index}]'`;
  if (Token.isUnresolved(name)) {
    throw new ValidationError(`${entry} is a token: the compute environment reads each instance type's architecture from its name at synth, so the name must be known then. Fix: give a literal name such as 'm7g.large', or the instance class (instanceClasses).`);
  }
  if (!INSTANCE_TYPE_NAME.test(name)) {
    throw new ValidationError(`${entry} is '${name}', not an instance type name the compute environment can read: a family with its generation, a dot and a size, e.g. 'm7g.large' or 'c6i.2xlarge'. `
      + 'Fix: use ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE); for a whole family (every size), give it in instanceClasses.');
  }
}
