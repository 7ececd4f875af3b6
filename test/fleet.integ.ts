/**
 * Integration test for a fleet: one BatchFleet on Fargate Spot with twelve workloads, placed by the library in nested
 * stacks. Runs one workload's job through the path its schedule uses and asserts it SUCCEEDED.
 *
 * With an AWS account:
 *   npx projen integ:fleet:deploy
 *   npx projen integ:fleet:destroy
 * Without one, `npx projen test` checks the committed snapshot (test/fleet.integ.snapshot) is current.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { integApp } from './integ-app';
import { BatchFleet, ComputePlatform } from '../src';
import { assertScheduledRunSucceeds } from './integ-assertions';

const app = integApp();
const stack = new cdk.Stack(app, 'IntegFleet');
const fleet = new BatchFleet(stack, 'Fleet', { computePlatform: ComputePlatform.FARGATE });
const workloads = Array.from({ length: 12 }, (_, i) => fleet.addWorkload(`Report${i + 1}`, {
  schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(24)),
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
  command: ['python', '-c', `print("report ${i + 1}")`],
  cpu: 0.25,
  memory: cdk.Size.mebibytes(512),
}));

const integ = new IntegTest(app, 'Fleet', { testCases: [stack] });
assertScheduledRunSucceeds(integ, workloads[0]);
app.synth();
