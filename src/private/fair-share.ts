import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ValidationError } from './prop-names';
import { validateWholeNumber } from './validate';

/**
 * What every submission path of a job on a fair-share queue sends, and what its submit grants allow: the share
 * identifier (the job's `team`) and the scheduling priority. A FIFO queue gets neither ("Don't specify this parameter
 * if the job queue doesn't have a fair-share scheduling policy"; "If the job queue has a fair-share scheduling policy,
 * then this parameter must be specified").
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html
 */
export interface SubmissionShare {
  readonly shareIdentifier?: string;
  readonly schedulingPriority?: number;
}

/**
 * A share identifier: "limited to 255 alphanumeric characters" (the trailing `*` the page allows is a wildcard of
 * scheduling policies, not a team).
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html
 */
export const SHARE_IDENTIFIER = /^[A-Za-z0-9]{1,255}$/;

/** SubmitJob `schedulingPriorityOverride`: "The minimum supported value is 0 and the maximum supported value is 9999." */
export const SCHEDULING_PRIORITY = { min: 0, max: 9999, default: 0 } as const;

/** Fails unless `team` is a share identifier AWS Batch accepts; tokens pass. */
export function validateTeam(prop: string, team: unknown): void {
  if (Token.isUnresolved(team)) return;
  if (typeof team !== 'string' || !SHARE_IDENTIFIER.test(team)) {
    throw new ValidationError(`'${prop}' is ${JSON.stringify(team)}: a team is an AWS Batch share identifier, 1 to 255 letters and digits `
      + '(no spaces, hyphens or underscores); rename it, e.g. \'dataEngineering\'.');
  }
}

/**
 * The share of a job on a platform, checked: a team is required when the platform schedules by fair share and refused
 * when it does not (SubmitJob would fail either way); the priority is 0 to 9999 and defaults to 0 there.
 */
export function jobShare(owner: string, fairShare: boolean, team: string | undefined, priority: number | undefined): SubmissionShare {
  if (fairShare && team === undefined) {
    throw new ValidationError(`'team' is not set on ${owner}, whose platform schedules by fair share: every job on it is submitted with a share `
      + "identifier. Set 'team' to the team the runs belong to (e.g. team: 'reporting').");
  }
  if (!fairShare && (team !== undefined || priority !== undefined)) {
    const prop = team !== undefined ? `'team' is ${JSON.stringify(team)}` : `'schedulingPriority' is ${priority}`;
    throw new ValidationError(`${prop} on ${owner}, but its platform has no 'fairShare': AWS Batch refuses a share identifier on a first-in, `
      + "first-out queue. Remove it, or give the BatchPlatform 'fairShare'.");
  }
  if (!fairShare) return {};
  validateTeam('team', team);
  validateWholeNumber('schedulingPriority', priority, { ...SCHEDULING_PRIORITY, fix: 'a higher number runs first among the team\'s waiting jobs' });
  return { shareIdentifier: team, schedulingPriority: priority ?? SCHEDULING_PRIORITY.default };
}

/** SubmitJob's share arguments in the API's casing (`ShareIdentifier`), for Step Functions and EventBridge Scheduler. */
export function shareArguments(share: SubmissionShare): { ShareIdentifier?: string; SchedulingPriorityOverride?: number } {
  if (share.shareIdentifier === undefined) return {};
  return { ShareIdentifier: share.shareIdentifier, SchedulingPriorityOverride: share.schedulingPriority ?? SCHEDULING_PRIORITY.default };
}

/**
 * Limit a `batch:SubmitJob` statement to exactly the job's share identifier, when it has one.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/iam-example-share-identifier.html
 */
export function limitToShare(statement: iam.PolicyStatement, share: SubmissionShare): iam.PolicyStatement {
  if (share.shareIdentifier !== undefined) statement.addCondition('StringEquals', { 'batch:ShareIdentifier': share.shareIdentifier });
  return statement;
}

/** The vCPUs a job takes of its team's cap: consumable resources count whole units. */
export function capUnits(cpu: number): number {
  return Math.ceil(cpu);
}
