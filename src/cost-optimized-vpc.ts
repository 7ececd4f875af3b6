import { CfnResource, Duration, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ComputeRequirements } from './compute-platform';
import { CostCategory, CostLineItem, ICostEstimable, UnitPrices } from './cost';
import { hourlyToMonthly, lineItem, totalMonthly } from './private/cost-math';
import {
  ALL_INTERFACE_ENDPOINTS,
  InterfaceEndpointSpec,
  NO_REQUIREMENTS,
  RequirementFlags,
  requiredInterfaceEndpoints,
  unionRequirements,
} from './private/vpc-endpoints';

/** How compute in a {@link CostOptimizedVpc} reaches AWS APIs and the internet. */
export enum EgressKind {
  /** One NAT instance (or one per AZ) in public subnets; compute in private subnets. */
  NAT_INSTANCE = 'NAT_INSTANCE',
  /** One managed NAT gateway (or one per AZ) in public subnets; compute in private subnets. */
  NAT_GATEWAY = 'NAT_GATEWAY',
  /** No internet path at all: isolated subnets with the interface endpoints the compute needs. */
  VPC_ENDPOINTS = 'VPC_ENDPOINTS',
  /** Compute in public subnets with public IPs and no inbound rule. */
  PUBLIC_SUBNETS = 'PUBLIC_SUBNETS',
}

/** Options of {@link EgressProfile.natInstance}. */
export interface NatInstanceEgressOptions {
  /**
   * One NAT instance per AZ instead of one for the whole VPC (egress survives the loss of an AZ, at twice the cost).
   * @default false
   */
  readonly perAz?: boolean;
}

/** Options of {@link EgressProfile.natGateway}. */
export interface NatGatewayEgressOptions {
  /**
   * One NAT gateway per AZ instead of one for the whole VPC.
   * @default false
   */
  readonly perAz?: boolean;
}

/** Options of {@link EgressProfile.vpcEndpoints}. */
export interface VpcEndpointsEgressOptions {
  /**
   * Place the interface endpoints in the first AZ only. Halves their cost with two AZs; compute in the other AZs
   * reaches them across AZs, and loses them if that AZ fails.
   * @default false
   */
  readonly singleAz?: boolean;
}

/**
 * How compute placed in a {@link CostOptimizedVpc} reaches ECS, ECR, CloudWatch Logs and the internet.
 *
 * Fixed monthly idle costs (us-east-1, 2 AZs) are in docs/networking.md and computed by
 * {@link CostOptimizedVpc.costLineItems}.
 */
export class EgressProfile {
  /**
   * An Amazon Linux 2023 NAT instance (t4g.nano, encrypted gp3 root volume, IMDSv2, security group open to the VPC
   * CIDR only, recovered or rebooted by CloudWatch alarms when it fails a status check). Compute in private subnets.
   *
   * The cheapest profile that keeps compute out of public subnets (≈ $7.56/month idle).
   */
  public static natInstance(options: NatInstanceEgressOptions = {}): EgressProfile {
    return new EgressProfile(EgressKind.NAT_INSTANCE, options.perAz ?? false, false);
  }

  /** Managed NAT gateway(s); compute in private subnets (≈ $36.50/month idle per gateway). */
  public static natGateway(options: NatGatewayEgressOptions = {}): EgressProfile {
    return new EgressProfile(EgressKind.NAT_GATEWAY, options.perAz ?? false, false);
  }

  /**
   * Isolated subnets without any internet path; the VPC creates the interface endpoints that the compute registered
   * with {@link CostOptimizedVpc.addComputeRequirements} (or the `compute` prop) needs, at $7.30 per endpoint per AZ
   * per month. EC2 compute needs six of them.
   *
   * @param options Python: keyword arguments, `EgressProfile.vpc_endpoints(single_az=True)`
   */
  public static vpcEndpoints(options: VpcEndpointsEgressOptions = {}): EgressProfile {
    return new EgressProfile(EgressKind.VPC_ENDPOINTS, false, options.singleAz ?? false);
  }

  /**
   * Public subnets only: compute gets a public IP (Fargate jobs must set `assignPublicIp`) and the security groups have
   * no inbound rule. $0 idle; each running instance or task pays for its public IPv4 address.
   */
  public static publicSubnets(): EgressProfile {
    return new EgressProfile(EgressKind.PUBLIC_SUBNETS, false, false);
  }

  /**
   * @param kind The kind of egress.
   * @param perAz One NAT per AZ (NAT kinds only).
   * @param singleAz Interface endpoints in one AZ only (VPC_ENDPOINTS only).
   */
  private constructor(
    /** The kind of egress. */
    public readonly kind: EgressKind,
    /** One NAT per AZ (NAT kinds only). */
    public readonly perAz: boolean,
    /** Interface endpoints in the first AZ only (VPC_ENDPOINTS only). */
    public readonly singleAz: boolean,
  ) {}
}

/** Properties of a {@link CostOptimizedVpc}. */
export interface CostOptimizedVpcProps {
  /**
   * How compute reaches AWS APIs and the internet.
   * @default EgressProfile.natInstance() - the cheapest profile that keeps compute in private subnets with no inbound
   * path (≈ $7.56/month idle)
   */
  readonly egress?: EgressProfile;

  /**
   * Maximum number of AZs. Environment-agnostic stacks always get 2.
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * The IP address range of the VPC.
   * @default ec2.IpAddresses.cidr('10.0.0.0/16')
   */
  readonly ipAddresses?: ec2.IIpAddresses;

  /**
   * What runs in the VPC, when known up front. With `EgressProfile.vpcEndpoints()` it decides the interface endpoints;
   * compute constructs add more through `addComputeRequirements` / `ComputeReachability.require`.
   * @default - nothing yet
   */
  readonly compute?: ComputeRequirements;

  /**
   * Record VPC flow logs (all traffic). Satisfies cdk-nag AwsSolutions-VPC7.
   * @default true
   */
  readonly flowLogs?: boolean;

  /**
   * Retention of the flow-log log group this construct creates.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Where flow logs go, e.g. `ec2.FlowLogDestination.toS3(bucket)` or a log group encrypted with your KMS key.
   * @default - a new CloudWatch Logs log group with `flowLogRetention`
   */
  readonly flowLogDestination?: ec2.FlowLogDestination;

  /**
   * Remove the rules of the VPC's default security group. aws-cdk-lib does it with a Lambda-backed custom resource;
   * nothing this library creates uses the default security group, so it is off by default.
   * @default false
   */
  readonly restrictDefaultSecurityGroup?: boolean;
}

const DEFAULT_MAX_AZS = 2;
const NAT_INSTANCE_TYPE = ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO);
/** Root volume of the NAT instance (the AL2023 AMI's own size). */
const NAT_ROOT_VOLUME_GB = 8;

interface CreatedEndpoint {
  readonly spec: InterfaceEndpointSpec;
  readonly endpoint: ec2.InterfaceVpcEndpoint;
  readonly azCount: number;
}

/**
 * A VPC whose egress is chosen for cost, with the cost computed from what was created.
 *
 * Public and private (or isolated) subnets in `maxAzs` AZs, an S3 gateway endpoint on the compute subnets (free; ECR
 * image layers come from S3), VPC flow logs to a log group with retention, no inbound rule reachable from outside the
 * VPC, no Lambda-backed custom resource.
 *
 * @example
 * const vpc = new CostOptimizedVpc(this, 'Vpc'); // one NAT instance, ≈ $7.56/month idle
 * const isolated = new CostOptimizedVpc(this, 'Isolated', {
 *   egress: EgressProfile.vpcEndpoints({ singleAz: true }),
 *   compute: { platform: ComputePlatform.FARGATE },
 * });
 */
export class CostOptimizedVpc extends ec2.Vpc implements ICostEstimable {
  /** The egress profile. */
  public readonly egress: EgressProfile;
  /** Where compute should go in this VPC. */
  public readonly computeSubnets: ec2.SubnetSelection;
  /** Type of the compute subnets: PUBLIC for `EgressProfile.publicSubnets()` (Fargate must then assign a public IP). */
  public readonly computeSubnetType: ec2.SubnetType;
  /** The NAT instances (empty unless the profile is a NAT instance). */
  public readonly natInstances: ec2.Instance[];
  /** The alarms that recover (system status check) or reboot (instance status check) each NAT instance. */
  public readonly natInstanceAlarms: cloudwatch.Alarm[];
  /** The S3 gateway endpoint, on the route tables of the compute subnets. */
  public readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  /** Security group of the interface endpoints: HTTPS from the VPC CIDR only (VPC_ENDPOINTS profile only). */
  public readonly endpointSecurityGroup?: ec2.SecurityGroup;
  /** The flow log, unless `flowLogs` is false. */
  public readonly flowLog?: ec2.FlowLog;
  /** The flow-log log group this construct created (undefined with `flowLogDestination` or without flow logs). */
  public readonly flowLogGroup?: logs.LogGroup;

  private readonly natProvider?: ec2.NatProvider;
  private readonly endpointSubnets?: ec2.SubnetSelection;
  private readonly endpointAzCount: number;
  private readonly createdEndpoints: CreatedEndpoint[];
  private requirements: RequirementFlags;

  constructor(scope: Construct, id: string, props: CostOptimizedVpcProps = {}) {
    validateProps(props);
    const egress = props.egress ?? EgressProfile.natInstance();
    const maxAzs = props.maxAzs ?? DEFAULT_MAX_AZS;
    const natProvider = natProviderFor(egress);
    const natCount = egress.kind === EgressKind.NAT_INSTANCE || egress.kind === EgressKind.NAT_GATEWAY
      ? (egress.perAz ? maxAzs : 1)
      : 0;

    super(scope, id, {
      ipAddresses: props.ipAddresses,
      maxAzs,
      natGateways: natCount,
      natGatewayProvider: natProvider,
      subnetConfiguration: subnetConfigurationFor(egress),
      restrictDefaultSecurityGroup: props.restrictDefaultSecurityGroup ?? false,
    });

    this.egress = egress;
    this.natProvider = natProvider;
    this.createdEndpoints = [];
    this.requirements = NO_REQUIREMENTS;
    this.computeSubnetType = computeSubnetTypeFor(egress);
    this.computeSubnets = { subnetType: this.computeSubnetType };
    // The literal CIDR when known (cdk-nag and reviewers can then read the rule); the attribute for IPAM-allocated ranges.
    const cfnCidr = (this.node.defaultChild as ec2.CfnVPC).cidrBlock;
    const vpcPeer = ec2.Peer.ipv4(cfnCidr !== undefined && !Token.isUnresolved(cfnCidr) ? cfnCidr : this.vpcCidrBlock);

    // NAT instance hardening: the provider gives no props for these, so they are set on the L1 instance.
    this.natInstances = natProvider instanceof ec2.NatInstanceProviderV2 ? natProvider.gatewayInstances : [];
    this.natInstanceAlarms = [];
    if (natProvider instanceof ec2.NatInstanceProviderV2) {
      // Forwarding only for traffic from inside the VPC; the provider's group allows all outbound.
      natProvider.connections.allowFrom(vpcPeer, ec2.Port.allTraffic(), 'NAT for traffic from inside the VPC');
      this.natInstances.forEach((instance, i) => {
        this.hardenNatInstance(instance);
        this.natInstanceAlarms.push(...this.addNatRecoveryAlarms(instance, i + 1));
      });
    }

    // Free, and ECR serves image layers from S3: every profile gets it.
    // @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
    this.s3Endpoint = this.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.computeSubnets],
    });

    if (egress.kind === EgressKind.VPC_ENDPOINTS) {
      this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this,
        description: 'Interface VPC endpoints: HTTPS from inside the VPC only',
        allowAllOutbound: false,
      });
      this.endpointSecurityGroup.addIngressRule(vpcPeer, ec2.Port.tcp(443), 'HTTPS from inside the VPC');
      const isolated = this.isolatedSubnets;
      this.endpointSubnets = egress.singleAz ? { subnets: [isolated[0]] } : { subnets: isolated };
      this.endpointAzCount = egress.singleAz ? 1 : isolated.length;
    } else {
      this.endpointAzCount = 0;
    }

    if (props.flowLogs ?? true) {
      let destination = props.flowLogDestination;
      if (!destination) {
        this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
          retention: props.flowLogRetention ?? logs.RetentionDays.THREE_MONTHS,
        });
        // Acknowledged, not fixed (docs/security.md): CloudWatch Logs encrypts at rest with a service key.
        (this.flowLogGroup.node.defaultChild as CfnResource).addMetadata('checkov', {
          skip: [{
            id: 'CKV_AWS_158',
            comment: 'Flow logs are encrypted at rest by CloudWatch Logs with a service key; a KMS CMK adds $1/month (+13% of the '
              + 'default idle cost). Pass flowLogDestination with your own encrypted log group or bucket if policy requires a CMK.',
          }],
        });
        destination = ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup);
      }
      this.flowLog = this.addFlowLog('FlowLog', { destination, trafficType: ec2.FlowLogTrafficType.ALL });
    }

    if (props.compute) {
      this.addComputeRequirements(props.compute);
    }
  }

  /**
   * Declares what runs in this VPC (idempotent union of all calls). With `EgressProfile.vpcEndpoints()` it creates the
   * interface endpoints that are still missing; other profiles already have a path out.
   */
  public addComputeRequirements(requirements: ComputeRequirements): void {
    this.requirements = unionRequirements(this.requirements, requirements);
    if (this.egress.kind !== EgressKind.VPC_ENDPOINTS) {
      return;
    }
    for (const spec of requiredInterfaceEndpoints(this.requirements)) {
      if (this.createdEndpoints.some(c => c.spec === spec)) {
        continue;
      }
      const endpoint = this.addInterfaceEndpoint(spec.id, {
        service: spec.service,
        subnets: this.endpointSubnets,
        securityGroups: [this.endpointSecurityGroup!],
        open: false,
        privateDnsEnabled: true,
      });
      this.createdEndpoints.push({ spec, endpoint, azCount: this.endpointAzCount });
      this.createdEndpoints.sort((a, b) => ALL_INTERFACE_ENDPOINTS.indexOf(a.spec) - ALL_INTERFACE_ENDPOINTS.indexOf(b.spec));
    }
  }

  /** The interface endpoints created so far (VPC_ENDPOINTS profile), in a fixed service order (ecs first, ssm last). */
  public interfaceEndpoints(): ec2.InterfaceVpcEndpoint[] {
    return this.createdEndpoints.map(c => c.endpoint);
  }

  /** Short service names (e.g. `ecs-agent`) of the interface endpoints created so far. */
  public interfaceEndpointServiceNames(): string[] {
    return this.createdEndpoints.map(c => c.spec.name);
  }

  /**
   * Fixed monthly idle cost of what this VPC created, line by line (us-east-1 list prices of
   * {@link UnitPrices.PRICE_DATE}; 730 h/month; no traffic). Data processing, public IPs of running compute and flow-log
   * ingestion are usage costs and not included.
   */
  public costLineItems(): CostLineItem[] {
    const items: CostLineItem[] = [];
    if (this.egress.kind === EgressKind.NAT_GATEWAY) {
      const n = this.natProvider!.configuredGateways.length;
      items.push(lineItem(CostCategory.NAT, 'NAT gateway', n, hourlyToMonthly(UnitPrices.NAT_GATEWAY_HOUR)));
      items.push(lineItem(CostCategory.PUBLIC_IPV4, 'Elastic IP of the NAT gateway', n, hourlyToMonthly(UnitPrices.PUBLIC_IPV4_HOUR)));
    }
    if (this.egress.kind === EgressKind.NAT_INSTANCE) {
      const n = this.natInstances.length;
      items.push(lineItem(CostCategory.NAT, `NAT instance (${NAT_INSTANCE_TYPE.toString()})`, n, hourlyToMonthly(UnitPrices.T4G_NANO_HOUR)));
      items.push(lineItem(CostCategory.PUBLIC_IPV4, 'Public IPv4 address of the NAT instance', n, hourlyToMonthly(UnitPrices.PUBLIC_IPV4_HOUR)));
      items.push(lineItem(CostCategory.STORAGE, `NAT instance root volume (GB of gp3, ${NAT_ROOT_VOLUME_GB} GB each)`, n * NAT_ROOT_VOLUME_GB, UnitPrices.GP3_GB_MONTH));
      items.push(lineItem(CostCategory.ALARMS, 'NAT instance status-check alarms (free within the 10 free alarms of an account)',
        this.natInstanceAlarms.length, UnitPrices.ALARM_METRIC_MONTH));
    }
    for (const c of this.createdEndpoints) {
      items.push(lineItem(CostCategory.VPC_ENDPOINTS, `Interface endpoint ${c.spec.name} (AZs)`, c.azCount,
        hourlyToMonthly(UnitPrices.INTERFACE_ENDPOINT_AZ_HOUR)));
    }
    items.push(lineItem(CostCategory.VPC_ENDPOINTS, 'S3 gateway endpoint', 1, hourlyToMonthly(UnitPrices.GATEWAY_ENDPOINT_HOUR)));
    return items;
  }

  /** Total of {@link costLineItems}, in USD per month, rounded to cents. A method: it grows with added compute. */
  public monthlyIdleCostUsd(): number {
    return totalMonthly(this.costLineItems());
  }

  private hardenNatInstance(instance: ec2.Instance): void {
    const cfn = instance.instance;
    // Encrypted root volume (cdk-nag EC26). /dev/xvda is the root device of the AL2023 AMIs.
    cfn.blockDeviceMappings = [{
      deviceName: '/dev/xvda',
      ebs: { volumeSize: NAT_ROOT_VOLUME_GB, volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
    }];
    // IMDSv2 only, hop limit 1: nothing on the NAT instance needs more.
    // @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html
    cfn.metadataOptions = { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 };

    // Checker findings a NAT instance cannot fix without breaking the design (listed in docs/security.md).
    cfn.addMetadata('checkov', {
      skip: [{ id: 'CKV_AWS_88', comment: 'A NAT instance needs a public IP to forward traffic to the internet; its security group admits only the VPC CIDR.' }],
    });
    Validations.of(instance).acknowledge({
      id: 'AwsSolutions-EC26',
      reason: 'The root volume above is the only volume and is encrypted (unit-tested). cdk-nag 3.0.2 EC2EBSVolumeEncrypted '
        + 'throws ("Rule threw an error") for an instance without a launch template whenever its stack also holds a launch '
        + 'template, such as the Batch compute environment\'s.',
    }, {
      id: 'AwsSolutions-EC28',
      reason: 'Detailed monitoring is billed as custom metrics (~$2.10/month per instance), about 28% of the NAT-instance '
        + 'profile; the status-check metrics that drive the recovery alarms are published every minute at no charge without it.',
    }, {
      id: 'AwsSolutions-EC29',
      reason: 'Termination protection would make CloudFormation fail to delete the stack and to replace the NAT instance '
        + 'when a new AL2023 AMI is released (the old instance would be left running and billed). The instance is '
        + 'stateless and is re-created by the stack.',
    });
  }

  private addNatRecoveryAlarms(instance: ec2.Instance, index: number): cloudwatch.Alarm[] {
    // Status-check metrics are published every minute at no charge, also without detailed monitoring.
    // The recover action only works on StatusCheckFailed_System; the instance check gets a reboot.
    // @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/UsingAlarmActions.html
    const alarm = (id: string, metricName: string, action: cwActions.Ec2InstanceAction, what: string) => {
      const a = new cloudwatch.Alarm(this, id, {
        alarmDescription: `${what} NAT instance ${index} of ${this.node.path} when ${metricName} fails for 2 minutes`,
        metric: new cloudwatch.Metric({
          namespace: 'AWS/EC2',
          metricName,
          dimensionsMap: { InstanceId: instance.instanceId },
          statistic: cloudwatch.Stats.MAXIMUM,
          period: Duration.minutes(1),
        }),
        threshold: 1,
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      });
      a.addAlarmAction(new cwActions.Ec2Action(action));
      return a;
    };
    return [
      alarm(`NatInstance${index}RecoveryAlarm`, 'StatusCheckFailed_System', cwActions.Ec2InstanceAction.RECOVER, 'Recovers'),
      alarm(`NatInstance${index}RebootAlarm`, 'StatusCheckFailed_Instance', cwActions.Ec2InstanceAction.REBOOT, 'Reboots'),
    ];
  }
}

function validateProps(props: CostOptimizedVpcProps): void {
  const maxAzs = props.maxAzs;
  if (maxAzs !== undefined && !Token.isUnresolved(maxAzs) && (!Number.isInteger(maxAzs) || maxAzs < 1)) {
    throw new Error(`'maxAzs' must be a whole number >= 1, got ${maxAzs}: pass 1 or more (the default is ${DEFAULT_MAX_AZS}).`);
  }
  if (props.flowLogs === false && props.flowLogRetention !== undefined) {
    throw new Error(`'flowLogRetention' is set (${props.flowLogRetention} days) but 'flowLogs' is false: remove 'flowLogRetention' or turn flow logs on.`);
  }
  if (props.flowLogs === false && props.flowLogDestination !== undefined) {
    throw new Error("'flowLogDestination' is set but 'flowLogs' is false: remove 'flowLogDestination' or turn flow logs on.");
  }
  if (props.flowLogDestination !== undefined && props.flowLogRetention !== undefined) {
    throw new Error(`'flowLogRetention' (${props.flowLogRetention} days) only applies to the log group this construct creates, and 'flowLogDestination' replaces it: set the retention on your own destination and remove 'flowLogRetention'.`);
  }
}

function natProviderFor(egress: EgressProfile): ec2.NatProvider | undefined {
  switch (egress.kind) {
    case EgressKind.NAT_INSTANCE:
      return ec2.NatProvider.instanceV2({
        instanceType: NAT_INSTANCE_TYPE,
        // Only the NAT instance gets a public IP; nothing else launched in the public subnets does.
        associatePublicIpAddress: true,
        // The provider's default opens every port to 0.0.0.0/0; ingress from the VPC CIDR is added afterwards.
        defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
      });
    case EgressKind.NAT_GATEWAY:
      return ec2.NatProvider.gateway();
    default:
      return undefined;
  }
}

function subnetConfigurationFor(egress: EgressProfile): ec2.SubnetConfiguration[] {
  switch (egress.kind) {
    case EgressKind.VPC_ENDPOINTS:
      // No public subnet, hence no internet gateway.
      return [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }];
    case EgressKind.PUBLIC_SUBNETS:
      return [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: true }];
    default:
      return [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ];
  }
}

function computeSubnetTypeFor(egress: EgressProfile): ec2.SubnetType {
  switch (egress.kind) {
    case EgressKind.VPC_ENDPOINTS:
      return ec2.SubnetType.PRIVATE_ISOLATED;
    case EgressKind.PUBLIC_SUBNETS:
      return ec2.SubnetType.PUBLIC;
    default:
      return ec2.SubnetType.PRIVATE_WITH_EGRESS;
  }
}
