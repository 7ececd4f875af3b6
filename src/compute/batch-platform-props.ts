import { Duration } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ComputePlatform } from './compute-platform';
import { FairShareOptions } from './fair-share';
import { SpotComputeEnvironment } from './spot-compute-environment';
import { EgressProfile } from '../network/cost-optimized-vpc-props';

/** What the jobs on a platform read at start, so the platform's network can reach it. */
export interface JobAccess {
  /**
   * Jobs read secrets from AWS Secrets Manager (without NAT: the `secretsmanager` endpoint).
   * @default false
   */
  readonly secretsManager?: boolean;
  /**
   * Jobs read parameters from SSM Parameter Store (without NAT: the `ssm` endpoint).
   * @default false
   */
  readonly ssmParameters?: boolean;
}

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
   * Bring your own job queue (it may serve other workloads). No compute environment or VPC is created then. Jobs are
   * still checked against its compute environments at synth when their instance sizes are known (a
   * `ManagedEc2EcsComputeEnvironment` with `instanceTypes`/`instanceClasses` of known families); an imported queue or
   * compute environment, `optimal`, or tokens are not checked.
   * @default - a new job queue over the platform's compute environments
   */
  readonly jobQueue?: batch.IJobQueue;

  /**
   * How long a job may stay RUNNABLE for lack of capacity (`INSUFFICIENT_INSTANCE_CAPACITY`) or because every compute
   * environment's vCPU maximum is smaller than the job needs (`COMPUTE_ENVIRONMENT_MAX_RESOURCE`) before the queue
   * cancels it. Jobs that ask for more than any instance offers (`JOB_RESOURCE_REQUIREMENT`) are cancelled after 10
   * minutes. A job waiting for its team's share or cap on a fair-share queue is waiting its turn, not blocked, and is
   * never cancelled by this (docs/fair-share.md). Only applies to a queue the platform creates. Between 10 minutes and
   * 1 day.
   * @default Duration.hours(4)
   */
  readonly runnableTimeLimit?: Duration;

  /**
   * Topic every workload on this platform sends its alarms to.
   * @default - a new topic that accepts only TLS connections
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * What the jobs on this platform read at start, declared up front: workloads in other stacks cannot add the VPC
   * endpoints they need to this platform's stack themselves.
   * @default - only what workloads in the platform's own stack ask for
   */
  readonly jobAccess?: JobAccess;

  /**
   * The KMS key of the log groups the platform's workloads share: the job log and the run state log. A key of this
   * app gets the statement that lets CloudWatch Logs use it in its key policy
   * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html); give an imported key that
   * statement yourself. A workload with a `logEncryptionKey` of its own keeps its logs apart, under its own key.
   * @default - CloudWatch Logs' own encryption at rest
   */
  readonly sharedLogEncryptionKey?: kms.IKey;

  /**
   * Share the queue between teams by weight (an AWS Batch fair-share scheduling policy), with optional vCPU caps per
   * team. Every workload and workflow step on the platform then names its `team`, which every submission carries.
   * Only for a queue the platform creates; an existing FIFO queue cannot take a policy, so turning this on replaces
   * the queue (docs/compatibility.md).
   * @default - first in, first out
   * @see https://docs.aws.amazon.com/batch/latest/userguide/job_scheduling.html
   */
  readonly fairShare?: FairShareOptions;

  /**
   * Create the platform dashboard: one CloudWatch dashboard ($3/month) for all the platform's workloads, with the
   * queue's `AWS/Batch` metrics and, per workload and team, success rate, duration, late and failed runs, Spot
   * interruptions and estimated cost from the run engine's events (kept in a log group of the platform, under
   * `sharedLogEncryptionKey` when given). `PlatformDashboard` has the details. On a workload, this is the dashboard of
   * the platform it creates; `dashboard` is the workload's own.
   * @default false
   */
  readonly platformDashboard?: boolean;
}
