/**
 * What the props of {@link CostOptimizedVpc} decide before the VPC exists: their checks, and the shape of the VPC
 * (AZs, NAT count, subnet groups) that each egress profile gives.
 */
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

/** Enum and enum-like props hold what they are typed as (untyped languages can pass anything, e.g. 'nat'). */
function validatePropTypes(props: CostOptimizedVpcProps): void {
  validateInstanceOf('egress', props.egress, EgressProfile,
    'one of EgressProfile.natInstance(), EgressProfile.natGateway(), EgressProfile.vpcEndpoints() or EgressProfile.publicSubnets()');
  validateLogRetention('flowLogRetention', props.flowLogRetention);
  validateInstanceOf('flowLogDestination', props.flowLogDestination, ec2.FlowLogDestination,
    'ec2.FlowLogDestination.toCloudWatchLogs(logGroup) or ec2.FlowLogDestination.toS3(bucket)');
  validateEnum('compute.platform', props.compute?.platform, ComputePlatform, 'ComputePlatform');
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
