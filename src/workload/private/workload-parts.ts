import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PlatformRuns } from './platform-runs';
import { IBatchPlatform } from '../../compute/batch-platform';
import { BatchJob } from '../../jobs/batch-job';
import { BatchJobOptions } from '../../jobs/batch-job-options';
import { builtByLibrary } from '../../private/struct-keys';
import { JobSchedule, JobScheduleOptions } from '../../runs/job-schedule';

/** What a workload has built when its schedule is made. */
export interface WorkloadSoFar {
  readonly scope: Construct;
  readonly platform: IBatchPlatform;
  readonly job: BatchJob;
  readonly notificationTopic: sns.ITopic;
}

/**
 * The workload's job: on the platform's shared job log group and execution role unless its props need its own (a
 * retention or key of its own; secrets, an ECR or asset image, registry credentials).
 */
export function createWorkloadJob(scope: Construct, platform: IBatchPlatform, props: BatchJobOptions, shared: PlatformRuns): BatchJob {
  const ownLogGroup = props.logRetention !== undefined || props.logEncryptionKey !== undefined;
  const sharedExecutionRole = !ownLogGroup && Object.keys(props.secrets ?? {}).length === 0 && isPublicImage(props.image);
  return new BatchJob(scope, 'Job', builtByLibrary({
    ...props,
    platform,
    logGroup: ownLogGroup ? undefined : shared.jobLogGroup,
    executionRole: sharedExecutionRole ? shared.jobExecutionRole : undefined,
  }));
}

/**
 * The workload's schedule, in the platform's schedule group with its dead-letter queue; a tracked run is started by
 * the platform's scheduler role (its state machine tagged for it) and logs to the platform's state log, or, with a
 * `logEncryptionKey`, to a state log of its own encrypted with that key. With a deploy-time verification, what names
 * the job revision waits for it (the schedule, its tracker and an untracked schedule's own role register themselves
 * with the job's gates): updated earlier, a policy that allows only the new revision would refuse the old one the
 * schedule still submits while the run is verified. The platform's scheduler role names no revision (it starts state
 * machines by tag).
 */
export function createWorkloadSchedule(workload: WorkloadSoFar,
  props: JobScheduleOptions & { readonly resubmitOnDemand?: boolean; readonly logEncryptionKey?: kms.IKey }, shared: PlatformRuns): JobSchedule {
  const trackRuns = props.trackRuns ?? true;
  const ownRunLog = trackRuns && props.logEncryptionKey !== undefined;
  const schedule = new JobSchedule(workload.scope, 'Schedule', builtByLibrary({
    ...props,
    job: workload.job,
    notificationTopic: trackRuns ? workload.notificationTopic : undefined,
    runName: trackRuns ? workload.scope.node.path : undefined,
    onDemandJobQueue: props.resubmitOnDemand ? workload.platform.onDemandJobQueue(workload.scope) : undefined,
    scheduleGroup: shared.scheduleGroup,
    deadLetterQueue: shared.deadLetterQueue,
    schedulerRole: trackRuns ? shared.schedulerRole : undefined,
    runLogGroup: trackRuns && !ownRunLog ? shared.runLogGroup : undefined,
    runLogEncryptionKey: ownRunLog ? props.logEncryptionKey : undefined,
  }));
  if (schedule.tracker) shared.admit(schedule.tracker.stateMachine);
  return schedule;
}

/**
 * Whether `image` is pulled without credentials from a registry other than ECR (`ContainerImage.fromRegistry(name)`):
 * then the execution role needs no grant for it. An ECR or asset image needs a pull grant, and registry credentials
 * are a secret: either makes the job's execution role its own.
 */
function isPublicImage(image: ecs.ContainerImage | undefined): boolean {
  if (!(image instanceof ecs.RepositoryImage)) return false;
  // RepositoryImage keeps its props private; test/fleet.test.ts checks that an image with credentials is recognised.
  return (image as unknown as { readonly props?: ecs.RepositoryImageProps }).props?.credentials === undefined;
}
