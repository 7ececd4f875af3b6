/**
 * Integration test for run control: a `RunApi` serving a workload that queues overlapping runs
 * (`OverlapPolicy.QUEUE`) and declares a parameter. The assertions start two runs through the API at once (API
 * Gateway TestInvokeMethod calls the POST method through its real integration and request model, without the SigV4
 * layer) and wait until both jobs SUCCEEDED: the second waited for the first on the consumable resource.
 *
 * With an AWS account (deploys, asserts, re-snapshots; ~15 minutes, a t4g.nano NAT instance and one Spot instance):
 *   npx projen integ:workload-run-api:deploy
 *   npx projen integ:workload-run-api:destroy
 * A signed call does the same from a shell (awscurl or any SigV4 client, with a role given `workload.grantRun`):
 *   awscurl --service execute-api -X POST -d '{"scheduledTime":"2026-12-01T02:00:00Z"}' <api url>/workloads/report/runs
 * Without an account, `npx projen test` checks the committed snapshot (test/workload-run-api.integ.snapshot) is current.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { integApp } from './integ-app';
import { BatchPlatform, OverlapPolicy, RunApi, ScheduledBatchWorkload } from '../src';

const app = integApp();
const stack = new cdk.Stack(app, 'IntegWorkloadRunApi');
const platform = new BatchPlatform(stack, 'Platform');
const runApi = new RunApi(stack, 'RunApi');
const workload = new ScheduledBatchWorkload(stack, 'Report', {
  platform,
  runApi,
  runApiRouteName: 'report',
  overlapPolicy: OverlapPolicy.QUEUE,
  schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: cdk.TimeZone.EUROPE_LONDON }),
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
  command: ['python', '-c', 'import os, sys, time; print(sys.argv[1:], os.environ["SCHEDULED_TIME"]); time.sleep(60)', 'Ref::greeting', 'Ref::scheduledTime'],
  parameters: { greeting: 'hello' },
  retryAttempts: 1,
});

const integ = new IntegTest(app, 'WorkloadRunApi', { testCases: [stack] });
const runs = runApi.api.root.resourceForPath('/workloads/report/runs');
for (const [i, scheduledTime] of ['2026-12-01T02:00:00Z', '2026-12-02T02:00:00Z'].entries()) {
  const post = integ.assertions.awsApiCall('APIGateway', 'testInvokeMethod', {
    restApiId: runApi.api.restApiId,
    resourceId: runs.resourceId,
    httpMethod: 'POST',
    body: JSON.stringify({ scheduledTime, parameters: { greeting: `run ${i + 1}` } }),
  });
  // TestInvokeMethod is authorized as apigateway:POST on the method, not as an action of its own name.
  post.provider.addToRolePolicy({ Effect: 'Allow', Action: ['apigateway:POST'], Resource: ['*'] });
  post.expect(ExpectedResult.objectLike({ status: 200 }));
  const stamp = scheduledTime.replace(/[^A-Za-z0-9]/g, '');
  const done = integ.assertions.awsApiCall('Batch', 'listJobs', {
    jobQueue: platform.jobQueue.jobQueueArn,
    filters: [{ name: 'JOB_NAME', values: [`${workload.jobName}-${stamp}-*`] }],
  });
  post.next(done
    .expect(ExpectedResult.objectLike({ jobSummaryList: [{ status: 'SUCCEEDED' }] }))
    .waitForAssertions({ totalTimeout: cdk.Duration.minutes(45), interval: cdk.Duration.minutes(1) }));
}
app.synth();
