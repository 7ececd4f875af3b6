/**
 * The run-outcome event: one EventBridge event per run outcome, sent by the state machine through the optimized
 * integration `arn:aws:states:::events:putEvents` (no Lambda), on the bus the user chooses (the account's default bus
 * by default). Its shape is a contract (docs/events.md): every key of the detail is always present, `null` when unknown.
 *
 * A good run sends its event in one state after the run (`PutRunEvent`); a bad run sends it after its one message, so
 * that an event that cannot be sent never costs the run its message (a failed PutEvents is caught, and the run goes on).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { jobDetail, lastOf, quote } from './expressions';
import { RUN_OUTCOMES } from './messages';
import type { RunDefinitionProps } from './run-graph';
import { runCostFromDetailExpression } from '../../private/run-cost-expression';

/** The event's `source` and `detail-type`, as rules match them. */
export const RUN_EVENT = { source: 'cdk-scheduled-batch', detailType: 'Scheduled Batch Run', version: '1' } as const;

/** The outcomes an event reports (`detail.outcome`). */
export const EVENT_OUTCOMES = {
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  deadlinePassed: 'DEADLINE_PASSED',
  notStarted: 'NOT_STARTED',
  skipped: 'SKIPPED',
  replaced: 'REPLACED',
  notSubmitted: 'NOT_SUBMITTED',
} as const;

/**
 * The execution error (`$outcome`) of each bad run, by event outcome: the engine's, the overlap policies'
 * (RunSkipped, RunReplaced, EarlierRunStillActive) and the start deadline's (NotStarted). Any other error is FAILED.
 */
const OUTCOME_OF_ERROR: Record<string, string> = {
  [RUN_OUTCOMES.jobFailed]: EVENT_OUTCOMES.failed,
  [RUN_OUTCOMES.deadlinePassed]: EVENT_OUTCOMES.deadlinePassed,
  [RUN_OUTCOMES.notSubmitted]: EVENT_OUTCOMES.notSubmitted,
  RunSkipped: EVENT_OUTCOMES.skipped,
  RunReplaced: EVENT_OUTCOMES.replaced,
  EarlierRunStillActive: EVENT_OUTCOMES.notStarted,
  NotStarted: EVENT_OUTCOMES.notStarted,
};

/** JSONata: the event outcome of a bad run's execution error. */
export function eventOutcome(error: string): string {
  const map = `{${Object.entries(OUTCOME_OF_ERROR).map(([k, v]) => `${quote(k)}: ${quote(v)}`).join(', ')}}`;
  return `($o := $lookup(${map}, $string(${error})); $exists($o) ? $o : ${quote(EVENT_OUTCOMES.failed)})`;
}

/** Who the event is about: the workload (or workflow) and what it runs on. */
export interface RunEventSubject {
  readonly label: string;
  readonly workflow: boolean;
  /** The platform's name, when known at synth. */
  readonly platform?: string;
  /** The workload's fair-share team, when there is one. */
  readonly team?: string;
  /** Whether the run's compute is Spot (its cost estimate's rates). */
  readonly spot?: boolean;
}

/** Who a run definition's events are about: its label, platform, team (a job's run's share) and capacity. */
export function subjectOf(p: RunDefinitionProps): RunEventSubject {
  const team = p.workflow ? undefined : p.levels[0][0].shareIdentifier;
  return { label: p.label, workflow: p.workflow, platform: p.platformName, team, spot: p.spot };
}

const NN = '$nn := function($v) { $exists($v) ? $v : null };';
const RECLAIMED = '$rc := function($s) { $type($s) = \'string\' and ($substring($s, 0, 8) = \'Host EC2\' or $substring($s, 0, 30) = \'Your Spot Task was interrupted\') };';
/** JSONata: a number from a resource requirement value (a string), or null. */
const RESOURCE = (type: string, legacy: string) =>
  `($v := $d.Container.ResourceRequirements[Type = '${type}'].Value; $exists($v) ? $number($v[0]) : $nn($d.Container.${legacy}))`;

function head(s: RunEventSubject, outcome: string, scheduledTime: string, execution: string): string {
  return `'version': ${quote(RUN_EVENT.version)}, 'outcome': ${outcome}, 'workload': ${quote(s.label)}, 'workflow': ${s.workflow}, `
    + `'platform': ${s.platform !== undefined ? quote(s.platform) : 'null'}, 'team': ${s.team !== undefined ? quote(s.team) : 'null'}, `
    + `'scheduledTime': $string(${scheduledTime}), 'execution': ${execution}`;
}

/**
 * JSONata: the event detail of a job's run, from `detail` (JSONata of an AWS Batch job detail as DescribeJobs returns it
 * to Step Functions, PascalCase, or `{}`). Epoch milliseconds as AWS Batch gives them; `estimatedCostUsd` is the
 * run's cost estimate (null without a job detail).
 */
export function jobRunEventDetail(s: RunEventSubject, outcome: string, scheduledTime: string, detail: string,
  execution = '$states.context.Execution.Id'): string {
  return `($d := ${detail}; ${NN} ${RECLAIMED} $last := ${lastOf('$d.Attempts')}; $jd := $d.JobDefinition; `
    + '$start := $d.StartedAt; $stop := $d.StoppedAt; '
    + `{${head(s, outcome, scheduledTime, execution)}, `
    + '\'jobId\': $nn($d.JobId), \'jobName\': $nn($d.JobName), \'jobDefinition\': $nn($jd), '
    + '\'revision\': ($type($jd) = \'string\' and $contains($jd, /:[0-9]+$/)) ? $number($substringAfter($substringAfter($jd, \'job-definition/\'), \':\')) : null, '
    + '\'startedAt\': $nn($start), \'stoppedAt\': $nn($stop), '
    + '\'durationSeconds\': ($type($start) = \'number\' and $type($stop) = \'number\') ? ($stop - $start) / 1000 : null, '
    + '\'attempts\': $exists($d.Attempts) ? $count($d.Attempts) : null, '
    + '\'reclaimedAttempts\': $exists($d.Attempts) ? $count($filter($d.Attempts, function($a) { $rc($a.StatusReason) })) : null, '
    + `'vcpus': ${RESOURCE('VCPU', 'Vcpus')}, 'memoryMiB': ${RESOURCE('MEMORY', 'Memory')}, `
    // The run's cost estimate from its job detail (src/private/run-cost-expression.ts); null without a job, or without the
    // job's vCPU or memory (the expression is then undefined, which would drop the key the event contract always has).
    + `'estimatedCostUsd': ${detail === '{}' ? 'null' : `$nn(${runCostFromDetailExpression('$d', s.spot ?? false)})`}, `
    + '\'exitCode\': $exists($d.Container.ExitCode) ? $d.Container.ExitCode : $nn($last.Container.ExitCode)})';
}

/** JSONata: the job detail a bad job run's event describes: none for a run that submitted no job of its own. */
export function badJobRunDetail(): string {
  return `($o := ${eventOutcome('$outcome')}; $o in ['${EVENT_OUTCOMES.skipped}', '${EVENT_OUTCOMES.replaced}'] ? {} : `
    + `($type($job) = 'object' ? $job : ($outcome = '${RUN_OUTCOMES.jobFailed}' ? ${jobDetail('$failure.Cause')} : {})))`;
}

/**
 * JSONata: the event detail of a workflow's run. `step` is JSONata of the failed step's summary (see stepSummary), or
 * `{}`; the times are the execution's start and the event state's entry (a workflow runs many jobs).
 */
export function workflowRunEventDetail(s: RunEventSubject, outcome: string, scheduledTime: string, step: string): string {
  return `($w := ${step}; ${NN} $start := $toMillis($states.context.Execution.StartTime); $stop := $toMillis($states.context.State.EnteredTime); `
    + `{${head(s, outcome, scheduledTime, '$states.context.Execution.Id')}, `
    + '\'jobId\': $nn($w.jobId), \'jobName\': null, \'jobDefinition\': null, \'revision\': null, '
    + '\'startedAt\': $start, \'stoppedAt\': $stop, \'durationSeconds\': ($stop - $start) / 1000, '
    + '\'attempts\': $nn($w.attempts), \'reclaimedAttempts\': null, \'vcpus\': null, \'memoryMiB\': null, \'estimatedCostUsd\': null, '
    + '\'exitCode\': $nn($w.exitCode)})';
}

/**
 * A PutEvents Task of one run event (`detail`: JSONata, without `{% %}`), bounded to 60 seconds, keeping its input as
 * its output. The typed task grants events:PutEvents on exactly the bus (the default bus's ARN when none is given).
 */
export function putRunEvent(scope: Construct, id: string, detail: string, eventBus?: events.IEventBus): tasks.EventBridgePutEvents {
  return tasks.EventBridgePutEvents.jsonata(scope, id, {
    entries: [{ source: RUN_EVENT.source, detailType: RUN_EVENT.detailType, detail: sfn.TaskInput.fromText(`{% ${detail} %}`), eventBus }],
    outputs: '{% $states.input %}',
    taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
  });
}

/**
 * The event of another run than this one (a replaced run: `outcome` REPLACED), without its job's facts; its failure is
 * caught into a Pass state (`<id>NotSent`) that ends the branch it is in.
 */
export function otherRunEvent(scope: Construct, id: string, subject: RunEventSubject, outcome: string, scheduledTime: string, execution: string,
  eventBus?: events.IEventBus): tasks.EventBridgePutEvents {
  const event = putRunEvent(scope, id, jobRunEventDetail(subject, quote(outcome), scheduledTime, '{}', execution), eventBus);
  event.addCatch(sfn.Pass.jsonata(scope, `${id}NotSent`));
  return event;
}
