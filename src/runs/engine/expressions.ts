/**
 * The JSONata pieces every run definition uses: the scheduled time, job names, parameters, the checks of a caught
 * error, console links. Written once, for both engines Step Functions may run them on: no negative index on a list that
 * may be empty, no regular expression over serialized JSON (a job detail is `$parse`d), double-quoted string literals.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html (JSONata 2.0.6)
 */
import { SCHEDULED_TIME_ENV, SCHEDULED_TIME_PARAMETER } from '../../private/job-options';

export { SCHEDULED_TIME_ENV, SCHEDULED_TIME_PARAMETER };

/**
 * Batch job names: up to 128 letters, digits, hyphens and underscores, starting with a letter or digit
 * (https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html). Each run's job is named
 * `<prefix>-<scheduled time, digits and letters only, 16>-<last 12 of the execution name>`, so the prefix keeps 98.
 */
export const JOB_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
export const JOB_NAME_MAX = 128;
export const JOB_NAME_PREFIX_MAX = JOB_NAME_MAX - 1 - 16 - 1 - 12;

const INPUT_TIME = '$states.context.Execution.Input.scheduledTime';
/** The run's scheduled time: the Scheduler's `<aws.scheduler.scheduled-time>`, or the start of a manual execution. */
export const SCHEDULED_TIME = `($exists(${INPUT_TIME}) ? $string(${INPUT_TIME}) : $states.context.Execution.StartTime)`;

/** JSONata string literal. A double-quoted JSON string is one too; JSONata has no \' escape in single-quoted ones. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

/** JSONata list literal of strings. */
export function quoteList(texts: string[]): string {
  return `[${texts.map(quote).join(', ')}]`;
}

/** The job-name prefix of a run, as JSONata (cut to JOB_NAME_PREFIX_MAX). */
export function prefixExpression(prefix: string): string {
  return `$substring(${quote(prefix)}, 0, ${JOB_NAME_PREFIX_MAX})`;
}

/** JSONata for the run's job name (see JOB_NAME_PATTERN). */
export function jobNameExpression(prefix: string): string {
  // The execution name's last 12 characters, counted from its length: no negative offset.
  const name = '$replace($states.context.Execution.Name, /[^A-Za-z0-9_-]/, \'\')';
  return `${prefixExpression(prefix)} & '-' & $substring($replace($replace(${SCHEDULED_TIME}, /\\.[0-9]+/, ''), /[^A-Za-z0-9]/, ''), 0, 16)`
    + ` & '-' & ($n := ${name}; $substring($n, $max([0, $length($n) - 12])))`;
}

/** Job states in which a run is still active (it holds, or waits for, compute). */
export const ACTIVE_JOB_STATUSES = ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'];

/**
 * JSONata: the active jobs of this run kind among a ListJobs result (`$states.result`), oldest first, as a list (empty
 * when none). A job is the run's when its name is `<prefix>-<16 letters and digits of a scheduled time>-...` (see
 * jobNameExpression) or, for a workflow, `<prefix>-<step>-<16>-...`; no other workload's prefix produces those.
 */
export function activeJobsExpression(prefix: string, anyStep = false): string {
  const rest = anyStep ? '/^[A-Za-z0-9-]+-[A-Za-z0-9]{16}-/' : '/^[A-Za-z0-9]{16}-/';
  return `($p := ${prefixExpression(prefix)} & '-'; `
    + `$append([], $states.result.JobSummaryList[$substring(JobName, 0, $length($p)) = $p and $contains($substring(JobName, $length($p)), ${rest}) `
    + `and Status in ${quoteList(ACTIVE_JOB_STATUSES)}]^(CreatedAt)))`;
}

/**
 * JSONata: the job parameters of a run: the declared ones a manual execution gives in its input's `parameters` (any
 * other name, and any value that is not a string, is dropped), then the scheduled time.
 */
export function runParametersExpression(declared: string[]): string {
  const given = '$states.context.Execution.Input.parameters';
  return `$merge([($type(${given}) = 'object' ? $sift(${given}, function($v, $k) { $k in ${quoteList(declared)} and $type($v) = 'string' }) : {}), `
    + `{${quote(SCHEDULED_TIME_PARAMETER)}: ${SCHEDULED_TIME}}])`;
}

/** JSONata: true when `cause` (a caught error's Cause) is an AWS Batch job detail, the JSON `.sync` puts there. */
export function isJobDetail(cause: string): string {
  return `($type(${cause}) = 'string' and $substring(${cause}, 0, 1) = '{' and $contains(${cause}, '"JobId"'))`;
}

/** JSONata: the job detail in `cause`, or an empty object. */
export function jobDetail(cause: string): string {
  return `(${isJobDetail(cause)} ? $parse(${cause}) : {})`;
}

/** JSONata: the last element of a list that may be empty or missing (a negative index throws on some engines). */
export function lastOf(list: string): string {
  return `($count(${list}) > 0 ? ${list}[$count(${list}) - 1] : {})`;
}

/** Which bad job a caught error (`$states.errorOutput`) is: a job detail in its Cause means the job ran and failed. */
export function failureOutcome(jobFailed: string, notSubmitted: string): string {
  return `($states.errorOutput.Error = 'States.TaskFailed' and ${isJobDetail('$states.errorOutput.Cause')}) ? ${quote(jobFailed)} : ${quote(notSubmitted)}`;
}

/** The region of the execution, from its ARN. */
export const REGION = '$split($states.context.Execution.Id, \':\')[3]';
export const CONSOLE = `'https://' & ${REGION} & '.console.aws.amazon.com/'`;
export const EXECUTION_LINK = `${CONSOLE} & 'states/home?region=' & ${REGION} & '#/v2/executions/details/' & $states.context.Execution.Id`;

/** Subject: printable ASCII only and at most 100 characters (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html). */
export function subject(text: string): string {
  return `$substring($replace(${text}, /[^ -~]/, ''), 0, 100)`;
}

/** What the message says next to the scheduled time, which EventBridge Scheduler gives in UTC. */
export function timeNote(timeZone: string): string {
  return timeZone === 'UTC' ? 'UTC' : `UTC; the schedule's time zone is ${timeZone}`;
}

/** JSONata: seconds since the execution started, at the entry of the current state. */
export const ELAPSED_SECONDS = '(($toMillis($states.context.State.EnteredTime) - $toMillis($states.context.Execution.StartTime)) / 1000)';

/** JSONata: milliseconds of a ListExecutions StartDate, whether it comes as ISO 8601 or epoch seconds/milliseconds. */
export const START_MILLIS = 'function($d) { $type($d) = \'number\' ? ($d < 100000000000 ? $d * 1000 : $d) : $toMillis($string($d)) }';

/** JSONata: the RUNNING executions of this state machine (a ListExecutions result) that started before this one. */
export const EARLIER_EXECUTIONS = `($me := $toMillis($states.context.Execution.StartTime); $ms := ${START_MILLIS}; `
  + '$append([], $states.result.Executions[ExecutionArn != $states.context.Execution.Id and $ms(StartDate) < $me]))';
