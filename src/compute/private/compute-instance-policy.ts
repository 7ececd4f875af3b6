import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The log-group name prefix the instance role may write to: AWS Batch's default group (`/aws/batch/job`) and the
 * workloads' own groups (`/aws/batch/<job name>`) are all under it.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/using_awslogs.html
 * @see https://docs.aws.amazon.com/batch/latest/userguide/job_definition_parameters.html (logConfiguration)
 */
export const JOB_LOG_GROUP_PREFIX = '/aws/batch/';

/**
 * The statements an ECS container instance launched by AWS Batch needs: the equivalent of the AWS-managed
 * `AmazonEC2ContainerServiceforEC2Role` (v10, 2026-02-12), scoped to this account and Region wherever IAM
 * supports resource-level permissions.
 *
 * Differences from the managed policy:
 * - no `ecs:CreateCluster`: Batch creates the ECS cluster with its service-linked role and passes its name
 *   to the agent (`ECS_CLUSTER`); the agent only calls CreateCluster when no cluster is configured;
 * - `ecs:Submit*` is spelled out as the three Submit actions the agent calls;
 * - ECS, ECR and CloudWatch Logs resources are limited to this account and Region;
 * - CloudWatch Logs writes are limited to log groups under {@link JOB_LOG_GROUP_PREFIX} (the managed policy allows
 *   every log group).
 *
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEC2ContainerServiceforEC2Role.html
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
 */
export function ecsContainerInstanceStatements(stack: Stack): iam.PolicyStatement[] {
  return [...ecsAgentStatements(stack), ...imageAndLogStatements(stack)];
}

/** What the ECS agent itself calls: its poll endpoint, its cluster membership and the tags it reads and sets. */
function ecsAgentStatements(stack: Stack): iam.PolicyStatement[] {
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
  ];
}

/** What the containers need of the instance role: their ECR images pulled, their awslogs streams written. */
function imageAndLogStatements(stack: Stack): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'PullImagesFromThisAccount',
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      // On EC2 the ECS agent pulls ECR images with the instance role. The repositories are chosen by the job
      // definitions of every workload sharing this compute (also ones added later, in other stacks), not by the
      // compute environment: see docs/security.md.
      resources: [`arn:${stack.partition}:ecr:${stack.region}:${stack.account}:repository/*`],
    }),
    new iam.PolicyStatement({
      sid: 'AwslogsDriverWrite',
      // On EC2 the awslogs log driver needs logs:CreateLogStream and logs:PutLogEvents on the container instance role
      // (AmazonEC2ContainerServiceforEC2Role grants them); no CreateLogGroup: the groups exist. Limited to the job
      // log groups, whose names the job definitions choose under /aws/batch/.
      // @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
      // @see https://repost.aws/knowledge-center/ecs-container-logs-cloudwatch
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${JOB_LOG_GROUP_PREFIX}*`],
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
    [arn('ecr', 'repository/*'), 'The job definitions of every workload sharing this compute (also ones deployed later, from other stacks) choose the images, not the compute environment; image pulls only, in this account and Region.'],
    [arn('logs', `log-group:${JOB_LOG_GROUP_PREFIX}*`), `The awslogs driver writes with the instance role on EC2 and the job definitions choose the log group (and Batch creates the streams per job); CreateLogStream/PutLogEvents only, on log groups under ${JOB_LOG_GROUP_PREFIX} only.`],
  ];
}
