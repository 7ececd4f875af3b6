/**
 * The statements a role holds in a synthesized template, wherever they are: its inline policies (the library's roles
 * keep them there: src/private/inline-policy-role.ts) and every AWS::IAM::Policy attached to it.
 */
export function roleStatements(template: { Resources?: Record<string, any> }, roleLogicalId: string): any[] {
  const resources = template.Resources ?? {};
  const role = resources[roleLogicalId];
  if (!role || role.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role of this template`);
  const inline = (role.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement);
  const attached = Object.values<any>(resources)
    .filter(r => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles ?? []).some((ref: any) => ref.Ref === roleLogicalId))
    .flatMap(r => r.Properties.PolicyDocument.Statement);
  return [...inline, ...attached];
}

/** The logical id of the one role whose id starts with `prefix`. */
export function roleId(template: { Resources?: Record<string, any> }, prefix: string | RegExp): string {
  const ids = Object.entries<any>(template.Resources ?? {})
    .filter(([id, r]) => r.Type === 'AWS::IAM::Role' && (typeof prefix === 'string' ? id.startsWith(prefix) : prefix.test(id)))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one role matching ${prefix}, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0];
}
