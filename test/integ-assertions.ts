import { ExpectedResult, IApiCall, IntegTest } from '@aws-cdk/integ-tests-alpha';
import * as cdk from 'aws-cdk-lib';
import { ScheduledBatchWorkload } from '../src';

/**
 * Deploy-time assertions shared by the workload integration tests:
 *  1. the deployed schedule starts this workload's run-tracking state machine with the scheduled time as input;
 *  2. a run started the way the schedule starts it (StartExecution with a scheduled time) reaches SUCCEEDED, which
 *     means its job was submitted to this queue with this job definition and SUCCEEDED.
 * Returns the last assertion (the run's SUCCEEDED), for assertions that follow the run.
 */
export function assertScheduledRunSucceeds(integ: IntegTest, workload: ScheduledBatchWorkload): IApiCall {
  const stateMachine = workload.jobSchedule.tracker!.stateMachine;
  const schedule = integ.assertions.awsApiCall('Scheduler', 'getSchedule', {
    Name: workload.schedule.scheduleName,
    GroupName: workload.scheduleGroup.scheduleGroupName,
  });
  schedule.expect(ExpectedResult.objectLike({
    Target: { Arn: stateMachine.stateMachineArn, Input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}' },
  }));
  const run = startRun(integ, workload);
  schedule.next(run.start);
  run.start.next(run.describe
    .expect(ExpectedResult.objectLike({ status: 'SUCCEEDED' }))
    .waitForAssertions({ totalTimeout: cdk.Duration.minutes(45), interval: cdk.Duration.minutes(1) }));
  return run.describe;
}

/**
 * A run whose job fails on purpose ends FAILED with the error `JobFailed`: the state machine reaches that Fail state
 * only after its SNS publish succeeded (a failed publish ends in `NotificationFailed`), so this asserts that the
 * one notification of the bad run was published.
 */
export function assertFailedRunNotifies(integ: IntegTest, workload: ScheduledBatchWorkload): void {
  const run = startRun(integ, workload);
  run.start.next(run.describe
    .expect(ExpectedResult.objectLike({ status: 'FAILED', error: 'JobFailed' }))
    .waitForAssertions({ totalTimeout: cdk.Duration.minutes(45), interval: cdk.Duration.minutes(1) }));
}

function startRun(integ: IntegTest, workload: ScheduledBatchWorkload) {
  const start = integ.assertions.awsApiCall('StepFunctions', 'startExecution', {
    stateMachineArn: workload.jobSchedule.tracker!.stateMachine.stateMachineArn,
    input: JSON.stringify({ scheduledTime: '2026-12-01T02:00:00Z' }),
  });
  const describe = integ.assertions.awsApiCall('StepFunctions', 'describeExecution', {
    executionArn: start.getAttString('executionArn'),
  });
  return { start, describe };
}
