/**
 * The start deadline of a job's run, as the run engine builds it: one Task before RunJob that creates a one-time
 * EventBridge Scheduler schedule (`at()` = the Task's entry time + the start deadline, UTC, deleted after it runs), whose
 * target is the stack's start-check state machine (src/runs/private/start-check-machine.ts), and the JSONata of the
 * check's "not started" message. A good run pays one state transition for it; a createSchedule call that fails is
 * caught and the run goes on to RunJob without a start check.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html (Name 1-64 of [0-9a-zA-Z-_.],
 *   ScheduleExpression `at(yyyy-mm-ddThh:mm:ss)`, ScheduleExpressionTimezone, FlexibleTimeWindow, ActionAfterCompletion)
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (one-time schedules)
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html (aws-sdk:scheduler:createSchedule)
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html (arn:aws:scheduler:::aws-sdk:sfn:startExecution)
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html (idempotent by name for Standard)
 */
import { Aws } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { jobNameExpression, quote, SCHEDULED_TIME, subject, timeNote } from './expressions';
import { sdkCallState } from './sdk-call';

/** The state that creates the start check, in the execution history. */
export const START_CHECK_STATE = 'ScheduleStartCheck';

/** Where a run's start check goes: the stack's schedule group, check state machine and scheduler role. */
export interface StartCheckTarget {
  readonly scheduleGroupName: string;
  readonly stateMachineArn: string;
  readonly schedulerRoleArn: string;
}

/** A run's start deadline, as the engine needs it. */
export interface StartDeadlinePlan {
  /** Seconds after the job's submission (the Task's entry) at which the check runs. */
  readonly seconds: number;
  /** Human text of `seconds`, for messages and the cancel reason. */
  readonly text: string;
  /** `REPORT` or `CANCEL`. */
  readonly action: string;
  /** A short synth-time prefix that keeps the schedule names of this state machine apart from others' in the group. */
  readonly namePrefix: string;
  readonly target: StartCheckTarget;
}

/** What the check needs to know about the run, besides the plan. */
export interface StartCheckRun {
  readonly workload: string;
  readonly jobQueueArn: string;
  /** JSONata of the run's job name. */
  readonly jobName: string;
  readonly topicArn: string;
  readonly timeNote: string;
  readonly logGroupName: string;
}

/** Schedule names: 1-64 of [0-9a-zA-Z-_.]. The prefix (8) + '-' + the last 55 allowed characters of the execution name. */
const NAME_TAIL = 55;

/** JSONata: the `at()` expression of the check, `seconds` after this state's entry, in UTC without fractions. */
export function atExpression(seconds: number): string {
  return `'at(' & $substring($fromMillis($toMillis($states.context.State.EnteredTime) + ${seconds * 1000}), 0, 19) & ')'`;
}

/**
 * The Task that creates the run's start check, then RunJob. ConflictException (a name taken by a redriven or
 * renamed execution), throttling or a missing permission: caught, and the run goes on unchecked.
 */
export function startCheckState(scope: Construct, plan: StartDeadlinePlan, run: StartCheckRun): sfn.CustomState {
  const name = '$replace($states.context.Execution.Name, /[^0-9A-Za-z_.-]/, \'\')';
  const input = `$string({'workload': ${quote(run.workload)}, 'scheduledTime': ${SCHEDULED_TIME}, 'timeNote': ${quote(run.timeNote)}, `
    + `'jobQueue': ${quote(run.jobQueueArn)}, 'jobName': ${run.jobName}, 'topicArn': ${quote(run.topicArn)}, 'logGroup': ${quote(run.logGroupName)}, `
    + `'action': ${quote(plan.action)}, 'startDeadline': ${quote(plan.text)}, 'execution': $states.context.Execution.Id})`;
  const scheduleName = `${quote(plan.namePrefix)} & '-' & ($n := ${name}; $substring($n, $max([0, $length($n) - ${NAME_TAIL}])))`;
  // The universal target StartExecution, named after the schedule: Step Functions starts a Standard execution of a
  // given name once (a repeated call returns the running one or ExecutionAlreadyExists), so a redelivered invocation
  // cannot send a second "not started".
  const start = `$string({'StateMachineArn': ${quote(plan.target.stateMachineArn)}, 'Name': ${scheduleName}, 'Input': ${input}})`;
  const state = sdkCallState(scope, START_CHECK_STATE, 'scheduler', 'createSchedule', {
    Name: `{% ${scheduleName} %}`,
    GroupName: plan.target.scheduleGroupName,
    ScheduleExpression: `{% ${atExpression(plan.seconds)} %}`,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Description: `Start deadline (${plan.text}) of a tracked run: starts its start check once`,
    Target: { Arn: `arn:${Aws.PARTITION}:scheduler:::aws-sdk:sfn:startExecution`, RoleArn: plan.target.schedulerRoleArn, Input: `{% ${start} %}` },
  });
  return state;
}

/** The run as `withStartCheck` reads it: a structural view of the engine's props and step. */
export interface StartCheckedRun {
  readonly label: string;
  readonly jobQueueArn: string;
  readonly topic: { readonly topicArn: string };
  readonly timeZone: string;
  readonly startDeadline?: StartDeadlinePlan;
}

/**
 * A job's run with its start check: the check, then `run`; a createSchedule that fails goes on to `run` too (RunJob
 * reads only the context, not its input). Without a start deadline, `run` itself.
 */
export function withStartCheck(scope: Construct, p: StartCheckedRun, step: { readonly jobNamePrefix: string; readonly logGroupName: string },
  run: sfn.State & sfn.INextable): sfn.IChainable {
  if (!p.startDeadline) return run;
  const check = startCheckState(scope, p.startDeadline, {
    workload: p.label,
    jobQueueArn: p.jobQueueArn,
    jobName: jobNameExpression(step.jobNamePrefix),
    topicArn: p.topic.topicArn,
    timeNote: timeNote(p.timeZone),
    logGroupName: step.logGroupName,
  });
  check.addCatch(run, { errors: [sfn.Errors.ALL] });
  return check.next(run);
}

/** JSONata: the subject of the "not started" message. Variables: `$run` (the check's input). */
export const NOT_STARTED_SUBJECT = subject('$run.workload & \': run \' & $run.scheduledTime & \' not started by its start deadline\'');

/**
 * JSONata: the one "not started" message of a run, in the style of the run's own messages (src/runs/engine/messages.ts).
 * Variables: `$run` (the check's input) and `$job` (the job's ListJobs summary).
 */
export function notStartedMessage(): string {
  return [
    '(',
    '$val := function($v) { ($exists($v) and $v != null) ? $string($v) : \'n/a\' };',
    '$region := $split($run.execution, \':\')[3];',
    '$console := \'https://\' & $region & \'.console.aws.amazon.com/\';',
    '$join([',
    '$run.workload & \': the scheduled run of \' & $run.scheduledTime & \' has NOT STARTED, \' & $run.startDeadline & \' after its job was submitted.\',',
    '\'The run is still tracked: it sends one more message if it fails or is not done by its deadline, and none if it succeeds.\',',
    '\'\',',
    '\'Workload: \' & $run.workload,',
    '\'Scheduled time: \' & $run.scheduledTime & \' (\' & $run.timeNote & \')\',',
    '\'Job id: \' & $val($job.JobId),',
    '\'Job status: \' & $val($job.Status),',
    '\'Status reason: \' & $val($job.StatusReason),',
    '\'Job: \' & $console & \'batch/home?region=\' & $region & \'#jobs/detail/\' & $val($job.JobId),',
    '\'Run history: \' & $console & \'states/home?region=\' & $region & \'#/v2/executions/details/\' & $run.execution',
    '], \'\\n\')',
    ')',
  ].join(' ');
}
