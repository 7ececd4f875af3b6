import { Annotations, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { BatchAlarms } from './batch-alarms';
import { BatchPlatform } from './batch-platform';
import { CostCategory, CostLineItem, ICostEstimable, UnitPrices } from './cost';
import { CostOptimizedVpc } from './cost-optimized-vpc';
import { hourlyToMonthly, lineItem, totalMonthly } from './private/cost-math';
import { isSecretsManagerSecret } from './private/secrets';
import { ScheduledBatchWorkload } from './scheduled-batch-workload';
import { SpotComputeEnvironment } from './spot-compute-environment';

/** Id of the warning {@link CostReport.annotate} adds; acknowledge it with `Annotations.of(scope).acknowledgeWarning(id)`. */
export const IDLE_COST_WARNING_ID = 'cdk-scheduled-batch:idleCost';

/**
 * The estimated fixed monthly idle cost of everything created inside a construct: a workload, a VPC, a platform, a
 * stack or the whole app. Idle means 730 hours a month, no traffic and compute scaled to zero; prices are the
 * us-east-1 list prices of `UnitPrices.PRICE_DATE` (`UnitPrices`, the one place prices live, cites their pages).
 *
 * What is counted, walking the construct tree below the scope (each resource once, where it is defined):
 * - the library's constructs through their own `costLineItems()`: `CostOptimizedVpc` (NAT, public IPv4, endpoints,
 *   NAT-instance volume and alarms), `BatchAlarms` (alarm metrics, dashboard), `SpotComputeEnvironment` (nothing
 *   while scaled to zero). `ScheduledBatchWorkload` and `BatchPlatform` are walked into rather than asked, so a
 *   shared platform is counted once and a brought VPC where it is defined;
 * - any other `ICostEstimable` construct through its `costLineItems()` (its subtree is not walked further, except for
 *   KMS keys and secrets);
 * - elsewhere: NAT gateways, Elastic IPs, interface VPC endpoints (per subnet), CloudWatch alarms (per metric) and
 *   dashboards, e.g. those of an `ec2.Vpc` or an `aws-ecs-patterns` stack;
 * - everywhere: KMS customer-managed keys and Secrets Manager secrets created in the scope, and the Secrets Manager
 *   secrets the workloads in the scope read but that are defined elsewhere (each distinct secret once).
 *
 * Resources outside the scope (a shared platform for `CostReport.of(workload)`, a VPC passed in as `vpc`) are not
 * counted: report on the stack for the whole bill.
 *
 * @example
 * const workload = new ScheduledBatchWorkload(this, 'Nightly', {
 *   schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
 * });
 * const report = CostReport.of(this); // 8.26 (NAT instance $7.56 + 7 alarms $0.70)
 * report.annotate(); // a synth-time warning stating the figure, acknowledgeable
 */
export class CostReport {
  /**
   * The report of everything created inside `scope`, as the tree stands now: call it after the constructs it should
   * count have been added (e.g. at the end of the stack's constructor).
   */
  public static of(scope: IConstruct): CostReport {
    return new CostReport(scope, collect(scope));
  }

  /** The cost, line by line. Lines of a zero quantity are left out. */
  public readonly items: CostLineItem[];
  /** Total of `items`, in USD per month, rounded to cents. */
  public readonly monthlyUsd: number;
  /** Date the unit prices were read from the AWS pricing pages (`UnitPrices.PRICE_DATE`). */
  public readonly priceDate: string;
  /** Region whose list prices are used (`UnitPrices.REGION`). */
  public readonly region: string;

  private readonly scope: IConstruct;

  private constructor(scope: IConstruct, items: CostLineItem[]) {
    this.scope = scope;
    this.items = mergeSameItems(items.filter(i => i.quantity !== 0));
    this.monthlyUsd = totalMonthly(this.items);
    this.priceDate = UnitPrices.PRICE_DATE;
    this.region = UnitPrices.REGION;
  }

  /** Total of the items of one category, in USD per month, rounded to cents. */
  public monthlyUsdOf(category: CostCategory): number {
    return totalMonthly(this.items.filter(i => i.category === category));
  }

  /** The report as a Markdown table: one row per item, the total, the price date and region. */
  public toMarkdown(): string {
    const rows = this.items.map(i => `| ${i.description} | ${i.quantity} | ${usd(i.unitMonthlyUsd)} | ${usd(i.monthlyUsd)} |`);
    return [
      `Fixed monthly idle cost of \`${this.scope.node.path || '(app)'}\`: **${usd(this.monthlyUsd)}**`,
      '',
      '| Item | Quantity | Unit/month | Month |',
      '|---|---:|---:|---:|',
      ...rows,
      `| **Total** | | | **${usd(this.monthlyUsd)}** |`,
      '',
      `${this.region} list prices of ${this.priceDate}; 730 hours a month, no traffic, compute scaled to zero. `
        + 'Free tiers (10 alarms, 3 dashboards per account) are not deducted.',
    ].join('\n');
  }

  /**
   * Adds a synth-time warning to the scope stating the figure and its largest items
   * (id `cdk-scheduled-batch:idleCost`). Opt-in, because `cdk synth --strict` fails on warnings; acknowledge it with
   * `Annotations.of(scope).acknowledgeWarning('cdk-scheduled-batch:idleCost')` once the figure is known and accepted.
   */
  public annotate(): void {
    const top = [...this.items].sort((a, b) => b.monthlyUsd - a.monthlyUsd).filter(i => i.monthlyUsd > 0).slice(0, 3);
    const region = Stack.of(this.scope).region;
    const otherRegion = !Token.isUnresolved(region) && region !== this.region
      ? ` Prices in ${region} differ.`
      : '';
    Annotations.of(this.scope).addWarningV2(IDLE_COST_WARNING_ID,
      `Estimated fixed idle cost: ${usd(this.monthlyUsd)}/month (${this.region} list prices of ${this.priceDate}, 730 h, no traffic)`
      + (top.length > 0 ? `; largest: ${top.map(i => `${i.description} ${usd(i.monthlyUsd)}`).join(', ')}.` : '.')
      + `${otherRegion} CostReport.of(scope).toMarkdown() has every item. `
      + `Acknowledge with Annotations.of(scope).acknowledgeWarning('${IDLE_COST_WARNING_ID}').`);
  }
}

/** Lines of the same category, description and unit price (e.g. the same alarm of ten workloads) become one line. */
function mergeSameItems(items: CostLineItem[]): CostLineItem[] {
  const merged = new Map<string, CostLineItem>();
  for (const i of items) {
    const key = `${i.category}|${i.description}|${i.unitMonthlyUsd}`;
    const prev = merged.get(key);
    merged.set(key, prev ? lineItem(i.category, i.description, prev.quantity + i.quantity, i.unitMonthlyUsd) : i);
  }
  return [...merged.values()];
}

function usd(n: number): string {
  return `$${n.toFixed(2)}`;
}

/** Counters of resources found outside the library's constructs. */
interface Found {
  natGateways: number;
  elasticIps: number;
  interfaceEndpointAzs: number;
  alarmMetrics: number;
  dashboards: number;
  kmsKeys: number;
  /** Resolved `{"Ref":...}` of each Secrets Manager secret created in the scope. */
  createdSecrets: string[];
  /** Distinct references to Secrets Manager secrets that workloads read. */
  readSecrets: Map<string, string>;
}

function collect(scope: IConstruct): CostLineItem[] {
  const items: CostLineItem[] = [];
  const found: Found = {
    natGateways: 0,
    elasticIps: 0,
    interfaceEndpointAzs: 0,
    alarmMetrics: 0,
    dashboards: 0,
    kmsKeys: 0,
    createdSecrets: [],
    readSecrets: new Map(),
  };

  const visit = (c: IConstruct, covered: boolean): void => {
    let childrenCovered = covered;
    if (c instanceof ScheduledBatchWorkload) {
      recordReadSecrets(c, found);
    } else if (!covered && !(c instanceof BatchPlatform) && isCostEstimable(c)) {
      // Library leaves (VPC, alarms, compute) and any user-defined estimable: their own figure covers their subtree.
      items.push(...c.costLineItems());
      childrenCovered = true;
    }
    if (CfnResource.isCfnResource(c)) {
      countResource(c, covered, found);
    }
    for (const child of c.node.children) visit(child, childrenCovered);
  };
  visit(scope, false);

  const monthlyIpv4 = hourlyToMonthly(UnitPrices.PUBLIC_IPV4_HOUR);
  items.push(lineItem(CostCategory.NAT, 'NAT gateway (outside CostOptimizedVpc)', found.natGateways, hourlyToMonthly(UnitPrices.NAT_GATEWAY_HOUR)));
  items.push(lineItem(CostCategory.PUBLIC_IPV4, 'Elastic IP (outside CostOptimizedVpc)', found.elasticIps, monthlyIpv4));
  items.push(lineItem(CostCategory.VPC_ENDPOINTS, 'Interface endpoint AZs (outside CostOptimizedVpc)', found.interfaceEndpointAzs,
    hourlyToMonthly(UnitPrices.INTERFACE_ENDPOINT_AZ_HOUR)));
  items.push(lineItem(CostCategory.ALARMS, 'CloudWatch alarm metrics (outside BatchAlarms)', found.alarmMetrics, UnitPrices.ALARM_METRIC_MONTH));
  items.push(lineItem(CostCategory.DASHBOARD, 'CloudWatch dashboard (outside BatchAlarms)', found.dashboards, UnitPrices.DASHBOARD_MONTH));
  items.push(lineItem(CostCategory.KMS_KEYS, 'KMS customer-managed key', found.kmsKeys, UnitPrices.KMS_KEY_MONTH));
  items.push(lineItem(CostCategory.SECRETS, 'Secrets Manager secret created here', found.createdSecrets.length, UnitPrices.SECRET_MONTH));
  const readElsewhere = [...found.readSecrets.values()].filter(json => !found.createdSecrets.some(ref => json.includes(ref)));
  items.push(lineItem(CostCategory.SECRETS, 'Secrets Manager secret read by a workload, defined elsewhere', readElsewhere.length, UnitPrices.SECRET_MONTH));
  return items;
}

function isCostEstimable(c: IConstruct): c is IConstruct & ICostEstimable {
  if (c instanceof CostOptimizedVpc || c instanceof BatchAlarms || c instanceof SpotComputeEnvironment) return true;
  return typeof (c as unknown as Partial<ICostEstimable>).costLineItems === 'function';
}

function countResource(r: CfnResource, covered: boolean, found: Found): void {
  // Counted everywhere: no construct of the library prices them.
  if (r instanceof kms.CfnKey) {
    found.kmsKeys++;
    return;
  }
  if (r instanceof secretsmanager.CfnSecret) {
    found.createdSecrets.push(JSON.stringify(Stack.of(r).resolve(r.ref)));
    return;
  }
  if (covered) return;
  if (r instanceof ec2.CfnNatGateway) {
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
}

/** Secrets Manager secrets a workload's container reads, keyed by the secret they point to (JSON field dropped). */
function recordReadSecrets(workload: ScheduledBatchWorkload, found: Found): void {
  const stack = Stack.of(workload);
  for (const secret of Object.values(workload.container.secrets ?? {})) {
    if (!isSecretsManagerSecret(secret)) continue; // SSM parameters are free

    const key = secretKey(secret.arn);
    found.readSecrets.set(key, JSON.stringify(stack.resolve(key)));
  }
}

/**
 * `batch.Secret` ARNs end in `:<field>:<stage>:<version>` when a field or version is chosen. A complete secret ARN has
 * 7 colon-separated parts; an unresolved ARN (a token of a secret in the app) has one.
 */
function secretKey(arn: string): string {
  const parts = arn.split(':');
  if (parts.length >= 7) return parts.slice(0, 7).join(':');
  return parts[0];
}
