/**
 * Fan-out: a run submitted as an AWS Batch array job of N children. The pieces every submission path shares (the
 * size check, the `ArrayProperties` of the request) and the run message's extra lines, in JSONata for the state
 * machine and in TypeScript for the tests, which check one against the other with the jsonata engine.
 *
 * The parent of an array job is SUCCEEDED only when every child succeeded, and FAILED when any child failed; each
 * child is retried by AWS Batch on its own (the job definition's retry strategy applies per child), and each child
 * gets `AWS_BATCH_JOB_ARRAY_INDEX` (0 to N-1).
 * @see https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ListJobs.html (arrayJobId + jobStatus)
 */
import { Token } from 'aws-cdk-lib';

/** AWS Batch array sizes. @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ArrayProperties.html */
export const ARRAY_SIZE_MIN = 2;
export const ARRAY_SIZE_MAX = 10_000;
/** How many failed children the run message links to. */
export const CHILD_LINKS_MAX = 10;

/** Fails at synth on an array size AWS Batch rejects. `prop` names the prop in the message. */
export function validateArraySize(prop: string, size: number | undefined): void {
  if (size === undefined || Token.isUnresolved(size)) return;
  if (!Number.isInteger(size) || size < ARRAY_SIZE_MIN || size > ARRAY_SIZE_MAX) {
    throw new Error(`'${prop}' is ${size}: an AWS Batch array job has ${ARRAY_SIZE_MIN} to ${ARRAY_SIZE_MAX.toLocaleString('en-US')} children (a whole number); `
      + `leave '${prop}' out for a single job.`);
  }
}

/**
 * JSONata elements of the message's list of lines (see `messageExpression`), for a run that is an array job. `$d` is the
 * parent's job detail, `$children` the failed children ListJobs returned (or null), `$console` and `$region` are set.
 */
export function arrayMessageLines(): string[] {
  return [
    '\'Children failed: \' & $val($d.ArrayProperties.StatusSummary.FAILED) & \' of \' & $val($d.ArrayProperties.Size),',
    `($links := $map($sort(($type($children) = 'array' ? $children : []), function($a, $b) { $a.ArrayProperties.Index > $b.ArrayProperties.Index })[[0..${CHILD_LINKS_MAX - 1}]], `
      + 'function($child) { $console & \'batch/home?region=\' & $region & \'#jobs/detail/\' & $d.JobId & \':\' & $string($child.ArrayProperties.Index) }); '
      + `'Failed children (up to ${CHILD_LINKS_MAX}): ' & ($count($links) > 0 ? $join($links, ' ') : 'n/a')),`,
  ];
}

/** A child as ListJobs returns it to Step Functions, reduced to what the message uses. */
export interface ChildSummary {
  readonly JobId?: string;
  readonly ArrayProperties?: { readonly Index?: number };
}

/** The lines `arrayMessageLines` renders, in TypeScript. */
export function renderArrayLines(parent: { JobId?: string; ArrayProperties?: { Size?: number; StatusSummary?: Record<string, number> } },
  children: ChildSummary[] | undefined, consoleUrl: string, region: string, val: (v: unknown) => string): string[] {
  const links = [...children ?? []]
    .sort((a, b) => (a.ArrayProperties?.Index ?? 0) - (b.ArrayProperties?.Index ?? 0))
    .slice(0, CHILD_LINKS_MAX)
    .map(c => `${consoleUrl}batch/home?region=${region}#jobs/detail/${parent.JobId}:${c.ArrayProperties?.Index}`);
  return [
    `Children failed: ${val(parent.ArrayProperties?.StatusSummary?.FAILED)} of ${val(parent.ArrayProperties?.Size)}`,
    `Failed children (up to ${CHILD_LINKS_MAX}): ${links.length > 0 ? links.join(' ') : 'n/a'}`,
  ];
}
