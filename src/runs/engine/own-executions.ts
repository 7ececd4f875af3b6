import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../../private/nag';

/**
 * Grants the run's state machine ListExecutions on itself (`listsExecutions`) and `actions` on its own executions, in a
 * policy of their own (`<scope>/OverlapCheckPolicy`): the role's default policy is one the state machine waits for,
 * so it cannot name the state machine without a circular dependency. Nothing is created when there is nothing to grant.
 */
export function grantOwnExecutions(scope: Construct, stateMachine: sfn.StateMachine, listsExecutions: boolean, actions: string[]): void {
  if (!listsExecutions && actions.length === 0) return;
  const policy = new iam.Policy(scope, 'OverlapCheckPolicy', { roles: [stateMachine.role] });
  if (listsExecutions) {
    policy.addStatements(new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [stateMachine.stateMachineArn] }));
  }
  if (actions.length > 0) {
    const executions = Stack.of(stateMachine).formatArn({
      service: 'states', resource: 'execution', resourceName: `${stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    policy.addStatements(new iam.PolicyStatement({ actions, resources: [executions] }));
    acknowledgeWildcardResource(policy.node.defaultChild!, executions,
      `${actions.join(' and ')} act on the earlier run, an execution of this state machine whose name exists only at run time: `
      + 'the resource is execution:<this state machine\'s name>:*, the executions of no other state machine.');
  }
}
