import * as fs from 'fs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CostLineItem, UnitPrices } from '../src';

/** What one stack of the example deploys. */
export interface StackSummary {
  readonly stackName: string;
  readonly costItems: CostLineItem[];
  readonly workloads: number;
}

/** Prints, per stack: resources by type, alarms, and the fixed monthly idle cost. */
export function summarize(assembly: cxapi.CloudAssembly, stacks: StackSummary[]): void {
  const lines: string[] = [];
  for (const s of stacks) {
    const artifact = assembly.getStackByName(s.stackName);
    const template = JSON.parse(fs.readFileSync(artifact.templateFullPath, 'utf-8'));
    const resources: Array<{ Type: string }> = Object.values(template.Resources ?? {});
    const byType = new Map<string, number>();
    for (const r of resources) byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);
    const cost = s.costItems.reduce((sum, i) => sum + i.monthlyUsd, 0);
    lines.push(`${s.stackName}: ${s.workloads} workload(s), ${resources.length} resources, ${byType.get('AWS::CloudWatch::Alarm') ?? 0} alarms, ` +
      `idle cost $${cost.toFixed(2)}/month (${UnitPrices.REGION} list prices of ${UnitPrices.PRICE_DATE})`);
    // Same item in several workloads: one line with the quantities added up.
    const grouped = new Map<string, { quantity: number; unit: number; monthly: number }>();
    for (const item of s.costItems.filter(i => i.monthlyUsd > 0)) {
      const g = grouped.get(item.description) ?? { quantity: 0, unit: item.unitMonthlyUsd, monthly: 0 };
      grouped.set(item.description, { quantity: g.quantity + item.quantity, unit: g.unit, monthly: g.monthly + item.monthlyUsd });
    }
    for (const [description, g] of grouped) {
      lines.push(`    ${description}: ${g.quantity} x $${g.unit.toFixed(2)} = $${g.monthly.toFixed(2)}`);
    }
    const top = [...byType.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    lines.push(`    resources: ${top.map(([t, n]) => `${t.replace('AWS::', '')} ${n}`).join(', ')}`);
  }
  lines.push(`templates written to ${assembly.directory}`);
  process.stderr.write(lines.join('\n') + '\n');
}
