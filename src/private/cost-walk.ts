import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { hourlyToMonthly, lineItem } from './cost-math';
import { CostCategory, CostLineItem, ICostEstimable, UnitPrices } from '../cost/cost';

/** Whether a construct estimates its own cost (the one contract the cost walk knows). */
export function isCostEstimable(c: IConstruct): c is IConstruct & ICostEstimable {
  return typeof (c as unknown as Partial<ICostEstimable>).costLineItems === 'function';
}

/**
 * The fixed monthly idle cost of everything below `scope` (not `scope` itself): each `ICostEstimable` descendant
 * through its own `costLineItems()` (which covers its subtree), and, elsewhere, the billed resources no construct
 * prices (NAT gateways, Elastic IPs, interface endpoints per AZ, alarm metrics, dashboards, KMS keys, secrets).
 * Composite constructs implement `costLineItems()` with this walk, so asking them and walking them give one figure.
 */
export function subtreeCostLineItems(scope: IConstruct): CostLineItem[] {
  const items: CostLineItem[] = [];
  const found = { natGateways: 0, elasticIps: 0, interfaceEndpointAzs: 0, alarmMetrics: 0, dashboards: 0, kmsKeys: 0 };
  const visit = (c: IConstruct): void => {
    if (isCostEstimable(c)) {
      items.push(...c.costLineItems());
      return;
    }
    if (CfnResource.isCfnResource(c)) {
      const secret = countResource(c, found);
      if (secret) items.push(secret);
    }
    for (const child of c.node.children) visit(child);
  };
  for (const child of scope.node.children) visit(child);

  const monthlyIpv4 = hourlyToMonthly(UnitPrices.PUBLIC_IPV4_HOUR);
  items.push(lineItem(CostCategory.NAT, 'NAT gateway (outside CostOptimizedVpc)', found.natGateways, hourlyToMonthly(UnitPrices.NAT_GATEWAY_HOUR)));
  items.push(lineItem(CostCategory.PUBLIC_IPV4, 'Elastic IP (outside CostOptimizedVpc)', found.elasticIps, monthlyIpv4));
  items.push(lineItem(CostCategory.VPC_ENDPOINTS, 'Interface endpoint AZs (outside CostOptimizedVpc)', found.interfaceEndpointAzs,
    hourlyToMonthly(UnitPrices.INTERFACE_ENDPOINT_AZ_HOUR)));
  items.push(lineItem(CostCategory.ALARMS, 'CloudWatch alarm metrics (outside BatchAlarms)', found.alarmMetrics, UnitPrices.ALARM_METRIC_MONTH));
  items.push(lineItem(CostCategory.DASHBOARD, 'CloudWatch dashboard (outside BatchAlarms)', found.dashboards, UnitPrices.DASHBOARD_MONTH));
  items.push(lineItem(CostCategory.KMS_KEYS, 'KMS customer-managed key', found.kmsKeys, UnitPrices.KMS_KEY_MONTH));
  return normalizeCostItems(items);
}

/**
 * The items as a report lists them: zero lines dropped, items naming the same billed resource (same `key`) once, and
 * unkeyed lines of the same category, description and unit price (the same alarm of ten workloads) merged. Idempotent,
 * so a composite's `costLineItems()` and `CostReport.of(composite).items` are the same list.
 */
export function normalizeCostItems(items: CostLineItem[]): CostLineItem[] {
  const seen = new Set<string>();
  const merged = new Map<string, CostLineItem>();
  for (const i of items) {
    if (i.quantity === 0) continue;
    if (i.key !== undefined) {
      if (!seen.has(i.key)) merged.set(`key|${i.key}`, i);
      seen.add(i.key);
      continue;
    }
    const id = `${i.category}|${i.description}|${i.unitMonthlyUsd}`;
    const prev = merged.get(id);
    merged.set(id, prev ? lineItem(i.category, i.description, prev.quantity + i.quantity, i.unitMonthlyUsd) : i);
  }
  return [...merged.values()];
}

interface Counters {
  natGateways: number;
  elasticIps: number;
  interfaceEndpointAzs: number;
  alarmMetrics: number;
  dashboards: number;
  kmsKeys: number;
}

/** Counts one resource no construct prices; a Secrets Manager secret becomes an item keyed by its reference. */
function countResource(r: CfnResource, found: Counters): CostLineItem | undefined {
  if (r instanceof secretsmanager.CfnSecret) {
    return {
      ...lineItem(CostCategory.SECRETS, 'Secrets Manager secret', 1, UnitPrices.SECRET_MONTH),
      key: JSON.stringify(Stack.of(r).resolve(r.ref)),
    };
  }
  if (r instanceof kms.CfnKey) {
    found.kmsKeys++;
  } else if (r instanceof ec2.CfnNatGateway) {
    found.natGateways++;
  } else if (r instanceof ec2.CfnEIP) {
    found.elasticIps++;
  } else if (r instanceof ec2.CfnVPCEndpoint) {
    // Interface endpoints are billed per AZ (one ENI per subnet); gateway endpoints are free.
    // @see https://aws.amazon.com/privatelink/pricing/
    const type = r.vpcEndpointType;
    if (type !== undefined && !Token.isUnresolved(type) && type.toLowerCase() === 'interface') {
      const subnets = r.subnetIds;
      found.interfaceEndpointAzs += Array.isArray(subnets) ? subnets.length : 1;
    }
  } else if (r instanceof cloudwatch.CfnAlarm) {
    // A metric-math alarm is billed per metric in its expression. @see https://aws.amazon.com/cloudwatch/pricing/
    const metrics = r.metrics;
    found.alarmMetrics += Array.isArray(metrics)
      ? Math.max(1, metrics.filter(m => !Token.isUnresolved(m) && (m as cloudwatch.CfnAlarm.MetricDataQueryProperty).metricStat !== undefined).length)
      : 1;
  } else if (r instanceof cloudwatch.CfnDashboard) {
    found.dashboards++;
  }
  return undefined;
}
