/**
 * Where the rollouts of a stack's tracked jobs keep their revision state: one DynamoDB table per stack (a node-scoped
 * singleton, created with the first run tracker that has a rollout), an item per job (src/runs/engine/rollout-state.ts).
 * A workload adds no resource for it (a fleet workload stays within its resources, docs/fleet.md).
 *
 * On-demand capacity: no charge while idle; each run reads and writes its item once (one read request unit, strongly
 * consistent, and one write request unit: items are well under 1 KB).
 * @see https://aws.amazon.com/dynamodb/pricing/on-demand/
 */
import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct, IConstruct } from 'constructs';
import { IBatchJob } from '../../jobs/batch-job-ref';
import { inHostSpelling, ValidationError } from '../../private/prop-names';
import { validateInstanceOf } from '../../private/validate';
import { RolloutPlan } from '../engine/rollout-state';
import { Rollout } from '../rollout';

/** The stack's rollout state table. */
export class RolloutStore extends Construct {
  /** The store of `scope`'s stack, created with the first rollout that asks. */
  public static of(scope: IConstruct): RolloutStore {
    const stack = Stack.of(scope);
    const id = 'RolloutState';
    return (stack.node.tryFindChild(id) as RolloutStore | undefined) ?? new RolloutStore(stack, id);
  }

  public readonly table: dynamodb.Table;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'workload', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The items are derived state (which revision is stable, counts since a deploy): a stack created again starts
      // afresh, its first run taking the deployed revision as stable. Unnamed, so nothing blocks the next create.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const cfn = this.table.node.defaultChild as dynamodb.CfnTable;
    // Encrypted at rest by DynamoDB with an AWS owned key; a customer managed key would cost $1/month per stack for
    // items that hold only job-definition ARNs and run counts (docs/security.md, "Acknowledged").
    cfn.addMetadata('checkov', {
      skip: [{
        id: 'CKV_AWS_119',
        comment: 'Rollout state holds job-definition ARNs and run counts only, encrypted at rest with an AWS owned key; a CMK would add $1/month per stack.',
      }],
    });
  }
}

/**
 * The engine's plan of a job's rollout, or undefined when the runs need no revision state; checks `rollout` and warns
 * when the schedule (its shortest gap between runs, when known) is too rare for its shares.
 */
export function rolloutPlan(scope: IConstruct, rollout: Rollout | undefined, job: IBatchJob, minGapSeconds?: number): RolloutPlan | undefined {
  validateInstanceOf('rollout', rollout, Rollout, 'Rollout.canary(), Rollout.linear({ percentages: [10, 50, 100] }) or Rollout.allAtOnce()');
  warnSlowRollout(scope, rollout, minGapSeconds);
  if (rollout === undefined) return undefined;
  if (rollout.percentages.length === 0 && !rollout.rerunOnLastGood && rollout.keepRevisions === undefined) return undefined;
  const arn = job.jobDefinitionArn;
  if (!Token.isUnresolved(arn) && !/^arn:[^:]+:batch:[^:]*:[^:]*:job-definition\/[^:]+:[0-9]+$/.test(arn)) {
    throw new ValidationError(`'rollout' is set but the job's definition is '${arn}', without a revision: a rollout tells revisions apart by their `
      + "number. Import the job with its revision-bearing ARN (arn:aws:batch:<region>:<account>:job-definition/<name>:<revision>), or leave 'rollout' out.");
  }
  const table = RolloutStore.of(scope).table;
  return {
    kind: rollout.kind,
    percentages: rollout.percentages,
    runsPerStep: rollout.runsPerStep,
    stepSeconds: rollout.stepDuration?.toSeconds() ?? 0,
    rerunOnLastGood: rollout.rerunOnLastGood,
    keepRevisions: rollout.keepRevisions,
    tableName: table.tableName,
    tableArn: table.tableArn,
    key: job.jobName,
    pinned: job.jobDefinitionArn,
  };
}

/**
 * How many runs after a deploy a rollout needs, if every run succeeds, before the new revision is stable: the engine's
 * rule (src/runs/engine/rollout-state.ts) replayed, step durations left out.
 */
export function runsToPromote(rollout: Rollout): number | undefined {
  const steps = rollout.percentages;
  const numbers = [...steps, rollout.runsPerStep];
  // A token (known only at deploy time) or a share that is not a whole percent from 1: no count at synth.
  if (numbers.some(n => Token.isUnresolved(n) || !Number.isInteger(n) || n < 1)) return undefined;
  // Each 100 runs at a share of at least 1% hold a success, so promotion comes within this many runs.
  const bound = 100 * rollout.runsPerStep * steps.length;
  let successes = 0;
  for (let k = 0; k < bound; k++) {
    const step = Math.floor(successes / rollout.runsPerStep);
    const share = step >= steps.length ? 100 : steps[step];
    if ((k * share) % 100 < share) successes++;
    if (Math.floor(successes / rollout.runsPerStep) >= steps.length) return k + 1;
  }
  return undefined;
}

/** The acknowledgeable warning of a rollout whose shares the schedule's runs are too rare for. */
export const SLOW_ROLLOUT_WARNING_ID = 'cdk-scheduled-batch:slowRollout';
const SLOW_ROLLOUT_DAYS = 7;

/**
 * Warns when a share below 100% makes promotion take more than a week at the schedule's most frequent runs
 * (`minGapSeconds`, the shortest gap between two scheduled times): for rare schedules, "the next N runs" is the
 * honest cohort.
 */
export function warnSlowRollout(scope: IConstruct, rollout: Rollout | undefined, minGapSeconds: number | undefined): void {
  if (rollout === undefined || minGapSeconds === undefined || !rollout.percentages.some(p => p < 100)) return;
  const runs = runsToPromote(rollout);
  if (runs === undefined) return;
  const days = (runs * minGapSeconds) / 86400;
  if (days <= SLOW_ROLLOUT_DAYS) return;
  Annotations.of(scope).addWarningV2(SLOW_ROLLOUT_WARNING_ID, inHostSpelling(`'rollout' needs ${runs} runs after a deploy before the new revision is `
    + `stable (shares ${rollout.percentages.join(', ')}%), at least ${Math.round(days)} days at this schedule (a run every `
    + `${Duration.seconds(minGapSeconds).toHumanString()} at most). For rare schedules use Rollout.canary({ percent: 100, promoteAfterRuns: 3 }) `
    + `(the next 3 runs, still rolled back by their first failure), or acknowledge with Annotations.of(<this construct or its workload>).acknowledgeWarning('${SLOW_ROLLOUT_WARNING_ID}', '<why>').`));
}
