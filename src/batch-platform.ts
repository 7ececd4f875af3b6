import { Duration, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ComputePlatform } from './compute-platform';
import { CostLineItem, ICostEstimable } from './cost';
import { CostOptimizedVpc, EgressProfile } from './cost-optimized-vpc';
import { createAlarmTopic } from './private/alarm-topic';
import { SpotComputeEnvironment } from './spot-compute-environment';

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

/** Properties of a {@link BatchPlatform}. */
export interface BatchPlatformProps {
  /**
   * The VPC to run compute in.
   * @default - a new `CostOptimizedVpc` with the default egress profile
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` to run compute in.
   * @default - the VPC's compute subnets (`CostOptimizedVpc.computeSubnets`), else its private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * How a new VPC reaches AWS and the internet. Only used when the platform creates its VPC.
   * @default - the `CostOptimizedVpc` default
   */
  readonly egress?: EgressProfile;

  /**
   * Where jobs run: EC2 container instances or Fargate tasks.
   * With a brought `computeEnvironment` its platform is used; with a brought `jobQueue`, say here what it runs on.
   * @default ComputePlatform.EC2
   */
  readonly computePlatform?: ComputePlatform;

  /**
   * Run on Spot capacity.
   * @default true
   */
  readonly spot?: boolean;

  /**
   * The most vCPUs the compute environment may run at once.
   * @default 256
   */
  readonly maxvCpus?: number;

  /**
   * Add an On-Demand compute environment after the Spot one in the queue order.
   * @default false
   */
  readonly onDemandFallback?: boolean;

  /**
   * Bring your own compute.
   * @default - a new `SpotComputeEnvironment`
   */
  readonly computeEnvironment?: SpotComputeEnvironment;

  /**
   * Bring your own job queue (it may serve other workloads). No compute environment or VPC is created then.
   * @default - a new job queue over the platform's compute environments
   */
  readonly jobQueue?: batch.IJobQueue;

  /**
   * How long a job may stay RUNNABLE for lack of capacity (`INSUFFICIENT_INSTANCE_CAPACITY`) or because the compute
   * environment is at its vCPU maximum (`COMPUTE_ENVIRONMENT_MAX_RESOURCE`) before the queue cancels it.
   * Jobs that ask for more than any instance offers (`JOB_RESOURCE_REQUIREMENT`) are cancelled after 10 minutes.
   * Only applies to a queue the platform creates. Between 10 minutes and 1 day.
   * @default Duration.hours(4)
   */
  readonly runnableTimeLimit?: Duration;

  /**
   * Topic every workload on this platform sends its alarms to.
   * @default - a new topic that accepts only TLS connections
   */
  readonly alarmTopic?: sns.ITopic;
}

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
export class BatchPlatform extends Construct implements ICostEstimable {
  /** The VPC compute runs in; undefined when the platform was given only a `jobQueue`. */
  public readonly vpc?: ec2.IVpc;
  /** The compute; undefined when the platform was given only a `jobQueue`. */
  public readonly computeEnvironment?: SpotComputeEnvironment;
  /** The job queue workloads submit to. */
  public readonly jobQueue: batch.IJobQueue;
  /** Where jobs run. */
  public readonly computePlatform: ComputePlatform;
  /** Whether Fargate jobs need a public IP (Fargate in public subnets). */
  public readonly assignPublicIp: boolean;
  /** Topic the workloads' alarms go to. */
  public readonly alarmTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: BatchPlatformProps = {}) {
    super(scope, id);
    validatePlatformProps(props);

    if (props.jobQueue) {
      this.jobQueue = props.jobQueue;
      this.computePlatform = props.computePlatform ?? ComputePlatform.EC2;
      this.assignPublicIp = false;
    } else {
      const compute = props.computeEnvironment ?? this.createCompute(props);
      this.computeEnvironment = compute;
      this.vpc = compute.vpc;
      this.computePlatform = compute.platform;
      this.assignPublicIp = compute.assignPublicIp;
      this.jobQueue = new batch.JobQueue(this, 'JobQueue', {
        computeEnvironments: compute.orderedComputeEnvironments(),
        jobStateTimeLimitActions: runnableTimeLimitActions(props.runnableTimeLimit ?? RUNNABLE_TIME_LIMITS.defaultCapacityWait),
      });
    }

    this.alarmTopic = props.alarmTopic ?? createAlarmTopic(this, 'AlarmTopic');
  }

  /** The fixed monthly idle cost of the platform's network (compute scales to zero and costs nothing idle). */
  public costLineItems(): CostLineItem[] {
    return this.vpc instanceof CostOptimizedVpc ? this.vpc.costLineItems() : [];
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

function validatePlatformProps(props: BatchPlatformProps): void {
  if (props.jobQueue) {
    const conflicting = (['vpc', 'vpcSubnets', 'egress', 'spot', 'maxvCpus', 'onDemandFallback', 'computeEnvironment', 'runnableTimeLimit'] as const)
      .filter(k => props[k] !== undefined);
    if (conflicting.length > 0) {
      throw new Error(`'jobQueue' was given together with ${conflicting.map(k => `'${k}'`).join(', ')}: a brought job queue already has its compute. Remove ${conflicting.length > 1 ? 'those props' : 'that prop'}, or drop 'jobQueue' to let the platform create the queue.`);
    }
  }
  if (props.computeEnvironment) {
    const conflicting = (['vpc', 'vpcSubnets', 'egress', 'computePlatform', 'spot', 'maxvCpus', 'onDemandFallback'] as const)
      .filter(k => props[k] !== undefined);
    if (conflicting.length > 0) {
      throw new Error(`'computeEnvironment' was given together with ${conflicting.map(k => `'${k}'`).join(', ')}: those configure the compute the platform would create. Set them on your SpotComputeEnvironment instead.`);
    }
  }
  if (props.egress && props.vpc) {
    throw new Error("'egress' was given together with 'vpc': egress profiles configure a new CostOptimizedVpc. Pass `new CostOptimizedVpc(this, 'Vpc', { egress })` as 'vpc', or drop one of them.");
  }
  const limit = props.runnableTimeLimit;
  if (limit && !limit.isUnresolved()) {
    const s = limit.toSeconds();
    if (s < RUNNABLE_TIME_LIMITS.min.toSeconds() || s > RUNNABLE_TIME_LIMITS.max.toSeconds()) {
      throw new Error(`'runnableTimeLimit' must be from 10 minutes to 1 day, got ${limit.toHumanString()}: AWS Batch job state time limits accept 600-86,400 seconds.`);
    }
  }
  if (props.maxvCpus !== undefined && !Token.isUnresolved(props.maxvCpus) && props.maxvCpus < 1) {
    throw new Error(`'maxvCpus' must be at least 1, got ${props.maxvCpus}: a platform that can run nothing would leave every job RUNNABLE.`);
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
