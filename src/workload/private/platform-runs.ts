import { ArnFormat, Names, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BatchAlarms } from '../../alarms/batch-alarms';
import { IBatchPlatform } from '../../compute/batch-platform';
import { JOB_DEFAULTS } from '../../jobs/batch-job-options';
import { createJobLogGroup } from '../../jobs/private/job-log-group';
import { createAlarmTopic } from '../../private/alarm-topic';
import { InlinePolicyRole } from '../../private/inline-policy-role';
import { acknowledgeWildcardResource } from '../../private/nag';
import { createExecutionLogGroup } from '../../runs/private/run-state-machine';
import { createDeadLetterQueue } from '../../runs/private/schedule-parts';

/** The tag that admits a run state machine to its platform's scheduler role (attribute-based access control). */
export const PLATFORM_TAG_KEY = 'cdk-scheduled-batch:platform';

/**
 * What the workloads of one platform share instead of creating each their own (issue #22): the schedule group and its
 * delivery alarm, the dead-letter queue and its alarm, the blocked-queue rule, the scheduler role, the run state log
 * and the job log. A node-scoped singleton under the platform (so in the platform's stack), each part created when a
 * workload first needs it.
 *
 * The scheduler role may start the state machines tagged with this platform's tag, and no other: one statement that
 * does not grow with the fleet (a role's inline policies hold 10,240 characters, about 100 state-machine ARNs), so
 * adding a workload never changes it. Step Functions authorizes StartExecution on the state machine's
 * `aws:ResourceTag/${TagKey}` (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/tag-based-policies.html).
 */
export class PlatformRuns extends Construct {
  /** The shared parts of `platform`, created with the first workload that asks. */
  public static of(platform: IBatchPlatform): PlatformRuns {
    const id = 'SharedRuns';
    return (platform.node.tryFindChild(id) as PlatformRuns | undefined) ?? new PlatformRuns(platform, id, platform);
  }

  /** The value of {@link PLATFORM_TAG_KEY} on this platform's run state machines. */
  public readonly tagValue: string;
  private readonly platform: IBatchPlatform;
  private group?: scheduler.ScheduleGroup;
  private dlq?: sqs.Queue;
  private role?: iam.IRole;
  private stateLog?: logs.ILogGroup;
  private jobLog?: logs.ILogGroup;
  private executionRoleOfJobs?: iam.IRole;
  private ownTopic?: sns.ITopic;
  private platformAlarms?: BatchAlarms;

  private constructor(scope: Construct, id: string, platform: IBatchPlatform) {
    super(scope, id);
    this.platform = platform;
    this.tagValue = Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
  }

  /** The topic the platform's workloads notify unless they have subscribers of their own: the platform's. */
  public get topic(): sns.ITopic {
    this.ownTopic ??= this.platform.alarmTopic ?? createAlarmTopic(this, 'Notifications');
    return this.ownTopic;
  }

  /** One schedule group for the platform's schedules. Not retained: a retained group's name would block the next create. */
  public get scheduleGroup(): scheduler.ScheduleGroup {
    this.group ??= new scheduler.ScheduleGroup(this, 'ScheduleGroup', { removalPolicy: RemovalPolicy.DESTROY });
    return this.group;
  }

  /** One dead-letter queue for every schedule of the platform (a message names its schedule). */
  public get deadLetterQueue(): sqs.Queue {
    this.dlq ??= createDeadLetterQueue(this);
    return this.dlq;
  }

  /** The state log of every run state machine of the platform. */
  public get runLogGroup(): logs.ILogGroup {
    this.stateLog ??= createExecutionLogGroup(this, undefined, this.platform.sharedLogEncryptionKey, 'sharedLogEncryptionKey');
    return this.stateLog;
  }

  /**
   * The log group of the platform's jobs that do not ask for their own retention or key: each job's streams start
   * with its job name. Retained, and named after the stack's id (new at every create), like a job's own.
   */
  public get jobLogGroup(): logs.ILogGroup {
    if (!this.jobLog) {
      const logGroup = createJobLogGroup(this, 'JobLogs', JOB_DEFAULTS.logRetention, this.platform.sharedLogEncryptionKey, 'sharedLogEncryptionKey');
      this.jobLog = logGroup;
    }
    return this.jobLog;
  }

  /**
   * The execution role of the platform's jobs that pull a public image, read no secret and write to
   * {@link jobLogGroup}: it may write to that log group and nothing else. A job with secrets, an ECR image or a log
   * group of its own gets its own execution role.
   */
  public get jobExecutionRole(): iam.IRole {
    if (!this.executionRoleOfJobs) {
      const role = new InlinePolicyRole(this, 'JobExecutionRole', {
        assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
        description: 'Writes the logs of the platform\'s jobs that pull a public image and read no secret',
      });
      this.jobLogGroup.grantWrite(role);
      this.executionRoleOfJobs = role;
    }
    return this.executionRoleOfJobs;
  }

  /**
   * The role EventBridge Scheduler starts the platform's tracked runs with, as an immutable view: the schedule targets
   * add nothing to it. It may start state machines tagged for this platform (see {@link admit}) and send to the
   * dead-letter queue.
   */
  public get schedulerRole(): iam.IRole {
    if (!this.role) {
      const role = new InlinePolicyRole(this, 'SchedulerRole', {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
        description: 'Starts the tracked runs of the platform\'s workloads (state machines tagged with the platform)',
      });
      const stateMachines = Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [stateMachines],
        conditions: { StringEquals: { [`aws:ResourceTag/${PLATFORM_TAG_KEY}`]: this.tagValue } },
      }));
      acknowledgeWildcardResource(role, stateMachines,
        `Scoped by tag: only state machines tagged ${PLATFORM_TAG_KEY}=<this platform> (the platform's run state machines). One statement for the whole fleet, so the policy neither grows past the role's size quota nor changes when a workload is added.`);
      // What Scheduler needs to dead-letter an event, as for a schedule's own role (grantSendMessages would add
      // sqs:GetQueueAttributes and sqs:GetQueueUrl, which it never calls).
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
      this.role = role.withoutPolicyUpdates();
    }
    return this.role;
  }

  /** Tags `stateMachine` so that the platform's scheduler role may start it. */
  public admit(stateMachine: sfn.IStateMachine): void {
    Tags.of(stateMachine).add(PLATFORM_TAG_KEY, this.tagValue);
  }

  /**
   * The platform's alarms, created once: schedule delivery (the shared group) and the dead-letter queue, and a rule
   * for blocked jobs of its queue, all to {@link topic}.
   */
  public alarms(): BatchAlarms {
    this.platformAlarms ??= new BatchAlarms(this, 'Alarms', {
      jobQueue: this.platform.jobQueue,
      scheduleGroup: this.scheduleGroup,
      deadLetterQueue: this.deadLetterQueue,
      alarmTopic: this.topic,
      runsTracked: true,
    });
    return this.platformAlarms;
  }
}
