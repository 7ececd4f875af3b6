/**
 * The start check of tracked runs: one per stack (a node-scoped singleton under the stack), shared by every run tracker
 * in it, so that a workload adds no resource for it. Five resources: the schedule group the runs' one-time schedules
 * live in, the START-CHECK state machine, its role (statements inline), its state log, and the role EventBridge
 * Scheduler starts it with.
 *
 * A `BatchFleet`'s nested stacks share one check, its fleet's ({@link IStartCheckSharing}), for the runs that notify a
 * topic outside their nested stack (the platform's, by default): so a nested stack of default workloads is one
 * resource, itself (docs/fleet.md). That check may cancel the jobs whose workload tag starts with the fleet's job-name
 * prefix (one `StringLike` value, however many workloads: a list of 1,000 tags would pass a role's 10,240-character
 * inline-policy quota). A run whose topic is its nested stack's own (a workload with subscribers of its own) keeps its
 * stack's check, which publishes to that topic.
 *
 * The check state machine, per run whose start deadline passed:
 *   FindJob (ListJobs, the run's job name) -> HasStarted (Choice)
 *     started (STARTING, RUNNING, SUCCEEDED, FAILED, a StartedAt) or no job -> StartedInTime (Succeed)   3 transitions
 *     action CANCEL -> CancelNotStartedJob (CancelJob; the run's .sync then sees FAILED and sends its one message)
 *     action REPORT -> ReportNotStarted (sns:Publish of one "not started" message; the run goes on)
 *
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ListJobs.html (JOB_NAME filter; JobSummary.startedAt)
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_CancelJob.html (SUBMITTED, PENDING, RUNNABLE only)
 */
import { ArnFormat, Aws, Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, IConstruct } from 'constructs';
import { createExecutionLogGroup, createRunStateMachine, createSchedulerRole } from './run-state-machine';
import { jobsArn, WORKLOAD_TAG_KEY } from '../../private/job-tags';
import { acknowledgeWildcardResource } from '../../private/nag';
import { ValidationError } from '../../private/prop-names';
import { quoteList } from '../engine/expressions';
import { sdkCallState } from '../engine/sdk-call';
import { NOT_STARTED_SUBJECT, notStartedMessage, StartCheckTarget } from '../engine/start-deadline';

/** Job states in which a run has started (or is past starting): the check then does nothing. */
export const STARTED_STATUSES = ['STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'];

/** State names of the check, in its execution history. */
export const START_CHECK_STATES = {
  findJob: 'FindJob',
  hasStarted: 'HasStarted',
  started: 'StartedInTime',
  cancel: 'CancelNotStartedJob',
  report: 'ReportNotStarted',
} as const;

const RETRY: sfn.RetryProps = { errors: [sfn.Errors.ALL], interval: Duration.seconds(2), maxAttempts: 2, backoffRate: 2 };

/**
 * A stack whose runs that notify a topic outside it use the start check under `startCheckHost` (in that construct's
 * stack) instead of one of their own stack: a `BatchFleet`'s nested stacks, whose host is their fleet. That check may
 * cancel the jobs of every workload admitted to it by their common job-name prefix.
 */
export interface IStartCheckSharing {
  readonly startCheckHost: Construct;
}

/** The stack's start check, or the one its stack shares (see {@link IStartCheckSharing}). */
export class StartCheck extends Construct {
  /** The start check of the runs of `scope` that notify `topic`, created with the first run tracker that asks. */
  public static of(scope: IConstruct, topic: sns.ITopic): StartCheck {
    const id = 'StartDeadlineCheck';
    const stack = Stack.of(scope);
    const owner = (stack as Partial<IStartCheckSharing>).startCheckHost;
    const host: Construct = owner && Stack.of(topic) !== stack ? owner : stack;
    return (host.node.tryFindChild(id) as StartCheck | undefined) ?? new StartCheck(host, id, host === owner);
  }

  public readonly scheduleGroup: scheduler.ScheduleGroup;
  public readonly stateMachine: sfn.StateMachine;
  public readonly schedulerRole: iam.Role;
  private readonly workloads: string[] = [];
  private readonly topics = new Set<sns.ITopic>();

  /**
   * `byPrefix`: the check is shared by many stacks' workloads (a fleet's), so CancelJob is conditioned on the longest
   * prefix their tags share (StringLike), not a list of every tag.
   */
  private constructor(scope: Construct, id: string, byPrefix: boolean) {
    super(scope, id);
    // Not retained: deleting the group deletes any schedule left in it, and a retained name would block the next create.
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup', { removalPolicy: RemovalPolicy.DESTROY });
    const logGroup = createExecutionLogGroup(this, undefined);
    this.stateMachine = createRunStateMachine(this, this.definition(), logGroup,
      'Start check of tracked runs: reports, or cancels, a run whose job has not started running by its start deadline.',
      'Three or four short Tasks per check: the execution history and the state log show each; X-Ray traces would add cost and no information.');
    const role = this.stateMachine.role;
    // CancelJob of the jobs that carry an admitted workload's tag only (as TerminateJob, src/private/job-tags.ts).
    const tag = `aws:ResourceTag/${WORKLOAD_TAG_KEY}`;
    const admitted = () => [...new Set(this.workloads)].sort();
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['batch:CancelJob'],
      resources: [jobsArn(this)],
      conditions: byPrefix
        ? { StringLike: { [tag]: Lazy.string({ produce: () => `${sharedJobNamePrefix(this, admitted())}*` }) } }
        : { StringEquals: { [tag]: Lazy.list({ produce: admitted }) } },
    }));
    acknowledgeWildcardResource(role, '*', 'batch:ListJobs has no resource-level permissions, nor have the CloudWatch Logs delivery actions Step Functions logging needs: IAM requires "*".');
    acknowledgeWildcardResource(role, jobsArn(this), byPrefix
      ? `batch:CancelJob acts on job ids that exist only at run time; it is conditioned on the workload tag (${WORKLOAD_TAG_KEY}) starting with the job-name prefix the fleet's workloads share.`
      : `batch:CancelJob acts on job ids that exist only at run time; it is conditioned on the admitted workloads' tag (${WORKLOAD_TAG_KEY}).`);
    this.schedulerRole = createSchedulerRole(this, 'Starts the start check of tracked runs (one-time schedules the runs create)');
    this.stateMachine.grantStartExecution(this.schedulerRole);
  }

  /** Where a run's schedule points. */
  public get target(): StartCheckTarget {
    return {
      scheduleGroupName: this.scheduleGroup.scheduleGroupName,
      stateMachineArn: this.stateMachine.stateMachineArn,
      schedulerRoleArn: this.schedulerRole.roleArn,
    };
  }

  /**
   * Lets `runStateMachine` create its runs' start checks (CreateSchedule in this group only, and PassRole of the
   * scheduler role to EventBridge Scheduler only), and this check publish to `topic` and cancel `workloadTag`'s jobs.
   */
  public admit(runStateMachine: sfn.StateMachine, topic: sns.ITopic, workloadTag: string): void {
    const schedules = Stack.of(this).formatArn({
      service: 'scheduler', resource: 'schedule', resourceName: `${this.scheduleGroup.scheduleGroupName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    runStateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['scheduler:CreateSchedule'], resources: [schedules] }));
    // CreateSchedule also authorizes iam:PassRole of the target's role, with iam:PassedToService scheduler.amazonaws.com
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgescheduler.html).
    runStateMachine.addToRolePolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.schedulerRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }));
    acknowledgeWildcardResource(runStateMachine.role, schedules,
      'scheduler:CreateSchedule of the one-time start-check schedules, named per execution at run time, in the library\'s start-check schedule group only.');
    this.workloads.push(workloadTag);
    if (!this.topics.has(topic)) {
      this.topics.add(topic);
      topic.grantPublish(this.stateMachine);
      if (topic.masterKey) {
        Validations.of(this.stateMachine.role).acknowledge({
          id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          reason: 'Publishing to a KMS-encrypted notification topic needs kms:GenerateDataKey* (a data key per message); the grant is on the topic\'s own key only.',
        });
      }
    }
  }

  private definition(): sfn.IChainable {
    const find = tasks.CallAwsService.jsonata(this, START_CHECK_STATES.findJob, {
      service: 'batch',
      action: 'listJobs',
      iamResources: ['*'],
      iamAction: 'batch:ListJobs',
      parameters: { JobQueue: '{% $states.input.jobQueue %}', Filters: [{ Name: 'JOB_NAME', Values: ['{% $states.input.jobName %}'] }] },
      assign: {
        run: '{% $states.input %}',
        job: '{% ($j := $states.result.JobSummaryList; $count($j) > 0 ? $j^(>CreatedAt)[0] : null) %}',
      },
      taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
    });
    find.addRetry(RETRY);
    const started = new sfn.Succeed(this, START_CHECK_STATES.started);
    const cancel = sdkCallState(this, START_CHECK_STATES.cancel, 'batch', 'cancelJob', {
      JobId: '{% $job.JobId %}',
      Reason: '{% \'Scheduled run had not started by its start deadline of \' & $run.startDeadline & \' (RunTracker)\' %}',
    });
    cancel.addRetry(RETRY);
    // The optimized SNS integration, with the topic from the input: one check serves every topic admitted to it.
    const report = new sfn.CustomState(this, START_CHECK_STATES.report, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Aws.PARTITION}:states:::sns:publish`,
        Arguments: { TopicArn: '{% $run.topicArn %}', Subject: `{% ${NOT_STARTED_SUBJECT} %}`, Message: `{% ${notStartedMessage()} %}` },
        TimeoutSeconds: 60,
      },
    });
    report.addRetry(RETRY);
    const hasStarted = sfn.Choice.jsonata(this, START_CHECK_STATES.hasStarted)
      .when(sfn.Condition.jsonata(`{% $job = null or $job.Status in ${quoteList(STARTED_STATUSES)} or $exists($job.StartedAt) %}`), started)
      .when(sfn.Condition.jsonata('{% $run.action = \'CANCEL\' %}'), cancel)
      .otherwise(report);
    return find.next(hasStarted);
  }
}

/**
 * The longest prefix the job names of a shared check's workloads have in common. A fleet's job names are unique
 * resource names of its workloads' jobs, all under the fleet's path (`<Stack>-<Fleet>-Workloads<NNN>-<Id>-Job-<hash>`),
 * so the prefix is the fleet's path and as much of its nested stacks' names as they share. Never empty: that would let
 * the check cancel any job with a workload tag.
 */
export function sharedJobNamePrefix(check: IConstruct, names: string[]): string {
  let prefix = names[0] ?? '';
  for (const name of names) {
    let i = 0;
    while (i < prefix.length && i < name.length && prefix[i] === name[i]) i++;
    prefix = prefix.slice(0, i);
  }
  if (prefix === '') {
    throw new ValidationError(`${check.node.path} is shared by workloads whose job names share no prefix (${names.join(', ')}): `
      + 'its CancelJob condition would match every job. Give the workloads a stack of their own.');
  }
  return prefix;
}
