/**
 * us-east-1 list prices the library's cost estimates are computed from. They live here and only here.
 *
 * Each constant cites the AWS page where the number is published. Prices were read on {@link UnitPrices.PRICE_DATE}.
 * Estimates are *fixed idle* costs: 730 hours a month, no traffic, compute scaled to zero.
 */
export class UnitPrices {
  /** Date the prices below were read from the AWS pricing pages. */
  public static readonly PRICE_DATE = '2026-11-27';
  /** Region the prices apply to. */
  public static readonly REGION = 'us-east-1';
  /** Hours in the month used for every monthly figure (AWS pricing pages use 730). */
  public static readonly HOURS_PER_MONTH = 730;

  /**
   * NAT gateway, per hour (data processing of $0.045/GB is not an idle cost).
   * @see https://aws.amazon.com/vpc/pricing/
   */
  public static readonly NAT_GATEWAY_HOUR = 0.045;
  /**
   * Public IPv4 address, per hour, in use or idle (since 1 Feb 2024).
   * @see https://aws.amazon.com/vpc/pricing/ (Public IPv4 Address tab)
   */
  public static readonly PUBLIC_IPV4_HOUR = 0.005;
  /**
   * Interface VPC endpoint, per endpoint per AZ per hour.
   * @see https://aws.amazon.com/privatelink/pricing/
   */
  public static readonly INTERFACE_ENDPOINT_AZ_HOUR = 0.01;
  /**
   * Gateway VPC endpoint (S3, DynamoDB): free.
   * @see https://aws.amazon.com/privatelink/pricing/
   */
  public static readonly GATEWAY_ENDPOINT_HOUR = 0;
  /**
   * t4g.nano On-Demand Linux, per hour.
   * @see https://aws.amazon.com/ec2/pricing/on-demand/
   */
  public static readonly T4G_NANO_HOUR = 0.0042;
  /**
   * EBS gp3 storage, per GB-month.
   * @see https://aws.amazon.com/ebs/pricing/
   */
  public static readonly GP3_GB_MONTH = 0.08;
  /**
   * CloudWatch standard-resolution alarm, per alarm metric per month (after the 10 free alarms).
   * A metric-math alarm is billed per metric in its expression.
   * @see https://aws.amazon.com/cloudwatch/pricing/
   */
  public static readonly ALARM_METRIC_MONTH = 0.10;
  /**
   * CloudWatch dashboard, per month (after the account's 3 free dashboards).
   * @see https://aws.amazon.com/cloudwatch/pricing/
   */
  public static readonly DASHBOARD_MONTH = 3;
  /**
   * KMS customer-managed key, per month (first year, before rotations add to it).
   * @see https://aws.amazon.com/kms/pricing/
   */
  public static readonly KMS_KEY_MONTH = 1;
  /**
   * Secrets Manager secret, per month.
   * @see https://aws.amazon.com/secrets-manager/pricing/
   */
  public static readonly SECRET_MONTH = 0.40;

  /**
   * Step Functions Standard workflow, per state transition (after the account's 4,000 free a month): what each tracked
   * run costs (`RunTracker`). Not an idle cost.
   * @see https://aws.amazon.com/step-functions/pricing/
   */
  public static readonly STATE_TRANSITION = 0.000025;

  /**
   * DynamoDB on-demand, per write request unit (an item up to 1 KB): what a run with a `rollout` writes once. Not an
   * idle cost (an on-demand table costs nothing while idle).
   * @see https://aws.amazon.com/dynamodb/pricing/on-demand/
   */
  public static readonly DYNAMODB_WRITE_REQUEST = 0.000000625;
  /**
   * DynamoDB on-demand, per read request unit (a strongly consistent read of up to 4 KB): what a run with a `rollout`
   * reads once.
   * @see https://aws.amazon.com/dynamodb/pricing/on-demand/
   */
  public static readonly DYNAMODB_READ_REQUEST = 0.000000125;

  /**
   * Fargate Linux/x86, per vCPU-hour (billed per second, 1-minute minimum).
   * @see https://aws.amazon.com/fargate/pricing/
   */
  public static readonly FARGATE_VCPU_HOUR = 0.04048;
  /**
   * Fargate Linux/x86, per GB of memory per hour.
   * @see https://aws.amazon.com/fargate/pricing/
   */
  public static readonly FARGATE_GB_HOUR = 0.004445;
  /**
   * Fargate Linux/ARM (Graviton), per vCPU-hour.
   * @see https://aws.amazon.com/fargate/pricing/
   */
  public static readonly FARGATE_ARM_VCPU_HOUR = 0.03238;
  /**
   * Fargate Linux/ARM (Graviton), per GB of memory per hour.
   * @see https://aws.amazon.com/fargate/pricing/
   */
  public static readonly FARGATE_ARM_GB_HOUR = 0.00356;
  /**
   * m5.large On-Demand Linux (2 vCPUs, 8 GiB), per hour: the x86 instance an EC2 run's vCPU and GiB shares are
   * derived from.
   * @see https://aws.amazon.com/ec2/pricing/on-demand/
   */
  public static readonly M5_LARGE_HOUR = 0.096;
  /**
   * m6g.large On-Demand Linux (2 vCPUs, 8 GiB, Graviton2), per hour: the ARM instance an EC2 run's shares are derived from.
   * @see https://aws.amazon.com/ec2/pricing/on-demand/
   */
  public static readonly M6G_LARGE_HOUR = 0.077;
  /**
   * The Spot discount run-cost estimates assume, off the On-Demand price: Fargate Spot is "up to 70%" off
   * (https://aws.amazon.com/fargate/pricing/), EC2 Spot "up to 90%" (https://aws.amazon.com/ec2/spot/pricing/). The
   * real price varies by pool and hour.
   */
  public static readonly SPOT_DISCOUNT = 0.7;

  private constructor() {}
}

/** What a cost line item is for. */
export enum CostCategory {
  /** NAT gateways or NAT instances. */
  NAT = 'NAT',
  /** Public IPv4 addresses. */
  PUBLIC_IPV4 = 'PUBLIC_IPV4',
  /** Interface VPC endpoints. */
  VPC_ENDPOINTS = 'VPC_ENDPOINTS',
  /** EBS volumes. */
  STORAGE = 'STORAGE',
  /** CloudWatch alarms. */
  ALARMS = 'ALARMS',
  /** CloudWatch dashboards. */
  DASHBOARD = 'DASHBOARD',
  /** KMS customer-managed keys. */
  KMS_KEYS = 'KMS_KEYS',
  /** Secrets Manager secrets. */
  SECRETS = 'SECRETS',
}

/** One line of a fixed monthly idle-cost estimate. */
export interface CostLineItem {
  /** What the line is for. */
  readonly category: CostCategory;
  /** Human-readable description, e.g. "NAT gateway (us-east-1a)". */
  readonly description: string;
  /** How many units. */
  readonly quantity: number;
  /** Price of one unit for a month, in USD. */
  readonly unitMonthlyUsd: number;
  /** `quantity * unitMonthlyUsd`, rounded to cents. */
  readonly monthlyUsd: number;
  /**
   * Identifies the billed resource when several constructs may report it (e.g. one secret read by ten jobs):
   * `CostReport` counts the items of one key once.
   * @default - the item is counted as it is
   */
  readonly key?: string;
}

/**
 * Something that can estimate its own fixed monthly idle cost. The one contract `CostReport` knows: an estimable
 * construct's items cover its whole subtree, and `CostReport.of(it)` reports exactly those items.
 */
export interface ICostEstimable {
  /**
   * The fixed monthly idle cost of the construct and everything defined below it, line by line (us-east-1 list prices
   * of {@link UnitPrices.PRICE_DATE}).
   */
  costLineItems(): CostLineItem[];
}
