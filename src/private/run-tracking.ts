/**
 * The Step Functions definition of `RunTracker`, as plain data (Amazon States Language, JSONata query language), and
 * a TypeScript rendering of the one message a bad run publishes, so the message can be walked in unit tests.
 *
 * One execution = one scheduled run:
 *
 *   RunJob (batch:submitJob.sync, TimeoutSeconds = deadline)
 *     success                      -> end (execution SUCCEEDED; nothing is published)
 *     catch States.Timeout         -> FindTimedOutJob -> DescribeTimedOutJob -> StopTimedOutJob -> Notify -> RunDidNotSucceed
 *     catch States.ALL             -> Notify -> RunDidNotSucceed (Fail)
 *   Notify fails (after 2 retries) -> NotifyWithoutDetails -> RunDidNotSucceed; that fails too -> NotificationFailed
 *
 * Every path that reaches a Fail state has published exactly one SNS message before, except NotificationFailed.
 * Nothing that runs after a successful publish can fail into another publish (the Fail state's Error/Cause only use
 * values that cannot raise an evaluation error).
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-batch.html (.sync; its error Cause is the
 *      DescribeJobs job detail as JSON)
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html (JSONata 2.0.6, $parse)
 */

import { arrayMessageLines } from './array-run';
import { SCHEDULED_TIME_PARAMETER } from './job-options';

export { SCHEDULED_TIME_PARAMETER };

/** State names, which show in the execution history. */
export const STATES = {
  checkOverlap: 'CheckForActiveRun',
  skipIfActive: 'SkipIfRunActive',
  run: 'RunJob',
  findJob: 'FindTimedOutJob',
  describeJob: 'DescribeTimedOutJob',
  stopJob: 'StopTimedOutJob',
  listChildren: 'ListFailedChildren',
  notify: 'Notify',
  notifyPlain: 'NotifyWithoutDetails',
  failed: 'RunDidNotSucceed',
  notificationFailed: 'NotificationFailed',
} as const;

/** The three kinds of bad run; each is the `error` of the failed execution. */
export const RUN_OUTCOMES = {
  jobFailed: 'JobFailed',
  deadlinePassed: 'DeadlinePassed',
  notSubmitted: 'NotSubmitted',
  skipped: 'RunSkipped',
} as const;

/** The environment variable that carries the scheduled time (the job parameter is `SCHEDULED_TIME_PARAMETER`). */
export const SCHEDULED_TIME_ENV = 'SCHEDULED_TIME';

/**
 * Batch job names: up to 128 letters, digits, hyphens and underscores, starting with a letter or digit
 * (https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html). Each run's job is named
 * `<prefix>-<scheduled time, digits and letters only, 16>-<last 12 of the execution name>`, so the prefix keeps 98.
 */
export const JOB_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
export const JOB_NAME_PREFIX_MAX = 128 - 1 - 16 - 1 - 12;

const INPUT_TIME = '$states.context.Execution.Input.scheduledTime';
/** The run's scheduled time: the Scheduler's `<aws.scheduler.scheduled-time>`, or the start of a manual execution. */
export const SCHEDULED_TIME = `($exists(${INPUT_TIME}) ? $string(${INPUT_TIME}) : $states.context.Execution.StartTime)`;

/** JSONata for the run's job name (see JOB_NAME_PATTERN). */
export function jobNameExpression(prefix: string): string {
  return `$substring('${prefix}', 0, ${JOB_NAME_PREFIX_MAX}) & '-' & $substring($replace($replace(${SCHEDULED_TIME}, /\\.[0-9]+/, ''), /[^A-Za-z0-9]/, ''), 0, 16)`
    + ' & \'-\' & $substring($replace($states.context.Execution.Name, /[^A-Za-z0-9_-]/, \'\'), -12)';
}

/** Which bad run a caught error is: a JSON job detail in the Cause of States.TaskFailed means the job ran and failed. */
const OUTCOME = '($e := $states.errorOutput.Error; $c := $states.errorOutput.Cause; '
  + `($e = 'States.TaskFailed' and $type($c) = 'string' and $substring($c, 0, 1) = '{' and $contains($c, '"JobId"')) ? '${RUN_OUTCOMES.jobFailed}' : '${RUN_OUTCOMES.notSubmitted}')`;

const REGION = '$split($states.context.Execution.Id, \':\')[3]';
const CONSOLE = `'https://' & ${REGION} & '.console.aws.amazon.com/'`;
const EXECUTION_LINK = `${CONSOLE} & 'states/home?region=' & ${REGION} & '#/v2/executions/details/' & $states.context.Execution.Id`;

/** Subject: printable ASCII only and at most 100 characters (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html). */
function subject(text: string): string {
  return `$substring($replace(${text}, /[^ -~]/, ''), 0, 100)`;
}

const OUTCOME_WORDS = `($outcome = '${RUN_OUTCOMES.jobFailed}' ? 'failed' : ($outcome = '${RUN_OUTCOMES.deadlinePassed}' ? 'not done by its deadline' : `
  + `($outcome = '${RUN_OUTCOMES.skipped}' ? 'skipped' : 'not submitted')))`;

/** Job states in which a run is still active (it holds, or waits for, compute). */
export const ACTIVE_JOB_STATUSES = ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'];

/**
 * JSONata: the oldest active job of this workload among a ListJobs result (`$states.result`), or null. A job is the
 * workload's when its name is `<prefix>-<16 letters and digits of a scheduled time>-...` (see jobNameExpression),
 * which no other workload's name prefix can produce.
 */
export function activeRunExpression(prefix: string): string {
  return `($p := $substring('${prefix}', 0, ${JOB_NAME_PREFIX_MAX}) & '-'; `
    + '$a := $states.result.JobSummaryList[$substring(JobName, 0, $length($p)) = $p and $contains($substring(JobName, $length($p)), /^[A-Za-z0-9]{16}-/) '
    + `and Status in ${JSON.stringify(ACTIVE_JOB_STATUSES).replace(/"/g, '\'')}]^(CreatedAt); `
    + '$exists($a) ? $a[0] : null)';
}

/**
 * JSONata: the job parameters of a run: the declared ones a manual execution gives in its input's `parameters` (any
 * other name, and any value that is not a string, is dropped), then the scheduled time.
 */
export function runParametersExpression(declared: string[]): string {
  const names = JSON.stringify(declared).replace(/"/g, '\'');
  const given = '$states.context.Execution.Input.parameters';
  return `$merge([($type(${given}) = 'object' ? $sift(${given}, function($v, $k) { $k in ${names} and $type($v) = 'string' }) : {}), `
    + `{'${SCHEDULED_TIME_PARAMETER}': ${SCHEDULED_TIME}}])`;
}

/** What the message says happened. `deadline` is human text such as "3 hours 25 minutes". */
export function outcomeSentences(deadline: string) {
  const late = `The run was NOT DONE by its deadline, ${deadline} after the job was submitted.`;
  return {
    jobFailed: 'The job FAILED in AWS Batch.',
    deadlineStopped: `${late} The job was stopped (AWS Batch TerminateJob); the status below is from just before that.`,
    deadlineNotStopped: `${late} The job could not be looked up or stopped: check it in AWS Batch.`,
    notSubmitted: 'The job was NOT SUBMITTED, or Step Functions could not follow it (see the error).',
    skipped: 'The run was SKIPPED: an earlier run of this workload is still active (overlap policy SKIP). The job below is that earlier run.',
  };
}

/**
 * JSONata for the message. `$job` is a job detail (DescribeJobs) after a timeout; after a failed job the detail is
 * the JSON in the error's Cause. Missing values render as "n/a".
 */
export function messageExpression(deadline: string, arrayed = false): string {
  const s = outcomeSentences(deadline);
  return [
    '(',
    '$f := $failure;',
    '$c := $f.Cause;',
    `$d := $job ? $job : ($outcome = '${RUN_OUTCOMES.jobFailed}' ? $parse($c) : {});`,
    '$last := $d.Attempts[-1];',
    '$val := function($v) { ($exists($v) and $v != null) ? $string($v) : \'n/a\' };',
    '$enc := function($s) { $join($split($encodeUrlComponent($s), \'%\'), \'$25\') };',
    `$region := ${REGION};`,
    `$console := ${CONSOLE};`,
    '$id := $d.JobId;',
    '$exit := $exists($d.Container.ExitCode) ? $d.Container.ExitCode : $last.Container.ExitCode;',
    '$stream := $exists($d.Container.LogStreamName) ? $d.Container.LogStreamName : $last.Container.LogStreamName;',
    `$reason := $outcome = '${RUN_OUTCOMES.notSubmitted}' ? $substring($string($c), 0, 1000) : $d.StatusReason;`,
    `$what := $outcome = '${RUN_OUTCOMES.jobFailed}' ? ${quote(s.jobFailed)} : ($outcome = '${RUN_OUTCOMES.deadlinePassed}' ? `
      + `($stopped ? ${quote(s.deadlineStopped)} : ${quote(s.deadlineNotStopped)}) : ($outcome = '${RUN_OUTCOMES.skipped}' ? ${quote(s.skipped)} : ${quote(s.notSubmitted)}));`,
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
    ...arrayed ? arrayMessageLines() : [],
    '\'Job: \' & ($exists($id) ? $console & \'batch/home?region=\' & $region & \'#jobs/detail/\' & $id : \'n/a\'),',
    '\'Log stream: \' & ($exists($stream) ? $console & \'cloudwatch/home?region=\' & $region & \'#logsV2:log-groups/log-group/\' & $enc($logGroup) & \'/log-events/\' & $enc($stream) : \'n/a\'),',
    `'Run history: ' & ${EXECUTION_LINK},`,
    '\'Error: \' & $val($f.Error)',
    '], \'\\n\')',
    ')',
  ].join(' ');
}

/** What the message says next to the scheduled time, which EventBridge Scheduler gives in UTC. */
export function timeNote(timeZone: string): string {
  return timeZone === 'UTC' ? 'UTC' : `UTC; the schedule's time zone is ${timeZone}`;
}

/** JSONata string literal. */
export function quote(text: string): string {
  // A double-quoted JSON string is a JSONata string literal too; JSONata has no \' escape in single-quoted ones.
  return JSON.stringify(text);
}

export interface RunTrackingDefinitionProps {
  readonly partition: string;
  readonly jobQueueArn: string;
  readonly jobDefinitionArn: string;
  readonly topicArn: string;
  /** Prefix of each run's job name (JOB_NAME_PATTERN). */
  readonly jobName: string;
  readonly workloadName: string;
  /** The log group of the job's container, for the log-stream link. */
  readonly logGroupName: string;
  /** Shown next to the scheduled time (which is UTC). */
  readonly timeZone: string;
  readonly deadlineSeconds: number;
  /** Human text of the deadline, for the message. */
  readonly deadlineText: string;
  /** Skip (and report) a run while an earlier one is still active. */
  readonly skipWhileActive?: boolean;
  /** Declared job parameters a manual execution may override (in its input's `parameters`). */
  readonly parameterNames?: string[];
  /** Submit each run as an array job of this many children (2 to 10,000). */
  readonly arraySize?: number;
}

/** The state machine definition (ASL). Values may hold CDK tokens: render with `Stack.toJsonString`. */
export function runTrackingDefinition(p: RunTrackingDefinitionProps): Record<string, unknown> {
  const states = (service: string) => `arn:${p.partition}:states:::${service}`;
  const arrayed = p.arraySize !== undefined;
  const toNotify = (outcome: string) => ({
    workload: p.workloadName,
    logGroup: p.logGroupName,
    timeNote: timeNote(p.timeZone),
    scheduledTime: `{% ${SCHEDULED_TIME} %}`,
    failure: '{% $states.errorOutput %}',
    outcome,
    job: '{% null %}',
    stopped: false,
    ...arrayed ? { children: '{% null %}' } : {},
  });
  const publish = (subjectExpr: string, messageExpr: string) => ({
    Type: 'Task',
    Resource: states('sns:publish'),
    Arguments: { TopicArn: p.topicArn, Subject: `{% ${subjectExpr} %}`, Message: `{% ${messageExpr} %}` },
  });
  const lookupCatch = [{ ErrorEquals: ['States.ALL'], Next: STATES.notify }];
  const declared = p.parameterNames ?? [];
  // Overlap policy SKIP: a run that finds an earlier one active publishes one message and ends RunSkipped. A failed
  // lookup runs the job (a run too many beats a run silently lost).
  const overlapCheck = p.skipWhileActive ? {
    [STATES.checkOverlap]: {
      Type: 'Task',
      Resource: states('aws-sdk:batch:listJobs'),
      Arguments: {
        JobQueue: p.jobQueueArn,
        Filters: [{ Name: 'JOB_NAME', Values: [`{% $substring('${p.jobName}', 0, ${JOB_NAME_PREFIX_MAX}) & '-*' %}`] }],
        MaxResults: 100,
      },
      Assign: {
        ...toNotify(RUN_OUTCOMES.skipped),
        failure: `{% {'Error': '${RUN_OUTCOMES.skipped}', 'Cause': 'An earlier run of this workload is still active (overlap policy SKIP).'} %}`,
        job: `{% ${activeRunExpression(p.jobName)} %}`,
      },
      TimeoutSeconds: 60,
      Catch: [{ ErrorEquals: ['States.ALL'], Next: STATES.run }],
      Next: STATES.skipIfActive,
    },
    [STATES.skipIfActive]: {
      Type: 'Choice',
      Choices: [{ Condition: '{% $job != null %}', Next: STATES.notify }],
      Default: STATES.run,
    },
  } : {};
  return {
    Comment: `Runs ${p.workloadName} once per scheduled time and publishes one message for a run that does not succeed.`,
    QueryLanguage: 'JSONata',
    StartAt: p.skipWhileActive ? STATES.checkOverlap : STATES.run,
    States: {
      ...overlapCheck,
      [STATES.run]: {
        Type: 'Task',
        Resource: states('batch:submitJob.sync'),
        Arguments: {
          JobName: `{% ${jobNameExpression(p.jobName)} %}`,
          JobQueue: p.jobQueueArn,
          JobDefinition: p.jobDefinitionArn,
          Parameters: declared.length > 0 ? `{% ${runParametersExpression(declared)} %}` : { [SCHEDULED_TIME_PARAMETER]: `{% ${SCHEDULED_TIME} %}` },
          ContainerOverrides: { Environment: [{ Name: SCHEDULED_TIME_ENV, Value: `{% ${SCHEDULED_TIME} %}` }] },
          ...arrayed ? { ArrayProperties: { Size: p.arraySize } } : {},
        },
        TimeoutSeconds: p.deadlineSeconds,
        Output: `{% {'scheduledTime': ${SCHEDULED_TIME}, 'jobId': $states.result.JobId, 'jobName': $states.result.JobName, 'status': $states.result.Status} %}`,
        Catch: [
          { ErrorEquals: ['States.Timeout'], Assign: toNotify(RUN_OUTCOMES.deadlinePassed), Next: STATES.findJob },
          { ErrorEquals: ['States.ALL'], Assign: toNotify(`{% ${OUTCOME} %}`), Next: arrayed ? STATES.listChildren : STATES.notify },
        ],
        End: true,
      },
      // An array run's message links its failed children. Not an array job's detail (not submitted): straight on.
      ...arrayed ? { [STATES.listChildren]: listFailedChildrenState(states('aws-sdk:batch:listJobs'), lookupCatch) } : {},
      [STATES.findJob]: {
        Type: 'Task',
        Resource: states('aws-sdk:batch:listJobs'),
        Arguments: { JobQueue: p.jobQueueArn, Filters: [{ Name: 'JOB_NAME', Values: [`{% ${jobNameExpression(p.jobName)} %}`] }] },
        Output: '{% {\'jobIds\': [$states.result.JobSummaryList.JobId]} %}',
        TimeoutSeconds: 60,
        Catch: lookupCatch,
        Next: STATES.describeJob,
      },
      [STATES.describeJob]: {
        Type: 'Task',
        Resource: states('aws-sdk:batch:describeJobs'),
        Arguments: { Jobs: '{% $states.input.jobIds %}' },
        Assign: { job: '{% $count($states.result.Jobs) > 0 ? $states.result.Jobs^(>CreatedAt)[0] : null %}' },
        TimeoutSeconds: 60,
        Catch: lookupCatch,
        Next: STATES.stopJob,
      },
      // The run is reported as failed: a job finishing later would contradict the message and hold compute (and could
      // overlap the next run). Stopping it explicitly does not depend on what .sync does when its Task times out.
      [STATES.stopJob]: {
        Type: 'Task',
        Resource: states('aws-sdk:batch:terminateJob'),
        Arguments: { JobId: '{% $job.JobId %}', Reason: `Scheduled run passed its deadline of ${p.deadlineText} (RunTracker)` },
        Assign: { stopped: true },
        TimeoutSeconds: 60,
        Catch: lookupCatch,
        Next: STATES.notify,
      },
      [STATES.notify]: {
        ...publish(subject(`$workload & ': run ' & $scheduledTime & ' ' & ${OUTCOME_WORDS}`), messageExpression(p.deadlineText, arrayed)),
        // A message that cannot be rendered goes out plain; a publish error is retried, then goes out plain.
        Retry: [
          { ErrorEquals: ['States.QueryEvaluationError'], MaxAttempts: 0 },
          { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: STATES.notifyPlain }],
        Next: STATES.failed,
      },
      [STATES.notifyPlain]: {
        ...publish(subject('$workload & \': a scheduled run did not succeed\''),
          `$workload & ': the scheduled run of ' & $scheduledTime & ' did not succeed (' & $outcome & ', error ' & $string($failure.Error) & '). Its details could not be formatted; open the run: ' & ${EXECUTION_LINK}`),
        Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: STATES.notificationFailed }],
        Next: STATES.failed,
      },
      [STATES.failed]: {
        Type: 'Fail',
        Error: '{% $outcome %}',
        Cause: '{% ($m := $match($string($failure.Cause), /"JobId":"([^"]+)"/); \'scheduledTime=\' & $scheduledTime & \' jobId=\' & '
          + '($exists($job.JobId) ? $job.JobId : ($exists($m) ? $m[0].groups[0] : \'none\')) & \' error=\' & $string($failure.Error)) %}',
      },
      [STATES.notificationFailed]: {
        Type: 'Fail',
        Error: 'NotificationFailed',
        Cause: 'The run did not succeed and its message could not be published to the SNS topic (see this execution\'s history).',
      },
    },
  };
}

/** ListJobs of the array run's FAILED children (up to 100), into `$children`; a failed lookup leaves it null. */
function listFailedChildrenState(resource: string, lookupCatch: unknown[]) {
  return {
    Type: 'Task',
    Resource: resource,
    Arguments: { ArrayJobId: '{% $parse($failure.Cause).JobId %}', JobStatus: 'FAILED', MaxResults: 100 },
    Assign: { children: '{% $states.result.JobSummaryList %}' },
    TimeoutSeconds: 60,
    Catch: lookupCatch,
    Next: STATES.notify,
  };
}
