import { SCHEDULED_TIME_ENV, SCHEDULED_TIME_PARAMETER } from '../../private/job-options';
import { WORKLOAD_TAG_KEY } from '../../private/job-tags';

/**
 * The source of the two Lambda handlers behind `DeployVerification`, shipped inline (`lambda.Code.fromInline`), so the
 * library packages no asset. They use the AWS SDK v3 that the Node.js Lambda runtime provides.
 *
 * Protocol (CDK Provider framework, `onEventHandler` + `isCompleteHandler`):
 * - The physical resource id is the ARN (with revision) of the last job definition that was verified.
 * - `onEvent` submits one verification job when the requested `JobDefinition` differs from that id (a Create, or an
 *   Update that brings a new revision) and otherwise does nothing: an Update that changes nothing else of the job, a
 *   rollback to the revision verified before (its id still names it), and every Delete.
 * - `isComplete` polls DescribeJobs: SUCCEEDED completes and moves the physical id to the new revision; FAILED, or no
 *   success by the deadline (after which it terminates the job), throws, so CloudFormation fails the deployment and
 *   rolls back. The physical id only moves on success, so the rollback's Update finds the old revision verified.
 * - The run is tagged with its workload tag (`WorkloadTag`): the check function may stop only jobs that carry it.
 * - The run gets the deploy time as its scheduled time, as a real run gets its own: the `scheduledTime` parameter (for a
 *   `Ref::scheduledTime` in the command) and the `SCHEDULED_TIME` variable; with `ArraySize`, it is an array job.
 *
 * Kept small, and plain JavaScript the tests run with a stubbed Batch client (test/deploy-verification.test.ts).
 */
export const VERIFICATION_HANDLER_SOURCE = `
const { BatchClient, SubmitJobCommand, DescribeJobsCommand, TerminateJobCommand } = require('@aws-sdk/client-batch');
const batch = new BatchClient({});
const log = (m, d) => console.log(JSON.stringify({ message: m, ...d }));

exports.onEvent = async (event) => {
  const p = event.ResourceProperties;
  if (event.RequestType === 'Delete' || event.PhysicalResourceId === p.JobDefinition) {
    log('no verification: nothing new to verify', { requestType: event.RequestType, jobDefinition: p.JobDefinition });
    return event.PhysicalResourceId ? { PhysicalResourceId: event.PhysicalResourceId } : {};
  }
  const scheduledTime = new Date().toISOString().replace(/\\.[0-9]+/, '');
  const stamp = scheduledTime.replace(/[^0-9A-Za-z]/g, '');
  const input = {
    jobName: p.JobNamePrefix + stamp, jobQueue: p.JobQueue, jobDefinition: p.JobDefinition,
    // The deploy time is the run's scheduled time, passed as a scheduled run passes its own.
    parameters: { ${SCHEDULED_TIME_PARAMETER}: scheduledTime },
    containerOverrides: { environment: [{ name: '${SCHEDULED_TIME_ENV}', value: scheduledTime }] },
  };
  // The workload tag: the check function may terminate only a job that carries it.
  if (p.WorkloadTag) Object.assign(input, { tags: { '${WORKLOAD_TAG_KEY}': p.WorkloadTag }, propagateTags: true });
  if (p.Command) input.containerOverrides.command = p.Command;
  if (p.ArraySize) input.arrayProperties = { size: Number(p.ArraySize) };
  // The verification's own attempt timeout (SubmitJob's override), so that its attempts fit in the deployment's wait.
  if (p.AttemptTimeoutSeconds) input.timeout = { attemptDurationSeconds: Number(p.AttemptTimeoutSeconds) };
  // On a fair-share queue: the job's share identifier and priority (a custom resource's properties arrive as strings).
  if (p.ShareIdentifier) {
    Object.assign(input, { shareIdentifier: p.ShareIdentifier, schedulingPriorityOverride: Number(p.SchedulingPriorityOverride || 0) });
  }
  const { jobId } = await batch.send(new SubmitJobCommand(input));
  const deadline = Date.now() + Number(p.TimeoutSeconds) * 1000;
  log('verification job submitted', { jobId, jobName: input.jobName, jobDefinition: p.JobDefinition });
  return { Data: { JobId: jobId, JobName: input.jobName, Deadline: String(deadline) } };
};

exports.isComplete = async (event) => {
  const p = event.ResourceProperties;
  const data = event.Data || {};
  if (!data.JobId) return { IsComplete: true };
  const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [data.JobId] }));
  const job = (jobs || [])[0] || {};
  log('verification job status', { jobId: data.JobId, status: job.status });
  if (job.status === 'SUCCEEDED') return { IsComplete: true, PhysicalResourceId: p.JobDefinition };
  const where = 'job ' + data.JobName + ' (' + data.JobId + ') of ' + p.JobDefinition;
  if (job.status === 'FAILED') {
    const c = job.container || {};
    throw new Error('Verification failed: ' + where + ' ended FAILED: ' + (job.statusReason || 'no reason')
      + (c.exitCode !== undefined ? ', exit code ' + c.exitCode : '') + (c.logStreamName ? ', log stream ' + c.logStreamName : '')
      + '. The deployment rolls back; the schedule keeps the previous revision.');
  }
  if (Date.now() > Number(data.Deadline)) {
    await batch.send(new TerminateJobCommand({ jobId: data.JobId, reason: 'Deploy verification timed out' }));
    throw new Error('Verification timed out: ' + where + ' was ' + (job.status || 'not found') + ' after '
      + p.TimeoutSeconds + ' seconds and was terminated. The deployment rolls back; the schedule keeps the previous revision.');
  }
  return { IsComplete: false };
};
`;
