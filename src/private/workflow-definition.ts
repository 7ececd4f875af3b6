/**
 * The Step Functions definition of `ScheduledBatchWorkflow`, as plain data (Amazon States Language, JSONata).
 *
 * One execution = one scheduled run of the whole graph:
 *
 *   [CheckForActiveRun -> SkipOrWait]          overlap policy SKIP or QUEUE only
 *   Level1 (Parallel: one branch per step) -> Level2 -> ... -> LevelN -> end (SUCCEEDED, nothing published)
 *     any level fails (Catch States.ALL)   -> Notify -> RunDidNotSucceed (Fail)
 *   Notify fails (after 2 retries)         -> NotifyWithoutDetails -> RunDidNotSucceed; that fails too -> NotificationFailed
 *
 * Inside a branch, one step: `<step>` (batch:submitJob.sync, TimeoutSeconds = what is left of the run deadline)
 *   success                                -> end of branch
 *   catch States.Timeout                   -> `<step> FindLateJob` -> `<step> StopLateJob` -> `<step> Failed`
 *   catch States.ALL                       -> `<step> Failed`, or with onDemandFallback:
 *                                             `<step> AllAttemptsReclaimed` (Choice) -> `<step> OnDemand` (once) | `<step> Failed`
 * `<step> Failed` is a Fail state: Error = the outcome, Cause = the step's summary (JSON, with the step name). A failed
 * branch fails its Parallel state, which stops the other branches of the level (their Batch jobs are left to finish or
 * time out) and never starts the next level: the dependents do not run. The level's Catch publishes the run's one
 * message. Nothing inside a branch publishes.
 *
 * Levels (topological, see workflow-graph.ts) are a correct encoding of the dependencies: a step starts only after
 * every step of the level before it, so after all its dependencies. It can wait longer than its dependencies need
 * (a step of level 2 also waits for the slowest step of level 1); a graph of Parallel levels keeps one Catch per level
 * and a definition that grows linearly with the steps.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-batch.html
 */
import { CHILD_LINKS_MAX } from './array-run';
import { ACTIVE_JOB_STATUSES, jobNameExpression, RUN_OUTCOMES, runParametersExpression, SCHEDULED_TIME, SCHEDULED_TIME_ENV, SCHEDULED_TIME_PARAMETER, timeNote } from './run-tracking';
import { WAITED_OUTCOME, workflowMessageExpression } from './workflow-message';

/** Top-level state names, which show in the execution history. */
export const WORKFLOW_STATES = {
  checkOverlap: 'CheckForActiveRun',
  skipOrWait: 'SkipOrWaitIfRunActive',
  wait: 'WaitForEarlierRun',
  level: (n: number) => `Level${n}`,
  notify: 'Notify',
  notifyPlain: 'NotifyWithoutDetails',
  failed: 'RunDidNotSucceed',
  notificationFailed: 'NotificationFailed',
} as const;

/** How often a QUEUE run checks whether the earlier run has ended, at least. */
export const QUEUE_POLL_SECONDS = 60;
/**
 * Each look of a waiting QUEUE run adds 9 history events (the ListExecutions Task 5, the Choice 2, the Wait 2); the
 * waiting may use at most this many of the 25,000 events of an execution, so a long deadline polls less often.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const QUEUE_WAIT_EVENTS = { perLook: 9, max: 20_000 } as const;

/** Seconds between two looks of a waiting QUEUE run with this deadline. */
export function queuePollSeconds(deadlineSeconds: number): number {
  // The first look is at the start; then one look per wait until the deadline.
  const waits = Math.floor(QUEUE_WAIT_EVENTS.max / QUEUE_WAIT_EVENTS.perLook) - 1;
  return Math.max(QUEUE_POLL_SECONDS, Math.ceil(deadlineSeconds / waits));
}

/** Step state names inside a branch. */
export const stepStates = (step: string) => ({
  run: step,
  reclaimed: `${step} AllAttemptsReclaimed`,
  onDemand: `${step} OnDemand`,
  findLate: `${step} FindLateJob`,
  findLateOnDemand: `${step} FindLateOnDemandJob`,
  stopLate: `${step} StopLateJob`,
  listChildren: `${step} ListFailedChildren`,
  failed: `${step} Failed`,
});

/**
 * JSONata: true when a caught error (`$stepFailure`) is a job that failed and every attempt of it ended in a Spot
 * reclaim: "Host EC2..." (EC2 Spot, aws-cdk-lib Reason.SPOT_INSTANCE_RECLAIMED) or "Your Spot Task was interrupted..."
 * (Fargate Spot). The .sync error's Cause is the job's DescribeJobs detail, with `Attempts[].StatusReason`.
 */
export const ALL_ATTEMPTS_RECLAIMED = '($c := $stepFailure.Cause; '
  + '$d := ($stepFailure.Error = \'States.TaskFailed\' and $type($c) = \'string\' and $substring($c, 0, 1) = \'{\' and $contains($c, \'"JobId"\')) ? $parse($c) : {}; '
  + '$r := function($s) { $type($s) = \'string\' and ($substring($s, 0, 8) = \'Host EC2\' or $substring($s, 0, 30) = \'Your Spot Task was interrupted\') }; '
  + '$count($d.Attempts) > 0 and $count($filter($d.Attempts, function($a) { $not($r($a.StatusReason)) })) = 0)';

/** Which bad step a caught error is (as in run-tracking.ts): a job detail in the Cause means the job ran and failed. */
const STEP_OUTCOME = '($e := $states.errorOutput.Error; $c := $states.errorOutput.Cause; '
  + `($e = 'States.TaskFailed' and $type($c) = 'string' and $substring($c, 0, 1) = '{' and $contains($c, '"JobId"')) ? '${RUN_OUTCOMES.jobFailed}' : '${RUN_OUTCOMES.notSubmitted}')`;

/** JSONata: the step's summary for the Fail state's Cause (small: the Cause of the whole job detail could be large). */
export function stepSummaryExpression(step: string, arrayed = false): string {
  return '($c := $stepFailure.Cause; $d := ($type($c) = \'string\' and $substring($c, 0, 1) = \'{\' and $contains($c, \'"JobId"\')) ? $parse($c) : {}; '
    + '$last := $d.Attempts[-1]; '
    + `$string({'step': '${step}', 'error': $string($stepFailure.Error), 'jobId': $exists($d.JobId) ? $d.JobId : $lateJobId, 'status': $d.Status, `
    + '\'statusReason\': $exists($d.StatusReason) ? $d.StatusReason : $substring($string($c), 0, 1000), '
    + '\'exitCode\': $exists($d.Container.ExitCode) ? $d.Container.ExitCode : $last.Container.ExitCode, '
    + '\'logStream\': $exists($d.Container.LogStreamName) ? $d.Container.LogStreamName : $last.Container.LogStreamName, '
    + '\'attempts\': $count($d.Attempts), \'childrenFailed\': $d.ArrayProperties.StatusSummary.FAILED, \'arraySize\': $d.ArrayProperties.Size, '
    + `'onDemand': $onDemand, 'stopped': $stopped${arrayed ? ", 'failedChildren': $stepChildren" : ''}}))`;
}

/** One step, as the definition needs it. */
export interface WorkflowStepDefinition {
  readonly name: string;
  readonly jobDefinitionArn: string;
  /** Prefix of the step's job names (`<workflow>-<step>`, JOB_NAME_PATTERN). */
  readonly jobNamePrefix: string;
  readonly parameterNames: string[];
  readonly logGroupName: string;
  readonly arraySize?: number;
  /** The On-Demand queue a reclaimed step is resubmitted to, with onDemandFallback. */
  readonly onDemandQueueArn?: string;
}

export interface WorkflowDefinitionProps {
  readonly partition: string;
  readonly jobQueueArn: string;
  readonly topicArn: string;
  readonly workflowName: string;
  readonly timeZone: string;
  readonly deadlineSeconds: number;
  readonly deadlineText: string;
  /** The steps, level by level (topological). */
  readonly levels: WorkflowStepDefinition[][];
  readonly overlap: 'ALLOW' | 'SKIP' | 'QUEUE';
}

/** JSONata: seconds left of the run deadline (counted from the execution's start), at least 1. */
function remainingSeconds(deadlineSeconds: number): string {
  return `{% $max([1, $floor(${deadlineSeconds} - ($toMillis($states.context.State.EnteredTime) - $toMillis($states.context.Execution.StartTime)) / 1000)]) %}`;
}

/** The state machine definition (ASL). Values may hold CDK tokens: render with `Stack.toJsonString`. */
export function workflowDefinition(p: WorkflowDefinitionProps): Record<string, unknown> {
  const states = (service: string) => `arn:${p.partition}:states:::${service}`;
  const S = WORKFLOW_STATES;
  const logGroups = Object.fromEntries(p.levels.flat().map(s => [s.name, s.logGroupName]));
  const toNotify = (outcome: string, failure = '{% $states.errorOutput %}') => ({
    workflow: p.workflowName,
    logGroups,
    timeNote: timeNote(p.timeZone),
    scheduledTime: `{% ${SCHEDULED_TIME} %}`,
    failure,
    outcome,
  });
  const publish = (subjectExpr: string, messageExpr: string) => ({
    Type: 'Task',
    Resource: states('sns:publish'),
    Arguments: { TopicArn: p.topicArn, Subject: `{% $substring($replace(${subjectExpr}, /[^ -~]/, ''), 0, 100) %}`, Message: `{% ${messageExpr} %}` },
  });
  const levelStates: Record<string, unknown> = {};
  p.levels.forEach((level, i) => {
    levelStates[S.level(i + 1)] = {
      Type: 'Parallel',
      Comment: `Steps ${level.map(s => s.name).join(', ')}`,
      Branches: level.map(s => ({ StartAt: s.name, States: stepBranch(s, p, states) })),
      // The branches' outputs (one small summary per step) go on as the next level's input, which does not use them.
      Output: `{% {'level': ${i + 1}, 'steps': $states.result} %}`,
      Catch: [{ ErrorEquals: ['States.ALL'], Assign: toNotify('{% $states.errorOutput.Error %}'), Next: S.notify }],
      ...i + 1 < p.levels.length ? { Next: S.level(i + 2) } : { End: true },
    };
  });
  const overlapStates = p.overlap === 'ALLOW' ? {} : overlapCheck(p, states, toNotify);
  return {
    Comment: `Runs the workflow ${p.workflowName} once per scheduled time and publishes one message for a run that does not succeed.`,
    QueryLanguage: 'JSONata',
    StartAt: p.overlap === 'ALLOW' ? S.level(1) : S.checkOverlap,
    States: {
      ...overlapStates,
      ...levelStates,
      [S.notify]: {
        ...publish('$workflow & \': run \' & $scheduledTime & \' did not succeed (\' & $string($outcome) & \')\'', workflowMessageExpression(p.deadlineText)),
        // A message that cannot be rendered goes out plain; a publish error is retried, then goes out plain.
        Retry: [
          { ErrorEquals: ['States.QueryEvaluationError'], MaxAttempts: 0 },
          { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: S.notifyPlain }],
        Next: S.failed,
      },
      [S.notifyPlain]: {
        ...publish('$workflow & \': a scheduled run did not succeed\'',
          '$workflow & \': the scheduled run of \' & $scheduledTime & \' did not succeed (\' & $string($outcome) & \'). Its details could not be formatted; open the run: \' & $states.context.Execution.Id'),
        Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: S.notificationFailed }],
        Next: S.failed,
      },
      [S.failed]: {
        Type: 'Fail',
        Error: '{% $string($outcome) %}',
        Cause: '{% \'scheduledTime=\' & $scheduledTime & \' \' & $substring($string($failure.Cause), 0, 1000) %}',
      },
      [S.notificationFailed]: {
        Type: 'Fail',
        Error: 'NotificationFailed',
        Cause: 'The run did not succeed and its message could not be published to the SNS topic (see this execution\'s history).',
      },
    },
  };
}

/**
 * SKIP and QUEUE: the run looks for RUNNING executions of this state machine that started before it (ListExecutions;
 * `$states.context.StateMachine.Id` avoids a reference of the state machine to itself). SKIP publishes one message and
 * ends; QUEUE waits and looks again, until the earlier run has ended or this run's deadline has passed. A failed
 * lookup runs the graph (a run too many beats a run silently lost).
 */
function overlapCheck(p: WorkflowDefinitionProps, states: (s: string) => string, toNotify: (o: string, f?: string) => Record<string, unknown>) {
  const S = WORKFLOW_STATES;
  const elapsed = '($toMillis($states.context.State.EnteredTime) - $toMillis($states.context.Execution.StartTime)) / 1000';
  const skip = p.overlap === 'SKIP';
  return {
    [S.checkOverlap]: {
      Type: 'Task',
      Resource: states('aws-sdk:sfn:listExecutions'),
      Arguments: { StateMachineArn: '{% $states.context.StateMachine.Id %}', StatusFilter: 'RUNNING', MaxResults: 1000 },
      Assign: {
        // StartDate as an ISO 8601 string, or as epoch seconds or milliseconds: compared as milliseconds either way.
        earlierRuns: '{% ($me := $toMillis($states.context.Execution.StartTime); $ms := function($d) { $type($d) = \'number\' ? ($d < 100000000000 ? $d * 1000 : $d) : $toMillis($string($d)) }; '
          + '$count($states.result.Executions[ExecutionArn != $states.context.Execution.Id and $ms(StartDate) < $me])) %}',
      },
      TimeoutSeconds: 60,
      Catch: [{ ErrorEquals: ['States.ALL'], Next: S.level(1) }],
      Next: S.skipOrWait,
    },
    [S.skipOrWait]: {
      Type: 'Choice',
      Choices: skip
        ? [{
          Condition: '{% $earlierRuns > 0 %}',
          Assign: toNotify(RUN_OUTCOMES.skipped, `{% {'Error': '${RUN_OUTCOMES.skipped}', 'Cause': 'An earlier run of this workflow is still running (overlap policy SKIP).'} %}`),
          Next: S.notify,
        }]
        : [
          {
            Condition: `{% $earlierRuns > 0 and ${elapsed} >= ${p.deadlineSeconds} %}`,
            Assign: toNotify(WAITED_OUTCOME, `{% {'Error': '${WAITED_OUTCOME}', 'Cause': 'An earlier run of this workflow was still running at the deadline of this run (overlap policy QUEUE).'} %}`),
            Next: S.notify,
          },
          { Condition: '{% $earlierRuns > 0 %}', Next: S.wait },
        ],
      Default: S.level(1),
    },
    ...skip ? {} : { [S.wait]: { Type: 'Wait', Seconds: queuePollSeconds(p.deadlineSeconds), Next: S.checkOverlap } },
  };
}

/** The states of one step's branch. */
function stepBranch(s: WorkflowStepDefinition, p: WorkflowDefinitionProps, states: (s: string) => string): Record<string, unknown> {
  const n = stepStates(s.name);
  const declared = s.parameterNames;
  const submit = (queueArn: string) => ({
    Type: 'Task',
    Resource: states('batch:submitJob.sync'),
    Arguments: {
      JobName: `{% ${jobNameExpression(s.jobNamePrefix)} %}`,
      JobQueue: queueArn,
      JobDefinition: s.jobDefinitionArn,
      Parameters: declared.length > 0 ? `{% ${runParametersExpression(declared)} %}` : { [SCHEDULED_TIME_PARAMETER]: `{% ${SCHEDULED_TIME} %}` },
      ContainerOverrides: { Environment: [{ Name: SCHEDULED_TIME_ENV, Value: `{% ${SCHEDULED_TIME} %}` }] },
      ...s.arraySize !== undefined ? { ArrayProperties: { Size: s.arraySize } } : {},
    },
    TimeoutSeconds: remainingSeconds(p.deadlineSeconds),
    Output: `{% {'step': '${s.name}', 'jobId': $states.result.JobId, 'status': $states.result.Status} %}`,
    End: true,
  });
  const arrayed = s.arraySize !== undefined;
  const caught = (outcome: string, onDemand: boolean) => ({
    stepOutcome: outcome,
    stepFailure: '{% $states.errorOutput %}',
    lateJobId: '{% null %}',
    stopped: false,
    onDemand,
    ...arrayed ? { stepChildren: '{% null %}' } : {},
  });
  const fallback = s.onDemandQueueArn !== undefined;
  // An array step lists its failed children (their indices, for the message's links) before its Fail state.
  const afterFailure = fallback ? n.reclaimed : arrayed ? n.listChildren : n.failed;
  const lookup = (queueArn: string) => ({
    Type: 'Task',
    Resource: states('aws-sdk:batch:listJobs'),
    Arguments: { JobQueue: queueArn, Filters: [{ Name: 'JOB_NAME', Values: [`{% ${jobNameExpression(s.jobNamePrefix)} %}`] }] },
    Assign: {
      lateJobId: `{% ($j := $states.result.JobSummaryList[Status in ${JSON.stringify(ACTIVE_JOB_STATUSES).replace(/"/g, '\'')}]; $exists($j) ? $j[0].JobId : null) %}`,
    },
    TimeoutSeconds: 60,
    Catch: [{ ErrorEquals: ['States.ALL'], Next: n.failed }],
    Next: n.stopLate,
  });
  return {
    [n.run]: {
      ...submit(p.jobQueueArn),
      Catch: [
        { ErrorEquals: ['States.Timeout'], Assign: caught(RUN_OUTCOMES.deadlinePassed, false), Next: n.findLate },
        { ErrorEquals: ['States.ALL'], Assign: caught(`{% ${STEP_OUTCOME} %}`, false), Next: afterFailure },
      ],
    },
    ...arrayed ? {
      [n.listChildren]: {
        Type: 'Task',
        Resource: states('aws-sdk:batch:listJobs'),
        Arguments: { ArrayJobId: '{% $parse($stepFailure.Cause).JobId %}', JobStatus: 'FAILED', MaxResults: 100 },
        Assign: { stepChildren: `{% $append([], $sort($states.result.JobSummaryList.ArrayProperties.Index)[[0..${CHILD_LINKS_MAX - 1}]]) %}` },
        TimeoutSeconds: 60,
        Catch: [{ ErrorEquals: ['States.ALL'], Next: n.failed }],
        Next: n.failed,
      },
    } : {},
    ...fallback ? {
      [n.reclaimed]: {
        Type: 'Choice',
        Choices: [{ Condition: `{% ${ALL_ATTEMPTS_RECLAIMED} %}`, Next: n.onDemand }],
        Default: n.failed,
      },
      [n.onDemand]: {
        ...submit(s.onDemandQueueArn!),
        Catch: [
          { ErrorEquals: ['States.Timeout'], Assign: caught(RUN_OUTCOMES.deadlinePassed, true), Next: n.findLateOnDemand },
          { ErrorEquals: ['States.ALL'], Assign: caught(`{% ${STEP_OUTCOME} %}`, true), Next: n.failed },
        ],
      },
      [n.findLateOnDemand]: lookup(s.onDemandQueueArn!),
    } : {},
    [n.findLate]: lookup(p.jobQueueArn),
    // A step past the deadline is stopped: the run is reported failed, and a job finishing later would contradict it.
    [n.stopLate]: {
      Type: 'Task',
      Resource: states('aws-sdk:batch:terminateJob'),
      Arguments: { JobId: '{% $lateJobId %}', Reason: `Workflow run passed its deadline of ${p.deadlineText} (ScheduledBatchWorkflow)` },
      Assign: { stopped: true },
      TimeoutSeconds: 60,
      Catch: [{ ErrorEquals: ['States.ALL'], Next: n.failed }],
      Next: n.failed,
    },
    [n.failed]: {
      Type: 'Fail',
      Error: '{% $stepOutcome %}',
      Cause: `{% ${stepSummaryExpression(s.name, arrayed)} %}`,
    },
  };
}
