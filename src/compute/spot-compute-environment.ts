import { Annotations, Size, SizeRoundingBehavior, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ComputePlatform } from './compute-platform';
import { CpuArchitecture, SpotComputeEnvironmentProps } from './spot-compute-environment-props';
import { CostLineItem, ICostEstimable } from '../cost/cost';
import { ComputeReachability } from '../network/compute-reachability';
import { CostOptimizedVpc } from '../network/cost-optimized-vpc';
import { ecsContainerInstanceStatements, instancePolicyWildcards } from './private/compute-instance-policy';
import {
  DEFAULT_MAX_VCPUS,
  DEFAULT_MIN_VCPUS,
  DEFAULT_ROOT_VOLUME_GIB,
  FARGATE_MAX_SECURITY_GROUPS,
  FARGATE_MAX_SUBNETS,
  resolveArchitecture,
  validateComputeProps,
} from './private/compute-props';
import { acknowledgeWildcardResource } from '../private/nag';
import { inHostSpelling, ValidationError } from '../private/prop-names';
import { rejectUnknownKeys } from '../private/struct-keys';

/** Root device of the ECS-optimized Amazon Linux 2023 AMI. */
const ROOT_DEVICE_NAME = '/dev/xvda';

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
    rejectUnknownKeys('SpotComputeEnvironmentProps', props);
    validateComputeProps(props);

    this.platform = props.platform ?? ComputePlatform.EC2;
    this.spot = props.spot ?? true;
    this.vpc = props.vpc;
    this.minvCpus = props.minvCpus ?? DEFAULT_MIN_VCPUS;
    this.maxvCpus = props.maxvCpus ?? DEFAULT_MAX_VCPUS;
    this.architecture = resolveArchitecture(props);
    this.instanceTypes = [...(props.instanceTypes ?? [])];
    this.instanceClasses = [...(props.instanceClasses ?? [])];

    const requestedSubnets = this.requestedSubnets(props);
    this.vpcSubnets = requestedSubnets ?? {};
    const selectedSubnets = this.selectReachableSubnets(requestedSubnets);
    this.assignPublicIp = this.platform === ComputePlatform.FARGATE && selectedSubnets.hasPublic;

    const securityGroups = this.securityGroupsFor(props);
    this.securityGroup = securityGroups[0];
    this.connections = new ec2.Connections({ securityGroups });

    const shared = this.sharedOptions(requestedSubnets, securityGroups);
    if (this.platform === ComputePlatform.EC2) {
      this.instanceRole = props.instanceRole ?? this.createInstanceRole();
      this.launchTemplate = this.createLaunchTemplate(props.rootVolumeSize);
    }
    const environments = this.platform === ComputePlatform.EC2
      ? this.createEc2ComputeEnvironments(props, shared)
      : this.createFargateComputeEnvironments(props, shared);
    this.computeEnvironment = environments.primary;
    this.fallbackComputeEnvironment = environments.fallback;

    this.pinLaunchTemplateVersion();
    this.setContainerInsights(props.containerInsights);
    this.warnWhenIdleVcpusAreKept();
    this.warnWhenSpotIsCapped(props.spotBidPercentage);
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

  /** The caller's subnets, else the compute subnets of a CostOptimizedVpc, else none (the VPC default: private). */
  private requestedSubnets(props: SpotComputeEnvironmentProps): ec2.SubnetSelection | undefined {
    return props.vpcSubnets ?? (props.vpc instanceof CostOptimizedVpc ? props.vpc.computeSubnets : undefined);
  }

  /**
   * Selects the subnets, after checking that they reach what the platform needs and that a Fargate compute environment
   * takes that many.
   */
  private selectReachableSubnets(requestedSubnets: ec2.SubnetSelection | undefined): ec2.SelectedSubnets {
    if (requestedSubnets?.subnets?.length === 0) {
      // A managed compute environment needs a subnet; an empty selection would render `Subnets: []`, refused at deploy.
      throw new ValidationError("'vpcSubnets' is { subnets: [] }, which selects no subnet: a compute environment launches its instances or tasks in at least one. "
        + 'Give the subnets, a subnetType, or leave vpcSubnets out for the VPC\'s private subnets.');
    }
    ComputeReachability.require(this, this.vpc, requestedSubnets, { platform: this.platform });
    const selected = this.vpc.selectSubnets(requestedSubnets);
    if (this.platform === ComputePlatform.FARGATE && selected.subnetIds.length > FARGATE_MAX_SUBNETS) {
      throw new ValidationError(`'vpcSubnets' selects ${selected.subnetIds.length} subnets, but a Fargate compute environment takes at most ${FARGATE_MAX_SUBNETS}: select fewer subnets (e.g. { subnetType, availabilityZones }) or lower the VPC's maxAzs.`);
    }
    return selected;
  }

  /** The caller's security groups (at least one; at most five on Fargate), else a new zero-ingress group. */
  private securityGroupsFor(props: SpotComputeEnvironmentProps): ec2.ISecurityGroup[] {
    if (props.securityGroups !== undefined && props.allowAllOutbound !== undefined) {
      throw new ValidationError(`'allowAllOutbound' is ${props.allowAllOutbound} but 'securityGroups' was given: 'allowAllOutbound' shapes only the security group the construct creates. `
        + "Set the outbound rules on your groups and leave 'allowAllOutbound' out, or leave 'securityGroups' out.");
    }
    const securityGroups = props.securityGroups ?? [this.createSecurityGroup(props.allowAllOutbound ?? false)];
    if (securityGroups.length === 0) {
      throw new ValidationError("'securityGroups' is empty: give at least one security group, or leave it unset to get a zero-ingress group");
    }
    if (this.platform === ComputePlatform.FARGATE && securityGroups.length > FARGATE_MAX_SECURITY_GROUPS) {
      throw new ValidationError(`'securityGroups' has ${securityGroups.length} security groups, but a Fargate compute environment takes at most ${FARGATE_MAX_SECURITY_GROUPS}: combine their rules into fewer groups.`);
    }
    return securityGroups;
  }

  /** The settings the primary and the fallback compute environment share. */
  private sharedOptions(vpcSubnets: ec2.SubnetSelection | undefined, securityGroups: ec2.ISecurityGroup[]): SharedComputeOptions {
    return {
      vpc: this.vpc,
      vpcSubnets,
      securityGroups,
      maxvCpus: this.maxvCpus,
      // No computeEnvironmentName: a custom name blocks CloudFormation replacement (aws/aws-cdk#27054).
      // replaceComputeEnvironment stays false (the L2 default), so most changes are in-place
      // infrastructure updates instead of replacements (docs/compute.md, "Updates").
      replaceComputeEnvironment: false,
    };
  }

  /** The EC2 compute environment (Spot unless `spot: false`) and its On-Demand fallback, when asked for. */
  private createEc2ComputeEnvironments(props: SpotComputeEnvironmentProps, shared: SharedComputeOptions): ComputeEnvironments {
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
    const fallback = props.onDemandFallback
      ? new batch.ManagedEc2EcsComputeEnvironment(this, 'FallbackComputeEnvironment', {
        ...shared,
        ...ec2Options,
        spot: false,
        minvCpus: 0,
        allocationStrategy: batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
      })
      : undefined;
    return { primary, fallback };
  }

  /** The Fargate compute environment (Fargate Spot unless `spot: false`) and its On-Demand fallback, when asked for. */
  private createFargateComputeEnvironments(props: SpotComputeEnvironmentProps, shared: SharedComputeOptions): ComputeEnvironments {
    const primary = new batch.FargateComputeEnvironment(this, 'ComputeEnvironment', { ...shared, spot: this.spot });
    const fallback = props.onDemandFallback
      ? new batch.FargateComputeEnvironment(this, 'FallbackComputeEnvironment', { ...shared, spot: false })
      : undefined;
    return { primary, fallback };
  }

  /**
   * Pins the launch template version (EC2 only), so a template change is an infrastructure update of the compute
   * environments (with no Version, Batch would keep using $Default until some other change).
   */
  private pinLaunchTemplateVersion(): void {
    if (!this.launchTemplate) return;
    for (const ce of this.computeEnvironments()) {
      cfnOf(ce).addPropertyOverride('ComputeResources.LaunchTemplate.Version', this.launchTemplate.versionNumber);
    }
  }

  /** Container Insights on or off; unset leaves the account's setting. */
  private setContainerInsights(enabled: boolean | undefined): void {
    if (enabled === undefined) return;
    for (const ce of this.computeEnvironments()) {
      // No L2 prop and no typed L1 prop in aws-cdk-lib 2.264 (aws/aws-cdk#21698): raw override.
      cfnOf(ce).addPropertyOverride('EcsSettings.ContainerInsights', enabled ? 'ENABLED' : 'DISABLED');
    }
  }

  /** minvCpus above 0 is an idle cost that costLineItems() does not count: say so. */
  private warnWhenIdleVcpusAreKept(): void {
    if (!Token.isUnresolved(this.minvCpus) && this.minvCpus > 0) {
      Annotations.of(this).addWarningV2('cdk-scheduled-batch:computeMinvCpusNotZero',
        inHostSpelling(`'minvCpus' is ${this.minvCpus}: Batch keeps that many vCPUs of instances running with an empty queue, and that idle cost is not in costLineItems(). Use 0 to scale to zero.`));
    }
  }

  /** A Spot bid cap is legal, but AWS recommends none: it removes Spot pools and jobs wait longer. */
  private warnWhenSpotIsCapped(bid: number | undefined): void {
    if (bid === undefined || Token.isUnresolved(bid)) return;
    Annotations.of(this).addWarningV2('cdk-scheduled-batch:spotBidCap',
      inHostSpelling(`'spotBidPercentage' is ${bid}: AWS recommends leaving the Spot price uncapped (you never pay more than On-Demand); a cap leaves out the Spot pools priced above it, `
        + 'so jobs wait longer for capacity. Leave it out, or acknowledge this warning.'));
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

/** What the primary and the fallback compute environment share. */
interface SharedComputeOptions {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
  readonly maxvCpus: number;
  readonly replaceComputeEnvironment: boolean;
}

/** The compute environments created, in queue order. */
interface ComputeEnvironments {
  readonly primary: batch.IManagedComputeEnvironment;
  readonly fallback?: batch.IManagedComputeEnvironment;
}

function cfnOf(ce: batch.IManagedComputeEnvironment): batch.CfnComputeEnvironment {
  return ce.node.defaultChild as batch.CfnComputeEnvironment;
}

/** NVIDIA GPU families (p2..p6, g3..g6, gr6); g4ad has AMD GPUs, which the ECS GPU AMI does not support. */
function isNvidiaGpuClass(cls: string): boolean {
  return /^(p\d|g\d|gr\d)/.test(cls) && cls !== 'g4ad';
}

