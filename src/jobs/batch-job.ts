import { Annotations, Duration, Names, Size, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BatchJobOptions, JOB_DEFAULTS } from './batch-job-options';
import { BatchJobAttributes, IBatchJob } from './batch-job-ref';
import { HardenedRepository } from './hardened-repository';
import { ImportedBatchJob } from './private/imported-batch-job';
import { createJobLogGroup } from './private/job-log-group';
import { IBatchPlatform } from '../compute/batch-platform';
import { ComputePlatform } from '../compute/compute-platform';
import { CostCategory, CostLineItem, ICostEstimable, UnitPrices } from '../cost/cost';
import { lineItem } from '../private/cost-math';
import { subtreeCostLineItems } from '../private/cost-walk';
import { createDataBucket, grantDataBucket } from './private/data-bucket';
import { validateImageTag } from './private/image-tag';
import { CpuArchitecture } from '../compute/spot-compute-environment-props';
import { capUnits, jobShare, limitToShare } from '../private/fair-share';
import { validateJobOptions } from '../private/job-options';
import { validatedResources } from './private/job-resources';
import { InlinePolicyRole } from '../private/inline-policy-role';
import { tagJobDefinition } from '../private/job-tags';
import { acknowledgeWildcardResource } from '../private/nag';
import { defaultRetryStrategies } from './private/retry';
import { isSecretsManagerSecret, secretKey, sortedRecord } from './private/secrets';
import { inHostSpelling, ValidationError } from '../private/prop-names';
import { RevisionGates } from '../private/revision-gate';
import { rejectUnknownKeys } from '../private/struct-keys';
import { JOB_NAME_PREFIX_MAX } from '../runs/engine/expressions';

/** Properties of a {@link BatchJob}. */
export interface BatchJobProps extends BatchJobOptions {
  /** The platform whose queue runs the job: it decides EC2 or Fargate, the CPU architecture and the network. */
  readonly platform: IBatchPlatform;

  /**
   * The log group the job writes to (one shared by many jobs, such as a platform's: each job's streams start with its
   * job name). Not with `logRetention` or `logEncryptionKey`, which shape a new group.
   * @default - a new log group for this job
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * The execution role, shared with other jobs (such as a platform's, for jobs that pull a public image and write to
   * the same `logGroup`): the job's image and log grants are added to it. Not with `secrets`, which only the job's
   * own execution role may read.
   * @default - a new role for this job
   */
  readonly executionRole?: iam.IRole;
}

/**
 * An AWS Batch job ready to submit: job definition, container, execution and job roles, log group, and the image
 * (from a `HardenedRepository` by default), with retries that tell Spot reclaims from application errors.
 *
 * @example
 * declare const platform: BatchPlatform;
 * const job = new BatchJob(this, 'Report', {
 *   platform,
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
 *   command: ['python', '-c', 'print("hello")'],
 * });
 */
export class BatchJob extends Construct implements IBatchJob, ICostEstimable {
  /** A job defined elsewhere (another stack or app), for schedules, trackers and run APIs of this app. */
  public static fromBatchJobAttributes(scope: Construct, id: string, attrs: BatchJobAttributes): IBatchJob {
    rejectUnknownKeys('BatchJobAttributes', attrs);
    return new ImportedBatchJob(scope, id, attrs);
  }

  /** The platform the job runs on. */
  public readonly platform: IBatchPlatform;
  /** The job definition. */
  public readonly jobDefinition: batch.EcsJobDefinition;
  /** The container the job runs. */
  public readonly container: batch.IEcsContainerDefinition;
  /** The repository the image comes from, when the job created it. */
  public readonly repository?: ecr.IRepository;
  /** The job's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** The queue runs are submitted to (the platform's). */
  public readonly jobQueue: batch.IJobQueue;
  /** The role ECS uses to pull the image, write logs and read secrets. */
  public readonly executionRole: iam.IRole;
  private ownJobRole?: iam.Role;
  /** The data bucket, when given or created. */
  public readonly dataBucket?: s3.IBucket;
  /** The job definition's name, also the name submitted jobs get. */
  public readonly jobName: string;
  /** The attempt timeout. */
  public readonly timeout: Duration;
  /** Attempts per job, the first included. */
  public readonly retryAttempts: number;
  /** The declared parameters and their defaults (a run may override these only). */
  public readonly parameters: { [name: string]: string };
  /** The share identifier (`team`) every submission carries, on a fair-share platform. */
  public readonly shareIdentifier?: string;
  /** The scheduling priority every submission carries, on a fair-share platform. */
  public readonly schedulingPriority?: number;
  private overlapLock?: batch.CfnConsumableResource;
  /** The consumable resources the job definition requires: its team's cap, the overlap lock. */
  private readonly consumables: { arn: string; quantity: number }[] = [];
  private readonly submitStatements: iam.PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: BatchJobProps) {
    super(scope, id);
    rejectUnknownKeys('BatchJobProps', props);
    validateJobOptions(props);
    warnRiskyContainer(this, props);
    this.platform = props.platform;
    this.jobQueue = props.platform.jobQueue;
    validateContainerOptions(props);
    const { cpu, memory } = validatedResources(this, props.platform, props.cpu ?? JOB_DEFAULTS.cpu, props.memory ?? JOB_DEFAULTS.memory);
    this.timeout = props.timeout ?? JOB_DEFAULTS.timeout;
    this.retryAttempts = props.retryAttempts ?? JOB_DEFAULTS.retryAttempts;
    this.parameters = sortedRecord(props.parameters) ?? {};
    // At most the length a run's job-name prefix keeps (JOB_NAME_PREFIX_MAX): the name ends with a hash of the path, and
    // a longer one would lose it there, so two long ids alike up to that length would see each other's runs.
    this.jobName = Names.uniqueResourceName(this, { maxLength: JOB_NAME_PREFIX_MAX, separator: '-' });
    ({ shareIdentifier: this.shareIdentifier, schedulingPriority: this.schedulingPriority } =
      jobShare(this.node.path, props.platform.fairShare, props.team, props.schedulingPriority));

    let image = props.image;
    if (!image) {
      this.repository = props.repository ?? this.createRepository(props);
      image = ecs.ContainerImage.fromEcrRepository(this.repository, props.imageTag ?? JOB_DEFAULTS.imageTag);
    }

    if (props.logGroup) {
      const shaping = (['logRetention', 'logEncryptionKey'] as const).filter(p => props[p] !== undefined);
      if (shaping.length > 0) {
        throw new ValidationError(`${shaping.map(p => `'${p}'`).join(' and ')} and 'logGroup' are all set: ${shaping.length > 1 ? 'they shape' : 'it shapes'} a new log group only. Set ${shaping.length > 1 ? 'them' : 'it'} on the log group you pass, or leave 'logGroup' out.`);
      }
    }
    this.logGroup = props.logGroup ?? createJobLogGroup(this, 'LogGroup', props.logRetention ?? JOB_DEFAULTS.logRetention, props.logEncryptionKey);
    if (props.executionRole && Object.keys(props.secrets ?? {}).length > 0) {
      throw new ValidationError("'executionRole' and 'secrets' are both set: the execution role reads the secrets, and a job's secrets must be readable by its own role only. Leave 'executionRole' out (the job gets its own), or pass the secrets another way.");
    }
    this.executionRole = props.executionRole ?? taskRole(this, 'ExecutionRole', 'Pulls the image, writes the job logs and reads the job secrets');
    this.container = this.createContainer(props, image, cpu, memory);
    if (!props.executionRole && (this.repository || image instanceof ecs.EcrImage)) {
      // Pulling from ECR needs the registry token, which has no resource-level permission.
      acknowledgeWildcardResource(this.executionRole, '*',
        'ecr:GetAuthorizationToken supports no resource-level permissions: IAM requires "*". Image pulls are limited to this repository.');
    }

    this.jobDefinition = this.createJobDefinition(props.retryableExitCodes ?? []);
    this.requireTeamCap(cpu);
    // Every run's ECS task carries the workload tag, whoever submits it: see src/private/job-tags.ts.
    tagJobDefinition(this.jobDefinition, this.jobName);

    this.requireSecretsAccess(props);

    if (props.dataBucket || props.createDataBucket) {
      this.dataBucket = props.dataBucket ?? createDataBucket(this);
      grantDataBucket(this.jobRole, this.dataBucket);
    }
  }

  /**
   * Allow `grantee` to submit this job to the platform's queue. SubmitJob also accepts container overrides (command,
   * environment, resources) and IAM has no condition key against them: whoever may submit may run any command in
   * this image with the job role. With a `DeployVerification` of the job, the grantee's policy is updated to a new
   * revision only once the revision is verified (a grantee in another top-level stack: its stack deploys after the
   * job's).
   * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbatch.html
   */
  public grantSubmit(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(this.submitPolicyStatement());
    // The principal's policy names the job's revision: it allows a new one only once it is verified (DeployVerification).
    RevisionGates.of(this).addPrincipal(grantee.grantPrincipal);
  }

  /**
   * A new statement that allows `batch:SubmitJob` of this job, for a policy made elsewhere (a schedule target's
   * `policyStatements`). Kept, so that a later `runOneAtATime` adds its consumable resource: no order of calls matters.
   */
  public submitPolicyStatement(): iam.PolicyStatement {
    const [queue, definition, ...consumables] = this.submitResourceArns;
    // On a fair-share queue, exactly the job's own share identifier: https://docs.aws.amazon.com/batch/latest/userguide/iam-example-share-identifier.html
    const statement = limitToShare(new iam.PolicyStatement({ actions: ['batch:SubmitJob'], resources: [definition, queue, ...consumables] }), this);
    this.submitStatements.push(statement);
    return statement;
  }

  /**
   * What `batch:SubmitJob` of this job is authorized on: the queue, the job definition and the consumable resources
   * the job definition requires (its team's cap on a fair-share platform, and the one of `runOneAtATime` once called). Grants made with `grantSubmit` follow a later
   * `runOneAtATime`; a copy of this list does not.
   * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbatch.html
   */
  public get submitResourceArns(): string[] {
    return [this.platform.jobQueue.jobQueueArn, this.jobDefinition.jobDefinitionArn, ...this.consumables.map(c => c.arn)];
  }

  /**
   * Make runs of this job wait for each other: an AWS Batch consumable resource of quantity 1 (REPLENISHABLE) that
   * the job definition requires. A run submitted while another holds it waits in RUNNABLE; the resource is taken
   * when the job moves to STARTING and returned when it reaches SUCCEEDED or FAILED. Works on any queue (FIFO or
   * fair share, EC2 or Fargate) and costs nothing. Idempotent: returns the same resource when called again. Every
   * `grantSubmit`, before or after, covers it.
   * @see https://docs.aws.amazon.com/batch/latest/userguide/resource-aware-scheduling.html
   */
  public runOneAtATime(): batch.CfnConsumableResource {
    if (!this.overlapLock) {
      this.overlapLock = new batch.CfnConsumableResource(this, 'OneRunAtATime', {
        resourceType: 'REPLENISHABLE',
        totalQuantity: 1,
      });
      this.requireConsumable(this.overlapLock.attrConsumableResourceArn, 1);
    }
    return this.overlapLock;
  }

  /**
   * On a fair-share platform whose team of this job has a cap: the job requires one unit of the team's consumable
   * resource per vCPU, so the team's running jobs never hold more than the cap. A job bigger than the cap never starts.
   */
  private requireTeamCap(cpu: number): void {
    const cap = this.shareIdentifier === undefined ? undefined : this.platform.teamCap(this.shareIdentifier);
    if (!cap) return;
    if (Token.isUnresolved(cpu)) {
      const shown = Token.isUnresolved(cap.maxvCpus) ? 'a cap' : `a cap of ${cap.maxvCpus} vCPUs`;
      throw new ValidationError(`'cpu' of ${this.node.path} is a token, and its team '${cap.team}' has ${shown}: the job's share of the cap `
        + "must be known at synth. Give 'cpu' as a number.");
    }
    // A token cap is known at deploy only: the job is not compared with it.
    if (!Token.isUnresolved(cap.maxvCpus) && capUnits(cpu) > cap.maxvCpus) {
      throw new ValidationError(`'cpu' is ${cpu} on ${this.node.path}, more than the cap of its team '${cap.team}' (maxvCpus ${cap.maxvCpus}): the job would `
        + `wait in RUNNABLE forever. Lower 'cpu' to at most ${cap.maxvCpus}, or raise the team's 'maxvCpus' in the platform's 'fairShare.shares'.`);
    }
    this.requireConsumable(cap.consumableResourceArn, capUnits(cpu));
  }

  /** Add a consumable resource to the job definition's requirements and to every submit grant made or to come. */
  private requireConsumable(arn: string, quantity: number): void {
    this.consumables.push({ arn, quantity });
    (this.jobDefinition.node.defaultChild as batch.CfnJobDefinition).consumableResourceProperties = {
      consumableResourceList: this.consumables.map(c => ({ consumableResource: c.arn, quantity: c.quantity })),
    };
    for (const statement of this.submitStatements) statement.addResources(arn);
  }

  /** The job definition's ARN, with its revision (`Ref` of the job definition). */
  public get jobDefinitionArn(): string {
    return this.jobDefinition.jobDefinitionArn;
  }

  /** The name of the job's log group. */
  /**
   * The role the job's code runs with, created the first time it is read or granted to (a job that calls no AWS API
   * gets no role and no credentials). Its statements are inline in the role.
   */
  public get jobRole(): iam.IRole {
    if (!this.ownJobRole) {
      this.ownJobRole = taskRole(this, 'JobRole', 'The permissions of the job code');
      // The container was rendered without a role: the job definition gets it here, in the same property.
      (this.jobDefinition.node.defaultChild as batch.CfnJobDefinition).addPropertyOverride('ContainerProperties.JobRoleArn', this.ownJobRole.roleArn);
    }
    return this.ownJobRole;
  }

  public get logGroupName(): string {
    return this.logGroup.logGroupName;
  }

  /** Add a statement to the job role (the permissions the job's code runs with). */
  public addToJobRolePolicy(statement: iam.PolicyStatement): void {
    this.jobRole.addToPrincipalPolicy(statement);
  }

  /**
   * Fixed monthly idle cost: KMS keys created in the job and each Secrets Manager secret it reads (counted once per
   * secret by `CostReport`, wherever the secret is defined). Everything else a job has is billed per use.
   */
  public costLineItems(): CostLineItem[] {
    const items = subtreeCostLineItems(this);
    const stack = this.jobDefinition.stack;
    for (const secret of Object.values(this.container.secrets ?? {})) {
      if (!isSecretsManagerSecret(secret)) continue; // SSM parameters are free
      items.push({
        ...lineItem(CostCategory.SECRETS, 'Secrets Manager secret', 1, UnitPrices.SECRET_MONTH),
        key: JSON.stringify(stack.resolve(secretKey(secret.arn))),
      });
    }
    return items;
  }

  /** The job definition: one literal name for every revision, retries that tell Spot reclaims from errors. */
  private createJobDefinition(retryableExitCodes: string[]): batch.EcsJobDefinition {
    return new batch.EcsJobDefinition(this, 'JobDefinition', {
      // A literal name: every revision keeps it (updates add revisions, so the name never blocks one), and the
      // per-workload event patterns match `job-definition/<name>:` without parsing the ARN in CloudFormation.
      jobDefinitionName: this.jobName,
      container: this.container,
      retryAttempts: this.retryAttempts,
      retryStrategies: defaultRetryStrategies(this.platform.computePlatform, retryableExitCodes),
      timeout: this.timeout,
      propagateTags: true,
      parameters: Object.keys(this.parameters).length > 0 ? this.parameters : undefined,
      // Keep old revisions ACTIVE on update, so a rollback (or a job still running) can use them.
      skipDeregisterOnUpdate: true,
      // Also for submissions made by hand; every submission of this library sends it as SchedulingPriorityOverride.
      schedulingPriority: this.schedulingPriority,
    });
  }

  /** The job's own repository: every tag immutable but the default moving one. */
  private createRepository(props: BatchJobProps): HardenedRepository {
    const imageTag = props.imageTag ?? JOB_DEFAULTS.imageTag;
    return new HardenedRepository(this, 'Repository', { mutableTagPatterns: imageTag === JOB_DEFAULTS.imageTag ? [imageTag] : undefined });
  }

  /** Asked of the platform in a visible call: the endpoints the secrets need when compute has no NAT. */
  private requireSecretsAccess(props: BatchJobProps): void {
    const secrets = Object.values(props.secrets ?? {});
    const secretsManager = secrets.some(isSecretsManagerSecret);
    const ssmParameters = secrets.some(s => !isSecretsManagerSecret(s));
    if (secretsManager || ssmParameters) {
      props.platform.requireJobAccess(this, { secretsManager, ssmParameters });
    }
  }

  private createContainer(props: BatchJobProps, image: ecs.ContainerImage, cpu: number, memory: Size): batch.IEcsContainerDefinition {
    const containerProps = {
      image,
      cpu,
      memory,
      command: props.command,
      environment: sortedRecord(props.environment),
      secrets: sortedRecord(props.secrets),
      executionRole: this.executionRole,
      user: props.user ?? JOB_DEFAULTS.user,
      readonlyRootFilesystem: props.readonlyRootFilesystem ?? false,
      // The job name leads each stream's name, so jobs that share a log group keep their streams apart.
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: this.jobName }),
    };
    if (this.platform.computePlatform === ComputePlatform.FARGATE) {
      return new batch.EcsFargateContainerDefinition(this, 'Container', {
        ...containerProps,
        assignPublicIp: this.platform.assignPublicIp,
        fargateCpuArchitecture: this.platform.architecture === CpuArchitecture.ARM64
          ? ecs.CpuArchitecture.ARM64
          : ecs.CpuArchitecture.X86_64,
      });
    }
    return new batch.EcsEc2ContainerDefinition(this, 'Container', {
      ...containerProps,
      privileged: props.privileged ?? false,
    });
  }
}

/** Legal choices that give the job's code power over its host or its image's files: a warning each, to acknowledge. */
function warnRiskyContainer(job: Construct, props: BatchJobProps): void {
  const user = props.user;
  if (typeof user === 'string' && !Token.isUnresolved(user) && ['root', '0'].includes(user.split(':')[0])) {
    Annotations.of(job).addWarningV2('cdk-scheduled-batch:rootUser',
      inHostSpelling(`'user' is '${user}': the container runs as root, so a flaw in the job's code can write anywhere in the container and reach the host through any mount. `
      + `Run as a non-root user (the default '${JOB_DEFAULTS.user}'), or acknowledge this warning if the image needs root.`));
  }
  if (props.privileged === true) {
    Annotations.of(job).addWarningV2('cdk-scheduled-batch:privilegedContainer',
      inHostSpelling("'privileged' is true: the container gets root access to its EC2 host (every device, every other job's containers on it). "
      + 'Remove it unless the job needs the host (e.g. Docker-in-Docker), and then acknowledge this warning.'));
  }
}

/** Container options that need the platform: an image tag ECR takes, no privileged container on Fargate. */
function validateContainerOptions(props: BatchJobProps): void {
  if (props.imageTag !== undefined) validateImageTag('imageTag', props.imageTag);
  if (props.privileged && props.platform.computePlatform === ComputePlatform.FARGATE) {
    throw new ValidationError("'privileged' is true but the job runs on Fargate, which does not support privileged containers: remove 'privileged' or use ComputePlatform.EC2.");
  }
}

/** A role ECS tasks assume, its statements inline (one resource). */
function taskRole(scope: Construct, id: string, description: string): iam.Role {
  return new InlinePolicyRole(scope, id, { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'), description });
}
