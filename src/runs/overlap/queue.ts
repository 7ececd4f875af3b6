/**
 * QUEUE: a run waits for the one before it. A job's runs wait in AWS Batch: the job definition requires a consumable
 * resource of quantity 1 (`BatchJob.runOneAtATime`), so every submission of the job (schedule, run API, backfill, by
 * hand) waits in RUNNABLE until the earlier job ends; no states are added. A workflow's run looks for RUNNING earlier
 * executions of its state machine and waits, looking again, until they have ended or its own deadline has passed.
 * Either way the default deadline doubles, to cover the wait for one earlier run.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/resource-aware-scheduling.html
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { GuardedJob, OverlapStrategy, RunGuard } from './strategy';
import { ELAPSED_SECONDS, quote } from '../engine/expressions';

/** How often a waiting workflow run looks again, at least. */
export const QUEUE_POLL_SECONDS = 60;
/**
 * Each look of a waiting run adds 9 history events (the ListExecutions Task 5, the Choice 2, the Wait 2); the waiting
 * may use at most this many of the 25,000 events of an execution, so a long deadline polls less often.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const QUEUE_WAIT_EVENTS = { perLook: 9, max: 20_000 } as const;

/** Seconds between two looks of a waiting run with this deadline. */
export function queuePollSeconds(deadlineSeconds: number): number {
  const waits = Math.floor(QUEUE_WAIT_EVENTS.max / QUEUE_WAIT_EVENTS.perLook) - 1;
  return Math.max(QUEUE_POLL_SECONDS, Math.ceil(deadlineSeconds / waits));
}

/** The outcome of a workflow run that waited for an earlier one past its deadline. */
export const WAITED_OUTCOME = 'EarlierRunStillActive';

export class QueueOverlap extends OverlapStrategy {
  public readonly name = 'QUEUE';
  public readonly needsLocalQueue = 'the consumable resource that makes runs wait is created in the stack\'s';
  public readonly deadlineFactor = 2;

  public prepareJob(job: GuardedJob): void {
    job.runOneAtATime();
  }

  public guard(run: RunGuard): sfn.IChainable {
    if (!run.workflow) return run.body; // AWS Batch holds the job (prepareJob)
    const check = run.listEarlierRuns('CheckForActiveRun');
    const wait = sfn.Wait.jsonata(run.scope, 'WaitForEarlierRun', { time: sfn.WaitTime.duration(Duration.seconds(queuePollSeconds(run.deadlineSeconds))) });
    const choice = sfn.Choice.jsonata(run.scope, 'WaitIfRunActive')
      .when(sfn.Condition.jsonata(`{% $count($earlierRuns) > 0 and ${ELAPSED_SECONDS} >= ${run.deadlineSeconds} %}`), run.notify, {
        assign: run.report({
          outcome: WAITED_OUTCOME,
          word: 'not started',
          sentence: `The run was NOT STARTED by its deadline, ${run.deadlineText}: an earlier run of this workflow was still running (overlap policy QUEUE).`,
          cause: quote('An earlier run of this workflow was still running at the deadline of this run (overlap policy QUEUE).'),
        }),
      })
      .when(sfn.Condition.jsonata('{% $count($earlierRuns) > 0 %}'), wait.next(check))
      .otherwise(run.body);
    check.addCatch(run.body);
    return check.next(choice);
  }
}
