/**
 * Integration test for `verifyOnDeploy`: the deployment itself runs the job definition's revision once on the
 * workload's queue and succeeds only if that run SUCCEEDED; the assertions then check that a SUCCEEDED job named
 * `<jobName>-verify-<time>` exists on the queue, that the schedule's run still succeeds, and that the run recorded its
 * rollout state (a canary of "the next run": the deployed revision is stable and last good after it).
 *
 * With an AWS account (deploys, asserts, re-snapshots; ~15 minutes, a t4g.nano NAT instance and one Spot instance):
 *   npx projen integ:workload-verify:deploy
 *   npx projen integ:workload-verify:destroy
 * Without one, `npx projen test` checks the committed snapshot (test/workload-verify.integ.snapshot) is current.
 *
 * The rollback, by hand with an account (not automated: integ-runner cannot assert on a failed deployment):
 *   1. deploy this app (`cdk deploy` of IntegWorkloadVerify); note the revision the schedule's run tracker submits
 *      (`aws stepfunctions describe-state-machine`, `JobDefinition` in the definition) - say `:1`;
 *   2. set VERIFY_FAILS=1 and deploy again: the verification command exits 1, so the custom resource fails with
 *      "Verification failed: job ...-verify-... ended FAILED ... exit code 1", CloudFormation rolls the stack back, and
 *      the state machine (and the schedule) still submit `:1`. The failed revision `:2` stays registered and ACTIVE
 *      (skipDeregisterOnUpdate) but nothing submits it; the rollback itself runs no verification (the custom resource's
 *      physical id still names `:1`).
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { integApp } from './integ-app';
import { Rollout, ScheduledBatchWorkload } from '../src';
import { assertScheduledRunSucceeds } from './integ-assertions';

const app = integApp();
const stack = new cdk.Stack(app, 'IntegWorkloadVerify');
const workload = new ScheduledBatchWorkload(stack, 'NightlyReport', {
  schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: cdk.TimeZone.EUROPE_LONDON }),
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
  command: ['python', '-c', 'print("hello")'],
  // 3 attempts x 10 minutes + 10 minutes to start: the deployment waits at most 40 minutes for the verification.
  timeout: cdk.Duration.minutes(10),
  verifyOnDeploy: true,
  verificationCommand: ['python', '-c', process.env.VERIFY_FAILS ? 'raise SystemExit(1)' : 'import sys; print(sys.version)'],
  // After the verification, "the next run" is the canary: its success makes the deployed revision stable.
  rollout: Rollout.canary({ percent: 100, promoteAfterRuns: 1, keepRevisions: 3 }),
});

const integ = new IntegTest(app, 'WorkloadVerify', { testCases: [stack] });
// The deployment succeeded, so the verification run did: it is on the queue under its own name.
integ.assertions.awsApiCall('Batch', 'listJobs', {
  jobQueue: workload.jobQueue.jobQueueArn,
  filters: [{ name: 'JOB_NAME', values: [`${workload.verification!.jobNamePrefix}*`] }],
}).expect(ExpectedResult.objectLike({ jobSummaryList: Match.arrayWith([Match.objectLike({ status: 'SUCCEEDED' })]) }));
// The run read and wrote its rollout state (DynamoDB, the optimized integrations): the first run takes the deployed
// revision as stable and records it as the last good one.
assertScheduledRunSucceeds(integ, workload).next(integ.assertions.awsApiCall('DynamoDB', 'getItem', {
  TableName: workload.jobSchedule.tracker!.rolloutTable!.tableName,
  Key: { workload: { S: workload.job.jobName } },
  ConsistentRead: true,
}).expect(ExpectedResult.objectLike({
  Item: { stable: { S: workload.job.jobDefinitionArn }, lastGood: { S: workload.job.jobDefinitionArn }, runs: { N: '1' } },
})));
app.synth();
