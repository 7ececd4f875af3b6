import * as cdk from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  BatchPlatform, ComputePlatform, CostCategory, CostOptimizedVpc, CostReport, EgressProfile, IDLE_COST_WARNING_ID,
  ScheduledBatchWorkload, UnitPrices,
} from '../src';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const SCHEDULE = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });

function stack(): cdk.Stack {
  return new cdk.Stack(new cdk.App(), 'Stack');
}

describe('CostReport of each egress profile (2 AZs, us-east-1 list prices)', () => {
  test.each<[string, EgressProfile, ComputePlatform | undefined, number, Partial<Record<CostCategory, number>>]>([
    // NAT instance: t4g.nano 0.0042 x 730 = 3.07; IPv4 0.005 x 730 = 3.65; 8 GB gp3 = 0.64; 2 status-check alarms = 0.20
    ['natInstance()', EgressProfile.natInstance(), undefined, 7.56, { NAT: 3.07, PUBLIC_IPV4: 3.65, STORAGE: 0.64, ALARMS: 0.20 }],
    // per AZ: 2 x 3.066 = 6.13 (rounded once), 7.30, 1.28, 0.40
    ['natInstance({ perAz: true })', EgressProfile.natInstance({ perAz: true }), undefined, 15.11, { NAT: 6.13, PUBLIC_IPV4: 7.30, STORAGE: 1.28, ALARMS: 0.40 }],
    ['natGateway()', EgressProfile.natGateway(), undefined, 36.50, { NAT: 32.85, PUBLIC_IPV4: 3.65 }],
    ['natGateway({ perAz: true })', EgressProfile.natGateway({ perAz: true }), undefined, 73.00, { NAT: 65.70, PUBLIC_IPV4: 7.30 }],
    // 6 interface endpoints x 2 AZs x 0.01 x 730
    ['vpcEndpoints(), EC2', EgressProfile.vpcEndpoints(), ComputePlatform.EC2, 87.60, { VPC_ENDPOINTS: 87.60 }],
    ['vpcEndpoints({ singleAz: true }), EC2', EgressProfile.vpcEndpoints({ singleAz: true }), ComputePlatform.EC2, 43.80, { VPC_ENDPOINTS: 43.80 }],
    ['vpcEndpoints(), Fargate', EgressProfile.vpcEndpoints(), ComputePlatform.FARGATE, 43.80, { VPC_ENDPOINTS: 43.80 }],
    ['vpcEndpoints({ singleAz: true }), Fargate', EgressProfile.vpcEndpoints({ singleAz: true }), ComputePlatform.FARGATE, 21.90, { VPC_ENDPOINTS: 21.90 }],
    ['publicSubnets()', EgressProfile.publicSubnets(), undefined, 0, {}],
  ])('%s', (_name, egress, platform, total, byCategory) => {
    const s = stack();
    const vpc = new CostOptimizedVpc(s, 'Vpc', { egress, compute: platform ? { platform } : undefined });
    const report = CostReport.of(vpc);
    expect(report.monthlyUsd).toBe(total);
    expect(report.monthlyUsd).toBe(vpc.monthlyIdleCostUsd());
    for (const category of Object.values(CostCategory)) {
      expect([category, report.monthlyUsdOf(category)]).toEqual([category, byCategory[category] ?? 0]);
    }
    // The same figure from the stack: nothing counted twice, nothing outside the VPC.
    expect(CostReport.of(s).monthlyUsd).toBe(total);
  });
});

describe('CostReport of workloads', () => {
  test('the one-liner: NAT-instance network $7.56 + schedule-delivery and DLQ alarms (3 alarm metrics) $0.30 = $7.86, at most $8', () => {
    const s = stack();
    const w = new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE });
    const report = CostReport.of(w);
    expect(report.monthlyUsd).toBe(7.86);
    expect(report.monthlyUsd).toBeLessThanOrEqual(8);
    expect(report.monthlyUsdOf(CostCategory.NAT)).toBe(3.07);
    expect(report.monthlyUsdOf(CostCategory.ALARMS)).toBe(0.50); // 0.20 of them the NAT instance's recovery alarms
    expect(report.items).toContainEqual({ category: CostCategory.ALARMS, description: expect.stringContaining('schedule delivery'), quantity: 2, unitMonthlyUsd: 0.1, monthlyUsd: 0.2 });
    // Agrees with the workload's own estimate and with the stack's.
    expect(report.monthlyUsd).toBe(Math.round(w.costLineItems().reduce((t, i) => t + i.monthlyUsd, 0) * 100) / 100);
    expect(CostReport.of(s).monthlyUsd).toBe(7.86);
    expect(report.priceDate).toBe(UnitPrices.PRICE_DATE);
    expect(report.region).toBe('us-east-1');
  });

  test('a dashboard adds $3', () => {
    const s = stack();
    new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE, dashboard: true });
    expect(CostReport.of(s).monthlyUsdOf(CostCategory.DASHBOARD)).toBe(3);
    expect(CostReport.of(s).monthlyUsd).toBe(10.86);
  });

  test('a shared platform with 3 workloads counts the network and its shared alarms once: $7.56 + $0.30', () => {
    const s = stack();
    const platform = new BatchPlatform(s, 'Platform');
    const workloads = [1, 2, 3].map(i => new ScheduledBatchWorkload(s, `Job${i}`, { platform, schedule: SCHEDULE, image: IMAGE }));
    const report = CostReport.of(s);
    expect(report.monthlyUsd).toBe(7.86);
    expect(report.monthlyUsdOf(CostCategory.NAT)).toBe(3.07);
    expect(report.monthlyUsdOf(CostCategory.PUBLIC_IPV4)).toBe(3.65);
    // The workloads share the platform's schedule group and dead-letter queue: one alarm each, whatever the count.
    expect(report.items.filter(i => i.description.includes('dead-letter queue'))).toEqual([
      expect.objectContaining({ quantity: 1, monthlyUsd: 0.1 }),
    ]);
    expect(report.items.filter(i => i.description.includes('schedule delivery'))).toEqual([
      expect.objectContaining({ quantity: 2, monthlyUsd: 0.2 }),
    ]);
    // A default workload on a shared platform adds no fixed cost; the platform costs its network and its shared alarms.
    for (const w of workloads) expect(CostReport.of(w).monthlyUsd).toBe(0);
    expect(CostReport.of(platform).monthlyUsd).toBe(7.86); // $7.56 + $0.30
  });

  test('a brought CostOptimizedVpc is counted where it is defined, once', () => {
    const s = stack();
    const vpc = new CostOptimizedVpc(s, 'Vpc', { egress: EgressProfile.natGateway() });
    const w = new ScheduledBatchWorkload(s, 'Job', { vpc, schedule: SCHEDULE, image: IMAGE });
    expect(CostReport.of(s).monthlyUsd).toBe(36.50 + 0.30);
    expect(CostReport.of(w).monthlyUsd).toBe(0.30);
  });
});

describe('KMS keys and secrets', () => {
  test('a key is $1; a secret created in the stack and read by two workloads is $0.40 once', () => {
    const s = stack();
    new kms.Key(s, 'Key');
    const secret = new secretsmanager.Secret(s, 'Secret');
    const platform = new BatchPlatform(s, 'Platform');
    for (const id of ['A', 'B']) {
      new ScheduledBatchWorkload(s, id, {
        platform,
        schedule: SCHEDULE,
        image: IMAGE,
        secrets: { TOKEN: batch.Secret.fromSecretsManager(secret), USER: batch.Secret.fromSecretsManager(secret, 'user') },
      });
    }
    const report = CostReport.of(s);
    expect(report.monthlyUsdOf(CostCategory.KMS_KEYS)).toBe(1);
    expect(report.monthlyUsdOf(CostCategory.SECRETS)).toBe(0.40);
    // The platform's alarms ($0.30) are paid once, not per workload.
    expect(report.monthlyUsd).toBe(7.56 + 0.30 + 1 + 0.40);
  });

  test('a secret defined elsewhere is counted once for all its readers, and an SSM parameter is free', () => {
    const s = stack();
    const imported = secretsmanager.Secret.fromSecretNameV2(s, 'Imported', 'reports/api-key');
    const platform = new BatchPlatform(s, 'Platform');
    for (const id of ['A', 'B']) {
      new ScheduledBatchWorkload(s, id, {
        platform,
        schedule: SCHEDULE,
        image: IMAGE,
        secrets: {
          KEY: batch.Secret.fromSecretsManager(imported, 'key'),
          PARAM: batch.Secret.fromSsmParameter(ssm.StringParameter.fromStringParameterName(s, `Param${id}`, '/reports/param')),
        },
      });
    }
    const report = CostReport.of(s);
    expect(report.items.filter(i => i.category === CostCategory.SECRETS)).toEqual([
      expect.objectContaining({ description: 'Secrets Manager secret', quantity: 1, monthlyUsd: 0.4 }),
    ]);
  });
});

describe('resources outside the library', () => {
  test('an ec2.Vpc with a NAT gateway per AZ (the ScheduledFargateTask default) is $73.00', () => {
    const s = stack();
    new ec2.Vpc(s, 'Vpc', { maxAzs: 2 });
    const report = CostReport.of(s);
    expect(report.monthlyUsdOf(CostCategory.NAT)).toBe(65.70);
    expect(report.monthlyUsdOf(CostCategory.PUBLIC_IPV4)).toBe(7.30);
    expect(report.monthlyUsd).toBe(73);
  });

  test('interface endpoints are billed per subnet (AZ), gateway endpoints are free, alarms per metric, dashboards $3', () => {
    const s = stack();
    const vpc = new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    vpc.addInterfaceEndpoint('Logs', { service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS });
    const m = (name: string) => new cloudwatch.Metric({ namespace: 'N', metricName: name });
    new cloudwatch.Alarm(s, 'Plain', { metric: m('a'), threshold: 1, evaluationPeriods: 1 });
    new cloudwatch.Alarm(s, 'Math', {
      metric: new cloudwatch.MathExpression({ expression: 'a + b', usingMetrics: { a: m('a'), b: m('b') } }), threshold: 1, evaluationPeriods: 1,
    });
    new cloudwatch.Dashboard(s, 'Dashboard');
    const report = CostReport.of(s);
    expect(report.monthlyUsdOf(CostCategory.VPC_ENDPOINTS)).toBe(14.60);
    expect(report.monthlyUsdOf(CostCategory.ALARMS)).toBe(0.30);
    expect(report.monthlyUsdOf(CostCategory.DASHBOARD)).toBe(3);
    expect(report.monthlyUsd).toBe(17.90);
  });
});

describe('output', () => {
  test('toMarkdown lists the items, the total, the region and the price date', () => {
    const s = stack();
    new CostOptimizedVpc(s, 'Vpc');
    const md = CostReport.of(s).toMarkdown();
    expect(md).toContain('| NAT instance (t4g.nano) | 1 | $3.07 | $3.07 |');
    expect(md).toContain('| **Total** | | | **$7.56** |');
    expect(md).toContain(`us-east-1 list prices of ${UnitPrices.PRICE_DATE}`);
    expect(md).toContain('| S3 gateway endpoint | 1 | $0.00 | $0.00 |');
  });

  test('annotate() adds an acknowledgeable warning stating the figure', () => {
    const s = stack();
    new ScheduledBatchWorkload(s, 'Nightly', { schedule: SCHEDULE, image: IMAGE });
    CostReport.of(s).annotate();
    Annotations.fromStack(s).hasWarning('/Stack', Match.stringLikeRegexp(
      `^Estimated fixed idle cost: \\$7\\.86/month \\(us-east-1 list prices of ${UnitPrices.PRICE_DATE}.*largest: Public IPv4 address of the NAT instance \\$3\\.65.*acknowledgeWarning\\('cdk-scheduled-batch:idleCost'\\)`));
  });

  test('annotate() names a different region when the stack has one', () => {
    const s = new cdk.Stack(new cdk.App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    new CostOptimizedVpc(s, 'Vpc');
    CostReport.of(s).annotate();
    Annotations.fromStack(s).hasWarning('/Stack', Match.stringLikeRegexp('Prices in eu-west-1 differ'));
  });

  test('an acknowledged idle-cost warning is not shown', () => {
    const s = stack();
    new CostOptimizedVpc(s, 'Vpc');
    CostReport.of(s).annotate();
    cdk.Annotations.of(s).acknowledgeWarning(IDLE_COST_WARNING_ID, 'Known and accepted');
    Annotations.fromStack(s).hasNoWarning('/Stack', Match.anyValue());
  });
});
