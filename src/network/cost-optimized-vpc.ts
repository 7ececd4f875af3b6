import { CfnResource, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CostOptimizedVpcProps, EgressKind, EgressProfile } from './cost-optimized-vpc-props';
import { ComputeRequirements } from '../compute/compute-platform';
import { CostCategory, CostLineItem, ICostEstimable, UnitPrices } from '../cost/cost';
import { hourlyToMonthly, lineItem, totalMonthly } from '../private/cost-math';
import { NatInstanceProvider } from './private/nat-instance-provider';
import {
  ALL_INTERFACE_ENDPOINTS,
  accountOnlyEndpointStatement,
  ecrLayerBucketStatement,
  InterfaceEndpointSpec,
  NO_REQUIREMENTS,
  RequirementFlags,
  requiredInterfaceEndpoints,
  unionRequirements,
} from './private/vpc-endpoints';
import { computeSubnetTypeFor, validateCidrRoom, validateVpcProps, vpcPropsFor } from './private/vpc-props';
import { rejectUnknownKeys } from '../private/struct-keys';

const NAT_INSTANCE_TYPE = ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO);

/** Root volume of the NAT instance (the AL2023 AMI's own size). */
const NAT_ROOT_VOLUME_GB = 8;

/** Where the interface endpoints go (VPC_ENDPOINTS profile): their subnets and how many AZs each one is billed for. */
interface EndpointPlacement {
  readonly subnets?: ec2.SubnetSelection;
  readonly azCount: number;
}

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
  private readonly endpointPolicies: boolean;
  private readonly endpointPlacement: EndpointPlacement;
  private readonly createdEndpoints: CreatedEndpoint[];
  private requirements: RequirementFlags;

  constructor(scope: Construct, id: string, props: CostOptimizedVpcProps = {}) {
    validateVpcProps(props);
    const egress = props.egress ?? EgressProfile.natInstance();
    const natProvider = natProviderFor(egress);
    validateCidrRoom(props, egress, Stack.of(scope).availabilityZones.length);
    super(scope, id, vpcPropsFor(props, egress, natProvider));
    rejectUnknownKeys('CostOptimizedVpcProps', props);

    this.egress = egress;
    this.natProvider = natProvider;
    this.endpointPolicies = props.endpointPolicies ?? true;
    this.createdEndpoints = [];
    this.requirements = NO_REQUIREMENTS;
    this.computeSubnetType = computeSubnetTypeFor(egress);
    this.computeSubnets = { subnetType: this.computeSubnetType };
    const vpcPeer = this.vpcPeer();

    this.natInstances = natProvider instanceof NatInstanceProvider ? natProvider.gatewayInstances : [];
    this.natInstanceAlarms = natProvider instanceof NatInstanceProvider ? this.hardenNatInstances(natProvider, vpcPeer) : [];
    this.s3Endpoint = this.addS3Endpoint();
    if (egress.kind === EgressKind.VPC_ENDPOINTS) {
      this.endpointSecurityGroup = this.createEndpointSecurityGroup(vpcPeer);
    }
    this.endpointPlacement = this.interfaceEndpointPlacement();
    if (props.flowLogs ?? true) {
      this.flowLogGroup = props.flowLogDestination ? undefined : this.createFlowLogGroup(props.flowLogRetention);
      this.flowLog = this.addFlowLog('FlowLog', {
        destination: props.flowLogDestination ?? ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup!),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
    }
    if (props.compute) {
      this.addComputeRequirements(props.compute);
    }
  }

  /**
   * The interface endpoints (service names) that `addComputeRequirements(requirements)` would still have to create:
   * none unless the egress profile is `vpcEndpoints()`.
   */
  public missingEndpointsFor(requirements: ComputeRequirements): string[] {
    rejectUnknownKeys('ComputeRequirements', requirements);
    if (this.egress.kind !== EgressKind.VPC_ENDPOINTS) return [];
    return requiredInterfaceEndpoints(unionRequirements(this.requirements, requirements))
      .filter(spec => !this.createdEndpoints.some(c => c.spec === spec))
      .map(spec => spec.name);
  }

  /**
   * Declares what runs in this VPC (idempotent union of all calls). With `EgressProfile.vpcEndpoints()` it creates the
   * interface endpoints that are still missing; other profiles already have a path out.
   */
  public addComputeRequirements(requirements: ComputeRequirements): void {
    rejectUnknownKeys('ComputeRequirements', requirements);
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
        subnets: this.endpointPlacement.subnets,
        securityGroups: [this.endpointSecurityGroup!],
        open: false,
        privateDnsEnabled: true,
      });
      if (this.endpointPolicies && spec.supportsPolicy) {
        endpoint.addToPolicy(accountOnlyEndpointStatement(Stack.of(this)));
      }
      this.createdEndpoints.push({ spec, endpoint, azCount: this.endpointPlacement.azCount });
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

  /**
   * The peer for rules that admit the VPC: its literal CIDR when known (cdk-nag and reviewers can then read the rule),
   * the attribute for IPAM-allocated ranges.
   */
  private vpcPeer(): ec2.IPeer {
    const cfnCidr = (this.node.defaultChild as ec2.CfnVPC).cidrBlock;
    return ec2.Peer.ipv4(cfnCidr !== undefined && !Token.isUnresolved(cfnCidr) ? cfnCidr : this.vpcCidrBlock);
  }

  /**
   * Opens each NAT instance to the VPC only, hardens it and adds its recovery alarms (returned). The provider gives no
   * props for the hardening, so it is set on the L1 instance.
   */
  private hardenNatInstances(natProvider: NatInstanceProvider, vpcPeer: ec2.IPeer): cloudwatch.Alarm[] {
    // Forwarding only for traffic from inside the VPC; the provider's group allows all outbound.
    natProvider.connections.allowFrom(vpcPeer, ec2.Port.allTraffic(), 'NAT for traffic from inside the VPC');
    return this.natInstances.flatMap((instance, i) => {
      this.hardenNatInstance(instance);
      return this.addNatRecoveryAlarms(instance, i + 1);
    });
  }

  /**
   * The S3 gateway endpoint on the compute subnets. Free, and ECR serves image layers from S3: every profile gets it.
   * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
   */
  private addS3Endpoint(): ec2.GatewayVpcEndpoint {
    const endpoint = this.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.computeSubnets],
    });
    if (this.endpointPolicies) {
      endpoint.addToPolicy(accountOnlyEndpointStatement(Stack.of(this)));
      endpoint.addToPolicy(ecrLayerBucketStatement(Stack.of(this)));
    }
    return endpoint;
  }

  /** The security group of the interface endpoints: HTTPS from inside the VPC only. */
  private createEndpointSecurityGroup(vpcPeer: ec2.IPeer): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this,
      description: 'Interface VPC endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    sg.addIngressRule(vpcPeer, ec2.Port.tcp(443), 'HTTPS from inside the VPC');
    return sg;
  }

  /** The isolated subnets of all AZs, or of the first one with `singleAz`; none unless the profile is VPC_ENDPOINTS. */
  private interfaceEndpointPlacement(): EndpointPlacement {
    if (this.egress.kind !== EgressKind.VPC_ENDPOINTS) {
      return { azCount: 0 };
    }
    const isolated = this.isolatedSubnets;
    return this.egress.singleAz
      ? { subnets: { subnets: [isolated[0]] }, azCount: 1 }
      : { subnets: { subnets: isolated }, azCount: isolated.length };
  }

  /** The flow-log log group, with retention. */
  private createFlowLogGroup(retention: logs.RetentionDays | undefined): logs.LogGroup {
    const group = new logs.LogGroup(this, 'FlowLogGroup', {
      retention: retention ?? logs.RetentionDays.THREE_MONTHS,
    });
    // Acknowledged, not fixed (docs/security.md): CloudWatch Logs encrypts at rest with a service key.
    (group.node.defaultChild as CfnResource).addMetadata('checkov', {
      skip: [{
        id: 'CKV_AWS_158',
        comment: 'Flow logs are encrypted at rest by CloudWatch Logs with a service key; a KMS CMK adds $1/month (+13% of the '
          + 'default idle cost). Pass flowLogDestination with your own encrypted log group or bucket if policy requires a CMK.',
      }],
    });
    return group;
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

function natProviderFor(egress: EgressProfile): ec2.NatProvider | undefined {
  switch (egress.kind) {
    case EgressKind.NAT_INSTANCE:
      // NatProvider.instanceV2's resources without its deprecation warning (src/network/private/nat-instance-provider.ts). Only the
      // NAT instance gets a public IP; its group allows all outbound and no inbound until the VPC CIDR is added below.
      return new NatInstanceProvider({ instanceType: NAT_INSTANCE_TYPE });
    case EgressKind.NAT_GATEWAY:
      return ec2.NatProvider.gateway();
    default:
      return undefined;
  }
}
