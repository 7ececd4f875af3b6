import { Aws, CfnResource, Duration, Fn, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { dependOnAllButRole } from '../../private/depends-on';
import { InlinePolicyRole } from '../../private/inline-policy-role';
import { SCHEDULED_TIME_PARAMETER } from '../../private/job-options';
import { logEncryption, skipLogKeyCheckWithoutKey } from '../../private/log-encryption';

/**
 * The pieces a run tracker and a workflow share: the state log, the Standard state machine, the scheduler role and the
 * schedule target that starts one execution per scheduled time.
 */

/**
 * The state machine's log group, `ExecutionLogs`. Level ALL without execution data: a few small events per run (cents
 * a year at any schedule), the run record outlives the 90-day history, and the jobs' environment in the DescribeJobs
 * output stays out of the logs. Named /aws/vendedlogs/ so Step Functions' log delivery does not grow the account's 10
 * resource policies (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html). Retained, so the name ends
 * in the stack's id (new at every create): a redeploy after a destroy finds it free. Encrypted with `encryptionKey`
 * when one is given (`keyProp` names it in the checkov skip that applies without one).
 */
export function createExecutionLogGroup(scope: Construct, retention: logs.RetentionDays | undefined,
  encryptionKey?: kms.IKey, keyProp: string = 'logEncryptionKey'): logs.LogGroup {
  const logGroup = new logs.LogGroup(scope, 'ExecutionLogs', {
    logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(scope, { maxLength: 300, separator: '-' })}-${Fn.select(2, Fn.split('/', Aws.STACK_ID))}`,
    retention: retention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
    ...logEncryption(scope, encryptionKey),
  });
  skipLogKeyCheckWithoutKey(logGroup, encryptionKey, 'State events only (no execution data)', keyProp);
  return logGroup;
}

/**
 * The Standard state machine `StateMachine` of `definition` (ASL as data, with CDK tokens), logging to `logGroup`,
 * without X-Ray (cdk-nag SF2 acknowledged with `tracingReason`). Its role keeps its statements inline (one resource,
 * not a role and a policy), and the state machine depends on any other policy of the role but not on the role itself
 * (the RoleArn reference orders it; cfn-lint W3005).
 */
export function createRunStateMachine(scope: Construct, start: sfn.IChainable, logGroup: logs.ILogGroup,
  comment: string, tracingReason: string): sfn.StateMachine {
  const role = new InlinePolicyRole(scope, 'StateMachineRole', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    role,
    definitionBody: sfn.DefinitionBody.fromChainable(start),
    queryLanguage: sfn.QueryLanguage.JSONATA,
    comment,
    stateMachineType: sfn.StateMachineType.STANDARD,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    tracingEnabled: false,
  });
  Validations.of(stateMachine.node.defaultChild!).acknowledge({ id: 'AwsSolutions-SF2', reason: tracingReason });
  dependOnAllButRole(stateMachine.node.defaultChild as CfnResource, stateMachine.role);
  return stateMachine;
}

/** The role EventBridge Scheduler assumes, for schedules of this stack's account only, its statements inline. */
export function createSchedulerRole(scope: Construct, description: string): iam.Role {
  return new InlinePolicyRole(scope, 'SchedulerRole', {
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
