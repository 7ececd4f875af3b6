import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ComputeRequirements } from '../compute/compute-platform';
import { rejectUnknownKeys } from '../private/struct-keys';

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
    rejectUnknownKeys('NatInstanceEgressOptions', options);
    return new EgressProfile(EgressKind.NAT_INSTANCE, options.perAz ?? false, false);
  }

  /** Managed NAT gateway(s); compute in private subnets (≈ $36.50/month idle per gateway). */
  public static natGateway(options: NatGatewayEgressOptions = {}): EgressProfile {
    rejectUnknownKeys('NatGatewayEgressOptions', options);
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
    rejectUnknownKeys('VpcEndpointsEgressOptions', options);
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
   * Restrict the endpoint policies: the S3 gateway endpoint and the interface endpoints whose service documents
   * endpoint policies (`ecr.api`, `ecr.dkr`, `logs`, `secretsmanager`, `ssm`) allow requests signed by principals of
   * this account only (an identity perimeter), and the S3 endpoint also the AWS-owned bucket ECR serves image layers
   * from. Jobs keep access to any bucket, repository or secret their roles are granted, in any account; credentials
   * of other accounts and anonymous requests are refused. The ECS endpoints keep the default policy (no endpoint
   * policy is documented for them).
   *
   * The S3 gateway endpoint carries all S3 traffic of the compute subnets to buckets in this Region, also with NAT:
   * an AWS service that downloads from its own bucket anonymously (for example `dnf` from the Amazon Linux
   * repositories, or SSM agent updates) needs a statement added with `vpc.s3Endpoint.addToPolicy(...)`.
   * `false` keeps AWS's default full-access endpoint policies.
   *
   * @see https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html
   * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
   * @default true
   */
  readonly endpointPolicies?: boolean;

  /**
   * Remove the rules of the VPC's default security group. aws-cdk-lib does it with a Lambda-backed custom resource;
   * nothing this library creates uses the default security group, so it is off by default.
   * @default false
   */
  readonly restrictDefaultSecurityGroup?: boolean;
}
