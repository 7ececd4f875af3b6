/**
 * The one message a `ScheduledBatchWorkflow` run that does not succeed publishes (`workflowRunMessage`), in
 * TypeScript for the tests, which evaluate the JSONata with the jsonata 2.0.6 engine and compare.
 */
import { timeNote } from '../../src/runs/engine/expressions';
import { CHILD_LINKS_MAX, RUN_OUTCOMES, workflowSentences } from '../../src/runs/engine/messages';
import { WAITED_OUTCOME } from '../../src/runs/overlap/queue';

/** The step's summary a branch's Fail state puts in its Cause (what the message shows of the failed step). */
export interface StepSummary {
  readonly step?: string;
  readonly error?: string;
  readonly jobId?: string;
  readonly status?: string;
  readonly statusReason?: string;
  readonly exitCode?: number;
  readonly logStream?: string;
  readonly attempts?: number;
  readonly childrenFailed?: number;
  readonly arraySize?: number;
  readonly failedChildren?: number[];
  readonly onDemand?: boolean;
  readonly stopped?: boolean;
}

const SKIPPED = 'The run was SKIPPED: an earlier run of this workflow is still running (overlap policy SKIP).';
const waited = (deadline: string) => `The run was NOT STARTED by its deadline, ${deadline}: an earlier run of this workflow was still running (overlap policy QUEUE).`;

export interface WorkflowMessageFacts {
  readonly workflow: string;
  readonly timeZone: string;
  readonly scheduledTime: string;
  readonly outcome: string;
  readonly failure: { readonly Error?: string; readonly Cause?: string };
  /** Each step's log group, by step name. */
  readonly logGroups: Record<string, string>;
  readonly executionArn: string;
  readonly deadlineText: string;
}

/** The message `workflowMessageExpression` renders, in TypeScript. */
export function renderWorkflowMessage(f: WorkflowMessageFacts): string {
  const c = String(f.failure.Cause);
  const w: StepSummary = c.startsWith('{') && c.includes('"step"') ? JSON.parse(c) : {};
  const val = (v: unknown) => (v === undefined || v === null ? 'n/a' : String(v));
  const enc = (s: string) => encodeURIComponent(s).split('%').join('$25');
  const region = f.executionArn.split(':')[3];
  const consoleUrl = `https://${region}.console.aws.amazon.com/`;
  const step = val(w.step);
  const s = workflowSentences(f.deadlineText);
  const what = f.outcome === RUN_OUTCOMES.jobFailed ? s.jobFailed(step)
    : f.outcome === RUN_OUTCOMES.deadlinePassed ? s.deadline(step)
      : f.outcome === 'RunSkipped' ? SKIPPED : f.outcome === WAITED_OUTCOME ? waited(f.deadlineText) : s.notSubmitted(step);
  const log = w.step !== undefined ? f.logGroups[w.step] : undefined;
  return [
    `${f.workflow}: the scheduled run of ${f.scheduledTime} did not succeed.`,
    what,
    '',
    `Workflow: ${f.workflow}`,
    `Scheduled time: ${f.scheduledTime} (${timeNote(f.timeZone)})`,
    `Failed step: ${step}`,
    `Job id: ${val(w.jobId)}`,
    `Job status: ${val(w.status)}`,
    `Status reason: ${w.statusReason !== undefined ? w.statusReason : c.slice(0, 1000)}`,
    `Exit code: ${val(w.exitCode)}`,
    `Attempts finished: ${val(w.attempts)}`,
    w.arraySize !== undefined ? `Children failed: ${val(w.childrenFailed)} of ${w.arraySize}` : undefined,
    w.arraySize !== undefined ? `Failed children (up to ${CHILD_LINKS_MAX}): ${Array.isArray(w.failedChildren) && w.failedChildren.length > 0
      ? w.failedChildren.map(i => `${consoleUrl}batch/home?region=${region}#jobs/detail/${w.jobId}:${i}`).join(' ') : 'n/a'}` : undefined,
    w.onDemand === true ? 'Resubmitted On-Demand after every Spot attempt was reclaimed: yes' : undefined,
    w.stopped === true ? 'The late job was stopped (AWS Batch TerminateJob).' : undefined,
    `Job: ${w.jobId !== undefined ? `${consoleUrl}batch/home?region=${region}#jobs/detail/${w.jobId}` : 'n/a'}`,
    `Log stream: ${w.logStream !== undefined && log !== undefined ? `${consoleUrl}cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${enc(log)}/log-events/${enc(w.logStream)}` : 'n/a'}`,
    `Run history: ${consoleUrl}states/home?region=${region}#/v2/executions/details/${f.executionArn}`,
    `Error: ${val(f.failure.Error)}`,
  ].filter(l => l !== undefined).join('\n');
}
