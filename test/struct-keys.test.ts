/* eslint-disable no-bitwise */ // the TypeScript compiler API reports modifiers and symbol kinds as bit sets
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as ts from 'typescript';
import { generate, GENERATED_FILE, REGENERATE_COMMAND } from '../scripts/struct-keys';
import {
  BatchAlarms, BatchJob, BatchPlatform, ComputeReachability, CostOptimizedVpc, EgressProfile, HardenedRepository, JobSchedule,
  RunApi, RunTracker, ScheduledBatchWorkflow, ScheduledBatchWorkload, SpotComputeEnvironment, DeployVerification,
} from '../src';
import { builtByLibrary, nearestKey, rejectUnknownKeys } from '../src/private/struct-keys';
import { BOOLEAN_KEYS, STRUCT_KEYS } from '../src/private/struct-keys.generated';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const SCHEDULE = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });

function stack(): cdk.Stack {
  return new cdk.Stack(new cdk.App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-2' } });
}

/** An untyped value, as JavaScript or a Python dict passes it. */
const untyped = (value: object): any => value;

const job = (s: cdk.Stack) => new BatchJob(s, 'Job', { platform: new BatchPlatform(s, 'Platform'), image: IMAGE });

/** Each public constructor or method that takes a struct, given a misspelt or snake_case key, and the message expected. */
const CASES: Array<[string, (s: cdk.Stack) => unknown, string]> = [
  ['ScheduledBatchWorkload retry_attempts', s => new ScheduledBatchWorkload(s, 'W', untyped({ schedule: SCHEDULE, image: IMAGE, retry_attempts: 3 })),
    "'retry_attempts' is not a property of ScheduledBatchWorkloadProps: did you mean 'retryAttempts'?"],
  ['ScheduledBatchWorkload misspelt shedule', s => new ScheduledBatchWorkload(s, 'W', untyped({ shedule: SCHEDULE, image: IMAGE })),
    "'shedule' is not a property of ScheduledBatchWorkloadProps: did you mean 'schedule'?"],
  ['ScheduledBatchWorkload nested jobAccess', s => new ScheduledBatchWorkload(s, 'W', untyped({ schedule: SCHEDULE, image: IMAGE, jobAccess: { secrets_manager: true } })),
    "'secrets_manager' is not a property of JobAccess (in 'jobAccess'): did you mean 'secretsManager'?"],
  ['ScheduledBatchWorkflow step depends_on', s => new ScheduledBatchWorkflow(s, 'F', untyped({
    schedule: SCHEDULE, steps: [{ name: 'extract', image: IMAGE }, { name: 'load', image: IMAGE, depends_on: ['extract'] }],
  })), "'depends_on' is not a property of WorkflowStep (in 'steps[1]'): did you mean 'dependsOn'?"],
  ['ScheduledBatchWorkflow run_deadline', s => new ScheduledBatchWorkflow(s, 'F', untyped({ schedule: SCHEDULE, steps: [{ name: 'a', image: IMAGE }], run_deadline: cdk.Duration.hours(1) })),
    "'run_deadline' is not a property of ScheduledBatchWorkflowProps: did you mean 'runDeadline'?"],
  ['BatchPlatform max_vcpus', s => new BatchPlatform(s, 'P', untyped({ max_vcpus: 16 })),
    "'max_vcpus' is not a property of BatchPlatformProps: did you mean 'maxvCpus'?"],
  ['BatchPlatform.fromBatchPlatformAttributes job_queue_arn', s => BatchPlatform.fromBatchPlatformAttributes(s, 'P', untyped({
    job_queue_arn: 'arn:aws:batch:eu-west-2:123456789012:job-queue/q',
  })), "'job_queue_arn' is not a property of BatchPlatformAttributes: did you mean 'jobQueueArn'?"],
  ['SpotComputeEnvironment min_vcpus', s => new SpotComputeEnvironment(s, 'C', untyped({ vpc: new CostOptimizedVpc(s, 'V'), min_vcpus: 0 })),
    "'min_vcpus' is not a property of SpotComputeEnvironmentProps: did you mean 'minvCpus'?"],
  ['CostOptimizedVpc max_azs', s => new CostOptimizedVpc(s, 'V', untyped({ max_azs: 2 })),
    "'max_azs' is not a property of CostOptimizedVpcProps: did you mean 'maxAzs'?"],
  ['CostOptimizedVpc.addComputeRequirements ssm_parameters', s => new CostOptimizedVpc(s, 'V').addComputeRequirements(untyped({ ssm_parameters: true })),
    "'ssm_parameters' is not a property of ComputeRequirements: did you mean 'ssmParameters'?"],
  ['ComputeReachability.requiredInterfaceEndpoints secretManager', () => ComputeReachability.requiredInterfaceEndpoints(untyped({ secretManager: true })),
    "'secretManager' is not a property of ComputeRequirements: did you mean 'secretsManager'?"],
  ['ComputeReachability.require secrets_manager', s => ComputeReachability.require(s, new CostOptimizedVpc(s, 'V'), undefined, untyped({ secrets_manager: true })),
    "'secrets_manager' is not a property of ComputeRequirements: did you mean 'secretsManager'?"],
  ['EgressProfile.natGateway per_az', () => EgressProfile.natGateway(untyped({ per_az: true })),
    "'per_az' is not a property of NatGatewayEgressOptions: did you mean 'perAz'?"],
  ['EgressProfile.vpcEndpoints single_az', () => EgressProfile.vpcEndpoints(untyped({ single_az: true })),
    "'single_az' is not a property of VpcEndpointsEgressOptions: did you mean 'singleAz'?"],
  ['HardenedRepository max_tagged_images', s => new HardenedRepository(s, 'R', untyped({ max_tagged_images: 5 })),
    "'max_tagged_images' is not a property of HardenedRepositoryProps: did you mean 'maxTaggedImages'?"],
  ['HardenedRepository nested replicationDestinations', s => new HardenedRepository(s, 'R', untyped({ replicationDestinations: [{ region: 'eu-west-1', registry_id: '1' }] })),
    "'registry_id' is not a property of ReplicationDestination (in 'replicationDestinations[0]'): did you mean 'registryId'?"],
  ['BatchJob imageTg', s => new BatchJob(s, 'J', untyped({ platform: new BatchPlatform(s, 'P'), imageTg: 'v1' })),
    "'imageTg' is not a property of BatchJobProps: did you mean 'imageTag'?"],
  ['BatchJob.fromBatchJobAttributes job_name', s => BatchJob.fromBatchJobAttributes(s, 'J', untyped({ job_name: 'j' })),
    "'job_name' is not a property of BatchJobAttributes: did you mean 'jobName'?"],
  ['JobSchedule track_runs', s => new JobSchedule(s, 'S', untyped({ job: job(s), schedule: SCHEDULE, track_runs: false })),
    "'track_runs' is not a property of JobScheduleProps: did you mean 'trackRuns'?"],
  ['RunTracker workload_name', s => new RunTracker(s, 'T', untyped({ job: job(s), workload_name: 'w' })),
    "'workload_name' is not a property of RunTrackerProps: did you mean 'workloadName'?"],
  ['RunApi throttling_rate_limit', s => new RunApi(s, 'A', untyped({ throttling_rate_limit: 5 })),
    "'throttling_rate_limit' is not a property of RunApiProps: did you mean 'throttlingRateLimit'?"],
  ['RunApi.addJob route_name', s => new RunApi(s, 'A').addJob(job(s), untyped({ route_name: 'nightly' })),
    "'route_name' is not a property of RunApiRouteOptions: did you mean 'routeName'?"],
  ['BatchAlarms notification_email', s => {
    const j = job(s);
    return new BatchAlarms(s, 'Alarms', untyped({ jobQueue: j.jobQueue, jobDefinition: j.jobDefinition, notification_email: 'ops@example.com' }));
  }, "'notification_email' is not a property of BatchAlarmsProps: did you mean 'notificationEmail'?"],
  ['DeployVerification commnd', s => new DeployVerification(s, 'V', untyped({ job: job(s), commnd: ['true'] })),
    "'commnd' is not a property of DeployVerificationProps: did you mean 'command'?"],
];

describe('a key the struct does not have is a synth-time error naming the struct, the key and the nearest known key', () => {
  test.each(CASES)('%s', (_name, build, message) => {
    expect(() => build(stack())).toThrow(message);
  });

  test('from TypeScript/JavaScript a snake_case key gets the nearest key only (the Python hint is for Python: test/prop-names.test.ts)', () => {
    expect(() => new ScheduledBatchWorkflow(stack(), 'F', untyped({
      schedule: SCHEDULE, steps: [{ name: 'a', image: IMAGE }, { name: 'b', image: IMAGE, depends_on: ['a'] }],
    }))).toThrow(/^'depends_on' is not a property of WorkflowStep \(in 'steps\[1\]'\): did you mean 'dependsOn'\?$/);
    expect(() => new BatchPlatform(stack(), 'P', untyped({ maxvcpu: 4 })))
      .toThrow(/^'maxvcpu' is not a property of BatchPlatformProps: did you mean 'maxvCpus'\?$/);
  });

  test('a key close to none lists some of the known keys', () => {
    expect(() => new RunApi(stack(), 'A', untyped({ banana: 1 })))
      .toThrow("'banana' is not a property of RunApiProps: the known properties include 'accessLogEncryptionKey', 'accessLogRetention', 'throttlingBurstLimit', 'throttlingRateLimit'.");
  });
});

describe('what is not a struct is not checked', () => {
  test('undefined, tokens and class instances pass', () => {
    expect(() => rejectUnknownKeys('RunApiProps', undefined)).not.toThrow();
    expect(() => rejectUnknownKeys('RunApiProps', cdk.Lazy.any({ produce: () => ({ banana: 1 }) }))).not.toThrow();
    expect(() => rejectUnknownKeys('RunApiProps', cdk.Duration.hours(1))).not.toThrow();
  });

  test('the props a workload and a workflow build for their inner constructs carry their other keys and pass', () => {
    const s = stack();
    // Workload-only keys (alarms, notificationEmail, verifyOnDeploy...) reach BatchJob and JobSchedule in a spread.
    new ScheduledBatchWorkload(s, 'W', { schedule: SCHEDULE, image: IMAGE, alarms: false, arraySize: 2, maxvCpus: 8, trackRuns: true });
    // Step-only keys (name, dependsOn, arraySize) reach each step's BatchJob.
    new ScheduledBatchWorkflow(s, 'F', { schedule: SCHEDULE, steps: [{ name: 'a', image: IMAGE }, { name: 'b', image: IMAGE, dependsOn: ['a'], arraySize: 2 }] });
  });

  test('the library\'s mark on the props it builds is no key and is not copied by a spread', () => {
    const built = builtByLibrary({ banana: 1 });
    expect(Object.keys(built)).toEqual(['banana']);
    expect(() => rejectUnknownKeys('RunApiProps', built)).not.toThrow();
    expect(() => rejectUnknownKeys('RunApiProps', { ...built })).toThrow("'banana' is not a property of RunApiProps");
  });

  test('every known key of every struct is accepted', () => {
    for (const [struct, keys] of Object.entries(STRUCT_KEYS)) {
      // Values that are not plain objects, so nested structs are not descended into; booleans where a boolean is typed.
      const value = Object.fromEntries(keys.map(k => [k, (BOOLEAN_KEYS[struct] ?? []).includes(k) ? true : 1]));
      expect(() => rejectUnknownKeys(struct, value)).not.toThrow();
    }
  });

  test('the nearest key ignores case and underscores, and is only suggested when close', () => {
    expect(nearestKey('DEPENDS_ON', ['dependsOn', 'name'])).toBe('dependsOn');
    expect(nearestKey('nmae', ['dependsOn', 'name'])).toBe('name');
    expect(nearestKey('retryAttempt', ['retryAttempts', 'retryableExitCodes'])).toBe('retryAttempts');
    expect(nearestKey('banana', ['dependsOn', 'name'])).toBeUndefined();
  });
});

test(`the committed struct keys are what scripts/struct-keys.ts generates now (if not, run "${REGENERATE_COMMAND}")`, () => {
  const committed = fs.readFileSync(GENERATED_FILE, 'utf8');
  if (committed !== generate()) {
    throw new Error(`${GENERATED_FILE} is stale: the interfaces in src/ changed. Run "${REGENERATE_COMMAND}" and commit the result.`);
  }
  // The interfaces the public constructors take are there, inherited keys included.
  expect(STRUCT_KEYS.ScheduledBatchWorkloadProps).toEqual(expect.arrayContaining(['retryAttempts', 'maxvCpus', 'verifyOnDeploy', 'schedule']));
  expect(STRUCT_KEYS.WorkflowStep).toEqual(expect.arrayContaining(['dependsOn', 'image', 'name']));
  expect(Object.keys(STRUCT_KEYS).filter(name => /^I[A-Z]/.test(name))).toEqual([]);
});

/**
 * Every struct parameter of a public constructor or method of an exported class, and whether the body checks it with
 * `rejectUnknownKeys('<Struct>', <parameter>)`: a new method that takes a struct cannot forget the check.
 */
function structParameters(): Array<{ where: string; checked: boolean }> {
  const src = path.join(__dirname, '..', 'src');
  const program = ts.createProgram([path.join(src, 'index.ts')], { strict: true, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(src, 'index.ts'))!;
  const found: Array<{ where: string; checked: boolean }> = [];
  for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(index)!)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.find(ts.isClassDeclaration);
    if (!declaration) continue;
    for (const member of declaration.members) {
      if (ts.getCombinedModifierFlags(member) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      if (!(ts.isConstructorDeclaration(member) || ts.isMethodDeclaration(member)) || !member.body) continue;
      for (const parameter of member.parameters) {
        const structName = checker.getNonNullableType(checker.getTypeAtLocation(parameter)).getSymbol()?.name;
        if (!structName || !(structName in STRUCT_KEYS)) continue;
        const method = ts.isConstructorDeclaration(member) ? 'constructor' : member.name.getText();
        found.push({
          where: `${symbol.name}.${method}(${parameter.name.getText()}: ${structName})`,
          checked: member.body.getText().includes(`rejectUnknownKeys('${structName}', ${parameter.name.getText()})`),
        });
      }
    }
  }
  return found;
}

test('every struct a public constructor or method takes is checked against unknown keys', () => {
  const parameters = structParameters();
  // The finder sees the public API's struct parameters (constructors, static factories, methods).
  expect(parameters.map(p => p.where)).toEqual(expect.arrayContaining([
    'ScheduledBatchWorkflow.constructor(props: ScheduledBatchWorkflowProps)',
    'BatchJob.fromBatchJobAttributes(attrs: BatchJobAttributes)',
    'RunApi.addJob(options: RunApiRouteOptions)',
  ]));
  expect(parameters.filter(p => !p.checked).map(p => p.where)).toEqual([]);
});

describe('a boolean given as anything else is refused (a string such as "false" is truthy and would turn the option on)', () => {
  const BOOLEAN_CASES: Array<[string, (s: cdk.Stack) => unknown, string]> = [
    ['ScheduledBatchWorkload enabled', s => new ScheduledBatchWorkload(s, 'W', untyped({ schedule: SCHEDULE, image: IMAGE, enabled: 'false' })),
      "'enabled' is 'false' (a string): give true or false."],
    ['ScheduledBatchWorkload trackRuns', s => new ScheduledBatchWorkload(s, 'W', untyped({ schedule: SCHEDULE, image: IMAGE, trackRuns: 'false' })),
      "'trackRuns' is 'false' (a string): give true or false."],
    ['ScheduledBatchWorkload verifyOnDeploy as a number', s => new ScheduledBatchWorkload(s, 'W', untyped({ schedule: SCHEDULE, image: IMAGE, verifyOnDeploy: 0 })),
      "'verifyOnDeploy' is 0 (a number): give true or false."],
    ['ScheduledBatchWorkload notifyRecovery', s => new ScheduledBatchWorkload(s, 'W', untyped({ schedule: SCHEDULE, image: IMAGE, notifyRecovery: 'no' })),
      "'notifyRecovery' is 'no' (a string): give true or false."],
    ['JobSchedule enabled', s => new JobSchedule(s, 'S', untyped({ job: job(s), schedule: SCHEDULE, enabled: 'false' })),
      "'enabled' is 'false' (a string): give true or false."],
    ['a workflow step privileged', s => new ScheduledBatchWorkflow(s, 'F', untyped({ schedule: SCHEDULE, steps: [{ name: 'a', image: IMAGE, privileged: 'true' }] })),
      "'privileged' (in 'steps[0]') is 'true' (a string): give true or false."],
    ['CostOptimizedVpc flowLogs', s => new CostOptimizedVpc(s, 'V', untyped({ flowLogs: 'false' })),
      "'flowLogs' is 'false' (a string): give true or false."],
    ['BatchAlarms runsTracked as a list', s => new BatchAlarms(s, 'A', untyped({ jobQueue: new BatchPlatform(s, 'P').jobQueue, runsTracked: [true] })),
      "'runsTracked' is [true] (a list): give true or false."],
  ];

  test.each(BOOLEAN_CASES)('%s', (_name, build, message) => {
    expect(() => build(stack())).toThrow(message);
  });

  test('true, false and leaving it out pass', () => {
    for (const enabled of [true, false, undefined]) {
      expect(() => new ScheduledBatchWorkload(stack(), 'W', { schedule: SCHEDULE, image: IMAGE, enabled })).not.toThrow();
    }
  });
});
