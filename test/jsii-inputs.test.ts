/**
 * Inputs as Java, Go and Python send them through jsii: `null` entries in a list, a string where a list belongs, a
 * number where a Duration belongs. Each fails at synth with a message that names the prop (and the entry), not a
 * TypeError from deep inside the construct.
 */
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import {
  BatchPlatform, DeployVerification, HardenedRepository, JobSchedule, Rollout, ScheduledBatchWorkflow, ScheduledBatchWorkload, SpotComputeEnvironment,
} from '../src';
import { ValidationError } from '../src/private/prop-names';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const schedule = scheduler.ScheduleExpression.rate(cdk.Duration.hours(24));
const env = { account: '123456789012', region: 'eu-west-2' };
const stack = () => new cdk.Stack(new cdk.App(), 'Inputs', { env });

const cases: [string, (s: cdk.Stack) => void, string][] = [
  ['verificationCommand [null]', s => new ScheduledBatchWorkload(s, 'W', { schedule, image: IMAGE, verifyOnDeploy: true, verificationCommand: [null as any] }),
    "'verificationCommand[0]' is null: each entry of 'verificationCommand' is a program argument; remove the empty entry."],
  ['DeployVerification command [null]', s => new DeployVerification(s, 'V', { job: new ScheduledBatchWorkload(s, 'W', { schedule, image: IMAGE }).job, command: ['python', null as any] }),
    "'command[1]' is null: each entry of 'command' is a program argument; remove the empty entry."],
  ['DeployVerification command [3]', s => new DeployVerification(s, 'V', { job: new ScheduledBatchWorkload(s, 'W', { schedule, image: IMAGE }).job, command: [3 as any] }),
    "'command[0]' is 3: each entry is a program argument, a string."],
  ['a verification timeout given as a number', s => new ScheduledBatchWorkload(s, 'W', { schedule, image: IMAGE, verifyOnDeploy: true, verificationTimeout: 600 as any }),
    "'verificationTimeout' is 600"],
  ['a verification attempt timeout given as a number', s => new ScheduledBatchWorkload(s, 'W', { schedule, image: IMAGE, verifyOnDeploy: true, verificationAttemptTimeout: 600 as any }),
    "'verificationAttemptTimeout' is 600"],
  ['runnableTimeLimit given as a number', s => new BatchPlatform(s, 'P', { runnableTimeLimit: 3600 as any }), "'runnableTimeLimit' is 3600"],
  ['securityGroups [null]', s => new SpotComputeEnvironment(s, 'C', { vpc: new ec2.Vpc(s, 'V'), securityGroups: [null as any] }),
    "'securityGroups[0]' is null: each entry of 'securityGroups' is a security group; remove the empty entry."],
  ['instanceTypes as a string', s => new SpotComputeEnvironment(s, 'C', { vpc: new ec2.Vpc(s, 'V'), instanceTypes: 'm5.large' as any }),
    "'instanceTypes' is 'm5.large', which is not a list: give a list of instance types, e.g. [new ec2.InstanceType('m7g.large')]."],
  ['vpcSubnets with a subnet type that is none', s => new SpotComputeEnvironment(s, 'C', { vpc: new ec2.Vpc(s, 'V'), vpcSubnets: { subnetType: 'bogus' as any } }),
    "'vpcSubnets.subnetType' is 'bogus', which is not an ec2.SubnetType"],
  ['workflow steps [null]', s => new ScheduledBatchWorkflow(s, 'F', { schedule, steps: [null as any] }),
    "'steps[0]' is null: each entry of 'steps' is a step; remove the empty entry."],
  ['dependsOn as a string', s => new ScheduledBatchWorkflow(s, 'F', { schedule, steps: [{ name: 'a', image: IMAGE }, { name: 'b', image: IMAGE, dependsOn: 'a' as any }] }),
    "'steps[1].dependsOn' is 'a', which is not a list: give a list of step names, e.g. ['extract']."],
  ['fairShare.shares [null]', s => new BatchPlatform(s, 'P', { fairShare: { shares: [null as any] } }),
    "'fairShare.shares[0]' is null: each entry of 'fairShare.shares' is a team share; remove the empty entry."],
  ['fairShare.shares as one object', s => new BatchPlatform(s, 'P', { fairShare: { shares: { team: 'a' } as any } }),
    "'fairShare.shares' is"],
  ['retryableExitCodes as a string', s => new ScheduledBatchWorkload(s, 'W', { schedule, image: IMAGE, retryableExitCodes: '75' as any }),
    "'retryableExitCodes' is '75', which is not a list: give a list of exit-code patterns, e.g. ['75']."],
  ['replicationDestinations [null]', s => new HardenedRepository(s, 'R', { replicationDestinations: [null as any] }),
    "'replicationDestinations[0]' is null: each entry of 'replicationDestinations' is a destination; remove the empty entry."],
  ['replicationDestinations [{}]', s => new HardenedRepository(s, 'R', { replicationDestinations: [{} as any] }),
    "'replicationDestinations[0]' has region 'undefined', which is not a Region code"],
  ['mutableTagPatterns [null]', s => new HardenedRepository(s, 'R', { mutableTagPatterns: [null as any] }),
    "'mutableTagPatterns[0]' is null: each entry of 'mutableTagPatterns' is a tag pattern; remove the empty entry."],
];

test.each(cases)('%s fails at synth, naming it', (_name, build, message) => {
  let error: unknown;
  try {
    build(stack());
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as Error).message).toContain(message);
});

test('lists whose entries are all given still pass', () => {
  const s = stack();
  const vpc = new ec2.Vpc(s, 'V');
  expect(() => new SpotComputeEnvironment(s, 'C', { vpc, securityGroups: [new ec2.SecurityGroup(s, 'Sg', { vpc })] })).not.toThrow();
  expect(() => new HardenedRepository(s, 'R', { mutableTagPatterns: ['latest'], replicationDestinations: [{ region: 'eu-west-1' }] })).not.toThrow();
  expect(() => new ScheduledBatchWorkload(s, 'W', { schedule, image: IMAGE, retryableExitCodes: ['75'] })).not.toThrow();
});

test('a platform of another account or region is refused naming \'platform\' (aws-cdk-lib\'s cross-environment error named no prop)', () => {
  const app = new cdk.App();
  const platform = new BatchPlatform(new cdk.Stack(app, 'Platforms', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Platform');
  const here = new cdk.Stack(app, 'Workloads', { env });
  expect(() => new ScheduledBatchWorkload(here, 'W', { schedule, image: IMAGE, platform }))
    .toThrow("'platform' is Platforms/Platform, in account 111111111111 and region eu-west-1, but this workload's stack Workloads is in account 123456789012 and region eu-west-2");
  const same = new cdk.Stack(app, 'Same', { env: { account: '111111111111', region: 'eu-west-1' } });
  expect(() => new ScheduledBatchWorkload(same, 'W', { schedule, image: IMAGE, platform })).not.toThrow();
});

test('messages name the prop as given: computePlatform on a platform, runName on a JobSchedule', () => {
  expect(() => new BatchPlatform(stack(), 'P', { computePlatform: 7 as any })).toThrow(/^'computePlatform' is 7, which is not a ComputePlatform/);
  const s = stack();
  const job = new ScheduledBatchWorkload(s, 'W', { schedule, image: IMAGE }).job;
  expect(() => new JobSchedule(s, 'Sched', { job, schedule, runName: '' })).toThrow(/^'runName' is "": give a non-empty name/);
});

test('tokens pass where only their value is unknown: a rollout step, a team cap', () => {
  const s = stack();
  const percent = new cdk.CfnParameter(s, 'Percent', { type: 'Number' }).valueAsNumber;
  expect(() => new ScheduledBatchWorkload(s, 'Rolled', { schedule, image: IMAGE, rollout: Rollout.linear({ percentages: [10, percent] }) })).not.toThrow();
  expect(() => Rollout.linear({ percentages: [50, 10] })).toThrow(/each step must be larger than the one before \(step 2 is not\)/);
  const cap = new cdk.CfnParameter(s, 'Cap', { type: 'Number' }).valueAsNumber;
  const platform = new BatchPlatform(s, 'Shared', { fairShare: { shares: [{ team: 'analytics', maxvCpus: cap }] } });
  new ScheduledBatchWorkload(s, 'Capped', { platform, team: 'analytics', schedule, image: IMAGE });
  const resources = Template.fromStack(s).findResources('AWS::Batch::ConsumableResource');
  expect(Object.values(resources).map((r: any) => r.Properties.TotalQuantity)).toContainEqual({ Ref: 'Cap' });
});
