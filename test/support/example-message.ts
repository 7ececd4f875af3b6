/**
 * The example message the README shows: a failed run of the fixture's workload with a few log lines, rendered by the
 * engine's own definition in the simulator (test/support/asl-sim.ts), so that the README cannot drift from the code.
 */
import { simulate, TaskCall } from './asl-sim';
import { formsOf } from './chat-notification';
import { CONTEXT, FAILED_JOB, trackerDefinition } from './run-fixture';

const LOG_LINES = [
  'INFO reading s3://reports-data/input/2026-12-01/',
  'INFO 1,204 rows read',
  'ERROR KeyError: \'customer_id\' in row 1,205',
  'Traceback (most recent call last): report.py line 88',
];

/** The two forms of the README's example message. */
export async function exampleMessage(): Promise<{ text: string; card: any }> {
  const def = trackerDefinition();
  const run = await simulate(def, CONTEXT, (c: TaskCall) => {
    if (c.resource.endsWith('batch:submitJob.sync')) return { error: { Error: 'States.TaskFailed', Cause: JSON.stringify(FAILED_JOB) } };
    if (c.resource.endsWith('cloudwatchlogs:getLogEvents')) return { result: { Events: LOG_LINES.map((Message, i) => ({ Timestamp: 1764569400000 + i, Message })) } };
    return { result: {} };
  });
  const publish = run.calls.find(c => c.resource.endsWith('sns:publish'))!;
  const { text, card } = formsOf(publish.args.Message);
  return { text, card };
}
