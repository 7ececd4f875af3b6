/**
 * What the run engine is given: a graph of steps (a job's run is one level of one step), the queue, the topic, the
 * deadline and the overlap policy's strategy.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { OverlapStrategy } from '../overlap/strategy';

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
  /** The bus of the run-outcome events (run-events.ts); the account's default bus when undefined. */
  readonly eventBus?: events.IEventBus;
  /** Publish a "recovered" message when a good run follows a bad one (notification-tail.ts, recoveryCheck). */
  readonly notifyRecovery?: boolean;
}
