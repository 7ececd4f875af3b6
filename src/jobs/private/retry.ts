import { Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import { ComputePlatform } from '../../compute/compute-platform';
import { ValidationError } from '../../private/prop-names';
import { describeTyped, validateList } from '../../private/validate';

/**
 * Retry rules AWS Batch accepts.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/job_retries.html
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_EvaluateOnExit.html
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_RetryStrategy.html
 */
export const RETRY_LIMITS = {
  minAttempts: 1,
  maxAttempts: 10,
  maxEvaluateOnExit: 5,
  /** onExitCode: digits only, optionally ending with one '*' (max 512 characters). */
  exitCodePattern: /^[0-9]{1,511}\*?$/,
} as const;

/**
 * Status reason of an attempt stopped because EC2 reclaimed the Spot instance or the host was terminated.
 * aws-cdk-lib `batch.Reason.SPOT_INSTANCE_RECLAIMED`; @see https://docs.aws.amazon.com/batch/latest/userguide/job_retries.html
 */
export const EC2_HOST_TERMINATED = 'Host EC2*';
/**
 * Status reason of a Fargate Spot task interrupted by a capacity reclaim (2-minute warning).
 * Reported by users, e.g. https://github.com/nextflow-io/nextflow/issues/5786
 */
export const FARGATE_SPOT_INTERRUPTED = 'Your Spot Task was interrupted*';
/** Reason of an attempt whose image could not be pulled (aws-cdk-lib `batch.Reason.CANNOT_PULL_CONTAINER`). */
export const CANNOT_PULL_CONTAINER = 'CannotPullContainerError:*';

/**
 * The retry strategy the workload applies, first match wins:
 *  1. RETRY when the platform's Spot capacity was reclaimed (EC2 host terminated / Fargate Spot interrupted),
 *  2. RETRY when the image could not be pulled (a registry or network blip),
 *  3. RETRY on the exit codes the user declares retryable,
 *  4. EXIT on any other non-zero exit code (an application error is not fixed by running it again),
 *  5. EXIT on anything else: AWS Batch *retries* a failure no entry matches, so the catch-all comes last.
 */
export function defaultRetryStrategies(platform: ComputePlatform, retryableExitCodes: string[]): batch.RetryStrategy[] {
  const reclaimed = platform === ComputePlatform.FARGATE ? FARGATE_SPOT_INTERRUPTED : EC2_HOST_TERMINATED;
  const strategies = [
    batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onStatusReason: reclaimed })),
    batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onReason: CANNOT_PULL_CONTAINER })),
    ...retryableExitCodes.map(code => batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onExitCode: code }))),
    batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onExitCode: '*' })),
    batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onReason: '*' })),
  ];
  if (strategies.length > RETRY_LIMITS.maxEvaluateOnExit) {
    const room = RETRY_LIMITS.maxEvaluateOnExit - (strategies.length - retryableExitCodes.length);
    throw new ValidationError(`'retryableExitCodes' may list at most ${room} entries, got ${retryableExitCodes.length} (${retryableExitCodes.join(', ')}): AWS Batch allows ${RETRY_LIMITS.maxEvaluateOnExit} evaluateOnExit rules and the workload uses ${RETRY_LIMITS.maxEvaluateOnExit - room} (Spot reclaim, image pull, application-error exit, catch-all). Combine codes with a trailing wildcard, e.g. '13*'.`);
  }
  return strategies;
}

export function validateRetryAttempts(attempts: number): void {
  if (Token.isUnresolved(attempts)) return;
  if (!Number.isInteger(attempts) || attempts < RETRY_LIMITS.minAttempts || attempts > RETRY_LIMITS.maxAttempts) {
    throw new ValidationError(`'retryAttempts' must be a whole number from ${RETRY_LIMITS.minAttempts} to ${RETRY_LIMITS.maxAttempts}, got ${describeTyped(attempts, 'number')}: it counts every attempt, the first included (1 = no retry).`);
  }
}

/** Largest exit code a Linux process reports: it is one byte (a signal shows as 128 + the signal's number). */
const MAX_EXIT_CODE = 255;

export function validateRetryableExitCodes(codes: string[]): void {
  validateList('retryableExitCodes', codes, 'exit-code pattern', "['75']");
  for (const code of codes as unknown[]) {
    if (Token.isUnresolved(code)) continue;
    if (typeof code !== 'string' || !RETRY_LIMITS.exitCodePattern.test(code)) {
      throw new ValidationError(`'retryableExitCodes' entry ${describeTyped(code, 'string')} is not an exit-code pattern AWS Batch accepts: use a string of digits, optionally ending with a single '*' (e.g. '75' or '13*'); a leading '*' is not allowed.`);
    }
    const digits = code.replace('*', '');
    if (code === '0' || Number(digits) > MAX_EXIT_CODE) {
      throw new ValidationError(`'retryableExitCodes' entry '${code}' can never match a failed attempt: a container exits with a code from 1 to ${MAX_EXIT_CODE} when it fails (0 is success). `
        + "Give the code your application exits with, e.g. '75'.");
    }
  }
}
