import { Annotations, CfnOutput, Stack } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudwatch_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { BatchAlarms } from '../alarms/batch-alarms';
import { BatchQueueMetrics } from '../alarms/batch-queue-metrics';
import { createWorkloadJob, createWorkloadSchedule } from './private/workload-parts';
import { failureMessage } from '../alarms/private/alarm-messages';
import { validateRouteName } from '../api/private/route-name';
import { routeNameFrom } from '../api/private/run-api-templates';
import { RunApi } from '../api/run-api';
import { BatchPlatform, IBatchPlatform } from '../compute/batch-platform';
import { BatchPlatformProps } from '../compute/batch-platform-props';
import { pickPlatformProps, rejectConflicts } from '../compute/private/platform-props';
import { SpotComputeEnvironment } from '../compute/spot-compute-environment';
import { CostLineItem, ICostEstimable } from '../cost/cost';
import { IRunCostEstimable, RunCostProfile } from '../cost/run-cost';
import { BatchJob } from '../jobs/batch-job';
import { BatchJobOptions, JOB_DEFAULTS } from '../jobs/batch-job-options';
import { allowAlarmsToPublish, createAlarmTopic, topicTarget } from '../private/alarm-topic';
import { PlatformRuns } from './private/platform-runs';
import { ARRAY_SIZE_MIN } from '../private/array-size';
import { subtreeCostLineItems } from '../private/cost-walk';
import { inHostSpelling, ValidationError } from '../private/prop-names';
import { rejectUnknownKeys } from '../private/struct-keys';
import { runCostProfileOf } from './private/run-cost-profile';
import { validateNotificationEmail } from '../private/validate';
import { DeployVerification, DeployVerificationOptions } from '../runs/deploy-verification';
import { JobSchedule, JobScheduleOptions, SCHEDULE_DEFAULTS } from '../runs/job-schedule';
import { rejectIgnoredWorkloadProps, rejectPlatformElsewhere, warnEmptyRepository } from './private/workload-checks';
import { verificationTimesFor } from '../runs/private/verification-limits';

/** Defaults of {@link ScheduledBatchWorkload}, in one place: the job's and the schedule's. */
export const WORKLOAD_DEFAULTS = {
  ...JOB_DEFAULTS,
  scheduleRetryAttempts: SCHEDULE_DEFAULTS.retryAttempts,
  scheduleMaxEventAge: SCHEDULE_DEFAULTS.maxEventAge,
} as const;

/**
 * Properties of a {@link ScheduledBatchWorkload}, in three groups: the job (`BatchJobOptions`), its schedule
 * (`JobScheduleOptions`), and the `BatchPlatformProps` of the platform the workload creates for itself (network,
 * compute, queue, alarm topic) when it is not given a shared `platform`. With `platform`, only `alarmTopic` of those
 * may be set (this workload's alarms then notify it). `DeployVerificationOptions` turn on a deploy-time run of each
 * new job-definition revision.
 */
export interface ScheduledBatchWorkloadProps extends BatchJobOptions, JobScheduleOptions, BatchPlatformProps, DeployVerificationOptions {
  /**
   * Attach to a shared platform (network, compute, job queue) instead of creating one: a `BatchPlatform`, or one of
   * another stack or app through `BatchPlatform.fromBatchPlatformAttributes`.
   * Cannot be combined with the other `BatchPlatformProps` except `alarmTopic`.
   * @default - the workload creates its own `BatchPlatform`
   */
  readonly platform?: IBatchPlatform;

  /**
   * Create the workload's alarms.
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * When every attempt of a run was a Spot reclaim, submit it once more to the platform's On-Demand job queue
   * (`BatchPlatform.onDemandJobQueue`: one per platform, shared by its workloads and workflows) under what is left of
   * the run deadline, before the run is reported. Needs run tracking and a platform with On-Demand compute
   * (`onDemandFallback: true`); not with `arraySize`.
   * @default false
   */
  readonly resubmitOnDemand?: boolean;

  /**
   * E-mail address subscribed to the workload's notification topic (also with `alarms: false`: tracked runs still
   * notify it). Checked at synth.
   * @default - no subscription
   */
  readonly notificationEmail?: string;

  /**
   * Create a CloudWatch dashboard for the workload ($3/month beyond the account's 3 free dashboards). Needs `alarms`.
   * @default false
   */
  readonly dashboard?: boolean;

  /**
   * Add this workload's run-now and status routes to a `RunApi` of the same stack
   * (`POST /workloads/<runApiRouteName>/runs`, `GET /workloads/<runApiRouteName>/runs/{jobId}`); grant callers with
   * `grantRun`.
   * @default - no API
   */
  readonly runApi?: RunApi;

  /**
   * The workload's path segment on `runApi`: lower-case letters, digits and hyphens, unique in the API.
   * @default - the workload's construct id in lower case, other characters turned into hyphens
   */
  readonly runApiRouteName?: string;
}

/**
 * A container that runs on a schedule on AWS Batch: on Spot, in private subnets, with logs, retries, a dead-letter
 * queue, least-privilege IAM and alarms — in one statement.
 *
 * @example
 * new ScheduledBatchWorkload(this, 'NightlyReport', {
 *   schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: TimeZone.EUROPE_LONDON }),
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
 *   command: ['python', '-c', 'print("hello")'],
 * });
 */
export class ScheduledBatchWorkload extends Construct implements ICostEstimable, IRunCostEstimable {
  /** The platform (network, compute, queue) the workload runs on: its own, or the shared one it was given. */
  public readonly platform: IBatchPlatform;
  /** Whether the workload created its platform (false when it attached to a shared one). */
  public readonly ownsPlatform: boolean;
  /** The job: definition, container, roles, logs, image. */
  public readonly job: BatchJob;
  /** The schedule that submits the job. */
  public readonly jobSchedule: JobSchedule;
  /** The deploy-time verification of new job-definition revisions, when `verifyOnDeploy` is true. */
  public readonly verification?: DeployVerification;
  /** The `AWS/Batch` metrics of the workload's queue (on a shared queue they mix every workload's jobs). */
  public readonly metrics: BatchQueueMetrics;
  /**
   * The alarms that watch this workload, when enabled: its platform's (shared by its workloads: schedule delivery,
   * dead-letter queue, blocked queue), or its own when its runs are untracked, it has a dashboard, or it has
   * subscribers of its own on a shared platform.
   */
  public readonly alarms?: BatchAlarms;
  /**
   * The topic this workload's notifications go to (tracked runs that do not succeed, its alarms): `alarmTopic`; else,
   * on a shared platform with a `notificationEmail`, a topic of its own (its subscribers get only its messages); else
   * the platform's topic, where each message names the workload.
   */
  public readonly notificationTopic: sns.ITopic;
  /** The API that starts runs now, when `runApi` was given. */
  public readonly runApi?: RunApi;
  /** This workload's route name on `runApi`. */
  public readonly runApiRouteName?: string;
  private readonly arraySize?: number;

  constructor(scope: Construct, id: string, props: ScheduledBatchWorkloadProps) {
    super(scope, id);
    rejectUnknownKeys('ScheduledBatchWorkloadProps', props);
    rejectConflicts(props, 'platform');
    // Checked whatever 'alarms' says: the address is subscribed either way.
    validateNotificationEmail('notificationEmail', props.notificationEmail);
    rejectIgnoredWorkloadProps(props);
    this.ownsPlatform = props.platform === undefined;
    this.arraySize = props.arraySize;
    this.platform = props.platform ?? new BatchPlatform(this, 'Platform', pickPlatformProps(props));
    if (props.platform) rejectPlatformElsewhere(this, props.platform);
    if (this.ownsPlatform) OwnPlatforms.of(Stack.of(this)).add(this);
    // What the platform's workloads share (schedule group, dead-letter queue, scheduler role, logs, alarms): only
    // what this workload's own props demand is its own (see docs/fleet.md).
    const shared = PlatformRuns.of(this.platform);
    this.job = createWorkloadJob(this, this.platform, props, shared);
    if (props.image === undefined && props.repository === undefined) warnEmptyRepository(this, props.imageTag ?? WORKLOAD_DEFAULTS.imageTag);
    // A workload with subscribers of its own on a shared platform gets a topic of its own, so that they receive only
    // its messages; every other workload notifies the platform's topic, its messages labelled with its name.
    const ownTopic = props.alarmTopic !== undefined || (!this.ownsPlatform && props.notificationEmail !== undefined);
    this.notificationTopic = props.alarmTopic ?? (ownTopic ? createAlarmTopic(this, 'Notifications') : shared.topic);
    const trackRuns = props.trackRuns ?? true;
    this.verification = createVerification(this, props);
    this.jobSchedule = createWorkloadSchedule({
      scope: this, platform: this.platform, job: this.job, notificationTopic: this.notificationTopic,
    }, props, shared);
    this.metrics = new BatchQueueMetrics(this.platform.jobQueue);
    if (props.runApiRouteName !== undefined && !props.runApi) {
      throw new ValidationError(`'runApiRouteName' is '${props.runApiRouteName}' but no 'runApi' was given: pass the RunApi the route goes on, or leave 'runApiRouteName' out.`);
    }
    validateRouteName('runApiRouteName', props.runApiRouteName);
    if (props.runApi) {
      this.runApi = props.runApi;
      // With a verification, the API switches to a new revision with the schedule: its route and role wait for it.
      // With a rollout, the route's runs go through the run engine (its revision choice), like the schedule's.
      const tracker = this.jobSchedule.tracker;
      this.runApiRouteName = props.runApi.addJob(this.job, {
        routeName: props.runApiRouteName ?? routeNameFrom(id),
        arraySize: props.arraySize,
        stateMachine: tracker?.rolloutTable ? tracker.stateMachine : undefined,
      });
    }
    this.alarms = this.createAlarms(props, { trackRuns, ownTopic, shared });
    // What the CLIs take (--schedule-group <group>/<name>; the runs CLI reads it from the stack with --stack): the group is the platform's, shared.
    new CfnOutput(this, 'ScheduleRef', {
      value: `${this.scheduleGroup.scheduleGroupName}/${this.schedule.scheduleName}`,
      description: `Schedule group and name of ${this.node.path}: cdk-scheduled-batch <runs|logs|rerun|pause|resume|backfill> --schedule-group <this value>`,
    });
  }

  /**
   * The alarms that watch this workload. The platform's (schedule delivery, dead-letter queue, blocked queue), shared
   * by its workloads, cover a tracked run, whose failures its tracker reports. The workload gets alarms of its own only
   * for what those do not cover: untracked runs, a dashboard, or subscribers of its own. Without alarms, the e-mail
   * still subscribes.
   */
  private createAlarms(props: ScheduledBatchWorkloadProps,
    opts: { trackRuns: boolean; ownTopic: boolean; shared: PlatformRuns }): BatchAlarms | undefined {
    if (!(props.alarms ?? true)) {
      if (props.notificationEmail !== undefined) {
        this.notificationTopic.addSubscription(new subscriptions.EmailSubscription(props.notificationEmail));
      }
      return undefined;
    }
    const platformAlarms = opts.shared.alarms();
    if (opts.trackRuns && !opts.ownTopic && !props.dashboard) {
      if (props.notificationEmail !== undefined) {
        this.notificationTopic.addSubscription(new subscriptions.EmailSubscription(props.notificationEmail));
      }
      return platformAlarms;
    }
    const alarms = new BatchAlarms(this, 'Alarms', {
      jobQueue: this.jobQueue,
      jobDefinition: this.jobDefinition,
      sharedQueue: !this.ownsPlatform || props.jobQueue !== undefined,
      jobTimeout: this.job.timeout,
      alarmTopic: this.notificationTopic,
      notificationEmail: props.notificationEmail,
      dashboard: props.dashboard ?? false,
      runsTracked: opts.trackRuns,
      ignoredJobNamePrefix: this.verification?.jobNamePrefix,
      // The platform's rule sends every blocked job of the queue to the platform's topic: a rule of the workload's own
      // only for its own topic (its subscribers), or the platform's topic would get each event twice.
      queueBlockedNotifications: opts.ownTopic,
    });
    const platformTopic = this.platform.alarmTopic;
    if (platformTopic && platformTopic !== this.notificationTopic) {
      // The workload's alarms and failed jobs reach the platform team too; blocked jobs already do, by the platform's rule.
      allowAlarmsToPublish(platformTopic);
      alarms.addAlarmAction(new cloudwatch_actions.SnsAction(platformTopic));
      if (!opts.trackRuns) alarms.failedJobRule?.addTarget(topicTarget(platformTopic, failureMessage()));
    }
    return alarms;
  }

  /** The VPC the jobs run in (undefined with a brought job queue or an imported platform). */
  public get vpc(): ec2.IVpc | undefined { return this.platform.vpc; }
  /** The compute (undefined with a brought job queue or an imported platform). */
  public get computeEnvironment(): SpotComputeEnvironment | undefined { return this.platform.computeEnvironment; }
  /** The job queue the schedule submits to. */
  public get jobQueue(): batch.IJobQueue { return this.platform.jobQueue; }
  /** The job definition. */
  public get jobDefinition(): batch.EcsJobDefinition { return this.job.jobDefinition; }
  /** The container the job runs. */
  public get container(): batch.IEcsContainerDefinition { return this.job.container; }
  /** The repository the image comes from, when the workload created it. */
  public get repository(): ecr.IRepository | undefined { return this.job.repository; }
  /** The job's log group. */
  public get logGroup(): logs.ILogGroup { return this.job.logGroup; }
  /** The role ECS uses to pull the image, write logs and read secrets. */
  public get executionRole(): iam.IRole { return this.job.executionRole; }
  /** The role the job's code runs with; empty unless you grant it something. */
  public get jobRole(): iam.IRole { return this.job.jobRole; }
  /** The data bucket, when given or created. */
  public get dataBucket(): s3.IBucket | undefined { return this.job.dataBucket; }
  /** The name the schedule gives each job it submits. */
  public get jobName(): string { return this.job.jobName; }
  /** The schedule group the workload's schedule lives in (its platform's, shared by the platform's workloads). */
  public get scheduleGroup(): scheduler.IScheduleGroup { return this.jobSchedule.scheduleGroup; }
  /** The schedule. */
  public get schedule(): scheduler.Schedule { return this.jobSchedule.schedule; }
  /** The role EventBridge Scheduler submits the job with. */
  public get schedulerRole(): iam.IRole { return this.jobSchedule.schedulerRole; }
  /** Where EventBridge Scheduler puts events it could not deliver. */
  public get deadLetterQueue(): sqs.IQueue { return this.jobSchedule.deadLetterQueue; }

  /**
   * Allow `grantee` to submit this job to this queue (manual runs, pipelines, other schedulers). SubmitJob also
   * accepts container overrides (command, environment, resources) and IAM has no condition key against them: whoever
   * may submit may run any command in this image with the job role.
   */
  public grantSubmit(grantee: iam.IGrantable): void {
    this.job.grantSubmit(grantee);
  }

  /**
   * Allow `grantee` to start runs of this workload now and read their status through its `runApi` route, and nothing
   * else: `execute-api:Invoke` on this workload's two routes. Unlike `grantSubmit`, the caller cannot change the
   * command, image or environment; it gives a scheduled time and the declared `parameters` only.
   */
  public grantRun(grantee: iam.IGrantable): iam.Grant {
    if (!this.runApi || this.runApiRouteName === undefined) {
      throw new ValidationError(`${this.node.path} has no 'runApi': give it one (new RunApi(stack, 'RunApi')) to grant runs through the API, or use grantSubmit.`);
    }
    return this.runApi.grantRun(grantee, this.runApiRouteName);
  }

  /** Add a statement to the job role (the permissions the job's code runs with). */
  public addToJobRolePolicy(statement: iam.PolicyStatement): void {
    this.job.addToJobRolePolicy(statement);
  }

  /**
   * The workload's fixed monthly idle cost: its own platform's network (none on a shared platform), its alarms and
   * dashboard, KMS keys created in it and each Secrets Manager secret it reads (us-east-1 list prices of
   * `UnitPrices.PRICE_DATE`). The same figure as `CostReport.of(workload)`.
   */
  public costLineItems(): CostLineItem[] {
    return subtreeCostLineItems(this);
  }

  /**
   * One run's shape (its job's vCPUs, memory and timeout on its platform's capacity) and the schedule's runs in 730
   * hours, for `CostReport.workloadRunCosts()`; undefined when a token hides them.
   */
  public runCostProfile(): RunCostProfile | undefined {
    return runCostProfileOf({
      path: this.node.path,
      platform: this.platform,
      cpu: this.job.container.cpu,
      memory: this.job.container.memory,
      timeout: this.job.timeout,
      expression: this.jobSchedule.expression,
      arraySize: this.arraySize,
    });
  }
}

/** The deploy-time verification, when `verifyOnDeploy` is on; its options without it are a mistake. */
function createVerification(workload: ScheduledBatchWorkload, props: ScheduledBatchWorkloadProps): DeployVerification | undefined {
  if (!props.verifyOnDeploy) {
    const given = (['verificationCommand', 'verificationTimeout', 'verificationAttemptTimeout'] as const).filter(p => props[p] !== undefined);
    if (given.length > 0) {
      throw new ValidationError(`${given.map(p => `'${p}'`).join(' and ')} ${given.length > 1 ? 'are' : 'is'} set but 'verifyOnDeploy' is ${props.verifyOnDeploy ?? 'not set'}: `
        + "set 'verifyOnDeploy: true' to verify new revisions at deploy, or remove them.");
    }
    return undefined;
  }
  // Checked here first, so that a message names the workload's props.
  const times = verificationTimesFor(workload.job, {
    timeoutProp: 'verificationTimeout',
    attemptTimeoutProp: 'verificationAttemptTimeout',
    commandProp: 'verificationCommand',
    timeout: props.verificationTimeout,
    attemptTimeout: props.verificationAttemptTimeout,
    command: props.verificationCommand,
  });
  return new DeployVerification(workload, 'Verification', {
    job: workload.job,
    command: props.verificationCommand,
    // An array workload is verified as the smallest array job, so its children run as a real run's do.
    arraySize: props.arraySize === undefined ? undefined : ARRAY_SIZE_MIN,
    timeout: times.timeout,
    attemptTimeout: times.attemptTimeout,
    logEncryptionKey: props.logEncryptionKey,
  });
}

/**
 * The own-platform workloads of one stack, kept in the construct tree (a node-scoped singleton), to point at
 * BatchPlatform when a stack makes several.
 */
class OwnPlatforms extends Construct {
  public static of(stack: Stack): OwnPlatforms {
    const id = 'cdk-scheduled-batch.OwnPlatforms';
    return (stack.node.tryFindChild(id) as OwnPlatforms | undefined) ?? new OwnPlatforms(stack, id);
  }

  private count = 0;

  public add(workload: IConstruct): void {
    this.count++;
    if (this.count > 1) {
      const stack = Stack.of(workload);
      Annotations.of(workload).addWarningV2('cdk-scheduled-batch:severalOwnPlatforms',
        inHostSpelling(`This is workload number ${this.count} in stack ${stack.stackName} with its own VPC, compute environment and job queue. AWS Batch allows 50 job queues and 50 compute environments per region (not adjustable) and each VPC adds its network cost: create one BatchPlatform and pass it to every workload as 'platform'.`));
    }
  }
}
