/**
 * The JSONata of a job's rollout (src/runs/rollout.ts): the revision state is one DynamoDB item per job, with the
 * attributes `workload` (the key: the job's name), `version` (a counter, for optimistic writes), `stable`,
 * `candidate`, `rolledBack` and `lastGood` (revision-bearing job-definition ARNs, '' when none), `since` (when the
 * candidate was first seen), `runs` and `successes` (since then), `updatedAt`.
 *
 * A run reads the item (`view`), chooses its revision, runs, and writes the item back (`record`) on the condition that
 * nobody wrote it since (`version`); on a conflict it reads again and records its outcome on the fresh item. The
 * deployed revision (the one the state machine pins) becomes the candidate when it is newer than the stored one;
 * an older one (an execution started before a deploy, or a rolled-back stack) runs as pinned and moves nothing.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
import { quote } from './expressions';

/** A job's rollout, as the engine needs it. */
export interface RolloutPlan {
  /** ALL_AT_ONCE, CANARY or LINEAR. */
  readonly kind: string;
  /** The share of runs on the candidate at each step (none: all at once). */
  readonly percentages: number[];
  readonly runsPerStep: number;
  /** The least seconds each step lasts (0: no minimum). */
  readonly stepSeconds: number;
  readonly rerunOnLastGood: boolean;
  readonly keepRevisions?: number;
  readonly tableName: string;
  readonly tableArn: string;
  /** The item's key: the job's name. */
  readonly key: string;
  /** The revision-bearing ARN of the job definition the state machine pins (the deployed revision). */
  readonly pinned: string;
}

/** The attributes of the item that hold revisions, and those that hold numbers. */
const REVISIONS = ['stable', 'candidate', 'rolledBack', 'lastGood'] as const;
const NUMBERS = ['runs', 'successes', 'version'] as const;

/** JSONata: the revision number of a job-definition ARN (`...:job-definition/<name>:<revision>`), 0 for ''. */
export const REVISION_OF = 'function($arn) { $arn = \'\' ? 0 : $number($split($arn, \':\')[6]) }';

/** JSONata: the step a candidate is at, from its successes and the time since it was first seen. */
function stepOf(plan: RolloutPlan, successes: string, since: string, now: string): string {
  const byRuns = `$floor(${successes} / ${plan.runsPerStep})`;
  if (plan.stepSeconds <= 0) return byRuns;
  return `$min([${byRuns}, $floor(($toMillis(${now}) - $toMillis(${since})) / ${plan.stepSeconds * 1000})])`;
}

/**
 * JSONata: the view of the stored item `item` (a GetItem result's `Item`, possibly missing) for a run that pins
 * `plan.pinned`: the item's values, then `live` (a candidate on trial), `share` (percent of runs on it now), `revision` (what
 * this run submits). A run is on the candidate when `(runs x share) mod 100 < share`: the first run after the deploy,
 * then evenly (every tenth at 10%).
 */
export function viewExpression(plan: RolloutPlan, item: string): string {
  const n = plan.percentages.length;
  const read = [
    ...REVISIONS.map(a => `${quote(a)}: $s($t.${a})`),
    '\'since\': $s($t.since)',
    ...NUMBERS.map(a => `${quote(a)}: $n($t.${a})`),
  ].join(', ');
  return `($t := ${item}; $s := function($a) { $exists($a.S) ? $a.S : '' }; $n := function($a) { $exists($a.N) ? $number($a.N) : 0 }; `
    + `$rv := ${REVISION_OF}; $p := ${quote(plan.pinned)}; $now := $states.context.State.EnteredTime; `
    + `$i := {${read}}; `
    + '$fresh := $i.candidate = \'\' or $rv($p) > $rv($i.candidate); '
    + '$v := $fresh ? $merge([$i, {\'stable\': $i.stable = \'\' ? $p : $i.stable, \'candidate\': $p, \'runs\': 0, \'successes\': 0, \'since\': $now}]) : $i; '
    + '$stale := $p != $v.candidate; '
    + '$live := $not($stale) and $v.candidate != $v.stable and $v.rolledBack != $v.candidate; '
    + `$k := ${stepOf(plan, '$v.successes', '$v.since', '$now')}; `
    + `$share := $live ? ($k >= ${n} ? 100 : ${JSON.stringify(plan.percentages)}[$k]) : 0; `
    + '$on := $live and ($v.runs * $share) % 100 < $share; '
    + '$merge([$v, {\'live\': $live, \'share\': $share, \'revision\': $stale ? $p : ($on ? $v.candidate : '
    + '(($live or $v.rolledBack = $v.candidate) ? $v.stable : $v.candidate))}]))';
}

/**
 * JSONata: what a run records, from the view `$rollout` (with the revision the run submitted) and whether it
 * succeeded (`ok`) or failed through the revision's fault (`blame`): `{item, promoted, rolledBack}`. A success on the
 * candidate counts; the one that completes the last step promotes it (stable := candidate). A failure on the
 * candidate of a canary or linear rollout rolls it back (every later run uses the stable revision).
 */
export function recordExpression(plan: RolloutPlan, ok: string, blame: string): string {
  const n = plan.percentages.length;
  const rollback = plan.kind === 'ALL_AT_ONCE' ? 'false' : `$c and (${blame})`;
  const item = [
    `'workload': {'S': ${quote(plan.key)}}`,
    '\'version\': {\'N\': $string($v.version + 1)}',
    '\'stable\': {\'S\': $promote ? $v.candidate : $v.stable}',
    '\'candidate\': {\'S\': $v.candidate}',
    '\'rolledBack\': {\'S\': $back ? $v.candidate : $v.rolledBack}',
    '\'lastGood\': {\'S\': ($ok and $rv($v.revision) > $rv($v.lastGood)) ? $v.revision : $v.lastGood}',
    '\'since\': {\'S\': $v.since}',
    '\'runs\': {\'N\': $string($v.runs + 1)}',
    '\'successes\': {\'N\': $string($succ)}',
    '\'updatedAt\': {\'S\': $now}',
  ].join(', ');
  return `($v := $rollout; $rv := ${REVISION_OF}; $now := $states.context.State.EnteredTime; $ok := (${ok}) = true; `
    + '$c := $v.live and $v.revision = $v.candidate; '
    + '$succ := $v.successes + (($c and $ok) ? 1 : 0); '
    + `$promote := $c and $ok and ${stepOf(plan, '$succ', '$v.since', '$now')} >= ${n}; `
    + `$back := ${rollback}; `
    + `{'item': {${item}}, 'promoted': $promote, 'rolledBack': $back, 'stable': $v.stable, 'candidate': $v.candidate})`;
}

/**
 * JSONata: the message's sentence on a rollback (`$record` is recordExpression's result), or ''. Names both revisions,
 * the failed run is the message's own.
 */
export function rollbackNote(record: string): string {
  return `($r := ${record}; $rv := ${REVISION_OF}; $r.rolledBack ? 'Rolled back: revision ' & $string($rv($r.candidate)) & ' failed on this run, `
    + 'its trial; every later run uses revision \' & $string($rv($r.stable)) & \' (the stable one) until a newer revision is deployed.\' : \'\')';
}
