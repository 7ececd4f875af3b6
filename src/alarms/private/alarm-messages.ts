import * as events from 'aws-cdk-lib/aws-events';

/**
 * The SNS message of the per-job failure notification (input transformer over the `Batch Job State Change` event).
 * `container.*` holds the last attempt.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/batch_job_events.html
 */
export function failureMessage(): events.RuleTargetInput {
  return events.RuleTargetInput.fromObject({
    message: 'AWS Batch job FAILED',
    jobName: events.EventField.fromPath('$.detail.jobName'),
    jobId: events.EventField.fromPath('$.detail.jobId'),
    status: events.EventField.fromPath('$.detail.status'),
    statusReason: events.EventField.fromPath('$.detail.statusReason'),
    exitCode: events.EventField.fromPath('$.detail.container.exitCode'),
    logStreamName: events.EventField.fromPath('$.detail.container.logStreamName'),
    jobQueue: events.EventField.fromPath('$.detail.jobQueue'),
    jobDefinition: events.EventField.fromPath('$.detail.jobDefinition'),
    time: events.EventField.time,
    region: events.EventField.region,
  });
}

/**
 * The SNS message for a `Batch Job Queue Blocked` event: the job that cannot start and why.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/batch-job-queue-blocked-events.html
 */
export function queueBlockedMessage(): events.RuleTargetInput {
  return events.RuleTargetInput.fromObject({
    message: 'AWS Batch job queue blocked: a RUNNABLE job cannot start',
    jobName: events.EventField.fromPath('$.detail.jobName'),
    jobId: events.EventField.fromPath('$.detail.jobId'),
    statusReason: events.EventField.fromPath('$.detail.statusReason'),
    jobQueue: events.EventField.fromPath('$.detail.jobQueue'),
    jobDefinition: events.EventField.fromPath('$.detail.jobDefinition'),
    firstCheck: 'ACTION_REQUIRED: a compute environment is INVALID (aws batch describe-compute-environments); CAPACITY or MISCONFIGURATION: instance types, maxvCpus or the job size',
    time: events.EventField.time,
    region: events.EventField.region,
  });
}
