import { ValidationError } from '../../private/prop-names';

/**
 * The step graph of a `ScheduledBatchWorkflow`: synth-time checks (names, duplicates, unknown dependencies, cycles,
 * size) and the topological levels the state machine runs one after another.
 */

/** What the graph checks need of a step. */
export interface GraphStep {
  readonly name: string;
  readonly dependsOn?: string[];
}

/** Step names: letters, digits and hyphens, starting with a letter or digit. */
export const STEP_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/;

/**
 * The most steps a workflow takes. Each step is up to 7 states (its job, the reclaim check and the On-Demand
 * resubmission, the lookups and stop of a late job, its Fail state): 20 steps keep a definition near 150 states and well under the 1 MB definition
 * limit, and the run history (about 15 events per step) far from the 25,000-event limit. A graph larger than this is
 * better split into two workflows, or fanned out (`arraySize`).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const MAX_STEPS = 20;

/** Fails at synth on a graph Step Functions cannot run or that does not mean what it says. */
export function validateGraph(steps: GraphStep[]): void {
  if (steps.length === 0) {
    throw new ValidationError("'steps' is empty: give at least one step, e.g. { name: 'extract', command: [...] }.");
  }
  if (steps.length > MAX_STEPS) {
    throw new ValidationError(`'steps' has ${steps.length} steps, more than the ${MAX_STEPS} a workflow takes: split the graph into two workflows, or fan a step out with 'arraySize'.`);
  }
  const names = new Set<string>();
  for (const s of steps) {
    if (!STEP_NAME.test(s.name)) {
      throw new ValidationError(`Step name '${s.name}' is not valid: use 1 to 40 letters, digits and hyphens, starting with a letter or digit, e.g. 'transform-a'.`);
    }
    if (names.has(s.name)) {
      throw new ValidationError(`Step name '${s.name}' is used by two steps: give each step its own 'name'.`);
    }
    names.add(s.name);
  }
  for (const s of steps) {
    for (const d of s.dependsOn ?? []) {
      if (!names.has(d)) {
        throw new ValidationError(`Step '${s.name}' has 'dependsOn' '${d}', which is not a step of this workflow: use one of ${[...names].map(n => `'${n}'`).join(', ')}.`);
      }
      if (d === s.name) {
        throw new ValidationError(`Step '${s.name}' depends on itself ('dependsOn' holds '${d}'): remove it.`);
      }
    }
  }
  const cycle = findCycle(steps);
  if (cycle) {
    throw new ValidationError(`'steps' has a cycle: ${cycle.join(' -> ')}. A step cannot wait for itself: remove one of these 'dependsOn' entries.`);
  }
}

/** A cycle as step names, first repeated last (`a -> b -> a`), or undefined. Depth-first, in declaration order. */
function findCycle(steps: GraphStep[]): string[] | undefined {
  const deps = new Map(steps.map(s => [s.name, s.dependsOn ?? []]));
  const state: Record<string, 'open' | 'done'> = {};
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state[n] === 'done') return undefined;
    if (state[n] === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state[n] = 'open';
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const found = visit(d);
      if (found) return found;
    }
    stack.pop();
    state[n] = 'done';
    return undefined;
  };
  for (const s of steps) {
    const found = visit(s.name);
    // Found walking dependencies (b depends on a): print in run order, a before b.
    if (found) return found.reverse();
  }
  return undefined;
}

/**
 * The levels the graph runs in: level 0 holds the steps without dependencies, level k the steps whose deepest
 * dependency is in level k-1. Steps keep their declaration order inside a level. Call after `validateGraph`.
 */
export function topologicalLevels<T extends GraphStep>(steps: T[]): T[][] {
  const level = new Map<string, number>();
  const byName = new Map(steps.map(s => [s.name, s]));
  const depth = (s: T): number => {
    const known = level.get(s.name);
    if (known !== undefined) return known;
    const d = Math.max(-1, ...(s.dependsOn ?? []).map(n => depth(byName.get(n)!))) + 1;
    level.set(s.name, d);
    return d;
  };
  const levels: T[][] = [];
  for (const s of steps) (levels[depth(s)] ??= []).push(s);
  return levels;
}
