import { Duration } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * A job ready to submit, as everything that starts runs of it sees it: a `JobSchedule`, a `RunTracker`, a `RunApi`
 * route. Implemented by `BatchJob`, or imported with `BatchJob.fromBatchJobAttributes`.
 */
export interface IBatchJob extends IConstruct {
  /** The ARN of the job definition each run submits, with its revision (a new one at every change of the job). */
  readonly jobDefinitionArn: string;
  /** The queue runs are submitted to. */
  readonly jobQueue: batch.IJobQueue;
  /** The job's name: submitted jobs are named `<jobName>-...`. Letters, digits, hyphens and underscores. */
  readonly jobName: string;
  /** The log group the job's container logs to, for the log links in run messages. */
  readonly logGroupName: string;
  /** The timeout of one attempt (the job definition's). */
  readonly timeout: Duration;
  /** Attempts per run, the first included (the job definition's). */
  readonly retryAttempts: number;
  /** The declared parameters and their defaults: a run may override these only. */
  readonly parameters: { [name: string]: string };
  /**
   * The share identifier every submission of the job carries, on a fair-share queue.
   * @default - none: the queue is first in, first out
   */
  readonly shareIdentifier?: string;
  /**
   * The scheduling priority every submission of the job carries (`SchedulingPriorityOverride`), on a fair-share queue.
   * @default - none: the queue is first in, first out
   */
  readonly schedulingPriority?: number;
  /**
   * Allow `grantee` to submit this job to its queue: the job definition, the queue and whatever else SubmitJob of it
   * is authorized on (a consumable resource, also when it is added later).
   */
  grantSubmit(grantee: iam.IGrantable): void;
  /**
   * A new statement that allows `batch:SubmitJob` of this job (what `grantSubmit` adds), for a policy made elsewhere,
   * e.g. a schedule target's `policyStatements`. It follows the job like a grant does.
   */
  submitPolicyStatement(): iam.PolicyStatement;
  /**
   * Make runs of this job wait for each other (a consumable resource of quantity 1 the job definition requires).
   * Idempotent. An imported job cannot: its job definition is not this app's.
   */
  runOneAtATime(): batch.CfnConsumableResource;
}

/** What identifies a job defined elsewhere, for {@link BatchJob.fromBatchJobAttributes}. */
export interface BatchJobAttributes {
  /** The job definition's ARN, with its revision (`...:job-definition/name:7`) for a pinned one. */
  readonly jobDefinitionArn: string;
  /** The queue runs are submitted to. */
  readonly jobQueue: batch.IJobQueue;
  /** The name submitted jobs get as a prefix: letters, digits, hyphens and underscores, starting with a letter or digit. */
  readonly jobName: string;
  /**
   * The job definition's attempt timeout.
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;
  /**
   * The job definition's attempts.
   * @default 3
   */
  readonly retryAttempts?: number;
  /**
   * The job's log group.
   * @default '/aws/batch/job' (where AWS Batch jobs log when the job definition sets no log configuration)
   */
  readonly logGroupName?: string;
  /**
   * The job definition's declared parameters and their defaults.
   * @default - none
   */
  readonly parameters?: { [name: string]: string };
  /**
   * The share identifier the job is submitted with, when its queue schedules by fair share.
   * @default - none: a FIFO queue
   */
  readonly shareIdentifier?: string;
  /**
   * The scheduling priority it is submitted with (0 to 9999), on a fair-share queue.
   * @default 0 when `shareIdentifier` is given
   */
  readonly schedulingPriority?: number;
}
