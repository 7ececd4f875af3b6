import { CpuArchitecture } from '../compute/spot-compute-environment-props';
import { RunCapacity, RunCost, RunCostRates } from '../cost/run-cost';

/**
 * A JSONata expression (without `{% %}`) for a run's estimated cost in USD, the same figure as `RunCost.estimate`, from
 * a Batch job detail (`DescribeJobs` JobDetail, what `batch:submitJob.sync` returns), at fixed rates:
 * - the duration is `StoppedAt - StartedAt` (epoch milliseconds), at least `rates.minimumSeconds`;
 * - vCPUs and memory (MiB) are the container's `ResourceRequirements` (`VCPU`, `MEMORY`; values are strings: the
 *   library's job definitions declare them so);
 * - an array job counts `ArrayProperties.Size` children, each as long as the whole array;
 * - `null` without a duration (a job that never started), undefined without vCPUs or memory.
 * Rounded to 6 decimals with `$floor(x + 0.5)`, not `$round` (which rounds half to even, unlike `Math.round`). Written
 * without spaces: it is in every workload's state machine (test/fleet.test.ts measures the template bytes).
 *
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_JobDetail.html
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
 * @param detail a JSONata expression of the job detail, e.g. `$states.result`
 */
export function runCostExpression(detail: string, rates: RunCostRates): string {
  return `($d:=${detail};$p:=${pair(rates)};${costOf(String(rates.minimumSeconds * 1000))})`;
}

/**
 * Like `runCostExpression`, with the rates chosen from the job detail itself: Fargate when its `PlatformCapabilities`
 * say so, else EC2; ARM when its `Container.RuntimePlatform.CpuArchitecture` is `ARM64` (Fargate only: an EC2 job's
 * detail names no architecture, so EC2 is priced as x86, the dearer). A job detail does not say whether the capacity
 * was Spot: `spot` does.
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_RuntimePlatform.html
 */
export function runCostFromDetailExpression(detail: string, spot: boolean): string {
  const fargate = spot ? RunCapacity.FARGATE_SPOT : RunCapacity.FARGATE;
  const arm = RunCost.rates(fargate, CpuArchitecture.ARM64);
  const x86 = RunCost.rates(fargate, CpuArchitecture.X86_64);
  const ec2 = RunCost.rates(spot ? RunCapacity.EC2_SPOT : RunCapacity.EC2_ON_DEMAND, CpuArchitecture.X86_64);
  return `($d:=${detail};$f:='FARGATE' in $d.PlatformCapabilities;`
    + `$p:=$f?($d.Container.RuntimePlatform.CpuArchitecture='ARM64'?${pair(arm)}:${pair(x86)}):${pair(ec2)};`
    + `${costOf(`$f?${x86.minimumSeconds * 1000}:${ec2.minimumSeconds * 1000}`)})`;
}

/** `[USD per vCPU-hour, USD per GiB-hour]`. */
function pair(rates: RunCostRates): string {
  return `[${rates.vcpuHourUsd},${rates.gibHourUsd}]`;
}

/**
 * The cost of the job detail `$d` at the rates `$p`, billing at least `minimum` milliseconds (a JSONata expression). A
 * missing vCPU or memory value leaves it undefined (the key is left out of an object); no duration makes it `null`.
 * `/3.6` is `/3600000 * 1e6`: USD per hour to per millisecond, in millionths for the rounding.
 */
function costOf(minimum: string): string {
  return '$c:=$d.Container.ResourceRequirements;$s:=$d.StoppedAt-$d.StartedAt;'
    + `$s>=0?$floor([$d.ArrayProperties.Size,1][0]*$max([$s,${minimum}])`
    + "*($number($c[Type='VCPU'].Value)*$p[0]+$number($c[Type='MEMORY'].Value)/1024*$p[1])/3.6+0.5)/1e6:null";
}
