/**
 * Writes the run API's mapping templates (src/api/private/run-api-templates.ts) with the requests and AWS answers they
 * meet, and what velocityjs (test/support/vtl.ts, the unit tests' engine) renders for each, for run.sh to render the
 * same cases with Apache Velocity 1.7 and compare:
 *
 *   npx ts-node -P test/tsconfig.json test/velocity/cases.ts <cases.json>
 */
import * as fs from 'fs';
import {
  DESCRIBE_JOB_TEMPLATE, ERROR_RESPONSE, STARTED_RESPONSE, SUBMITTED_RESPONSE, startExecutionTemplate, statusResponseTemplate, submitJobTemplate,
} from '../../src/api/private/run-api-templates';
import { renderVtl } from '../support/vtl';

/** Quotes, backslash, line breaks, U+2028/9, a control character, a script end tag, an emoji, VTL's own $ and #. */
const HOSTILE = 'x", "jobQueue": "arn:evil" } \\ it\'s\n\r\t\u2028\u2029\u0001 </script> 😀 $input.body #set($a = 1) ${x}';
const REQUEST_ID = '4f3c2b1a-0000-1111-2222-333344445555';
const QUEUE = 'arn:aws:batch:us-east-1:123456789012:job-queue/Platform-JobQueue';
const NAME = 'Integ-Report-Job-B376FEE1';

interface Case {
  readonly name: string;
  readonly template: string;
  /** The raw body: what API Gateway hands the template. */
  readonly body: string;
  readonly pathParameters?: Record<string, string>;
  readonly requestId: string;
  /** velocityjs's rendering. */
  readonly expected: { text: string; status?: number };
}

const cases: Case[] = [];
function add(name: string, template: string, body: unknown, pathParameters?: Record<string, string>, requestId = REQUEST_ID): void {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const expected = renderVtl(template, { body: JSON.parse(raw), pathParameters, requestId });
  cases.push({ name, template, body: raw, pathParameters, requestId, expected });
}

const submitTemplates: Record<string, string> = {
  'submit, no declared parameter': submitJobTemplate({ jobName: NAME, jobQueueArn: QUEUE, jobDefinitionArn: 'arn:def:3', declared: [] }),
  'submit, two declared parameters, an array job, a share': submitJobTemplate({
    jobName: NAME,
    jobQueueArn: QUEUE,
    jobDefinitionArn: 'arn:def:3',
    declared: ['greeting', 'region'],
    arraySize: 4,
    share: { shareIdentifier: 'reporting', schedulingPriority: 50 },
  }),
  'submit, a name past the prefix limit, with $ and #': submitJobTemplate({
    jobName: `${'N'.repeat(120)}$x#y`, jobQueueArn: `${QUEUE}$#`, jobDefinitionArn: 'arn:def:3#$', declared: ['greeting'],
  }),
};
const requests: Record<string, unknown> = {
  'a time': { scheduledTime: '2026-11-23T02:00:00Z' },
  'a time with milliseconds': { scheduledTime: '2026-11-23T02:00:00.123Z' },
  'parameters': { scheduledTime: '2026-11-23T02:00:00Z', parameters: { greeting: 'hello', region: 'eu-west-1' } },
  'one parameter, hostile': { scheduledTime: '2026-11-23T02:00:00Z', parameters: { greeting: HOSTILE } },
  'empty parameters': { scheduledTime: '2026-11-23T02:00:00Z', parameters: {} },
  'an empty value': { scheduledTime: '2026-11-23T02:00:00Z', parameters: { greeting: '' } },
  'a hostile time (the model refuses it; the template still escapes it)': { scheduledTime: HOSTILE },
};
for (const [t, template] of Object.entries(submitTemplates)) {
  for (const [r, body] of Object.entries(requests)) add(`${t} / ${r}`, template, body);
}
add('submit / another request id', submitTemplates['submit, no declared parameter'], requests['a time'], undefined, 'ffffffff-eeee-dddd-cccc-bbbbbbbbbbbb');

const start = startExecutionTemplate('arn:aws:states:us-east-1:123456789012:stateMachine:Run$x#y');
for (const [r, body] of Object.entries(requests)) add(`start execution / ${r}`, start, body);

add('started', STARTED_RESPONSE, { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Run:api-1', startDate: 1733561234.567 });
add('started, hostile ARN', STARTED_RESPONSE, { executionArn: HOSTILE, startDate: 1733561234 });

add('submitted', SUBMITTED_RESPONSE, { jobId: '0a1b2c3d-0000-1111-2222-333344445555', jobName: `${NAME}-20261123T020000-333344445555`, jobArn: 'arn:aws:batch:us-east-1:123456789012:job/0a1b' });
add('submitted, hostile', SUBMITTED_RESPONSE, { jobId: HOSTILE, jobName: HOSTILE, jobArn: HOSTILE });
add('submitted, fields missing', SUBMITTED_RESPONSE, { jobId: 'j' });

add('describe', DESCRIBE_JOB_TEMPLATE, {}, { jobId: '0a1b2c3d-0000-1111-2222-333344445555' });
add('describe, hostile id', DESCRIBE_JOB_TEMPLATE, {}, { jobId: HOSTILE });

const status = statusResponseTemplate(NAME, QUEUE);
const job = {
  jobId: '0a1b2c3d-0000-1111-2222-333344445555',
  jobName: `${NAME}-20261123T020000-333344445555`,
  jobQueue: QUEUE,
  status: 'FAILED',
  statusReason: 'Essential container in task exited',
  parameters: { scheduledTime: '2026-11-23T02:00:00Z' },
  createdAt: 1763863200000,
  startedAt: 1763863260000,
  stoppedAt: 1763866860000,
};
add('status, a run of this workload', status, { jobs: [job] });
add('status, still queued (no start or stop)', status, { jobs: [{ ...job, status: 'RUNNABLE', statusReason: undefined, startedAt: undefined, stoppedAt: undefined }] });
add('status, an empty reason', status, { jobs: [{ ...job, statusReason: '' }] });
add('status, hostile values', status, { jobs: [{ ...job, statusReason: HOSTILE, status: HOSTILE, parameters: { scheduledTime: HOSTILE } }] });
add('status, another workload\'s job', status, { jobs: [{ ...job, jobName: 'Other-Job-20261123T020000-333344445555' }] });
add('status, another queue', status, { jobs: [{ ...job, jobQueue: `${QUEUE}-other` }] });
add('status, no job', status, { jobs: [] });

add('error with a message', ERROR_RESPONSE, { message: 'Job queue is disabled' });
add('error, hostile message', ERROR_RESPONSE, { message: HOSTILE });
add('error, empty message', ERROR_RESPONSE, { message: '' });
add('error without a message', ERROR_RESPONSE, { __type: 'ClientException' });

if (process.env.VTL_PLANT === '1') {
  // Where the engines differ: Velocity 1.7 ignores a #set to null (the variable keeps its value), velocityjs clears it.
  // No run API template sets a variable twice; this one does, and run.sh requires the comparison to catch it.
  add('PLANTED: a second #set, to a missing value', "#set($x = 'kept')\n#set($x = $input.path('$.missing'))\n{ \"x\": \"$!x\" }", { a: 1 });
}

fs.writeFileSync(process.argv[2], JSON.stringify(cases, undefined, 1));
process.stdout.write(`${cases.length} cases\n`);
