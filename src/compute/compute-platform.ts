/**
 * Where Batch runs the containers. It decides which AWS endpoints the compute must reach:
 * EC2 container instances talk to the ECS control plane (`ecs`, `ecs-agent`, `ecs-telemetry`),
 * Fargate tasks do not.
 *
 * @see https://docs.aws.amazon.com/batch/latest/userguide/vpc-endpoint-considerations.html
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html
 */
export enum ComputePlatform {
  /** ECS container instances launched by Batch on EC2. */
  EC2 = 'EC2',
  /** AWS Fargate tasks (platform version 1.4 or later). */
  FARGATE = 'FARGATE',
}

/**
 * What a piece of compute placed in a VPC needs to reach, so the VPC can provide it
 * (endpoints in an endpoints-only VPC) or a synth-time guard can check it.
 *
 * Every field is optional, so that a method taking these requirements as its last, optional parameter can be called
 * without them in every language: Python passes them as keyword arguments and, when none is given, an empty struct
 * rather than nothing (`ComputeReachability.require(scope, vpc)`).
 */
export interface ComputeRequirements {
  /**
   * The compute platform.
   * @default ComputePlatform.EC2 - the platform that needs more endpoints (`ecs`, `ecs-agent` and `ecs-telemetry` on
   * top of Fargate's `ecr.api`, `ecr.dkr` and `logs`)
   */
  readonly platform?: ComputePlatform;
  /**
   * The jobs read secrets from AWS Secrets Manager (needs the `secretsmanager` endpoint without NAT).
   * @default false
   */
  readonly secretsManager?: boolean;
  /**
   * The jobs read parameters from SSM Parameter Store (needs the `ssm` endpoint without NAT).
   * @default false
   */
  readonly ssmParameters?: boolean;
}
