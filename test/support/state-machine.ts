import { Template } from 'aws-cdk-lib/assertions';

/**
 * The one state machine of `template`, its definition parsed, with CloudFormation joins flattened and references
 * written as `<LogicalId>` / `<LogicalId.Attribute>` (AWS::Partition as `aws`).
 */
export function definitionOf(template: Template): any {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as any[];
  const flatten = (v: any): string => {
    if (typeof v === 'string') return v;
    if (v && Array.isArray(v['Fn::Join'])) return (v['Fn::Join'][1] as any[]).map(flatten).join(v['Fn::Join'][0]);
    if (v && v.Ref) return v.Ref === 'AWS::Partition' ? 'aws' : `<${v.Ref}>`;
    if (v && v['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
    throw new Error(`unexpected token: ${JSON.stringify(v)}`);
  };
  return JSON.parse(flatten(machine.Properties.DefinitionString));
}
