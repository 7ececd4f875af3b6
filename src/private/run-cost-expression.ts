import { CpuArchitecture } from '../compute/spot-compute-environment-props';
import { RunCapacity, RunCost, RunCostRates } from '../cost/run-cost';

/**
 * A JSONata expression (without `{% %}`) for a run's estimated cost in USD, the same figure as `RunCost.estimate`, from
 * a Batch job detail (`DescribeJobs` JobDetail, what `batch:submitJob.sync` returns):
 * - the duration is `StoppedAt - StartedAt` (epoch milliseconds), at least `rates.minimumSeconds`;
 * - vCPUs and memory (MiB) are the container's `ResourceRequirements` (`VCPU`, `MEMORY`; values are strings), else
 *   the older `Vcpus` / `Memory` fields;
 * - an array job counts `ArrayProperties.Size` children, each as long as the whole array;
 * - `null` when any of these is missing (a job that never started).
 * Rounded to 6 decimals with `$floor(x + 0.5)`, not `$round` (which rounds half to even, unlike `Math.round`).
 *
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_JobDetail.html
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
 * @param detail a JSONata expression of the job detail, e.g. `$states.result`
 */
export function runCostExpression(detail: string, rates: RunCostRates): string {
  return `($d := ${detail}; $rt := ${ratesObject(rates)}; ${COST_OF_D})`;
}

/**
 * Like `runCostExpression`, with the rates chosen from the job detail itself: Fargate when its `PlatformCapabilities`
 * say so, else EC2; ARM when its `Container.RuntimePlatform.CpuArchitecture` is `ARM64` (Fargate only: an EC2 job's
 * detail names no architecture, so EC2 is priced as x86, the dearer). A job detail does not say whether the capacity
 * was Spot: `spot` does.
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_RuntimePlatform.html
 */
export function runCostFromDetailExpression(detail: string, spot: boolean): string {
  const bind = (c: RunCapacity, a: CpuArchitecture): string => ratesObject(RunCost.rates(c, a));
  const fargate = spot ? RunCapacity.FARGATE_SPOT : RunCapacity.FARGATE;
  const ec2 = spot ? RunCapacity.EC2_SPOT : RunCapacity.EC2_ON_DEMAND;
  return `($d := ${detail}; `
    + `$rt := ('FARGATE' in $d.PlatformCapabilities) ? ($d.Container.RuntimePlatform.CpuArchitecture = 'ARM64' ? ${bind(fargate, CpuArchitecture.ARM64)} `
    + `: ${bind(fargate, CpuArchitecture.X86_64)}) : ${bind(ec2, CpuArchitecture.X86_64)}; ${COST_OF_D})`;
}

/** The rates as a JSONata object: `vr` USD per vCPU-second, `gr` USD per MiB-second, `min` seconds. */
function ratesObject(rates: RunCostRates): string {
  return `{'vr': ${rates.vcpuHourUsd / 3600}, 'gr': ${rates.gibHourUsd / 1024 / 3600}, 'min': ${rates.minimumSeconds}}`;
}

/** The cost of the job detail `$d` at the rates `$rt`. */
const COST_OF_D = '$r := $d.Container.ResourceRequirements; '
  + "$v := $exists($r[Type='VCPU']) ? $number(($r[Type='VCPU'].Value)[0]) : $d.Container.Vcpus; "
  + "$m := $exists($r[Type='MEMORY']) ? $number(($r[Type='MEMORY'].Value)[0]) : $d.Container.Memory; "
  + '$n := $exists($d.ArrayProperties.Size) ? $d.ArrayProperties.Size : 1; '
  + '$s := ($exists($d.StartedAt) and $exists($d.StoppedAt)) ? $max([($d.StoppedAt - $d.StartedAt) / 1000, $rt.min]); '
  + '($exists($v) and $exists($m) and $exists($s)) ? $floor($n * $s * ($v * $rt.vr + $m * $rt.gr) * 1000000 + 0.5) / 1000000 : null';

