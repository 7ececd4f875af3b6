/**
 * An AWS SDK integration Task (`arn:<partition>:states:::aws-sdk:<service>:<action>`) as a CustomState, bounded to 60
 * seconds, for the calls whose grant the engine writes itself: on this state machine's own executions (a policy the
 * role's default policy cannot hold) or under a condition (TerminateJob of tagged jobs), neither of which the typed
 * `CallAwsService` can express.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
import { Aws } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export function sdkCallState(scope: Construct, id: string, service: string, action: string, args: Record<string, unknown>,
  assign?: Record<string, unknown>): sfn.CustomState {
  return new sfn.CustomState(scope, id, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Aws.PARTITION}:states:::aws-sdk:${service}:${action}`,
      Arguments: args,
      ...assign ? { Assign: assign } : {},
      TimeoutSeconds: 60,
    },
  });
}
