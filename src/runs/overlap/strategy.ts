/**
 * What an overlap policy is to the run engine: a strategy that contributes its own states (before the run proper),
 * resources and checks. The engine (runs/engine/run-definition.ts) knows no policy by name; each policy's file is all
 * there is of it.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** A bad-run outcome a strategy reports: the execution's error, the subject's word and the message's sentence. */
export interface GuardReport {
  /** The failed execution's error name, e.g. `RunSkipped`. */
  readonly outcome: string;
  /** One or two words for the message subject, e.g. "skipped". */
  readonly word: string;
  /** The message's sentence of what happened. */
  readonly sentence: string;
  /** JSONata (inside `{% %}`) for the Cause of the run's failure. */
  readonly cause: string;
  /** JSONata for the job detail the job run's message shows (e.g. the earlier run's job). */
  readonly job?: string;
}

/** The engine, as a strategy sees it while it builds its states. */
export interface RunGuard {
  /** Where the strategy creates its states. */
  readonly scope: Construct;
  /** The workload's or workflow's name, for messages. */
  readonly label: string;
  /** A workflow's run (many steps, tracked by execution) rather than a job's run. */
  readonly workflow: boolean;
  readonly deadlineSeconds: number;
  readonly deadlineText: string;
  /** The run proper: where the strategy's states go on. */
  readonly body: sfn.IChainable;
  /** The run's one message and its end. */
  readonly notify: sfn.IChainable;
  /** The `assign` of a transition to `notify` that reports this outcome. */
  report(report: GuardReport): Record<string, unknown>;
  /**
   * ListJobs of this run kind's jobs on the queue (and on the On-Demand queue a job's run is resubmitted to): assigns
   * `$activeJobs`, the active ones (oldest first, maybe empty).
   */
  listActiveJobs(id: string, assign?: Record<string, unknown>): tasks.CallAwsService | sfn.Map;
  /** ListExecutions of this state machine: assigns `$earlierRuns`, the RUNNING ones started before this run. */
  listEarlierRuns(id: string, assign?: Record<string, unknown>): sfn.CustomState;
  /** A Step Functions API call on an execution of this state machine (e.g. `stopExecution`), granted on those only. */
  callOnOwnExecutions(id: string, action: string, args: Record<string, unknown>, assign?: Record<string, unknown>): sfn.CustomState;
  /**
   * TerminateJob of a job of this run kind (`jobId`, `reason`: JSONata), bounded to 60 seconds and granted only on jobs
   * that carry one of the run's workload tags.
   */
  terminateJob(id: string, jobId: string, reason: string, assign?: Record<string, unknown>): sfn.CustomState;
  /** Any other AWS API call, bounded to 60 seconds. */
  call(id: string, service: string, action: string, iamResources: string[], args: Record<string, unknown>,
    assign?: Record<string, unknown>, iamAction?: string): tasks.CallAwsService;
  /** An SNS Publish to the run's topic. */
  publish(id: string, subject: string, message: string): tasks.SnsPublish;
  /**
   * The run-outcome event of another run (`outcome`: an event outcome such as REPLACED; `scheduledTime`, `execution`:
   * JSONata), bounded to 60 seconds; its failure is caught (the state it goes to ends the branch).
   */
  runEvent(id: string, outcome: string, scheduledTime: string, execution: string): sfn.IChainable;
  /** Runs once the state machine exists (for grants that name it). */
  onCreate(hook: (stateMachine: sfn.StateMachine) => void): void;
}

/** What a strategy may ask of the job(s) of a run, before the definition is built. */
export interface GuardedJob {
  /** Make runs of the job wait for each other (AWS Batch consumable resource); returns its ARN. */
  runOneAtATime(): string;
}

/** An overlap policy's behaviour. */
export abstract class OverlapStrategy {
  /** The policy's name, as users write it (`OverlapPolicy.<name>`). */
  public abstract readonly name: string;
  /** Whether the policy needs a tracked run (a job schedule with `trackRuns: false` has no states to add). */
  public readonly needsTracking: boolean = false;
  /** Whether the policy acts on the queue from the stack's account and region (why, for the error), if it does. */
  public readonly needsLocalQueue?: string;
  /** Factor of the default run deadline (a run that may wait for an earlier one gets more). */
  public readonly deadlineFactor: number = 1;

  /** Prepares a job of a run kind, whatever submits it (schedule, run API, backfill, by hand). */
  public prepareJob(_job: GuardedJob): void {}

  /** The states that run before the run proper; the default is none. */
  public guard(run: RunGuard): sfn.IChainable {
    return run.body;
  }
}
