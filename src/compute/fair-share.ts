import { Duration } from 'aws-cdk-lib';

/**
 * One team's share of a fair-share platform.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/share-identifiers.html
 */
export interface TeamShare {
  /**
   * The team: the share identifier its jobs are submitted with (`team` of its workloads and workflow steps). Letters
   * and digits, 1 to 255 of them (SubmitJob `shareIdentifier`).
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html
   */
  readonly team: string;

  /**
   * The team's relative weight, a whole number from 1 to 1000: a team of weight 3 gets three times the vCPUs of a
   * team of weight 1 when both have work waiting. Rendered as AWS Batch's `weightFactor`, which is inverse
   * (`weightFactor = 1 / weight`, rounded to 4 decimals): a lower factor gets more.
   * @default 1 - the weight of every team not listed
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ShareAttributes.html
   */
  readonly weight?: number;

  /**
   * The most vCPUs the team's jobs may hold at once, whatever is free: a consumable resource of this quantity
   * (REPLENISHABLE) that every job of the team requires, one unit per vCPU it asks for (rounded up). A job of the
   * team that asks for more than the cap fails at synth. A job over the cap waits in RUNNABLE until the team's
   * earlier jobs end; it is not cancelled (docs/fair-share.md).
   * @default - no cap: the team may use what its share and idle capacity allow
   * @see https://docs.aws.amazon.com/batch/latest/userguide/resource-aware-scheduling.html
   */
  readonly maxvCpus?: number;
}

/**
 * Fair-share scheduling of a platform's job queue: teams share the compute by weight instead of first come, first
 * served. Every workload and workflow step on the platform then names its `team`.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/job_scheduling.html
 */
export interface FairShareOptions {
  /**
   * Weights and caps of the teams. A team not listed has weight 1 and no cap.
   * @default - every team weight 1, no caps
   */
  readonly shares?: TeamShare[];

  /**
   * The percentage (0 to 99) of the queue's vCPUs held back for teams that have no job running yet: AWS Batch
   * reserves `(computeReservation / 100) ^ activeTeams` of the maximum, so a team that submits later starts at once.
   * Reserved vCPUs stay idle while no such team comes.
   * @default 0 - nothing held back
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_FairsharePolicy.html
   */
  readonly computeReservation?: number;

  /**
   * How far back a team's use counts against its share (0 to 1 week, whole seconds): with a decay, a team that used
   * much recently waits behind one that did not. Zero counts only what runs now.
   * @default Duration.seconds(0)
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_FairsharePolicy.html
   */
  readonly shareDecay?: Duration;
}

/** A team's cap on a fair-share platform: the consumable resource its jobs require. */
export interface TeamCap {
  /** The team (share identifier). */
  readonly team: string;
  /** The ARN of the team's consumable resource. */
  readonly consumableResourceArn: string;
  /** The most vCPUs the team's jobs hold at once (the resource's quantity). */
  readonly maxvCpus: number;
}
