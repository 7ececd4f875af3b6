import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import jsonata from 'jsonata';
import { BatchPlatform, ComputePlatform, CostReport, CpuArchitecture, RunCapacity, RunCost, RunShape, ScheduledBatchWorkload, UnitPrices } from '../src';
import { STATES } from './support/engine';
import { definitionOf } from './support/state-machine';
import { runCostExpression, runCostFromDetailExpression } from '../src/private/run-cost-expression';

/**
 * Run shapes and their cost worked out by hand from the us-east-1 list prices (UnitPrices):
 * Fargate x86 $0.04048/vCPU-h + $0.004445/GB-h, ARM $0.03238 + $0.00356; EC2 shares of m5.large ($0.096/h) and
 * m6g.large ($0.077/h), 2 vCPUs + 8 GiB each; Spot 70% off.
 */
const TABLE: Array<{ name: string; shape: RunShape; usd: number }> = [
  // (600 × 0.04048 + 1200 × 0.004445) / 3600 = 29.622 / 3600
  { name: 'Fargate x86, 1 vCPU 2 GiB, 10 min', shape: { capacity: RunCapacity.FARGATE, vcpus: 1, memoryMib: 2048, durationSeconds: 600 }, usd: 0.008228 },
  // billed as 60 s: 2.9622 / 3600
  { name: 'Fargate x86, 30 s, the 1-minute minimum', shape: { capacity: RunCapacity.FARGATE, vcpus: 1, memoryMib: 2048, durationSeconds: 30 }, usd: 0.000823 },
  // 0.3 × (2 × 0.04048 + 4 × 0.004445) = 0.3 × 0.09874
  { name: 'Fargate Spot x86, 2 vCPU 4 GiB, 1 h', shape: { capacity: RunCapacity.FARGATE_SPOT, vcpus: 2, memoryMib: 4096, durationSeconds: 3600 }, usd: 0.029622 },
  // 0.03238 + 2 × 0.00356
  {
    name: 'Fargate ARM, 1 vCPU 2 GiB, 1 h',
    shape: { capacity: RunCapacity.FARGATE, architecture: CpuArchitecture.ARM64, vcpus: 1, memoryMib: 2048, durationSeconds: 3600 },
    usd: 0.0395,
  },
  // a whole m5.large for an hour
  { name: 'EC2 On-Demand x86, 2 vCPU 8 GiB, 1 h', shape: { capacity: RunCapacity.EC2_ON_DEMAND, vcpus: 2, memoryMib: 8192, durationSeconds: 3600 }, usd: 0.096 },
  // 0.3 × 0.096
  { name: 'EC2 Spot x86, 2 vCPU 8 GiB, 1 h', shape: { capacity: RunCapacity.EC2_SPOT, vcpus: 2, memoryMib: 8192, durationSeconds: 3600 }, usd: 0.0288 },
  // half an hour of a whole m6g.large
  {
    name: 'EC2 On-Demand ARM, 2 vCPU 8 GiB, 30 min',
    shape: { capacity: RunCapacity.EC2_ON_DEMAND, architecture: CpuArchitecture.ARM64, vcpus: 2, memoryMib: 8192, durationSeconds: 1800 },
    usd: 0.0385,
  },
  // half an m6g.large, Spot: 0.5 × 0.3 × 0.077
  {
    name: 'EC2 Spot ARM, 1 vCPU 4 GiB, 1 h',
    shape: { capacity: RunCapacity.EC2_SPOT, architecture: CpuArchitecture.ARM64, vcpus: 1, memoryMib: 4096, durationSeconds: 3600 },
    usd: 0.01155,
  },
  // 30 s, no minimum: 30 × (0.0333512 + 2 × 0.0036622) / 3600 (shares of 0.096 in the proportion 0.04048 : 0.004445)
  { name: 'EC2 On-Demand x86, 1 vCPU 2 GiB, 30 s', shape: { capacity: RunCapacity.EC2_ON_DEMAND, vcpus: 1, memoryMib: 2048, durationSeconds: 30 }, usd: 0.000339 },
  // 10 × 0.00822833
  {
    name: 'Fargate x86 array of 10 children, 1 vCPU 2 GiB, 10 min',
    shape: { capacity: RunCapacity.FARGATE, vcpus: 1, memoryMib: 2048, durationSeconds: 600, arraySize: 10 },
    usd: 0.082283,
  },
];

/** The job detail `batch:submitJob.sync` returns for a run of this shape. */
function jobDetail(shape: RunShape): Record<string, unknown> {
  const startedAt = 1_765_000_000_000;
  return {
    JobId: 'id',
    Status: 'SUCCEEDED',
    StartedAt: startedAt,
    StoppedAt: startedAt + shape.durationSeconds * 1000,
    Container: { ResourceRequirements: [{ Type: 'MEMORY', Value: String(shape.memoryMib) }, { Type: 'VCPU', Value: String(shape.vcpus) }] },
    ...shape.arraySize !== undefined ? { ArrayProperties: { Size: shape.arraySize, StatusSummary: {} } } : {},
  };
}

describe('RunCost.estimate: the table of run shapes against hand-computed figures', () => {
  test.each(TABLE)('$name: $usd USD', ({ shape, usd }) => {
    const estimate = RunCost.estimate(shape);
    expect(estimate.usd).toBeCloseTo(usd, 6);
    expect(estimate.error).toBe(RunCost.ERROR);
  });

  test('EC2 rates are the reference instance split in Fargate\'s proportion: 2 vCPUs + 8 GiB give back its hour price (rates to 6 digits)', () => {
    for (const [arch, price] of [[CpuArchitecture.X86_64, UnitPrices.M5_LARGE_HOUR], [CpuArchitecture.ARM64, UnitPrices.M6G_LARGE_HOUR]] as const) {
      const r = RunCost.rates(RunCapacity.EC2_ON_DEMAND, arch);
      expect(2 * r.vcpuHourUsd + 8 * r.gibHourUsd).toBeCloseTo(price, 6);
      expect(r.vcpuHourUsd / r.gibHourUsd).toBeCloseTo(arch === CpuArchitecture.ARM64 ? 0.03238 / 0.00356 : 0.04048 / 0.004445, 4);
    }
  });

  test('the vCPU- and GiB-seconds are reported: after the minimum, times the array size', () => {
    const e = RunCost.estimate({ capacity: RunCapacity.FARGATE, vcpus: 0.5, memoryMib: 1024, durationSeconds: 10, arraySize: 3 });
    expect(e.vcpuSeconds).toBe(90);
    expect(e.gibSeconds).toBe(180);
    expect(e.rates.minimumSeconds).toBe(60);
  });

  test('fails on a negative duration, naming the prop and the value', () => {
    expect(() => RunCost.estimate({ capacity: RunCapacity.FARGATE, vcpus: 1, memoryMib: 2048, durationSeconds: -5 }))
      .toThrow(/'durationSeconds' must be a number of at least 0, got -5/);
  });

  test('fails on an unknown key', () => {
    expect(() => RunCost.estimate({ capacity: RunCapacity.FARGATE, vcpus: 1, memoryMib: 2048, durationSeconds: 5, vCpus: 2 } as RunShape))
      .toThrow(/vCpus/);
  });
});

describe('runCostExpression: the same estimate inside the state machine (jsonata 2.0.6)', () => {
  test.each(TABLE)('$name: the expression over the job detail gives the function\'s figure', async ({ shape }) => {
    const expr = runCostExpression('$states.result', RunCost.rates(shape.capacity, shape.architecture));
    const usd = await jsonata(expr).evaluate({}, { states: { result: jobDetail(shape) } });
    expect(usd).toBeCloseTo(RunCost.estimate(shape).usd, 6);
  });

  test('is null for a job that never started (no StartedAt)', async () => {
    const detail = { ...jobDetail(TABLE[0].shape), StartedAt: undefined };
    const usd = await jsonata(runCostExpression('$states.result', RunCost.rates(RunCapacity.FARGATE))).evaluate({}, { states: { result: detail } });
    expect(usd ?? null).toBeNull();
  });

  test.each(TABLE.filter(t => t.shape.capacity !== RunCapacity.EC2_ON_DEMAND || t.shape.architecture !== CpuArchitecture.ARM64))(
    '$name: the rates chosen from the job detail (PlatformCapabilities, RuntimePlatform) give the same figure', async ({ shape }) => {
      const fargate = shape.capacity === RunCapacity.FARGATE || shape.capacity === RunCapacity.FARGATE_SPOT;
      const spot = shape.capacity === RunCapacity.FARGATE_SPOT || shape.capacity === RunCapacity.EC2_SPOT;
      const base = jobDetail(shape);
      const detail = {
        ...base,
        PlatformCapabilities: [fargate ? 'FARGATE' : 'EC2'],
        Container: { ...base.Container as object, ...fargate ? { RuntimePlatform: { CpuArchitecture: shape.architecture ?? 'X86_64' } } : {} },
      };
      // An EC2 job's detail names no architecture: EC2 is priced as x86.
      const expected = RunCost.estimate({ ...shape, architecture: fargate ? shape.architecture : CpuArchitecture.X86_64 }).usd;
      const usd = await jsonata(runCostFromDetailExpression('$states.result', spot)).evaluate({}, { states: { result: detail } });
      expect(usd).toBeCloseTo(expected, 6);
    });

  test('a job detail without PlatformCapabilities is priced as EC2', async () => {
    const shape: RunShape = { capacity: RunCapacity.EC2_ON_DEMAND, vcpus: 2, memoryMib: 8192, durationSeconds: 3600 };
    const usd = await jsonata(runCostFromDetailExpression('$states.result', false)).evaluate({}, { states: { result: jobDetail(shape) } });
    expect(usd).toBeCloseTo(0.096, 6);
  });
});

describe('the run\'s record: the RunJob state\'s Output carries estimatedCostUsd', () => {
  function runJobOutput(platform: ComputePlatform, spot?: boolean): string {
    const stack = new cdk.Stack(new cdk.App(), 'Costed', { env: { account: '123456789012', region: 'us-east-1' } });
    new ScheduledBatchWorkload(stack, 'Nightly', {
      platform: new BatchPlatform(stack, 'Platform', { computePlatform: platform, spot }),
      schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
    });
    const output = definitionOf(Template.fromStack(stack)).States[STATES.run].Output as string;
    return output.slice(2, -2);
  }

  test('a Fargate run of 1 vCPU and 2 GiB for 10 minutes on an On-Demand platform is recorded at the Fargate figure, next to jobId and status', async () => {
    const detail = { ...jobDetail(TABLE[0].shape), JobName: 'n', PlatformCapabilities: ['FARGATE'] };
    const record = await jsonata(runJobOutput(ComputePlatform.FARGATE, false)).evaluate({}, { states: { result: detail } });
    expect(record).toMatchObject({ jobId: 'id', status: 'SUCCEEDED', estimatedCostUsd: 0.008228 });
  });

  test('the platform says Spot (a job detail does not): the same run on the default Spot platform is priced at Fargate Spot', async () => {
    const detail = { ...jobDetail(TABLE[0].shape), JobName: 'n', PlatformCapabilities: ['FARGATE'] };
    const record = await jsonata(runJobOutput(ComputePlatform.FARGATE)).evaluate({}, { states: { result: detail } });
    expect(record.estimatedCostUsd).toBeCloseTo(RunCost.estimate({ ...TABLE[0].shape, capacity: RunCapacity.FARGATE_SPOT }).usd, 6);
    expect(record.estimatedCostUsd).toBeLessThan(0.008228 / 3);
  });

  test('an EC2 run on an On-Demand platform is priced at the On-Demand share, on the default Spot platform at the Spot share', async () => {
    const shape: RunShape = { capacity: RunCapacity.EC2_ON_DEMAND, vcpus: 2, memoryMib: 8192, durationSeconds: 3600 };
    const detail = { ...jobDetail(shape), JobName: 'n', PlatformCapabilities: ['EC2'] };
    const onDemand = await jsonata(runJobOutput(ComputePlatform.EC2, false)).evaluate({}, { states: { result: detail } });
    expect(onDemand.estimatedCostUsd).toBeCloseTo(0.096, 6);
    const spot = await jsonata(runJobOutput(ComputePlatform.EC2)).evaluate({}, { states: { result: detail } });
    expect(spot.estimatedCostUsd).toBeCloseTo(RunCost.estimate({ ...shape, capacity: RunCapacity.EC2_SPOT }).usd, 6);
  });
});

/**
 * Runs in the 730 hours from 1 Jan 2027: daily at 02:00 UTC fires 31 times (the window ends 31 Jan 10:00),
 * rate(6 hours) 122 times (0, 6, ..., 726 h), hourly 730 times.
 */
function fleet() {
  const stack = new cdk.Stack(new cdk.App(), 'Teams', { env: { account: '123456789012', region: 'us-east-1' } });
  const spotEc2 = new BatchPlatform(stack, 'Platform');
  const fargate = new BatchPlatform(stack, 'Fargate', { computePlatform: ComputePlatform.FARGATE, spot: false });
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
  const nightly = new ScheduledBatchWorkload(stack, 'Nightly', { platform: spotEc2, image, schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }) });
  const sixHourly = new ScheduledBatchWorkload(stack, 'SixHourly', { platform: spotEc2, image, schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(6)) });
  new ScheduledBatchWorkload(stack, 'Hourly', { platform: fargate, image, schedule: scheduler.ScheduleExpression.cron({ minute: '0' }) });
  cdk.Tags.of(nightly).add('team', 'payments');
  cdk.Tags.of(sixHourly).add('team', 'payments');
  return stack;
}

describe('CostReport: monthly run cost per workload and per team', () => {

  test('per workload: one run (1 vCPU, 2 GiB, the 1-hour timeout) × the schedule\'s runs in 730 hours, with its team tag', () => {
    // EC2 Spot x86: 0.3 × (0.0333512 + 2 × 0.0036622) = $0.012203 a run; Fargate x86: 0.04048 + 2 × 0.004445 = $0.04937.
    expect(CostReport.of(fleet()).workloadRunCosts()).toEqual([
      { workload: 'Teams/Hourly', team: undefined, runsPerMonth: 730, runUsd: 0.04937, monthlyUsd: 36.04 },
      { workload: 'Teams/Nightly', team: 'payments', runsPerMonth: 31, runUsd: 0.012203, monthlyUsd: 0.38 },
      { workload: 'Teams/SixHourly', team: 'payments', runsPerMonth: 122, runUsd: 0.012203, monthlyUsd: 1.49 },
    ]);
  });

  test('per team: the sum of its workloads, largest first; untagged workloads are "(no team)"', () => {
    expect(CostReport.of(fleet()).teamRunCosts()).toEqual([
      { team: '(no team)', workloads: 1, monthlyUsd: 36.04 },
      { team: 'payments', workloads: 2, monthlyUsd: 1.87 },
    ]);
  });

  test('runDuration replaces the timeout: 10-minute runs cost a sixth', () => {
    const nightly = CostReport.of(fleet()).workloadRunCosts({ runDuration: cdk.Duration.minutes(10) }).find(r => r.workload === 'Teams/Nightly');
    expect(nightly).toMatchObject({ runUsd: 0.002034, monthlyUsd: 0.06 });
  });

  test('a report on one workload covers that workload only', () => {
    const stack = fleet();
    expect(CostReport.of(stack.node.findChild('Nightly')).workloadRunCosts().map(r => r.workload)).toEqual(['Teams/Nightly']);
  });
});

describe('docs/operations.md, "Cost per run and per team": its numbers are the code\'s', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'operations.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Cost per run and per team'), doc.indexOf('## Roll back a job definition'));
  const usd6 = (n: number) => `$${n.toFixed(6)}`;

  test('the rates table', () => {
    expect(section).toContain(`| Fargate, x86 | $${UnitPrices.FARGATE_VCPU_HOUR} | $${UnitPrices.FARGATE_GB_HOUR} |`);
    expect(section).toContain(`| Fargate, ARM (Graviton) | $${UnitPrices.FARGATE_ARM_VCPU_HOUR} | $${UnitPrices.FARGATE_ARM_GB_HOUR} |`);
    const x86 = RunCost.rates(RunCapacity.EC2_ON_DEMAND);
    const arm = RunCost.rates(RunCapacity.EC2_ON_DEMAND, CpuArchitecture.ARM64);
    expect(section).toContain(`| EC2 On-Demand, x86 | ${usd6(x86.vcpuHourUsd)} | ${usd6(x86.gibHourUsd)} | m5.large ($${UnitPrices.M5_LARGE_HOUR}/h`);
    expect(section).toContain(`| EC2 On-Demand, ARM | ${usd6(arm.vcpuHourUsd)} | ${usd6(arm.gibHourUsd)} | m6g.large ($${UnitPrices.M6G_LARGE_HOUR}/h)`);
    const discount = Math.round(UnitPrices.SPOT_DISCOUNT * 100);
    expect(section).toContain(`| ${100 - discount}% of the above | ${100 - discount}% of the above | a ${discount}% discount assumed`);
  });

  test('the examples', () => {
    const fargate = RunCost.estimate({ capacity: RunCapacity.FARGATE, vcpus: 1, memoryMib: 2048, durationSeconds: 600 }).usd;
    const spot = RunCost.estimate({ capacity: RunCapacity.EC2_SPOT, vcpus: 1, memoryMib: 2048, durationSeconds: 3600 }).usd;
    expect(section).toContain(`runs 10 minutes costs $${fargate}; the same job on EC2 Spot for an\nhour costs $${spot}.`);
  });

  test('the monthly figures per workload and team', () => {
    const report = CostReport.of(fleet());
    const [hourly, nightly, sixHourly] = report.workloadRunCosts();
    const payments = report.teamRunCosts().find(t => t.team === 'payments')!;
    const flat = section.replace(/\s+/g, ' ');
    expect(flat).toContain(`A nightly workload (${nightly.runsPerMonth} runs in 730 hours) and a six-hourly one (${sixHourly.runsPerMonth} runs)`);
    expect(flat).toContain(`are $${nightly.monthlyUsd.toFixed(2)} and $${sixHourly.monthlyUsd.toFixed(2)} a month, $${payments.monthlyUsd.toFixed(2)} for the team`);
    expect(flat).toContain(`an hourly Fargate workload (${hourly.runsPerMonth} runs) is $${hourly.monthlyUsd.toFixed(2)}.`);
  });
});
