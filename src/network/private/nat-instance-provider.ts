import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ValidationError } from '../../private/prop-names';

/** Properties of a {@link NatInstanceProvider}. */
export interface NatInstanceProviderProps {
  /** The instance type of the NAT instances. */
  readonly instanceType: ec2.InstanceType;
}

/**
 * NAT instances on Amazon Linux 2023: the same resources, construct IDs and user data as aws-cdk-lib's
 * `NatProvider.instanceV2` with `associatePublicIpAddress: true` and `defaultAllowedTraffic: OUTBOUND_ONLY`, so the
 * template is the same.
 *
 * Why not `NatProvider.instanceV2` itself: in aws-cdk-lib 2.263 its `configureNat` creates each `ec2.Instance` with
 * `keyName: this.props.keyName` written out, so the key is present (as `undefined`) even when no key is wanted, and
 * jsii's deprecation check (`"keyName" in props`) prints "aws-cdk-lib.aws_ec2.InstanceProps#keyName is deprecated" on
 * every synth (and throws under `JSII_DEPRECATED=fail`). aws-cdk-lib itself suggests implementing a NatProvider for
 * anything its providers do not cover (`NatProvider.instanceV2` doc comment).
 *
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ec2.NatInstanceProviderV2.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html
 */
export class NatInstanceProvider extends ec2.NatProvider {
  /** The NAT instances by AZ, in creation order (AZ order of the public subnets). */
  private readonly gateways: Array<{ readonly az: string; readonly instance: ec2.Instance }> = [];
  /** Round-robin position for private subnets in an AZ without a NAT instance. */
  private next = 0;
  private natConnections?: ec2.Connections;

  constructor(private readonly props: NatInstanceProviderProps) {
    super();
  }

  /** The NAT instances, one per NAT subnet. */
  public get gatewayInstances(): ec2.Instance[] {
    return this.gateways.map(g => g.instance);
  }

  /** Network access of the NAT instances (available after the VPC has configured NAT). */
  public get connections(): ec2.Connections {
    if (!this.natConnections) {
      throw new ValidationError('NatInstanceProvider: connections are only available after the VPC has configured NAT');
    }
    return this.natConnections;
  }

  public get configuredGateways(): ec2.GatewayConfig[] {
    return this.gateways.map(g => ({ az: g.az, gatewayId: g.instance.instanceId }));
  }

  public configureNat(options: ec2.ConfigureNatOptions): void {
    const instanceType = this.props.instanceType;
    const machineImage = new ec2.AmazonLinuxImage({
      generation: ec2.AmazonLinuxGeneration.AMAZON_LINUX_2023,
      cpuType: instanceType.architecture === ec2.InstanceArchitecture.ARM_64 ? ec2.AmazonLinuxCpuType.ARM_64 : undefined,
    });
    // All outbound; inbound is added by the VPC (its own CIDR only).
    const securityGroup = new ec2.SecurityGroup(options.vpc, 'NatSecurityGroup', {
      vpc: options.vpc,
      description: 'Security Group for NAT instances',
      allowAllOutbound: true,
    });
    this.natConnections = new ec2.Connections({ securityGroups: [securityGroup] });
    // aws-cdk-lib's own NAT setup (iptables masquerading, IP forwarding), not a copy of it.
    const userData = ec2.UserData.forLinux();
    userData.addCommands(...ec2.NatInstanceProviderV2.DEFAULT_USER_DATA_COMMANDS);

    for (const subnet of options.natSubnets) {
      // No keyName/keyPair at all: no SSH key, and no deprecated property key for jsii to report.
      const instance = new ec2.Instance(subnet, 'NatInstance', {
        instanceType,
        machineImage,
        sourceDestCheck: false,
        vpc: options.vpc,
        vpcSubnets: { subnets: [subnet] },
        associatePublicIpAddress: true,
        securityGroup,
        userData,
      });
      this.gateways.push({ az: subnet.availabilityZone, instance });
    }
    for (const subnet of options.privateSubnets) {
      this.configureSubnet(subnet);
    }
  }

  public configureSubnet(subnet: ec2.PrivateSubnet): void {
    subnet.addRoute('DefaultRoute', {
      routerType: ec2.RouterType.INSTANCE,
      routerId: this.pick(subnet.availabilityZone).instanceId,
      enablesInternetConnectivity: true,
    });
  }

  /** The NAT instance in the subnet's AZ, else the next one in turn. */
  private pick(az: string): ec2.Instance {
    if (this.gateways.length === 0) {
      throw new ValidationError('NatInstanceProvider: no NAT instance to route to (configureNat created none)');
    }
    const sameAz = this.gateways.find(g => g.az === az);
    return sameAz ? sameAz.instance : this.gateways[this.next++ % this.gateways.length].instance;
  }
}
