import { Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, DependencyGroup } from 'constructs';
import { inHostSpellingEach } from './prop-names';

/** The name of the one inline policy of an {@link InlinePolicyRole}. */
const POLICY_NAME = 'Permissions';

/**
 * A role whose statements (grants, `addToPrincipalPolicy`) go into one inline policy of the role itself, not into a
 * separate `AWS::IAM::Policy`: one CloudFormation resource instead of two, which is what lets a workload stay within
 * five resources (issue #22). The policy is written only when it holds a statement (CloudFormation refuses an empty
 * one). Its size counts against the role's 10,240-character inline-policy quota
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), which the per-workload roles stay
 * far below; a statement that names a resource created after the role and depending on it would make a cycle, so
 * such statements (a state machine's calls on its own executions) stay in a policy of their own.
 */
export class InlinePolicyRole extends iam.Role {
  private readonly permissions: iam.PolicyDocument;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    const permissions = new iam.PolicyDocument();
    super(scope, id, props);
    this.permissions = permissions;
    this.node.addValidation({ validate: () => inHostSpellingEach(permissions.validateForIdentityPolicy()) });
    (this.node.defaultChild as iam.CfnRole).policies = Lazy.any({
      produce: () => permissions.isEmpty ? undefined : [{ policyName: POLICY_NAME, policyDocument: permissions }],
    });
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.permissions.addStatements(statement);
    // The statement is part of the role resource: whoever depends on the role has it.
    const policyDependable = new DependencyGroup(this);
    return { statementAdded: true, policyDependable };
  }
}
