import { Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ComputePlatform } from './compute-platform';

/** CPU architecture of the compute. */
export enum CpuArchitecture {
  /** x86-64 (Intel and AMD). */
  X86_64 = 'X86_64',
  /** 64-bit Arm (AWS Graviton). */
  ARM64 = 'ARM64',
}

/** Properties of a {@link SpotComputeEnvironment}. */
export interface SpotComputeEnvironmentProps {
  /**
   * The VPC to launch the compute in. Any `ec2.IVpc`; with a `CostOptimizedVpc` its reachability guard
   * checks that the chosen subnets can reach the endpoints this platform needs.
   */
  readonly vpc: ec2.IVpc;

  /**
   * The subnets to launch the compute in.
   *
   * @default - `vpc.computeSubnets` for a `CostOptimizedVpc`, else the VPC's default selection (its private subnets)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Where Batch runs the containers: ECS container instances on EC2, or Fargate tasks.
   *
   * @default ComputePlatform.EC2
   */
  readonly platform?: ComputePlatform;

  /**
   * Run on Spot capacity (EC2 Spot with `SPOT_PRICE_CAPACITY_OPTIMIZED`, or `FARGATE_SPOT`).
   * Set `false` for On-Demand (`BEST_FIT_PROGRESSIVE` on EC2, `FARGATE` on Fargate).
   *
   * @see https://docs.aws.amazon.com/batch/latest/userguide/allocation-strategies.html
   * @default true
   */
  readonly spot?: boolean;

  /**
   * vCPUs kept running even with an empty queue (EC2 only). Anything above 0 is paid for 24/7.
   *
   * @default 0
   */
  readonly minvCpus?: number;

  /**
   * The most vCPUs the compute environment scales to. With `onDemandFallback`, this is also where
   * the Spot environment is "full" and new jobs start going to the On-Demand one.
   *
   * @default 256
   */
  readonly maxvCpus?: number;

  /**
   * CPU architecture. On EC2 it picks Batch's default instance classes (`default_x86_64` = m6i/c6i/r6i/c7i,
   * `default_arm64` = m6g/c6g/r6g/c7g). On Fargate (Spot and On-Demand) it is exposed as
   * {@link SpotComputeEnvironment.architecture} for the job definitions' `fargateCpuArchitecture`: a Fargate compute
   * environment itself has no architecture.
   *
   * @see https://docs.aws.amazon.com/batch/latest/userguide/instance-type-compute-table.html
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_RuntimePlatform.html
   * @default - derived from `instanceTypes` / `instanceClasses`, else CpuArchitecture.X86_64
   */
  readonly architecture?: CpuArchitecture;

  /**
   * EC2 instance types to launch (EC2 only). All must have the same architecture.
   * GPU types (p*, g*) add the `ECS_AL2023_NVIDIA` image type.
   *
   * @default - Batch's default instance classes for `architecture`
   */
  readonly instanceTypes?: ec2.InstanceType[];

  /**
   * EC2 instance classes to launch; Batch picks the sizes (EC2 only). All must have the same architecture.
   *
   * @default - Batch's default instance classes for `architecture`
   */
  readonly instanceClasses?: ec2.InstanceClass[];

  /**
   * The highest Spot price to accept, as a percentage (1-100) of the On-Demand price (EC2 Spot only).
   * AWS recommends leaving it empty: any cap removes Spot pools and makes jobs wait longer.
   *
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
   * @default - no cap (you pay the Spot price, never more than On-Demand)
   */
  readonly spotBidPercentage?: number;

  /**
   * Size of the encrypted gp3 root volume (EC2 only). It holds the OS, Docker images and container
   * scratch space, so raise it for large images. At least 30 GiB (the ECS AMI snapshot).
   *
   * @default Size.gibibytes(30)
   */
  readonly rootVolumeSize?: Size;

  /**
   * Add an On-Demand compute environment after the Spot one, for `orderedComputeEnvironments()`.
   * Batch only places jobs there when the Spot environment is INVALID or cannot take them — typically
   * when it is at `maxvCpus` — NOT when Spot capacity is short (see docs/compute.md).
   *
   * @see https://docs.aws.amazon.com/batch/latest/userguide/compute_environments.html
   * @default false
   */
  readonly onDemandFallback?: boolean;

  /**
   * CloudWatch Container Insights for the compute environment(s): `true` renders `ENABLED`, `false` renders
   * `DISABLED`. Charged as custom metrics while jobs run. Once set it cannot be unset again (only flipped).
   *
   * @see https://docs.aws.amazon.com/batch/latest/userguide/cloudwatch-container-insights.html
   * @default - not set: the account's ECS `containerInsights` setting applies (off unless the account turned it on)
   */
  readonly containerInsights?: boolean;

  /**
   * Security groups for the instances or tasks.
   *
   * @default - one new group with no inbound rules and HTTPS (443) outbound only
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Whether the security group created by default allows all outbound traffic instead of HTTPS only.
   * Ignored when `securityGroups` is given.
   *
   * @default false
   */
  readonly allowAllOutbound?: boolean;

  /**
   * The role of the ECS container instances (EC2 only). It needs what the ECS agent needs.
   *
   * @default - a new role with a least-privilege inline policy (no AWS-managed policies)
   */
  readonly instanceRole?: iam.IRole;
}
