/**
 * The one message a `ScheduledBatchWorkflow` run that does not succeed publishes: JSONata for the state machine, and
 * the same text in TypeScript for the tests, which evaluate the JSONata with the jsonata 2.0.6 engine and compare.
 *
 * `$failure` is the error of the level that failed: its Error is the outcome, its Cause the step's summary (JSON, see
 * `stepSummaryExpression` in workflow-definition.ts), or any other text when the run failed outside a step.
 */
import { CHILD_LINKS_MAX } from './array-run';
import { quote, RUN_OUTCOMES, timeNote } from './run-tracking';

/** The step's summary a branch's Fail state puts in its Cause (what the message shows of the failed step). */
export interface StepSummary {
  readonly step?: string;
  readonly error?: string;
  readonly jobId?: string;
  readonly status?: string;
  readonly statusReason?: string;
  readonly exitCode?: number;
  readonly logStream?: string;
  readonly attempts?: number;
  readonly childrenFailed?: number;
  readonly arraySize?: number;
  /** Indices of up to 10 failed children of an array step. */
  readonly failedChildren?: number[];
  readonly onDemand?: boolean;
  readonly stopped?: boolean;
}

/** What the message says happened. */
export function workflowSentences(deadline: string) {
  return {
    jobFailed: (step: string) => `Step '${step}' FAILED in AWS Batch; the steps that depend on it did not run.`,
    deadline: (step: string) => `Step '${step}' was NOT DONE by the run's deadline, ${deadline} after the run started; the steps that depend on it did not run.`,
    notSubmitted: (step: string) => `Step '${step}' was NOT SUBMITTED, or Step Functions could not follow it (see the error).`,
    skipped: 'The run was SKIPPED: an earlier run of this workflow is still running (overlap policy SKIP).',
    waited: `The run was NOT STARTED by its deadline, ${deadline}: an earlier run of this workflow was still running (overlap policy QUEUE).`,
  };
}

/** Outcome of a run that waited for an earlier one past its deadline (overlap policy QUEUE). */
export const WAITED_OUTCOME = 'EarlierRunStillActive';

/** JSONata for the message. Missing values render as "n/a"; lines about fan-out and On-Demand only when they apply. */
export function workflowMessageExpression(deadline: string): string {
  const s = workflowSentences(deadline);
  const sentence = (f: (step: string) => string) => quote(f('\u0001')).split('\\u0001').join('" & $step & "');
  return [
    '(',
    '$c := $string($failure.Cause);',
    '$w := ($substring($c, 0, 1) = \'{\' and $contains($c, \'"step"\')) ? $parse($c) : {};',
    '$val := function($v) { ($exists($v) and $v != null) ? $string($v) : \'n/a\' };',
    '$enc := function($s) { $join($split($encodeUrlComponent($s), \'%\'), \'$25\') };',
    '$region := $split($states.context.Execution.Id, \':\')[3];',
    '$console := \'https://\' & $region & \'.console.aws.amazon.com/\';',
    '$step := $val($w.step);',
    `$what := $outcome = '${RUN_OUTCOMES.jobFailed}' ? ${sentence(s.jobFailed)} : ($outcome = '${RUN_OUTCOMES.deadlinePassed}' ? ${sentence(s.deadline)} : `
      + `($outcome = '${RUN_OUTCOMES.skipped}' ? ${quote(s.skipped)} : ($outcome = '${WAITED_OUTCOME}' ? ${quote(s.waited)} : ${sentence(s.notSubmitted)})));`,
    '$log := $exists($w.step) ? $lookup($logGroups, $w.step);',
    '$join([',
    '$workflow & \': the scheduled run of \' & $scheduledTime & \' did not succeed.\',',
    '$what,',
    '\'\',',
    '\'Workflow: \' & $workflow,',
    '\'Scheduled time: \' & $scheduledTime & \' (\' & $timeNote & \')\',',
    '\'Failed step: \' & $step,',
    '\'Job id: \' & $val($w.jobId),',
    '\'Job status: \' & $val($w.status),',
    '\'Status reason: \' & ($exists($w.statusReason) ? $string($w.statusReason) : $substring($c, 0, 1000)),',
    '\'Exit code: \' & $val($w.exitCode),',
    '\'Attempts finished: \' & $val($w.attempts),',
    '$exists($w.arraySize) ? \'Children failed: \' & $val($w.childrenFailed) & \' of \' & $string($w.arraySize),',
    `$exists($w.arraySize) ? 'Failed children (up to ${CHILD_LINKS_MAX}): ' & (($type($w.failedChildren) = 'array' and $count($w.failedChildren) > 0) ? $join($map($w.failedChildren, function($i) `
      + '{ $console & \'batch/home?region=\' & $region & \'#jobs/detail/\' & $w.jobId & \':\' & $string($i) }), \' \') : \'n/a\'),',
    '$w.onDemand = true ? \'Resubmitted On-Demand after every Spot attempt was reclaimed: yes\',',
    '$w.stopped = true ? \'The late job was stopped (AWS Batch TerminateJob).\',',
    '\'Job: \' & ($exists($w.jobId) ? $console & \'batch/home?region=\' & $region & \'#jobs/detail/\' & $w.jobId : \'n/a\'),',
    '\'Log stream: \' & (($exists($w.logStream) and $exists($log)) ? $console & \'cloudwatch/home?region=\' & $region & \'#logsV2:log-groups/log-group/\' & $enc($log) & \'/log-events/\' & $enc($w.logStream) : \'n/a\'),',
    '\'Run history: \' & $console & \'states/home?region=\' & $region & \'#/v2/executions/details/\' & $states.context.Execution.Id,',
    '\'Error: \' & $val($failure.Error)',
    '], \'\\n\')',
    ')',
  ].join(' ');
}

export interface WorkflowMessageFacts {
  readonly workflow: string;
  readonly timeZone: string;
  readonly scheduledTime: string;
  readonly outcome: string;
  readonly failure: { readonly Error?: string; readonly Cause?: string };
  /** Each step's log group, by step name. */
  readonly logGroups: Record<string, string>;
  readonly executionArn: string;
  readonly deadlineText: string;
}

/** The message `workflowMessageExpression` renders, in TypeScript. */
export function renderWorkflowMessage(f: WorkflowMessageFacts): string {
  const c = String(f.failure.Cause);
  const w: StepSummary = c.startsWith('{') && c.includes('"step"') ? JSON.parse(c) : {};
  const val = (v: unknown) => (v === undefined || v === null ? 'n/a' : String(v));
  const enc = (s: string) => encodeURIComponent(s).split('%').join('$25');
  const region = f.executionArn.split(':')[3];
  const consoleUrl = `https://${region}.console.aws.amazon.com/`;
  const step = val(w.step);
  const s = workflowSentences(f.deadlineText);
  const what = f.outcome === RUN_OUTCOMES.jobFailed ? s.jobFailed(step)
    : f.outcome === RUN_OUTCOMES.deadlinePassed ? s.deadline(step)
      : f.outcome === RUN_OUTCOMES.skipped ? s.skipped : f.outcome === WAITED_OUTCOME ? s.waited : s.notSubmitted(step);
  const log = w.step !== undefined ? f.logGroups[w.step] : undefined;
  return [
    `${f.workflow}: the scheduled run of ${f.scheduledTime} did not succeed.`,
    what,
    '',
    `Workflow: ${f.workflow}`,
    `Scheduled time: ${f.scheduledTime} (${timeNote(f.timeZone)})`,
    `Failed step: ${step}`,
    `Job id: ${val(w.jobId)}`,
    `Job status: ${val(w.status)}`,
    `Status reason: ${w.statusReason !== undefined ? w.statusReason : c.slice(0, 1000)}`,
    `Exit code: ${val(w.exitCode)}`,
    `Attempts finished: ${val(w.attempts)}`,
    w.arraySize !== undefined ? `Children failed: ${val(w.childrenFailed)} of ${w.arraySize}` : undefined,
    w.arraySize !== undefined ? `Failed children (up to ${CHILD_LINKS_MAX}): ${Array.isArray(w.failedChildren) && w.failedChildren.length > 0
      ? w.failedChildren.map(i => `${consoleUrl}batch/home?region=${region}#jobs/detail/${w.jobId}:${i}`).join(' ') : 'n/a'}` : undefined,
    w.onDemand === true ? 'Resubmitted On-Demand after every Spot attempt was reclaimed: yes' : undefined,
    w.stopped === true ? 'The late job was stopped (AWS Batch TerminateJob).' : undefined,
    `Job: ${w.jobId !== undefined ? `${consoleUrl}batch/home?region=${region}#jobs/detail/${w.jobId}` : 'n/a'}`,
    `Log stream: ${w.logStream !== undefined && log !== undefined ? `${consoleUrl}cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${enc(log)}/log-events/${enc(w.logStream)}` : 'n/a'}`,
    `Run history: ${consoleUrl}states/home?region=${region}#/v2/executions/details/${f.executionArn}`,
    `Error: ${val(f.failure.Error)}`,
  ].filter(l => l !== undefined).join('\n');
}
