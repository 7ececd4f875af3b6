import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { ComputePlatform, ComputeRequirements } from '../../compute/compute-platform';

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
  /**
   * Whether the service documents VPC endpoint policies, so the endpoint gets the account-only policy of
   * {@link accountOnlyEndpointStatement}. The ECS endpoints do not: the ECS developer guide's endpoint page documents no
   * endpoint policy for `ecs`, `ecs-agent` or `ecs-telemetry` (earlier versions of the page said endpoint policies were
   * not supported), so they keep the default full-access policy.
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html
   * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html (ECR endpoint policies)
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch-logs-and-interface-VPC.html
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html
   */
  readonly supportsPolicy: boolean;
}

const ECS: InterfaceEndpointSpec = { name: 'ecs', id: 'EcsEndpoint', service: ec2.InterfaceVpcEndpointAwsService.ECS, supportsPolicy: false };
const ECS_AGENT: InterfaceEndpointSpec = { name: 'ecs-agent', id: 'EcsAgentEndpoint', service: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT, supportsPolicy: false };
const ECS_TELEMETRY: InterfaceEndpointSpec = { name: 'ecs-telemetry', id: 'EcsTelemetryEndpoint', service: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY, supportsPolicy: false };
const ECR_API: InterfaceEndpointSpec = { name: 'ecr.api', id: 'EcrApiEndpoint', service: ec2.InterfaceVpcEndpointAwsService.ECR, supportsPolicy: true };
const ECR_DKR: InterfaceEndpointSpec = { name: 'ecr.dkr', id: 'EcrDockerEndpoint', service: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER, supportsPolicy: true };
const LOGS: InterfaceEndpointSpec = { name: 'logs', id: 'LogsEndpoint', service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS, supportsPolicy: true };
const SECRETS_MANAGER: InterfaceEndpointSpec = { name: 'secretsmanager', id: 'SecretsManagerEndpoint', service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, supportsPolicy: true };
const SSM: InterfaceEndpointSpec = { name: 'ssm', id: 'SsmEndpoint', service: ec2.InterfaceVpcEndpointAwsService.SSM, supportsPolicy: true };

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

/**
 * Endpoint policy statement: any action, for principals of this account only (an identity perimeter). Everything the
 * compute does through an endpoint is signed by a role of this account (instance, execution and job roles), whichever
 * account owns the resource, so nothing the jobs do with their own roles is cut off; credentials of other accounts (the
 * usual exfiltration path) and anonymous requests are refused at the endpoint.
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalaccount
 */
export function accountOnlyEndpointStatement(stack: Stack): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'OnlyPrincipalsOfThisAccount',
    principals: [new iam.AnyPrincipal()],
    actions: ['*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:PrincipalAccount': stack.account } },
  });
}

/**
 * S3 gateway endpoint statement: ECR image layers. ECR serves layers from the AWS-owned bucket
 * `prod-<region>-starport-layer-bucket` through pre-signed URLs, so these requests are not signed by a principal of
 * this account and need their own statement; the ECR user guide gives `s3:GetObject` on that bucket's objects as the
 * minimum an S3 endpoint policy must allow for image pulls.
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
 */
export function ecrLayerBucketStatement(stack: Stack): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'EcrImageLayers',
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:GetObject'],
    resources: [`arn:${stack.partition}:s3:::prod-${stack.region}-starport-layer-bucket/*`],
  });
}
