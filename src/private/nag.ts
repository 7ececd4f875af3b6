import { Names, Stack, Tokenization, Validations } from 'aws-cdk-lib';
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
  let name = flatten(resolved);
  for (const [reference, parameter] of nestedStackParameters(stack, value)) name = name.split(reference).join(parameter);
  return name;
}

/**
 * A reference from a nested stack to a resource of a stack it is nested in becomes, at synth, a parameter of the
 * nested stack (`reference-to-<node unique id><attribute>`, aws-cdk-lib core/lib/private/refs.js,
 * createNestedStackParameter), and cdk-nag names the finding after that parameter: how each such reference in `value`
 * renders now, and how the finding names it.
 */
function nestedStackParameters(stack: Stack, value: unknown): Array<[string, string]> {
  if (typeof value !== 'string' || !stack.nested) return [];
  const pairs: Array<[string, string]> = [];
  for (const token of Tokenization.reverseString(value).tokens) {
    const reference = token as unknown as { readonly target?: IConstruct; readonly displayName?: string };
    if (reference.target === undefined || typeof reference.displayName !== 'string') continue;
    const producer = Stack.of(reference.target);
    let parent = stack.nestedStackParent;
    while (parent !== undefined && parent !== producer) parent = parent.nestedStackParent;
    if (parent === undefined) continue;
    const rendered = stack.resolve(token);
    const from = typeof rendered?.Ref === 'string' ? `<${rendered.Ref}>` : Array.isArray(rendered?.['Fn::GetAtt']) ? `<${rendered['Fn::GetAtt'].join('.')}>` : undefined;
    if (from !== undefined) pairs.push([from, `<referenceto${Names.nodeUniqueId(reference.target.node)}${reference.displayName}>`]);
  }
  return pairs;
}

/**
 * The prefix under which the acknowledgement is recorded. It keeps the acknowledgement to `scope` and its children.
 *
 * Why (aws-cdk-lib 2.263.0, cdk-nag 3.0.2): there are two matchers.
 * - cdk-nag's `NagPack.isAcknowledged()` (cdk-nag lib/nag-pack.js) looks only at the resource and its ancestors,
 *   and strips a leading `annotation::` (case-insensitive) from each recorded id before comparing.
 * - aws-cdk-lib's `collectSuppressions()` (core/lib/private/synthesis-validation.js) runs after the plugins, over
 *   the ids that `collectAcknowledgedRuleIds()` (core/lib/private/collect-acknowledged-rule-ids.js) gathers from
 *   every construct in the app, keyed by id alone (no construct path). A violation whose rule name contains `::`
 *   - every `AwsSolutions-IAM5[Resource::...]` - is looked up by its bare rule name, so an entry recorded as
 *   `AwsSolutions-IAM5[Resource::*]` anywhere silenced every such finding in the app, the user's too. A rule name
 *   without `::` is looked up as `<plugin>::<rule>` (`AwsSolutions::AwsSolutions-SQS3`), which is why SQS3 or EC28,
 *   recorded as `Annotation::AwsSolutions-SQS3` by `Validations.acknowledge()`, never matched app-wide.
 * Recorded as `Annotation::AwsSolutions-IAM5[...]`, the acknowledgement matches nothing in aws-cdk-lib's app-wide
 * lookup and still matches in cdk-nag's, which is scoped by construct path.
 */
const SCOPED_PREFIX = 'Annotation::';

/**
 * The CloudFormation resource the IAM5 finding is raised on: the default policy of a role when it exists (statements
 * added with `addToPrincipalPolicy` land there), otherwise `scope` itself.
 */
function policyResource(scope: IConstruct): IConstruct {
  return scope.node.tryFindChild('DefaultPolicy')?.node.defaultChild ?? scope;
}

/**
 * Acknowledges the cdk-nag AwsSolutions-IAM5 finding for one wildcard resource on `scope` (a role or policy), with the
 * reason beside the code that needs it, so that it applies to that policy only (see {@link SCOPED_PREFIX}). The id is
 * computed here because `Validations.acknowledge()` rejects ids with more than one '::', which ARNs with pseudo
 * parameters have; the same metadata entry is written instead.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const id = `AwsSolutions-IAM5[Resource::${nagResourceName(Stack.of(scope), resource)}]`;
  policyResource(scope).node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [SCOPED_PREFIX + id]: reason });
}

/**
 * Metadata key under which the library records a checker finding on one of its resources that it knows to be false
 * but does not acknowledge, because aws-cdk-lib can only acknowledge that rule for the whole app. The data is
 * `{ '<rule id>': '<reason>' }`, as for `Validations.ACKNOWLEDGED_RULES_METADATA_KEY`.
 */
export const KNOWN_FALSE_POSITIVE_METADATA_KEY = 'cdk-scheduled-batch:knownFalsePositive';

/**
 * Records, on `resource` only, a finding of aws-cdk-lib's template validator ("CloudFormation Validate") that is a
 * false positive there, instead of acknowledging it.
 *
 * Why not acknowledge (aws-cdk-lib 2.263.0): the validator's rule names carry no resource (`F3002`); the plugin
 * groups every resource a rule flags into one violation (`CloudFormationValidatePlugin.validate()`,
 * core/lib/validation/cloudformation-validate-plugin.js); and `collectSuppressions()`
 * (core/lib/private/synthesis-validation.js) takes out a whole violation when `CloudFormation-Validate::<rule>` is
 * acknowledged anywhere in the app. An acknowledgement here would hide the same rule on the user's resources, e.g. a
 * misspelt property added with `addPropertyOverride`. The finding is left in the report (a warning unless
 * `@aws-cdk/core:validateAgainstDefaultRules` is set); docs/security.md says how to review or acknowledge it.
 */
export function recordKnownFalsePositive(resource: IConstruct, ...findings: Array<{ id: string; reason: string }>): void {
  for (const { id, reason } of findings) {
    resource.node.addMetadata(KNOWN_FALSE_POSITIVE_METADATA_KEY, { [id]: reason });
  }
}
