/**
 * The log tail of a bad run's message: before the message, the last lines of the failed attempt's log stream, fetched
 * by the AWS SDK integration `aws-sdk:cloudwatchlogs:getLogEvents` (no Lambda). Every error is caught: the message then
 * says why there are no lines. The result is the variable `$logTail`: `{text, note}`, `text` the lines (or null) and
 * `note` why there are none (or null).
 *
 * Bounds: at most 20 events (`Limit`), each cut to 200 characters, the whole cut to its last 2,000 characters. The
 * message carries the tail twice (text and chat card, and the text again for e-mail), so the tail adds at most about
 * 6 KB (12 KB with JSON escaping) to a message whose other parts are about 3 KB: far inside SNS's 256 KB
 * (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html) and short enough for a chat card to stay readable.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html (Limit, StartFromHead:
 *   false returns the latest events)
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { lastOf, quote } from './expressions';
import { acknowledgeWildcardResource } from '../../private/nag';

/** How much of the log a message carries. */
export const LOG_TAIL = { lines: 20, lineChars: 200, chars: 2000 } as const;

/** What the message says when there are no lines, by cause. */
export const LOG_TAIL_NOTES = {
  noStream: 'the job has no log stream (its container never started)',
  empty: 'the log stream holds no lines',
  notFound: 'the log stream or its log group does not exist (nothing written yet, or the log expired)',
  kms: 'the log group\'s KMS key refused the read (the key is disabled, or its policy does not allow CloudWatch Logs)',
  accessDenied: 'the state machine may not read the log group (AccessDenied)',
  other: 'the log lookup failed',
} as const;

/** A stream name no job has, for a run without one: the lookup fails (ResourceNotFound) and the note says why. */
const NO_STREAM = 'no-log-stream';

/** JSONata: the log stream of the last attempt of a job detail (`detail`, JSONata), which may be missing. */
export function streamOf(detail: string): string {
  return `($d := ${detail}; $l := ${lastOf('$d.Attempts')}; $exists($d.Container.LogStreamName) ? $d.Container.LogStreamName : $l.Container.LogStreamName)`;
}

/** JSONata: `$logTail` from a GetLogEvents result (`$states.result`). */
const FROM_RESULT = '($e := $append([], $states.result.Events); $count($e) > 0 ? ($l := $map($sort($e, function($a, $b) { $a.Timestamp > $b.Timestamp }), '
  + `function($v) { $substring($replace($string($v.Message), /[\\r\\n]+$/, ''), 0, ${LOG_TAIL.lineChars}) }); $t := $join($l, '\\n'); `
  + `{'text': $substring($t, $max([0, $length($t) - ${LOG_TAIL.chars}])), 'note': null}) : {'text': null, 'note': ${quote(LOG_TAIL_NOTES.empty)}})`;

/**
 * JSONata: `$logTail` from the caught error (`$states.errorOutput`) of a lookup for `stream` (JSONata, may be missing).
 * The error's name and its cause are both read: the SDK integration names the error after the service's exception
 * (`CloudWatchLogs.ResourceNotFoundException`), and its message says "The specified log stream does not exist.".
 */
function fromError(stream: string): string {
  const n = LOG_TAIL_NOTES;
  return '($e := $string($states.errorOutput.Error); $c := $string($states.errorOutput.Cause); {\'text\': null, \'note\': '
    + `$not($exists(${stream})) ? ${quote(n.noStream)} : (($contains($e & $c, 'ResourceNotFound') or $contains($c, 'does not exist')) ? ${quote(n.notFound)} : `
    + `($contains($e & $c, 'KMS') ? ${quote(n.kms)} : ($contains($e & $c, 'AccessDenied') ? ${quote(n.accessDenied)} : `
    + `${quote(n.other)} & ' (' & $e & ')')))})`;
}

/**
 * The GetLogEvents Task of a bad run: the last lines of `stream` (JSONata of the log stream's name, may be missing) in
 * `group` (the log group's name), assigned to `variable`; bounded to 60 seconds; every error caught into a note.
 * `then` is where it goes either way.
 */
export function logTailState(scope: Construct, id: string, group: string, stream: string, variable: string, then: sfn.IChainable): sfn.CustomState {
  const state = new sfn.CustomState(scope, id, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Aws.PARTITION}:states:::aws-sdk:cloudwatchlogs:getLogEvents`,
      Arguments: {
        LogGroupName: group,
        LogStreamName: `{% ($s := ${stream}; $exists($s) ? $string($s) : ${quote(NO_STREAM)}) %}`,
        Limit: LOG_TAIL.lines,
        StartFromHead: false,
      },
      Assign: { [variable]: `{% ${FROM_RESULT} %}` },
      Output: '{% $states.input %}',
      TimeoutSeconds: 60,
    },
  });
  state.addCatch(then, { errors: [sfn.Errors.ALL], assign: { [variable]: `{% ${fromError(stream)} %}` }, outputs: '{% $states.input %}' });
  state.next(then);
  return state;
}

/**
 * GetLogEvents on the log streams of `logGroupNames` only; a stream's name exists only at run time
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html: GetLogEvents acts
 * on the log-stream resource type).
 */
export function grantLogTail(stateMachine: sfn.StateMachine, logGroupNames: string[]): void {
  const streams = [...new Set(logGroupNames)].map(group => Stack.of(stateMachine).formatArn({
    service: 'logs', resource: 'log-group', resourceName: `${group}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  }));
  stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['logs:GetLogEvents'], resources: streams }));
  for (const arn of streams) {
    acknowledgeWildcardResource(stateMachine.role, arn,
      'logs:GetLogEvents reads the last lines of a failed job\'s log stream for its message; AWS Batch names the stream at run time, in the job\'s own log group.');
  }
}
