import { Annotations, CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { IBatchJob } from '../jobs/batch-job-ref';
import { acknowledgeVerificationFindings, grantLogWrite } from './private/verification-findings';
import { VERIFICATION_HANDLER_SOURCE } from './private/verification-handler';
import { VERIFICATION_LIMITS, verificationJobNamePrefix, verificationTimesFor } from './private/verification-limits';
import { validateArraySize } from '../private/array-size';
import { shareArguments } from '../private/fair-share';
import { jobsArn, tagOnSubmitStatement, terminateTaggedStatement } from '../private/job-tags';
import { logEncryption, skipLogKeyCheckWithoutKey } from '../private/log-encryption';
import { inHostSpelling } from '../private/prop-names';
import { RevisionGates } from '../private/revision-gate';
import { rejectUnknownKeys } from '../private/struct-keys';
import { validateLogRetention } from '../private/validate';

/**
 * What a deploy-time verification runs and how long the deployment waits for it. Shared by
 * `DeployVerificationProps` and `ScheduledBatchWorkloadProps`.
 */
export interface DeployVerificationOptions {
  /**
   * Run each new revision of the job definition once, during the deployment that brings it, on the job's own queue,
   * and fail the deployment (CloudFormation rolls back; the schedule keeps the previous revision) unless it reaches
   * SUCCEEDED within `verificationTimeout`. A deployment that does not change the job definition runs nothing.
   * The run gets the deploy time as its scheduled time, as a scheduled run gets its own (the `scheduledTime` parameter
   * and `SCHEDULED_TIME`); a workload with `arraySize` is verified as an array job of 2 children.
   * Adds a Lambda-backed custom resource (docs/operations.md, "Releasing a new image").
   * @default false
   */
  readonly verifyOnDeploy?: boolean;

  /**
   * The command the verification run executes instead of the job's own (e.g. a self-test of the image).
   * @default - the job's own command
   */
  readonly verificationCommand?: string[];

  /**
   * How long the deployment waits for the verification run to succeed, counted from its submission (queueing,
   * instance start and image pull included); then the run is terminated and the deployment fails. At most 55 minutes
   * (a CloudFormation custom resource must answer within 1 hour). The run keeps the job's retry strategy; its
   * attempts are given `verificationAttemptTimeout` so that they fit in this wait after 10 minutes to start.
   * @default - attempts x attempt timeout + 10 minutes, at most 55 minutes
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html
   */
  readonly verificationTimeout?: Duration;

  /**
   * The attempt timeout of the verification run (SubmitJob's `timeout` override), at least 1 minute and at most the
   * job's own `timeout`. A verification that runs the job's own command needs one long enough for the job; a short
   * `verificationCommand` (a self-test) needs little.
   * @default - the job's own `timeout` when attempts x timeout + 10 minutes fit in `verificationTimeout` (55 minutes
   * by default), else the longest whole number of minutes that fits (15 minutes for the default 3 attempts)
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html
   */
  readonly verificationAttemptTimeout?: Duration;
}

/** Properties of a {@link DeployVerification}. */
export interface DeployVerificationProps {
  /** The job whose new revisions are verified, on its platform's queue. */
  readonly job: IBatchJob;

  /**
   * The command the verification run executes instead of the job's own.
   * @default - the job's own command
   */
  readonly command?: string[];

  /**
   * Run the verification as an array job of this many children (2 to 10,000), for a job whose runs are array jobs:
   * each child reads `AWS_BATCH_JOB_ARRAY_INDEX` as in a real run.
   * @default - one job, not an array
   */
  readonly arraySize?: number;

  /**
   * How long the deployment waits for the verification run to succeed (see `verificationTimeout`).
   * @default - attempts x attempt timeout + 10 minutes, at most 55 minutes
   */
  readonly timeout?: Duration;

  /**
   * The attempt timeout of the verification run (see `verificationAttemptTimeout`).
   * @default - the job's own `timeout` when the attempts fit in the wait, else the longest whole number of minutes that fits
   */
  readonly attemptTimeout?: Duration;

  /**
   * Days to keep the logs of the verification functions and of the Provider framework.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * KMS key to encrypt the verification's log group with (the functions', the Provider framework's and its waiter's
   * logs). Its key policy gets the statement CloudWatch Logs needs (the `logs.<region>.amazonaws.com` service principal,
   * for log groups of this account and region) when the key is of this app; an imported key's policy must hold it.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
}

/** The warning id of a verification created in another stack than its job (see {@link DeployVerification}). */
export const VERIFICATION_STACK_WARNING_ID = 'cdk-scheduled-batch:verificationInOtherStack';

/**
 * Runs each new revision of a {@link BatchJob}'s job definition once while CloudFormation deploys it, and fails the
 * deployment unless the run succeeds: a custom resource (CDK Provider framework, `onEvent` submits, `isComplete`
 * polls every 30 seconds) whose only input that matters is the job definition's ARN with its revision. Unchanged job,
 * no run. The run is named `<jobName>-verify-<time>` so alarms can leave it out (`BatchAlarmsProps.ignoredJobNamePrefix`)
 * and is not a tracked run.
 *
 * Whatever names the job's revision and can submit it waits for {@link resource}, so that a new revision is reachable
 * only once it has been verified: every `JobSchedule`, `RunTracker`, `ScheduledBatchWorkflow` and `RunApi` route of
 * the job, and every policy `grantSubmit` of the job adds (a user's or pipeline's role), created before or after the
 * verification, in the job's stack or a nested stack of the same top-level stack. A principal in another top-level
 * stack names the job definition through a stack export, so its stack deploys after the job's (verification included).
 * What is allowed the job definition by other means (a policy on `job-definition/<name>:*`, written by hand) is not
 * held back: the revision exists, registered with AWS Batch, from the moment CloudFormation creates it. Make anything
 * else that should switch only after a successful verification depend on {@link resource}.
 *
 * @example
 * declare const job: BatchJob;
 * new DeployVerification(this, 'Verify', { job, command: ['python', '-c', 'import report'] });
 */
export class DeployVerification extends Construct {
  /** The longest `timeout` accepted: 55 minutes. */
  public static readonly MAX_TIMEOUT = VERIFICATION_LIMITS.maxTimeout;
  /** How often the run's status is read: every 30 seconds. */
  public static readonly QUERY_INTERVAL = VERIFICATION_LIMITS.queryInterval;

  /** The custom resource; depend on it to switch something over only after a successful verification. */
  public readonly resource: CustomResource;
  /** The Provider framework (its functions and waiter state machine). */
  public readonly provider: cr.Provider;
  /** The function that submits the verification run. */
  public readonly submitFunction: lambda.Function;
  /** The function that reads the run's status and terminates it at the deadline. */
  public readonly checkFunction: lambda.Function;
  /** The log group of every function of the verification and of the waiter state machine. */
  public readonly logGroup: logs.LogGroup;
  /** How long the deployment waits for the run. */
  public readonly timeout: Duration;
  /** The attempt timeout the run is submitted with, when not the job's own (undefined: the job's own). */
  public readonly attemptTimeout?: Duration;
  /** Every verification run's job name starts with this. */
  public readonly jobNamePrefix: string;

  constructor(scope: Construct, id: string, props: DeployVerificationProps) {
    super(scope, id);
    rejectUnknownKeys('DeployVerificationProps', props);
    validateLogRetention('logRetention', props.logRetention);
    validateArraySize('arraySize', props.arraySize);
    const job = props.job;
    const times = verificationTimesFor(job, {
      timeoutProp: 'timeout',
      attemptTimeoutProp: 'attemptTimeout',
      commandProp: 'command',
      timeout: props.timeout,
      attemptTimeout: props.attemptTimeout,
      command: props.command,
    });
    this.timeout = times.timeout;
    this.attemptTimeout = times.attemptTimeout;
    this.jobNamePrefix = verificationJobNamePrefix(job.jobName);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      ...logEncryption(this, props.logEncryptionKey),
    });
    skipLogKeyCheckWithoutKey(this.logGroup, props.logEncryptionKey,
      'Deploy-time function and waiter logs (job ids and statuses)', 'logEncryptionKey');
    this.submitFunction = this.createFunction('Submit', 'onEvent', 'Submits the deploy-time verification run of a new job-definition revision');
    this.checkFunction = this.createFunction('Check', 'isComplete', 'Reads the verification run status; terminates it at its deadline');

    // Submit: this job definition (every revision: the ARN changes with each) to this queue, nothing else, and the
    // job's consumable resource when it runs one at a time (whenever `runOneAtATime` is called). Not `grantSubmit`,
    // whose policy waits for the verification: this one must be there before it. The run carries the workload tag,
    // and the check may stop only a job that carries it (src/private/job-tags.ts).
    this.submitFunction.addToRolePolicy(job.submitPolicyStatement());
    this.submitFunction.addToRolePolicy(tagOnSubmitStatement(job, [job.jobName]));
    const jobs = jobsArn(this);
    this.checkFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['batch:DescribeJobs'], resources: ['*'] }));
    this.checkFunction.addToRolePolicy(terminateTaggedStatement(this, [job.jobName]));

    // The framework's own roles, without the AWSLambdaBasicExecutionRole managed policy it would attach.
    const frameworkRoles = [
      lambdaRole(this, 'FrameworkOnEventRole', 'Provider framework: starts the verification waiter'),
      lambdaRole(this, 'FrameworkWaiterRole', 'Provider framework: polls the verification and answers CloudFormation'),
    ];
    this.provider = this.createProvider(frameworkRoles);
    for (const role of [this.submitFunction.role!, this.checkFunction.role!, ...frameworkRoles]) grantLogWrite(role, this.logGroup);
    acknowledgeVerificationFindings({
      provider: this.provider,
      submitFunction: this.submitFunction,
      checkFunction: this.checkFunction,
      frameworkRoles,
      jobsArn: jobs,
      logGroup: this.logGroup,
    });

    this.resource = this.createResource(job, props.command, props.arraySize);
    this.gateRevision(job);
  }

  /** The custom resource: its properties are the revision to verify and how to run it. */
  private createResource(job: IBatchJob, command?: string[], arraySize?: number): CustomResource {
    return new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::BatchDeployVerification',
      // Only the job definition ARN (with its revision) decides whether a run is due; the rest is how to run it.
      properties: {
        JobDefinition: job.jobDefinitionArn,
        JobQueue: job.jobQueue.jobQueueArn,
        JobNamePrefix: this.jobNamePrefix,
        WorkloadTag: job.jobName,
        TimeoutSeconds: Token.asString(this.timeout.toSeconds()),
        ...(this.attemptTimeout ? { AttemptTimeoutSeconds: Token.asString(this.attemptTimeout.toSeconds()) } : {}),
        ...(command ? { Command: command } : {}),
        ...(arraySize !== undefined ? { ArraySize: Token.isUnresolved(arraySize) ? Token.asString(arraySize) : String(arraySize) } : {}),
        ...shareArguments(job), // the job's team and priority on a fair-share queue (src/private/fair-share.ts)
      },
    });
  }

  /** Whatever names the job's revision and can submit it waits for this verification (see the class docs). */
  private gateRevision(job: IBatchJob): void {
    if (Stack.of(job) === Stack.of(this)) {
      RevisionGates.of(job).addGate(this.resource);
      return;
    }
    Annotations.of(this).addWarningV2(VERIFICATION_STACK_WARNING_ID,
      inHostSpelling(`This verification is in stack ${Stack.of(this).stackName} but its job ${job.node.path} is in ${Stack.of(job).stackName}: what submits the job `
      + 'in the job\'s stack cannot wait for it (the stacks would depend on each other), so a new revision can be submitted before it is verified. '
      + `Create the DeployVerification in the job's stack, or acknowledge with Annotations.of(<this verification>).acknowledgeWarning('${VERIFICATION_STACK_WARNING_ID}', '<why>').`));
  }

  /** One of the two handlers (Node.js, arm64, inline: no asset), logging to the verification's log group. */
  private createFunction(id: string, handler: string, description: string): lambda.Function {
    return new lambda.Function(this, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromInline(VERIFICATION_HANDLER_SOURCE),
      handler: `index.${handler}`,
      description,
      timeout: Duration.seconds(30),
      memorySize: 128,
      logGroup: this.logGroup,
      role: lambdaRole(this, `${id}Role`, description),
    });
  }

  /** The Provider framework: submit once, then poll until the run ends or the verification times out. */
  private createProvider(frameworkRoles: iam.IRole[]): cr.Provider {
    return new cr.Provider(this, 'Provider', {
      onEventHandler: this.submitFunction,
      isCompleteHandler: this.checkFunction,
      queryInterval: VERIFICATION_LIMITS.queryInterval,
      totalTimeout: VERIFICATION_LIMITS.providerTimeoutFor(this.timeout),
      logGroup: this.logGroup,
      frameworkOnEventRole: frameworkRoles[0],
      frameworkCompleteAndTimeoutRole: frameworkRoles[1],
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
  }
}

/** A role for one function: no managed policy (its log statement is added on the shared log group). */
function lambdaRole(scope: Construct, id: string, description: string): iam.Role {
  return new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
}
