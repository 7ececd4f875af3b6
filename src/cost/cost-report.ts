import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CostCategory, CostLineItem, UnitPrices } from './cost';
import { MonthlyRunCostOptions, TeamRunCost, WorkloadRunCost } from './run-cost';
import { totalMonthly } from '../private/cost-math';
import { isCostEstimable, normalizeCostItems, subtreeCostLineItems } from '../private/cost-walk';
import { inHostSpelling } from '../private/prop-names';
import { teamRunCosts, workloadRunCosts } from '../private/run-cost-walk';
import { rejectUnknownKeys } from '../private/struct-keys';

/** Id of the warning {@link CostReport.annotate} adds; acknowledge it with `Annotations.of(scope).acknowledgeWarning(id)`. */
export const IDLE_COST_WARNING_ID = 'cdk-scheduled-batch:idleCost';

/**
 * The estimated fixed monthly idle cost of everything created inside a construct: a workload, a VPC, a platform, a
 * stack or the whole app. Idle means 730 hours a month, no traffic and compute scaled to zero; prices are the
 * us-east-1 list prices of `UnitPrices.PRICE_DATE` (`UnitPrices`, the one place prices live, cites their pages).
 *
 * What is counted, walking the construct tree below the scope (each resource once, where it is defined):
 * - every `ICostEstimable` construct through its own `costLineItems()`, which covers its subtree: the library's
 *   `CostOptimizedVpc` (NAT, public IPv4, endpoints, NAT-instance volume and alarms), `BatchAlarms` (alarm metrics,
 *   dashboard), `BatchJob` (the Secrets Manager secrets it reads), and yours. The library's composites
 *   (`ScheduledBatchWorkload`, `BatchPlatform`) answer `costLineItems()` with this same walk, so asking them and
 *   reporting on them give one figure;
 * - elsewhere: NAT gateways, Elastic IPs, interface VPC endpoints (per subnet), CloudWatch alarms (per metric),
 *   dashboards, KMS customer-managed keys and Secrets Manager secrets, e.g. those of an `ec2.Vpc` or an
 *   `aws-ecs-patterns` stack;
 * - items that name the same billed resource (`CostLineItem.key`, e.g. one secret read by ten jobs) once.
 *
 * Resources outside the scope (a shared platform for `CostReport.of(workload)`, a VPC passed in as `vpc`) are not
 * counted: report on the stack for the whole bill.
 *
 * @example
 * const workload = new ScheduledBatchWorkload(this, 'Nightly', {
 *   schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
 * });
 * const report = CostReport.of(this); // 7.86 (NAT instance network $7.56 + 2 alarms, 3 alarm metrics, $0.30)
 * report.annotate(); // a synth-time warning stating the figure, acknowledgeable
 */
export class CostReport {
  /**
   * The report of everything created inside `scope`, as the tree stands now: call it after the constructs it should
   * count have been added (e.g. at the end of the stack's constructor).
   */
  public static of(scope: IConstruct): CostReport {
    return new CostReport(scope, isCostEstimable(scope) ? scope.costLineItems() : subtreeCostLineItems(scope));
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
    this.items = normalizeCostItems(items);
    this.monthlyUsd = totalMonthly(this.items);
    this.priceDate = UnitPrices.PRICE_DATE;
    this.region = UnitPrices.REGION;
  }

  /** Total of the items of one category, in USD per month, rounded to cents. */
  public monthlyUsdOf(category: CostCategory): number {
    return totalMonthly(this.items.filter(i => i.category === category));
  }

  /**
   * The estimated monthly compute cost of the runs of each scheduled workload inside the scope (not an idle cost):
   * one run's `RunCost.estimate` (its job's vCPUs and memory on its platform's capacity, as long as
   * `options.runDuration`, else its job's timeout, an upper bound) × the schedule's runs in 730 hours, with the
   * workload's `team` tag. Sorted by workload path.
   */
  public workloadRunCosts(options: MonthlyRunCostOptions = {}): WorkloadRunCost[] {
    rejectUnknownKeys('MonthlyRunCostOptions', options);
    return workloadRunCosts(this.scope, options);
  }

  /**
   * `workloadRunCosts` summed per `team` tag (`Tags.of(workload).add('team', 'payments')`); workloads without one are
   * grouped as `(no team)`. Largest first.
   */
  public teamRunCosts(options: MonthlyRunCostOptions = {}): TeamRunCost[] {
    rejectUnknownKeys('MonthlyRunCostOptions', options);
    return teamRunCosts(this.workloadRunCosts(options));
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
      inHostSpelling(`Estimated fixed idle cost: ${usd(this.monthlyUsd)}/month (${this.region} list prices of ${this.priceDate}, 730 h, no traffic)`
      + (top.length > 0 ? `; largest: ${top.map(i => `${i.description} ${usd(i.monthlyUsd)}`).join(', ')}.` : '.')
      + `${otherRegion} CostReport.of(scope).toMarkdown() has every item. `
      + `Acknowledge with Annotations.of(scope).acknowledgeWarning('${IDLE_COST_WARNING_ID}').`));
  }
}

function usd(n: number): string {
  return `$${n.toFixed(2)}`;
}
