import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import * as cdk from 'aws-cdk-lib';
import { ScheduledBatchWorkload } from '../src';

/**
 * Deploy-time assertions shared by the workload integration tests:
 *  1. the deployed schedule targets `batch:submitJob` with exactly this queue and job definition (its Input);
 *  2. a job submitted with that same queue and job definition (what the schedule's role does) reaches SUCCEEDED.
 */
export function assertScheduledRunSucceeds(integ: IntegTest, workload: ScheduledBatchWorkload): void {
  const schedule = integ.assertions.awsApiCall('Scheduler', 'getSchedule', {
    Name: workload.schedule.scheduleName,
    GroupName: workload.scheduleGroup.scheduleGroupName,
  });
  schedule.expect(ExpectedResult.objectLike({
    Target: {
      Arn: `arn:${cdk.Aws.PARTITION}:scheduler:::aws-sdk:batch:submitJob`,
      Input: cdk.Stack.of(workload).toJsonString({
        JobName: workload.jobName,
        JobQueue: workload.jobQueue.jobQueueArn,
        JobDefinition: workload.jobDefinition.jobDefinitionArn,
      }),
    },
  }));

  const submit = integ.assertions.awsApiCall('Batch', 'submitJob', {
    jobName: 'integ-run',
    jobQueue: workload.jobQueue.jobQueueArn,
    jobDefinition: workload.jobDefinition.jobDefinitionArn,
  });
  schedule.next(submit);
  submit.next(integ.assertions.awsApiCall('Batch', 'describeJobs', { jobs: [submit.getAttString('jobId')] })
    .expect(ExpectedResult.objectLike({ jobs: [{ status: 'SUCCEEDED' }] }))
    .waitForAssertions({ totalTimeout: cdk.Duration.minutes(30), interval: cdk.Duration.minutes(1) }));
}
