import { createHash } from 'crypto';
import { NestedStack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FleetStack, MAX_WORKLOAD_STACKS, workloadCount } from './private/fleet-stack';
import { ScheduledBatchWorkload, ScheduledBatchWorkloadProps } from './scheduled-batch-workload';
import { BatchPlatform, IBatchPlatform } from '../compute/batch-platform';
import { BatchPlatformProps } from '../compute/batch-platform-props';
import { pickPlatformProps, rejectConflicts } from '../compute/private/platform-props';
import { CostLineItem, ICostEstimable } from '../cost/cost';
import { subtreeCostLineItems } from '../private/cost-walk';
import { inHostSpellingEach, ValidationError } from '../private/prop-names';
import { rejectUnknownKeys } from '../private/struct-keys';
import { validateWholeNumber } from '../private/validate';

/** Defaults of {@link BatchFleet}. */
export const FLEET_DEFAULTS = {
  workloadStacks: 80,
} as const;

/**
 * The most workloads one nested stack may hold. A nested stack's template is an S3 object of at most 1 MB
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html) and a default workload
 * is about 29 KB of it (test/fleet.test.ts measures it: its run's definition carries the message in two forms, the
 * log tail, the run's events and the state that creates its start check), so 25 workloads (about 730 KB) leave room
 * for larger ones. Larger ones than that are caught by the template's size (`FleetStack`, 1,000,000 bytes).
 */
export const MAX_WORKLOADS_PER_STACK = 25;

/** Properties of a {@link BatchFleet}: a platform of its own (`BatchPlatformProps`) or a given one. */
export interface BatchFleetProps extends BatchPlatformProps {
  /**
   * The platform the fleet's workloads run on, instead of one the fleet creates.
   * Cannot be combined with the other `BatchPlatformProps` except `alarmTopic`.
   * @default - the fleet creates its own `BatchPlatform`
   */
  readonly platform?: IBatchPlatform;

  /**
   * How many nested stacks the workloads are spread over (1 to 200). A workload's stack is chosen from a hash of its
   * id alone, so adding, removing or reordering workloads never moves another; changing this number moves most of
   * them (replaces their resources). Each nested stack has CloudFormation's own limits (500 resources, 1 MB
   * template) and holds at most 25 workloads; both the count and the template's size are checked at synth. With the
   * default, about 1,250 default workloads fit (the fullest of 80 stacks reaches 25 first; 1,000 workloads fill the
   * fullest to about 21); workloads with many options are larger (docs/fleet.md): give them more stacks.
   * @default 80
   */
  readonly workloadStacks?: number;
}

/**
 * Many scheduled workloads on one platform, placed by the library: each `addWorkload` goes into one of the fleet's
 * nested stacks, chosen deterministically from the workload's id, so one user stack holds hundreds of workloads
 * without a hand-made split and without passing CloudFormation's 500 resources per stack. The workloads share the
 * platform's schedule group, dead-letter queue, scheduler role, logs and alarms, and the fleet's start check; in the
 * default case each adds four resources of its own (the first in a nested stack also brings that stack, one resource)
 * and no fixed cost (docs/fleet.md).
 *
 * @example
 * const fleet = new BatchFleet(this, 'Fleet');
 * fleet.addWorkload('NightlyReport', {
 *   schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: TimeZone.EUROPE_LONDON }),
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
 * });
 */
export class BatchFleet extends Construct implements ICostEstimable {
  /** The platform the fleet's workloads run on. */
  public readonly platform: IBatchPlatform;
  /** How many nested stacks the workloads are spread over. */
  public readonly workloadStacks: number;

  constructor(scope: Construct, id: string, props: BatchFleetProps = {}) {
    super(scope, id);
    rejectUnknownKeys('BatchFleetProps', props);
    rejectConflicts(props, 'platform');
    validateWholeNumber('workloadStacks', props.workloadStacks, { min: 1, max: MAX_WORKLOAD_STACKS, fix: 'e.g. 80 (the default)' });
    if (Token.isUnresolved(props.workloadStacks)) {
      throw new ValidationError("'workloadStacks' is a token: the placement of each workload is decided at synth. Give a number, e.g. 80.");
    }
    this.workloadStacks = props.workloadStacks ?? FLEET_DEFAULTS.workloadStacks;
    this.platform = props.platform ?? new BatchPlatform(this, 'Platform', pickPlatformProps(props));
    this.node.addValidation({ validate: () => inHostSpellingEach(this.overfullStacks()) });
  }

  /**
   * Adds a workload on the fleet's platform, in the nested stack its id hashes to. `props` are those of a
   * `ScheduledBatchWorkload`, without `platform` (the fleet's) or the other platform props (except `alarmTopic`).
   */
  public addWorkload(id: string, props: ScheduledBatchWorkloadProps): ScheduledBatchWorkload {
    rejectUnknownKeys('ScheduledBatchWorkloadProps', props);
    if (props.platform !== undefined && props.platform !== this.platform) {
      throw new ValidationError(`'platform' of workload '${id}' is ${props.platform.node.path}, but ${this.node.path} runs its workloads on ${this.platform.node.path}: leave 'platform' out, or add the workload to a fleet of that platform.`);
    }
    if (typeof id !== 'string' || id.trim() === '' || Token.isUnresolved(id)) {
      throw new ValidationError(`The id of a workload added to ${this.node.path} is ${JSON.stringify(id)}: give a literal, non-empty id, e.g. 'NightlyReport'. It names the workload and chooses its nested stack.`);
    }
    const stack = this.stackFor(id);
    if (stack.node.tryFindChild(id) !== undefined) {
      throw new ValidationError(`${this.node.path} already has a workload '${id}': give each workload of a fleet its own id.`);
    }
    return new ScheduledBatchWorkload(stack, id, { ...props, platform: this.platform });
  }

  /** The nested stack that holds (or will hold) the workload `id`: `Workloads<index>`, index = hash(id) mod workloadStacks. */
  public stackFor(id: string): NestedStack {
    const index = createHash('sha256').update(id).digest().readUInt32BE(0) % this.workloadStacks;
    const name = `Workloads${String(index).padStart(3, '0')}`;
    return (this.node.tryFindChild(name) as NestedStack | undefined) ?? new FleetStack(this, name,
      `Workloads of ${this.node.path} whose id hashes to ${index} of ${this.workloadStacks}`, this.workloadStacks);
  }

  /** A message for each nested stack that holds more workloads than its template can. */
  private overfullStacks(): string[] {
    return this.node.children.filter((c): c is NestedStack => c instanceof NestedStack).flatMap(stack => {
      const count = workloadCount(stack);
      return count <= MAX_WORKLOADS_PER_STACK ? [] : [
        `${stack.node.path} holds ${count} workloads, more than the ${MAX_WORKLOADS_PER_STACK} whose templates fit CloudFormation's 1 MB per nested stack: `
        + `raise 'workloadStacks' (now ${this.workloadStacks}, at most ${MAX_WORKLOAD_STACKS}) before the first deployment (it moves workloads between stacks), or split the workloads over two fleets.`,
      ];
    });
  }

  /** The fleet's fixed monthly idle cost: its platform (when the fleet created it) and every workload's. */
  public costLineItems(): CostLineItem[] {
    return subtreeCostLineItems(this);
  }
}
