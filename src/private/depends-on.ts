import { CfnResource, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Renders `resource`'s DependsOn without its role. aws-cdk-lib makes a function or state machine depend on its role
 * construct (the role and its default policy); the `Role`/`RoleArn` GetAtt already orders the role, so that explicit
 * dependency is redundant (cfn-lint W3005). Every other dependency is kept: the policy first, then any added to the
 * resource (e.g. on a deploy-time verification), in logical-id order.
 */
export function dependOnAllButRole(resource: CfnResource, role: iam.IRole): void {
  const stack = Stack.of(resource);
  const roleResource = role.node.defaultChild;
  const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
  resource.addOverride('DependsOn', Lazy.any({
    produce: () => {
      const others = resource.obtainDependencies()
        .filter((d): d is CfnResource => d instanceof CfnResource && d !== roleResource && d !== policy && Stack.of(d) === stack)
        .map(d => stack.getLogicalId(d))
        .sort();
      const ids = [...policy instanceof CfnResource ? [stack.getLogicalId(policy)] : [], ...others];
      return ids.length > 0 ? ids : undefined;
    },
  }));
}
