import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { ComputePlatform, ComputeRequirements } from '../compute-platform';

/**
 * One interface endpoint a piece of compute may need when its subnets have no route to a NAT or an internet gateway.
 */
export interface InterfaceEndpointSpec {
  /** Short service name, as in `com.amazonaws.<region>.<name>`. */
  readonly name: string;
  /** Construct ID of the endpoint inside CostOptimizedVpc (stable, public API). */
  readonly id: string;
  /** The aws-cdk-lib service. */
  readonly service: ec2.InterfaceVpcEndpointAwsService;
}

const ECS: InterfaceEndpointSpec = { name: 'ecs', id: 'EcsEndpoint', service: ec2.InterfaceVpcEndpointAwsService.ECS };
const ECS_AGENT: InterfaceEndpointSpec = { name: 'ecs-agent', id: 'EcsAgentEndpoint', service: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT };
const ECS_TELEMETRY: InterfaceEndpointSpec = { name: 'ecs-telemetry', id: 'EcsTelemetryEndpoint', service: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY };
const ECR_API: InterfaceEndpointSpec = { name: 'ecr.api', id: 'EcrApiEndpoint', service: ec2.InterfaceVpcEndpointAwsService.ECR };
const ECR_DKR: InterfaceEndpointSpec = { name: 'ecr.dkr', id: 'EcrDockerEndpoint', service: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER };
const LOGS: InterfaceEndpointSpec = { name: 'logs', id: 'LogsEndpoint', service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS };
const SECRETS_MANAGER: InterfaceEndpointSpec = { name: 'secretsmanager', id: 'SecretsManagerEndpoint', service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER };
const SSM: InterfaceEndpointSpec = { name: 'ssm', id: 'SsmEndpoint', service: ec2.InterfaceVpcEndpointAwsService.SSM };

/** Every endpoint this library knows, in the order they are created and reported. */
export const ALL_INTERFACE_ENDPOINTS: InterfaceEndpointSpec[] = [ECS, ECS_AGENT, ECS_TELEMETRY, ECR_API, ECR_DKR, LOGS, SECRETS_MANAGER, SSM];

/** Short name of the S3 gateway endpoint service. */
export const S3_GATEWAY_NAME = 's3';

/** The union of several requirements, as flags. */
export interface RequirementFlags {
  readonly ec2: boolean;
  readonly fargate: boolean;
  readonly secretsManager: boolean;
  readonly ssmParameters: boolean;
}

export const NO_REQUIREMENTS: RequirementFlags = { ec2: false, fargate: false, secretsManager: false, ssmParameters: false };

/** Adds one requirement to a union. */
export function unionRequirements(flags: RequirementFlags, req: ComputeRequirements): RequirementFlags {
  const platform = req.platform ?? ComputePlatform.EC2;
  return {
    ec2: flags.ec2 || platform === ComputePlatform.EC2,
    fargate: flags.fargate || platform === ComputePlatform.FARGATE,
    secretsManager: flags.secretsManager || (req.secretsManager ?? false),
    ssmParameters: flags.ssmParameters || (req.ssmParameters ?? false),
  };
}

/**
 * The interface endpoints compute needs in subnets without a NAT or internet route.
 *
 * EC2 container instances need `ecs`, `ecs-agent`, `ecs-telemetry` to register with ECS; both platforms need
 * `ecr.api`, `ecr.dkr` (image pull) and `logs` (awslogs driver); `secretsmanager` / `ssm` only for job secrets.
 *
 * @see https://docs.aws.amazon.com/batch/latest/userguide/vpc-endpoint-considerations.html
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html
 */
export function requiredInterfaceEndpoints(flags: RequirementFlags): InterfaceEndpointSpec[] {
  const needed = new Set<InterfaceEndpointSpec>();
  if (flags.ec2) {
    [ECS, ECS_AGENT, ECS_TELEMETRY].forEach(e => needed.add(e));
  }
  if (flags.ec2 || flags.fargate) {
    [ECR_API, ECR_DKR, LOGS].forEach(e => needed.add(e));
  }
  if (flags.secretsManager) {
    needed.add(SECRETS_MANAGER);
  }
  if (flags.ssmParameters) {
    needed.add(SSM);
  }
  return ALL_INTERFACE_ENDPOINTS.filter(e => needed.has(e));
}

/**
 * Whether a (possibly tokenized) endpoint service name is `com.amazonaws.<region>.<shortName>`.
 * The name is resolved first: in an environment-agnostic stack it is an `Fn::Join` whose last literal part is
 * `.<shortName>`.
 */
export function serviceNameIs(scope: IConstruct, serviceName: string, shortName: string): boolean {
  const resolved = JSON.stringify(Stack.of(scope).resolve(serviceName));
  const escaped = shortName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\.${escaped}"`).test(resolved);
}
