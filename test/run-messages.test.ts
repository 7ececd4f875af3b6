/**
 * A bad run's one message in two forms (text for e-mail, the chat card for Amazon Q Developer in chat applications)
 * with the failed attempt's last log lines, run through the simulator (test/support/asl-sim.ts) with jsonata 2.0.6.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CARD_SVG, cardSvg } from '../scripts/chat-card-svg';
import { simulate, TaskCall, TaskOutcome } from './support/asl-sim';
import { chatNotificationErrors, formsOf } from './support/chat-notification';
import { LOG_TAIL, LOG_TAIL_NOTES, STATES } from './support/engine';
import { exampleMessage } from './support/example-message';
import { CONTEXT, EXECUTION, FAILED_JOB, REGION, STREAM, trackerDefinition } from './support/run-fixture';

// Literal from the AWS documentation: https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
const GET_LOG_EVENTS = 'arn:aws:states:::aws-sdk:cloudwatchlogs:getLogEvents';
const PUBLISH = 'arn:aws:states:::sns:publish';
const SYNC = 'arn:aws:states:::batch:submitJob.sync';
const jobFailed: TaskOutcome = { error: { Error: 'States.TaskFailed', Cause: JSON.stringify(FAILED_JOB) } };
/** 25 log events of 500 characters each, the last saying why. */
const EVENTS = Array.from({ length: 25 }, (_, i) => ({ Timestamp: 1764569000000 + i, Message: `${i === 24 ? 'ERROR cannot open s3://bucket/input ' : `line ${i} `}${'x'.repeat(480)}\n` }));

async function run(def: any, answers: Record<string, TaskOutcome>) {
  const result = await simulate(def, CONTEXT, (c: TaskCall) => answers[c.state] ?? answers[c.resource] ?? { result: {} });
  const publishes = result.calls.filter(c => c.resource === PUBLISH);
  return { ...result, publishes, forms: publishes.map(p => formsOf(p.args.Message)) };
}

describe('a failed run\'s message, in two forms, with the log tail', () => {
  const def = trackerDefinition();

  test('one publish with MessageStructure json: default and email the text, https the chat card; both carry the last lines', async () => {
    const r = await run(def, { [SYNC]: jobFailed, [GET_LOG_EVENTS]: { result: { Events: EVENTS.slice(-LOG_TAIL.lines) } } });
    expect(r.status).toBe('JobFailed');
    expect(r.calls.map(c => c.state)).toEqual(['ScheduleStartCheck', STATES.run, STATES.logTail, STATES.notify, STATES.event]);
    // The lookup reads the failed attempt's stream, in the job's own log group, newest first, at most 20 events.
    expect(r.calls[2].args).toEqual({ LogGroupName: '/aws/batch/nightly-report', LogStreamName: STREAM, Limit: 20, StartFromHead: false });
    expect(r.publishes).toHaveLength(1);
    expect(r.publishes[0].args.MessageStructure).toBe('json');
    const [{ text, email, card, keys }] = r.forms;
    expect(keys).toEqual(['default', 'email', 'https']);
    expect(email).toBe(text);
    expect(text).toContain('Nightly report: the scheduled run of 2026-12-01T06:00:00Z did not succeed.\nThe job FAILED in AWS Batch.');
    expect(text).toContain('Exit code: 3\nAttempts finished: 2\n');
    expect(text).toContain('\n\nLast log lines of the failed attempt (at most 20):\n');
    expect(text).toContain('ERROR cannot open s3://bucket/input');

    expect(chatNotificationErrors(card)).toEqual([]);
    expect(card.content.title).toBe('Nightly report: the scheduled run of 2026-12-01T06:00:00Z did not succeed.');
    expect(card.content.description).toContain('Workload: Nightly report\nScheduled time: 2026-12-01T06:00:00Z (UTC)\nJob id: job-1\n');
    expect(card.content.description).toContain('Status reason: Essential container in task exited\nExit code: 3');
    expect(card.content.description).toMatch(/```\n[^]*ERROR cannot open s3:\/\/bucket\/input x+\n```$/);
    expect(card.content.nextSteps).toEqual([
      `Job: https://${REGION}.console.aws.amazon.com/batch/home?region=${REGION}#jobs/detail/job-1`,
      `Log stream: https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#logsV2:log-groups/log-group/$252Faws$252Fbatch$252Fnightly-report/log-events/nightly-report$252Fdefault$252F0a1b2c3d`,
      `Run history: https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${EXECUTION}`,
    ]);
    expect(card.content.keywords).toEqual(['Nightly report', 'JobFailed']);
  });

  test('the tail is bounded: at most 200 characters a line and 2,000 in all, the newest lines kept', async () => {
    const r = await run(def, { [SYNC]: jobFailed, [GET_LOG_EVENTS]: { result: { Events: EVENTS.slice(-LOG_TAIL.lines) } } });
    const tail = r.forms[0].text.split('Last log lines of the failed attempt (at most 20):\n')[1];
    const lines = tail.split('\n');
    expect(Math.max(...lines.map(l => l.length))).toBeLessThanOrEqual(LOG_TAIL.lineChars);
    expect(tail.length).toBeLessThanOrEqual(LOG_TAIL.chars);
    expect(tail.length).toBeGreaterThan(LOG_TAIL.chars - LOG_TAIL.lineChars);
    expect(lines[lines.length - 1]).toMatch(/^ERROR cannot open s3:\/\/bucket\/input x{164}$/);
    // 2,000 characters of 200-character lines: the newest 10 (the first may be cut).
    expect(lines.length).toBeLessThanOrEqual(11);
    // The message stays small: far below SNS's 256 KB (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).
    expect(Buffer.byteLength(r.publishes[0].args.Message)).toBeLessThan(16 * 1024);
  });

  test('events out of order are put in time order', async () => {
    const shuffled = [EVENTS[24], EVENTS[20], EVENTS[22]];
    const r = await run(def, { [SYNC]: jobFailed, [GET_LOG_EVENTS]: { result: { Events: shuffled } } });
    const tail = r.forms[0].text.split('(at most 20):\n')[1];
    expect(tail.split('\n').map(l => l.slice(0, 8))).toEqual(['line 20 ', 'line 22 ', 'ERROR ca']);
  });

  test.each([
    ['an empty stream', { result: { Events: [] } }, LOG_TAIL_NOTES.empty],
    ['no stream or group', { error: { Error: 'CloudWatchLogs.ResourceNotFoundException', Cause: 'The specified log stream does not exist.' } }, LOG_TAIL_NOTES.notFound],
    ['a KMS key that refuses', { error: { Error: 'CloudWatchLogs.AccessDeniedException', Cause: 'The KMS key is disabled' } }, LOG_TAIL_NOTES.kms],
    ['no permission', { error: { Error: 'CloudWatchLogs.AccessDeniedException', Cause: 'not authorized to perform: logs:GetLogEvents' } }, LOG_TAIL_NOTES.accessDenied],
    ['a timeout', { error: { Error: 'States.Timeout' } }, `${LOG_TAIL_NOTES.other} (States.Timeout)`],
  ] as [string, TaskOutcome, string][])('no lines (%s): both forms say why, the message still goes out once', async (_name, answer, note) => {
    const r = await run(def, { [SYNC]: jobFailed, [GET_LOG_EVENTS]: answer });
    expect(r.status).toBe('JobFailed');
    expect(r.publishes).toHaveLength(1);
    const [{ text, card }] = r.forms;
    expect(text.endsWith(`\n\nLog lines: none, ${note}.`)).toBe(true);
    expect(card.content.description.endsWith(`\n\nLog lines: none, ${note}.`)).toBe(true);
    expect(chatNotificationErrors(card)).toEqual([]);
  });

  test('a run that submitted no job has no stream: the message says so', async () => {
    const r = await run(def, {
      [SYNC]: { error: { Error: 'Batch.ClientException', Cause: 'Job queue is disabled' } },
      [GET_LOG_EVENTS]: { error: { Error: 'CloudWatchLogs.ResourceNotFoundException' } },
    });
    expect(r.status).toBe('NotSubmitted');
    expect(r.forms[0].text).toContain(`Log lines: none, ${LOG_TAIL_NOTES.noStream}.`);
    expect(chatNotificationErrors(r.forms[0].card)).toEqual([]);
  });

  test('a message that cannot be rendered goes out plain, still in both forms, and the chat card is valid', async () => {
    const r = await run(def, { [SYNC]: jobFailed, [STATES.notify]: { error: { Error: 'States.QueryEvaluationError' } } });
    expect(r.status).toBe('JobFailed');
    expect(r.publishes.map(p => p.state)).toEqual([STATES.notify, STATES.notifyPlain]);
    const plain = r.forms[1];
    expect(plain.keys).toEqual(['default', 'email', 'https']);
    expect(plain.text).toMatch(/^Nightly report: the scheduled run of 2026-12-01T06:00:00Z did not succeed \(JobFailed, error States.TaskFailed\)\. Its details could not be formatted; open the run: https:/);
    expect(plain.card.content).toEqual({ textType: 'client-markdown', title: 'Nightly report: a scheduled run did not succeed', description: plain.text });
    expect(chatNotificationErrors(plain.card)).toEqual([]);
  });

  test('the schema itself refuses what the page does not allow', () => {
    expect(chatNotificationErrors({ version: '1.0', source: 'custom', content: { description: 'x' } })).toEqual([]);
    expect(chatNotificationErrors({ version: '2.0', source: 'custom', content: { description: 'x' } })).not.toEqual([]);
    expect(chatNotificationErrors({ version: '1.0', source: 'aws.batch', content: { description: 'x' } })).not.toEqual([]);
    expect(chatNotificationErrors({ version: '1.0', source: 'custom', content: { title: 'no description' } })).not.toEqual([]);
    expect(chatNotificationErrors({ version: '1.0', source: 'custom', content: { description: 'x', nextStep: ['typo'] } })).not.toEqual([]);
  });
});

describe('README: the message in each form', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

  test('the text and the chat JSON it shows are what the engine renders; the card is valid; its drawing is current', async () => {
    const { text, card } = await exampleMessage();
    expect(readme).toContain(`\`\`\`text\n${text}\n\`\`\``);
    expect(readme).toContain(`\`\`\`json\n${JSON.stringify(card, null, 2)}\n\`\`\``);
    expect(text).toContain('Last log lines of the failed attempt');
    expect(chatNotificationErrors(card)).toEqual([]);
    expect(readme).toContain('](docs/images/run-message-card.svg)');
    // Regenerate with: npx ts-node -P test/tsconfig.json scripts/chat-card-svg.ts
    expect(fs.readFileSync(CARD_SVG, 'utf8')).toBe(cardSvg(card));
  });
});
