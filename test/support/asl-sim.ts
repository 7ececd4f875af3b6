import jsonata from 'jsonata';

/**
 * A small interpreter of the Amazon States Language subset the library's JSONata state machines use (Task, Choice,
 * Parallel, Map (inline), Wait, Pass, Succeed, Fail), to run a definition against scripted task results with the real jsonata engine: variables
 * (Assign, with Parallel branches in their own scope that reads the outer one), `$states.input/result/errorOutput/
 * context`, Catch by error name, Output. Retries, timeouts and Wait durations are not simulated: a Task's outcome is
 * what the script returns (an error named `States.Timeout` stands for a timeout).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
 */
export interface TaskCall {
  readonly state: string;
  readonly resource: string;
  readonly args: any;
}
export type TaskOutcome = { readonly result: any } | { readonly error: { readonly Error: string; readonly Cause?: string } };
export interface SimResult {
  /** 'SUCCEEDED', or the Error of the Fail state the run ended in. */
  readonly status: string;
  readonly cause?: string;
  readonly output?: any;
  readonly calls: TaskCall[];
}

class Failed {
  constructor(public readonly Error: string, public readonly Cause: string | undefined) {}
}

export async function simulate(def: any, context: any, onTask: (call: TaskCall) => TaskOutcome): Promise<SimResult> {
  const calls: TaskCall[] = [];
  const evaluate = async (v: any, vars: Record<string, any>, states: any): Promise<any> => {
    if (typeof v === 'string') {
      const m = /^\{%(.*)%\}$/s.exec(v);
      if (!m) return v;
      return jsonata(m[1]).evaluate({}, { ...vars, states: { ...states, context }, parse: (s: string) => JSON.parse(s) });
    }
    if (Array.isArray(v)) return Promise.all(v.map(x => evaluate(x, vars, states)));
    if (v && typeof v === 'object') {
      const out: Record<string, any> = {};
      for (const [k, x] of Object.entries(v)) out[k] = await evaluate(x, vars, states);
      return out;
    }
    return v;
  };
  const assign = async (spec: any, vars: Record<string, any>, states: any) => {
    if (!spec) return;
    const values = await evaluate(spec, vars, states);
    Object.assign(vars, values);
  };
  const catcher = (state: any, error: string) =>
    (state.Catch ?? []).find((c: any) => c.ErrorEquals.includes(error) || (c.ErrorEquals.includes('States.ALL') && error !== 'States.Runtime'));

  /** Runs one (sub-)machine; returns its output, or throws Failed. */
  const run = async (machine: any, input: any, vars: Record<string, any>): Promise<any> => {
    let name: string | undefined = machine.StartAt;
    let data = input;
    for (let steps = 0; name; steps++) {
      if (steps > 500) throw new Error('too many transitions');
      const state = machine.States[name];
      if (!state) throw new Error(`no state ${name}`);
      if (state.Type === 'Succeed') return data;
      if (state.Type === 'Fail') {
        const states = { input: data };
        throw new Failed(await evaluate(state.Error, vars, states), await evaluate(state.Cause, vars, states));
      }
      if (state.Type === 'Choice') {
        let next = state.Default;
        for (const rule of state.Choices) {
          if (await evaluate(rule.Condition, vars, { input: data })) {
            await assign(rule.Assign, vars, { input: data });
            next = rule.Next;
            break;
          }
        }
        name = next;
        continue;
      }
      if (state.Type === 'Wait') {
        name = state.Next;
        continue;
      }
      if (state.Type === 'Succeed' || state.Type === 'Pass') {
        await assign(state.Assign, vars, { input: data });
        data = state.Output !== undefined ? await evaluate(state.Output, vars, { input: data }) : data;
        name = state.Type === 'Succeed' || state.End ? undefined : state.Next;
        continue;
      }
      let result: any;
      let error: { Error: string; Cause?: string } | undefined;
      if (state.Type === 'Task') {
        const args = await evaluate(state.Arguments, vars, { input: data });
        calls.push({ state: name, resource: state.Resource, args });
        const outcome = onTask({ state: name, resource: state.Resource, args });
        if ('error' in outcome) error = outcome.error; else result = outcome.result;
      } else if (state.Type === 'Parallel') {
        try {
          // Each branch reads the outer variables and assigns its own.
          result = [];
          for (const b of state.Branches) result.push(await run(b, data, { ...vars }));
        } catch (e) {
          if (!(e instanceof Failed)) throw e;
          error = { Error: e.Error, Cause: e.Cause };
        }
      } else if (state.Type === 'Map') {
        try {
          // Each item runs the processor with the item as its input, reading the outer variables.
          const items = await evaluate(state.Items, vars, { input: data });
          result = [];
          for (const item of items ?? []) result.push(await run(state.ItemProcessor, item, { ...vars }));
        } catch (e) {
          if (!(e instanceof Failed)) throw e;
          error = { Error: e.Error, Cause: e.Cause };
        }
      } else {
        throw new Error(`state type ${state.Type} is not simulated`);
      }
      if (error) {
        const c = catcher(state, error.Error);
        if (!c) throw new Failed(error.Error, error.Cause);
        await assign(c.Assign, vars, { input: data, errorOutput: error });
        data = c.Output !== undefined ? await evaluate(c.Output, vars, { input: data, errorOutput: error }) : error;
        name = c.Next;
        continue;
      }
      await assign(state.Assign, vars, { input: data, result });
      data = state.Output !== undefined ? await evaluate(state.Output, vars, { input: data, result }) : result;
      name = state.End ? undefined : state.Next;
    }
    return data;
  };
  try {
    const output = await run(def, context.Execution.Input, {});
    return { status: 'SUCCEEDED', output, calls };
  } catch (e) {
    if (e instanceof Failed) return { status: e.Error, cause: e.Cause, calls };
    throw e;
  }
}
