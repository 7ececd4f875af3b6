import { AllowOverlap } from './overlap/allow';
import { QueueOverlap } from './overlap/queue';
import { ReplaceOverlap } from './overlap/replace';
import { SkipOverlap } from './overlap/skip';
import { OverlapStrategy } from './overlap/strategy';

/**
 * What a scheduled run does when the previous run of the same job or workflow is still active (submitted, waiting or
 * running). Each policy is a strategy that adds its own states and resources to the run engine.
 */
export class OverlapPolicy {
  /** Run anyway: two runs may run at the same time. */
  public static readonly ALLOW = new OverlapPolicy(new AllowOverlap());
  /**
   * Queue behind the active run. A job's runs wait in AWS Batch: the job definition requires a consumable resource of
   * quantity 1 (`BatchJob.runOneAtATime`), so a run waits in RUNNABLE until the one before it ends, whoever submitted
   * it (schedule, `RunApi`, backfill). A workflow's run waits for the earlier execution. No Lambda, no extra cost. The
   * default run deadline doubles, to cover the wait for one earlier run.
   */
  public static readonly QUEUE = new OverlapPolicy(new QueueOverlap());
  /**
   * Skip while a run is active: the new run looks for an active one (a job's: its jobs on the queue, so runs started
   * through a `RunApi` count too; a workflow's: its running executions); if there is one, the run is not started, its
   * one message says so, and it ends `RunSkipped`. Needs run tracking (`trackRuns`).
   */
  public static readonly SKIP = new OverlapPolicy(new SkipOverlap());
  /**
   * Replace the active run (Kubernetes CronJob's `Replace`): the new run stops the earlier executions (each gets one
   * message, "replaced by the run of <time>") and terminates the active jobs of the workload or workflow, then runs.
   * Needs run tracking (`trackRuns`).
   */
  public static readonly REPLACE = new OverlapPolicy(new ReplaceOverlap());
  /** Checks a value that may come from an untyped language (a string such as 'skip' is not a policy). */
  public static isOverlapPolicy(x: any): boolean {
    return x instanceof OverlapPolicy;
  }

  /** The policy's name, e.g. SKIP. */
  public readonly name: string;

  private constructor(
    /** @internal */
    public readonly _strategy: OverlapStrategy,
  ) {
    this.name = _strategy.name;
  }

  /** The policy's name. */
  public toString(): string {
    return this.name;
  }
}
