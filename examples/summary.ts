import * as fs from 'fs';
import { Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CostReport } from '../src';

/** One stack of the example and how many workloads it holds. */
export interface StackSummary {
  readonly stack: Stack;
  readonly workloads: number;
}

/** Prints, per stack: resources by type, alarms, and the fixed monthly idle cost (from `CostReport`). */
export function summarize(assembly: cxapi.CloudAssembly, stacks: StackSummary[]): void {
  process.stderr.write(summaryLines(assembly, stacks).join('\n') + '\n');
}

/** What {@link summarize} prints, line by line. */
export function summaryLines(assembly: cxapi.CloudAssembly, stacks: StackSummary[]): string[] {
  const lines: string[] = [];
  for (const { stack, workloads } of stacks) {
    const template = JSON.parse(fs.readFileSync(assembly.getStackByName(stack.stackName).templateFullPath, 'utf-8'));
    const resources: Array<{ Type: string }> = Object.values(template.Resources ?? {});
    const byType = new Map<string, number>();
    for (const r of resources) byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);
    const report = CostReport.of(stack);
    lines.push(`${stack.stackName}: ${workloads} workload(s), ${resources.length} resources, ${byType.get('AWS::CloudWatch::Alarm') ?? 0} alarms, `
      + `idle cost $${report.monthlyUsd.toFixed(2)}/month (${report.region} list prices of ${report.priceDate})`);
    for (const item of report.items.filter(i => i.monthlyUsd > 0)) {
      lines.push(`    ${item.description}: ${item.quantity} x $${item.unitMonthlyUsd.toFixed(2)} = $${item.monthlyUsd.toFixed(2)}`);
    }
    const top = [...byType.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    lines.push(`    resources: ${top.map(([t, n]) => `${t.replace('AWS::', '')} ${n}`).join(', ')}`);
  }
  lines.push(`templates written to ${assembly.directory}`);
  return lines;
}
