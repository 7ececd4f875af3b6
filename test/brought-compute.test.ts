/**
 * A job bigger than every instance type of a compute environment the user brings (through a job queue given to a
 * `BatchPlatform` or a workload) fails at synth, naming the prop, the value, the largest instance and the fix; compute
 * whose instance sizes cannot be known at synth (imported, `optimal`, a family without a size table, tokens) passes.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchPlatform, ScheduledBatchWorkload, ScheduledBatchWorkloadProps } from '../src';
import { ECS_RESERVED_MEMORY_MIB } from '../src/jobs/private/job-resources';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const SCHEDULE = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
/** What a job gets of a t3.small (2 vCPUs, 2 GiB) at most. */
const T3_SMALL_MIB = 2048 - ECS_RESERVED_MEMORY_MIB;

type CeProps = Partial<batch.ManagedEc2EcsComputeEnvironmentProps>;

function setup(ces: CeProps[] = [{}]) {
  const stack = new cdk.Stack(new cdk.App(), 'Stack', { env: { account: '123456789012', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
  const environments = ces.map((props, i) => new batch.ManagedEc2EcsComputeEnvironment(stack, `Ce${i}`, {
    vpc,
    instanceTypes: [new ec2.InstanceType('t3.small')],
    useOptimalInstanceClasses: false,
    ...props,
  }));
  const jobQueue = new batch.JobQueue(stack, 'Queue', {
    computeEnvironments: environments.map((computeEnvironment, order) => ({ computeEnvironment, order: order + 1 })),
  });
  const platform = new BatchPlatform(stack, 'Platform', { jobQueue });
  const workload = (props: Partial<ScheduledBatchWorkloadProps>) =>
    new ScheduledBatchWorkload(stack, 'Nightly', { platform, schedule: SCHEDULE, image: IMAGE, ...props });
  return { stack, vpc, environments, jobQueue, platform, workload };
}

/** Synthesizes the stack: the check runs as a construct validation. */
const synth = (stack: cdk.Stack) => Template.fromStack(stack);

describe('a job bigger than every instance type of a brought compute environment fails at synth', () => {
  test('64 GiB on a t3.small-only environment through a BatchPlatform: names memory, the value, t3.small and the fix', () => {
    const { stack, workload } = setup();
    workload({ memory: cdk.Size.gibibytes(64) });
    expect(() => synth(stack)).toThrow(new RegExp(
      '\'memory\' of 65536 MiB is more than job queue Stack/Queue \\(compute environment Stack/Ce0\\) can run: its largest allowed '
      + `instance \\(t3.small\\) leaves at most ${T3_SMALL_MIB} MiB to jobs. Fix: lower 'memory' to ${T3_SMALL_MIB} MiB or less, `
      + 'or give the compute environment larger instanceTypes/instanceClasses.'));
  });

  test('4 vCPUs on a t3.small-only environment: names cpu, the value and t3.small\'s 2 vCPUs', () => {
    const { stack, workload } = setup();
    workload({ cpu: 4, memory: cdk.Size.gibibytes(1) });
    expect(() => synth(stack)).toThrow(/'cpu' of 4 vCPUs is more than job queue Stack\/Queue \(compute environment Stack\/Ce0\) can run: its largest allowed instance \(t3.small\) has 2 vCPUs. Fix: lower 'cpu' to 2 or less/);
  });

  test('the default job (1 vCPU, 2 GiB) does not fit a t3.small either: Batch keeps memory back for the ECS agent', () => {
    const { stack, workload } = setup();
    workload({});
    expect(() => synth(stack)).toThrow(new RegExp(`'memory' of 2048 MiB is more than job queue Stack/Queue .* at most ${T3_SMALL_MIB} MiB`));
  });

  test('a compute environment\'s maxvCpus caps a job\'s vCPUs: the fix is to raise it', () => {
    const { stack, workload } = setup([{ instanceTypes: [], instanceClasses: [ec2.InstanceClass.M6I], maxvCpus: 4 }]);
    workload({ cpu: 8, memory: cdk.Size.gibibytes(8) });
    expect(() => synth(stack)).toThrow(/'cpu' of 8 vCPUs is more than job queue Stack\/Queue \(compute environment Stack\/Ce0\) can run: its maxvCpus is 4. Fix: lower 'cpu' to 4 or less, or raise the compute's 'maxvCpus' to at least 8/);
  });

  test('Batch\'s default instance classes (defaultInstanceClasses X86_64) are known: 1.5 TiB fails naming r6i.32xlarge', () => {
    const { stack, workload } = setup([{
      instanceTypes: [], useOptimalInstanceClasses: undefined, defaultInstanceClasses: [batch.DefaultInstanceClass.X86_64],
    }]);
    workload({ memory: cdk.Size.gibibytes(1536) });
    expect(() => synth(stack)).toThrow(/'memory' of 1572864 MiB .* its largest allowed instance \(r6i.32xlarge\) leaves at most 1048544 MiB/);
  });

  test('several compute environments: the job must fit one of them; the message names the largest and where it is', () => {
    const { stack, workload } = setup([{}, { instanceTypes: [new ec2.InstanceType('m6i.large')] }]);
    workload({ memory: cdk.Size.gibibytes(16) });
    expect(() => synth(stack)).toThrow(/'memory' of 16384 MiB is more than job queue Stack\/Queue can run: its largest allowed instance \(m6i.large in Stack\/Ce1\) leaves at most 8160 MiB/);
  });
});

describe('a job that fits, or compute whose sizes cannot be known at synth, passes', () => {
  test('a job that fits a t3.small (2 vCPUs, 1 GiB) passes', () => {
    const { stack, workload } = setup();
    workload({ cpu: 2, memory: cdk.Size.gibibytes(1) });
    expect(() => synth(stack)).not.toThrow();
  });

  test('several compute environments: 6 GiB fits the m6i.large one', () => {
    const { stack, workload } = setup([{}, { instanceTypes: [new ec2.InstanceType('m6i.large')] }]);
    workload({ memory: cdk.Size.gibibytes(6) });
    expect(() => synth(stack)).not.toThrow();
  });

  test('instance types added to the environment after the workload count (the check runs at synth)', () => {
    const { stack, environments, workload } = setup();
    workload({ memory: cdk.Size.gibibytes(64) });
    environments[0].addInstanceType(new ec2.InstanceType('r6i.4xlarge'));
    expect(() => synth(stack)).not.toThrow();
  });

  test('an imported compute environment passes (its instance types are unknown)', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Stack');
    const ce = batch.ManagedEc2EcsComputeEnvironment.fromManagedEc2EcsComputeEnvironmentArn(
      stack, 'Ce', 'arn:aws:batch:us-east-1:123456789012:compute-environment/small');
    const jobQueue = new batch.JobQueue(stack, 'Queue', { computeEnvironments: [{ computeEnvironment: ce, order: 1 }] });
    new ScheduledBatchWorkload(stack, 'Nightly', {
      platform: new BatchPlatform(stack, 'Platform', { jobQueue }), schedule: SCHEDULE, image: IMAGE, memory: cdk.Size.gibibytes(64),
    });
    expect(() => synth(stack)).not.toThrow();
  });

  test('an imported job queue passes', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Stack');
    new ScheduledBatchWorkload(stack, 'Nightly', {
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', 'arn:aws:batch:us-east-1:123456789012:job-queue/q'),
      schedule: SCHEDULE,
      image: IMAGE,
      memory: cdk.Size.gibibytes(64),
    });
    expect(() => synth(stack)).not.toThrow();
  });

  test('`optimal` (the L2\'s useOptimalInstanceClasses default) passes: Batch picks the sizes', () => {
    const { stack, workload } = setup([{ useOptimalInstanceClasses: true }]);
    workload({ memory: cdk.Size.gibibytes(64) });
    expect(() => synth(stack)).not.toThrow();
  });

  test('a family without a size table (GPU) passes', () => {
    const { stack, workload } = setup([{ instanceTypes: [new ec2.InstanceType('g5.xlarge')] }]);
    workload({ memory: cdk.Size.gibibytes(64) });
    expect(() => synth(stack)).not.toThrow();
  });

  test('tokens pass: token instance types (set on the L1), a token memory, a token cpu', () => {
    // The L2 refuses a token instance type; the L1 (an escape hatch) takes one.
    const typeToken = setup();
    const cfn = typeToken.environments[0].node.defaultChild as batch.CfnComputeEnvironment;
    cfn.computeResources = { ...typeToken.stack.resolve(cfn.computeResources), instanceTypes: cdk.Token.asList({ Ref: 'InstanceTypes' }) };
    typeToken.workload({ memory: cdk.Size.gibibytes(64) });
    expect(() => synth(typeToken.stack)).not.toThrow();

    const memoryToken = setup();
    memoryToken.workload({ memory: cdk.Size.mebibytes(cdk.Token.asNumber({ Ref: 'Memory' })) });
    expect(() => synth(memoryToken.stack)).not.toThrow();

    const cpuToken = setup();
    cpuToken.workload({ cpu: cdk.Token.asNumber({ Ref: 'Cpu' }), memory: cdk.Size.gibibytes(1) });
    expect(() => synth(cpuToken.stack)).not.toThrow();
  });
});

describe('docs/compute.md states the check', () => {
  const compute = fs.readFileSync(path.join(__dirname, '..', 'docs', 'compute.md'), 'utf8').replace(/\s+/g, ' ');

  test('the t3.small figure and what is not checked', () => {
    expect(compute).toContain(`a t3.small leaves a job at most ${T3_SMALL_MIB.toLocaleString('en-US')} MiB`);
    expect(compute).toContain('64 GiB on a queue over `instanceTypes: [t3.small]` with `useOptimalInstanceClasses: false` fails');
    expect(compute).toContain('an imported queue or compute environment, `optimal`');
  });
});
