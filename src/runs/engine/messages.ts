/**
 * The one message a bad run publishes, as JSONata: for a job's run (`jobRunMessage`) and for a workflow's run
 * (`workflowRunMessage`, which names the failed step). The sentences of the outcomes an overlap policy adds come from
 * the policy itself (`$note`). A TypeScript rendering of each, which the tests compare against with the jsonata 2.0.6
 * engine, lives in test/support/run-messages.ts.
 */
import { CONSOLE, EXECUTION_LINK, jobDetail, lastOf, quote, REGION } from './expressions';
import { LOG_TAIL } from './log-tail';
import { REVISION_OF } from './rollout-state';
import { runCostFromDetailExpression } from '../../private/run-cost-expression';

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

/**
 * JSONata: the log-tail lines of the text (`$tailText`) and of the chat card (`$tailMarkdown`), from `$logTail`
 * (null: none fetched, this outcome has no log of its own; else `{text, note}`, see log-tail.ts).
 */
const TAIL = [
  `$tailText := $type($logTail) = 'object' ? ($type($logTail.text) = 'string' ? ['', ${quote(`Last log lines of the failed attempt (at most ${LOG_TAIL.lines}):`)}, $logTail.text] `
    + ': [\'\', \'Log lines: none, \' & $string($logTail.note) & \'.\']) : [];',
  `$tailMarkdown := $type($logTail) = 'object' ? ($type($logTail.text) = 'string' ? ${quote(`\n\n*Last log lines of the failed attempt (at most ${LOG_TAIL.lines}):*\n\`\`\`\n`)} `
    + '& $join($split($logTail.text, \'```\'), "\'\'\'") & \'\\n```\' : \'\\n\\nLog lines: none, \' & $string($logTail.note) & \'.\') : \'\';',
].join(' ');

/** JSONata: the message as text, from the parts (`$head`, `$what`, `$facts`, `$links`, `$errorLine`, `$logTail`). */
const TEXT = `${TAIL} $join($append($append($append([$head, $what, ''], $facts), $append($links, [$errorLine])), $tailText), '\\n')`;

/**
 * JSONata: the SNS message of both forms, from the parts and `$keywords`: `default` and `email` the text, `https` the
 * custom notification of Amazon Q Developer in chat applications (version 1.0, source custom; content: textType,
 * title, description, nextSteps, keywords; metadata: summary), which is how its HTTPS subscription shows a message
 * from a source of one's own: https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html.
 * `MessageStructure: json` sends each protocol its key, `default` to any other:
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (MessageStructure).
 */
const BOTH_FORMS = `${TAIL} $text := $join($append($append($append([$head, $what, ''], $facts), $append($links, [$errorLine])), $tailText), '\\n'); `
  + '$chat := {\'version\': \'1.0\', \'source\': \'custom\', \'content\': {\'textType\': \'client-markdown\', \'title\': $head, '
  + '\'description\': $what & \'\\n\\n\' & $join($append($facts, [$errorLine]), \'\\n\') & $tailMarkdown, \'nextSteps\': $links, \'keywords\': $keywords}, '
  + '\'metadata\': {\'summary\': $head}}; '
  + '$string({\'default\': $text, \'email\': $text, \'https\': $string($chat)})';

/**
 * JSONata: a message given as text (`text`, JSONata) in both forms, its chat card titled `title` (JSONata): the
 * publishes that have no parts (the plain message of a run whose details cannot be rendered, a replaced run's).
 * Built only of values that cannot fail to render.
 */
export function bothForms(title: string, text: string): string {
  return `($t := ${text}; $string({'default': $t, 'email': $t, 'https': $string({'version': '1.0', 'source': 'custom', `
    + `'content': {'textType': 'client-markdown', 'title': ${title}, 'description': $t}})}))`;
}

/**
 * JSONata: the message's cost line, the run's estimate from the job detail `$d` (src/private/run-cost-expression.ts;
 * RunCost.ERROR says what it leaves out), or n/a without start and stop times.
 */
export function costLine(spot: boolean): string {
  return `'Estimated cost: ' & ($k := ${runCostFromDetailExpression('$d', spot)}; $type($k) = 'number' ? '$' & $string($k) & ' (list-price estimate)' : 'n/a')`;
}

/** The lines of an array job's message: failed children of all, and links to up to CHILD_LINKS_MAX of them. */
function childLines(jobId: string, failed: string, size: string, indices: string): string[] {
  return [
    `'Children failed: ' & $val(${failed}) & ' of ' & $val(${size}),`,
    `($i := ${indices}; 'Failed children (up to ${CHILD_LINKS_MAX}): ' & ($count($i) > 0 ? $join($map($i, function($x) { ${JOB_LINK(jobId)} & ':' & $string($x) }), ' ') : 'n/a')),`,
  ];
}

/**
 * The statements that define a job run's message parts: `$head` (the first line), `$what` (what happened), `$facts`
 * and `$links` (lines), `$errorLine` and `$logTail` (see log-tail.ts). Variables: `$workload`, `$scheduledTime`,
 * `$timeNote`, `$logGroup`, `$outcome`, `$failure` (the caught error), `$job` (a job detail after a timeout or for a
 * skip, else null: the detail is then the JSON in the error's Cause), `$stopped`, `$note` (the sentence of an outcome
 * an overlap policy adds), `$onDemand` (the run was resubmitted On-Demand), `$logTail` and, for an array job,
 * `$children` (the failed children ListJobs returned, or null). Missing values render as "n/a".
 */
function jobRunParts(deadline: string, arrayed: boolean, spot: boolean, rollout: boolean): string[] {
  const s = outcomeSentences(deadline);
  const o = RUN_OUTCOMES;
  return [
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
    '$head := $workload & \': the scheduled run of \' & $scheduledTime & \' did not succeed.\';',
    '$facts := [',
    '\'Workload: \' & $workload,',
    '\'Scheduled time: \' & $scheduledTime & \' (\' & $timeNote & \')\',',
    '\'Job id: \' & $val($id),',
    '\'Job status: \' & $val($d.Status),',
    '\'Status reason: \' & $val($reason),',
    '\'Exit code: \' & $val($exit),',
    '\'Attempts finished: \' & $string($count($d.Attempts)),',
    `${costLine(spot)},`,
    ...arrayed ? childLines('$d.JobId', '$d.ArrayProperties.StatusSummary.FAILED', '$d.ArrayProperties.Size',
      `$sort($append([], ($type($children) = 'array' ? $children : []).ArrayProperties.Index))[[0..${CHILD_LINKS_MAX - 1}]]`) : [],
    ...rollout ? ROLLOUT_LINES : [],
    '$onDemand = true ? \'Resubmitted On-Demand after every Spot attempt was reclaimed: yes\'',
    '];',
    '$links := [',
    `'Job: ' & ($exists($id) ? ${JOB_LINK('$id')} : 'n/a'),`,
    `'Log stream: ' & ($exists($stream) ? ${LOG_LINK('$logGroup', '$stream')} : 'n/a'),`,
    `'Run history: ' & ${EXECUTION_LINK}`,
    '];',
    '$errorLine := \'Error: \' & $val($f.Error);',
  ];
}

/**
 * The lines of a run with a rollout (rollout.ts): the revision it ran (on trial or not), a rollback, a rerun on the last
 * good revision. `$rollout` is unset for a run that never reached the store (a skipped one).
 */
const ROLLOUT_LINES = [
  `$exists($rollout) ? ($rv := ${REVISION_OF}; 'Revision: ' & $string($rv($rollout.revision)) & (($rollout.live and $rollout.revision = $rollout.candidate) `
    + '? \' (the new revision, on trial: \' & $string($rollout.share) & \'% of runs)\' : \'\')),',
  '$rolloutNote != \'\' ? $rolloutNote,',
  '$rerunNote != \'\' ? $rerunNote,',
];

/** JSONata for a job run's message as text (e-mail): see jobRunParts for its variables. */
export function jobRunMessage(deadline: string, arrayed = false, spot = false, rollout = false): string {
  return ['(', ...jobRunParts(deadline, arrayed, spot, rollout), TEXT, ')'].join(' ');
}

/**
 * JSONata for a job run's SNS message in both forms (`MessageStructure: json`): the text for e-mail and every other
 * protocol, the chat custom notification for HTTPS (Amazon Q Developer in chat applications subscribes over HTTPS).
 */
export function jobRunNotification(deadline: string, arrayed = false, spot = false, rollout = false): string {
  return ['(', ...jobRunParts(deadline, arrayed, spot, rollout), `$keywords := [$workload, $string($outcome)]; ${BOTH_FORMS}`, ')'].join(' ');
}

/**
 * JSONata: a failed step's summary, for its branch's Fail state's Cause (small: the whole job detail could be large).
 * Variables: `$stepFailure`, `$lateJobId`, `$onDemand`, `$stopped`, `$stepLogTail` and, for an array step, `$stepChildren`.
 */
export function stepSummary(step: string, arrayed = false): string {
  return `($c := $stepFailure.Cause; $d := ${jobDetail('$c')}; $last := ${lastOf('$d.Attempts')}; `
    + `$string({'step': ${quote(step)}, 'error': $string($stepFailure.Error), 'jobId': $exists($d.JobId) ? $d.JobId : $lateJobId, 'status': $d.Status, `
    + '\'statusReason\': $exists($d.StatusReason) ? $d.StatusReason : $substring($string($c), 0, 1000), '
    + '\'exitCode\': $exists($d.Container.ExitCode) ? $d.Container.ExitCode : $last.Container.ExitCode, '
    + '\'logStream\': $exists($d.Container.LogStreamName) ? $d.Container.LogStreamName : $last.Container.LogStreamName, '
    + '\'attempts\': $count($d.Attempts), \'childrenFailed\': $d.ArrayProperties.StatusSummary.FAILED, \'arraySize\': $d.ArrayProperties.Size, '
    + `'onDemand': $onDemand, 'stopped': $stopped, 'logTail': $stepLogTail${arrayed ? ", 'failedChildren': $stepChildren" : ''}}))`;
}

/**
 * JSONata for a workflow run's message. `$failure` is the error of the level that failed: its Error is the outcome,
 * its Cause the step's summary (`stepSummary`), or any other text when the run failed outside a step. Other
 * variables: `$workflow`, `$scheduledTime`, `$timeNote`, `$logGroups` (by step), `$outcome`, `$note`; the step's log tail is
 * in its summary.
 */
function workflowRunParts(deadline: string): string[] {
  const s = workflowSentences(deadline);
  const o = RUN_OUTCOMES;
  const sentence = (f: (step: string) => string) => quote(f('\u0001')).split('\\u0001').join('" & $step & "');
  return [
    '$c := $string($failure.Cause);',
    '$w := ($substring($c, 0, 1) = \'{\' and $contains($c, \'"step"\')) ? $parse($c) : {};',
    VAL, ENC,
    `$region := ${REGION};`,
    `$console := ${CONSOLE};`,
    '$step := $val($w.step);',
    `$what := $outcome = '${o.jobFailed}' ? ${sentence(s.jobFailed)} : ($outcome = '${o.deadlinePassed}' ? ${sentence(s.deadline)} : `
      + `($type($note) = 'string' ? $note : ${sentence(s.notSubmitted)}));`,
    '$log := $exists($w.step) ? $lookup($logGroups, $w.step);',
    '$head := $workflow & \': the scheduled run of \' & $scheduledTime & \' did not succeed.\';',
    '$facts := [',
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
    '$w.stopped = true ? \'The late job was stopped (AWS Batch TerminateJob).\'',
    '];',
    '$links := [',
    `'Job: ' & ($exists($w.jobId) ? ${JOB_LINK('$w.jobId')} : 'n/a'),`,
    `'Log stream: ' & (($exists($w.logStream) and $exists($log)) ? ${LOG_LINK('$log', '$w.logStream')} : 'n/a'),`,
    `'Run history: ' & ${EXECUTION_LINK}`,
    '];',
    '$errorLine := \'Error: \' & $val($failure.Error);',
    '$logTail := $type($w.logTail) = \'object\' ? $w.logTail : null;',
  ];
}

/** JSONata for a workflow run's message as text (e-mail): see workflowRunParts for its variables. */
export function workflowRunMessage(deadline: string): string {
  return ['(', ...workflowRunParts(deadline), TEXT, ')'].join(' ');
}

/** JSONata for a workflow run's SNS message in both forms (see jobRunNotification). */
export function workflowRunNotification(deadline: string): string {
  return ['(', ...workflowRunParts(deadline), `$keywords := [$workflow, $string($outcome)]; ${BOTH_FORMS}`, ')'].join(' ');
}
