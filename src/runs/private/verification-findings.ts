import { CfnResource, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { dependOnAllButRole } from '../../private/depends-on';
import { acknowledgeWildcardResource } from '../../private/nag';

/** logs:CreateLogStream and logs:PutLogEvents on the one log group (no AWSLambdaBasicExecutionRole managed policy). */
export function grantLogWrite(role: iam.IRole, logGroup: logs.ILogGroup): void {
  logGroup.grantWrite(role);
}

/** What the acknowledgements name. */
export interface VerificationParts {
  readonly provider: cr.Provider;
  readonly submitFunction: lambda.IFunction;
  readonly checkFunction: lambda.IFunction;
  readonly frameworkRoles: iam.IRole[];
  readonly jobsArn: string;
  readonly logGroup: logs.ILogGroup;
}

/**
 * The checker findings of the deploy-time verification that cannot be fixed, each acknowledged on the resource it is
 * raised on, with its reason (listed in docs/security.md, "Deploy-time verification").
 */
export function acknowledgeVerificationFindings(parts: VerificationParts): void {
  const checkRole = parts.checkFunction.role!;
  acknowledgeWildcardResource(checkRole, '*',
    'batch:DescribeJobs has no resource-level permissions: IAM requires "*". It only reads job status.');
  acknowledgeWildcardResource(checkRole, parts.jobsArn,
    'batch:TerminateJob (the verification run is stopped at its deadline) acts on a job id that exists only at deploy time; '
    + 'it is conditioned on the workload tag (cdk-scheduled-batch:workload) the run carries.');
  acknowledgeWildcardResource(parts.submitFunction.role!, parts.jobsArn,
    'batch:TagResource (the verification run is tagged as it is submitted) acts on a job id that exists only at deploy time; '
    + 'it is conditioned on the one tag key and this workload\'s value.');
  // The Provider framework grants lambda:InvokeFunction on each function and its versions (`<arn>:*`).
  for (const role of parts.frameworkRoles) {
    for (const fn of [parts.submitFunction, parts.checkFunction]) {
      acknowledgeWildcardResource(role, `${fn.functionArn}:*`,
        'Added by the CDK Provider framework (lambda:InvokeFunction on the function and its versions); the function is this verification\'s own.');
    }
  }
  const waiter = parts.provider.node.findChild('waiter-state-machine');
  const waiterRole = waiter.node.findChild('Role');
  for (const id of ['framework-isComplete', 'framework-onTimeout']) {
    const fn = parts.provider.node.findChild(id) as lambda.IFunction;
    acknowledgeWildcardResource(waiterRole, `${fn.functionArn}:*`,
      'Added by the CDK Provider framework: its waiter state machine invokes the framework\'s own functions and their versions.');
  }
  const waiterLogs = 'Added by the CDK Provider framework to its waiter state machine\'s role: the CloudWatch Logs delivery actions '
    + 'Step Functions logging needs have no resource-level permissions, so IAM requires "*" (the framework also lists '
    + 'logs:CreateLogStream and logs:PutLogEvents there; the state machine writes only to the verification\'s log group).';
  acknowledgeWildcardResource(waiterRole, '*', waiterLogs);
  (waiterRole.node.findChild('DefaultPolicy').node.defaultChild as CfnResource).addMetadata('checkov', {
    skip: [{ id: 'CKV_AWS_111', comment: waiterLogs }],
  });
  // The Role/RoleArn GetAtt already orders each role (cfn-lint W3005): keep the other dependencies only.
  const fns = [parts.submitFunction, parts.checkFunction, ...['framework-onEvent', 'framework-isComplete', 'framework-onTimeout']
    .map(id => parts.provider.node.findChild(id) as lambda.IFunction)];
  for (const fn of fns) dependOnAllButRole(fn.node.defaultChild as CfnResource, fn.role!);
  dependOnAllButRole(waiter.node.findChild('Resource') as CfnResource, waiterRole as iam.IRole);
  Validations.of(waiter.node.findChild('Resource')).acknowledge({
    id: 'AwsSolutions-SF2',
    reason: 'The CDK Provider framework\'s waiter (it polls one verification run every 30 seconds) offers no tracing option; its state log and the functions\' logs show every poll.',
  });
  for (const fn of fns) {
    (fn.node.defaultChild as CfnResource).addMetadata('checkov', { skip: CHECKOV_LAMBDA_SKIPS });
  }
}

/** Each reason names why the control does not apply to a deploy-time custom-resource function. */
const CHECKOV_LAMBDA_SKIPS: ReadonlyArray<{ id: string; comment: string }> = [
  { id: 'CKV_AWS_115', comment: 'Runs only during a deployment that changes the job definition; reserved concurrency would take from the account pool (new accounts cannot reserve any) for no benefit.' },
  { id: 'CKV_AWS_116', comment: 'A custom-resource handler: a failed call fails the deployment and CloudFormation reports it; there is no event to redrive.' },
  { id: 'CKV_AWS_117', comment: 'Calls only the AWS Batch, Lambda and Step Functions APIs and the CloudFormation response URL; no VPC resource to reach.' },
  { id: 'CKV_AWS_173', comment: 'The only environment variables are ARNs of this stack\'s functions and state machine (no secrets); a KMS key adds $1/month.' },
];

