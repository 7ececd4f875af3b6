/**
 * REPLACE (Kubernetes CronJob's `Replace`): the new run stops the earlier ones, then runs. Before the run proper it
 *   1. lists the RUNNING executions of its state machine that started before it, and for each: reads its scheduled
 *      time (DescribeExecution), stops it (StopExecution, error `RunReplaced`) and publishes the replaced run's one
 *      message, "replaced by the run of <time>", and its event, REPLACED (a stopped execution cannot send its own);
 *   2. lists the active jobs of this workload or workflow on the queue (runs started by a `RunApi` too) and
 *      terminates each that carries the workload tag (TerminateJob, reason "Replaced by the run of <time>"); a job
 *      submitted by hand without the tag `cdk-scheduled-batch:workload` is left running.
 * A lookup that fails runs the job anyway: a run too many beats a run silently lost. Works for a job's run, an array
 * job (terminating the parent terminates its children) and a workflow.
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_TerminateJob.html
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { OverlapStrategy, RunGuard } from './strategy';
import { CONSOLE, quote, REGION, SCHEDULED_TIME } from '../engine/expressions';

/** The error of a replaced run's execution, and the start of its jobs' status reason. */
export const REPLACED = { error: 'RunReplaced', reason: 'Replaced by the run of' } as const;

export class ReplaceOverlap extends OverlapStrategy {
  public readonly name = 'REPLACE';
  public readonly needsTracking = true;
  public readonly needsLocalQueue = 'the replacing run lists and stops the queue\'s jobs from the stack\'s';

  public guard(run: RunGuard): sfn.IChainable {
    const what = run.workflow ? 'workflow' : 'workload';
    const name = quote(run.label);
    const replacedBy = `'${REPLACED.reason} ' & ${SCHEDULED_TIME} & ' (overlap policy REPLACE)'`;

    // 1. Earlier executions: stop each, then its one message.
    const describe = run.callOnOwnExecutions('DescribeReplacedRun', 'describeExecution',
      { ExecutionArn: '{% $states.input.ExecutionArn %}' },
      { replaced: '{% ($i := $states.result.Input ? $parse($states.result.Input) : {}; {\'arn\': $states.result.ExecutionArn, \'scheduledTime\': $exists($i.scheduledTime) ? $string($i.scheduledTime) : $string($states.result.StartDate)}) %}' },
    );
    const stop = run.callOnOwnExecutions('StopReplacedRun', 'stopExecution',
      { ExecutionArn: '{% $replaced.arn %}', Error: REPLACED.error, Cause: `{% ${replacedBy} %}` });
    const message = run.publish('NotifyReplacedRun',
      `${name} & ': run ' & $replaced.scheduledTime & ' replaced'`,
      `${name} & ': the scheduled run of ' & $replaced.scheduledTime & ' was REPLACED by the run of ' & ${SCHEDULED_TIME} & ' (overlap policy REPLACE): `
      + `it was stopped, and its job(s) terminated.' & '\\n\\n' & 'The ${what}: ' & ${name} & '\\n' & 'Replaced run: ' & ${CONSOLE} & 'states/home?region=' & ${REGION} `
      + `& '#/v2/executions/details/' & $replaced.arn & '\\n' & 'Replacing run: ' & ${CONSOLE} & 'states/home?region=' & ${REGION} & '#/v2/executions/details/' & $states.context.Execution.Id`);
    const stopRuns = sfn.Map.jsonata(run.scope, 'StopReplacedRuns', { items: sfn.ProvideItems.jsonata('{% $earlierRuns %}'), maxConcurrency: 1 });
    // Its event too, after its message (one per replaced run, as its message).
    stopRuns.itemProcessor(describe.next(stop).next(message).next(run.runEvent('ReplacedRunEvent', 'REPLACED', '$replaced.scheduledTime', '$replaced.arn')));

    // 2. Active jobs of this run kind that carry its workload tag (the library's paths tag every job they submit); a job
    // submitted without it (by hand) is not the role's to stop: its refusal is caught, and the next job is stopped.
    const terminate = run.terminateJob('TerminateReplacedJob', '{% $states.input.JobId %}', `{% ${replacedBy} %}`);
    terminate.addCatch(sfn.Pass.jsonata(run.scope, 'ReplacedJobNotStopped'));
    const terminateJobs = sfn.Map.jsonata(run.scope, 'TerminateReplacedJobs', { items: sfn.ProvideItems.jsonata('{% $activeJobs %}'), maxConcurrency: 1 });
    terminateJobs.itemProcessor(terminate);

    const findRuns = run.listEarlierRuns('FindRunsToReplace');
    const findJobs = run.listActiveJobs('FindJobsToReplace');
    findRuns.addCatch(findJobs);
    stopRuns.addCatch(findJobs);
    findJobs.addCatch(run.body);
    terminateJobs.addCatch(run.body);
    return findRuns.next(stopRuns).next(findJobs).next(terminateJobs).next(run.body);
  }
}
