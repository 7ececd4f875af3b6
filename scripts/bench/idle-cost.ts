/**
 * Idle-cost rows of the benchmark, every figure computed by `CostReport` (prices from `UnitPrices`, nothing typed here).
 */
import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { buildStack, IMAGE } from './apps';
import { BatchFleet, BatchPlatform, ComputePlatform, CostCategory, CostReport, EgressProfile, ScheduledBatchWorkload } from '../../src';

export interface IdleCostRow {
  readonly design: string;
  readonly what: string;
  /** Network part (NAT, public IPv4, endpoints, NAT volume and NAT alarms), USD/month. */
  readonly networkUsd: number;
  /** Everything the report found, USD/month. */
  readonly totalUsd: number;
  readonly items: { description: string; quantity: number; monthlyUsd: number }[];
}

/** The fleets whose idle cost is reported: the difference is the fixed cost of one more workload (issue #22). */
export const FLEET_COST_NS = [10, 100];
export const fleetCostDesign = (n: number) => `BatchFleet × ${n}`;

/** Fixed monthly cost of one more fleet workload, from the two fleet rows, USD. */
export function fleetMarginalUsd(rows: IdleCostRow[]): number | undefined {
  const [a, b] = FLEET_COST_NS.map(n => rows.find(r => r.design === fleetCostDesign(n)));
  if (!a || !b) return undefined;
  return Math.round((b.totalUsd - a.totalUsd) / (FLEET_COST_NS[1] - FLEET_COST_NS[0]) * 10_000) / 10_000;
}

const NETWORK = [CostCategory.NAT, CostCategory.PUBLIC_IPV4, CostCategory.VPC_ENDPOINTS, CostCategory.STORAGE];

function row(design: string, what: string, report: CostReport, networkAlarmsUsd = 0): IdleCostRow {
  const network = NETWORK.reduce((sum, c) => sum + report.monthlyUsdOf(c), 0) + networkAlarmsUsd;
  return {
    design,
    what,
    networkUsd: Math.round(network * 100) / 100,
    totalUsd: report.monthlyUsd,
    items: report.items.filter(i => i.monthlyUsd > 0).map(i => ({ description: i.description, quantity: i.quantity, monthlyUsd: i.monthlyUsd })),
  };
}

/**
 * The CloudWatch alarms a workload creates: its `BatchAlarms` when they are its own (a one-liner's platform is inside the
 * workload). On a shared platform `alarms` are the platform's, shared by every workload: none of its own then.
 */
export function workloadAlarmCount(workload: ScheduledBatchWorkload): number {
  const batchAlarms = workload.alarms;
  if (!batchAlarms || !batchAlarms.node.path.startsWith(`${workload.node.path}/`)) return 0;
  return batchAlarms.node.findAll().filter(c => c instanceof cloudwatch.CfnAlarm).length;
}

/** "N alarms", counted. */
function alarms(n: number): string {
  return `${n} alarm${n === 1 ? '' : 's'}`;
}

function oneLiner(app: cdk.App, id: string, egress?: EgressProfile, platform?: ComputePlatform): ScheduledBatchWorkload {
  const stack = new cdk.Stack(app, id);
  return new ScheduledBatchWorkload(stack, 'Job', {
    schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(24)),
    image: ecs.ContainerImage.fromRegistry(IMAGE),
    egress,
    computePlatform: platform,
  });
}

export function idleCostRows(): IdleCostRow[] {
  const app = new cdk.App();
  const rows: IdleCostRow[] = [];
  const profiles: [string, EgressProfile | undefined, ComputePlatform | undefined][] = [
    ['default (natInstance())', undefined, undefined],
    ['natInstance({ perAz: true })', EgressProfile.natInstance({ perAz: true }), undefined],
    ['natGateway()', EgressProfile.natGateway(), undefined],
    ['natGateway({ perAz: true })', EgressProfile.natGateway({ perAz: true }), undefined],
    ['vpcEndpoints(), EC2', EgressProfile.vpcEndpoints(), undefined],
    ['vpcEndpoints({ singleAz: true }), EC2', EgressProfile.vpcEndpoints({ singleAz: true }), undefined],
    ['vpcEndpoints(), Fargate', EgressProfile.vpcEndpoints(), ComputePlatform.FARGATE],
    ['vpcEndpoints({ singleAz: true }), Fargate', EgressProfile.vpcEndpoints({ singleAz: true }), ComputePlatform.FARGATE],
    ['publicSubnets()', EgressProfile.publicSubnets(), undefined],
  ];
  profiles.forEach(([name, egress, platform], i) => {
    const w = oneLiner(app, `Cost${i}`, egress, platform);
    const vpcAlarms = CostReport.of(w.vpc!).monthlyUsdOf(CostCategory.ALARMS);
    rows.push(row(`ScheduledBatchWorkload, ${name}`, `one-liner: own VPC, compute, queue, run tracking, ${alarms(workloadAlarmCount(w))}`, CostReport.of(w), vpcAlarms));
  });

  const shared = buildStack(app, 'library', 10);
  const sharedVpc = (shared.node.findChild('Platform') as BatchPlatform).vpc!;
  const sharedWorkloads = shared.node.children.filter((c): c is ScheduledBatchWorkload => c instanceof ScheduledBatchWorkload);
  const perWorkload = [...new Set(sharedWorkloads.map(workloadAlarmCount))];
  if (perWorkload.length !== 1) throw new Error(`the 10 shared workloads have different alarm counts: ${perWorkload.join(', ')}`);
  rows.push(row('ScheduledBatchWorkload × 10 on one BatchPlatform', `shared network and platform alarms, ${alarms(perWorkload[0])} of its own each`, CostReport.of(shared),
    CostReport.of(sharedVpc).monthlyUsdOf(CostCategory.ALARMS)));
  for (const n of FLEET_COST_NS) {
    const fleetStack = buildStack(app, 'fleet', n);
    const fleet = fleetStack.node.findChild('Fleet') as BatchFleet;
    const fleetVpc = (fleet.platform as BatchPlatform).vpc!;
    rows.push(row(fleetCostDesign(n), 'own platform, workloads in its nested stacks', CostReport.of(fleetStack), CostReport.of(fleetVpc).monthlyUsdOf(CostCategory.ALARMS)));
  }

  const fargate = buildStack(app, 'fargate', 1);
  rows.push(row('ScheduledFargateTask, defaults', 'default cluster VPC: a NAT gateway and an Elastic IP per AZ', CostReport.of(fargate)));

  // The original design, done correctly, in plain aws-cdk-lib: counted by CostReport from the L1 resources.
  const natPerAz = new cdk.Stack(app, 'OriginalNatPerAz');
  new ec2.Vpc(natPerAz, 'Vpc', { maxAzs: 2, natGateways: 2 });
  rows.push(row('Original design: NAT gateway per AZ', 'ec2.Vpc, 2 AZs, 2 NAT gateways', CostReport.of(natPerAz)));

  const endpoints = new cdk.Stack(app, 'OriginalEndpoints');
  const vpc = new ec2.Vpc(endpoints, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  const ec2Set = {
    Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
    EcsAgent: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
    EcsTelemetry: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
    EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
    EcrDkr: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
    Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  };
  for (const [id, service] of Object.entries(ec2Set)) vpc.addInterfaceEndpoint(id, { service });
  rows.push(row('Original design: EC2 endpoint set in 2 AZs', 'ec2.Vpc, isolated, S3 gateway + 6 interface endpoints × 2 AZs', CostReport.of(endpoints)));
  return rows;
}
