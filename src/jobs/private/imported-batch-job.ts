import { Duration, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { jobShare, limitToShare } from '../../private/fair-share';
import { ValidationError } from '../../private/prop-names';
import { RevisionGates } from '../../private/revision-gate';
import { validateInstanceOf } from '../../private/validate';
import { JOB_NAME_MAX, JOB_NAME_PATTERN } from '../../runs/engine/expressions';
import { BatchJobAttributes, IBatchJob } from '../batch-job-ref';

/** A job defined elsewhere. */
export class ImportedBatchJob extends Construct implements IBatchJob {
  public readonly jobDefinitionArn: string;
  public readonly jobQueue: batch.IJobQueue;
  public readonly jobName: string;
  public readonly logGroupName: string;
  public readonly timeout: Duration;
  public readonly retryAttempts: number;
  public readonly parameters: { [name: string]: string };
  public readonly shareIdentifier?: string;
  public readonly schedulingPriority?: number;

  constructor(scope: Construct, id: string, attrs: BatchJobAttributes) {
    super(scope, id);
    this.jobDefinitionArn = attrs.jobDefinitionArn;
    this.jobQueue = attrs.jobQueue;
    this.jobName = validatedJobName(attrs.jobName);
    this.logGroupName = attrs.logGroupName ?? '/aws/batch/job';
    validateInstanceOf('timeout', attrs.timeout, Duration, 'a Duration, e.g. Duration.hours(1)');
    this.timeout = attrs.timeout ?? Duration.hours(1);
    this.retryAttempts = attrs.retryAttempts ?? 3;
    this.parameters = { ...attrs.parameters };
    ({ shareIdentifier: this.shareIdentifier, schedulingPriority: this.schedulingPriority } =
      jobShare(this.node.path, attrs.shareIdentifier !== undefined, attrs.shareIdentifier, attrs.schedulingPriority));
    if (!Token.isUnresolved(this.retryAttempts) && (!Number.isInteger(this.retryAttempts) || this.retryAttempts < 1 || this.retryAttempts > 10)) {
      throw new ValidationError(`'retryAttempts' is ${this.retryAttempts}: AWS Batch makes 1 to 10 attempts (a whole number); give the job definition's.`);
    }
  }

  public grantSubmit(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(this.submitPolicyStatement());
    // The principal's policy names the job's revision: it allows a new one only once it is verified (DeployVerification).
    RevisionGates.of(this).addPrincipal(grantee.grantPrincipal);
  }

  public submitPolicyStatement(): iam.PolicyStatement {
    return limitToShare(new iam.PolicyStatement({ actions: ['batch:SubmitJob'], resources: [this.jobQueue.jobQueueArn, this.jobDefinitionArn] }), this);
  }

  public runOneAtATime(): batch.CfnConsumableResource {
    throw new ValidationError(`${this.node.path} is an imported job: its job definition is not this app's, so it cannot be made to require a consumable resource. `
      + 'Use OverlapPolicy.ALLOW or SKIP with it, or define the job with BatchJob.');
  }
}

/**
 * Runs submit jobs named `<jobName>` (untracked) or `<jobName>-<time>-<run>` (tracked): AWS Batch takes 1 to 128 letters,
 * digits, hyphens and underscores, starting with a letter or digit.
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html
 */
function validatedJobName(jobName: string): string {
  if (!Token.isUnresolved(jobName) && (typeof jobName !== 'string' || !JOB_NAME_PATTERN.test(jobName) || jobName.length > JOB_NAME_MAX)) {
    throw new ValidationError(`'jobName' is ${JSON.stringify(jobName)}: AWS Batch takes job names of 1 to ${JOB_NAME_MAX} letters, digits, hyphens and underscores, starting with a letter or digit. `
      + 'Give the name the job is submitted under (the prefix of its runs\' names).');
  }
  return jobName;
}
