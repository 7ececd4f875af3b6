/**
 * What the run engine is given: a graph of steps (a job's run is one level of one step), the queue, the topic, the
 * deadline and the overlap policy's strategy.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { RolloutPlan } from './rollout-state';
import { StartDeadlinePlan } from './start-deadline';
import { IBatchJob } from '../../jobs/batch-job-ref';
import { limitToShare } from '../../private/fair-share';
import { OverlapStrategy } from '../overlap/strategy';

/** A step's share arguments (src/private/fair-share.ts), for the engine. */
export { shareArguments } from '../../private/fair-share';

/** One step of a run: a job and how it is submitted. */
export interface EngineStep {
  /** The step's name (a workflow's step; a job's run names its one step after the job). */
  readonly name: string;
  readonly jobDefinitionArn: string;
  /** Prefix of the step's job names (JOB_NAME_PATTERN). */
  readonly jobNamePrefix: string;
  /** The step's job's name: the value of the workload tag its jobs carry (src/private/job-tags.ts). */
  readonly workloadTag: string;
  readonly parameterNames: string[];
  readonly logGroupName: string;
  readonly arraySize?: number;
  /** The On-Demand queue a step whose every attempt was a Spot reclaim is resubmitted to. */
  readonly onDemandQueueArn?: string;
  /** On a fair-share platform: the step's share identifier (its job's `team`), sent with every submission. */
  readonly shareIdentifier?: string;
  /** On a fair-share platform: the step's scheduling priority (`SchedulingPriorityOverride`). */
  readonly schedulingPriority?: number;
}

/** What the engine needs to build a run's definition. */
export interface RunDefinitionProps {
  /** The workload's or the workflow's name, in messages. */
  readonly label: string;
  readonly jobQueueArn: string;
  readonly topic: sns.ITopic;
  /** Shown next to the scheduled time (which is UTC). */
  readonly timeZone: string;
  readonly deadlineSeconds: number;
  /** Human text of the deadline, for messages. */
  readonly deadlineText: string;
  /** The steps, level by level. A job's run: one level of one step, and `workflow` false. */
  readonly levels: EngineStep[][];
  readonly workflow: boolean;
  /** Every job this run kind submits is named `<runPrefix>-...`. */
  readonly runPrefix: string;
  readonly overlap: OverlapStrategy;
  /** A job's run: the start check created just before RunJob (src/runs/engine/start-deadline.ts). */
  readonly startDeadline?: StartDeadlinePlan;
  /** The bus of the run-outcome events (run-events.ts); the account's default bus when undefined. */
  readonly eventBus?: events.IEventBus;
  /** Publish a "recovered" message when a good run follows a bad one (notification-tail.ts, recoveryCheck). */
  readonly notifyRecovery?: boolean;
  /** The platform's name, carried by every run event (`detail.platform`, which a platform dashboard's rule matches). */
  readonly platformName?: string;
  /** Whether the run's compute is Spot, for its cost estimate (a job detail does not say). */
  readonly spot?: boolean;
  /** A job's run: its rollout (rollout.ts), when it keeps revision state. */
  readonly rollout?: RolloutPlan;
}

/**
 * The platform facts of a job created on a `BatchPlatform` (`BatchJob.platform`): its name, and whether its compute is
 * Spot. A job imported or brought without a platform has neither: its events name no platform and its cost is priced
 * On-Demand (an upper bound).
 */
export function platformFactsOf(job: object): { platformName?: string; spot: boolean } {
  type PlatformFacts = { readonly platformName?: string; readonly computeEnvironment?: { readonly spot?: boolean } };
  const platform = (job as { readonly platform?: PlatformFacts }).platform;
  return { platformName: platform?.platformName, spot: platform?.computeEnvironment?.spot ?? false };
}

/**
 * The submit statements of a workflow: the queues and the steps' job definitions, one statement per share identifier
 * on a fair-share platform (each team's steps under its own identifier only, as the IAM example of
 * https://docs.aws.amazon.com/batch/latest/userguide/iam-example-share-identifier.html), else one.
 */
export function submitStatementsByShare(steps: EngineStep[], resources: string[]): iam.PolicyStatement[] {
  const teams = [...new Set(steps.map(s => s.shareIdentifier))];
  return teams.map(team => {
    const others = new Set(steps.filter(s => s.shareIdentifier !== team).map(s => s.jobDefinitionArn));
    const own = new Set(steps.filter(s => s.shareIdentifier === team).map(s => s.jobDefinitionArn));
    const covered = resources.filter(arn => own.has(arn) || !others.has(arn));
    return limitToShare(new iam.PolicyStatement({ actions: ['batch:SubmitJob'], resources: covered }), { shareIdentifier: team });
  });
}

/** SubmitJob of `job`'s definition to other `queues` (the On-Demand one), under the job's own share identifier. */
export function submitStatementOf(job: IBatchJob, queues: string[]): iam.PolicyStatement {
  return limitToShare(new iam.PolicyStatement({ actions: ['batch:SubmitJob'], resources: [...queues, job.jobDefinitionArn] }), job);
}
