/**
 * Integration test for a shared platform: one BatchPlatform, three workloads on Fargate Spot. Runs one workload's job
 * through the path its schedule uses and asserts it SUCCEEDED.
 *
 * With an AWS account:
 *   npx projen integ:workload-shared:deploy
 *   npx projen integ:workload-shared:destroy
 * Without one, `npx projen test` checks the committed snapshot (test/workload-shared.integ.snapshot) is current.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { integApp } from './integ-app';
import { BatchPlatform, ComputePlatform, ScheduledBatchWorkload } from '../src';
import { assertScheduledRunSucceeds } from './integ-assertions';

const app = integApp();
const stack = new cdk.Stack(app, 'IntegWorkloadShared');
const platform = new BatchPlatform(stack, 'Platform', { computePlatform: ComputePlatform.FARGATE });
const workloads = [1, 2, 3].map(i => new ScheduledBatchWorkload(stack, `Report${i}`, {
  platform,
  schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(24)),
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
  command: ['python', '-c', `print("report ${i}")`],
  cpu: 0.25,
  memory: cdk.Size.mebibytes(512),
}));

const integ = new IntegTest(app, 'WorkloadShared', { testCases: [stack] });
assertScheduledRunSucceeds(integ, workloads[0]);
app.synth();
