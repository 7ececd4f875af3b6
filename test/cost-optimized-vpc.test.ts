import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ComputePlatform, CostCategory, CostOptimizedVpc, CostOptimizedVpcProps, EgressKind, EgressProfile, UnitPrices } from '../src';

const ENV = { account: '123456789012', region: 'us-east-1' };
const CIDR = '10.0.0.0/16';
/** aws-cdk-lib renders the S3 gateway service with the region pseudo parameter, even in a stack with a region. */
const S3_SERVICE = { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] };

function build(props: CostOptimizedVpcProps = {}, context: Record<string, unknown> = {}) {
  const app = new cdk.App({ context });
  const stack = new cdk.Stack(app, 'Test', { env: ENV });
  const vpc = new CostOptimizedVpc(stack, 'Vpc', props);
  return { app, stack, vpc, template: () => Template.fromStack(stack) };
}

/** Logical IDs of resources of a type whose properties match. */
function idsOf(template: Template, type: string, props: object = {}): string[] {
  return Object.keys(template.findResources(type, { Properties: props }));
}

// Hand calculations, straight from the unit prices (730 h/month).
const HAND = {
  natGateway: 0.045 * 730, // 32.85
  ipv4: 0.005 * 730, // 3.65
  interfaceEndpointAz: 0.01 * 730, // 7.30
  t4gNano: 0.0042 * 730, // 3.066
  gp3_8gb: 8 * 0.08, // 0.64
  alarm: 0.10,
};
const round = (usd: number) => Math.round(usd * 100) / 100;

describe('EgressProfile', () => {
  test('factories carry kind and options', () => {
    expect(EgressProfile.natInstance().kind).toBe(EgressKind.NAT_INSTANCE);
    expect(EgressProfile.natInstance().perAz).toBe(false);
    expect(EgressProfile.natInstance({ perAz: true }).perAz).toBe(true);
    expect(EgressProfile.natGateway({ perAz: true })).toMatchObject({ kind: EgressKind.NAT_GATEWAY, perAz: true });
    expect(EgressProfile.vpcEndpoints({ singleAz: true })).toMatchObject({ kind: EgressKind.VPC_ENDPOINTS, singleAz: true });
    expect(EgressProfile.publicSubnets().kind).toBe(EgressKind.PUBLIC_SUBNETS);
  });
});

describe('default profile: one NAT instance', () => {
  test('is the default, with public and private subnets in 2 AZs and compute in the private ones', () => {
    const { vpc, template } = build();
    const t = template();
    expect(vpc.egress.kind).toBe(EgressKind.NAT_INSTANCE);
    expect(vpc.computeSubnetType).toBe(ec2.SubnetType.PRIVATE_WITH_EGRESS);
    expect(vpc.computeSubnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    expect(vpc.availabilityZones).toHaveLength(2);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: CIDR, EnableDnsHostnames: true, EnableDnsSupport: true });
    t.resourceCountIs('AWS::EC2::Subnet', 4);
    t.resourceCountIs('AWS::EC2::InternetGateway', 1);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::Instance', 1);
    expect(vpc.publicSubnets).toHaveLength(2);
    expect(vpc.privateSubnets).toHaveLength(2);
    expect(vpc.isolatedSubnets).toHaveLength(0);
  });

  test('NAT instance: t4g.nano AL2023 arm64, encrypted 8 GB gp3 root volume, IMDSv2, public IP, no source/dest check', () => {
    const { vpc, template } = build();
    const t = template();
    expect(vpc.natInstances).toHaveLength(1);
    t.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.nano',
      SourceDestCheck: false,
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } }],
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
      NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: true, DeviceIndex: '0' })],
    });
    const params = t.toJSON().Parameters;
    const ami = Object.values<any>(params).find(p => String(p.Default).includes('al2023-ami-kernel'));
    expect(ami.Default).toBe('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64');
  });

  test('private subnets route 0.0.0.0/0 to the NAT instance; public subnets to the IGW and give no public IP by default', () => {
    const { template } = build();
    const t = template();
    const [instanceId] = idsOf(t, 'AWS::EC2::Instance');
    const natRoutes = t.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '0.0.0.0/0', InstanceId: { Ref: instanceId } } });
    expect(Object.keys(natRoutes)).toHaveLength(2);
    const igwRoutes = t.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '0.0.0.0/0', GatewayId: Match.anyValue() } });
    expect(Object.keys(igwRoutes)).toHaveLength(2);
    t.resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false }, 4);
  });

  test('NAT security group admits only the VPC CIDR and no security group has ingress from outside the VPC', () => {
    const { template } = build();
    const t = template();
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Security Group for NAT instances',
      SecurityGroupIngress: [{ CidrIp: CIDR, IpProtocol: '-1', Description: 'NAT for traffic from inside the VPC' }],
    });
    t.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    for (const sg of Object.values<any>(t.findResources('AWS::EC2::SecurityGroup'))) {
      for (const rule of sg.Properties.SecurityGroupIngress ?? []) {
        expect(rule.CidrIp).toBe(CIDR);
      }
    }
  });

  test('recovers the NAT instance on a system status-check failure and reboots it on an instance status-check failure', () => {
    const { vpc, template } = build();
    const t = template();
    const [instanceId] = idsOf(t, 'AWS::EC2::Instance');
    expect(vpc.natInstanceAlarms).toHaveLength(2);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/EC2',
      MetricName: 'StatusCheckFailed_System',
      Dimensions: [{ Name: 'InstanceId', Value: { Ref: instanceId } }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 2,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':automate:us-east-1:ec2:recover']] }],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'StatusCheckFailed_Instance',
      Dimensions: [{ Name: 'InstanceId', Value: { Ref: instanceId } }],
      AlarmActions: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':automate:us-east-1:ec2:reboot']] }],
    });
  });

  test('S3 gateway endpoint on the private (compute) route tables only', () => {
    const { vpc, template } = build();
    const t = template();
    const privateTables = vpc.privateSubnets.map(s => cdk.Stack.of(vpc).resolve(s.routeTable.routeTableId));
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: S3_SERVICE,
      RouteTableIds: privateTables,
    });
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    expect(vpc.s3Endpoint).toBeDefined();
  });

  test('idle cost equals the hand calculation: t4g.nano + public IPv4 + 8 GB gp3 + 2 alarms = $7.56', () => {
    const { vpc } = build();
    const hand = round(HAND.t4gNano) + round(HAND.ipv4) + round(HAND.gp3_8gb) + round(2 * HAND.alarm);
    expect(hand).toBeCloseTo(7.56, 2);
    expect(vpc.monthlyIdleCostUsd()).toBe(7.56);
    expect(vpc.monthlyIdleCostUsd()).toBeLessThanOrEqual(8);
    expect(vpc.costLineItems()).toEqual([
      expect.objectContaining({ category: CostCategory.NAT, quantity: 1, monthlyUsd: 3.07 }),
      expect.objectContaining({ category: CostCategory.PUBLIC_IPV4, quantity: 1, monthlyUsd: 3.65 }),
      expect.objectContaining({ category: CostCategory.STORAGE, quantity: 8, unitMonthlyUsd: UnitPrices.GP3_GB_MONTH, monthlyUsd: 0.64 }),
      expect.objectContaining({ category: CostCategory.ALARMS, quantity: 2, monthlyUsd: 0.2 }),
      expect.objectContaining({ category: CostCategory.VPC_ENDPOINTS, description: 'S3 gateway endpoint', monthlyUsd: 0 }),
    ]);
  });

  test('perAz: one NAT instance per AZ, each private subnet routes to its own AZ, cost $15.11', () => {
    const { vpc, template } = build({ egress: EgressProfile.natInstance({ perAz: true }) });
    const t = template();
    t.resourceCountIs('AWS::EC2::Instance', 2);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    const instances = idsOf(t, 'AWS::EC2::Instance');
    for (const id of instances) {
      const routes = t.findResources('AWS::EC2::Route', { Properties: { InstanceId: { Ref: id } } });
      expect(Object.keys(routes)).toHaveLength(1);
    }
    expect(vpc.monthlyIdleCostUsd()).toBe(round(round(2 * HAND.t4gNano) + round(2 * HAND.ipv4) + round(2 * HAND.gp3_8gb) + round(4 * HAND.alarm)));
    expect(vpc.monthlyIdleCostUsd()).toBe(15.11);
  });
});

describe('no deprecation warning at synth', () => {
  /**
   * jsii reports deprecated aws-cdk-lib APIs through `print` (aws-cdk-lib/.warnings.jsii.js), which reads JSII_DEPRECATED
   * at each call: `fail` throws a DeprecationError, `warn` (the default) writes "[WARNING] ... is deprecated" with
   * console.warn. Both are checked, for every egress profile, with the environment variable set only for the call.
   */
  function synthWith(mode: 'fail' | 'warn', egress: EgressProfile): string[] {
    const saved = process.env.JSII_DEPRECATED;
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    process.env.JSII_DEPRECATED = mode;
    try {
      const { app } = build({ egress, compute: { platform: ComputePlatform.EC2 } });
      app.synth();
      return warn.mock.calls.map(args => args.join(' ')).filter(line => line.includes('deprecated'));
    } finally {
      warn.mockRestore();
      if (saved === undefined) delete process.env.JSII_DEPRECATED; else process.env.JSII_DEPRECATED = saved;
    }
  }

  const profiles: Array<[string, EgressProfile]> = [
    ['NAT instance (the default)', EgressProfile.natInstance()],
    ['NAT instance per AZ', EgressProfile.natInstance({ perAz: true })],
    ['NAT gateway', EgressProfile.natGateway()],
    ['VPC endpoints', EgressProfile.vpcEndpoints()],
    ['public subnets', EgressProfile.publicSubnets()],
  ];
  test.each(profiles)('%s: synthesizes with JSII_DEPRECATED=fail', (_, egress) => {
    expect(() => synthWith('fail', egress)).not.toThrow();
  });
  test.each(profiles)('%s: prints no deprecation warning with JSII_DEPRECATED=warn', (_, egress) => {
    expect(synthWith('warn', egress)).toEqual([]);
  });

  test('the check works: a deprecated API fails under JSII_DEPRECATED=fail', () => {
    const saved = process.env.JSII_DEPRECATED;
    process.env.JSII_DEPRECATED = 'fail';
    try {
      expect(() => ec2.NatProvider.instance({ instanceType: new ec2.InstanceType('t4g.nano') })).toThrow(/is deprecated/);
    } finally {
      if (saved === undefined) delete process.env.JSII_DEPRECATED; else process.env.JSII_DEPRECATED = saved;
    }
  });
});

describe('no Lambda-backed custom resource', () => {
  test('none by default, even when the restrictDefaultSecurityGroup feature flag is on', () => {
    const { template } = build({}, { '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': true });
    const t = template();
    t.resourceCountIs('AWS::Lambda::Function', 0);
    t.resourceCountIs('Custom::VpcRestrictDefaultSG', 0);
  });

  test('restrictDefaultSecurityGroup: true opts in to the aws-cdk-lib custom resource', () => {
    const { template } = build({ restrictDefaultSecurityGroup: true });
    template().resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });
});

describe('NAT gateway profile', () => {
  test('one NAT gateway with an EIP; private subnets route to it; $36.50', () => {
    const { vpc, template } = build({ egress: EgressProfile.natGateway() });
    const t = template();
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
    t.resourceCountIs('AWS::EC2::EIP', 1);
    t.resourceCountIs('AWS::EC2::Instance', 0);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    const [natId] = idsOf(t, 'AWS::EC2::NatGateway');
    const routes = t.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: { Ref: natId } } });
    expect(Object.keys(routes)).toHaveLength(2);
    expect(vpc.natInstances).toEqual([]);
    expect(vpc.computeSubnetType).toBe(ec2.SubnetType.PRIVATE_WITH_EGRESS);
    expect(vpc.monthlyIdleCostUsd()).toBe(round(HAND.natGateway + HAND.ipv4));
    expect(vpc.monthlyIdleCostUsd()).toBe(36.5);
  });

  test('perAz: one NAT gateway per AZ; $73.00', () => {
    const { vpc, template } = build({ egress: EgressProfile.natGateway({ perAz: true }) });
    template().resourceCountIs('AWS::EC2::NatGateway', 2);
    expect(vpc.monthlyIdleCostUsd()).toBe(73);
  });
});

const EC2_SET = ['ecs', 'ecs-agent', 'ecs-telemetry', 'ecr.api', 'ecr.dkr', 'logs'];
const FARGATE_SET = ['ecr.api', 'ecr.dkr', 'logs'];

describe('VPC endpoints profile', () => {
  test('isolated subnets only: no IGW, no NAT, no default route', () => {
    const { vpc, template } = build({ egress: EgressProfile.vpcEndpoints(), compute: { platform: ComputePlatform.EC2 } });
    const t = template();
    expect(vpc.computeSubnetType).toBe(ec2.SubnetType.PRIVATE_ISOLATED);
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::Instance', 0);
    t.resourceCountIs('AWS::EC2::Route', 0);
  });

  test('EC2 compute: ecs, ecs-agent, ecs-telemetry, ecr.api, ecr.dkr, logs in both AZs, private DNS, the endpoint SG', () => {
    const { vpc, template } = build({ egress: EgressProfile.vpcEndpoints(), compute: { platform: ComputePlatform.EC2 } });
    const t = template();
    const subnets = vpc.isolatedSubnets.map(s => cdk.Stack.of(vpc).resolve(s.subnetId));
    const sg = cdk.Stack.of(vpc).resolve(vpc.endpointSecurityGroup!.securityGroupId);
    expect(vpc.interfaceEndpointServiceNames()).toEqual(EC2_SET);
    expect(vpc.interfaceEndpoints()).toHaveLength(6);
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 6);
    for (const name of EC2_SET) {
      t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: `com.amazonaws.us-east-1.${name}`,
        PrivateDnsEnabled: true,
        SubnetIds: subnets,
        SecurityGroupIds: [sg],
      });
    }
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: S3_SERVICE });
  });

  test('endpoint security group: 443 from the VPC CIDR only, no other ingress, no egress', () => {
    const { template } = build({ egress: EgressProfile.vpcEndpoints(), compute: { platform: ComputePlatform.EC2 } });
    const t = template();
    t.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: CIDR, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS from inside the VPC' }],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })],
    });
  });

  test('EC2 endpoint set in 2 AZs costs 6 x 2 x $7.30 = $87.60 (more than two NAT gateways)', () => {
    const { vpc } = build({ egress: EgressProfile.vpcEndpoints(), compute: { platform: ComputePlatform.EC2 } });
    expect(vpc.monthlyIdleCostUsd()).toBe(round(6 * 2 * HAND.interfaceEndpointAz));
    expect(vpc.monthlyIdleCostUsd()).toBe(87.6);
    expect(vpc.costLineItems().filter(i => i.category === CostCategory.VPC_ENDPOINTS && i.quantity === 2)).toHaveLength(6);
  });

  test('Fargate compute: only ecr.api, ecr.dkr, logs; $43.80', () => {
    const { vpc, template } = build({ egress: EgressProfile.vpcEndpoints(), compute: { platform: ComputePlatform.FARGATE } });
    expect(vpc.interfaceEndpointServiceNames()).toEqual(FARGATE_SET);
    template().resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 3);
    expect(vpc.monthlyIdleCostUsd()).toBe(43.8);
  });

  test('singleAz: endpoints in the first AZ only; Fargate $21.90, EC2 $43.80', () => {
    const { vpc, template } = build({ egress: EgressProfile.vpcEndpoints({ singleAz: true }), compute: { platform: ComputePlatform.FARGATE } });
    const first = cdk.Stack.of(vpc).resolve(vpc.isolatedSubnets[0].subnetId);
    template().resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: [first] }, 3);
    expect(vpc.monthlyIdleCostUsd()).toBe(round(3 * HAND.interfaceEndpointAz));
    vpc.addComputeRequirements({ platform: ComputePlatform.EC2 });
    expect(vpc.monthlyIdleCostUsd()).toBe(43.8);
  });

  test('addComputeRequirements is an idempotent union; secretsmanager and ssm only when asked', () => {
    const { vpc, template } = build({ egress: EgressProfile.vpcEndpoints() });
    expect(vpc.interfaceEndpoints()).toEqual([]);
    expect(vpc.monthlyIdleCostUsd()).toBe(0);
    vpc.addComputeRequirements({ platform: ComputePlatform.FARGATE });
    vpc.addComputeRequirements({ platform: ComputePlatform.EC2 });
    vpc.addComputeRequirements({ platform: ComputePlatform.EC2 });
    expect(vpc.interfaceEndpointServiceNames()).toEqual(EC2_SET);
    vpc.addComputeRequirements({ platform: ComputePlatform.FARGATE, secretsManager: true });
    expect(vpc.monthlyIdleCostUsd()).toBe(102.2);
    vpc.addComputeRequirements({ platform: ComputePlatform.EC2, ssmParameters: true });
    expect(vpc.interfaceEndpointServiceNames()).toEqual([...EC2_SET, 'secretsmanager', 'ssm']);
    expect(vpc.monthlyIdleCostUsd()).toBe(116.8);
    const t = template();
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 8);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.secretsmanager' });
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.ssm' });
  });

  test('other profiles record requirements but create no interface endpoint', () => {
    const { vpc, template } = build({ compute: { platform: ComputePlatform.EC2, secretsManager: true } });
    vpc.addComputeRequirements({ platform: ComputePlatform.FARGATE, ssmParameters: true });
    expect(vpc.interfaceEndpoints()).toEqual([]);
    template().resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
    expect(vpc.endpointSecurityGroup).toBeUndefined();
  });
});

describe('endpoint policies', () => {
  const ACCOUNT_ONLY = {
    Sid: 'OnlyPrincipalsOfThisAccount',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: '*',
    Resource: '*',
    Condition: { StringEquals: { 'aws:PrincipalAccount': ENV.account } },
  };
  const ECR_LAYERS = {
    Sid: 'EcrImageLayers',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 's3:GetObject',
    Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::prod-us-east-1-starport-layer-bucket/*']] },
  };

  function endpointPolicies(t: Template): Record<string, any> {
    const byService: Record<string, any> = {};
    for (const r of Object.values<any>(t.findResources('AWS::EC2::VPCEndpoint'))) {
      const name = typeof r.Properties.ServiceName === 'string' ? r.Properties.ServiceName.replace('com.amazonaws.us-east-1.', '') : 's3';
      byService[name] = r.Properties.PolicyDocument;
    }
    return byService;
  }

  test.each([
    ['NAT instance', EgressProfile.natInstance()],
    ['NAT gateway', EgressProfile.natGateway()],
    ['VPC endpoints', EgressProfile.vpcEndpoints()],
    ['public subnets', EgressProfile.publicSubnets()],
  ])('%s: the S3 gateway endpoint allows principals of this account and the ECR layer bucket, nothing else', (_, egress) => {
    const policies = endpointPolicies(build({ egress }).template());
    expect(policies.s3).toEqual({ Version: '2012-10-17', Statement: [ACCOUNT_ONLY, ECR_LAYERS] });
  });

  test('interface endpoints: account-only policy where the service documents endpoint policies; the ECS ones keep the default', () => {
    const { template } = build({
      egress: EgressProfile.vpcEndpoints(),
      compute: { platform: ComputePlatform.EC2, secretsManager: true, ssmParameters: true },
    });
    const policies = endpointPolicies(template());
    for (const name of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm']) {
      expect([name, policies[name]]).toEqual([name, { Version: '2012-10-17', Statement: [ACCOUNT_ONLY] }]);
    }
    for (const name of ['ecs', 'ecs-agent', 'ecs-telemetry']) {
      expect([name, policies[name]]).toEqual([name, undefined]);
    }
  });

  test('environment-agnostic stacks scope to the deploying account and Region', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Agnostic');
    new CostOptimizedVpc(stack, 'Vpc');
    const s3Policy = Object.values<any>(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint'))[0].Properties.PolicyDocument;
    expect(s3Policy.Statement[0].Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } });
    expect(s3Policy.Statement[1].Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::prod-', { Ref: 'AWS::Region' }, '-starport-layer-bucket/*']],
    });
  });

  test('more can be allowed with s3Endpoint.addToPolicy (e.g. an AWS-owned bucket read anonymously)', () => {
    const { vpc, template } = build();
    vpc.s3Endpoint.addToPolicy(new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject'],
      resources: ['arn:aws:s3:::al2023-repos-us-east-1-de612dc2/*'],
    }));
    expect(endpointPolicies(template()).s3.Statement).toHaveLength(3);
  });

  test('endpointPolicies: false keeps the default full-access policies', () => {
    const { template } = build({ egress: EgressProfile.vpcEndpoints(), endpointPolicies: false, compute: { platform: ComputePlatform.EC2 } });
    const policies = endpointPolicies(template());
    expect(Object.keys(policies).sort()).toEqual([...EC2_SET, 's3'].sort());
    expect(Object.values(policies).filter(p => p !== undefined)).toEqual([]);
  });
});

describe('public subnets profile', () => {
  test('public subnets with public IPs, no NAT, no private subnet, S3 endpoint on the public route tables, $0', () => {
    const { vpc, template } = build({ egress: EgressProfile.publicSubnets() });
    const t = template();
    expect(vpc.computeSubnetType).toBe(ec2.SubnetType.PUBLIC);
    expect(vpc.computeSubnets).toEqual({ subnetType: ec2.SubnetType.PUBLIC });
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    t.resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: true }, 2);
    t.resourceCountIs('AWS::EC2::InternetGateway', 1);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::Instance', 0);
    t.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      RouteTableIds: vpc.publicSubnets.map(s => cdk.Stack.of(vpc).resolve(s.routeTable.routeTableId)),
    });
    expect(vpc.monthlyIdleCostUsd()).toBe(0);
  });
});

describe('flow logs', () => {
  test('on by default: all traffic to a new log group kept 3 months, written by a role vpc-flow-logs assumes', () => {
    const { vpc, template } = build();
    const t = template();
    expect(vpc.flowLog).toBeDefined();
    expect(vpc.flowLogGroup).toBeDefined();
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    t.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: idsOf(t, 'AWS::Logs::LogGroup')[0] },
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'vpc-flow-logs.amazonaws.com' } })] },
    });
  });

  test('flowLogRetention sets the retention', () => {
    const { template } = build({ flowLogRetention: logs.RetentionDays.ONE_YEAR });
    template().hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('bring-your-own destination: no log group created', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Byo');
    const bucket = new s3.Bucket(stack, 'Bucket');
    const vpc = new CostOptimizedVpc(stack, 'Vpc', { flowLogDestination: ec2.FlowLogDestination.toS3(bucket) });
    const t = Template.fromStack(stack);
    expect(vpc.flowLogGroup).toBeUndefined();
    t.resourceCountIs('AWS::Logs::LogGroup', 0);
    t.hasResourceProperties('AWS::EC2::FlowLog', { LogDestinationType: 's3', TrafficType: 'ALL' });
  });

  test('flowLogs: false creates no flow log', () => {
    const { vpc, template } = build({ flowLogs: false });
    const t = template();
    expect(vpc.flowLog).toBeUndefined();
    t.resourceCountIs('AWS::EC2::FlowLog', 0);
    t.resourceCountIs('AWS::Logs::LogGroup', 0);
  });
});

describe('options', () => {
  test('maxAzs and ipAddresses are passed to the VPC', () => {
    const { vpc, template } = build({ maxAzs: 1, ipAddresses: ec2.IpAddresses.cidr('10.20.0.0/20') });
    const t = template();
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/20' });
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.20.0.0/20' })] });
    expect(vpc.availabilityZones).toHaveLength(1);
  });

  test('environment-agnostic stacks get 2 AZs and tokenized service names', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Agnostic');
    new CostOptimizedVpc(stack, 'Vpc', { egress: EgressProfile.vpcEndpoints(), compute: { platform: ComputePlatform.FARGATE } });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.ecr.dkr']] },
    });
  });
});

describe('validation', () => {
  test.each<[string, CostOptimizedVpcProps, RegExp]>([
    ['maxAzs below 1', { maxAzs: 0 }, /'maxAzs' is 0: it must be a whole number of at least 1; pass 1 or more \(the default is 2\)/],
    ['maxAzs negative', { maxAzs: -2 }, /'maxAzs' is -2: it must be a whole number of at least 1/],
    ['maxAzs fractional', { maxAzs: 1.5 }, /'maxAzs' is 1.5: it must be a whole number of at least 1/],
    ['maxAzs NaN', { maxAzs: NaN }, /'maxAzs' is NaN: it must be a whole number of at least 1/],
    ['maxAzs Infinity', { maxAzs: Infinity }, /'maxAzs' is Infinity: it must be a whole number of at least 1/],
    ['maxAzs a string (untyped languages)', { maxAzs: '2' as any }, /'maxAzs' is '2': it must be a whole number of at least 1/],
    ['maxAzs a token', { maxAzs: cdk.Token.asNumber(cdk.Lazy.number({ produce: () => 2 })) },
      /^'maxAzs' is a token \(-1\.8\d+e\+289\): the number of AZs decides at synth how many subnets, route tables and NAT instances the VPC has\. Give a number, e\.g\. 2\.$/],
    ['a CIDR with host bits set', { ipAddresses: ec2.IpAddresses.cidr('10.0.1.5/16') },
      /^'ipAddresses' is ec2\.IpAddresses\.cidr\('10\.0\.1\.5\/16'\), whose address has host bits set: a \/16 network starts at 10\.0\.0\.0\. Give ec2\.IpAddresses\.cidr\('10\.0\.0\.0\/16'\)\.$/],
    ['a CIDR with host bits set past the second octet', { ipAddresses: ec2.IpAddresses.cidr('192.168.200.0/17') }, /a \/17 network starts at 192\.168\.128\.0\./],
    ['a CIDR larger than a VPC may be', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/15') },
      /^'ipAddresses' is ec2\.IpAddresses\.cidr\('10\.0\.0\.0\/15'\): a VPC's CIDR block is \/16 \(65,536 addresses\) to \/28, and Amazon VPC would refuse a \/15 at deploy\. Give e\.g\. ec2\.IpAddresses\.cidr\('10\.0\.0\.0\/16'\)\.$/],
    ['a CIDR smaller than a VPC may be', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/29') }, /Amazon VPC would refuse a \/29 at deploy/],
    ['a CIDR too small for the VPC\'s subnets', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/27') },
      /^'ipAddresses' is ec2\.IpAddresses\.cidr\('10\.0\.0\.0\/27'\), too small for the VPC's 4 subnets \(2 AZs, 2 subnet groups\): each would be smaller than \/28, the smallest subnet\. Give a \/26 or larger block, or a lower 'maxAzs'\.$/],
  ])('fails on a bad number: %s', (_, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  // Untyped languages can pass a string where an enum or an enum-like class is typed.
  test.each<[string, CostOptimizedVpcProps, RegExp]>([
    ['egress', { egress: 'natInstance' as any },
      /'egress' is 'natInstance', which is not an EgressProfile: use one of EgressProfile.natInstance\(\), EgressProfile.natGateway\(\), EgressProfile.vpcEndpoints\(\) or EgressProfile.publicSubnets\(\)/],
    ['egress as a plain object', { egress: { kind: EgressKind.NAT_GATEWAY, perAz: false, singleAz: false } as any },
      /'egress' is \{"kind":"NAT_GATEWAY","perAz":false,"singleAz":false\}, which is not an EgressProfile/],
    ['flowLogRetention', { flowLogRetention: 10 as any },
      /'flowLogRetention' is 10, which is not a logs.RetentionDays: use one of logs.RetentionDays.ONE_DAY, logs.RetentionDays.THREE_DAYS, /],
    ['flowLogDestination', { flowLogDestination: 's3://bucket' as any },
      /'flowLogDestination' is 's3:\/\/bucket', which is not a FlowLogDestination: use ec2.FlowLogDestination.toCloudWatchLogs\(logGroup\)/],
    ['compute.platform', { compute: { platform: 'fargate' as any } },
      /'compute.platform' is 'fargate', which is not a ComputePlatform: use one of ComputePlatform.EC2, ComputePlatform.FARGATE/],
  ])('fails on a foreign value for an enum-typed prop: %s', (_, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('the smallest blocks that fit the subnets pass: a /26 for 2 AZs of 2 groups, a /28 for 1 AZ of 1 group', () => {
    expect(() => new CostOptimizedVpc(new cdk.Stack(new cdk.App(), 'A'), 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/26') })).not.toThrow();
    expect(() => new CostOptimizedVpc(new cdk.Stack(new cdk.App(), 'B'), 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/28'), egress: EgressProfile.vpcEndpoints(), maxAzs: 1,
    })).not.toThrow();
  });

  test('tokens pass the numeric and enum checks unchecked', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Stack', { env: ENV });
    const retention = new cdk.CfnParameter(stack, 'Retention', { type: 'Number' }).valueAsNumber as logs.RetentionDays;
    new CostOptimizedVpc(stack, 'Vpc', { flowLogRetention: retention });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: { Ref: 'Retention' } });
    // maxAzs cannot be a token: ec2.Vpc slices the AZ list with it at synth (and then finds no AZs), so it is refused by name.
    const maxAzs = new cdk.CfnParameter(stack, 'MaxAzs', { type: 'Number' }).valueAsNumber;
    expect(() => new CostOptimizedVpc(stack, 'Other', { maxAzs })).toThrow(/^'maxAzs' is a token \(.*\): the number of AZs decides at synth/);
  });

  test('fails when flowLogRetention is set with flowLogs: false', () => {
    expect(() => build({ flowLogs: false, flowLogRetention: logs.RetentionDays.ONE_WEEK }))
      .toThrow(/'flowLogRetention' is set \(7 days\) but 'flowLogs' is false/);
  });

  test('fails when flowLogDestination is set with flowLogs: false', () => {
    expect(() => build({ flowLogs: false, flowLogDestination: ec2.FlowLogDestination.toCloudWatchLogs() }))
      .toThrow(/'flowLogDestination' is set but 'flowLogs' is false/);
  });

  test('fails when flowLogRetention and flowLogDestination are both set', () => {
    expect(() => build({ flowLogRetention: logs.RetentionDays.ONE_WEEK, flowLogDestination: ec2.FlowLogDestination.toCloudWatchLogs() }))
      .toThrow(/'flowLogRetention' \(7 days\) only applies to the log group this construct creates/);
  });
});

describe('docs/networking.md cost table', () => {
  /** Each row of the table names the exact props in its first cell. */
  const ROWS: Record<string, CostOptimizedVpcProps> = {
    'natInstance()': {},
    'natInstance({ perAz: true })': { egress: EgressProfile.natInstance({ perAz: true }) },
    'natGateway()': { egress: EgressProfile.natGateway() },
    'natGateway({ perAz: true })': { egress: EgressProfile.natGateway({ perAz: true }) },
    'vpcEndpoints(), EC2': { egress: EgressProfile.vpcEndpoints(), compute: { platform: ComputePlatform.EC2 } },
    'vpcEndpoints(), EC2 + Secrets Manager': { egress: EgressProfile.vpcEndpoints(), compute: { platform: ComputePlatform.EC2, secretsManager: true } },
    'vpcEndpoints({ singleAz: true }), EC2': { egress: EgressProfile.vpcEndpoints({ singleAz: true }), compute: { platform: ComputePlatform.EC2 } },
    'vpcEndpoints(), Fargate': { egress: EgressProfile.vpcEndpoints(), compute: { platform: ComputePlatform.FARGATE } },
    'vpcEndpoints({ singleAz: true }), Fargate': { egress: EgressProfile.vpcEndpoints({ singleAz: true }), compute: { platform: ComputePlatform.FARGATE } },
    'publicSubnets()': { egress: EgressProfile.publicSubnets() },
  };

  test('every figure in the table equals what the construct computes', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'networking.md'), 'utf8');
    const table = doc.split('<!-- cost-table:start -->')[1].split('<!-- cost-table:end -->')[0];
    const rows = table.split('\n').filter(l => l.startsWith('| `'));
    expect(rows.map(r => r.split('`')[1]).sort()).toEqual(Object.keys(ROWS).sort());
    for (const row of rows) {
      const key = row.split('`')[1];
      const cells = row.split('|').map(c => c.trim());
      const figure = Number(cells[cells.length - 2].replace(/[$*]/g, ''));
      const { vpc } = build(ROWS[key]);
      expect({ key, figure }).toEqual({ key, figure: vpc.monthlyIdleCostUsd() });
    }
  });
});
