/**
 * The one run engine: the Step Functions definition of every run, built with aws-cdk-lib's typed states in the JSONata
 * query language. A run is a graph of steps, each an AWS Batch job submitted with `batch:submitJob.sync`:
 *
 *   - a job's run (`RunTracker`) is a one-step graph, rendered inline (a good run is one state transition):
 *       [overlap policy states] -> RunJob -> end (SUCCEEDED, nothing published)
 *       RunJob catches States.Timeout -> FindTimedOutJob -> DescribeTimedOutJob -> StopTimedOutJob -> Notify
 *       RunJob catches States.ALL     -> [ListFailedChildren, an array job] -> Notify
 *   - a workflow's run (`ScheduledBatchWorkflow`) is levels of steps (topological), one Parallel state per level with
 *     a branch per step; a failed step ends its branch in a Fail state whose Cause is the step's summary, which fails
 *     the level, whose Catch goes to Notify:
 *       [overlap policy states] -> Level1 -> ... -> LevelN -> end
 *
 * A good run ends with its event (SendSucceededEvent, run-events.ts). Every bad run ends the same way (notification-tail.ts):
 * [FetchLogTail, log-tail.ts] -> Notify (the one message, text and chat card) -> SendRunEvent -> RunDidNotSucceed (Fail).
 * The overlap policy's strategy adds what runs before (skip, wait, replace); a rollout (rollout.ts) what runs around.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-batch.html (.sync; the error Cause is the job detail)
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
 */
import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { listActiveJobs } from './active-jobs';
import {
  ACTIVE_JOB_STATUSES, EARLIER_EXECUTIONS, failureOutcome, isJobDetail, jobDetail, jobNameExpression, quote, quoteList,
  SCHEDULED_TIME, subject, timeNote,
} from './expressions';
import { grantLogTail, logTailState, streamOf } from './log-tail';
import { bothForms, CHILD_LINKS_MAX, RUN_OUTCOMES, stepSummary } from './messages';
import { notificationTail, recoveryCheck, succeededEvent } from './notification-tail';
import { grantOwnExecutions } from './own-executions';
import { readRolloutState, recordFailed, recordSucceeded, grantRollout } from './rollout';
import { EVENT_OUTCOMES, jobRunEventDetail, otherRunEvent, subjectOf } from './run-events';
import { EngineStep, RunDefinitionProps, submitStatementOf, submitStatementsByShare } from './run-graph';
import { sdkCallState } from './sdk-call';
import { ALL_ATTEMPTS_RECLAIMED, allAttemptsReclaimed, STATES, stepStates, withStartCheck } from './states';
import { submitArguments } from './submit-arguments';
import { IBatchJob } from '../../jobs/batch-job-ref';
import { jobsArn, tagOnSubmitStatement, terminateTaggedStatement } from '../../private/job-tags';
import { acknowledgeWildcardResource } from '../../private/nag';
import { runCostFromDetailExpression } from '../../private/run-cost-expression';
import { RunGuard } from '../overlap/strategy';

/** JSONata: seconds left of the run deadline (counted from the execution's start), at least 1. */
function remainingSeconds(deadlineSeconds: number): string {
  return `{% $max([1, $floor(${deadlineSeconds} - ($toMillis($states.context.State.EnteredTime) - $toMillis($states.context.Execution.StartTime)) / 1000)]) %}`;
}

const LOOKUP_TIMEOUT = sfn.Timeout.duration(Duration.seconds(60));

/** Builds the definition of one run kind; `grant` completes the state machine's role once it exists. */
export class RunDefinition {
  /** The first state. */
  public readonly startState: sfn.IChainable;
  private readonly notify: sfn.IChainable;
  /** A job run's way to its message: the log tail first. */
  private readonly failureTail: sfn.IChainable;
  /** A good run's end: its event. */
  private succeeded: sfn.IChainable;
  private readonly afterCreate: ((stateMachine: sfn.StateMachine) => void)[] = [];
  private readonly submitResources: string[];
  private readonly ownExecutionActions = new Set<string>();
  private listsExecutions = false;

  constructor(private readonly scope: Construct, private readonly p: RunDefinitionProps) {
    this.notify = notificationTail(scope, p, (id, subjectExpr, message) => this.publish(id, subjectExpr, message));
    const stream = streamOf(`($type($job) = 'object' ? $job : ($outcome = '${RUN_OUTCOMES.jobFailed}' ? ${jobDetail('$failure.Cause')} : {}))`);
    this.failureTail = p.workflow ? this.notify : logTailState(scope, STATES.logTail, p.levels[0][0].logGroupName, stream, 'logTail', this.notify);
    this.succeeded = succeededEvent(scope, p);
    if (p.notifyRecovery) {
      this.listsExecutions = true;
      this.succeeded = recoveryCheck(scope, p, this.succeeded);
    }
    if (p.rollout) {
      // The revision is blamed unless every attempt was a Spot reclaim or the job was not submitted (rollout.ts).
      const blame = `$outcome = '${RUN_OUTCOMES.deadlinePassed}' or ($outcome = '${RUN_OUTCOMES.jobFailed}' and $not(${allAttemptsReclaimed('$failure')}))`;
      const rerun = submitArguments(p.levels[0][0], p.jobQueueArn, '{% $rollout.lastGood %}');
      this.failureTail = recordFailed(scope, p.rollout, blame, p.deadlineSeconds, rerun, this.failureTail);
      this.succeeded = recordSucceeded(scope, p.rollout, this.succeeded);
    }
    const body = p.workflow ? this.levels() : this.jobRun(p.levels[0][0]);
    const queues = new Set([p.jobQueueArn, ...p.levels.flat().flatMap(s => s.onDemandQueueArn ? [s.onDemandQueueArn] : [])]);
    this.submitResources = [...queues, ...p.levels.flat().map(s => s.jobDefinitionArn)];
    this.startState = p.overlap.guard(this.guard(body));
  }

  /**
   * The state machine's role: SubmitJob on exactly the run's queues and job definitions (and what the overlap policy
   * adds) with the workload tag, TerminateJob of jobs with that tag, the documented `.sync` rule actions
   * (https://docs.aws.amazon.com/step-functions/latest/dg/batch-iam.html), sns:Publish on the topic (and its key).
   */
  public grant(stateMachine: sfn.StateMachine, job?: IBatchJob): void {
    const stack = Stack.of(stateMachine);
    if (job) {
      // The job's own grant: it follows the job (a consumable resource added to it later included); the On-Demand
      // queue of a resubmission besides.
      job.grantSubmit(stateMachine);
      const onDemandQueues = this.p.levels.flat().flatMap(st => st.onDemandQueueArn !== undefined ? [st.onDemandQueueArn] : []);
      if (onDemandQueues.length > 0) stateMachine.addToRolePolicy(submitStatementOf(job, onDemandQueues));
    } else {
      for (const statement of submitStatementsByShare(this.p.levels.flat(), this.submitResources)) stateMachine.addToRolePolicy(statement);
    }
    // Job ids exist only at run time: tagging at SubmitJob and TerminateJob act on `job/*` under the run's workload tags
    // ("consider using tags for jobs and create policies restricting access based on tags", batch-iam page above).
    if (this.p.rollout) grantRollout(stateMachine.role, this.p.rollout, job ?? {});
    const tags = this.p.levels.flat().map(s => s.workloadTag);
    stateMachine.addToRolePolicy(tagOnSubmitStatement(stateMachine, tags));
    stateMachine.addToRolePolicy(terminateTaggedStatement(stateMachine, tags));
    // .sync follows the job through DescribeJobs (no resource-level permissions) and a managed EventBridge rule. A job's
    // run has a DescribeJobs state, whose typed task grants it already.
    if (this.p.workflow) stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['batch:DescribeJobs'], resources: ['*'] }));
    stateMachine.addToRolePolicy(new iam.PolicyStatement({
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForBatchJobsRule' })],
    }));
    // sns:Publish comes with the typed publish tasks; a KMS-encrypted topic also needs its key (as Topic.grantPublish).
    this.p.topic.masterKey?.grant(stateMachine.role, 'kms:Decrypt', 'kms:GenerateDataKey*');
    if (this.p.topic.masterKey) {
      // sns:Publish to a KMS-encrypted topic needs the key's data keys; the grant names the topic's own key.
      Validations.of(stateMachine.role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'Publishing to the KMS-encrypted notification topic needs kms:GenerateDataKey* (a data key per message); the grant is on the topic\'s own key only.',
      });
    }
    acknowledgeWildcardResource(stateMachine.role, '*',
      `batch:DescribeJobs and batch:ListJobs${this.p.rollout?.keepRevisions !== undefined ? ' (and batch:DescribeJobDefinitions, which keepRevisions lists)' : ''} have no resource-level permissions, nor have the CloudWatch Logs delivery actions Step Functions logging needs: IAM requires "*".`);
    acknowledgeWildcardResource(stateMachine.role, jobsArn(stateMachine),
      `batch:TerminateJob (${this.p.workflow ? 'a step' : 'the job'} is stopped at the run deadline) and batch:TagResource (tagging at submission) act on job ids that exist only at run time; both are conditioned on the run's workload tag (cdk-scheduled-batch:workload).`);
    grantLogTail(stateMachine, this.p.levels.flat().map(s => s.logGroupName));
    for (const hook of this.afterCreate) hook(stateMachine);
    grantOwnExecutions(this.scope, stateMachine, this.listsExecutions, [...this.ownExecutionActions].sort());
  }

  /**
   * ListExecutions of this state machine. A CustomState, because the typed `CallAwsService` puts its grant in the role's
   * default policy, which cannot name this state machine (see own-executions.ts); `$states.context.StateMachine.Id`
   * names it at run time.
   */
  private listEarlierRuns(id: string, assign: Record<string, unknown> = {}): sfn.CustomState {
    this.listsExecutions = true;
    return sdkCallState(this.scope, id, 'sfn', 'listExecutions', { StateMachineArn: '{% $states.context.StateMachine.Id %}', StatusFilter: 'RUNNING', MaxResults: 1000 },
      { earlierRuns: `{% ${EARLIER_EXECUTIONS} %}`, ...assign });
  }

  /** A call on an execution of this state machine, granted on its executions only (see own-executions.ts). */
  private callOnOwnExecutions(id: string, action: string, args: Record<string, unknown>, assign?: Record<string, unknown>): sfn.CustomState {
    this.ownExecutionActions.add(`states:${action.charAt(0).toUpperCase()}${action.slice(1)}`);
    return sdkCallState(this.scope, id, 'sfn', action, args, assign);
  }

  /** The variables the message reads, for a transition to Notify. */
  private report(outcome: string, failure = '{% $states.errorOutput %}', extra: Record<string, unknown> = {}): Record<string, unknown> {
    const common = {
      timeNote: timeNote(this.p.timeZone),
      scheduledTime: `{% ${SCHEDULED_TIME} %}`,
      failure,
      outcome,
      note: '{% null %}',
      word: '{% null %}',
      logTail: '{% null %}',
      ...this.p.rollout ? { rolloutNote: '', rerunNote: '' } : {},
    };
    if (this.p.workflow) {
      return { workflow: this.p.label, logGroups: Object.fromEntries(this.p.levels.flat().map(s => [s.name, s.logGroupName])), ...common, ...extra };
    }
    const step = this.p.levels[0][0];
    return {
      workload: this.p.label,
      logGroup: step.logGroupName,
      ...common,
      job: '{% null %}',
      stopped: false,
      ...step.arraySize !== undefined ? { children: '{% null %}' } : {},
      ...extra,
    };
  }

  /** What an overlap strategy builds with. */
  private guard(body: sfn.IChainable): RunGuard {
    const p = this.p;
    const anyStep = p.workflow;
    return {
      scope: this.scope,
      label: p.label,
      workflow: p.workflow,
      deadlineSeconds: p.deadlineSeconds,
      deadlineText: p.deadlineText,
      body,
      notify: this.notify,
      report: (r) => this.report(r.outcome, `{% {'Error': ${quote(r.outcome)}, 'Cause': ${r.cause}} %}`,
        { note: r.sentence, word: r.word, ...r.job !== undefined ? { job: r.job } : {} }),
      // A job's run resubmitted On-Demand goes on there: that queue is listed too.
      listActiveJobs: (id, assign) => listActiveJobs(this.scope, id, {
        queueArns: [p.jobQueueArn, ...p.workflow ? [] : p.levels[0][0].onDemandQueueArn !== undefined ? [p.levels[0][0].onDemandQueueArn] : []],
        runPrefix: p.runPrefix,
        anyStep,
      }, (...a) => this.lookup(...a), assign),
      listEarlierRuns: (id, assign) => this.listEarlierRuns(id, assign),
      callOnOwnExecutions: (id, action, args, assign) => this.callOnOwnExecutions(id, action, args, assign),
      terminateJob: (id, jobId, reason, assign) => this.terminateJob(id, jobId, reason, assign),
      call: (id, service, action, iamResources, args, assign, iamAction) => this.lookup(id, service, action, iamResources, args, assign, iamAction),
      publish: (id, subjectExpr, messageExpr) => this.publish(id, subjectExpr, bothForms(subject(subjectExpr), messageExpr)),
      runEvent: (id, outcome, scheduledTime, execution) =>
        otherRunEvent(this.scope, id, subjectOf(p), outcome, scheduledTime, execution, p.eventBus),
      onCreate: hook => { this.afterCreate.push(hook); },
    };
  }

  /** A Task calling an AWS API (typed `CallAwsService`), bounded to 60 seconds. */
  private lookup(id: string, service: string, action: string, iamResources: string[], args: Record<string, unknown>,
    assign?: Record<string, unknown>, iamAction?: string, outputs?: string): tasks.CallAwsService {
    return tasks.CallAwsService.jsonata(this.scope, id, {
      service, action, iamResources, iamAction: iamAction ?? `${service}:${action.charAt(0).toUpperCase()}${action.slice(1)}`, parameters: args, assign, outputs, taskTimeout: LOOKUP_TIMEOUT,
    });
  }

  private publish(id: string, subjectExpr: string, messageExpr: string): tasks.SnsPublish {
    return tasks.SnsPublish.jsonata(this.scope, id, {
      topic: this.p.topic,
      subject: `{% ${subject(subjectExpr)} %}`,
      message: sfn.TaskInput.fromText(`{% ${messageExpr} %}`),
      // Each protocol its own form (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html, MessageStructure).
      messagePerSubscriptionType: true,
    });
  }

  /**
   * `batch:submitJob.sync` of a step. A CustomState, because the typed `BatchSubmitJob` cannot say what a run needs:
   * it renders no state `TimeoutSeconds` (it turns `taskTimeout` into the job's attempt timeout, so a run would have no
   * deadline), and it grants batch:SubmitJob on every job definition of the account (`job-definition/*`).
   */
  private submit(id: string, step: EngineStep, queueArn: string, timeoutSeconds: number | string, output: string): sfn.CustomState {
    // A job's run keeps its succeeded event's detail (the job detail is .sync's result) for SendSucceededEvent.
    const event = this.p.workflow ? {} : {
      Assign: { runEvent: `{% ${jobRunEventDetail(subjectOf(this.p), quote(EVENT_OUTCOMES.succeeded), SCHEDULED_TIME, '$states.result')} %}` },
    };
    // With a rollout, the revision the run's state chose (rollout.ts); else the one the state machine pins.
    const definition = this.p.rollout ? '{% $rollout.revision %}' : step.jobDefinitionArn;
    const state = new sfn.CustomState(this.scope, id, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Aws.PARTITION}:states:::batch:submitJob.sync`,
        Arguments: submitArguments(step, queueArn, definition),
        TimeoutSeconds: timeoutSeconds,
        Output: output,
        ...event,
      },
    });
    if (!this.p.workflow) state.next(this.succeeded);
    return state;
  }
  /** A job's run: one step, inline. */
  private jobRun(step: EngineStep): sfn.IChainable {
    const arrayed = step.arraySize !== undefined;
    const run = this.submit(STATES.run, step, this.p.jobQueueArn, this.p.deadlineSeconds, `{% {'scheduledTime': ${SCHEDULED_TIME}, 'jobId': $states.result.JobId, `
      + `'jobName': $states.result.JobName, 'status': $states.result.Status, 'estimatedCostUsd': ${runCostFromDetailExpression('$states.result', this.p.spot ?? false)}} %}`);
    const toNotify = { errors: [sfn.Errors.ALL] };
    const find = this.lookup(STATES.findJob, 'batch', 'listJobs', ['*'],
      { JobQueue: this.p.jobQueueArn, Filters: [{ Name: 'JOB_NAME', Values: [`{% ${jobNameExpression(step.jobNamePrefix)} %}`] }] });
    const describe = this.lookup(STATES.describeJob, 'batch', 'describeJobs', ['*'],
      { Jobs: '{% [$states.input.JobSummaryList.JobId] %}' },
      { job: '{% $count($states.result.Jobs) > 0 ? $states.result.Jobs^(>CreatedAt)[0] : null %}' });
    // Reported as failed, the job is stopped (it would contradict the message, hold compute, overlap the next run).
    const stop = this.terminateJob(STATES.stopJob, '{% $job.JobId %}', `Scheduled run passed its deadline of ${this.p.deadlineText} (RunTracker)`, { stopped: true });
    for (const s of [find, describe, stop]) s.addCatch(this.failureTail, toNotify);
    find.next(describe).next(stop).next(this.failureTail);
    run.addCatch(find, { errors: [sfn.Errors.TIMEOUT], assign: this.report(RUN_OUTCOMES.deadlinePassed) });
    let afterFailure: sfn.IChainable = this.failureTail;
    if (arrayed) {
      // An array run's message links its failed children. Not an array job's detail (not submitted): straight on.
      const children = this.lookup(STATES.listChildren, 'batch', 'listJobs', ['*'],
        { ArrayJobId: `{% ${jobDetail('$failure.Cause')}.JobId %}`, JobStatus: 'FAILED', MaxResults: 100 },
        { children: '{% $states.result.JobSummaryList %}' });
      children.addCatch(this.failureTail, toNotify).next(this.failureTail);
      afterFailure = children;
    }
    if (step.onDemandQueueArn !== undefined) afterFailure = this.onDemandRetry(step, step.onDemandQueueArn, describe);
    run.addCatch(afterFailure, { errors: [sfn.Errors.ALL], assign: this.report(`{% ${failureOutcome(RUN_OUTCOMES.jobFailed, RUN_OUTCOMES.notSubmitted)} %}`) });
    const started = withStartCheck(this.scope, this.p, step, run);
    return this.p.rollout ? readRolloutState(this.scope, this.p.rollout, started) : started;
  }

  /**
   * A job's run whose every attempt was a Spot reclaim is submitted once more, to the On-Demand queue, under what is
   * left of its deadline; anything else, or a failure there, is reported as usual (the message says it was resubmitted).
   */
  private onDemandRetry(step: EngineStep, queueArn: string, describeLateJob: sfn.IChainable): sfn.IChainable {
    const output = `{% {'scheduledTime': ${SCHEDULED_TIME}, 'jobId': $states.result.JobId, 'jobName': $states.result.JobName, 'status': $states.result.Status} %}`;
    const onDemand = this.submit(STATES.runOnDemand, step, queueArn, remainingSeconds(this.p.deadlineSeconds), output);
    const findLate = this.lookup(STATES.findOnDemandJob, 'batch', 'listJobs', ['*'],
      { JobQueue: queueArn, Filters: [{ Name: 'JOB_NAME', Values: [`{% ${jobNameExpression(step.jobNamePrefix)} %}`] }] });
    findLate.addCatch(this.failureTail).next(describeLateJob);
    onDemand.addCatch(findLate, { errors: [sfn.Errors.TIMEOUT], assign: this.report(RUN_OUTCOMES.deadlinePassed, undefined, { onDemand: true }) });
    onDemand.addCatch(this.failureTail, {
      errors: [sfn.Errors.ALL],
      assign: this.report(`{% ${failureOutcome(RUN_OUTCOMES.jobFailed, RUN_OUTCOMES.notSubmitted)} %}`, undefined, { onDemand: true }),
    });
    return sfn.Choice.jsonata(this.scope, STATES.reclaimed)
      .when(sfn.Condition.jsonata(`{% ${allAttemptsReclaimed('$failure')} %}`), onDemand)
      .otherwise(this.failureTail);
  }

  /**
   * TerminateJob, a CustomState: the typed `CallAwsService` grants its action without a condition, and `grant` allows
   * it on the jobs that carry the run's workload tags only (https://docs.aws.amazon.com/batch/latest/APIReference/API_TerminateJob.html).
   */
  private terminateJob(id: string, jobId: string, reason: string, assign?: Record<string, unknown>): sfn.CustomState {
    return sdkCallState(this.scope, id, 'batch', 'terminateJob', { JobId: jobId, Reason: reason }, assign);
  }

  /** A workflow's run: a Parallel state per level. */
  private levels(): sfn.IChainable {
    const levels = this.p.levels.map((level, i) => {
      const parallel = sfn.Parallel.jsonata(this.scope, STATES.level(i + 1), {
        comment: `Steps ${level.map(s => s.name).join(', ')}`,
        // The branches' outputs (one small summary per step) go on as the next level's input, which does not use them.
        outputs: `{% {'level': ${i + 1}, 'steps': $states.result} %}`,
      });
      for (const step of level) parallel.branch(this.stepBranch(step));
      parallel.addCatch(this.notify, { errors: [sfn.Errors.ALL], assign: this.report('{% $states.errorOutput.Error %}') });
      return parallel;
    });
    levels.reduce((previous, level) => { previous.next(level); return level; }).next(this.succeeded);
    return levels[0];
  }

  /** The states of one workflow step's branch. */
  private stepBranch(s: EngineStep): sfn.IChainable {
    const scope = new Construct(this.scope, `Step-${s.name}`);
    const n = stepStates(s.name);
    const arrayed = s.arraySize !== undefined;
    const remaining = remainingSeconds(this.p.deadlineSeconds);
    const output = `{% {'step': ${quote(s.name)}, 'jobId': $states.result.JobId, 'status': $states.result.Status} %}`;
    const failed = sfn.Fail.jsonata(scope, n.failed, { error: '{% $stepOutcome %}', cause: `{% ${stepSummary(s.name, arrayed)} %}` });
    // A failed step's log tail goes into its summary (a late step's job is stopped instead: its detail is not at hand).
    const tail = logTailState(scope, n.logTail, s.logGroupName, streamOf(jobDetail('$stepFailure.Cause')), 'stepLogTail', failed);
    const caught = (outcome: string, onDemand: boolean) => ({
      stepOutcome: outcome,
      stepFailure: '{% $states.errorOutput %}',
      lateJobId: '{% null %}',
      stopped: false,
      onDemand,
      stepLogTail: '{% null %}',
      ...arrayed ? { stepChildren: '{% null %}' } : {},
    });
    const outcome = `{% ${failureOutcome(RUN_OUTCOMES.jobFailed, RUN_OUTCOMES.notSubmitted)} %}`;
    const stopLate = this.terminateJob(n.stopLate, '{% $lateJobId %}', `Workflow run passed its deadline of ${this.p.deadlineText} (ScheduledBatchWorkflow)`, { stopped: true });
    stopLate.addCatch(failed).next(failed);
    const findLate = (id: string, queueArn: string) => this.lookup(id, 'batch', 'listJobs', ['*'],
      { JobQueue: queueArn, Filters: [{ Name: 'JOB_NAME', Values: [`{% ${jobNameExpression(s.jobNamePrefix)} %}`] }] },
      { lateJobId: `{% ($j := $states.result.JobSummaryList[Status in ${quoteList(ACTIVE_JOB_STATUSES)}]; $exists($j) ? $j[0].JobId : null) %}` })
      .addCatch(failed).next(stopLate);
    const run = this.submit(n.run, s, this.p.jobQueueArn, remaining, output);
    run.addCatch(findLate(n.findLate, this.p.jobQueueArn), { errors: [sfn.Errors.TIMEOUT], assign: caught(RUN_OUTCOMES.deadlinePassed, false) });
    let afterFailure: sfn.IChainable = tail;
    if (arrayed) {
      // An array step lists its failed children (their indices, for the message's links) before its Fail state.
      afterFailure = this.lookup(n.listChildren, 'batch', 'listJobs', ['*'],
        { ArrayJobId: `{% ${jobDetail('$stepFailure.Cause')}.JobId %}`, JobStatus: 'FAILED', MaxResults: 100 },
        { stepChildren: `{% $append([], $sort($append([], $states.result.JobSummaryList.ArrayProperties.Index))[[0..${CHILD_LINKS_MAX - 1}]]) %}` })
        .addCatch(tail).next(tail);
    }
    if (s.onDemandQueueArn !== undefined) {
      const onDemand = this.submit(n.onDemand, s, s.onDemandQueueArn, remaining, output);
      const lateOnDemand = findLate(n.findLateOnDemand, s.onDemandQueueArn);
      onDemand.addCatch(lateOnDemand, { errors: [sfn.Errors.TIMEOUT], assign: caught(RUN_OUTCOMES.deadlinePassed, true) });
      onDemand.addCatch(tail, { errors: [sfn.Errors.ALL], assign: caught(outcome, true) });
      afterFailure = sfn.Choice.jsonata(scope, n.reclaimed)
        .when(sfn.Condition.jsonata(`{% ${ALL_ATTEMPTS_RECLAIMED} %}`), onDemand)
        .otherwise(tail);
    }
    run.addCatch(afterFailure, { errors: [sfn.Errors.ALL], assign: caught(outcome, false) });
    return run;
  }
}

/** Whether a caught error's Cause is a job detail (re-exported for strategies). */
export { isJobDetail };
