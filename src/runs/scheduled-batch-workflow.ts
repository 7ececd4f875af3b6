import { Duration, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RunScheduleOptions, SCHEDULE_DEFAULTS } from './job-schedule';
import { BatchPlatform, IBatchPlatform } from '../compute/batch-platform';
import { CostLineItem, ICostEstimable } from '../cost/cost';
import { BatchJob } from '../jobs/batch-job';
import { BatchJobOptions } from '../jobs/batch-job-options';
import { overlapStrategy } from './overlap/resolve';
import { allowAlarmsToPublish, createAlarmTopic } from '../private/alarm-topic';
import { RunDefinition } from './engine/run-definition';
import { platformFactsOf } from './engine/run-graph';
import { validateArraySize } from '../private/array-size';
import { subtreeCostLineItems } from '../private/cost-walk';
import { createExecutionLogGroup, createRunStateMachine, createSchedulerRole, scheduledRunTarget } from './private/run-state-machine';
import { ValidationError } from '../private/prop-names';
import { analyzeDeadline, analyzeSchedule, DEADLINE_GRACE, defaultDeadlineSeconds, describeDuration, TRACKING_LIMITS } from '../private/schedule-deadline';
import { secondsOf, validateList, validateLogRetention, validateStringEntry } from '../private/validate';
import { acceptSchedule, createDeadLetterQueue, validateRunScheduleOptions } from './private/schedule-parts';
import { topologicalLevels, validateGraph } from './private/workflow-graph';
import { RevisionGates } from '../private/revision-gate';
import { builtByLibrary, rejectUnknownKeys } from '../private/struct-keys';

/** `steps` as an untyped language may pass it: missing, or not a list. */
function validateSteps(steps: unknown): void {
  if (!Array.isArray(steps)) {
    const what = steps === undefined || steps === null ? 'missing' : `${typeof steps === 'string' ? `'${steps}'` : typeof steps}, not a list`;
    throw new ValidationError(`'steps' is ${what}: give a list of steps, e.g. steps: [{ name: 'extract', command: [...] }, { name: 'load', dependsOn: ['extract'] }].`);
  }
  validateList('steps', steps, 'step', "[{ name: 'extract', command: [...] }]", (step, name) => {
    validateList(`${name}.dependsOn`, (step as { dependsOn?: unknown }).dependsOn, 'step name', "['extract']", (d, n) => validateStringEntry(d, n, 'the name of another step'));
  });
}

/** One step of a {@link ScheduledBatchWorkflow}: a `BatchJob` (its own image, command and resources) and its place in the graph. */
export interface WorkflowStep extends BatchJobOptions {
  /** The step's name, unique in the workflow: 1 to 40 letters, digits and hyphens, e.g. `transform-a`. */
  readonly name: string;
  /**
   * The steps that must succeed before this one starts. A failed step stops every step that depends on it.
   * @default - none: the step starts with the run
   */
  readonly dependsOn?: string[];
  /**
   * Fan this step out: an AWS Batch array job of this many children (2 to 10,000), each with its
   * `AWS_BATCH_JOB_ARRAY_INDEX`. The step succeeds when every child does; AWS Batch retries each child on its own.
   * @default - a single job
   */
  readonly arraySize?: number;
  /**
   * When every attempt of the step was a Spot reclaim, submit it once more to On-Demand capacity (a job queue over the
   * platform's On-Demand fallback compute environment, which the workflow creates) before the run fails. Needs a
   * platform whose `SpotComputeEnvironment` has `onDemandFallback`; not with `arraySize`.
   * @default false
   */
  readonly onDemandFallback?: boolean;
}

/** Properties of a {@link ScheduledBatchWorkflow}. */
export interface ScheduledBatchWorkflowProps extends RunScheduleOptions {
  /** The steps, each a job; `dependsOn` makes the graph. At most 20. */
  readonly steps: WorkflowStep[];
  /**
   * The platform (network, compute, job queue) every step runs on.
   * @default - a new `BatchPlatform` with its defaults
   */
  readonly platform?: IBatchPlatform;
  /**
   * The topic that gets one message for each run that does not succeed, and the alarm on undelivered runs.
   * @default - the platform's alarm topic when the workflow created the platform, else a new TLS-only topic
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * How long the state machine's log events (one per state, without input or output) are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * KMS key to encrypt the state machine's log with (each step's job log takes the step's own `logEncryptionKey`). Its
   * key policy gets the statement CloudWatch Logs needs (the `logs.<region>.amazonaws.com` service principal, for log
   * groups of this account and region) when the key is of this app; an imported key's policy must hold it.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * A graph of AWS Batch jobs run from one schedule: EventBridge Scheduler starts one Step Functions Standard execution
 * per scheduled time, which runs the steps level by level (`batch:submitJob.sync`, a Parallel state per level) under
 * one deadline and overlap policy. A run whose step fails, is late or cannot be submitted stops the steps that depend
 * on it and publishes exactly one message naming the step; a run that succeeds publishes nothing. Every step gets the
 * scheduled time (`scheduledTime` parameter, `SCHEDULED_TIME` variable) and its declared `parameters`. Design, cost
 * per run and limits: docs/workflows.md.
 *
 * @example
 * new ScheduledBatchWorkflow(this, 'Nightly', {
 *   schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
 *   steps: [
 *     { name: 'extract', image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim') },
 *     { name: 'load', dependsOn: ['extract'], image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim') },
 *   ],
 * });
 */
export class ScheduledBatchWorkflow extends Construct implements ICostEstimable {
  /** The platform the steps run on. */
  public readonly platform: IBatchPlatform;
  /** Each step's job, by step name. */
  public readonly jobs: { [step: string]: BatchJob };
  /** The state machine; one execution per run. */
  public readonly stateMachine: sfn.StateMachine;
  /** The state machine's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The deadline of each run, counted from its start. */
  public readonly deadline: Duration;
  /** The topic runs that do not succeed notify. */
  public readonly notificationTopic: sns.ITopic;
  /** The schedule group the schedule lives in. */
  public readonly scheduleGroup: scheduler.ScheduleGroup;
  /** The schedule. */
  public readonly schedule: scheduler.Schedule;
  /** The role EventBridge Scheduler starts executions with (states:StartExecution on this state machine only). */
  public readonly schedulerRole: iam.IRole;
  /** Where EventBridge Scheduler puts runs it could not start; these never reach the state machine. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** Alarm on `deadLetterQueue`: a run that was never started publishes no run message. */
  public readonly undeliveredRunsAlarm: cloudwatch.Alarm;
  /** The platform's On-Demand job queue reclaimed steps are resubmitted to, when a step has `onDemandFallback`. */
  public readonly onDemandJobQueue?: batch.IJobQueue;

  constructor(scope: Construct, id: string, props: ScheduledBatchWorkflowProps) {
    super(scope, id);
    rejectUnknownKeys('ScheduledBatchWorkflowProps', props);
    validateLogRetention('logRetention', props.logRetention);
    validateSteps(props.steps);
    validateRunScheduleOptions(props);
    validateGraph(props.steps);
    const ownsPlatform = props.platform === undefined;
    this.platform = props.platform ?? new BatchPlatform(this, 'Platform');
    this.notificationTopic = props.notificationTopic
      ?? (ownsPlatform ? this.platform.alarmTopic : undefined) ?? createAlarmTopic(this, 'Notifications');
    if (props.steps.some(s => s.onDemandFallback)) this.onDemandJobQueue = this.onDemandQueueFor(props.steps);

    this.jobs = this.createJobs(props.steps);
    const levels = topologicalLevels(props.steps);
    const deadlineSeconds = this.deadlineSeconds(props, levels);
    this.deadline = Duration.seconds(deadlineSeconds);

    this.logGroup = createExecutionLogGroup(this, props.logRetention, props.logEncryptionKey);
    this.stateMachine = this.createStateMachine(props, levels, deadlineSeconds);

    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup', { removalPolicy: RemovalPolicy.DESTROY });
    this.deadLetterQueue = createDeadLetterQueue(this);
    this.schedulerRole = createSchedulerRole(this, 'Starts the scheduled runs of the workflow');
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: props.schedule,
      scheduleGroup: this.scheduleGroup,
      enabled: props.enabled ?? true,
      timeWindow: props.flexibleTimeWindow ? scheduler.TimeWindow.flexible(props.flexibleTimeWindow) : undefined,
      description: `Starts a run of the workflow ${this.node.path}`,
      target: scheduledRunTarget(this.stateMachine, {
        role: this.schedulerRole,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: props.scheduleRetryAttempts ?? SCHEDULE_DEFAULTS.retryAttempts,
        maxEventAge: props.scheduleMaxEventAge ?? SCHEDULE_DEFAULTS.maxEventAge,
      }),
    });
    this.undeliveredRunsAlarm = this.createUndeliveredRunsAlarm();
  }

  /** One `BatchJob` per step, on the platform; a step's error names the step. */
  private createJobs(steps: WorkflowStep[]): { [step: string]: BatchJob } {
    const stepsScope = new Construct(this, 'Steps');
    const jobs: { [step: string]: BatchJob } = {};
    for (const step of steps) {
      try {
        validateArraySize('arraySize', step.arraySize);
        jobs[step.name] = new BatchJob(stepsScope, step.name, builtByLibrary({ ...step, platform: this.platform }));
      } catch (e) {
        throw new ValidationError(`Step '${step.name}' of 'steps': ${(e as Error).message}`);
      }
    }
    return jobs;
  }

  /** The run engine's definition of the graph, level by level, and its state machine. */
  private createStateMachine(props: ScheduledBatchWorkflowProps, levels: WorkflowStep[][], deadlineSeconds: number): sfn.StateMachine {
    // Job names `<workflow>-<step>-<time>-<execution>`: 50 + 1 + 40 stays inside the 98 a job-name prefix may have.
    const prefix = Names.uniqueResourceName(this, { maxLength: 50, separator: '-' });
    const definition = new RunDefinition(this, {
      label: this.node.path,
      jobQueueArn: this.platform.jobQueue.jobQueueArn,
      topic: this.notificationTopic,
      timeZone: props.schedule.timeZone?.timezoneName ?? 'UTC',
      deadlineSeconds,
      deadlineText: describeDuration(deadlineSeconds),
      workflow: true,
      runPrefix: prefix,
      overlap: overlapStrategy('overlapPolicy', props.overlapPolicy),
      eventBus: props.eventBus,
      notifyRecovery: props.notifyRecovery,
      ...platformFactsOf({ platform: this.platform }),
      levels: levels.map(level => level.map(s => ({
        name: s.name,
        jobDefinitionArn: this.jobs[s.name].jobDefinition.jobDefinitionArn,
        jobNamePrefix: `${prefix}-${s.name}`,
        workloadTag: this.jobs[s.name].jobName,
        parameterNames: Object.keys(this.jobs[s.name].parameters),
        logGroupName: this.jobs[s.name].logGroup.logGroupName,
        arraySize: s.arraySize,
        onDemandQueueArn: s.onDemandFallback ? this.onDemandJobQueue!.jobQueueArn : undefined,
        shareIdentifier: this.jobs[s.name].shareIdentifier,
        schedulingPriority: this.jobs[s.name].schedulingPriority,
      }))),
    });
    const stateMachine = createRunStateMachine(this, definition.startState, this.logGroup,
      `Runs the workflow ${this.node.path} once per scheduled time and publishes one message for a run that does not succeed.`,
      'Tasks that wait on AWS Batch jobs: the execution history (90 days) and the state log show every step and its timing; X-Ray traces would add cost and no information.');
    definition.grant(stateMachine);
    // The state machine names each step's revision: a new one runs only once it is verified (DeployVerification).
    for (const job of Object.values(this.jobs)) {
      RevisionGates.of(job).addConsumer(stateMachine);
      RevisionGates.of(job).addConsumer(stateMachine.role);
    }
    return stateMachine;
  }

  /** Alarm on the dead-letter queue: a run EventBridge Scheduler could not start publishes no run message. */
  private createUndeliveredRunsAlarm(): cloudwatch.Alarm {
    allowAlarmsToPublish(this.notificationTopic);
    const alarm = new cloudwatch.Alarm(this, 'UndeliveredRunsAlarm', {
      alarmDescription: `Runs of the workflow ${this.node.path} that EventBridge Scheduler could not start (they are in its dead-letter queue and produced no run message).`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.notificationTopic));
    return alarm;
  }

  /**
   * The fixed monthly idle cost of the workflow: its own platform's network (none on a shared one), the alarm on
   * undelivered runs, and what its jobs add (KMS keys, secrets). The state machine and the schedule cost only per run.
   */
  public costLineItems(): CostLineItem[] {
    return subtreeCostLineItems(this);
  }

  /**
   * Default: for each level, the longest step's attempts x timeout + grace (plus one On-Demand attempt for a step with
   * `onDemandFallback`), summed; doubled with QUEUE, to cover the wait for one earlier run.
   */
  private deadlineSeconds(props: ScheduledBatchWorkflowProps, levels: WorkflowStep[][]): number {
    const given = props.runDeadline;
    if (given?.isUnresolved()) {
      throw new ValidationError("'runDeadline' is a token (known only at deploy): the run deadline is written into the state machine and its messages at synth. Give a concrete Duration, e.g. Duration.hours(2), or leave it out for the derived deadline.");
    }
    if (given === undefined) {
      for (const [name, job] of Object.entries(this.jobs)) {
        const tokens = (['retryAttempts', 'timeout'] as const).filter(p => (p === 'timeout' ? job.timeout.isUnresolved() : Token.isUnresolved(job.retryAttempts)));
        if (tokens.length > 0) {
          throw new ValidationError(`Step '${name}' of 'steps': ${tokens.map(p => `'${p}'`).join(' and ')} ${tokens.length > 1 ? 'are tokens' : 'is a token'} (known only at deploy), but the default 'runDeadline' is computed at synth from each step's 'retryAttempts' x 'timeout': give ${tokens.length > 1 ? 'them' : 'it'} a concrete value, or set 'runDeadline'.`);
        }
      }
    }
    const stepSeconds = (s: WorkflowStep) => {
      const job = this.jobs[s.name];
      const t = job.timeout.toSeconds();
      return defaultDeadlineSeconds(t, job.retryAttempts) + (s.onDemandFallback ? t + DEADLINE_GRACE.firstPlacementSeconds : 0);
    };
    const seconds = given ? given.toSeconds() : overlapStrategy('overlapPolicy', props.overlapPolicy).deadlineFactor
      * levels.reduce((total, level) => total + Math.max(...level.map(stepSeconds)), 0);
    if (seconds > TRACKING_LIMITS.maxDeadlineSeconds) {
      throw new ValidationError(given
        ? `'runDeadline' is ${describeDuration(seconds)}, over the 1-year limit of a Step Functions Standard execution: lower it.`
        : `The run deadline (the sum over the levels of the longest step's attempts x timeout + grace) is ${describeDuration(seconds)}, over the 1-year limit of a Step Functions Standard execution: lower the steps' 'timeout' or 'retryAttempts', or set 'runDeadline'.`);
    }
    const window = props.flexibleTimeWindow;
    const input = {
      timeZone: props.schedule.timeZone?.timezoneName,
      // The longest concrete step timeout (a step's token timeout is not compared with 'runDeadline').
      jobTimeoutSeconds: Math.max(60, ...Object.values(this.jobs).map(j => secondsOf(j.timeout)).filter(t => !Token.isUnresolved(t))),
      attempts: 1,
      flexibleWindowSeconds: window && !window.isUnresolved() ? window.toSeconds() : undefined,
      deadlineSeconds: seconds,
      propNames: { schedule: 'schedule', timeZone: 'schedule', jobTimeout: 'timeout', attempts: 'retryAttempts', flexibleTimeWindow: 'flexibleTimeWindow', deadline: 'runDeadline' },
    };
    const expression = props.schedule.expressionString;
    acceptSchedule(this, Token.isUnresolved(expression) ? analyzeDeadline(input) : analyzeSchedule({ ...input, expression }));
    return seconds;
  }

  /** The platform's On-Demand queue (one per platform, shared); refused for an array step, or without On-Demand compute. */
  private onDemandQueueFor(steps: WorkflowStep[]): batch.IJobQueue {
    const arrayed = steps.find(s => s.onDemandFallback && s.arraySize !== undefined);
    if (arrayed) {
      throw new ValidationError(`Step '${arrayed.name}' has 'onDemandFallback' and 'arraySize': an array job's children cannot be resubmitted one by one. Remove one of them.`);
    }
    const names = steps.filter(s => s.onDemandFallback).map(s => `'${s.name}'`).join(', ');
    try {
      return this.platform.onDemandJobQueue(this);
    } catch (e) {
      throw new ValidationError(`Step ${names} has 'onDemandFallback': ${(e as Error).message}`);
    }
  }
}
