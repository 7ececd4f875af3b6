/**
 * The names of the run engine's states, which show in the execution history, and the JSONata of the one Choice every
 * step with an On-Demand fallback has.
 */
import { jobDetail } from './expressions';

/** The start check before a job's RunJob (src/runs/engine/start-deadline.ts), with the other state builders. */
export { withStartCheck } from './start-deadline';

/** State names, which show in the execution history. */
export const STATES = {
  run: 'RunJob',
  reclaimed: 'AllAttemptsReclaimed',
  runOnDemand: 'RunJobOnDemand',
  findOnDemandJob: 'FindTimedOutOnDemandJob',
  findJob: 'FindTimedOutJob',
  describeJob: 'DescribeTimedOutJob',
  stopJob: 'StopTimedOutJob',
  listChildren: 'ListFailedChildren',
  level: (n: number) => `Level${n}`,
  logTail: 'FetchLogTail',
  notify: 'Notify',
  event: 'SendRunEvent',
  succeededEvent: 'SendSucceededEvent',
  eventNotSent: 'SucceededEventNotSent',
  notifyPlain: 'NotifyWithoutDetails',
  failed: 'RunDidNotSucceed',
  notificationFailed: 'NotificationFailed',
} as const;

/** State names of a workflow step's branch. */
export const stepStates = (step: string) => ({
  run: step,
  reclaimed: `${step} AllAttemptsReclaimed`,
  onDemand: `${step} OnDemand`,
  findLate: `${step} FindLateJob`,
  findLateOnDemand: `${step} FindLateOnDemandJob`,
  stopLate: `${step} StopLateJob`,
  listChildren: `${step} ListFailedChildren`,
  logTail: `${step} FetchLogTail`,
  failed: `${step} Failed`,
});

/**
 * JSONata: true when a caught error (in the variable `failure`) is a job that failed and every attempt of it ended in
 * a Spot reclaim: "Host EC2..." (EC2 Spot, aws-cdk-lib Reason.SPOT_INSTANCE_RECLAIMED) or "Your Spot Task was
 * interrupted..." (Fargate Spot). The .sync error's Cause is the job's DescribeJobs detail, with `Attempts[].StatusReason`.
 */
export function allAttemptsReclaimed(failure: string): string {
  return `($d := ${failure}.Error = 'States.TaskFailed' ? ${jobDetail(`${failure}.Cause`)} : {}; `
    + '$r := function($s) { $type($s) = \'string\' and ($substring($s, 0, 8) = \'Host EC2\' or $substring($s, 0, 30) = \'Your Spot Task was interrupted\') }; '
    + '$count($d.Attempts) > 0 and $count($filter($d.Attempts, function($a) { $not($r($a.StatusReason)) })) = 0)';
}

/** `allAttemptsReclaimed` of a workflow step's caught error. */
export const ALL_ATTEMPTS_RECLAIMED = allAttemptsReclaimed('$stepFailure');
