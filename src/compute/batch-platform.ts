import { Annotations, Duration, Resource, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { BatchPlatformProps, JobAccess } from './batch-platform-props';
import { ComputePlatform } from './compute-platform';
import { TeamCap } from './fair-share';
import { PlatformDashboard } from '../alarms/platform-dashboard';
import { CostLineItem, ICostEstimable } from '../cost/cost';
import { ComputeReachability } from '../network/compute-reachability';
import { CostOptimizedVpc } from '../network/cost-optimized-vpc';
import { createAlarmTopic } from '../private/alarm-topic';
import { subtreeCostLineItems } from '../private/cost-walk';
import { createFairShare } from './private/fair-share-policy';
import { rejectConflicts } from './private/platform-props';
import { SpotComputeEnvironment } from './spot-compute-environment';
import { CpuArchitecture } from './spot-compute-environment-props';
import { inHostSpelling, ValidationError } from '../private/prop-names';
import { rejectUnknownKeys } from '../private/struct-keys';
import { validateDuration, validateEnum, validateInstanceOf } from '../private/validate';

/** A platform workloads can run on: a job queue over compute in a network. Created, or imported from another app. */
export interface IBatchPlatform extends IConstruct {
  /** The job queue workloads submit to. */
  readonly jobQueue: batch.IJobQueue;
  /** Where jobs run. */
  readonly computePlatform: ComputePlatform;
  /** The CPU architecture of the compute (the image must be built for it). */
  readonly architecture: CpuArchitecture;
  /** Whether Fargate jobs need a public IP (Fargate in public subnets). */
  readonly assignPublicIp: boolean;
  /**
   * The platform-wide topic: it receives every workload's alarms and failure messages, for the platform team.
   * @default - none
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * The VPC the compute runs in, when this app defines it.
   * @default - unknown: an imported platform, or one given only a job queue
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The compute the queue runs on, when this app defines it: jobs are checked against it at synth (a job bigger than
   * every instance type would sit RUNNABLE).
   * @default - unknown: an imported platform, or one given only a job queue
   */
  readonly computeEnvironment?: SpotComputeEnvironment;
  /**
   * The KMS key of the log groups the platform's workloads share (the job log and the run state log).
   * @default - CloudWatch Logs' own encryption at rest
   */
  readonly sharedLogEncryptionKey?: kms.IKey;
  /**
   * Whether the job queue schedules by fair share: every job submitted to it then carries a share identifier (its
   * `team`), and no job may carry one otherwise.
   */
  readonly fairShare: boolean;
  /**
   * The cap of `team` on a fair-share platform (the consumable resource its jobs require), if it has one.
   * @returns undefined when the team has no cap, or the platform is imported
   */
  teamCap(team: string): TeamCap | undefined;
  /**
   * Makes sure jobs of `requester` can reach what they read at start (e.g. the Secrets Manager endpoint of a VPC
   * without NAT). Fails at synth when that would add resources to a platform in another stack: declare `jobAccess`
   * on the platform instead.
   */
  requireJobAccess(requester: IConstruct, access: JobAccess): void;
  /**
   * The platform's On-Demand job queue, over its On-Demand fallback compute environment, for work resubmitted after
   * Spot reclaims. One per platform: created at the first call and shared by every workflow and workload on the
   * platform (AWS Batch allows 50 job queues per region). Fails at synth, naming `requester`, when the platform has
   * no On-Demand compute.
   */
  onDemandJobQueue(requester: IConstruct): batch.IJobQueue;
}

/** What identifies a platform defined elsewhere (another stack or app), for {@link BatchPlatform.fromBatchPlatformAttributes}. */
export interface BatchPlatformAttributes {
  /** ARN of the platform's job queue. */
  readonly jobQueueArn: string;
  /**
   * Where the queue's jobs run.
   * @default ComputePlatform.EC2
   */
  readonly computePlatform?: ComputePlatform;
  /**
   * The CPU architecture of the queue's compute.
   * @default CpuArchitecture.X86_64
   */
  readonly architecture?: CpuArchitecture;
  /**
   * Whether Fargate jobs need a public IP.
   * @default false
   */
  readonly assignPublicIp?: boolean;
  /**
   * The platform-wide alarm topic.
   * @default - none: each workload notifies its own topic only
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * ARN of the platform's On-Demand job queue (`onDemandJobQueue()` of the platform where it is defined).
   * @default - none: work cannot fall back to On-Demand on this platform
   */
  readonly onDemandJobQueueArn?: string;
  /**
   * Whether the queue (and the On-Demand queue) has a fair-share scheduling policy. Team caps of an imported platform
   * are not known here: its jobs are not checked against them and their job definitions do not require them.
   * @default false
   */
  readonly fairShare?: boolean;
}

/**
 * How long a job may sit RUNNABLE, blocked for one of the reasons `jobStateTimeLimitActions` can act on, before the
 * queue cancels it. `maxTimeSeconds` must be 600-86,400.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/job_stuck_in_runnable.html
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_JobStateTimeLimitAction.html
 */
export const RUNNABLE_TIME_LIMITS = {
  min: Duration.minutes(10),
  max: Duration.days(1),
  /** Capacity shortages and a full compute environment can clear up: give them 4 hours. */
  defaultCapacityWait: Duration.hours(4),
  /** A job that asks for more than any instance offers never starts: cancel after the minimum, 10 minutes. */
  resourceRequirement: Duration.minutes(10),
} as const;

/**
 * The shared part of scheduled Batch workloads: a network, Spot compute and one job queue.
 *
 * AWS Batch allows at most 50 job queues and 50 compute environments per region, and these quotas cannot be raised;
 * a VPC costs money to reach AWS from. Many `ScheduledBatchWorkload`s attach to one platform
 * (`platform: myPlatform`): each adds no network cost and no queue, and keeps its own alarms.
 *
 * @see https://docs.aws.amazon.com/batch/latest/userguide/service_limits.html
 *
 * @example
 * const platform = new BatchPlatform(this, 'Platform');
 * new ScheduledBatchWorkload(this, 'Nightly', {
 *   platform,
 *   schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
 * });
 */
export class BatchPlatform extends Construct implements IBatchPlatform, ICostEstimable {
  /**
   * A platform defined in another stack or app, by its job queue: workloads attach to it as to one created here.
   * It cannot check the network of its compute, so `requireJobAccess` warns instead.
   */
  public static fromBatchPlatformAttributes(scope: Construct, id: string, attrs: BatchPlatformAttributes): IBatchPlatform {
    rejectUnknownKeys('BatchPlatformAttributes', attrs);
    return new ImportedBatchPlatform(scope, id, attrs);
  }

  /** The VPC compute runs in; undefined when the platform was given only a `jobQueue`. */
  public readonly vpc?: ec2.IVpc;
  /** The compute; undefined when the platform was given only a `jobQueue`. */
  public readonly computeEnvironment?: SpotComputeEnvironment;
  /** The job queue workloads submit to. */
  public readonly jobQueue: batch.IJobQueue;
  /** Where jobs run. */
  public readonly computePlatform: ComputePlatform;
  /** The CPU architecture of the compute. */
  public readonly architecture: CpuArchitecture;
  /** Whether Fargate jobs need a public IP (Fargate in public subnets). */
  public readonly assignPublicIp: boolean;
  /** Topic the workloads' alarms go to. */
  public readonly alarmTopic?: sns.ITopic;
  /** The KMS key of the log groups the platform's workloads share. */
  public readonly sharedLogEncryptionKey?: kms.IKey;
  /** Whether the job queue schedules by fair share. */
  public readonly fairShare: boolean;
  /** The fair-share scheduling policy of the platform's queues, when `fairShare` was given. */
  public readonly schedulingPolicy?: batch.FairshareSchedulingPolicy;
  private readonly teamCaps = new Map<string, TeamCap>();
  /** The name run events carry in `detail.platform`: the platform's construct path, unique in the app. */
  public readonly platformName: string;
  /** The platform dashboard; undefined unless `platformDashboard: true`. */
  public readonly dashboard?: PlatformDashboard;
  private onDemandQueue?: batch.JobQueue;

  constructor(scope: Construct, id: string, props: BatchPlatformProps = {}) {
    super(scope, id);
    rejectUnknownKeys('BatchPlatformProps', props);
    validatePlatformProps(props);

    if (props.jobQueue) {
      this.jobQueue = props.jobQueue;
      this.computePlatform = props.computePlatform ?? ComputePlatform.EC2;
      this.architecture = CpuArchitecture.X86_64;
      this.assignPublicIp = false;
    } else {
      if (props.fairShare) {
        const { policy, caps } = createFairShare(this, props.fairShare);
        this.schedulingPolicy = policy;
        caps.forEach((cap, team) => this.teamCaps.set(team, cap));
      }
      const compute = props.computeEnvironment ?? this.createCompute(props);
      this.computeEnvironment = compute;
      this.vpc = compute.vpc;
      this.computePlatform = compute.platform;
      this.architecture = compute.architecture;
      this.assignPublicIp = compute.assignPublicIp;
      this.jobQueue = new batch.JobQueue(this, 'JobQueue', {
        computeEnvironments: compute.orderedComputeEnvironments(),
        jobStateTimeLimitActions: runnableTimeLimitActions(props.runnableTimeLimit ?? RUNNABLE_TIME_LIMITS.defaultCapacityWait),
        schedulingPolicy: this.schedulingPolicy,
      });
    }
    this.fairShare = this.schedulingPolicy !== undefined;

    this.alarmTopic = props.alarmTopic ?? createAlarmTopic(this, 'AlarmTopic');
    this.sharedLogEncryptionKey = props.sharedLogEncryptionKey;
    this.platformName = this.node.path;
    if (props.jobAccess) this.requireJobAccess(this, props.jobAccess);
    if (props.platformDashboard) {
      this.dashboard = new PlatformDashboard(this, 'Dashboard', {
        jobQueue: this.jobQueue,
        platformName: this.platformName,
        computeEnvironmentName: this.computeEnvironment?.computeEnvironment.computeEnvironmentName,
        runEventsEncryptionKey: this.sharedLogEncryptionKey,
      });
    }
  }

  public requireJobAccess(requester: IConstruct, access: JobAccess): void {
    rejectUnknownKeys('JobAccess', access);
    if (!this.vpc || !this.computeEnvironment || !(access.secretsManager || access.ssmParameters)) return;
    const requirements = { platform: this.computePlatform, ...access };
    if (Stack.of(requester) !== Stack.of(this) && this.vpc instanceof CostOptimizedVpc) {
      const missing = this.vpc.missingEndpointsFor(requirements);
      if (missing.length > 0) {
        throw new ValidationError(`${requester.node.path} (stack ${Stack.of(requester).stackName}) reads ${describeAccess(access)}, and its platform `
          + `${this.node.path} in stack ${Stack.of(this).stackName} has no route to them: its VPC would need the interface endpoint(s) `
          + `${missing.join(', ')} ($7.30/month per AZ each), which a workload must not add to another stack. Declare `
          + `'jobAccess: ${JSON.stringify(declared(access))}' on the BatchPlatform in its own stack.`);
      }
    }
    ComputeReachability.require(requester, this.vpc, this.computeEnvironment.vpcSubnets, requirements);
  }

  public onDemandJobQueue(requester: IConstruct): batch.IJobQueue {
    const fallback = this.computeEnvironment?.fallbackComputeEnvironment;
    if (!fallback) {
      throw new ValidationError(`${requester.node.path} falls back to On-Demand but its platform ${this.node.path} has no On-Demand compute: create the platform with `
        + "'onDemandFallback: true' (or a SpotComputeEnvironment with 'onDemandFallback: true'), or leave out what asks for it: 'resubmitOnDemand' of a workload, 'onDemandFallback' of a workflow step.");
    }
    // The same scheduling policy: a resubmitted job carries its share identifier there too, under the same weights.
    this.onDemandQueue ??= new batch.JobQueue(this, 'OnDemandJobQueue', {
      computeEnvironments: [{ computeEnvironment: fallback, order: 1 }],
      schedulingPolicy: this.schedulingPolicy,
    });
    return this.onDemandQueue;
  }

  public teamCap(team: string): TeamCap | undefined {
    return this.teamCaps.get(team);
  }

  /**
   * The fixed monthly idle cost of what the platform created: its network (compute scales to zero and costs nothing
   * idle). A brought VPC is counted where it is defined. The same figure as `CostReport.of(platform)`.
   */
  public costLineItems(): CostLineItem[] {
    return subtreeCostLineItems(this);
  }

  private createCompute(props: BatchPlatformProps): SpotComputeEnvironment {
    const vpc = props.vpc ?? new CostOptimizedVpc(this, 'Vpc', { egress: props.egress });
    return new SpotComputeEnvironment(this, 'Compute', {
      vpc,
      vpcSubnets: props.vpcSubnets,
      platform: props.computePlatform,
      spot: props.spot,
      maxvCpus: props.maxvCpus,
      onDemandFallback: props.onDemandFallback,
    });
  }
}

class ImportedBatchPlatform extends Resource implements IBatchPlatform {
  public readonly jobQueue: batch.IJobQueue;
  public readonly computePlatform: ComputePlatform;
  public readonly architecture: CpuArchitecture;
  public readonly assignPublicIp: boolean;
  public readonly alarmTopic?: sns.ITopic;
  public readonly fairShare: boolean;
  private readonly onDemandQueue?: batch.IJobQueue;

  constructor(scope: Construct, id: string, attrs: BatchPlatformAttributes) {
    super(scope, id);
    if (attrs.onDemandJobQueueArn !== undefined) {
      this.onDemandQueue = batch.JobQueue.fromJobQueueArn(this, 'OnDemandJobQueue', attrs.onDemandJobQueueArn);
    }
    this.jobQueue = batch.JobQueue.fromJobQueueArn(this, 'JobQueue', attrs.jobQueueArn);
    this.computePlatform = attrs.computePlatform ?? ComputePlatform.EC2;
    this.architecture = attrs.architecture ?? CpuArchitecture.X86_64;
    this.assignPublicIp = attrs.assignPublicIp ?? false;
    this.alarmTopic = attrs.alarmTopic;
    this.fairShare = attrs.fairShare ?? false;
  }

  public teamCap(_team: string): TeamCap | undefined {
    return undefined;
  }

  public requireJobAccess(requester: IConstruct, access: JobAccess): void {
    rejectUnknownKeys('JobAccess', access);
    if (!(access.secretsManager || access.ssmParameters)) return;
    Annotations.of(requester).addWarningV2('cdk-scheduled-batch:unverifiedJobAccess',
      inHostSpelling(`${requester.node.path} reads ${describeAccess(access)} on the imported platform ${this.node.path}, whose network this app cannot see. `
      + "Without NAT its VPC needs the matching interface endpoints: declare 'jobAccess' on the BatchPlatform where it is defined. "
      + 'Acknowledge this warning once verified.'));
  }

  public onDemandJobQueue(requester: IConstruct): batch.IJobQueue {
    if (!this.onDemandQueue) {
      throw new ValidationError(`${requester.node.path} falls back to On-Demand but the imported platform ${this.node.path} has no 'onDemandJobQueueArn': `
        + 'give the ARN of onDemandJobQueue() of the platform where it is defined, or remove \'onDemandFallback\'.');
    }
    return this.onDemandQueue;
  }
}

function declared(access: JobAccess): JobAccess {
  return { ...(access.secretsManager ? { secretsManager: true } : {}), ...(access.ssmParameters ? { ssmParameters: true } : {}) };
}

function describeAccess(access: JobAccess): string {
  return [access.secretsManager ? 'Secrets Manager secrets' : undefined, access.ssmParameters ? 'SSM parameters' : undefined]
    .filter(x => x).join(' and ');
}

function validatePlatformProps(props: BatchPlatformProps): void {
  // Checked here, so that the message names this prop (the compute environment calls it 'platform').
  validateEnum('computePlatform', props.computePlatform, ComputePlatform, 'ComputePlatform');
  rejectConflicts(props, 'jobQueue');
  rejectConflicts(props, 'computeEnvironment');
  rejectConflicts(props, 'vpc');
  const limit = props.runnableTimeLimit;
  validateInstanceOf('runnableTimeLimit', limit, Duration, 'a Duration, e.g. Duration.hours(4)');
  if (limit?.isUnresolved()) {
    throw new ValidationError("'runnableTimeLimit' is a token: aws-cdk-lib checks a job queue's time limit at synth, so it needs a concrete value. Give e.g. Duration.hours(4), or leave it out for the default.");
  }
  if (limit) {
    const s = limit.toSeconds({ integral: false });
    if (s < RUNNABLE_TIME_LIMITS.min.toSeconds() || s > RUNNABLE_TIME_LIMITS.max.toSeconds()) {
      throw new ValidationError(`'runnableTimeLimit' must be from 10 minutes to 1 day, got ${limit.toHumanString()}: AWS Batch job state time limits accept 600-86,400 seconds.`);
    }
    validateDuration('runnableTimeLimit', limit, {
      minSeconds: RUNNABLE_TIME_LIMITS.min.toSeconds(),
      maxSeconds: RUNNABLE_TIME_LIMITS.max.toSeconds(),
      why: '(AWS Batch job state time limits)',
      fix: 'e.g. Duration.hours(4), or leave it out for the default',
    });
  }
  if (props.maxvCpus !== undefined && !Token.isUnresolved(props.maxvCpus) && props.maxvCpus < 1) {
    throw new ValidationError(`'maxvCpus' must be at least 1, got ${props.maxvCpus}: a platform that can run nothing would leave every job RUNNABLE.`);
  }
}

function runnableTimeLimitActions(capacityWait: Duration): batch.JobStateTimeLimitAction[] {
  const Reason = batch.JobStateTimeLimitActionsReason;
  const cancel = (reason: batch.JobStateTimeLimitActionsReason, maxTime: Duration): batch.JobStateTimeLimitAction =>
    ({ reason, maxTime, action: batch.JobStateTimeLimitActionsAction.CANCEL });
  return [
    cancel(Reason.INSUFFICIENT_INSTANCE_CAPACITY, capacityWait),
    cancel(Reason.COMPUTE_ENVIRONMENT_MAX_RESOURCE, capacityWait),
    cancel(Reason.JOB_RESOURCE_REQUIREMENT, RUNNABLE_TIME_LIMITS.resourceRequirement),
  ];
}
