import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BatchFleet, BatchPlatform, CostReport, LOG_RESOURCE_POLICIES_PER_REGION, PlatformDashboard, RUN_EVENT, RUN_EVENTS_RETENTION_DAYS, UnitPrices } from '../src';
import { dashboardBodyOf, DashboardWidget } from './support/dashboard';
import { PICTURE_FILE, PICTURE_LABEL, renderDashboardSvg, sampleDashboardBody } from '../scripts/dashboard-picture';
import { SEED_METRICS, WIDGETS } from '../src/alarms/private/platform-dashboard-sources';
import { RUN_QUERIES } from '../src/alarms/private/platform-dashboard-widgets';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });

/** The architecture's "Monitoring Dashboard" list (../shared/ARCHITECTURE.md), word for word in its order. */
const SEED = [
  'Job submission rate', 'Job success rate', 'Job failure rate', 'Average job duration', 'Job queue depth',
  'vCPU utilization', 'Memory utilization', 'Instance launch time', 'Spot interruption rate',
  'Daily compute costs', 'Storage costs', 'Data transfer costs', 'Total monthly spend',
  'Time in queue (RUNNABLE → STARTING)', 'Container launch time (STARTING → RUNNING)', 'Execution time (RUNNING → SUCCEEDED/FAILED)',
];

/**
 * The metrics AWS documents, per namespace, as ../shared/AWS-FACTS.md §1.1-1.2 and the pages cited there list them:
 * a widget may read no other.
 */
const DOCUMENTED: Record<string, { names: string[]; dimensions: string[]; doc: string }> = {
  'AWS/Batch': {
    names: ['JobsSubmitted', 'JobsMovedToPending', 'JobsMovedToRunnable', 'JobsMovedToStarting', 'JobsMovedToRunning', 'JobsMovedToSucceeded',
      'JobsMovedToFailed', 'JobsCancelled', 'JobsTerminated', 'JobsRetried', 'JobSubmittedToRunnableDuration', 'JobAttemptStartingToRunningDuration',
      'JobAttemptExecutionDuration', 'JobAttemptDuration', 'JobSubmittedToFirstStartingDuration', 'JobAttemptRunnableToStartingDuration'],
    dimensions: ['JobQueueName'],
    doc: 'https://docs.aws.amazon.com/batch/latest/userguide/using_cloudwatch_metrics.html',
  },
  'ECS/ContainerInsights': {
    names: ['CpuUtilized', 'CpuReserved', 'MemoryUtilized', 'MemoryReserved'],
    dimensions: ['ClusterName'],
    doc: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html',
  },
  'AWS/Billing': {
    names: ['EstimatedCharges'],
    dimensions: ['Currency'],
    doc: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/monitor_estimated_charges_with_cloudwatch.html',
  },
};

/** The fields of the run-outcome event (/work/notes/run-event-schema.md). */
const RUN_EVENT_FIELDS = ['version', 'outcome', 'workload', 'workflow', 'platform', 'team', 'scheduledTime', 'execution', 'jobId', 'jobName',
  'jobDefinition', 'revision', 'startedAt', 'stoppedAt', 'durationSeconds', 'attempts', 'reclaimedAttempts', 'vcpus', 'memoryMiB', 'estimatedCostUsd', 'exitCode'];

function fleetOf(workloads: number, props: { sharedLogEncryptionKey?: boolean } = {}) {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Fleet', { env: { account: '123456789012', region: 'eu-west-2' } });
  const key = props.sharedLogEncryptionKey ? new kms.Key(stack, 'Key', { enableKeyRotation: true }) : undefined;
  const fleet = new BatchFleet(stack, 'Fleet', { platformDashboard: true, sharedLogEncryptionKey: key });
  for (let i = 0; i < workloads; i++) fleet.addWorkload(`Job${i}`, { schedule, image: IMAGE });
  return { stack, fleet, platform: fleet.platform as BatchPlatform, template: Template.fromStack(stack) };
}

describe('the platform dashboard: one per platform, opt-in', () => {
  const bench = fleetOf(100);
  const body = dashboardBodyOf(bench.template);
  const byTitle = (title: string): DashboardWidget[] => body.widgets.filter(w => w.properties.title === title
    || (w.type === 'text' && String(w.properties.markdown).includes(`### ${title}`)));

  test('a 100-workload platform has one dashboard, one run-events rule and one log group for them ($3/month)', () => {
    bench.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(Object.keys(bench.template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: [RUN_EVENT.source] } } }))).toHaveLength(1);
    expect(bench.platform.dashboard).toBeInstanceOf(PlatformDashboard);
    expect(CostReport.of(bench.platform.dashboard!).monthlyUsd).toBe(3);
    expect(CostReport.of(bench.platform).items.filter(i => i.description === 'Platform dashboard')).toEqual([expect.objectContaining({ monthlyUsd: 3 })]);
  });

  test('every seed metric of the architecture maps to a widget of the dashboard', () => {
    expect(SEED_METRICS.map(s => s.seed)).toEqual(SEED);
    for (const s of SEED_METRICS) expect({ seed: s.seed, widgets: byTitle(s.widget).length }).toEqual({ seed: s.seed, widgets: 1 });
  });

  test('each widget\'s CloudWatch metric is one AWS documents, with its dimension and page', () => {
    for (const s of SEED_METRICS.filter(m => m.source === 'metric')) {
      const documented = DOCUMENTED[s.namespace!];
      expect({ seed: s.seed, doc: s.doc }).toEqual({ seed: s.seed, doc: documented.doc });
      for (const name of s.names) expect(documented.names).toContain(name);
      expect(documented.dimensions).toEqual(expect.arrayContaining([...s.dimensions!]));
      const rendered = JSON.stringify(byTitle(s.widget)[0].properties.metrics);
      for (const name of s.names) expect(rendered).toContain(name);
      expect(rendered).toContain(s.namespace!);
    }
    // No widget reads a metric outside the documented lists.
    const used = body.widgets.flatMap(w => JSON.stringify(w.properties.metrics ?? []).match(/"(AWS\/\w+|ECS\/\w+)","(\w+)"/g) ?? []);
    for (const pair of used) {
      const [ns, name] = JSON.parse(`[${pair}]`) as [string, string];
      expect(DOCUMENTED[ns]?.names).toContain(name);
    }
  });

  test('the per-workload widgets query the run-events log group for fields the run-outcome event has', () => {
    for (const s of SEED_METRICS.filter(m => m.source === 'runEvents')) {
      const widget = byTitle(s.widget)[0];
      expect(widget.type).toBe('log');
      for (const name of s.names) {
        expect(RUN_EVENT_FIELDS).toContain(name);
        expect(widget.properties.query).toContain(`detail.${name}`);
      }
      expect(widget.properties.query).toMatch(/^SOURCE '[^']+' \| /);
    }
    for (const lines of Object.values(RUN_QUERIES)) {
      for (const field of lines.join(' ').match(/detail\.\w+/g) ?? []) expect(RUN_EVENT_FIELDS).toContain(field.slice('detail.'.length));
    }
  });

  test('per team and workload: the runs, Spot and cost queries group by detail.team and detail.workload', () => {
    for (const q of [RUN_QUERIES.runs, RUN_QUERIES.spot, RUN_QUERIES.teamCost]) expect(q.join(' ')).toMatch(/by detail\.team, detail\.workload/);
    expect(RUN_QUERIES.duration.join(' ')).toMatch(/pct\(detail\.durationSeconds, 50\).*pct\(detail\.durationSeconds, 95\)/);
  });

  test('what has no honest source is said on the dashboard', () => {
    const text = byTitle(WIDGETS.notShown)[0].properties.markdown as string;
    for (const s of SEED_METRICS.filter(m => m.source === 'none')) expect(text).toContain(`**${s.seed}**`);
  });

  test('the rule matches the run events of this platform and targets the log group; its policy is an AWS::Logs::ResourcePolicy, no Lambda', () => {
    bench.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['cdk-scheduled-batch'], 'detail-type': ['Scheduled Batch Run'], 'detail': { platform: ['Fleet/Fleet/Platform'] } },
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
    expect(bench.platform.platformName).toBe('Fleet/Fleet/Platform');
    const policies = bench.template.findResources('AWS::Logs::ResourcePolicy');
    expect(Object.keys(policies)).toHaveLength(1);
    const joined = Object.values(policies)[0].Properties.PolicyDocument['Fn::Join'][1] as unknown[];
    const doc = JSON.parse(joined.map(p => typeof p === 'string' ? p : '{ref}').join(''));
    expect(doc.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    });
    bench.template.resourceCountIs('Custom::CloudwatchLogResourcePolicy', 0);
    bench.template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('run events are kept 90 days, under the platform\'s shared log key when it has one', () => {
    const unkeyed = Object.entries(bench.template.findResources('AWS::Logs::LogGroup')).filter(([id]) => id.includes('DashboardRunEvents'));
    expect(unkeyed.map(([, g]) => g.Properties)).toEqual([{ RetentionInDays: 90 }]);
    const keyed = fleetOf(1, { sharedLogEncryptionKey: true });
    const groups = keyed.template.findResources('AWS::Logs::LogGroup');
    const runEvents = Object.entries(groups).filter(([id]) => id.includes('DashboardRunEvents')).map(([, g]) => g.Properties);
    expect(runEvents).toEqual([expect.objectContaining({ RetentionInDays: 90, KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] } })]);
  });
});

test('the dashboard adds no synth warning (math expressions, SEARCH, log widgets)', () => {
  const { stack } = fleetOf(1);
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).filter(w => w.id.includes('/Platform/Dashboard'));
  expect(warnings.map(w => w.entry.data)).toEqual([]);
});

test('the run-events log group carries the checkov CKV_AWS_158 skip only without a key (docs/security.md)', () => {
  const skipOf = (template: Template) => Object.entries(template.findResources('AWS::Logs::LogGroup'))
    .filter(([id]) => id.includes('DashboardRunEvents')).map(([, g]) => g.Metadata?.checkov?.skip?.[0]?.id);
  expect(skipOf(fleetOf(1).template)).toEqual(['CKV_AWS_158']);
  expect(skipOf(fleetOf(1, { sharedLogEncryptionKey: true }).template)).toEqual([undefined]);
});

test('utilisation sums the Container Insights metrics of the clusters named after the platform\'s compute environment', () => {
  const { template } = fleetOf(1);
  const widget = dashboardBodyOf(template).widgets.find(w => w.properties.title === WIDGETS.utilisation)!;
  const expressions = (widget.properties.metrics as any[][]).map(m => m[0].expression as string);
  expect(expressions).toEqual([
    expect.stringMatching(/^100 \* SUM\(SEARCH\('\{ECS\/ContainerInsights,ClusterName\} MetricName="CpuUtilized" \{ref\}', 'Sum', 300\)\) \/ SUM\(SEARCH\(.*"CpuReserved"/),
    expect.stringMatching(/MetricName="MemoryUtilized" \{ref\}.*MetricName="MemoryReserved" \{ref\}/),
  ]);
  const onQueue = new cdk.Stack();
  new PlatformDashboard(onQueue, 'Dashboard', { jobQueue: new BatchPlatform(onQueue, 'P').jobQueue, platformName: 'Imported' });
  expect(JSON.stringify(dashboardBodyOf(Template.fromStack(onQueue)).widgets)).toContain('MetricName=\\"CpuUtilized\\" _Batch_');
});

test('cdk-nag AwsSolutions finds nothing on a platform with its dashboard (no finding acknowledged)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-dashboard-'));
  try {
    const app = new cdk.App({ outdir: tmp });
    new BatchPlatform(new cdk.Stack(app, 'Dash'), 'Platform', { platformDashboard: true });
    cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

describe('opt-in', () => {
  test('a platform has no dashboard, rule or run-events log group by default', () => {
    const stack = new cdk.Stack();
    const platform = new BatchPlatform(stack, 'Platform');
    const template = Template.fromStack(stack);
    expect(platform.dashboard).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
  });

  test('a fleet given a platform refuses platformDashboard, naming it', () => {
    const stack = new cdk.Stack();
    const platform = new BatchPlatform(stack, 'Platform');
    expect(() => new BatchFleet(stack, 'Fleet', { platform, platformDashboard: true })).toThrow(/'platform' was given together with 'platformDashboard'/);
  });
});

describe('docs/images/platform-dashboard.svg', () => {
  const committed = fs.readFileSync(PICTURE_FILE, 'utf8');
  const body = sampleDashboardBody();

  test('shows the current dashboard body\'s widget titles, each once, and says it is rendered, not a screenshot', () => {
    const titles = body.widgets.map(w => w.properties.title ?? String(w.properties.markdown).split('\n')[0].replace(/^#+ /, ''));
    expect(titles).toEqual(expect.arrayContaining(Object.values(WIDGETS)));
    const pictured = [...committed.matchAll(/font-weight="bold" fill="#16191f">([^<]+)<\/text>/g)].map(m => m[1].replace(/&amp;/g, '&'));
    expect(pictured.slice(1)).toEqual(titles);
    expect(committed).toContain(PICTURE_LABEL);
  });

  test('is what scripts/dashboard-picture.ts renders now (regenerate: npx ts-node -P test/tsconfig.json scripts/dashboard-picture.ts)', () => {
    expect(committed).toBe(renderDashboardSvg(body));
  });
});

test('docs/operations.md, "Platform dashboard": its numbers are the code\'s', () => {
  const doc = fs.readFileSync(PICTURE_FILE.replace(/images\/platform-dashboard\.svg$/, 'operations.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Platform dashboard'), doc.indexOf('## Cost per run and per team')).replace(/\s+/g, ' ');
  expect(section).toContain(`100 workloads cost one dashboard ($${UnitPrices.DASHBOARD_MONTH}/month beyond the account's three free ones`);
  expect(section).toContain(`kept ${RUN_EVENTS_RETENTION_DAYS} days`);
  expect(section).toContain(`holds at most ${LOG_RESOURCE_POLICIES_PER_REGION} such policies per region`);
  expect(section).toContain(`so at most ${LOG_RESOURCE_POLICIES_PER_REGION} platform dashboards per account and region`);
  for (const s of SEED_METRICS.filter(m => m.source === 'metric')) for (const name of s.names) expect(section).toContain(`\`${name}\``);
});

describe('PlatformDashboard names', () => {
  const dashboard = (props: { platformName: unknown; computeEnvironmentName?: unknown }) => {
    const stack = new cdk.Stack();
    return new PlatformDashboard(stack, 'Dashboard', { jobQueue: new BatchPlatform(stack, 'P').jobQueue, ...props } as any);
  };

  test.each(['', '  '])('an empty platformName %j fails: no run event would match', (platformName) => {
    expect(() => dashboard({ platformName })).toThrow(`'platformName' is ${JSON.stringify(platformName)}: give the platform's name as its run events carry it (BatchPlatform.platformName); an empty name matches no run event.`);
  });

  test.each(['', 'a"b', 'has space', 'x'.repeat(129)])('a computeEnvironmentName %j that breaks the SEARCH expression or names no compute environment fails', (name) => {
    expect(() => dashboard({ platformName: 'p', computeEnvironmentName: name })).toThrow(`'computeEnvironmentName' is ${JSON.stringify(name)}: give a compute environment's name, 1 to 128 letters, digits, hyphens and underscores, `
      + 'or leave it out to sum every AWS Batch cluster of the account and region.');
  });

  test('names and tokens pass', () => {
    expect(() => dashboard({ platformName: 'Analytics', computeEnvironmentName: 'spot-ce_1' })).not.toThrow();
    expect(() => dashboard({ platformName: cdk.Lazy.string({ produce: () => '' }), computeEnvironmentName: cdk.Lazy.string({ produce: () => 'a b' }) })).not.toThrow();
  });
});
