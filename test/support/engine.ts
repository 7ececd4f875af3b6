/** The run engine's pieces the tests read, under the names the tests use. */
export { jobRunMessage as messageExpression, stepSummary as stepSummaryExpression, workflowRunMessage as workflowMessageExpression, CHILD_LINKS_MAX } from '../../src/runs/engine/messages';
export { jobRunNotification as notificationExpression, workflowRunNotification as workflowNotificationExpression } from '../../src/runs/engine/messages';
export { LOG_TAIL, LOG_TAIL_NOTES } from '../../src/runs/engine/log-tail';
export { EVENT_OUTCOMES, RUN_EVENT } from '../../src/runs/engine/run-events';
export { ALL_ATTEMPTS_RECLAIMED, stepStates } from '../../src/runs/engine/states';
export { SCHEDULED_TIME, runParametersExpression, activeJobsExpression } from '../../src/runs/engine/expressions';
export { QUEUE_POLL_SECONDS, QUEUE_WAIT_EVENTS, queuePollSeconds, WAITED_OUTCOME } from '../../src/runs/overlap/queue';
import { RUN_OUTCOMES as ENGINE_OUTCOMES } from '../../src/runs/engine/messages';
import { STATES as ENGINE_STATES } from '../../src/runs/engine/states';

/** The engine's outcomes and the SKIP policy's. */
export const RUN_OUTCOMES = { ...ENGINE_OUTCOMES, skipped: 'RunSkipped' } as const;

/** State names of a job's run, the overlap policies' included. */
export const STATES = { ...ENGINE_STATES, checkOverlap: 'CheckForActiveRun', skipIfActive: 'SkipIfRunActive' } as const;

/** State names of a workflow's run. */
export const WORKFLOW_STATES = {
  ...ENGINE_STATES,
  checkOverlap: 'CheckForActiveRun',
  skip: 'SkipIfRunActive',
  waitIfActive: 'WaitIfRunActive',
  wait: 'WaitForEarlierRun',
} as const;
