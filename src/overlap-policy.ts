/**
 * What a scheduled run does when the previous run of the same job is still active (submitted, waiting or running).
 */
export enum OverlapPolicy {
  /** Run anyway: two runs of the job may run at the same time. */
  ALLOW = 'ALLOW',
  /**
   * Queue behind the active run: the job definition requires an AWS Batch consumable resource of quantity 1
   * (`BatchJob.runOneAtATime`), so a run waits in RUNNABLE until the one before it reaches SUCCEEDED or FAILED.
   * Applies to every submission of the job (schedule, `RunApi`, backfill). No Lambda, no extra cost. A tracked run's
   * default deadline doubles, to cover the wait for one earlier run.
   */
  QUEUE = 'QUEUE',
  /**
   * Skip while a run is active: before submitting, the tracked run lists the workload's active jobs on the queue
   * (ListJobs); if one is active, the run is not submitted, its one message says so, and it ends `RunSkipped`.
   * Needs run tracking (`trackRuns`). Runs started through a `RunApi` are counted as active but never skipped.
   */
  SKIP = 'SKIP',
}
