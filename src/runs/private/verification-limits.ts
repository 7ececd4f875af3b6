import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import type { IBatchJob } from '../../jobs/batch-job-ref';
import { validateCommandReferences } from '../../private/job-options';
import { ValidationError } from '../../private/prop-names';
import { validateInstanceOf, validateList, validateStringEntry } from '../../private/validate';

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
  readonly attemptTimeoutProp: string;
  readonly commandProp: string;
  readonly timeout?: Duration;
  readonly attemptTimeout?: Duration;
  readonly command?: string[];
}

/** How long the deployment waits, and the attempt timeout the verification run submits with when not the job's own. */
export interface VerificationTimes {
  readonly timeout: Duration;
  /** SubmitJob's `timeout.attemptDurationSeconds` override; undefined: the job definition's own attempt timeout. */
  readonly attemptTimeout?: Duration;
}

/**
 * The verification's times, validated: fails at synth, naming the prop, the value and the fix, on a timeout the custom
 * resource cannot wait for, an attempt timeout the run cannot meet, an empty command, or a queue the deployment cannot
 * submit to.
 *
 * The run keeps the job's retry strategy (its attempts and its Spot-reclaim rules) and may get an attempt timeout of its
 * own through SubmitJob's `timeout` override (at least 60 seconds;
 * https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html), so that attempts x attempt timeout plus
 * 10 minutes to start fit the wait: by default the job's own timeout when that fits in 55 minutes (or its attempts fit
 * in an explicit wait), else the longest whole number of minutes that does (15 minutes for 3 attempts).
 */
export function verificationTimesFor(job: IBatchJob, input: VerificationInput): VerificationTimes {
  validateInstanceOf(input.timeoutProp, input.timeout, Duration, 'a Duration, e.g. Duration.minutes(30)');
  validateInstanceOf(input.attemptTimeoutProp, input.attemptTimeout, Duration, 'a Duration, e.g. Duration.minutes(15)');
  validateCommand(input);
  validateCommandReferences(input.command, job.parameters, input.commandProp);
  validateQueue(job);
  const attempts = job.retryAttempts;
  const jobTimeout = job.timeout;
  const max = VERIFICATION_LIMITS.maxTimeout;
  const margin = VERIFICATION_LIMITS.startMargin.toSeconds();
  const timeout = validTimeout(input);
  const attemptTimeout = input.attemptTimeout;
  // The attempt timeout on its own first: AWS Batch's floor holds whatever the other times are.
  if (attemptTimeout !== undefined && !attemptTimeout.isUnresolved()) {
    const a = attemptTimeout.toSeconds({ integral: false });
    if (!Number.isInteger(a) || a < 60 || (!jobTimeout.isUnresolved() && a > jobTimeout.toSeconds())) {
      const ceiling = jobTimeout.isUnresolved() ? "the job's own timeout" : `the job's own timeout (${jobTimeout.toHumanString()})`;
      throw new ValidationError(`'${input.attemptTimeoutProp}' is ${attemptTimeout.toHumanString()} (${a} seconds): give a whole number of seconds from 1 minute `
        + `(the least AWS Batch accepts) to ${ceiling}, or leave it out to fit the attempts into the wait.`);
    }
  }
  if (Token.isUnresolved(attempts) || jobTimeout.isUnresolved() || timeout?.isUnresolved() || attemptTimeout?.isUnresolved()) {
    return { timeout: timeout ?? max, attemptTimeout };
  }
  if (attemptTimeout !== undefined) {
    const a = attemptTimeout.toSeconds();
    const needed = attempts * a + margin;
    const limit = timeout?.toSeconds() ?? max.toSeconds();
    if (needed > limit) {
      throw new ValidationError(`'${input.attemptTimeoutProp}' is ${attemptTimeout.toHumanString()}: ${attempts} attempt(s) of it plus 10 minutes to start `
        + `take ${Duration.seconds(needed).toHumanString()}, more than the deployment waits (${Duration.seconds(limit).toHumanString()}). Set '${input.attemptTimeoutProp}' `
        + `to at most ${Duration.seconds(Math.floor((limit - margin) / attempts)).toHumanString()}, or lower the job's 'retryAttempts'.`);
    }
    return { timeout: timeout ?? Duration.seconds(needed), attemptTimeout: a === jobTimeout.toSeconds() ? undefined : attemptTimeout };
  }
  const jobSeconds = attempts * jobTimeout.toSeconds();
  const wait = timeout?.toSeconds() ?? Math.min(jobSeconds + margin, max.toSeconds());
  // An explicit wait keeps the job's own attempts when they fit in it (as before this option existed); the default wait
  // when they fit with the start margin.
  if (jobSeconds + (timeout === undefined ? margin : 0) <= wait) return { timeout: Duration.seconds(wait) };
  // The job's own attempts do not fit: the run gets whole minutes per attempt, as many as fit after the start margin.
  const perAttempt = Math.floor((wait - margin) / attempts / 60) * 60;
  if (perAttempt < 60) {
    throw new ValidationError(`'${input.timeoutProp}' is ${Duration.seconds(wait).toHumanString()}: after 10 minutes to start, ${attempts} attempt(s) of at least `
      + `1 minute (the least AWS Batch accepts) do not fit. Set '${input.timeoutProp}' to at least ${Duration.seconds(margin + attempts * 60).toHumanString()}, `
      + 'or lower the job\'s \'retryAttempts\'.');
  }
  return { timeout: Duration.seconds(wait), attemptTimeout: Duration.seconds(perAttempt) };
}

/** An explicit timeout within what a custom resource can wait: at most 55 minutes, whole seconds. */
function validTimeout(input: VerificationInput): Duration | undefined {
  const timeout = input.timeout;
  if (timeout === undefined || timeout.isUnresolved()) return timeout;
  const s = timeout.toSeconds({ integral: false });
  const max = VERIFICATION_LIMITS.maxTimeout;
  if (s > max.toSeconds()) {
    throw new ValidationError(`'${input.timeoutProp}' is ${timeout.toHumanString()}, more than ${max.toHumanString()}: a CloudFormation `
      + `custom resource must answer within 1 hour (5 minutes are kept to terminate a timed-out run). Set '${input.timeoutProp}' to at most ${max.toHumanString()}.`);
  }
  if (!Number.isInteger(s)) {
    throw new ValidationError(`'${input.timeoutProp}' is ${timeout.toHumanString()}: give a whole number of seconds.`);
  }
  return timeout;
}

function validateCommand(input: VerificationInput): void {
  const command = input.command;
  validateList(input.commandProp, command, 'program argument', "['python', '-m', 'report', '--self-test']", (c, name) => validateStringEntry(c, name, 'a program argument'));
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
