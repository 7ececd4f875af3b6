/**
 * SKIP: before the run proper, look for an active earlier run; if there is one, the run is not started, publishes its
 * one message and ends `RunSkipped`. A job's run looks for its workload's active jobs on the queue (ListJobs), so
 * runs started through a `RunApi` or by hand count too; a workflow's run looks for RUNNING executions of its own
 * state machine (ListExecutions), so a run between two levels counts too. A failed lookup runs the job: a run too many
 * beats a run silently lost.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { OverlapStrategy, RunGuard } from './strategy';
import { quote } from '../engine/expressions';

export class SkipOverlap extends OverlapStrategy {
  public readonly name = 'SKIP';
  public readonly needsTracking = true;
  public readonly needsLocalQueue = 'the check for an active run lists the queue\'s jobs from the stack\'s';

  public guard(run: RunGuard): sfn.IChainable {
    const what = run.workflow ? 'workflow is still running' : 'workload is still active';
    const report = run.report({
      outcome: 'RunSkipped',
      word: 'skipped',
      sentence: `The run was SKIPPED: an earlier run of this ${what} (overlap policy SKIP).${run.workflow ? '' : ' The job below is that earlier run.'}`,
      cause: quote(`An earlier run of this ${what} (overlap policy SKIP).`),
      job: run.workflow ? undefined : '{% $activeJobs[0] %}',
    });
    const active = run.workflow ? '$count($earlierRuns) > 0' : '$count($activeJobs) > 0';
    const check = run.workflow ? run.listEarlierRuns('CheckForActiveRun') : run.listActiveJobs('CheckForActiveRun');
    const choice = sfn.Choice.jsonata(run.scope, 'SkipIfRunActive')
      .when(sfn.Condition.jsonata(`{% ${active} %}`), run.notify, { assign: report })
      .otherwise(run.body);
    check.addCatch(run.body);
    return check.next(choice);
  }
}
