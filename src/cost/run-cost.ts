import { Duration, Token } from 'aws-cdk-lib';
import { UnitPrices } from './cost';
import { CpuArchitecture } from '../compute/spot-compute-environment-props';
import { round6 } from '../private/cost-math';
import { ValidationError } from '../private/prop-names';
import { rejectUnknownKeys } from '../private/struct-keys';

/** What capacity a run's job ran on, for its cost. */
export enum RunCapacity {
  /** Fargate On-Demand. */
  FARGATE = 'FARGATE',
  /** Fargate Spot. */
  FARGATE_SPOT = 'FARGATE_SPOT',
  /** EC2 On-Demand instances. */
  EC2_ON_DEMAND = 'EC2_ON_DEMAND',
  /** EC2 Spot instances. */
  EC2_SPOT = 'EC2_SPOT',
}

/** A run, as its cost is estimated from it. */
export interface RunShape {
  /** What the job ran on. */
  readonly capacity: RunCapacity;
  /**
   * The CPU architecture of the compute.
   * @default CpuArchitecture.X86_64
   */
  readonly architecture?: CpuArchitecture;
  /** vCPUs the job asked for (per child of an array job). */
  readonly vcpus: number;
  /** Memory the job asked for, in MiB (per child of an array job). */
  readonly memoryMib: number;
  /** How long the job ran, STARTING/RUNNING to its end (`stoppedAt - startedAt`), in seconds (per child). */
  readonly durationSeconds: number;
  /**
   * Children of an array job, each costed as running `durationSeconds`.
   * @default 1
   */
  readonly arraySize?: number;
}

/** The price of a vCPU and of a GiB of memory for an hour, on one capacity and architecture. */
export interface RunCostRates {
  /** USD per vCPU-hour. */
  readonly vcpuHourUsd: number;
  /** USD per GiB-hour. */
  readonly gibHourUsd: number;
  /** Shortest time billed per task, in seconds (Fargate: 60). */
  readonly minimumSeconds: number;
}

/** A run's estimated cost. */
export interface RunCostEstimate {
  /** Estimated cost, USD, rounded to 6 decimals. */
  readonly usd: number;
  /** vCPU-seconds billed (after the minimum, times the array size). */
  readonly vcpuSeconds: number;
  /** GiB-seconds billed. */
  readonly gibSeconds: number;
  /** The rates used. */
  readonly rates: RunCostRates;
  /** What the estimate leaves out or may get wrong, in words. */
  readonly error: string;
}

/** Fargate bills per second with a one-minute minimum per task. @see https://aws.amazon.com/fargate/pricing/ */
const FARGATE_MINIMUM_SECONDS = 60;
/**
 * A rate to 6 significant digits (a millionth of the rate, far below the estimate's error): the run engine carries the
 * same numbers in every state machine, short.
 */
function significant(rate: number): number {
  return Number(rate.toPrecision(6));
}

/** The reference instances (m5.large, m6g.large) have 2 vCPUs and 8 GiB. @see https://aws.amazon.com/ec2/instance-types/m5/ */
const REFERENCE_VCPUS = 2;
const REFERENCE_GIB = 8;

/**
 * What each run costs: vCPU-seconds × a vCPU price + GiB-seconds × a GiB price of its compute (us-east-1 list prices of
 * `UnitPrices.PRICE_DATE`). The run engine computes the same figure inside the state machine for every successful run.
 *
 * - **Fargate**: the published per-vCPU and per-GB hour prices, per second with the 1-minute minimum.
 * - **EC2**: the job's share of an instance: the On-Demand price of a general-purpose reference instance (m5.large for
 *   x86, m6g.large for Graviton) split between its 2 vCPUs and 8 GiB in the proportion of Fargate's vCPU and GB prices.
 * - **Spot**: the On-Demand figure less `UnitPrices.SPOT_DISCOUNT` (70%).
 *
 * The error: Spot prices vary by pool and hour (between about 50% and 90% off for EC2); EC2 bills the instance, not the
 * job, so idle instance time, bin-packing waste and other instance types than the reference are not counted; storage,
 * data transfer, logs and the Step Functions transitions of a run (`UnitPrices.STATE_TRANSITION`) are left out; an array
 * job is counted as `arraySize` children each as long as the whole array (an upper bound).
 *
 * @example
 * const estimate = RunCost.estimate({ capacity: RunCapacity.FARGATE_SPOT, vcpus: 1, memoryMib: 2048, durationSeconds: 600 });
 */
export class RunCost {
  /** The error every estimate carries, in words (docs/operations.md, "Cost per run"). */
  public static readonly ERROR = 'Spot prices vary by pool and hour (a 70% discount is assumed); EC2 bills instances, not jobs '
    + '(idle and bin-packing waste are not counted, the share comes from an m5.large/m6g.large price); storage, transfer, '
    + 'logs and state transitions are left out; an array job counts every child as long as the whole array.';

  /** The vCPU and GiB hour prices of a capacity and architecture. */
  public static rates(capacity: RunCapacity, architecture: CpuArchitecture = CpuArchitecture.X86_64): RunCostRates {
    const arm = architecture === CpuArchitecture.ARM64;
    const fargateVcpu = arm ? UnitPrices.FARGATE_ARM_VCPU_HOUR : UnitPrices.FARGATE_VCPU_HOUR;
    const fargateGb = arm ? UnitPrices.FARGATE_ARM_GB_HOUR : UnitPrices.FARGATE_GB_HOUR;
    const spot = capacity === RunCapacity.FARGATE_SPOT || capacity === RunCapacity.EC2_SPOT ? 1 - UnitPrices.SPOT_DISCOUNT : 1;
    if (capacity === RunCapacity.FARGATE || capacity === RunCapacity.FARGATE_SPOT) {
      return { vcpuHourUsd: significant(fargateVcpu * spot), gibHourUsd: significant(fargateGb * spot), minimumSeconds: FARGATE_MINIMUM_SECONDS };
    }
    // The instance price, split between its vCPUs and GiB in Fargate's proportion.
    const instance = arm ? UnitPrices.M6G_LARGE_HOUR : UnitPrices.M5_LARGE_HOUR;
    const scale = instance / (REFERENCE_VCPUS * fargateVcpu + REFERENCE_GIB * fargateGb);
    return { vcpuHourUsd: significant(fargateVcpu * scale * spot), gibHourUsd: significant(fargateGb * scale * spot), minimumSeconds: 0 };
  }

  /** The estimated cost of one run. Fails on a negative or non-finite size or duration. */
  public static estimate(shape: RunShape): RunCostEstimate {
    rejectUnknownKeys('RunShape', shape);
    for (const key of ['vcpus', 'memoryMib', 'durationSeconds', 'arraySize'] as const) {
      const v = shape[key];
      if (v !== undefined && !Token.isUnresolved(v) && !(Number.isFinite(v) && v >= 0)) {
        throw new ValidationError(`'${key}' must be a number of at least 0, got ${v}: give the run's ${key} as a plain number.`);
      }
    }
    const rates = RunCost.rates(shape.capacity, shape.architecture);
    const n = shape.arraySize ?? 1;
    const seconds = Math.max(shape.durationSeconds, rates.minimumSeconds) * n;
    const vcpuSeconds = shape.vcpus * seconds;
    const gibSeconds = (shape.memoryMib / 1024) * seconds;
    const usd = round6((vcpuSeconds * rates.vcpuHourUsd + gibSeconds * rates.gibHourUsd) / 3600);
    return { usd, vcpuSeconds, gibSeconds, rates, error: RunCost.ERROR };
  }

  private constructor() {}
}

/** What a scheduled workload's runs are costed from: one run's shape and how often it runs. */
export interface RunCostProfile {
  /** The workload's construct path. */
  readonly workload: string;
  /** One run's capacity, architecture, vCPUs, memory and array size; `durationSeconds` is the job's timeout. */
  readonly run: RunShape;
  /** How many times the schedule fires in 730 hours (`UnitPrices.HOURS_PER_MONTH`). */
  readonly runsPerMonth: number;
}

/** Something that runs on a schedule and can say what its runs cost (`ScheduledBatchWorkload`). */
export interface IRunCostEstimable {
  /** One run's shape and the runs per month; undefined when a token hides them (a size or a schedule). */
  runCostProfile(): RunCostProfile | undefined;
}

/** Options of the monthly run-cost estimate of a `CostReport`. */
export interface MonthlyRunCostOptions {
  /**
   * How long each run is assumed to run.
   * @default - each job's timeout: an upper bound
   */
  readonly runDuration?: Duration;
}

/** A workload's estimated monthly compute cost of its runs. */
export interface WorkloadRunCost {
  /** The workload's construct path. */
  readonly workload: string;
  /**
   * The workload's `team` tag (`Tags.of(workload).add('team', ...)`).
   * @default - no team tag
   */
  readonly team?: string;
  /** Runs per month (730 hours). */
  readonly runsPerMonth: number;
  /** One run's estimated cost, USD (`RunCost.estimate`). */
  readonly runUsd: number;
  /** `runsPerMonth × runUsd`, rounded to cents. */
  readonly monthlyUsd: number;
}

/** A team's estimated monthly compute cost of its workloads' runs. */
export interface TeamRunCost {
  /** The `team` tag, or `(no team)`. */
  readonly team: string;
  /** The team's workloads. */
  readonly workloads: number;
  /** Sum of their `monthlyUsd`, rounded to cents. */
  readonly monthlyUsd: number;
}
