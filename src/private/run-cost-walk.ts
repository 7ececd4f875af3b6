import { Aspects, Tag, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { cents } from './cost-math';
import { IRunCostEstimable, MonthlyRunCostOptions, RunCost, TeamRunCost, WorkloadRunCost } from '../cost/run-cost';

/** The tag key teams are told apart by (docs/operations.md, "Cost allocation by workload and team"). */
export const TEAM_TAG = 'team';
/** How a workload without a team tag is grouped. */
export const NO_TEAM = '(no team)';

/** Whether a construct says what its runs cost. */
export function isRunCostEstimable(c: IConstruct): c is IConstruct & IRunCostEstimable {
  return typeof (c as unknown as Partial<IRunCostEstimable>).runCostProfile === 'function';
}

/**
 * Every scheduled workload at or below `scope` with its runs' monthly cost: one run's `RunCost.estimate` (as long as
 * `options.runDuration`, else its job's timeout) × the schedule's fires in 730 hours. Sorted by workload.
 */
export function workloadRunCosts(scope: IConstruct, options: MonthlyRunCostOptions = {}): WorkloadRunCost[] {
  const duration = options.runDuration;
  const seconds = duration && !duration.isUnresolved() ? duration.toSeconds() : undefined;
  const rows: WorkloadRunCost[] = [];
  for (const c of scope.node.findAll()) {
    if (!isRunCostEstimable(c)) continue;
    const profile = c.runCostProfile();
    if (!profile) continue;
    const runUsd = RunCost.estimate({ ...profile.run, durationSeconds: seconds ?? profile.run.durationSeconds }).usd;
    const runsPerMonth = profile.runsPerMonth;
    rows.push({ workload: profile.workload, team: teamOf(c), runsPerMonth, runUsd, monthlyUsd: cents(runUsd * runsPerMonth) });
  }
  return rows.sort((a, b) => a.workload.localeCompare(b.workload));
}

/** The workloads' monthly run costs by team (the `team` tag), largest first. */
export function teamRunCosts(rows: WorkloadRunCost[]): TeamRunCost[] {
  const teams = new Map<string, { workloads: number; usd: number }>();
  for (const r of rows) {
    const t = teams.get(r.team ?? NO_TEAM) ?? { workloads: 0, usd: 0 };
    teams.set(r.team ?? NO_TEAM, { workloads: t.workloads + 1, usd: t.usd + r.monthlyUsd });
  }
  return [...teams.entries()].map(([team, t]) => ({ team, workloads: t.workloads, monthlyUsd: cents(t.usd) }))
    .sort((a, b) => b.monthlyUsd - a.monthlyUsd || a.team.localeCompare(b.team));
}

/**
 * The `team` tag `Tags.of(...)` gives the construct: the innermost scope's wins, as tag aspects applied from the root
 * down leave it. Read from the aspects, so the answer is the same before and after synth.
 */
export function teamOf(c: IConstruct): string | undefined {
  for (const scope of [...c.node.scopes].reverse()) {
    const tag = Aspects.of(scope).all.filter((a): a is Tag => a instanceof Tag && a.key === TEAM_TAG).pop();
    if (tag && !Token.isUnresolved(tag.value)) return tag.value;
  }
  return undefined;
}
