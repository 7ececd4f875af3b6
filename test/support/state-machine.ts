import { Template } from 'aws-cdk-lib/assertions';

/**
 * The one state machine of `template` (other than the stack's start check), or the one whose logical id starts with
 * `logicalIdPrefix`, its definition parsed, with CloudFormation joins flattened and references written as
 * `<LogicalId>` / `<LogicalId.Attribute>` (AWS::Partition as `aws`).
 */
export function definitionOf(template: Template, logicalIdPrefix?: string): any {
  // The stack's start check (on by default for tracked runs) is not the one meant unless asked for.
  const [machine] = Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))
    .filter(([id]) => (logicalIdPrefix === undefined ? !id.startsWith('StartDeadlineCheck') : id.startsWith(logicalIdPrefix)))
    .map(([, m]) => m) as any[];
  const flatten = (v: any): string => {
    if (typeof v === 'string') return v;
    if (v && Array.isArray(v['Fn::Join'])) return (v['Fn::Join'][1] as any[]).map(flatten).join(v['Fn::Join'][0]);
    if (v && v.Ref) return v.Ref === 'AWS::Partition' ? 'aws' : `<${v.Ref}>`;
    if (v && v['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
    throw new Error(`unexpected token: ${JSON.stringify(v)}`);
  };
  return JSON.parse(flatten(machine.Properties.DefinitionString));
}
