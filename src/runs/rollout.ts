/**
 * How a tracked job's runs move to a newly deployed revision of its job definition: all at once (the default), a
 * canary share, or linear steps, with rollback by itself and an optional rerun on the last revision that succeeded.
 * The state is one DynamoDB item per job, read and written by the run's own state machine (no Lambda): see
 * docs/operations.md, "Releasing a new image".
 */
import { Duration, Token } from 'aws-cdk-lib';
import { ValidationError } from '../private/prop-names';
import { rejectUnknownKeys } from '../private/struct-keys';
import { validateDuration, validateWholeNumber } from '../private/validate';

/** Defaults of {@link Rollout}, in one place (docs/operations.md states them; a test compares). */
export const ROLLOUT_DEFAULTS = {
  /** A canary's share of runs, in percent. */
  percent: 10,
  /** Successful runs on a canary before it is stable. */
  promoteAfterRuns: 3,
  /** Successful runs on the new revision in each linear step. */
  runsPerStep: 1,
} as const;

/** What every rollout kind may add. */
export interface RolloutOptions {
  /**
   * Rerun a run that failed on a revision newer than the last one that succeeded, once, for the same scheduled time,
   * on that last good revision (under what is left of the run deadline). The run's one message reports both outcomes.
   * A run whose every attempt was a Spot reclaim, or that was not submitted, is not rerun: the revision is not at fault.
   * @default false
   */
  readonly rerunOnLastGood?: boolean;

  /**
   * When a revision becomes the stable one, keep this many newest ACTIVE revisions of the job definition and
   * deregister older ones (AWS Batch DeregisterJobDefinition). The stable, the candidate, the last good and the
   * deployed revision are never deregistered, whatever their age.
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_DeregisterJobDefinition.html
   * @default - no revision is deregistered (CloudFormation keeps every one: `skipDeregisterOnUpdate`)
   */
  readonly keepRevisions?: number;
}

/** A canary: a share of the runs on the new revision until it has proved itself. */
export interface CanaryRolloutOptions extends RolloutOptions {
  /**
   * The share of runs, in percent, that use the new revision while it is a canary (1 to 100). The runs are chosen by
   * count, evenly: at 10, the first run after the deploy and every tenth after it. For schedules too rare for a share
   * to mean anything (daily, weekly), use 100: "the next `promoteAfterRuns` runs" are the canary, with rollback.
   * @default 10
   */
  readonly percent?: number;

  /**
   * How many runs on the new revision must succeed before it becomes stable (then every run uses it).
   * @default 3
   */
  readonly promoteAfterRuns?: number;

  /**
   * How long the canary lasts at least, counted from the first run that saw the new revision; both this and
   * `promoteAfterRuns` must be met (e.g. a 5% canary watched for 24 hours).
   * @default - no minimum time
   */
  readonly promoteAfter?: Duration;
}

/** Linear steps: the share of runs on the new revision grows step by step. */
export interface LinearRolloutOptions extends RolloutOptions {
  /**
   * The share of runs, in percent, on the new revision at each step, increasing (e.g. [10, 50, 100]). After the last
   * step the revision is stable: every run uses it.
   */
  readonly percentages: number[];

  /**
   * How many runs on the new revision must succeed in each step before the next.
   * @default 1
   */
  readonly runsPerStep?: number;

  /**
   * How long each step lasts at least; both this and `runsPerStep` must be met.
   * @default - no minimum time
   */
  readonly stepDuration?: Duration;
}

/** How a new revision of a tracked job's definition takes over its runs. */
export class Rollout {
  /**
   * Every run uses the deployed revision from the deploy on (what a deploy does without a rollout). With
   * `rerunOnLastGood` or `keepRevisions`, the runs keep the revision state they need.
   */
  public static allAtOnce(options: RolloutOptions = {}): Rollout {
    rejectUnknownKeys('RolloutOptions', options);
    return new Rollout('ALL_AT_ONCE', [], 1, undefined, options);
  }

  /** A canary share of the runs on the new revision, promoted after `promoteAfterRuns` successes (and `promoteAfter`). */
  public static canary(options: CanaryRolloutOptions = {}): Rollout {
    rejectUnknownKeys('CanaryRolloutOptions', options);
    validatePercent('percent', options.percent);
    validateRuns('promoteAfterRuns', options.promoteAfterRuns);
    validateStepDuration('promoteAfter', options.promoteAfter);
    return new Rollout('CANARY', [options.percent ?? ROLLOUT_DEFAULTS.percent], options.promoteAfterRuns ?? ROLLOUT_DEFAULTS.promoteAfterRuns, options.promoteAfter, options);
  }

  /** Linear steps of the runs' share on the new revision (e.g. 10% -> 50% -> 100%), then stable. */
  public static linear(options: LinearRolloutOptions): Rollout {
    rejectUnknownKeys('LinearRolloutOptions', options);
    const steps: unknown = options.percentages;
    if (!Array.isArray(steps) || steps.length < 1 || steps.length > MAX_STEPS) {
      throw new ValidationError(`'percentages' is ${JSON.stringify(steps)}: give 1 to ${MAX_STEPS} increasing shares in percent, e.g. [10, 50, 100].`);
    }
    steps.forEach((p, i) => validatePercent(`percentages[${i}]`, p));
    for (let i = 1; i < steps.length; i++) {
      // A token's value is not known at synth: the order around it is the caller's to keep.
      if (Token.isUnresolved(steps[i]) || Token.isUnresolved(steps[i - 1])) continue;
      if (steps[i] <= steps[i - 1]) {
        throw new ValidationError(`'percentages' is [${steps.join(', ')}]: each step must be larger than the one before (step ${i + 1} is not); e.g. [10, 50, 100].`);
      }
    }
    validateRuns('runsPerStep', options.runsPerStep);
    validateStepDuration('stepDuration', options.stepDuration);
    return new Rollout('LINEAR', [...steps], options.runsPerStep ?? ROLLOUT_DEFAULTS.runsPerStep, options.stepDuration, options);
  }

  /** Checks a value that may come from an untyped language. */
  public static isRollout(x: any): boolean {
    return x instanceof Rollout;
  }

  /** ALL_AT_ONCE, CANARY or LINEAR. */
  public readonly kind: string;
  /** The share of runs on the new revision at each step, in percent (none for ALL_AT_ONCE). */
  public readonly percentages: number[];
  /** Successful runs on the new revision each step needs. */
  public readonly runsPerStep: number;
  /** The least time each step lasts. */
  public readonly stepDuration?: Duration;
  /** Whether a failed run on a revision never seen succeeding is rerun on the last good one. */
  public readonly rerunOnLastGood: boolean;
  /** How many newest revisions are kept when a revision becomes stable (undefined: all). */
  public readonly keepRevisions?: number;

  private constructor(kind: string, percentages: number[], runsPerStep: number, stepDuration: Duration | undefined, options: RolloutOptions) {
    validateWholeNumber('keepRevisions', options.keepRevisions, {
      min: 1, max: 100, fix: 'keep at least the newest revision, e.g. keepRevisions: 5, or leave it out to keep every revision',
    });
    if (options.rerunOnLastGood !== undefined && typeof options.rerunOnLastGood !== 'boolean') {
      throw new ValidationError(`'rerunOnLastGood' is ${JSON.stringify(options.rerunOnLastGood)}: give true or false.`);
    }
    this.kind = kind;
    this.percentages = percentages;
    this.runsPerStep = runsPerStep;
    this.stepDuration = stepDuration;
    this.rerunOnLastGood = options.rerunOnLastGood ?? false;
    this.keepRevisions = options.keepRevisions;
  }

}

const MAX_STEPS = 10;

function validatePercent(prop: string, value: unknown): void {
  validateWholeNumber(prop, value, { min: 1, max: 100, unit: 'percent', fix: 'give a share of runs such as 10, or 100 for "the next runs"' });
}

function validateRuns(prop: string, value: unknown): void {
  validateWholeNumber(prop, value, { min: 1, max: 1000, fix: 'give how many successful runs on the new revision are enough, e.g. 3' });
}

function validateStepDuration(prop: string, value: Duration | undefined): void {
  validateDuration(prop, value, { minSeconds: 60, maxSeconds: 365 * 86400, wholeUnit: 'minutes', fix: 'give e.g. Duration.hours(24)' });
  if (value !== undefined && value.isUnresolved()) {
    throw new ValidationError(`'${prop}' is a token (known only at deploy): it is written into the run state machine at synth. Give a concrete Duration, e.g. Duration.hours(24).`);
  }
}
