import { Annotations, Size, SizeRoundingBehavior, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ComputePlatform } from './compute-platform';
import { ComputeReachability } from './compute-reachability';
import { CostLineItem, ICostEstimable } from './cost';
import { CostOptimizedVpc } from './cost-optimized-vpc';
import { ecsContainerInstanceStatements, instancePolicyWildcards } from './private/compute-instance-policy';
import { nonexistentSize } from './private/instance-families';
import { acknowledgeWildcardResource } from './private/nag';
import { CpuArchitecture, SpotComputeEnvironmentProps } from './spot-compute-environment-props';

/** Defaults, in one place. */
const DEFAULT_MAX_VCPUS = 256;
const DEFAULT_MIN_VCPUS = 0;
/**
 * Root volume of the ECS-optimized Amazon Linux 2023 AMI: 30 GiB gp3 on /dev/xvda (aws/amazon-ecs-ami
 * `block_device_size_gb`). A launch template cannot make it smaller than the AMI snapshot.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-optimized_AMI.html
 */
const DEFAULT_ROOT_VOLUME_GIB = 30;
const ROOT_DEVICE_NAME = '/dev/xvda';
/**
 * gp3 volumes are 1 GiB to 16 TiB.
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html
 */
const MAX_GP3_GIB = 16_384;
/**
 * A Fargate compute environment takes at most 16 subnets and 5 security groups.
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html (subnets)
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResourceUpdate.html (securityGroupIds)
 */
const FARGATE_MAX_SUBNETS = 16;
const FARGATE_MAX_SECURITY_GROUPS = 5;

/**
 * Batch compute that costs nothing when idle: EC2 Spot (default) or Fargate Spot, or On-Demand variants,
 * scaling from 0 vCPUs, with a hardened launch template, a least-privilege instance role, a zero-ingress
 * security group and an optional On-Demand fallback.
 *
 * @example
 * declare const vpc: ec2.IVpc;
 * const compute = new SpotComputeEnvironment(this, 'Compute', { vpc, onDemandFallback: true });
 * new batch.JobQueue(this, 'Queue', { computeEnvironments: compute.orderedComputeEnvironments() });
 */
export class SpotComputeEnvironment extends Construct implements ec2.IConnectable, ICostEstimable {
  /** The platform the jobs run on. */
  public readonly platform: ComputePlatform;
  /** Whether the primary compute environment uses Spot capacity. */
  public readonly spot: boolean;
  /** The CPU architecture of the compute. */
  public readonly architecture: CpuArchitecture;
  /** The primary compute environment (Spot unless `spot: false`). */
  public readonly computeEnvironment: batch.IManagedComputeEnvironment;
  /** The On-Demand fallback compute environment, when `onDemandFallback` is set. */
  public readonly fallbackComputeEnvironment?: batch.IManagedComputeEnvironment;
  /** Network access of the instances or tasks. */
  public readonly connections: ec2.Connections;
  /** The first security group of the compute (the one created by default, or the first one given). */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** The VPC the compute runs in. */
  public readonly vpc: ec2.IVpc;
  /** The subnets the compute runs in. */
  public readonly vpcSubnets: ec2.SubnetSelection;
  /**
   * True when Fargate tasks run in public subnets: the job definitions must then set `assignPublicIp`
   * to reach ECR and CloudWatch Logs. Always false on EC2 (instances follow the subnet's public-IP setting).
   */
  public readonly assignPublicIp: boolean;
  /** The ECS container instance role (EC2 only). */
  public readonly instanceRole?: iam.IRole;
  /** The launch template of the instances (EC2 only). */
  public readonly launchTemplate?: ec2.ILaunchTemplate;
  /**
   * The EC2 instance types given in `instanceTypes` (empty on Fargate, and when Batch's default classes are used).
   */
  public readonly instanceTypes: ec2.InstanceType[];
  /**
   * The EC2 instance classes given in `instanceClasses` (empty on Fargate, and when Batch's default classes are used).
   */
  public readonly instanceClasses: ec2.InstanceClass[];
  /** vCPUs kept running with an empty queue. */
  public readonly minvCpus: number;
  /** The most vCPUs each compute environment scales to. */
  public readonly maxvCpus: number;

  constructor(scope: Construct, id: string, props: SpotComputeEnvironmentProps) {
    super(scope, id);

    this.platform = props.platform ?? ComputePlatform.EC2;
    this.spot = props.spot ?? true;
    this.vpc = props.vpc;
    this.minvCpus = props.minvCpus ?? DEFAULT_MIN_VCPUS;
    this.maxvCpus = props.maxvCpus ?? DEFAULT_MAX_VCPUS;
    const isEc2 = this.platform === ComputePlatform.EC2;

    validateVcpus(props.minvCpus, this.minvCpus, this.maxvCpus, isEc2);
    validateSpotOptions(props, this.spot, isEc2);
    if (!isEc2) {
      rejectEc2Only(props);
    }
    this.architecture = resolveArchitecture(props);
    this.instanceTypes = [...(props.instanceTypes ?? [])];
    this.instanceClasses = [...(props.instanceClasses ?? [])];

    // Subnets: the caller's, else the compute subnets of a CostOptimizedVpc, else the VPC default (private).
    const requestedSubnets = props.vpcSubnets
      ?? (props.vpc instanceof CostOptimizedVpc ? props.vpc.computeSubnets : undefined);
    this.vpcSubnets = requestedSubnets ?? {};
    ComputeReachability.require(this, props.vpc, requestedSubnets, { platform: this.platform });
    const selectedSubnets = props.vpc.selectSubnets(requestedSubnets);
    this.assignPublicIp = !isEc2 && selectedSubnets.hasPublic;
    if (!isEc2 && selectedSubnets.subnetIds.length > FARGATE_MAX_SUBNETS) {
      throw new Error(`'vpcSubnets' selects ${selectedSubnets.subnetIds.length} subnets, but a Fargate compute environment takes at most ${FARGATE_MAX_SUBNETS}: select fewer subnets (e.g. { subnetType, availabilityZones }) or lower the VPC's maxAzs.`);
    }

    const securityGroups = props.securityGroups ?? [this.createSecurityGroup(props.allowAllOutbound ?? false)];
    if (securityGroups.length === 0) {
      throw new Error("'securityGroups' is empty: give at least one security group, or leave it unset to get a zero-ingress group");
    }
    if (!isEc2 && securityGroups.length > FARGATE_MAX_SECURITY_GROUPS) {
      throw new Error(`'securityGroups' has ${securityGroups.length} security groups, but a Fargate compute environment takes at most ${FARGATE_MAX_SECURITY_GROUPS}: combine their rules into fewer groups.`);
    }
    this.securityGroup = securityGroups[0];
    this.connections = new ec2.Connections({ securityGroups });

    const shared = {
      vpc: props.vpc,
      vpcSubnets: requestedSubnets,
      securityGroups,
      maxvCpus: this.maxvCpus,
      // No computeEnvironmentName: a custom name blocks CloudFormation replacement (aws/aws-cdk#27054).
      // replaceComputeEnvironment stays false (the L2 default), so most changes are in-place
      // infrastructure updates instead of replacements (docs/compute.md, "Updates").
      replaceComputeEnvironment: false,
    };

    if (isEc2) {
      this.instanceRole = props.instanceRole ?? this.createInstanceRole();
      this.launchTemplate = this.createLaunchTemplate(props.rootVolumeSize);
      const ec2Options = this.ec2Options(props);
      const primary = new batch.ManagedEc2EcsComputeEnvironment(this, 'ComputeEnvironment', {
        ...shared,
        ...ec2Options,
        spot: this.spot,
        minvCpus: this.minvCpus,
        spotBidPercentage: props.spotBidPercentage,
        // Spot: price-capacity-optimized (AWS's recommendation); On-Demand: best-fit-progressive.
        // Neither needs a Spot Fleet role (only BEST_FIT does), so none is created.
        allocationStrategy: this.spot
          ? batch.AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED
          : batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
      });
      this.computeEnvironment = primary;
      if (props.onDemandFallback) {
        this.fallbackComputeEnvironment = new batch.ManagedEc2EcsComputeEnvironment(this, 'FallbackComputeEnvironment', {
          ...shared,
          ...ec2Options,
          spot: false,
          minvCpus: 0,
          allocationStrategy: batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
        });
      }
    } else {
      this.computeEnvironment = new batch.FargateComputeEnvironment(this, 'ComputeEnvironment', {
        ...shared,
        spot: this.spot,
      });
      if (props.onDemandFallback) {
        this.fallbackComputeEnvironment = new batch.FargateComputeEnvironment(this, 'FallbackComputeEnvironment', {
          ...shared,
          spot: false,
        });
      }
    }

    for (const ce of this.computeEnvironments()) {
      if (this.launchTemplate) {
        // Pin the template version so a template change is an infrastructure update of the CE
        // (with no Version, Batch would keep using $Default until some other CE change).
        cfnOf(ce).addPropertyOverride('ComputeResources.LaunchTemplate.Version', this.launchTemplate.versionNumber);
      }
      if (props.containerInsights !== undefined) {
        // No L2 prop and no typed L1 prop in aws-cdk-lib 2.264 (aws/aws-cdk#21698): raw override.
        cfnOf(ce).addPropertyOverride('EcsSettings.ContainerInsights', props.containerInsights ? 'ENABLED' : 'DISABLED');
      }
    }

    if (!Token.isUnresolved(this.minvCpus) && this.minvCpus > 0) {
      Annotations.of(this).addWarningV2('cdk-scheduled-batch:computeMinvCpusNotZero',
        `'minvCpus' is ${this.minvCpus}: Batch keeps that many vCPUs of instances running with an empty queue, and that idle cost is not in costLineItems(). Use 0 to scale to zero.`);
    }
  }

  /**
   * The compute environments in queue order, for `JobQueue.computeEnvironments`:
   * the primary one with order 1, the On-Demand fallback (if any) with order 2.
   */
  public orderedComputeEnvironments(): batch.OrderedComputeEnvironment[] {
    return this.computeEnvironments().map((computeEnvironment, i) => ({ computeEnvironment, order: i + 1 }));
  }

  /**
   * Fixed monthly idle cost: none. With `minvCpus` 0 the compute scales to zero; instances, volumes and
   * Fargate tasks are billed only while jobs run.
   */
  public costLineItems(): CostLineItem[] {
    return [];
  }

  private computeEnvironments(): batch.IManagedComputeEnvironment[] {
    return this.fallbackComputeEnvironment
      ? [this.computeEnvironment, this.fallbackComputeEnvironment]
      : [this.computeEnvironment];
  }

  private createSecurityGroup(allowAllOutbound: boolean): ec2.ISecurityGroup {
    const sg = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: allowAllOutbound
        ? 'Batch compute: no inbound, all outbound'
        : 'Batch compute: no inbound, HTTPS outbound to AWS APIs, ECR and S3',
      allowAllOutbound,
    });
    if (!allowAllOutbound) {
      // The ECS agent, ECR, S3 (image layers), CloudWatch Logs and dnf repositories are all HTTPS.
      // DNS to the VPC resolver and the Amazon Time Sync Service are not filtered by security groups.
      sg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs, ECR and S3');
    }
    return sg;
  }

  private createInstanceRole(): iam.Role {
    const role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'ECS container instances of an AWS Batch compute environment (ECS agent permissions only)',
    });
    for (const statement of ecsContainerInstanceStatements(Stack.of(this))) {
      role.addToPrincipalPolicy(statement);
    }
    // The wildcards AWS forces, acknowledged for cdk-nag beside the policy that needs them.
    for (const [resource, reason] of instancePolicyWildcards(Stack.of(this))) {
      acknowledgeWildcardResource(role, resource, reason);
    }
    return role;
  }

  private createLaunchTemplate(rootVolumeSize: Size | undefined): ec2.LaunchTemplate {
    const gib = rootVolumeSize?.toGibibytes({ rounding: SizeRoundingBehavior.NONE }) ?? DEFAULT_ROOT_VOLUME_GIB;
    if (!Token.isUnresolved(gib) && (!Number.isInteger(gib) || gib < DEFAULT_ROOT_VOLUME_GIB || gib > MAX_GP3_GIB)) {
      throw new Error(`'rootVolumeSize' must be a whole number of GiB from ${DEFAULT_ROOT_VOLUME_GIB} (the ECS AMI snapshot) to ${MAX_GP3_GIB} (gp3 maximum), got ${gib} GiB: use e.g. Size.gibibytes(${DEFAULT_ROOT_VOLUME_GIB})`);
    }
    // No launchTemplateName: a fixed name would block replacement.
    return new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      // IMDSv2 only, and a hop limit of 1 so containers in bridge mode cannot reach the instance credentials.
      // @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      blockDevices: [{
        deviceName: ROOT_DEVICE_NAME,
        volume: ec2.BlockDeviceVolume.ebs(gib, {
          encrypted: true,
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          deleteOnTermination: true,
        }),
      }],
    });
  }

  private ec2Options(props: SpotComputeEnvironmentProps) {
    const explicit = (props.instanceTypes?.length ?? 0) + (props.instanceClasses?.length ?? 0) > 0;
    const classes = [
      ...(props.instanceTypes ?? []).map(t => t.toString().split('.')[0]),
      ...(props.instanceClasses ?? []).map(c => `${c}`),
    ];
    const images: batch.EcsMachineImage[] = [{ imageType: batch.EcsMachineImageType.ECS_AL2023 }];
    if (classes.some(isNvidiaGpuClass)) {
      // Batch picks the GPU image for GPU instances and the standard one for the rest.
      images.push({ imageType: batch.EcsMachineImageType.ECS_AL2023_NVIDIA });
    }
    return {
      instanceRole: this.instanceRole,
      launchTemplate: this.launchTemplate,
      // Always explicit: the L2 renders ECS_AL2 for images without a type.
      images,
      instanceTypes: props.instanceTypes,
      instanceClasses: props.instanceClasses,
      ...(explicit
        ? { useOptimalInstanceClasses: false }
        : {
          defaultInstanceClasses: [this.architecture === CpuArchitecture.ARM64
            ? batch.DefaultInstanceClass.ARM64
            : batch.DefaultInstanceClass.X86_64],
        }),
    };
  }
}

function cfnOf(ce: batch.IManagedComputeEnvironment): batch.CfnComputeEnvironment {
  return ce.node.defaultChild as batch.CfnComputeEnvironment;
}

/** NVIDIA GPU families (p2..p6, g3..g6, gr6); g4ad has AMD GPUs, which the ECS GPU AMI does not support. */
function isNvidiaGpuClass(cls: string): boolean {
  return /^(p\d|g\d|gr\d)/.test(cls) && cls !== 'g4ad';
}

function validateVcpus(givenMin: number | undefined, min: number, max: number, isEc2: boolean) {
  if (!Token.isUnresolved(max) && (!Number.isInteger(max) || max < 1)) {
    throw new Error(`'maxvCpus' must be a whole number >= 1, got ${max}: use e.g. ${DEFAULT_MAX_VCPUS}`);
  }
  if (!Token.isUnresolved(min) && (!Number.isInteger(min) || min < 0)) {
    throw new Error(`'minvCpus' must be a whole number >= 0, got ${min}: use 0 to scale to zero`);
  }
  if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && min > max) {
    throw new Error(`'minvCpus' (${min}) must be <= 'maxvCpus' (${max}): lower minvCpus or raise maxvCpus`);
  }
  if (!isEc2 && givenMin !== undefined && (Token.isUnresolved(givenMin) || givenMin !== 0)) {
    throw new Error(`'minvCpus' is ${givenMin}, but Fargate compute environments have no minimum: remove 'minvCpus' or use ComputePlatform.EC2`);
  }
}

function validateSpotOptions(props: SpotComputeEnvironmentProps, spot: boolean, isEc2: boolean) {
  const bid = props.spotBidPercentage;
  if (bid !== undefined) {
    if (!spot) {
      throw new Error(`'spotBidPercentage' is ${bid}, but 'spot' is false: remove 'spotBidPercentage' or set 'spot: true'`);
    }
    if (!isEc2) {
      throw new Error(`'spotBidPercentage' is ${bid}, but Fargate Spot has no bid: remove 'spotBidPercentage' or use ComputePlatform.EC2`);
    }
    if (!Token.isUnresolved(bid) && (!Number.isInteger(bid) || bid < 1 || bid > 100)) {
      throw new Error(`'spotBidPercentage' must be a whole number from 1 to 100, got ${bid}: leave it unset (AWS's recommendation) or use e.g. 100`);
    }
  }
  if (props.onDemandFallback && !spot) {
    throw new Error("'onDemandFallback' is true, but 'spot' is false: the primary compute environment is already On-Demand; remove 'onDemandFallback' or set 'spot: true'");
  }
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
      throw new Error(`'${name}' applies to ComputePlatform.EC2 only, but 'platform' is FARGATE: remove '${name}' or use ComputePlatform.EC2`);
    }
  }
}

function resolveArchitecture(props: SpotComputeEnvironmentProps): CpuArchitecture {
  const found = new Map<CpuArchitecture, string>();
  const note = (name: string, arch: ec2.InstanceArchitecture) => {
    const a = arch === ec2.InstanceArchitecture.ARM_64 ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64;
    if (!found.has(a)) found.set(a, name);
  };
  for (const t of props.instanceTypes ?? []) note(t.toString(), t.architecture);
  for (const c of props.instanceClasses ?? []) note(`${c}`, ec2.InstanceType.of(c, ec2.InstanceSize.LARGE).architecture);

  if (found.size > 1) {
    throw new Error(`'instanceTypes'/'instanceClasses' mix architectures (${found.get(CpuArchitecture.X86_64)} is X86_64, ${found.get(CpuArchitecture.ARM64)} is ARM64): a compute environment runs one image architecture; use one architecture, or two SpotComputeEnvironments`);
  }
  const derived = [...found.keys()][0];
  if (props.architecture !== undefined && derived !== undefined && derived !== props.architecture) {
    throw new Error(`'architecture' is ${props.architecture}, but '${found.get(derived)}' in 'instanceTypes'/'instanceClasses' is ${derived}: make them agree or drop 'architecture'`);
  }
  for (const t of props.instanceTypes ?? []) {
    const why = Token.isUnresolved(t.toString()) ? undefined : nonexistentSize(t.toString());
    if (why) {
      throw new Error(`'instanceTypes' entry '${t}' is not an EC2 instance type: ${why}. Fix: use an existing size, or the instance class alone (instanceClasses) to let Batch pick the size.`);
    }
  }
  const all = [...(props.instanceTypes ?? []).map(t => t.toString().split('.')[0]), ...(props.instanceClasses ?? []).map(c => `${c}`)];
  const a1 = all.find(c => c === 'a1');
  if (a1) {
    throw new Error("'instanceTypes'/'instanceClasses' contain A1, which Amazon Linux 2023 (ECS_AL2023) does not support: use Graviton2 or later (e.g. m6g, c7g)");
  }
  // Both architectures on Fargate and Fargate Spot: AWS Batch added Fargate Spot on ARM64 Linux in August 2025; only
  // Windows containers remain unsupported on Fargate Spot (the job definition decides the OS, not this construct).
  // @see https://docs.aws.amazon.com/batch/latest/APIReference/API_RuntimePlatform.html
  // @see https://docs.aws.amazon.com/batch/latest/userguide/create-compute-environment.html
  return props.architecture ?? derived ?? CpuArchitecture.X86_64;
}
