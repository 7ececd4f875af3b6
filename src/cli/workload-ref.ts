/**
 * Finds the deployed schedule of a workload for the runs CLI, from what the user has at hand:
 *   --schedule-group <group>[/<name>]   the workload's stack output <Workload>ScheduleRef (or the group and --schedule-name);
 *   --stack <stack> [--workload <id>]   that output read from the deployed stack, or from its nested stacks (a BatchFleet's);
 *   --template <file> --stack <stack>   the schedule of a synthesized template, found in the deployed stack by its logical id.
 * Every AWS call goes through the user's `aws` CLI (./replay.ts). Node built-ins only.
 */
import { UsageError } from './args';
import { aws, AwsOptions, DeployedSchedule, readSchedule } from './replay';
import { templateSchedule } from './template';

export interface WorkloadFlags {
  readonly 'schedule-group'?: string;
  readonly 'schedule-name'?: string;
  readonly 'stack'?: string;
  readonly 'workload'?: string;
  readonly 'template'?: string;
  readonly 'schedule-id'?: string;
}

/** The flags of {@link WorkloadFlags}, for `util.parseArgs`. */
export const WORKLOAD_FLAGS = {
  'schedule-group': { type: 'string' },
  'schedule-name': { type: 'string' },
  'stack': { type: 'string' },
  'workload': { type: 'string' },
  'template': { type: 'string' },
  'schedule-id': { type: 'string' },
} as const;

export const WORKLOAD_USAGE = `Which workload (one of):
  --schedule-group <group>[/<name>]  The workload's stack output <Workload>ScheduleRef, or its group with --schedule-name.
  --stack <stack> [--workload <id>]  Reads that output from the deployed stack (and its nested stacks, where a BatchFleet
                                     puts its workloads); --workload picks one by construct id or path when there are several.
  --template <file> --stack <stack> [--schedule-id <id>]
                                     The schedule of a synthesized template (cdk.out/<Stack>.template.json), looked up in
                                     the deployed stack by its logical id.`;

/** Nested stacks read at most, so that a lookup always ends (a BatchFleet has at most 200). */
export const MAX_NESTED_STACKS = 250;

/** The construct path in the description of a workload's ScheduleRef output (src/workload/scheduled-batch-workload.ts). */
export function workloadPathOf(description: string | undefined): string | undefined {
  return /^Schedule group and name of (.+?): /.exec(description ?? '')?.[1];
}

/**
 * EventBridge Scheduler's names of schedule groups and schedules: 1 to 64 letters, digits, '-', '_' and '.'.
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateScheduleGroup.html
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
 */
const SCHEDULER_NAME = /^[0-9a-zA-Z._-]{1,64}$/;

/** The group and (optional) schedule name of `--schedule-group <group>[/<name>]` and `--schedule-name <name>`. */
export function scheduleOfFlags(groupFlag: string, nameFlag: string | undefined): { readonly group: string; readonly name?: string } {
  const parts = groupFlag.split('/');
  if (parts.length > 2 || !parts.every(part => SCHEDULER_NAME.test(part))) {
    throw new UsageError(`--schedule-group is '${groupFlag}': give <group> or <group>/<name>, each 1 to 64 letters, digits, '-', '_' or '.', `
      + 'as the workload\'s stack output <Workload>ScheduleRef gives them.');
  }
  if (nameFlag !== undefined && !SCHEDULER_NAME.test(nameFlag)) {
    throw new UsageError(`--schedule-name is '${nameFlag}': give the schedule's name, 1 to 64 letters, digits, '-', '_' or '.'.`);
  }
  const [group, inGroup] = parts;
  if (inGroup !== undefined && nameFlag !== undefined && inGroup !== nameFlag) {
    throw new UsageError(`--schedule-group names the schedule '${inGroup}' and --schedule-name '${nameFlag}': give one of them.`);
  }
  return { group, name: inGroup ?? nameFlag };
}

/** The deployed schedule the flags name; a usage error when they name none or several. */
export async function locateSchedule(flags: WorkloadFlags, options: AwsOptions, progress: (line: string) => void): Promise<DeployedSchedule> {
  checkWorkloadFlags(flags);
  if (flags['schedule-group'] !== undefined) {
    const { group, name } = scheduleOfFlags(flags['schedule-group'], flags['schedule-name']);
    return readSchedule(group, options, name);
  }
  const stack = flags.stack!;
  if (flags.template !== undefined) {
    const chosen = templateSchedule(flags.template, flags['schedule-id']);
    const described = await aws(['cloudformation', 'describe-stack-resource', '--stack-name', stack, '--logical-resource-id', chosen.logicalId], options);
    const name: unknown = described.StackResourceDetail?.PhysicalResourceId;
    if (typeof name !== 'string' || name === '') {
      throw new Error(`stack ${stack} has no deployed resource ${chosen.logicalId}: deploy the template, or check --stack.`);
    }
    return readSchedule(await groupOf(name, options), options, name);
  }
  const ref = await scheduleRefOutput(stack, flags.workload, options, progress);
  const [group, name] = ref.split('/', 2);
  return readSchedule(group, options, name);
}

function checkWorkloadFlags(flags: WorkloadFlags): void {
  const sources = [flags['schedule-group'] !== undefined && '--schedule-group', flags.stack !== undefined && '--stack'].filter(Boolean);
  if (sources.length !== 1) {
    throw new UsageError(`give the workload with exactly one of --schedule-group or --stack${sources.length ? ` (got ${sources.join(', ')})` : ''}.`);
  }
  const needs: [keyof WorkloadFlags, boolean, string][] = [
    ['schedule-name', flags['schedule-group'] !== undefined, '--schedule-group'],
    ['template', flags.stack !== undefined, '--stack'],
    ['workload', flags.stack !== undefined && flags.template === undefined, '--stack (without --template)'],
    ['schedule-id', flags.template !== undefined, '--template'],
  ];
  for (const [flag, allowed, partner] of needs) {
    if (flags[flag] !== undefined && !allowed) throw new UsageError(`--${flag} goes with ${partner}.`);
  }
}

/** The group of the schedule named `name`: EventBridge Scheduler lists schedules across groups by name prefix. */
async function groupOf(name: string, options: AwsOptions): Promise<string> {
  const listed = await aws(['scheduler', 'list-schedules', '--name-prefix', name], options);
  const groups: string[] = (listed.Schedules ?? []).filter((s: { Name?: string }) => s.Name === name).map((s: { GroupName: string }) => s.GroupName);
  if (groups.length !== 1) {
    throw new Error(groups.length === 0 ? `no schedule is named ${name}: is the stack deployed in this account and region?`
      : `${groups.length} schedule groups hold a schedule named ${name} (${groups.join(', ')}): give --schedule-group <group>/${name}.`);
  }
  return groups[0];
}

interface ScheduleRef {
  readonly stack: string;
  /** The workload's construct path. */
  readonly path: string;
  readonly value: string;
}

/** The value of the one ScheduleRef output of `stack` (or its nested stacks) that `workload` picks. */
async function scheduleRefOutput(stack: string, workload: string | undefined, options: AwsOptions,
  progress: (line: string) => void): Promise<string> {
  let refs = await scheduleRefs(stack, options);
  if (refs.length === 0) {
    const nested = await nestedStacks(stack, options);
    progress(`stack ${stack} has no ScheduleRef output: reading its ${nested.length} nested stack${nested.length === 1 ? '' : 's'}...`);
    for (const [i, child] of nested.entries()) {
      refs = refs.concat(await scheduleRefs(child, options));
      if ((i + 1) % 20 === 0) progress(`  ${i + 1} of ${nested.length} nested stacks read`);
    }
  }
  const chosen = workload === undefined ? refs : refs.filter(r => r.path === workload || r.path.endsWith(`/${workload}`) || r.path.includes(`/${workload}/`));
  if (chosen.length === 1) return chosen[0].value;
  const list = (chosen.length ? chosen : refs).map(r => `  ${r.path}  (${r.value})`).join('\n');
  if (refs.length === 0) throw new Error(`stack ${stack} and its nested stacks have no ScheduleRef output: is it a stack of ScheduledBatchWorkloads?`);
  throw new UsageError(workload === undefined
    ? `stack ${stack} has ${refs.length} workloads: choose one with --workload <construct id>:\n${list}`
    : `--workload '${workload}' matches ${chosen.length} of the workloads of stack ${stack}; give one of:\n${list}`);
}

async function scheduleRefs(stack: string, options: AwsOptions): Promise<ScheduleRef[]> {
  const described = await aws(['cloudformation', 'describe-stacks', '--stack-name', stack], options);
  const outputs: { OutputKey?: string; OutputValue?: string; Description?: string }[] = described.Stacks?.[0]?.Outputs ?? [];
  return outputs.flatMap(o => {
    const path = workloadPathOf(o.Description);
    return (o.OutputKey ?? '').includes('ScheduleRef') && path !== undefined && typeof o.OutputValue === 'string' ? [{ stack, path, value: o.OutputValue }] : [];
  });
}

/** The ids of the stacks nested in `stack`, at most {@link MAX_NESTED_STACKS}. */
async function nestedStacks(stack: string, options: AwsOptions): Promise<string[]> {
  const listed = await aws(['cloudformation', 'list-stack-resources', '--stack-name', stack], options);
  const ids: string[] = (listed.StackResourceSummaries ?? [])
    .filter((r: { ResourceType?: string; PhysicalResourceId?: string }) => r.ResourceType === 'AWS::CloudFormation::Stack' && r.PhysicalResourceId)
    .map((r: { PhysicalResourceId: string }) => r.PhysicalResourceId);
  if (ids.length > MAX_NESTED_STACKS) throw new Error(`stack ${stack} nests ${ids.length} stacks, more than the ${MAX_NESTED_STACKS} this tool reads: give --schedule-group.`);
  return ids;
}
