/**
 * The states of a job's rollout (src/runs/rollout.ts), around the run engine's RunJob:
 *
 *   ReadRolloutState (DynamoDB GetItem: choose the revision) -> [start check] -> RunJob (JobDefinition: that revision)
 *   good run: RecordRun (PutItem, on the version read) -> [RevisionPromoted? -> ListRevisions -> DeregisterOldRevisions]
 *             -> SendSucceededEvent
 *   bad run:  ... -> RecordFailedRun (a failed trial rolls back) -> [RerunOnLastGood?] -> FetchLogTail -> Notify ...
 *
 * A write that finds the item changed since it was read (ConditionalCheckFailed) reads it again and records the run
 * on the fresh item (up to 5 times). A store that cannot be read or written never costs a run: it then runs the
 * deployed revision, or goes on without recording. No Lambda: the optimized DynamoDB integrations.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html (getItem, putItem; errors DynamoDB.*)
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_DescribeJobDefinitions.html
 */
import { Aws, Fn } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ELAPSED_SECONDS, quote } from './expressions';
import { recordExpression, REVISION_OF, rollbackNote, RolloutPlan, viewExpression } from './rollout-state';
import { sdkCallState } from './sdk-call';
import { limitToShare } from '../../private/fair-share';
import { acknowledgeWildcardResource } from '../../private/nag';

export type { RolloutPlan } from './rollout-state';

/** State names, in the execution history. */
export const ROLLOUT_STATES = {
  read: 'ReadRolloutState',
  unreadable: 'RolloutStateUnreadable',
  record: 'RecordRun',
  recordFailed: 'RecordFailedRun',
  promoted: 'RevisionPromoted',
  list: 'ListRevisions',
  deregisterAll: 'DeregisterOldRevisions',
  deregister: 'DeregisterRevision',
  rerunChoice: 'RerunOnLastGood?',
  rerun: 'RerunOnLastGood',
} as const;

/** How many times a run records its outcome on an item that others keep changing. */
const RECORD_TRIES = 5;
const CONDITION = 'attribute_not_exists(workload) OR version = :expected';
const RETRY: sfn.RetryProps = { errors: [sfn.Errors.ALL], maxAttempts: 2, backoffRate: 2 };

function ddb(scope: Construct, id: string, action: 'getItem' | 'putItem', args: Record<string, unknown>, assign: Record<string, unknown>): sfn.CustomState {
  return new sfn.CustomState(scope, id, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Aws.PARTITION}:states:::dynamodb:${action}`,
      Arguments: args,
      Assign: assign,
      Output: '{% $states.input %}',
      TimeoutSeconds: 60,
    },
  });
}

function getItem(scope: Construct, id: string, plan: RolloutPlan, assign: Record<string, unknown>): sfn.CustomState {
  return ddb(scope, id, 'getItem', { TableName: plan.tableName, Key: { workload: { S: plan.key } }, ConsistentRead: true }, assign);
}

/** ReadRolloutState, then `next` (the run). Assigns `$rollout` (the view, with the revision to submit). */
export function readRolloutState(scope: Construct, plan: RolloutPlan, next: sfn.IChainable): sfn.IChainable {
  const notes = { rolloutTries: 0, rolloutNote: '', rerunNote: '', rolloutPromoted: false };
  const read = getItem(scope, ROLLOUT_STATES.read, plan, { rollout: `{% ${viewExpression(plan, '$states.result.Item')} %}`, ...notes });
  read.addRetry(RETRY);
  // The store unreadable: run the deployed revision; the record reads the item again on its conflict.
  const unreadable = sfn.Pass.jsonata(scope, ROLLOUT_STATES.unreadable, {
    assign: { rollout: `{% ${viewExpression(plan, '{}')} %}`, ...notes },
    outputs: '{% $states.input %}',
  });
  read.addCatch(unreadable, { errors: [sfn.Errors.ALL], outputs: '{% $states.input %}' });
  unreadable.next(next);
  read.next(next);
  return read;
}

/** PutItem of the run's outcome on the version it read, reading again on a conflict; then `next`. */
function recordChain(scope: Construct, id: string, plan: RolloutPlan, ok: string, blame: string, next: sfn.IChainable): sfn.IChainable {
  const record = recordExpression(plan, ok, blame);
  const put = ddb(scope, id, 'putItem', {
    TableName: plan.tableName,
    Item: `{% ${record}.item %}`,
    ConditionExpression: CONDITION,
    ExpressionAttributeValues: { ':expected': { N: '{% $string($rollout.version) %}' } },
  }, { rolloutNote: `{% ${rollbackNote(record)} %}`, rolloutPromoted: `{% ${record}.promoted %}` });
  const reread = getItem(scope, `${id} ReadAgain`, plan, {
    rollout: `{% $merge([${viewExpression(plan, '$states.result.Item')}, {'revision': $rollout.revision}]) %}`,
    rolloutTries: '{% $rolloutTries + 1 %}',
  });
  // Another try only while tries are left: the read comes after the choice, so the last conflict reads nothing more.
  const again = sfn.Choice.jsonata(scope, `${id} Again?`)
    .when(sfn.Condition.jsonata(`{% $rolloutTries < ${RECORD_TRIES - 1} %}`), reread)
    .otherwise(next);
  put.addRetry({ errors: ['DynamoDB.ConditionalCheckFailedException'], maxAttempts: 0 });
  put.addRetry(RETRY);
  put.addCatch(again, { errors: ['DynamoDB.ConditionalCheckFailedException'], outputs: '{% $states.input %}' });
  put.addCatch(next, { errors: [sfn.Errors.ALL], outputs: '{% $states.input %}' });
  reread.addCatch(next, { errors: [sfn.Errors.ALL], outputs: '{% $states.input %}' });
  reread.next(put);
  put.next(next);
  return put;
}

/** A good run's record, and with `keepRevisions` the deregistration of old revisions after a promotion; then `next`. */
export function recordSucceeded(scope: Construct, plan: RolloutPlan, next: sfn.IChainable): sfn.IChainable {
  if (plan.keepRevisions === undefined) return recordChain(scope, ROLLOUT_STATES.record, plan, 'true', 'false', next);
  const keep = '[$rollout.stable, $rollout.candidate, $rollout.lastGood, $rollout.revision, ' + quote(plan.pinned) + ']';
  const list = sdkCallState(scope, ROLLOUT_STATES.list, 'batch', 'describeJobDefinitions', {
    JobDefinitionName: `{% $substringAfter($split(${quote(plan.pinned)}, ':')[5], '/') %}`,
    Status: 'ACTIVE',
    MaxResults: 100,
  }, {
    oldRevisions: `{% ($keep := ${keep}; $all := $states.result.JobDefinitions^(>Revision); `
      + `$append([], $filter($all, function($d, $i) { $i >= ${plan.keepRevisions} and $not($d.JobDefinitionArn in $keep) }).JobDefinitionArn)) %}`,
  });
  const deregisterAll = sfn.Map.jsonata(scope, ROLLOUT_STATES.deregisterAll, {
    items: sfn.ProvideItems.jsonata('{% $oldRevisions %}'),
    maxConcurrency: 1,
    outputs: '{% $states.input %}',
  }).itemProcessor(sdkCallState(scope, ROLLOUT_STATES.deregister, 'batch', 'deregisterJobDefinition', { JobDefinition: '{% $states.input %}' }));
  list.addCatch(next, { errors: [sfn.Errors.ALL], outputs: '{% $states.input %}' });
  deregisterAll.addCatch(next, { errors: [sfn.Errors.ALL], outputs: '{% $states.input %}' });
  list.next(deregisterAll).next(next);
  const promoted = sfn.Choice.jsonata(scope, ROLLOUT_STATES.promoted)
    .when(sfn.Condition.jsonata('{% $rolloutPromoted = true %}'), list)
    .otherwise(next);
  return recordChain(scope, ROLLOUT_STATES.record, plan, 'true', 'false', promoted);
}

/**
 * A bad run's record (`blame`: JSONata, the failure is the revision's), then with `rerunOnLastGood` the rerun, then
 * `next` (the log tail and the one message). The rerun (`rerunArgs`: the run's own SubmitJob arguments on the last good
 * revision) is one attempt on the newest revision seen succeeding, when the failed revision is newer and at least 3
 * minutes of the run deadline are left: its attempt may run until 90 seconds before the deadline, the state waits until
 * the deadline. Its outcome is a line of the message.
 */
export function recordFailed(scope: Construct, plan: RolloutPlan, blame: string, deadlineSeconds: number, rerunArgs: Record<string, unknown>,
  next: sfn.IChainable): sfn.IChainable {
  if (!plan.rerunOnLastGood) return recordChain(scope, ROLLOUT_STATES.recordFailed, plan, 'false', blame, next);
  const left = `$floor(${deadlineSeconds} - ${ELAPSED_SECONDS})`;
  const rv = `$rv := ${REVISION_OF};`;
  const line = (outcome: string) => `{% (${rv} 'Rerun on revision ' & $string($rv($rollout.lastGood)) & ' (the newest that succeeded before), `
    + `for the same scheduled time: ' & ${outcome}) %}`;
  const job = new sfn.CustomState(scope, ROLLOUT_STATES.rerun, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Aws.PARTITION}:states:::batch:submitJob.sync`,
      Arguments: { ...rerunArgs, RetryStrategy: { Attempts: 1 }, Timeout: { AttemptDurationSeconds: `{% ${left} - 90 %}` } },
      TimeoutSeconds: `{% ${left} %}`,
      Output: '{% $states.input %}',
      Assign: { rerunNote: line('\'SUCCEEDED (job \' & $states.result.JobId & \').\'') },
    },
  });
  job.addCatch(next, {
    errors: [sfn.Errors.ALL],
    assign: { rerunNote: line('\'did not succeed (\' & $string($states.errorOutput.Error) & \').\'') },
    outputs: '{% $states.input %}',
  });
  job.next(next);
  const choice = sfn.Choice.jsonata(scope, ROLLOUT_STATES.rerunChoice)
    .when(sfn.Condition.jsonata(`{% (${rv} (${blame}) and $rollout.lastGood != '' and $rv($rollout.revision) > $rv($rollout.lastGood) `
      + `and ${left} >= 180) %}`), job)
    .otherwise(next);
  return recordChain(scope, ROLLOUT_STATES.recordFailed, plan, 'false', blame, choice);
}

/**
 * The state machine's grants: GetItem and PutItem of the job's own item (dynamodb:LeadingKeys), SubmitJob of every
 * revision of the job definition (under the job's share identifier), and with `keepRevisions` DescribeJobDefinitions and
 * DeregisterJobDefinition of its revisions.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html (LeadingKeys)
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbatch.html
 */
export function grantRollout(role: iam.IRole, plan: RolloutPlan, share: { readonly shareIdentifier?: string }): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    resources: [plan.tableArn],
    conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [plan.key] } },
  }));
  const revisions = allRevisionsArn(plan.pinned);
  role.addToPrincipalPolicy(limitToShare(new iam.PolicyStatement({ actions: ['batch:SubmitJob'], resources: [revisions] }), share));
  acknowledgeWildcardResource(role, revisions, 'A rollout submits the stable, the candidate or the last good revision of its own job definition, which '
    + 'the run chooses at run time (and, with keepRevisions, deregisters old ones): job-definition/<its name>:*, no other job definition.');
  if (plan.keepRevisions === undefined) return;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['batch:DeregisterJobDefinition'], resources: [revisions] }));
  // DescribeJobDefinitions takes no resource (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbatch.html).
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['batch:DescribeJobDefinitions'], resources: ['*'] }));
}

/** `arn:<partition>:batch:<region>:<account>:job-definition/<name>:*` from a revision-bearing ARN (a token too). */
export function allRevisionsArn(pinned: string): string {
  return Fn.join(':', [...Fn.split(':', pinned, 7).slice(0, 6), '*']);
}
