import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import type { IBatchJob } from '../../jobs/batch-job-ref';
import { ValidationError } from '../../private/prop-names';

/**
 * Limits of the deploy-time verification.
 * - A CloudFormation custom resource must answer within `ServiceTimeout`, 1 to 3600 seconds (default 3600), and the
 *   CDK Provider framework documents `totalTimeout` at most 1 hour.
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html
 * - The handler's own deadline (`maxTimeout`) ends 5 minutes before, so a timed-out run is terminated and reported
 *   by the handler, not cut off by the framework.
 */
export const VERIFICATION_LIMITS = {
  maxTimeout: Duration.minutes(55),
  minTimeout: Duration.minutes(1),
  /** Queueing, instance launch and image pull before the first attempt starts, added to the default timeout. */
  startMargin: Duration.minutes(10),
  queryInterval: Duration.seconds(30),
  providerMargin: Duration.minutes(5),
  /** The Provider's `totalTimeout`: the handler's deadline plus the margin, a whole number of query intervals. */
  providerTimeoutFor(timeout: Duration): Duration {
    if (timeout.isUnresolved()) return Duration.hours(1);
    const interval = VERIFICATION_LIMITS.queryInterval.toSeconds();
    const seconds = timeout.toSeconds() + VERIFICATION_LIMITS.providerMargin.toSeconds();
    return Duration.seconds(Math.ceil(seconds / interval) * interval);
  },
} as const;

/** The job name of every verification run starts with this: `<jobName cut to 100>-verify-` (then `20261201T060000Z`). */
export function verificationJobNamePrefix(jobName: string): string {
  return `${jobName.slice(0, 100)}-verify-`;
}

/** Which props the messages name (the workload's or the standalone construct's). */
export interface VerificationInput {
  readonly timeoutProp: string;
  readonly commandProp: string;
  readonly timeout?: Duration;
  readonly command?: string[];
}

/**
 * The verification timeout, validated: fails at synth, naming the prop, the value and the fix, on a timeout the job
 * cannot meet or the custom resource cannot wait for, an empty command, or a queue the deployment cannot submit to.
 */
export function verificationTimeoutFor(job: IBatchJob, input: VerificationInput): Duration {
  validateCommand(input);
  validateQueue(job);
  const attempts = job.retryAttempts;
  const attemptTimeout = job.timeout;
  const max = VERIFICATION_LIMITS.maxTimeout;
  if (Token.isUnresolved(attempts) || attemptTimeout.isUnresolved()) return input.timeout ?? max;
  const jobMaxSeconds = attempts * attemptTimeout.toSeconds();
  const jobMax = `${attempts} attempt(s) x ${attemptTimeout.toHumanString()} = ${Duration.seconds(jobMaxSeconds).toHumanString()}`;
  const timeout = input.timeout;
  if (timeout === undefined) {
    const seconds = jobMaxSeconds + VERIFICATION_LIMITS.startMargin.toSeconds();
    if (seconds > max.toSeconds()) {
      throw new ValidationError(`Deploy verification waits for the job's ${jobMax} plus 10 minutes to start, which is more than `
        + `${max.toHumanString()}, the longest a deployment can wait on a custom resource: lower 'timeout' or `
        + `'retryAttempts' of the job so that attempts x timeout is at most ${Duration.seconds(max.toSeconds() - VERIFICATION_LIMITS.startMargin.toSeconds()).toHumanString()} `
        + `(e.g. timeout: Duration.minutes(15)), or set '${input.timeoutProp}' of at least ${Duration.seconds(jobMaxSeconds).toHumanString()}.`);
    }
    return Duration.seconds(seconds);
  }
  if (timeout.isUnresolved()) return timeout;
  const s = timeout.toSeconds({ integral: false });
  if (s > max.toSeconds()) {
    throw new ValidationError(`'${input.timeoutProp}' is ${timeout.toHumanString()}, more than ${max.toHumanString()}: a CloudFormation `
      + `custom resource must answer within 1 hour (5 minutes are kept to terminate a timed-out run). Set '${input.timeoutProp}' to at most ${max.toHumanString()}.`);
  }
  if (s < VERIFICATION_LIMITS.minTimeout.toSeconds() || s < jobMaxSeconds) {
    throw new ValidationError(`'${input.timeoutProp}' is ${timeout.toHumanString()}, less than the job may take before AWS Batch gives up `
      + `(${jobMax}, and at least 1 minute): a verification would fail while the job may still succeed. Set '${input.timeoutProp}' `
      + `to at least ${Duration.seconds(Math.max(jobMaxSeconds, 60)).toHumanString()}, or lower the job's 'timeout' or 'retryAttempts'.`);
  }
  if (!Number.isInteger(s)) {
    throw new ValidationError(`'${input.timeoutProp}' is ${timeout.toHumanString()}: give a whole number of seconds.`);
  }
  return timeout;
}

function validateCommand(input: VerificationInput): void {
  const command = input.command;
  if (command === undefined || Token.isUnresolved(command)) return;
  if (command.length === 0 || command.every(c => !Token.isUnresolved(c) && c.trim() === '')) {
    throw new ValidationError(`'${input.commandProp}' is ${JSON.stringify(command)}: give the command the verification run executes, `
      + `e.g. ['python', '-m', 'report', '--self-test'], or leave '${input.commandProp}' out to run the job's own command.`);
  }
}

/**
 * The deployment submits from this stack's account and region: AWS Batch has no cross-account submission, and the
 * custom resource's function calls the stack's region. A queue that is disabled would never start the run.
 */
function validateQueue(job: IBatchJob): void {
  const queue = job.jobQueue;
  const arn = queue.jobQueueArn;
  const stack = Stack.of(job);
  if (!Token.isUnresolved(arn)) {
    const [, , , region, account] = arn.split(':');
    for (const [what, theirs, ours] of [['account', account, stack.account], ['region', region, stack.region]] as const) {
      if (!Token.isUnresolved(ours) && theirs !== undefined && theirs !== '' && theirs !== ours) {
        throw new ValidationError(`Deploy verification cannot submit to the job queue ${arn}: it is in ${what} ${theirs} and the stack `
          + `${stack.stackName} deploys to ${what} ${ours} (AWS Batch has no cross-${what} submission). Leave 'verifyOnDeploy' `
          + `off for this workload, or deploy it to ${what} ${theirs}.`);
      }
    }
  }
  const cfn = queue.node.defaultChild;
  if (cfn instanceof batch.CfnJobQueue && !Token.isUnresolved(cfn.state) && cfn.state === 'DISABLED') {
    throw new ValidationError(`Deploy verification cannot run on the job queue ${queue.node.path}: it is created with 'enabled: false' `
      + "(state DISABLED), so the verification run could never start. Enable the queue, or leave 'verifyOnDeploy' off.");
  }
}
