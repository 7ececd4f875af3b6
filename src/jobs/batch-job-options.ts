import { Duration, Size } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** Defaults of {@link BatchJob}, in one place. */
export const JOB_DEFAULTS = {
  cpu: 1,
  memory: Size.gibibytes(2),
  timeout: Duration.hours(1),
  retryAttempts: 3,
  user: '1000:1000',
  imageTag: 'latest',
  logRetention: logs.RetentionDays.ONE_MONTH,
} as const;

/**
 * What a {@link BatchJob} runs and how: image, command, resources, retries, environment, logs and data. Shared by
 * `BatchJobProps` and `ScheduledBatchWorkloadProps`.
 */
export interface BatchJobOptions {
  /**
   * The container image.
   * @default - an image tagged `imageTag` in a new `HardenedRepository` the job creates (`job.repository`)
   */
  readonly image?: ecs.ContainerImage;

  /**
   * The tag to run from the job's repository (or from `repository`). Ignored when `image` is given.
   * The default `latest` stays a moving tag in a repository the job creates (every other tag is immutable):
   * a pipeline ships a new version by pushing `:latest`; set a version tag here to pin one.
   * @default 'latest'
   */
  readonly imageTag?: string;

  /**
   * Bring your own repository to run `imageTag` from. Ignored when `image` is given.
   * @default - a new `HardenedRepository` when `image` is not given
   */
  readonly repository?: ecr.IRepository;

  /**
   * The command the container runs.
   * @default - the image's CMD
   */
  readonly command?: string[];

  /**
   * vCPUs for the job. On Fargate: 0.25, 0.5, 1, 2, 4, 8 or 16 with a matching `memory`; on EC2 a whole number.
   * @default 1
   */
  readonly cpu?: number;

  /**
   * Memory for the job.
   * @default Size.gibibytes(2)
   */
  readonly memory?: Size;

  /**
   * How long one attempt may run before Batch stops it. At least 60 seconds.
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;

  /**
   * Attempts per job, the first included (1-10). Spot reclaims and image-pull errors are retried, application errors
   * (a non-zero exit code) are not unless listed in `retryableExitCodes`.
   * @default 3
   */
  readonly retryAttempts?: number;

  /**
   * Exit codes that mean "try again" for this application, e.g. `['75']` or `['13*']` (digits, optional trailing `*`).
   * AWS Batch allows 5 retry rules and the job uses 4, so one pattern fits. A code a failed container cannot exit with
   * (`'0'`, or above 255) is refused.
   * @default - none: a non-zero exit code fails the job
   */
  readonly retryableExitCodes?: string[];

  /**
   * Environment variables. Stored in plain text in the job definition: put secrets in `secrets`.
   * Rendered in key order, whatever order the map arrives in. `SCHEDULED_TIME` is refused: every run sets it to its
   * scheduled time.
   * @default - none
   */
  readonly environment?: { [key: string]: string };

  /**
   * Secrets from Secrets Manager or SSM Parameter Store, injected as environment variables at start.
   * The execution role may read exactly these. Rendered in key order.
   * @default - none
   */
  readonly secrets?: { [key: string]: batch.Secret };

  /**
   * The user the container runs as. The default is a non-root UID/GID; set `'root'` only for an image that needs it
   * (`'root'` or UID 0 gets the warning `cdk-scheduled-batch:rootUser`, to acknowledge).
   * @default '1000:1000'
   */
  readonly user?: string;

  /**
   * Give the container elevated privileges on the host (EC2 only). Almost never needed: `true` gets the warning
   * `cdk-scheduled-batch:privilegedContainer`, to acknowledge.
   * @default false
   */
  readonly privileged?: boolean;

  /**
   * Mount the container's root file system read-only.
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * Days to keep the job's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * KMS key to encrypt the job's logs with. Its key policy gets the statement CloudWatch Logs needs (the
   * `logs.<region>.amazonaws.com` service principal, for log groups of this account and region) when the key is of this
   * app; an imported key's policy must hold it. A `ScheduledBatchWorkload` encrypts every log it owns with it: the job's
   * log group, its deploy-time verification's and its tracked runs' state log (then its own, not the platform's).
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * A bucket the job reads and writes; the job role gets read/write on it.
   * @default - none, unless `createDataBucket` is true
   */
  readonly dataBucket?: s3.IBucket;

  /**
   * Create a data bucket (encrypted, versioned, TLS-only, public access blocked, retained, with access logs).
   * @default false
   */
  readonly createDataBucket?: boolean;

  /**
   * Declared parameters, each with its default: the command reads them as `Ref::<name>`, and a run started through
   * a `RunApi` (or a manual execution of the run tracker) may override these and only these. Names are letters,
   * digits and underscores; `scheduledTime` is reserved (every run sets it to its scheduled time).
   * @default - none
   */
  readonly parameters?: { [name: string]: string };

  /**
   * The team the job's runs belong to on a fair-share platform (`fairShare` of its `BatchPlatform`): the share
   * identifier every submission carries, and the only one its submit grants allow. Required on a fair-share
   * platform, refused on any other (AWS Batch rejects a share identifier on a FIFO queue). Letters and digits, 1 to
   * 255. A workflow names the team of each step.
   * @default - none: the platform must not schedule by fair share
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html
   */
  readonly team?: string;

  /**
   * The job's priority among the waiting jobs of its own team on a fair-share platform, 0 to 9999 (higher first).
   * It orders jobs within the team only; it takes nothing from other teams.
   * @default 0
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html
   */
  readonly schedulingPriority?: number;
}
