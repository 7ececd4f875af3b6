/**
 * The three apps the benchmark compares, each with `n` scheduled container jobs in one stack:
 * - `library`: one `BatchPlatform` shared by `n` `ScheduledBatchWorkload`s (the one-liner when `ownPlatform`);
 * - `fargate`: `n` aws-ecs-patterns `ScheduledFargateTask`s with their defaults (one default cluster and VPC);
 * - `handwritten`: the same resources as `library`, written directly with aws-cdk-lib L2s (./hand-written.ts);
 * - `fleet`: one `BatchFleet` (its own `BatchPlatform`) with `n` workloads, which it spreads over its nested stacks;
 * - `fleetFloor`: `fleet` with every state machine's definition written as one Pass state. Not an app anyone deploys:
 *   a floor that no work on the run definitions (their size, how they are rendered and resolved) can go below, since
 *   it keeps everything else (the states are still built, the roles get their statements) and drops their bytes.
 */
import * as cdk from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { handWrittenStack } from './hand-written';
import { BatchFleet, BatchPlatform, ScheduledBatchWorkload } from '../../src';

export const IMAGE = 'public.ecr.aws/docker/library/python:3.13-slim';

/** The apps compared. */
export type Variant = 'library' | 'fargate' | 'handwritten' | 'oneliner' | 'fleet' | 'fleetFloor';
export const VARIANTS: Variant[] = ['library', 'fargate', 'handwritten'];
/** The apps of the fleet benchmark (issue #22): many workloads in one user stack. */
export const FLEET_VARIANTS: Variant[] = ['fleet', 'fargate'];
/** The fleet's floor (`fleetFloor`), measured with validation off beside them. */
export const FLEET_FLOOR: Variant = 'fleetFloor';

/** A state machine definition of one Pass state, what `fleetFloor` writes for every state machine. */
const ONE_PASS_STATE = '{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}';

/** Builds `n` jobs of one variant into a new stack of `app` (`Bench-<variant>-<n>` unless `id` is given). */
export function buildStack(app: cdk.App, variant: Variant, n: number, id: string = `Bench-${variant}-${n}`): cdk.Stack {
  const stack = new cdk.Stack(app, id);
  switch (variant) {
    case 'oneliner':
      new ScheduledBatchWorkload(stack, 'Job1', {
        schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(24)),
        image: ecs.ContainerImage.fromRegistry(IMAGE),
      });
      break;
    case 'library': {
      const platform = new BatchPlatform(stack, 'Platform');
      for (let i = 1; i <= n; i++) {
        new ScheduledBatchWorkload(stack, `Job${i}`, {
          platform,
          schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(24)),
          image: ecs.ContainerImage.fromRegistry(IMAGE),
        });
      }
      break;
    }
    case 'fleet':
      fleetOf(stack, n);
      break;
    case 'fleetFloor': {
      // ChainDefinitionBody.bind renders the graph into the definition; the StateMachine still builds the graph and
      // grants its states' statements before it calls bind.
      const bind = sfn.ChainDefinitionBody.prototype.bind;
      sfn.ChainDefinitionBody.prototype.bind = () => ({ definitionString: ONE_PASS_STATE });
      try {
        fleetOf(stack, n);
      } finally {
        sfn.ChainDefinitionBody.prototype.bind = bind;
      }
      break;
    }
    case 'fargate':
      for (let i = 1; i <= n; i++) {
        new ecsPatterns.ScheduledFargateTask(stack, `Job${i}`, {
          schedule: appscaling.Schedule.rate(cdk.Duration.hours(24)),
          scheduledFargateTaskImageOptions: { image: ecs.ContainerImage.fromRegistry(IMAGE), cpu: 1024, memoryLimitMiB: 2048 },
        });
      }
      break;
    case 'handwritten':
      handWrittenStack(stack, n);
      break;
  }
  return stack;
}

/** One `BatchFleet` with `n` default workloads. */
function fleetOf(stack: cdk.Stack, n: number): void {
  const fleet = new BatchFleet(stack, 'Fleet');
  for (let i = 1; i <= n; i++) {
    fleet.addWorkload(`Job${i}`, {
      schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(24)),
      image: ecs.ContainerImage.fromRegistry(IMAGE),
    });
  }
}
