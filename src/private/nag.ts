import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Renders a (possibly tokenized) IAM resource the way cdk-nag names it in an `AwsSolutions-IAM5[Resource::...]`
 * finding: references as `<LogicalId>` / `<LogicalId.Attribute>`, joins concatenated.
 */
function nagResourceName(stack: Stack, value: unknown): string {
  const resolved = stack.resolve(value);
  const flatten = (v: any): string => {
    if (typeof v === 'string') return v;
    if (v && Array.isArray(v['Fn::Join'])) return (v['Fn::Join'][1] as any[]).map(flatten).join(v['Fn::Join'][0]);
    if (v && typeof v.Ref === 'string') return `<${v.Ref}>`;
    if (v && Array.isArray(v['Fn::GetAtt'])) return `<${v['Fn::GetAtt'].join('.')}>`;
    return JSON.stringify(v);
  };
  return flatten(resolved);
}

/**
 * Acknowledges the cdk-nag AwsSolutions-IAM5 finding for one wildcard resource on `scope` (a role or policy), with the
 * reason beside the code that needs it. The id is computed here because `Validations.acknowledge()` rejects ids with
 * more than one '::', which ARNs with pseudo parameters have; the same metadata entry is written instead.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const id = `AwsSolutions-IAM5[Resource::${nagResourceName(Stack.of(scope), resource)}]`;
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}
