/**
 * How every bad run ends: Notify (the one message, in both forms) -> PutRunEvent (the run's event) -> RunDidNotSucceed
 * (Fail). A message that cannot be rendered, or a publish that keeps failing, goes out plain (NotifyWithoutDetails); if
 * that fails too, the run ends NotificationFailed (and sends no event). The event comes after the message, and its
 * failure is caught: an event never costs a run its message.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { CONSOLE, EXECUTION_LINK, jobDetail, quote, REGION, SCHEDULED_TIME, subject } from './expressions';
import { bothForms, jobRunNotification, RUN_OUTCOMES, workflowRunNotification } from './messages';
import { badJobRunDetail, EVENT_OUTCOMES, eventOutcome, jobRunEventDetail, putRunEvent, subjectOf, workflowRunEventDetail } from './run-events';
import { RunDefinitionProps } from './run-graph';
import { STATES } from './states';

/** An SNS Publish of the run's topic: `message` is JSONata of the message in both forms (`MessageStructure: json`). */
export type Publish = (id: string, subject: string, message: string) => tasks.SnsPublish;

/** JSONata: the event detail of a bad run, from the variables the message reads. */
export function badRunEventDetail(p: RunDefinitionProps): string {
  const about = subjectOf(p);
  return p.workflow
    ? workflowRunEventDetail(about, eventOutcome('$outcome'), '$scheduledTime',
      '($c := $string($failure.Cause); ($substring($c, 0, 1) = \'{\' and $contains($c, \'"step"\')) ? $parse($c) : {})')
    : jobRunEventDetail(about, eventOutcome('$outcome'), '$scheduledTime', badJobRunDetail());
}

/** Notify -> PutRunEvent -> RunDidNotSucceed, with the plain message and NotificationFailed behind it; returns Notify. */
export function notificationTail(scope: Construct, p: RunDefinitionProps, publish: Publish): sfn.IChainable {
  const name = p.workflow ? '$workflow' : '$workload';
  const failed = p.workflow
    ? sfn.Fail.jsonata(scope, STATES.failed, {
      error: '{% $string($outcome) %}',
      cause: '{% \'scheduledTime=\' & $scheduledTime & \' \' & $substring($string($failure.Cause), 0, 1000) %}',
    })
    : sfn.Fail.jsonata(scope, STATES.failed, {
      error: '{% $outcome %}',
      cause: `{% ($d := ${jobDetail('$failure.Cause')}; 'scheduledTime=' & $scheduledTime & ' jobId=' & `
        + '($exists($job.JobId) ? $job.JobId : ($exists($d.JobId) ? $d.JobId : \'none\')) & \' error=\' & $string($failure.Error)) %}',
    });
  const notificationFailed = sfn.Fail.jsonata(scope, STATES.notificationFailed, {
    error: 'NotificationFailed',
    cause: 'The run did not succeed and its message could not be published to the SNS topic (see this execution\'s history).',
  });
  const words = `($outcome = '${RUN_OUTCOMES.jobFailed}' ? 'failed' : ($outcome = '${RUN_OUTCOMES.deadlinePassed}' ? 'not done by its deadline' : `
    + '($type($word) = \'string\' ? $word : \'not submitted\')))';
  const notify = p.workflow
    ? publish(STATES.notify, '$workflow & \': run \' & $scheduledTime & \' did not succeed (\' & $string($outcome) & \')\'', workflowRunNotification(p.deadlineText))
    : publish(STATES.notify, `$workload & ': run ' & $scheduledTime & ' ' & ${words}`, jobRunNotification(p.deadlineText, p.levels[0][0].arraySize !== undefined, p.spot ?? false, p.rollout !== undefined));
  const plainTitle = `${name} & ': a scheduled run did not succeed'`;
  const plain = publish(STATES.notifyPlain, plainTitle, bothForms(plainTitle,
    `${name} & ': the scheduled run of ' & $scheduledTime & ' did not succeed (' & $string($outcome) & ', error ' & $string($failure.Error) & '). `
    + `Its details could not be formatted; open the run: ' & ${EXECUTION_LINK}`));
  const event = putRunEvent(scope, STATES.event, badRunEventDetail(p), p.eventBus);
  // A message that cannot be rendered goes out plain; a publish error is retried, then goes out plain.
  notify.addRetry({ errors: ['States.QueryEvaluationError'], maxAttempts: 0 });
  notify.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(2), maxAttempts: 2, backoffRate: 2 });
  notify.addCatch(plain);
  plain.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(2), maxAttempts: 2, backoffRate: 2 });
  plain.addCatch(notificationFailed);
  event.addCatch(failed);
  event.next(failed);
  plain.next(event);
  notify.next(event);
  return notify;
}

/**
 * SendSucceededEvent: a good run's one state after the run. A job's run sends the detail RunJob kept (`$runEvent`), a
 * workflow's its own; an event that cannot be sent leaves the run SUCCEEDED (SucceededEventNotSent).
 */
export function succeededEvent(scope: Construct, p: RunDefinitionProps): sfn.IChainable {
  const detail = p.workflow
    ? workflowRunEventDetail(subjectOf(p), quote(EVENT_OUTCOMES.succeeded), SCHEDULED_TIME, '{}')
    : '$runEvent';
  const event = putRunEvent(scope, STATES.succeededEvent, detail, p.eventBus);
  event.addCatch(sfn.Succeed.jsonata(scope, STATES.eventNotSent, { outputs: '{% $states.input %}' }), { outputs: '{% $states.input %}' });
  return event;
}

/** States of the opt-in "recovered" message, which show in the execution history. */
export const RECOVERY_STATES = { find: 'FindPreviousRun', choice: 'PreviousRunFailed', notify: 'NotifyRecovered' } as const;

/**
 * The opt-in "recovered" message (`notifyRecovery`): after a good run, look at the previous run of this state machine
 * (ListExecutions, newest first: https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html)
 * and, when it ended FAILED or TIMED_OUT, publish that the workload succeeded again; then `next` (the run's event). Two
 * more transitions per good run, three after a bad one. Any failure goes on to `next`: a good run stays SUCCEEDED.
 * The grant on this state machine's executions is the caller's (`listsExecutions`).
 */
export function recoveryCheck(scope: Construct, p: RunDefinitionProps, next: sfn.IChainable): sfn.IChainable {
  const name = quote(p.label);
  const find = new sfn.CustomState(scope, RECOVERY_STATES.find, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Aws.PARTITION}:states:::aws-sdk:sfn:listExecutions`,
      Arguments: { StateMachineArn: '{% $states.context.StateMachine.Id %}', MaxResults: 10 },
      Assign: {
        previousRun: '{% ($p := $states.result.Executions[ExecutionArn != $states.context.Execution.Id and Status != \'RUNNING\']; $exists($p) ? $p[0] : null) %}',
      },
      Output: '{% $states.input %}',
      TimeoutSeconds: 60,
    },
  });
  const title = `${name} & ': run ' & ${SCHEDULED_TIME} & ' succeeded again'`;
  const text = `${name} & ': the scheduled run of ' & ${SCHEDULED_TIME} & ' SUCCEEDED, after a run that did not (' & $string($previousRun.Status) & `
    + `'). Previous run: ' & ${CONSOLE} & 'states/home?region=' & ${REGION} & '#/v2/executions/details/' & $previousRun.ExecutionArn & '\\nThis run: ' & ${EXECUTION_LINK}`;
  const notify = tasks.SnsPublish.jsonata(scope, RECOVERY_STATES.notify, {
    topic: p.topic,
    subject: `{% ${subject(title)} %}`,
    message: sfn.TaskInput.fromText(`{% ${bothForms(title, text)} %}`),
    messagePerSubscriptionType: true,
    outputs: '{% $states.input %}',
  });
  notify.addCatch(next, { outputs: '{% $states.input %}' });
  find.addCatch(next, { outputs: '{% $states.input %}' });
  const choice = sfn.Choice.jsonata(scope, RECOVERY_STATES.choice)
    .when(sfn.Condition.jsonata('{% $type($previousRun) = \'object\' and $previousRun.Status in [\'FAILED\', \'TIMED_OUT\'] %}'), notify.next(next))
    .otherwise(next);
  find.next(choice);
  return find;
}
