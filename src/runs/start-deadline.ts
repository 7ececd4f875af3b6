/**
 * What a tracked run does when its job has not started running by its start deadline (`startDeadline`, counted from
 * the job's submission). The check is a one-time EventBridge Scheduler schedule the run creates just before it submits
 * the job; the schedule starts the stack's start-check state machine, which looks the job up (AWS Batch ListJobs) and
 * acts only on a job still SUBMITTED, PENDING or RUNNABLE. See docs/run-tracking.md, "Start deadline".
 */
export enum StartDeadlineAction {
  /**
   * Publish one "not started" message to the run's notification topic, and keep tracking the run: it then ends as
   * usual, with one more message if it fails or passes its deadline, and none if it succeeds.
   */
  REPORT = 'REPORT',
  /**
   * Cancel the job (AWS Batch CancelJob, which acts on SUBMITTED, PENDING and RUNNABLE jobs only): the run then ends
   * FAILED with its usual one message, whose status reason says it was cancelled at its start deadline.
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_CancelJob.html
   */
  CANCEL = 'CANCEL',
  /** No start check: a run whose job never starts is reported at its run deadline only. */
  NONE = 'NONE',
}
