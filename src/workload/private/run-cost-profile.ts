import { Duration, Size, Token } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { IBatchPlatform } from '../../compute/batch-platform';
import { ComputePlatform } from '../../compute/compute-platform';
import { UnitPrices } from '../../cost/cost';
import { RunCapacity, RunCostProfile } from '../../cost/run-cost';
import { fireTimes } from '../../private/fire-times';

/** What a workload's runs are costed from. */
export interface RunCostInput {
  readonly path: string;
  readonly platform: IBatchPlatform;
  readonly cpu: number;
  readonly memory: Size;
  readonly timeout: Duration;
  readonly expression: scheduler.ScheduleExpression;
  readonly arraySize?: number;
}

/** A fixed month to count fires in (730 hours from 1 Jan 2027, UTC), so the figure does not move with the clock. */
const MONTH_START = Date.UTC(2027, 0, 1);

/**
 * One run's shape (the job's resources and timeout, its platform's capacity) and the schedule's fires in 730 hours.
 * A platform whose compute this app does not define (a brought or imported queue) is priced On-Demand: an upper bound.
 */
export function runCostProfileOf(input: RunCostInput): RunCostProfile | undefined {
  const text = input.expression.expressionString;
  if (Token.isUnresolved(input.cpu) || input.memory.isUnresolved() || input.timeout.isUnresolved() || Token.isUnresolved(text)) return undefined;
  const fargate = input.platform.computePlatform === ComputePlatform.FARGATE;
  const spot = input.platform.computeEnvironment?.spot ?? false;
  const capacity = fargate ? (spot ? RunCapacity.FARGATE_SPOT : RunCapacity.FARGATE) : (spot ? RunCapacity.EC2_SPOT : RunCapacity.EC2_ON_DEMAND);
  const runsPerMonth = fireTimes({
    expression: text,
    timeZone: input.expression.timeZone?.timezoneName,
    from: new Date(MONTH_START),
    to: new Date(MONTH_START + UnitPrices.HOURS_PER_MONTH * 3_600_000),
    limit: UnitPrices.HOURS_PER_MONTH * 60,
  }).length;
  return {
    workload: input.path,
    run: {
      capacity,
      architecture: input.platform.architecture,
      vcpus: input.cpu,
      memoryMib: input.memory.toMebibytes(),
      durationSeconds: input.timeout.toSeconds(),
      arraySize: input.arraySize,
    },
    runsPerMonth,
  };
}
