/**
 * Fan-out: a run submitted as an AWS Batch array job of N children. The parent of an array job is SUCCEEDED only when
 * every child succeeded, and FAILED when any child failed; each child is retried by AWS Batch on its own, and each
 * child gets `AWS_BATCH_JOB_ARRAY_INDEX` (0 to N-1).
 * @see https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html
 */
import { Token } from 'aws-cdk-lib';
import { ValidationError } from './prop-names';
import { describeTyped } from './validate';

/** AWS Batch array sizes. @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ArrayProperties.html */
export const ARRAY_SIZE_MIN = 2;
export const ARRAY_SIZE_MAX = 10_000;

/** Fails at synth on an array size AWS Batch rejects. `prop` names the prop in the message. */
export function validateArraySize(prop: string, size: number | undefined): void {
  if (size === undefined || Token.isUnresolved(size)) return;
  if (!Number.isInteger(size) || size < ARRAY_SIZE_MIN || size > ARRAY_SIZE_MAX) {
    throw new ValidationError(`'${prop}' is ${describeTyped(size, 'number')}: an AWS Batch array job has ${ARRAY_SIZE_MIN} to ${ARRAY_SIZE_MAX.toLocaleString('en-US')} children (a whole number); `
      + `leave '${prop}' out for a single job.`);
  }
}
