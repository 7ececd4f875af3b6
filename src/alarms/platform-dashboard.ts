import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BatchQueueMetrics } from './batch-queue-metrics';
import { platformWidgets } from './private/platform-dashboard-widgets';
import { CostCategory, CostLineItem, ICostEstimable, UnitPrices } from '../cost/cost';
import { lineItem } from '../private/cost-math';
import { logEncryption, skipLogKeyCheckWithoutKey } from '../private/log-encryption';
import { ValidationError } from '../private/prop-names';
import { rejectUnknownKeys } from '../private/struct-keys';
import { validateLogRetention } from '../private/validate';

/**
 * The run-outcome event the run engine sends for every run (source and detail-type), which the dashboard's rule
 * matches, together with the platform's name in `detail.platform`.
 */
export const RUN_EVENT = { source: 'cdk-scheduled-batch', detailType: 'Scheduled Batch Run' } as const;

/**
 * CloudWatch Logs resource policies an account may hold per region; each platform dashboard's run-events log group
 * takes one. @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html
 */
export const LOG_RESOURCE_POLICIES_PER_REGION = 10;

/** Default retention of the run events, in days. */
export const RUN_EVENTS_RETENTION_DAYS: number = logs.RetentionDays.THREE_MONTHS;

/** Properties of a {@link PlatformDashboard}. */
export interface PlatformDashboardProps {
  /** The platform's job queue: the `AWS/Batch` widgets read its metrics. */
  readonly jobQueue: batch.IJobQueue;

  /** The platform's name, as run events carry it in `detail.platform` (`BatchPlatform.platformName`). */
  readonly platformName: string;

  /**
   * Name of the compute environment, whose ECS cluster's Container Insights metrics the utilisation widget sums.
   * @default - every AWS Batch cluster of the account and region
   */
  readonly computeEnvironmentName?: string;

  /**
   * How long run events are kept (per-workload widgets and cost look back this far).
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly runEventsRetention?: logs.RetentionDays;

  /**
   * The KMS key of the run-events log group (`BatchPlatformProps.sharedLogEncryptionKey` on a platform).
   * @default - CloudWatch Logs' own encryption at rest
   */
  readonly runEventsEncryptionKey?: kms.IKey;

  /**
   * The bus the run engine sends run events to.
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;
}

/**
 * One CloudWatch dashboard for every workload of a platform (one dashboard's price, $3/month, for any number of
 * workloads): the architecture's metrics from `AWS/Batch` job metrics of the queue, Container Insights and the
 * account's estimated charges, and per workload and team (success rate, duration p50/p95, late and failed runs, Spot
 * interruptions, estimated cost) from the run engine's run-outcome events, which one EventBridge rule delivers to a
 * "run events" log group that Logs Insights widgets query. What no documented source shows is said on the dashboard.
 *
 * `BatchPlatform` creates one with `platformDashboard: true`.
 *
 * @see https://docs.aws.amazon.com/batch/latest/userguide/using_cloudwatch_metrics.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-cloudwatchlogs-permissions
 *
 * @example
 * declare const jobQueue: batch.IJobQueue;
 * new PlatformDashboard(this, 'Dashboard', { jobQueue, platformName: 'Analytics' });
 */
export class PlatformDashboard extends Construct implements ICostEstimable {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The log group run events are delivered to. */
  public readonly runEvents: logs.LogGroup;
  /** The rule that delivers the platform's run events to `runEvents`. */
  public readonly runEventsRule: events.Rule;

  constructor(scope: Construct, id: string, props: PlatformDashboardProps) {
    super(scope, id);
    rejectUnknownKeys('PlatformDashboardProps', props);
    validateLogRetention('runEventsRetention', props.runEventsRetention);
    validateDashboardNames(props);
    this.runEvents = new logs.LogGroup(this, 'RunEvents', {
      retention: props.runEventsRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
      ...logEncryption(this, props.runEventsEncryptionKey),
    });
    skipLogKeyCheckWithoutKey(this.runEvents, props.runEventsEncryptionKey, 'Run outcomes (no job output)',
      'runEventsEncryptionKey (sharedLogEncryptionKey on a BatchPlatform)');
    this.runEventsRule = new events.Rule(this, 'RunEventsRule', {
      description: `Delivers the run-outcome events of platform ${props.platformName} to its dashboard's log group`,
      eventBus: props.eventBus,
      eventPattern: { source: [RUN_EVENT.source], detailType: [RUN_EVENT.detailType], detail: { platform: [props.platformName] } },
    });
    this.deliverToLogGroup();
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: platformWidgets({
        metrics: new BatchQueueMetrics(props.jobQueue),
        runEventsLogGroupName: this.runEvents.logGroupName,
        clusterTerm: props.computeEnvironmentName,
      }),
    });
  }

  /** One dashboard; run-event ingestion and Logs Insights scans are usage, not idle cost. */
  public costLineItems(): CostLineItem[] {
    return [lineItem(CostCategory.DASHBOARD, 'Platform dashboard', 1, UnitPrices.DASHBOARD_MONTH)];
  }

  /**
   * The log group as the rule's target, with the resource policy CloudWatch Logs needs to accept EventBridge's writes:
   * an `AWS::Logs::ResourcePolicy` (`addToResourcePolicy`), not the custom-resource Lambda aws-cdk-lib's
   * `targets.CloudWatchLogGroup` deploys to write the same policy. An account holds at most
   * `LOG_RESOURCE_POLICIES_PER_REGION` such policies per region.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html
   */
  private deliverToLogGroup(): void {
    const { policyDependable } = this.runEvents.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.runEvents.logGroupArn],
    }));
    if (policyDependable) this.runEventsRule.node.addDependency(policyDependable);
    const arn = Stack.of(this.runEvents).formatArn({
      service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: this.runEvents.logGroupName,
    });
    this.runEventsRule.addTarget({ bind: () => ({ arn }) });
  }
}

/**
 * AWS Batch compute environment names: 1 to 128 letters, digits, hyphens and underscores. The name goes into a metric
 * SEARCH expression, where a quote or space would break it.
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_CreateComputeEnvironment.html
 */
const COMPUTE_ENVIRONMENT_NAME = /^[A-Za-z0-9_-]{1,128}$/;

function validateDashboardNames(props: PlatformDashboardProps): void {
  const platformName: unknown = props.platformName;
  if (!Token.isUnresolved(platformName) && (typeof platformName !== 'string' || platformName.trim() === '')) {
    throw new ValidationError(`'platformName' is ${JSON.stringify(platformName)}: give the platform's name as its run events carry it (BatchPlatform.platformName); an empty name matches no run event.`);
  }
  const ce: unknown = props.computeEnvironmentName;
  if (ce !== undefined && !Token.isUnresolved(ce) && (typeof ce !== 'string' || !COMPUTE_ENVIRONMENT_NAME.test(ce))) {
    throw new ValidationError(`'computeEnvironmentName' is ${JSON.stringify(ce)}: give a compute environment's name, 1 to 128 letters, digits, hyphens and underscores, `
      + 'or leave it out to sum every AWS Batch cluster of the account and region.');
  }
}
