/**
 * The request model and the API Gateway mapping templates (VTL) of `RunApi`, as plain data so the tests can walk
 * them. The integration calls the AWS Batch REST API directly (no Lambda):
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html (POST /v1/submitjob)
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_DescribeJobs.html (POST /v1/describejobs)
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 */
import { Token } from 'aws-cdk-lib';
import { shareArguments, SubmissionShare } from '../../private/fair-share';
import { PARAMETER_VALUE_MAX, SCHEDULED_TIME_PARAMETER } from '../../private/job-options';
import { WORKLOAD_TAG_KEY } from '../../private/job-tags';
import { JOB_NAME_PREFIX_MAX, SCHEDULED_TIME_ENV } from '../../runs/engine/expressions';

/**
 * A scheduled time as EventBridge Scheduler writes `<aws.scheduler.scheduled-time>`: ISO 8601 in UTC, optionally with
 * milliseconds, e.g. `2026-12-01T06:00:00Z`. Anchored at the start only: what `$` means differs between regex engines
 * (in Java and Python it also matches before a final line break, in Ruby before any), so the end of the value is pinned
 * by {@link SCHEDULED_TIME_REFUSED} instead.
 */
export const SCHEDULED_TIME_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,3})?Z';

/**
 * What a scheduled time may not contain (the model refuses a value this pattern finds anywhere in it): a character
 * outside `0-9 - : . T Z` (so no line terminator, and `^` is the start of the value in every engine), or anything after
 * a `Z` (the value's only `Z` ends it). With {@link SCHEDULED_TIME_PATTERN} it pins the whole value without `$` or
 * look-arounds, which mean different things (or nothing) in different engines.
 */
export const SCHEDULED_TIME_REFUSED = '[^-0-9:.TZ]|Z[\\s\\S]';

/** Lengths of a scheduled time: `2026-12-01T06:00:00Z` to `2026-12-01T06:00:00.123Z`. */
export const SCHEDULED_TIME_LENGTH = { min: 20, max: 24 } as const;

/** A Batch job id (a UUID), for the status route's path parameter. */
export const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:[0-9]+)?$/;

/**
 * The JSON schema (draft 4, as API Gateway models take it) of a run request: the scheduled time, and values for the
 * declared parameters only. No command, image, environment or resource overrides can be expressed.
 */
export function runRequestSchema(declared: string[]): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'RunRequest',
    type: 'object',
    required: [SCHEDULED_TIME_PARAMETER],
    additionalProperties: false,
    properties: {
      [SCHEDULED_TIME_PARAMETER]: {
        type: 'string',
        minLength: SCHEDULED_TIME_LENGTH.min,
        maxLength: SCHEDULED_TIME_LENGTH.max,
        pattern: SCHEDULED_TIME_PATTERN,
        not: { pattern: SCHEDULED_TIME_REFUSED },
      },
      parameters: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(declared.map(name => [name, { type: 'string', maxLength: PARAMETER_VALUE_MAX }])),
      },
    },
  };
}

/**
 * VTL: a JSON string value, escaped. Every value a request or AWS Batch supplies enters a template through this, never
 * as a bare `$reference`. `$util.escapeJavaScript` escapes quotes, backslashes and control characters, and turns `'`
 * into `\'`, which JSON does not allow: the `replaceAll` turns it back. `$!` renders a missing value as the empty
 * string, where a bare reference would render its own source text.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#util-template-reference
 */
function jsonString(expr: string): string {
  return `"$!util.escapeJavaScript(${expr}).replaceAll("\\\\'","'")"`;
}

/** VTL: the reference `name` (no `$`) as a JSON string when it is set and not empty, else JSON `null`. */
function jsonStringOrNull(name: string): string {
  return `#if("$!{${name}}" != "")${jsonString(`$${name}`)}#{else}null#end`;
}

/**
 * A JSON string of a value known at synth, for a template: JSON-escaped, and with VTL's `$` and `#` written as JSON
 * escapes (`\u0024`, `\u0023`) so that VTL never reads them as a reference or a directive. A token passes through.
 */
export function vtlJsonLiteral(value: string): string {
  if (Token.isUnresolved(value)) return `"${value}"`;
  return JSON.stringify(value).replace(/\$/g, '\\u0024').replace(/#/g, '\\u0023');
}

export interface SubmitTemplateProps {
  /** The job's name: the prefix of each run's job name, and the value of its workload tag. */
  readonly jobName: string;
  readonly jobQueueArn: string;
  readonly jobDefinitionArn: string;
  readonly declared: string[];
  /** An array job of this many children. */
  readonly arraySize?: number;
  /** On a fair-share queue: the job's share identifier and priority (src/private/fair-share.ts). */
  readonly share?: SubmissionShare;
}

/**
 * VTL of the SubmitJob request. The job is named like a tracked run's, `<prefix>-<scheduled time, 16 letters and
 * digits>-<12 of the request id>`, so the overlap check and the status route recognise it; the scheduled time goes
 * in as the `scheduledTime` parameter and the SCHEDULED_TIME environment variable, exactly as from the schedule.
 */
export function submitJobTemplate(p: SubmitTemplateProps): string {
  const lines = [
    "#set($time = $input.path('$.scheduledTime'))",
    "#set($params = $input.path('$.parameters'))",
    '#set($stamp = $time.replaceAll("[.][0-9]+", "").replaceAll("[^A-Za-z0-9]", ""))',
    // Formal references (${x}): in VTL a hyphen may continue a name, so "$stamp-" would be a different variable.
    // A request id is a UUID: 32 hex digits without its hyphens, of which the last 12 go in the name.
    '#set($request = $context.requestId.replaceAll("[^A-Za-z0-9]", ""))',
    '{',
    // Values known at synth go in as JSON literals (vtlJsonLiteral); the job name's goes on in VTL after its prefix.
    `  "jobName": ${vtlJsonLiteral(p.jobName.length > JOB_NAME_PREFIX_MAX ? p.jobName.slice(0, JOB_NAME_PREFIX_MAX) : p.jobName).slice(0, -1)}-\${stamp}-\${request.substring(20)}",`,
    `  "jobQueue": ${vtlJsonLiteral(p.jobQueueArn)},`,
    `  "jobDefinition": ${vtlJsonLiteral(p.jobDefinitionArn)},`,
    '  "parameters": {',
  ];
  for (const name of p.declared) {
    lines.push(`    #if($params && $params.containsKey("${name}"))"${name}": ${jsonString(`$params.get("${name}")`)},#end`);
  }
  lines.push(
    `    "${SCHEDULED_TIME_PARAMETER}": ${jsonString('$time')}`,
    '  },',
    ...p.arraySize !== undefined ? [`  "arrayProperties": { "size": ${p.arraySize} },`] : [],
    // The REST API's member names: shareIdentifier, schedulingPriorityOverride.
    ...Object.entries(shareArguments(p.share ?? {})).map(([k, v]) => `  "${k[0].toLowerCase()}${k.slice(1)}": ${typeof v === 'number' ? v : vtlJsonLiteral(v)},`),
    `  "containerOverrides": { "environment": [{ "name": "${SCHEDULED_TIME_ENV}", "value": ${jsonString('$time')} }] },`,
    // The workload tag, on the job (a REPLACE or deadline stop is scoped by it) and its ECS task: src/private/job-tags.ts.
    `  "tags": { ${vtlJsonLiteral(WORKLOAD_TAG_KEY)}: ${vtlJsonLiteral(p.jobName)} },`,
    '  "propagateTags": true',
    '}',
  );
  return lines.join('\n');
}

/**
 * VTL of the StartExecution request of a run through the run engine (`RunApiRouteOptions.stateMachine`): the execution
 * is named after the request id, and its input is the request body, which the route's model has validated (the
 * scheduled time and the declared parameters only), as a JSON string.
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export function startExecutionTemplate(stateMachineArn: string): string {
  return [
    '{',
    `  "stateMachineArn": ${vtlJsonLiteral(stateMachineArn)},`,
    '  "name": "api-$context.requestId",',
    `  "input": ${jsonString('$input.body')}`,
    '}',
  ].join('\n');
}

/** VTL of the 200 response to a started execution: its ARN and start date. */
export const STARTED_RESPONSE = [
  "#set($body = $input.path('$'))",
  `{ "executionArn": ${jsonString('$body.executionArn')}, "startDate": $body.startDate }`,
].join('\n');

/** VTL of the 200 response to a submission: what Batch returned, and the time the run was for. */
export const SUBMITTED_RESPONSE = [
  "#set($body = $input.path('$'))",
  `{ "jobId": ${jsonString('$body.jobId')}, "jobName": ${jsonString('$body.jobName')}, "jobArn": ${jsonString('$body.jobArn')} }`,
].join('\n');

/** VTL of the DescribeJobs request for the status route. */
export const DESCRIBE_JOB_TEMPLATE = '{ "jobs": [' + jsonString("$input.params('jobId')") + '] }';

/**
 * VTL of the status response: the job when it is a run of this workload (its name starts with the workload's prefix
 * and it is on the workload's queue), else 404 - the integration role may describe any job (DescribeJobs has no
 * resource-level permission), so the route must not show another workload's.
 */
export function statusResponseTemplate(jobName: string, jobQueueArn: string): string {
  const prefix = `${jobName.length > JOB_NAME_PREFIX_MAX ? jobName.slice(0, JOB_NAME_PREFIX_MAX) : jobName}-`;
  return [
    "#set($jobs = $input.path('$.jobs'))",
    `#if($jobs.size() == 1 && $jobs[0].jobName.startsWith("${prefix}") && $jobs[0].jobQueue == "${jobQueueArn}")`,
    '#set($job = $jobs[0])',
    '{',
    `  "jobId": ${jsonString('$job.jobId')},`,
    `  "jobName": ${jsonString('$job.jobName')},`,
    `  "status": ${jsonString('$job.status')},`,
    `  "statusReason": ${jsonStringOrNull('job.statusReason')},`,
    // Set by every path (schedule, API, backfill) from a validated time, but any caller of SubmitJob may set it too.
    `  "scheduledTime": ${jsonString(`$job.parameters.${SCHEDULED_TIME_PARAMETER}`)},`,
    '  "createdAt": #if($job.createdAt)$job.createdAt#{else}null#end,',
    '  "startedAt": #if($job.startedAt)$job.startedAt#{else}null#end,',
    '  "stoppedAt": #if($job.stoppedAt)$job.stoppedAt#{else}null#end',
    '}',
    '#else',
    '#set($context.responseOverride.status = 404)',
    '{ "message": "No run of this workload has this job id." }',
    '#end',
  ].join('\n');
}

/**
 * VTL of an error from AWS Batch, passed on without its internals: its `message`, or a fixed text when the error has
 * none (an error body need not carry one).
 */
export const ERROR_RESPONSE = [
  "#set($message = $input.path('$.message'))",
  `{ "message": #if("$!{message}" != "")${jsonString('$message')}#{else}"AWS Batch returned an error without a message."#end }`,
].join('\n');

/** A route name from a construct id: `NightlyReport` -> `nightlyreport`, `Nightly_Report` -> `nightly-report`. */
export function routeNameFrom(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'job';
}
