/**
 * A run tracker's start deadline from its props: defaults, checks, and the stack's start check it uses.
 */
import { createHash } from 'crypto';
import { Annotations, Duration, Names } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { StartCheck } from './start-check-machine';
import { inHostSpelling, ValidationError } from '../../private/prop-names';
import { describeDuration } from '../../private/schedule-deadline';
import { validateDuration, validateEnum } from '../../private/validate';
import { StartDeadlinePlan } from '../engine/start-deadline';
import { StartDeadlineAction } from '../start-deadline';

/**
 * The default start deadline, 15 minutes after the job's submission: the allowance the default run deadline already
 * gives the first placement (queueing, a Spot or Fargate capacity launch, the image pull; DEADLINE_GRACE in
 * src/private/schedule-deadline.ts). A job not running by then has used up that allowance. A run is submitted within the
 * schedule's flexible window, so the check runs at most the flexible window + 15 minutes after the scheduled time, plus
 * EventBridge Scheduler's delivery of a one-time schedule (well under the 5 minutes left of the 20 the requirement
 * allows), except after a QUEUE wait, from whose end the start deadline counts.
 */
export const START_DEADLINE_DEFAULTS = {
  startDeadline: Duration.minutes(15),
  /**
   * Without `onStartDeadline`: REPORT when `startDeadline` is given, else this (on by default; not for array runs or
   * OverlapPolicy.QUEUE runs, see startDeadlineSetup).
   */
  action: StartDeadlineAction.REPORT as StartDeadlineAction,
} as const;

/** The acknowledgeable warning of a start deadline on queued runs. */
export const START_DEADLINE_QUEUED_WARNING_ID = 'cdk-scheduled-batch:startDeadlineWhileQueued';

/** What a tracker's props say about the start deadline. */
export interface StartDeadlineProps {
  readonly startDeadline?: Duration;
  readonly onStartDeadline?: StartDeadlineAction;
}

/** What else about the run decides its start deadline. */
export interface StartDeadlineRun {
  /** The name of the run deadline's prop, for messages. */
  readonly deadlineProp: string;
  /** OverlapPolicy.QUEUE: a queued run waits RUNNABLE in AWS Batch. */
  readonly queued: boolean;
  /** An array job (`arraySize`). */
  readonly arrayed: boolean;
  /** The job has a fair-share team: it may wait RUNNABLE for its team's share or cap (docs/fair-share.md). */
  readonly shared?: boolean;
  /** The topic the run notifies: the check publishes its "not started" message there, and which check it is decides. */
  readonly topic: sns.ITopic;
}

/** A plan and the check it needs admitted to the run state machine. */
export interface StartDeadlineSetup {
  readonly plan: StartDeadlinePlan;
  readonly check: StartCheck;
}

/**
 * The start deadline of `scope`'s runs, or none (StartDeadlineAction.NONE, or a default one the run deadline would
 * come before: an info annotation says so).
 */
export function startDeadlineSetup(scope: Construct, props: StartDeadlineProps, deadlineSeconds: number,
  run: StartDeadlineRun): StartDeadlineSetup | undefined {
  const { deadlineProp, queued } = run;
  validateEnum('onStartDeadline', props.onStartDeadline, StartDeadlineAction, 'StartDeadlineAction');
  validateDuration('startDeadline', props.startDeadline, {
    minSeconds: 60, why: '(the check is a one-time schedule, to the second, after the job\'s submission)', fix: 'e.g. Duration.minutes(15), or leave it out for 15 minutes',
  });
  const action = props.onStartDeadline ?? (props.startDeadline !== undefined ? StartDeadlineAction.REPORT : START_DEADLINE_DEFAULTS.action);
  if (action === StartDeadlineAction.NONE) {
    if (props.startDeadline !== undefined) {
      throw new ValidationError(`'startDeadline' is ${props.startDeadline.toHumanString()} but 'onStartDeadline' is StartDeadlineAction.NONE: nothing would check it. Leave 'startDeadline' out, or choose StartDeadlineAction.REPORT or CANCEL.`);
    }
    return undefined;
  }
  // The default check is left out where waiting is not lateness: an array run's parent never enters RUNNING (below), a
  // queued run waits RUNNABLE behind the earlier one, and a fair-share job waits for its team's share or cap. Asking
  // for a start deadline there is still checked below.
  const defaulted = props.onStartDeadline === undefined && props.startDeadline === undefined;
  if (defaulted && (run.arrayed || queued || run.shared)) return undefined;
  // An array job's parent is never RUNNING: it is PENDING from its first RUNNABLE child until it SUCCEEDS or FAILS
  // (https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html), so the check cannot tell from it.
  if (run.arrayed) {
    throw new ValidationError(`'${props.onStartDeadline !== undefined ? 'onStartDeadline' : 'startDeadline'}' is set but so is 'arraySize': an array job's `
      + 'parent never enters RUNNING (it stays PENDING while its children run), so the start check cannot tell a started array run from one '
      + "that has not started. Leave the start deadline out for array runs (they are reported at their run deadline), or use 'onStartDeadline': StartDeadlineAction.NONE.");
  }
  // OverlapPolicy.QUEUE: a job's run waits RUNNABLE in AWS Batch for the earlier run's consumable resource.
  if (queued && action === StartDeadlineAction.CANCEL) {
    throw new ValidationError("'onStartDeadline' is StartDeadlineAction.CANCEL but 'overlapPolicy' is OverlapPolicy.QUEUE: a queued run waits RUNNABLE "
      + 'in AWS Batch behind the earlier one and would be cancelled at its start deadline. Use StartDeadlineAction.REPORT, or another overlap policy.');
  }
  if (queued) {
    Annotations.of(scope).addWarningV2(START_DEADLINE_QUEUED_WARNING_ID, inHostSpelling("'overlapPolicy' is OverlapPolicy.QUEUE and the runs have a start "
      + 'deadline: a run queued behind an earlier one waits RUNNABLE in AWS Batch, so it is reported "not started" when that wait is longer '
      + "than the start deadline. Set 'onStartDeadline' to StartDeadlineAction.NONE, or acknowledge with "
      + `Annotations.of(<this construct or its workload>).acknowledgeWarning('${START_DEADLINE_QUEUED_WARNING_ID}', '<why>').`));
  }
  if (props.startDeadline?.isUnresolved()) {
    throw new ValidationError("'startDeadline' is a token (known only at deploy): the start deadline is written into the state machine and its messages at synth. Give a concrete Duration, e.g. Duration.minutes(15), or leave it out.");
  }
  const seconds = (props.startDeadline ?? START_DEADLINE_DEFAULTS.startDeadline).toSeconds();
  if (seconds >= deadlineSeconds) {
    if (props.startDeadline !== undefined) {
      throw new ValidationError(`'startDeadline' is ${describeDuration(seconds)} but the run deadline ('${deadlineProp}') is ${describeDuration(deadlineSeconds)}: `
        + 'the run is reported, and its job stopped, at its deadline first. Give a shorter start deadline, or StartDeadlineAction.NONE.');
    }
    Annotations.of(scope).addInfo(inHostSpelling(`No start check: the default start deadline (${describeDuration(seconds)}) is not shorter than the run deadline `
      + `('${deadlineProp}', ${describeDuration(deadlineSeconds)}), which reports a run that has not started first.`));
    return undefined;
  }
  const check = StartCheck.of(scope, run.topic);
  const namePrefix = createHash('sha256').update(Names.uniqueId(scope)).digest('hex').slice(0, 8);
  return { check, plan: { seconds, text: describeDuration(seconds), action, namePrefix, target: check.target } };
}
