import { Aws, CfnResource, Duration, Fn, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { dependOnAllButRole } from './depends-on';
import { SCHEDULED_TIME_PARAMETER } from './job-options';
import { acknowledgeWildcardResource } from './nag';

/**
 * The pieces a run tracker and a workflow share: the state log, the Standard state machine, the scheduler role and the
 * schedule target that starts one execution per scheduled time.
 */

/**
 * The state machine's log group, `ExecutionLogs`. Level ALL without execution data: a few small events per run (cents
 * a year at any schedule), the run record outlives the 90-day history, and the jobs' environment in the DescribeJobs
 * output stays out of the logs. Named /aws/vendedlogs/ so Step Functions' log delivery does not grow the account's 10
 * resource policies (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html). Retained, so the name ends
 * in the stack's id (new at every create): a redeploy after a destroy finds it free.
 */
export function createExecutionLogGroup(scope: Construct, retention: logs.RetentionDays | undefined): logs.LogGroup {
  const logGroup = new logs.LogGroup(scope, 'ExecutionLogs', {
    logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(scope, { maxLength: 300, separator: '-' })}-${Fn.select(2, Fn.split('/', Aws.STACK_ID))}`,
    retention: retention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  (logGroup.node.defaultChild as logs.CfnLogGroup).addMetadata('checkov', {
    skip: [{
      id: 'CKV_AWS_158',
      comment: 'State events only (no execution data), encrypted at rest by CloudWatch Logs with a service key; a KMS CMK adds $1/month.',
    }],
  });
  return logGroup;
}

/**
 * The Standard state machine `StateMachine` of `definition` (ASL as data, with CDK tokens), logging to `logGroup`,
 * without X-Ray (cdk-nag SF2 acknowledged with `tracingReason`), depending on its role's policy but not on the role
 * itself (cfn-lint W3005).
 */
export function createRunStateMachine(scope: Construct, definition: Record<string, unknown>, logGroup: logs.ILogGroup,
  tracingReason: string): sfn.StateMachine {
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    definitionBody: sfn.DefinitionBody.fromString(Stack.of(scope).toJsonString(definition)),
    stateMachineType: sfn.StateMachineType.STANDARD,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    tracingEnabled: false,
  });
  Validations.of(stateMachine.node.defaultChild!).acknowledge({ id: 'AwsSolutions-SF2', reason: tracingReason });
  dependOnAllButRole(stateMachine.node.defaultChild as CfnResource, stateMachine.role);
  return stateMachine;
}

/** The role EventBridge Scheduler assumes, for schedules of this stack's account only. */
export function createSchedulerRole(scope: Construct, description: string): iam.Role {
  return new iam.Role(scope, 'SchedulerRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
    description,
  });
}

/** Options of {@link scheduledRunTarget}. */
export interface ScheduledRunTargetOptions {
  readonly role?: iam.IRole;
  readonly deadLetterQueue?: sqs.IQueue;
  readonly retryAttempts?: number;
  readonly maxEventAge?: Duration;
}

/** Starts one execution of `stateMachine` per scheduled time, with `{"scheduledTime": <aws.scheduler.scheduled-time>}`. */
export function scheduledRunTarget(stateMachine: sfn.IStateMachine, options: ScheduledRunTargetOptions): scheduler.IScheduleTarget {
  return new targets.StepFunctionsStartExecution(stateMachine, {
    input: scheduler.ScheduleTargetInput.fromObject({ [SCHEDULED_TIME_PARAMETER]: scheduler.ContextAttribute.scheduledTime }),
    ...options,
  });
}

/**
 * The role of a state machine that runs AWS Batch jobs with `.sync` and reports to a topic: SubmitJob on exactly
 * `submitResources`, the documented `.sync` policy scoped where IAM allows
 * (https://docs.aws.amazon.com/step-functions/latest/dg/batch-iam.html), the job lookups, and sns:Publish. The
 * wildcards IAM forces are acknowledged on the role's policy with their reasons (docs/security.md).
 */
export function grantBatchRuns(stateMachine: sfn.StateMachine, options: {
  readonly submitResources: string[];
  readonly topic: sns.ITopic;
  /** What the state machine stops at its deadline, for the TerminateJob acknowledgement: "the job", "a step". */
  readonly stopped: string;
}): void {
  const stack = Stack.of(stateMachine);
  const role = stateMachine.role;
  stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['batch:SubmitJob'], resources: options.submitResources }));
  // Job ids are known only at run time. https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbatch.html
  const jobs = stack.formatArn({ service: 'batch', resource: 'job', resourceName: '*' });
  stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['batch:TerminateJob'], resources: [jobs] }));
  // DescribeJobs (.sync polling, a late job) and ListJobs (finding it by name) have no resource-level permissions.
  stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['batch:DescribeJobs', 'batch:ListJobs'], resources: ['*'] }));
  // The managed rule through which Step Functions learns that a job finished.
  stateMachine.addToRolePolicy(new iam.PolicyStatement({
    actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
    resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForBatchJobsRule' })],
  }));
  options.topic.grantPublish(role);
  if (options.topic.masterKey) {
    // sns:Publish to a KMS-encrypted topic needs the key's data keys; the grant names the topic's own key.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Publishing to the KMS-encrypted notification topic needs kms:GenerateDataKey* (a data key per message); the grant is on the topic\'s own key only.',
    });
  }
  acknowledgeWildcardResource(role, '*',
    'batch:DescribeJobs and batch:ListJobs have no resource-level permissions, nor have the CloudWatch Logs delivery actions Step Functions logging needs: IAM requires "*".');
  acknowledgeWildcardResource(role, jobs,
    `batch:TerminateJob (${options.stopped} is stopped at the run deadline) acts on job ids that exist only at run time.`);
}
