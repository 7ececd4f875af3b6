import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The statements an ECS container instance launched by AWS Batch needs: the equivalent of the AWS-managed
 * `AmazonEC2ContainerServiceforEC2Role` (v10, 2026-02-12), scoped to this account and Region wherever IAM
 * supports resource-level permissions.
 *
 * Differences from the managed policy:
 * - no `ecs:CreateCluster`: Batch creates the ECS cluster with its service-linked role and passes its name
 *   to the agent (`ECS_CLUSTER`); the agent only calls CreateCluster when no cluster is configured;
 * - `ecs:Submit*` is spelled out as the three Submit actions the agent calls;
 * - ECS, ECR and CloudWatch Logs resources are limited to this account and Region.
 *
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEC2ContainerServiceforEC2Role.html
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
 */
export function ecsContainerInstanceStatements(stack: Stack): iam.PolicyStatement[] {
  const ecsArn = (resource: string) => `arn:${stack.partition}:ecs:${stack.region}:${stack.account}:${resource}`;
  // Batch names its ECS clusters itself (<ce-name>_Batch_<uuid>), so the ARNs are unknown at synth time.
  const clusters = ecsArn('cluster/*');
  const containerInstances = ecsArn('container-instance/*');
  const tasks = ecsArn('task/*');
  return [
    new iam.PolicyStatement({
      sid: 'EcsAgentUnscopedActions',
      actions: [
        // ECS DiscoverPollEndpoint supports no resource-level permissions: IAM requires "*".
        'ecs:DiscoverPollEndpoint',
        // EC2 Describe* actions support no resource-level permissions: IAM requires "*".
        'ec2:DescribeTags',
        // The ECR registry token is account-wide: IAM requires "*".
        'ecr:GetAuthorizationToken',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'EcsAgentClusterMembership',
      actions: [
        'ecs:RegisterContainerInstance',
        'ecs:DeregisterContainerInstance',
        'ecs:Poll',
        'ecs:StartTelemetrySession',
        'ecs:UpdateContainerInstancesState',
        'ecs:SubmitAttachmentStateChanges',
        'ecs:SubmitContainerStateChange',
        'ecs:SubmitTaskStateChange',
      ],
      resources: [clusters, containerInstances],
    }),
    new iam.PolicyStatement({
      sid: 'EcsAgentTagOnRegister',
      actions: ['ecs:TagResource'],
      resources: [containerInstances],
      conditions: { StringEquals: { 'ecs:CreateAction': ['RegisterContainerInstance'] } },
    }),
    new iam.PolicyStatement({
      sid: 'EcsAgentReadTags',
      actions: ['ecs:ListTagsForResource'],
      resources: [containerInstances, tasks],
    }),
    new iam.PolicyStatement({
      sid: 'PullImagesFromThisAccount',
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      // Repositories are chosen by the job definitions, not by the compute environment.
      resources: [`arn:${stack.partition}:ecr:${stack.region}:${stack.account}:repository/*`],
    }),
    new iam.PolicyStatement({
      sid: 'AwslogsDriverWrite',
      // On EC2 the Docker awslogs driver writes with the instance role; log groups are chosen by the job definitions.
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`],
    }),
  ];
}

/**
 * The wildcard resources left in {@link ecsContainerInstanceStatements}, each forced by AWS, with the reason a reviewer
 * needs (listed in docs/security.md).
 */
export function instancePolicyWildcards(stack: Stack): Array<[string, string]> {
  const arn = (service: string, resource: string) => `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}`;
  return [
    ['*', 'ecs:DiscoverPollEndpoint, ec2:DescribeTags and ecr:GetAuthorizationToken support no resource-level permissions; IAM requires "*".'],
    [arn('ecs', 'cluster/*'), 'Batch creates and names the ECS cluster itself; its ARN is unknown at synth time. Limited to this account and Region.'],
    [arn('ecs', 'container-instance/*'), 'Container instances register at launch; their ARNs do not exist at synth time. Limited to this account and Region.'],
    [arn('ecs', 'task/*'), 'Task ARNs are created per job attempt (ecs:ListTagsForResource only). Limited to this account and Region.'],
    [arn('ecr', 'repository/*'), 'Job definitions, not the compute environment, choose the images; image pulls only, in this account and Region.'],
    [arn('logs', 'log-group:*'), 'The awslogs driver writes with the instance role on EC2 and job definitions choose the log group; CreateLogStream/PutLogEvents only.'],
  ];
}
