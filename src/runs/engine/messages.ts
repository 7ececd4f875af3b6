/**
 * The one message a bad run publishes, as JSONata: for a job's run (`jobRunMessage`) and for a workflow's run
 * (`workflowRunMessage`, which names the failed step). The sentences of the outcomes an overlap policy adds come from
 * the policy itself (`$note`). A TypeScript rendering of each, which the tests compare against with the jsonata 2.0.6
 * engine, lives in test/support/run-messages.ts.
 */
import { CONSOLE, EXECUTION_LINK, jobDetail, lastOf, quote, REGION } from './expressions';

/** The kinds of bad run the engine itself knows; each is the `error` of the failed execution. */
export const RUN_OUTCOMES = {
  jobFailed: 'JobFailed',
  deadlinePassed: 'DeadlinePassed',
  notSubmitted: 'NotSubmitted',
} as const;

/** How many failed children of an array job the message links to. */
export const CHILD_LINKS_MAX = 10;

/** What a job run's message says happened. `deadline` is human text such as "3 hours 25 minutes". */
export function outcomeSentences(deadline: string) {
  const late = `The run was NOT DONE by its deadline, ${deadline} after the job was submitted.`;
  return {
    jobFailed: 'The job FAILED in AWS Batch.',
    deadlineStopped: `${late} The job was stopped (AWS Batch TerminateJob); the status below is from just before that.`,
    deadlineNotStopped: `${late} The job could not be looked up or stopped: check it in AWS Batch.`,
    notSubmitted: 'The job was NOT SUBMITTED, or Step Functions could not follow it (see the error).',
  };
}

/** What a workflow run's message says happened. */
export function workflowSentences(deadline: string) {
  return {
    jobFailed: (step: string) => `Step '${step}' FAILED in AWS Batch; the steps that depend on it did not run.`,
    deadline: (step: string) => `Step '${step}' was NOT DONE by the run's deadline, ${deadline} after the run started; the steps that depend on it did not run.`,
    notSubmitted: (step: string) => `Step '${step}' was NOT SUBMITTED, or Step Functions could not follow it (see the error).`,
  };
}

const VAL = '$val := function($v) { ($exists($v) and $v != null) ? $string($v) : \'n/a\' };';
const ENC = '$enc := function($s) { $join($split($encodeUrlComponent($s), \'%\'), \'$25\') };';
const JOB_LINK = (id: string) => `$console & 'batch/home?region=' & $region & '#jobs/detail/' & ${id}`;
const LOG_LINK = (group: string, stream: string) =>
  `$console & 'cloudwatch/home?region=' & $region & '#logsV2:log-groups/log-group/' & $enc(${group}) & '/log-events/' & $enc(${stream})`;

/** The lines of an array job's message: failed children of all, and links to up to CHILD_LINKS_MAX of them. */
function childLines(jobId: string, failed: string, size: string, indices: string): string[] {
  return [
    `'Children failed: ' & $val(${failed}) & ' of ' & $val(${size}),`,
    `($i := ${indices}; 'Failed children (up to ${CHILD_LINKS_MAX}): ' & ($count($i) > 0 ? $join($map($i, function($x) { ${JOB_LINK(jobId)} & ':' & $string($x) }), ' ') : 'n/a')),`,
  ];
}

/**
 * JSONata for a job run's message. Variables: `$workload`, `$scheduledTime`, `$timeNote`, `$logGroup`, `$outcome`,
 * `$failure` (the caught error), `$job` (a job detail after a timeout or for a skip, else null: the detail is then the
 * JSON in the error's Cause), `$stopped`, `$note` (the sentence of an outcome an overlap policy adds), `$onDemand` (the run was resubmitted
 * On-Demand) and, for an array job, `$children` (the failed children ListJobs returned, or null). Missing values render as "n/a".
 */
export function jobRunMessage(deadline: string, arrayed = false): string {
  const s = outcomeSentences(deadline);
  const o = RUN_OUTCOMES;
  return [
    '(',
    '$f := $failure;',
    '$c := $f.Cause;',
    `$d := $job ? $job : ($outcome = '${o.jobFailed}' ? ${jobDetail('$c')} : {});`,
    `$last := ${lastOf('$d.Attempts')};`,
    VAL, ENC,
    `$region := ${REGION};`,
    `$console := ${CONSOLE};`,
    '$id := $d.JobId;',
    '$exit := $exists($d.Container.ExitCode) ? $d.Container.ExitCode : $last.Container.ExitCode;',
    '$stream := $exists($d.Container.LogStreamName) ? $d.Container.LogStreamName : $last.Container.LogStreamName;',
    `$reason := $outcome = '${o.notSubmitted}' ? $substring($string($c), 0, 1000) : $d.StatusReason;`,
    `$what := $outcome = '${o.jobFailed}' ? ${quote(s.jobFailed)} : ($outcome = '${o.deadlinePassed}' ? `
      + `($stopped ? ${quote(s.deadlineStopped)} : ${quote(s.deadlineNotStopped)}) : ($type($note) = 'string' ? $note : ${quote(s.notSubmitted)}));`,
    '$join([',
    '$workload & \': the scheduled run of \' & $scheduledTime & \' did not succeed.\',',
    '$what,',
    '\'\',',
    '\'Workload: \' & $workload,',
    '\'Scheduled time: \' & $scheduledTime & \' (\' & $timeNote & \')\',',
    '\'Job id: \' & $val($id),',
    '\'Job status: \' & $val($d.Status),',
    '\'Status reason: \' & $val($reason),',
    '\'Exit code: \' & $val($exit),',
    '\'Attempts finished: \' & $string($count($d.Attempts)),',
    ...arrayed ? childLines('$d.JobId', '$d.ArrayProperties.StatusSummary.FAILED', '$d.ArrayProperties.Size',
      `$sort($append([], ($type($children) = 'array' ? $children : []).ArrayProperties.Index))[[0..${CHILD_LINKS_MAX - 1}]]`) : [],
    '$onDemand = true ? \'Resubmitted On-Demand after every Spot attempt was reclaimed: yes\',',
    `'Job: ' & ($exists($id) ? ${JOB_LINK('$id')} : 'n/a'),`,
    `'Log stream: ' & ($exists($stream) ? ${LOG_LINK('$logGroup', '$stream')} : 'n/a'),`,
    `'Run history: ' & ${EXECUTION_LINK},`,
    '\'Error: \' & $val($f.Error)',
    '], \'\\n\')',
    ')',
  ].join(' ');
}

/**
 * JSONata: a failed step's summary, for its branch's Fail state's Cause (small: the whole job detail could be large).
 * Variables: `$stepFailure`, `$lateJobId`, `$onDemand`, `$stopped` and, for an array step, `$stepChildren`.
 */
export function stepSummary(step: string, arrayed = false): string {
  return `($c := $stepFailure.Cause; $d := ${jobDetail('$c')}; $last := ${lastOf('$d.Attempts')}; `
    + `$string({'step': ${quote(step)}, 'error': $string($stepFailure.Error), 'jobId': $exists($d.JobId) ? $d.JobId : $lateJobId, 'status': $d.Status, `
    + '\'statusReason\': $exists($d.StatusReason) ? $d.StatusReason : $substring($string($c), 0, 1000), '
    + '\'exitCode\': $exists($d.Container.ExitCode) ? $d.Container.ExitCode : $last.Container.ExitCode, '
    + '\'logStream\': $exists($d.Container.LogStreamName) ? $d.Container.LogStreamName : $last.Container.LogStreamName, '
    + '\'attempts\': $count($d.Attempts), \'childrenFailed\': $d.ArrayProperties.StatusSummary.FAILED, \'arraySize\': $d.ArrayProperties.Size, '
    + `'onDemand': $onDemand, 'stopped': $stopped${arrayed ? ", 'failedChildren': $stepChildren" : ''}}))`;
}

/**
 * JSONata for a workflow run's message. `$failure` is the error of the level that failed: its Error is the outcome,
 * its Cause the step's summary (`stepSummary`), or any other text when the run failed outside a step. Other
 * variables: `$workflow`, `$scheduledTime`, `$timeNote`, `$logGroups` (by step), `$outcome`, `$note`.
 */
export function workflowRunMessage(deadline: string): string {
  const s = workflowSentences(deadline);
  const o = RUN_OUTCOMES;
  const sentence = (f: (step: string) => string) => quote(f('\u0001')).split('\\u0001').join('" & $step & "');
  return [
    '(',
    '$c := $string($failure.Cause);',
    '$w := ($substring($c, 0, 1) = \'{\' and $contains($c, \'"step"\')) ? $parse($c) : {};',
    VAL, ENC,
    `$region := ${REGION};`,
    `$console := ${CONSOLE};`,
    '$step := $val($w.step);',
    `$what := $outcome = '${o.jobFailed}' ? ${sentence(s.jobFailed)} : ($outcome = '${o.deadlinePassed}' ? ${sentence(s.deadline)} : `
      + `($type($note) = 'string' ? $note : ${sentence(s.notSubmitted)}));`,
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
    ...childLines('$w.jobId', '$w.childrenFailed', '$w.arraySize', '($type($w.failedChildren) = \'array\' ? $w.failedChildren : [])')
      .map(line => `$exists($w.arraySize) ? ${line}`),
    '$w.onDemand = true ? \'Resubmitted On-Demand after every Spot attempt was reclaimed: yes\',',
    '$w.stopped = true ? \'The late job was stopped (AWS Batch TerminateJob).\',',
    `'Job: ' & ($exists($w.jobId) ? ${JOB_LINK('$w.jobId')} : 'n/a'),`,
    `'Log stream: ' & (($exists($w.logStream) and $exists($log)) ? ${LOG_LINK('$log', '$w.logStream')} : 'n/a'),`,
    `'Run history: ' & ${EXECUTION_LINK},`,
    '\'Error: \' & $val($failure.Error)',
    '], \'\\n\')',
    ')',
  ].join(' ');
}
