/**
 * What the props of {@link CostOptimizedVpc} decide before the VPC exists: their checks, and the shape of the VPC
 * (AZs, NAT count, subnet groups) that each egress profile gives.
 */
import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ComputePlatform } from '../../compute/compute-platform';
import { ValidationError } from '../../private/prop-names';
import { validateEnum, validateInstanceOf, validateLogRetention, validateWholeNumber } from '../../private/validate';
import { CostOptimizedVpcProps, EgressKind, EgressProfile } from '../cost-optimized-vpc-props';

export const DEFAULT_MAX_AZS = 2;

/** Every check of the props that needs no construct, before the VPC is created. */
export function validateVpcProps(props: CostOptimizedVpcProps): void {
  validatePropTypes(props);
  validateWholeNumber('maxAzs', props.maxAzs, { min: 1, fix: `pass 1 or more (the default is ${DEFAULT_MAX_AZS})` });
  if (Token.isUnresolved(props.maxAzs)) {
    throw new ValidationError(`'maxAzs' is a token (${props.maxAzs}): the number of AZs decides at synth how many subnets, route tables and NAT instances the VPC has. Give a number, e.g. ${DEFAULT_MAX_AZS}.`);
  }
  if (props.flowLogs === false && props.flowLogRetention !== undefined) {
    throw new ValidationError(`'flowLogRetention' is set (${props.flowLogRetention} days) but 'flowLogs' is false: remove 'flowLogRetention' or turn flow logs on.`);
  }
  if (props.flowLogs === false && props.flowLogDestination !== undefined) {
    throw new ValidationError("'flowLogDestination' is set but 'flowLogs' is false: remove 'flowLogDestination' or turn flow logs on.");
  }
  if (props.flowLogDestination !== undefined && props.flowLogRetention !== undefined) {
    throw new ValidationError(`'flowLogRetention' (${props.flowLogRetention} days) only applies to the log group this construct creates, and 'flowLogDestination' replaces it: set the retention on your own destination and remove 'flowLogRetention'.`);
  }
}

/**
 * The netmasks Amazon VPC takes for a VPC's IPv4 CIDR block.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
 */
const VPC_NETMASK = { min: 16, max: 28 } as const;

/**
 * A VPC CIDR with host bits set (10.0.1.5/16) is not the network it reads as: aws-cdk-lib's `IpAddresses.cidr`
 * allocates from the address's own value and, for 10.0.1.5/16, creates 10.1.0.0/16. Refused, naming the network meant;
 * so is a netmask Amazon VPC refuses.
 */
function validateCidr(ipAddresses: unknown): void {
  const cidr = (ipAddresses as { cidrBlock?: unknown } | undefined)?.cidrBlock;
  if (typeof cidr !== 'string' || Token.isUnresolved(cidr)) return;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return;
  const [a, b, c, d, bits] = m.slice(1).map(Number);
  if (bits < VPC_NETMASK.min || bits > VPC_NETMASK.max) {
    throw new ValidationError(`'ipAddresses' is ec2.IpAddresses.cidr('${cidr}'): a VPC's CIDR block is /${VPC_NETMASK.min} (65,536 addresses) to /${VPC_NETMASK.max}, `
      + `and Amazon VPC would refuse a /${bits} at deploy. Give e.g. ec2.IpAddresses.cidr('10.0.0.0/16').`);
  }
  const address = ((a * 256 + b) * 256 + c) * 256 + d;
  const block = 2 ** (32 - Math.min(bits, 32));
  const network = Math.floor(address / block) * block;
  if (network === address) return;
  const dotted = [3, 2, 1, 0].map(power => Math.floor(network / 256 ** power) % 256).join('.');
  throw new ValidationError(`'ipAddresses' is ec2.IpAddresses.cidr('${cidr}'), whose address has host bits set: a /${bits} network starts at ${dotted}. `
    + `Give ec2.IpAddresses.cidr('${dotted}/${bits}').`);
}

/** Enum and enum-like props hold what they are typed as (untyped languages can pass anything, e.g. 'nat'). */
function validatePropTypes(props: CostOptimizedVpcProps): void {
  validateCidr(props.ipAddresses);
  validateInstanceOf('egress', props.egress, EgressProfile,
    'one of EgressProfile.natInstance(), EgressProfile.natGateway(), EgressProfile.vpcEndpoints() or EgressProfile.publicSubnets()');
  validateLogRetention('flowLogRetention', props.flowLogRetention);
  validateInstanceOf('flowLogDestination', props.flowLogDestination, ec2.FlowLogDestination,
    'ec2.FlowLogDestination.toCloudWatchLogs(logGroup) or ec2.FlowLogDestination.toS3(bucket)');
  validateEnum('compute.platform', props.compute?.platform, ComputePlatform, 'ComputePlatform');
}

/**
 * The VPC's subnets (one per AZ of each subnet group) must fit its CIDR: aws-cdk-lib splits the block evenly among them
 * (each gets `netmask + ceil(log2(subnets))`), and a subnet is /28 at the smallest. Checked here so that a block that
 * is a valid VPC but too small for them fails naming 'ipAddresses'. `availableAzs`: the AZs the stack offers.
 */
export function validateCidrRoom(props: CostOptimizedVpcProps, egress: EgressProfile, availableAzs: number): void {
  const cidr = (props.ipAddresses as { cidrBlock?: unknown } | undefined)?.cidrBlock;
  if (typeof cidr !== 'string' || Token.isUnresolved(cidr)) return;
  const bits = Number(/\/(\d{1,2})$/.exec(cidr)?.[1]);
  if (!Number.isInteger(bits)) return;
  const azs = Math.min(props.maxAzs ?? DEFAULT_MAX_AZS, availableAzs);
  const groups = subnetConfigurationFor(egress).length;
  const split = Math.ceil(Math.log2(azs * groups));
  if (bits + split > VPC_NETMASK.max) {
    throw new ValidationError(`'ipAddresses' is ec2.IpAddresses.cidr('${cidr}'), too small for the VPC's ${azs * groups} subnets (${azs} AZs, ${groups} subnet group${groups === 1 ? '' : 's'}): `
      + `each would be smaller than /${VPC_NETMASK.max}, the smallest subnet. Give a /${VPC_NETMASK.max - split} or larger block, or a lower 'maxAzs'.`);
  }
}

/** The ec2.Vpc props: subnets and NATs chosen by the egress profile. */
export function vpcPropsFor(props: CostOptimizedVpcProps, egress: EgressProfile, natProvider: ec2.NatProvider | undefined): ec2.VpcProps {
  const maxAzs = props.maxAzs ?? DEFAULT_MAX_AZS;
  const natCount = egress.kind === EgressKind.NAT_INSTANCE || egress.kind === EgressKind.NAT_GATEWAY
    ? (egress.perAz ? maxAzs : 1)
    : 0;
  return {
    ipAddresses: props.ipAddresses,
    maxAzs,
    natGateways: natCount,
    natGatewayProvider: natProvider,
    subnetConfiguration: subnetConfigurationFor(egress),
    restrictDefaultSecurityGroup: props.restrictDefaultSecurityGroup ?? false,
  };
}

/** The subnet groups of each egress profile. */
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

/** Where compute goes: private subnets behind NAT, isolated subnets with endpoints, or public subnets. */
export function computeSubnetTypeFor(egress: EgressProfile): ec2.SubnetType {
  switch (egress.kind) {
    case EgressKind.VPC_ENDPOINTS:
      return ec2.SubnetType.PRIVATE_ISOLATED;
    case EgressKind.PUBLIC_SUBNETS:
      return ec2.SubnetType.PUBLIC;
    default:
      return ec2.SubnetType.PRIVATE_WITH_EGRESS;
  }
}
