import * as cdk from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ComputePlatform } from '../src/compute/compute-platform';
import { SpotComputeEnvironment } from '../src/compute/spot-compute-environment';
import { CpuArchitecture, SpotComputeEnvironmentProps } from '../src/compute/spot-compute-environment-props';
import { ComputeReachability } from '../src/network/compute-reachability';
import { CostOptimizedVpc } from '../src/network/cost-optimized-vpc';
import { EgressProfile } from '../src/network/cost-optimized-vpc-props';

// Observe the reachability guard; it still runs (spyOn calls through).
const requireSpy = jest.spyOn(ComputeReachability, 'require');

const CE = 'AWS::Batch::ComputeEnvironment';

function setup() {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Stack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  return { app, stack, vpc };
}

function build(props: Partial<SpotComputeEnvironmentProps> = {}) {
  const { stack, vpc } = setup();
  const compute = new SpotComputeEnvironment(stack, 'Compute', { vpc, ...props });
  return { stack, vpc, compute, template: Template.fromStack(stack) };
}

function statements(template: Template): any[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('EC2 Spot (default)', () => {
  test('renders a SPOT compute environment with price-capacity-optimized, 0-256 vCPUs and Batch default x86 classes', () => {
    const { template } = build();
    template.resourceCountIs(CE, 1);
    template.hasResourceProperties(CE, {
      Type: 'managed',
      ReplaceComputeEnvironment: false,
      ComputeResources: {
        Type: 'SPOT',
        AllocationStrategy: 'SPOT_PRICE_CAPACITY_OPTIMIZED',
        MinvCpus: 0,
        MaxvCpus: 256,
        InstanceTypes: ['default_x86_64'],
        Ec2Configuration: [{ ImageType: 'ECS_AL2023' }],
        BidPercentage: Match.absent(),
        SpotIamFleetRole: Match.absent(),
        LaunchTemplate: {
          LaunchTemplateId: { Ref: Match.stringLikeRegexp('ComputeLaunchTemplate') },
          Version: { 'Fn::GetAtt': [Match.stringLikeRegexp('ComputeLaunchTemplate'), 'LatestVersionNumber'] },
        },
      },
      ComputeEnvironmentName: Match.absent(),
      ServiceRole: Match.absent(),
      EcsSettings: Match.absent(),
    });
  });

  test('exposes what it created', () => {
    const { compute } = build();
    expect(compute.platform).toBe(ComputePlatform.EC2);
    expect(compute.spot).toBe(true);
    expect(compute.architecture).toBe(CpuArchitecture.X86_64);
    expect(compute.minvCpus).toBe(0);
    expect(compute.maxvCpus).toBe(256);
    expect(compute.instanceRole).toBeDefined();
    expect(compute.launchTemplate).toBeDefined();
    expect(compute.fallbackComputeEnvironment).toBeUndefined();
    expect(compute.assignPublicIp).toBe(false);
    expect(compute.vpcSubnets).toEqual({});
    expect(compute.instanceTypes).toEqual([]);
    expect(compute.instanceClasses).toEqual([]);
    expect(compute.costLineItems()).toEqual([]);
  });

  test('launch template requires IMDSv2 with hop limit 1 and an encrypted 30 GiB gp3 root volume, without a fixed name', () => {
    const { template } = build();
    template.resourceCountIs('AWS::EC2::LaunchTemplate', 1);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateName: Match.absent(),
      LaunchTemplateData: {
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [{
          DeviceName: '/dev/xvda',
          Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 30, DeleteOnTermination: true },
        }],
      },
    });
  });

  test('rootVolumeSize sets the root volume size', () => {
    const { template } = build({ rootVolumeSize: cdk.Size.gibibytes(100) });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: Match.objectLike({ VolumeSize: 100 }) }] },
    });
  });

  test('instance role has an inline least-privilege policy and no AWS-managed policy; no Spot Fleet role', () => {
    const { template } = build();
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' })],
      },
      ManagedPolicyArns: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::InstanceProfile', {
      Roles: [{ Ref: Match.stringLikeRegexp('ComputeInstanceRole') }],
    });
    template.hasResourceProperties(CE, {
      ComputeResources: { InstanceRole: { 'Fn::GetAtt': [Match.stringLikeRegexp('InstanceProfile'), 'Arn'] } },
    });
  });

  test('instance policy: only "*" where IAM has no resource-level permissions, everything else in this account and Region', () => {
    const { template } = build();
    const st = statements(template);
    const bySid = Object.fromEntries(st.map(s => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual([
      'AwslogsDriverWrite', 'EcsAgentClusterMembership', 'EcsAgentReadTags', 'EcsAgentTagOnRegister',
      'EcsAgentUnscopedActions', 'PullImagesFromThisAccount',
    ]);
    expect(bySid.EcsAgentUnscopedActions).toMatchObject({
      Action: ['ecs:DiscoverPollEndpoint', 'ec2:DescribeTags', 'ecr:GetAuthorizationToken'],
      Resource: '*',
    });
    const arn = (service: string, resource: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
    });
    expect(bySid.EcsAgentClusterMembership.Action).toEqual([
      'ecs:RegisterContainerInstance', 'ecs:DeregisterContainerInstance', 'ecs:Poll', 'ecs:StartTelemetrySession',
      'ecs:UpdateContainerInstancesState', 'ecs:SubmitAttachmentStateChanges', 'ecs:SubmitContainerStateChange',
      'ecs:SubmitTaskStateChange',
    ]);
    expect(bySid.EcsAgentClusterMembership.Resource).toEqual([arn('ecs', 'cluster/*'), arn('ecs', 'container-instance/*')]);
    expect(bySid.EcsAgentTagOnRegister).toMatchObject({
      Action: 'ecs:TagResource',
      Resource: arn('ecs', 'container-instance/*'),
      Condition: { StringEquals: { 'ecs:CreateAction': ['RegisterContainerInstance'] } },
    });
    expect(bySid.EcsAgentReadTags.Resource).toEqual([arn('ecs', 'container-instance/*'), arn('ecs', 'task/*')]);
    expect(bySid.PullImagesFromThisAccount).toMatchObject({
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Resource: arn('ecr', 'repository/*'),
    });
    // Job log groups only (/aws/batch/job, /aws/batch/<workload>), not every log group of the account.
    expect(bySid.AwslogsDriverWrite).toMatchObject({
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: arn('logs', 'log-group:/aws/batch/*'),
    });
    const allActions = st.flatMap(s => [s.Action].flat());
    expect(allActions).not.toContain('ecs:CreateCluster');
    expect(allActions.filter((a: string) => a.includes('*'))).toEqual([]);
  });

  test('bring-your-own instance role: no role created, the instance profile uses it', () => {
    const { stack, vpc } = setup();
    const role = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const compute = new SpotComputeEnvironment(stack, 'Compute', { vpc, instanceRole: role });
    const template = Template.fromStack(stack);
    expect(compute.instanceRole).toBe(role);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: Match.stringLikeRegexp('MyRole') }] });
  });

  test('security group: no inbound rules, HTTPS outbound only, exposed through connections', () => {
    const { compute, template } = build();
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() }],
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(compute.connections.securityGroups).toEqual([compute.securityGroup]);
    template.hasResourceProperties(CE, {
      ComputeResources: { SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ComputeSecurityGroup'), 'GroupId'] }] },
    });
  });

  test('connections lets users open what they need', () => {
    const { stack, vpc } = setup();
    const compute = new SpotComputeEnvironment(stack, 'Compute', { vpc });
    const db = new ec2.SecurityGroup(stack, 'Db', { vpc });
    compute.connections.allowTo(db, ec2.Port.tcp(5432), 'jobs to the database');
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ComputeSecurityGroup'), 'GroupId'] },
      FromPort: 5432,
      ToPort: 5432,
    });
  });

  test('allowAllOutbound opens all outbound traffic', () => {
    const { template } = build({ allowAllOutbound: true });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })],
    });
  });

  test('bring-your-own security groups: none created, the compute environment uses them', () => {
    const { stack, vpc } = setup();
    const sg = new ec2.SecurityGroup(stack, 'Mine', { vpc });
    const compute = new SpotComputeEnvironment(stack, 'Compute', { vpc, securityGroups: [sg] });
    const template = Template.fromStack(stack);
    expect(compute.securityGroup).toBe(sg);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    template.hasResourceProperties(CE, {
      ComputeResources: { SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('Mine'), 'GroupId'] }] },
    });
  });

  test('ARM64 uses the default_arm64 classes', () => {
    const { template, compute } = build({ architecture: CpuArchitecture.ARM64 });
    expect(compute.architecture).toBe(CpuArchitecture.ARM64);
    template.hasResourceProperties(CE, { ComputeResources: { InstanceTypes: ['default_arm64'] } });
  });

  test('exposes the instance types and classes given', () => {
    const types = [new ec2.InstanceType('c7g.large')];
    expect(build({ instanceTypes: types, instanceClasses: [ec2.InstanceClass.M7G] }).compute).toMatchObject({
      instanceTypes: types,
      instanceClasses: [ec2.InstanceClass.M7G],
    });
  });

  test('instanceTypes and instanceClasses replace the default classes, and derive the architecture', () => {
    const { template, compute } = build({
      instanceTypes: [ec2.InstanceType.of(ec2.InstanceClass.C7G, ec2.InstanceSize.XLARGE)],
      instanceClasses: [ec2.InstanceClass.M7G],
    });
    expect(compute.architecture).toBe(CpuArchitecture.ARM64);
    template.hasResourceProperties(CE, { ComputeResources: { InstanceTypes: ['c7g.xlarge', 'm7g'], Ec2Configuration: [{ ImageType: 'ECS_AL2023' }] } });
  });

  test('GPU instance types add the ECS_AL2023_NVIDIA image type', () => {
    const { template } = build({ instanceTypes: [new ec2.InstanceType('g5.xlarge'), new ec2.InstanceType('m6i.large')] });
    template.hasResourceProperties(CE, {
      ComputeResources: { Ec2Configuration: [{ ImageType: 'ECS_AL2023' }, { ImageType: 'ECS_AL2023_NVIDIA' }] },
    });
  });

  test('spotBidPercentage sets the bid, and warns: AWS recommends no cap (acknowledgeable); no bid, no warning', () => {
    const { template, stack } = build({ spotBidPercentage: 60 });
    template.hasResourceProperties(CE, { ComputeResources: { BidPercentage: 60, Type: 'SPOT' } });
    const capWarnings = (s: cdk.Stack) => Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('cdk-scheduled-batch:spotBidCap')).map(w => String(w.entry.data));
    expect(capWarnings(stack)).toEqual([expect.stringMatching(/^'spotBidPercentage' is 60: AWS recommends leaving the Spot price uncapped .* Leave it out, or acknowledge this warning\. \[ack: cdk-scheduled-batch:spotBidCap\]$/)]);
    expect(capWarnings(build().stack)).toEqual([]);
  });

  test('spot: false gives an On-Demand best-fit-progressive compute environment', () => {
    const { template, compute } = build({ spot: false });
    expect(compute.spot).toBe(false);
    template.hasResourceProperties(CE, { ComputeResources: { Type: 'EC2', AllocationStrategy: 'BEST_FIT_PROGRESSIVE' } });
  });

  test('minvCpus and maxvCpus are passed through; minvCpus > 0 warns about idle cost', () => {
    const { stack, template } = build({ minvCpus: 4, maxvCpus: 64 });
    template.hasResourceProperties(CE, { ComputeResources: { MinvCpus: 4, MaxvCpus: 64 } });
    Annotations.fromStack(stack).hasWarning('/Stack/Compute', Match.stringLikeRegexp("'minvCpus' is 4"));
  });

  test('minvCpus 0 raises no warning', () => {
    const { stack } = build();
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('minvCpus'));
  });

  test('unresolved maxvCpus is not validated at synth time', () => {
    const { stack, vpc } = setup();
    const max = new cdk.CfnParameter(stack, 'Max', { type: 'Number' }).valueAsNumber;
    new SpotComputeEnvironment(stack, 'Compute', { vpc, maxvCpus: max });
    Template.fromStack(stack).hasResourceProperties(CE, { ComputeResources: { MaxvCpus: { Ref: 'Max' } } });
  });
});

describe('On-Demand fallback', () => {
  test('EC2: a second, On-Demand compute environment sharing the launch template, role and security group', () => {
    const { template, compute } = build({ onDemandFallback: true });
    template.resourceCountIs(CE, 2);
    template.hasResourceProperties(CE, {
      ComputeResources: Match.objectLike({
        Type: 'EC2',
        AllocationStrategy: 'BEST_FIT_PROGRESSIVE',
        MinvCpus: 0,
        MaxvCpus: 256,
        InstanceTypes: ['default_x86_64'],
        Ec2Configuration: [{ ImageType: 'ECS_AL2023' }],
        LaunchTemplate: Match.objectLike({ Version: Match.anyValue() }),
      }),
    });
    template.resourceCountIs('AWS::EC2::LaunchTemplate', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    expect(compute.fallbackComputeEnvironment).toBeDefined();
  });

  test('orderedComputeEnvironments puts Spot first (order 1) and the fallback second (order 2)', () => {
    const { stack, vpc } = setup();
    const compute = new SpotComputeEnvironment(stack, 'Compute', { vpc, onDemandFallback: true });
    const ordered = compute.orderedComputeEnvironments();
    expect(ordered.map(o => o.order)).toEqual([1, 2]);
    expect(ordered[0].computeEnvironment).toBe(compute.computeEnvironment);
    expect(ordered[1].computeEnvironment).toBe(compute.fallbackComputeEnvironment);
    new batch.JobQueue(stack, 'Queue', { computeEnvironments: ordered });
    const template = Template.fromStack(stack);
    const ces = template.findResources(CE);
    const spotId = Object.keys(ces).find(k => ces[k].Properties.ComputeResources.Type === 'SPOT');
    const odId = Object.keys(ces).find(k => ces[k].Properties.ComputeResources.Type === 'EC2');
    template.hasResourceProperties('AWS::Batch::JobQueue', {
      ComputeEnvironmentOrder: [
        { ComputeEnvironment: { 'Fn::GetAtt': [spotId, 'ComputeEnvironmentArn'] }, Order: 1 },
        { ComputeEnvironment: { 'Fn::GetAtt': [odId, 'ComputeEnvironmentArn'] }, Order: 2 },
      ],
    });
  });

  test('without fallback, orderedComputeEnvironments has only the primary', () => {
    const { compute } = build();
    expect(compute.orderedComputeEnvironments()).toEqual([{ computeEnvironment: compute.computeEnvironment, order: 1 }]);
  });

  test('Fargate: FARGATE_SPOT first, FARGATE second', () => {
    const { compute, template } = build({ platform: ComputePlatform.FARGATE, onDemandFallback: true });
    template.resourceCountIs(CE, 2);
    template.hasResourceProperties(CE, { ComputeResources: Match.objectLike({ Type: 'FARGATE_SPOT' }) });
    template.hasResourceProperties(CE, { ComputeResources: Match.objectLike({ Type: 'FARGATE' }) });
    expect(compute.orderedComputeEnvironments().map(o => o.order)).toEqual([1, 2]);
  });
});

describe('tags', () => {
  test('tags applied to the construct reach the launched instances of every compute environment', () => {
    const { stack, vpc } = setup();
    const compute = new SpotComputeEnvironment(stack, 'Compute', { vpc, onDemandFallback: true });
    cdk.Tags.of(compute).add('CostCenter', 'x');
    const template = Template.fromStack(stack);
    const ces = Object.values(template.findResources(CE));
    expect(ces).toHaveLength(2);
    for (const ce of ces) {
      expect(ce.Properties.ComputeResources.Tags).toEqual({ CostCenter: 'x' });
    }
  });

  test('tags also reach the root volumes through the launch template tag specifications', () => {
    const { stack, vpc } = setup();
    const compute = new SpotComputeEnvironment(stack, 'Compute', { vpc });
    cdk.Tags.of(compute).add('CostCenter', 'x');
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        TagSpecifications: Match.arrayWith([
          { ResourceType: 'volume', Tags: Match.arrayWith([{ Key: 'CostCenter', Value: 'x' }]) },
        ]),
      }),
    });
  });
});

describe('Container Insights', () => {
  test('not set by default', () => {
    const { template } = build({ onDemandFallback: true });
    for (const ce of Object.values(template.findResources(CE))) {
      expect(ce.Properties.EcsSettings).toBeUndefined();
    }
  });

  test('true renders ENABLED on every compute environment', () => {
    const { template } = build({ containerInsights: true, onDemandFallback: true });
    const ces = Object.values(template.findResources(CE));
    expect(ces.map(ce => ce.Properties.EcsSettings)).toEqual([{ ContainerInsights: 'ENABLED' }, { ContainerInsights: 'ENABLED' }]);
  });

  test('false renders DISABLED (also on Fargate)', () => {
    const { template } = build({ containerInsights: false, platform: ComputePlatform.FARGATE });
    template.hasResourceProperties(CE, { EcsSettings: { ContainerInsights: 'DISABLED' } });
  });
});

describe('Fargate', () => {
  test('Fargate Spot: FARGATE_SPOT with no allocation strategy, no instance role, no launch template', () => {
    const { template, compute } = build({ platform: ComputePlatform.FARGATE });
    template.hasResourceProperties(CE, {
      Type: 'managed',
      ComputeResources: {
        Type: 'FARGATE_SPOT',
        MaxvCpus: 256,
        AllocationStrategy: Match.absent(),
        InstanceRole: Match.absent(),
        LaunchTemplate: Match.absent(),
        MinvCpus: Match.absent(),
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ComputeSecurityGroup'), 'GroupId'] }],
      },
    });
    template.resourceCountIs('AWS::EC2::LaunchTemplate', 0);
    template.resourceCountIs('AWS::IAM::Role', 0);
    template.resourceCountIs('AWS::IAM::InstanceProfile', 0);
    expect(compute.instanceRole).toBeUndefined();
    expect(compute.launchTemplate).toBeUndefined();
    expect(compute.platform).toBe(ComputePlatform.FARGATE);
  });

  test('Fargate On-Demand', () => {
    const { template } = build({ platform: ComputePlatform.FARGATE, spot: false });
    template.hasResourceProperties(CE, { ComputeResources: Match.objectLike({ Type: 'FARGATE' }) });
  });

  test('Fargate On-Demand may be ARM64 (exposed for the job definitions)', () => {
    const { compute } = build({ platform: ComputePlatform.FARGATE, spot: false, architecture: CpuArchitecture.ARM64 });
    expect(compute.architecture).toBe(CpuArchitecture.ARM64);
  });

  test('Fargate Spot may be ARM64 (since 2025-08): FARGATE_SPOT, architecture exposed for the job definitions', () => {
    const { compute, template } = build({ platform: ComputePlatform.FARGATE, architecture: CpuArchitecture.ARM64, onDemandFallback: true });
    expect(compute.spot).toBe(true);
    expect(compute.architecture).toBe(CpuArchitecture.ARM64);
    template.hasResourceProperties(CE, { ComputeResources: Match.objectLike({ Type: 'FARGATE_SPOT' }) });
    template.hasResourceProperties(CE, { ComputeResources: Match.objectLike({ Type: 'FARGATE' }) });
    // A Fargate compute environment has no architecture of its own: nothing ARM-specific is rendered.
    expect(JSON.stringify(template.findResources(CE))).not.toMatch(/arm64|ARM64/);
  });

  test('Fargate defaults to X86_64', () => {
    expect(build({ platform: ComputePlatform.FARGATE }).compute.architecture).toBe(CpuArchitecture.X86_64);
  });

  test('assignPublicIp is true when Fargate runs in public subnets, and the CE uses those subnets', () => {
    const { stack, vpc } = setup();
    const compute = new SpotComputeEnvironment(stack, 'Compute', {
      vpc, platform: ComputePlatform.FARGATE, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    });
    expect(compute.assignPublicIp).toBe(true);
    expect(compute.vpcSubnets).toEqual({ subnetType: ec2.SubnetType.PUBLIC });
    Template.fromStack(stack).hasResourceProperties(CE, {
      ComputeResources: Match.objectLike({ Subnets: vpc.publicSubnets.map(s => stack.resolve(s.subnetId)) }),
    });
  });

  test('assignPublicIp is false in private subnets (the default) and on EC2 in public subnets', () => {
    expect(build({ platform: ComputePlatform.FARGATE }).compute.assignPublicIp).toBe(false);
    expect(build({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }).compute.assignPublicIp).toBe(false);
  });
});

describe('reachability guard', () => {
  test('is told the EC2 platform and the default (undefined) subnets for a plain VPC', () => {
    const { compute, vpc } = build();
    expect(requireSpy).toHaveBeenCalledTimes(1);
    expect(requireSpy).toHaveBeenCalledWith(compute, vpc, undefined, { platform: ComputePlatform.EC2 });
  });

  test('is told the Fargate platform and the given subnets', () => {
    const subnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const { compute, vpc } = build({ platform: ComputePlatform.FARGATE, vpcSubnets: subnets });
    expect(requireSpy).toHaveBeenCalledWith(compute, vpc, subnets, { platform: ComputePlatform.FARGATE });
  });
});

describe('validation', () => {
  test('allowAllOutbound with brought securityGroups fails: it shapes only the group the construct creates', () => {
    const { stack, vpc } = setup();
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    for (const allowAllOutbound of [true, false]) {
      expect(() => new SpotComputeEnvironment(stack, `Compute${allowAllOutbound}`, { vpc, securityGroups: [sg], allowAllOutbound }))
        .toThrow(`'allowAllOutbound' is ${allowAllOutbound} but 'securityGroups' was given: 'allowAllOutbound' shapes only the security group the construct creates. `
          + "Set the outbound rules on your groups and leave 'allowAllOutbound' out, or leave 'securityGroups' out.");
    }
    expect(() => new SpotComputeEnvironment(stack, 'Brought', { vpc, securityGroups: [sg] })).not.toThrow();
  });

  const fails = (props: Partial<SpotComputeEnvironmentProps>, message: RegExp | string) => {
    const { stack, vpc } = setup();
    expect(() => new SpotComputeEnvironment(stack, 'Compute', { vpc, ...props })).toThrow(message);
  };

  // One table per family: every numeric prop refuses NaN, ±Infinity, fractions, non-numbers and out-of-range values.
  test.each<[string, Partial<SpotComputeEnvironmentProps>, RegExp]>([
    ['maxvCpus below 1', { maxvCpus: 0 }, /'maxvCpus' is 0: it must be a whole number of at least 1; use e.g. 256/],
    ['maxvCpus negative', { maxvCpus: -5 }, /'maxvCpus' is -5: it must be a whole number of at least 1/],
    ['maxvCpus fractional', { maxvCpus: 2.5 }, /'maxvCpus' is 2.5: it must be a whole number/],
    ['maxvCpus NaN', { maxvCpus: NaN }, /'maxvCpus' is NaN: it must be a whole number/],
    ['maxvCpus Infinity', { maxvCpus: Infinity }, /'maxvCpus' is Infinity: it must be a whole number/],
    ['maxvCpus a string (untyped languages)', { maxvCpus: '8' as any }, /'maxvCpus' is '8': it must be a whole number/],
    ['minvCpus negative', { minvCpus: -1 }, /'minvCpus' is -1: it must be a whole number of at least 0; use 0 to scale to zero/],
    ['minvCpus fractional', { minvCpus: 0.5 }, /'minvCpus' is 0.5: it must be a whole number/],
    ['minvCpus NaN', { minvCpus: NaN }, /'minvCpus' is NaN: it must be a whole number/],
    ['minvCpus -Infinity', { minvCpus: -Infinity }, /'minvCpus' is -Infinity: it must be a whole number/],
    ['spotBidPercentage 0', { spotBidPercentage: 0 }, /'spotBidPercentage' is 0: it must be a whole number from 1 to 100 \(percent of the On-Demand price\); leave it unset/],
    ['spotBidPercentage above 100', { spotBidPercentage: 101 }, /'spotBidPercentage' is 101: it must be a whole number from 1 to 100/],
    ['spotBidPercentage fractional', { spotBidPercentage: 50.5 }, /'spotBidPercentage' is 50.5: it must be a whole number from 1 to 100/],
    ['spotBidPercentage NaN', { spotBidPercentage: NaN }, /'spotBidPercentage' is NaN: it must be a whole number from 1 to 100/],
    ['rootVolumeSize below the AMI snapshot', { rootVolumeSize: cdk.Size.gibibytes(20) },
      /'rootVolumeSize' is 20 GiB: it must be a whole number of GiB from 30 to 16384 \(30 GiB is the ECS AMI snapshot, 16384 GiB the gp3 maximum\); use e.g. Size.gibibytes\(30\)/],
    ['rootVolumeSize above the gp3 maximum', { rootVolumeSize: cdk.Size.tebibytes(17) }, /'rootVolumeSize' is 17408 GiB: it must be a whole number of GiB from 30 to 16384/],
    ['rootVolumeSize not whole GiB', { rootVolumeSize: cdk.Size.mebibytes(40 * 1024 + 512) }, /'rootVolumeSize' is 40.5 GiB: it must be a whole number of GiB/],
    ['rootVolumeSize NaN GiB', { rootVolumeSize: cdk.Size.gibibytes(NaN) }, /'rootVolumeSize' is NaN GiB: it must be a whole number of GiB/],
  ])('fails on a bad number: %s', (_, props, message) => fails(props, message));

  // Untyped languages can pass a string where an enum or an enum-like class is typed.
  test.each<[string, Partial<SpotComputeEnvironmentProps>, RegExp]>([
    ['platform', { platform: 'spot' as any }, /'platform' is 'spot', which is not a ComputePlatform: use one of ComputePlatform.EC2, ComputePlatform.FARGATE/],
    ['architecture', { architecture: 'arm64' as any }, /'architecture' is 'arm64', which is not a CpuArchitecture: use one of CpuArchitecture.X86_64, CpuArchitecture.ARM64/],
    ['instanceClasses', { instanceClasses: [ec2.InstanceClass.M7G, 'm7x' as any] },
      /'instanceClasses\[1\]' is 'm7x', which is not an ec2.InstanceClass: use one of ec2.InstanceClass.STANDARD3, .*\(\d+ in all\)/],
    ['instanceTypes', { instanceTypes: ['m7g.large' as any] },
      /'instanceTypes\[0\]' is 'm7g.large', which is not an InstanceType: use new ec2.InstanceType\('m7g.large'\)/],
    ['rootVolumeSize', { rootVolumeSize: 50 as any }, /'rootVolumeSize' is 50, which is not a Size: use a Size, e.g. Size.gibibytes\(30\)/],
  ])('fails on a foreign value for an enum-typed prop: %s', (_, props, message) => fails(props, message));

  test('tokens pass the numeric checks unchecked', () => {
    const { stack, vpc } = setup();
    const n = (name: string) => new cdk.CfnParameter(stack, name, { type: 'Number' }).valueAsNumber;
    const compute = new SpotComputeEnvironment(stack, 'Compute', {
      vpc, maxvCpus: n('Max'), minvCpus: n('Min'), spotBidPercentage: n('Bid'), rootVolumeSize: cdk.Size.gibibytes(n('Gib')),
    });
    Template.fromStack(stack).hasResourceProperties(CE, {
      ComputeResources: Match.objectLike({ MaxvCpus: { Ref: 'Max' }, MinvCpus: { Ref: 'Min' }, BidPercentage: { Ref: 'Bid' } }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ VolumeSize: { Ref: 'Gib' } }) })] }),
    });
    expect(cdk.Token.isUnresolved(compute.maxvCpus)).toBe(true);
  });
  test('fails when minvCpus exceeds maxvCpus', () => fails({ minvCpus: 8, maxvCpus: 4 }, /'minvCpus' \(8\) must be <= 'maxvCpus' \(4\)/));
  test('fails when minvCpus is set on Fargate', () =>
    fails({ platform: ComputePlatform.FARGATE, minvCpus: 2 }, /'minvCpus' is 2, but Fargate compute environments have no minimum/));
  test('fails when spotBidPercentage is set without spot', () =>
    fails({ spot: false, spotBidPercentage: 50 }, /'spotBidPercentage' is 50, but 'spot' is false/));
  test('fails when spotBidPercentage is set on Fargate', () =>
    fails({ platform: ComputePlatform.FARGATE, spotBidPercentage: 50 }, /'spotBidPercentage' is 50, but Fargate Spot has no bid/));
  test('fails when onDemandFallback is set without spot', () =>
    fails({ spot: false, onDemandFallback: true }, /'onDemandFallback' is true, but 'spot' is false/));
  test('fails when instanceTypes is set on Fargate', () =>
    fails({ platform: ComputePlatform.FARGATE, instanceTypes: [new ec2.InstanceType('m6i.large')] }, /'instanceTypes' applies to ComputePlatform.EC2 only/));
  test('fails when instanceClasses is set on Fargate', () =>
    fails({ platform: ComputePlatform.FARGATE, instanceClasses: [ec2.InstanceClass.M6I] }, /'instanceClasses' applies to ComputePlatform.EC2 only/));
  test('fails when rootVolumeSize is set on Fargate', () =>
    fails({ platform: ComputePlatform.FARGATE, rootVolumeSize: cdk.Size.gibibytes(50) }, /'rootVolumeSize' applies to ComputePlatform.EC2 only/));
  test('fails when instanceRole is set on Fargate', () => {
    const { stack, vpc } = setup();
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    expect(() => new SpotComputeEnvironment(stack, 'Compute', { vpc, platform: ComputePlatform.FARGATE, instanceRole: role }))
      .toThrow(/'instanceRole' applies to ComputePlatform.EC2 only/);
  });
  test('fails when instance types mix architectures', () =>
    fails({ instanceTypes: [new ec2.InstanceType('m6i.large'), new ec2.InstanceType('m6g.large')] },
      /'instanceTypes'\/'instanceClasses' mix architectures \(m6i.large is X86_64, m6g.large is ARM64\)/));
  test('fails when instance classes mix architectures', () =>
    fails({ instanceClasses: [ec2.InstanceClass.C7G, ec2.InstanceClass.C7I] }, /mix architectures \(c7i is X86_64, c7g is ARM64\)/));
  test('fails when architecture contradicts the instance types', () =>
    fails({ architecture: CpuArchitecture.X86_64, instanceTypes: [new ec2.InstanceType('c7g.large')] },
      /'architecture' is X86_64, but 'c7g.large' in 'instanceTypes'\/'instanceClasses' is ARM64/));
  test('fails with A1 instances, which Amazon Linux 2023 does not support', () =>
    fails({ instanceClasses: [ec2.InstanceClass.A1] }, /'instanceTypes'\/'instanceClasses' contain A1/));
  test('fails when securityGroups is empty', () => fails({ securityGroups: [] }, /'securityGroups' is empty/));
  test('fails with an instance size larger than its family has', () =>
    fails({ instanceTypes: [new ec2.InstanceType('m6i.48xlarge')] },
      /'instanceTypes' entry 'm6i\.48xlarge' is not an EC2 instance type: the largest m6i size is m6i\.32xlarge \(128 vCPUs\)\. Fix: use an existing size/));
  test.each([['m6i.larg', /'larg' is not an instance size \(sizes are like medium, large, xlarge, 2xlarge or metal; the largest m6i is m6i\.32xlarge\)/],
    ['t3.4xlarge', /t3 comes in nano, micro, small, medium, large, xlarge, 2xlarge/]])(
    'fails with a size its family does not have (%s)', (name, message) =>
      fails({ instanceTypes: [new ec2.InstanceType(name)] }, new RegExp(`'instanceTypes' entry '${name.replace('.', '\\.')}' is not an EC2 instance type: ${message.source}\\. Fix: use an existing size`)));
  test.each(['M5.Large', 'm5 large', 'm5..large', '.large', 'm5.', 'c5', 'u-6tb1.metal'])('fails with an instance type name the compute environment cannot read (%s), before any architecture check', name =>
    fails({ instanceTypes: [new ec2.InstanceType('m6i.large'), new ec2.InstanceType(name)] },
      `'instanceTypes[1]' is '${name}', not an instance type name the compute environment can read: a family with its generation, a dot and a size, e.g. 'm7g.large' or 'c6i.2xlarge'. `
      + 'Fix: use ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE); for a whole family (every size), give it in instanceClasses.'));
  test.each(['c7gn.16xlarge', 'm7i.metal-48xl', 'm6g.medium', 't4g.nano', 'p4de.24xlarge', 'x2iedn.metal'])('accepts the instance type name %s', name => {
    const { stack, vpc } = setup();
    expect(() => new SpotComputeEnvironment(stack, 'Compute', { vpc, instanceTypes: [new ec2.InstanceType(name)] })).not.toThrow();
  });
  test('a token instance type fails with the prop named (the architecture is read from the name at synth)', () =>
    fails({ instanceTypes: [new ec2.InstanceType(cdk.Lazy.string({ produce: () => 'm5.large' }))] },
      /'instanceTypes\[0\]' is a token: the compute environment reads each instance type's architecture from its name at synth, so the name must be known then\. Fix: give a literal name/));
  test('fails with an empty subnet list, which would deploy a compute environment with no subnet', () =>
    fails({ vpcSubnets: { subnets: [] } }, "'vpcSubnets' is { subnets: [] }, which selects no subnet: a compute environment launches its instances or tasks in at least one."));
  test('fails with more than 5 security groups on Fargate', () => {
    const { stack, vpc } = setup();
    const securityGroups = Array.from({ length: 6 }, (_, i) => new ec2.SecurityGroup(stack, `Sg${i}`, { vpc }));
    expect(() => new SpotComputeEnvironment(stack, 'Compute', { vpc, platform: ComputePlatform.FARGATE, securityGroups }))
      .toThrow(/'securityGroups' has 6 security groups, but a Fargate compute environment takes at most 5: combine their rules into fewer groups/);
  });
  test('fails with more than 16 subnets on Fargate', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Stack', { env: { account: '123456789012', region: 'us-east-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-1',
      availabilityZones: ['us-east-1a'],
      privateSubnetIds: Array.from({ length: 17 }, (_, i) => `subnet-${i}`),
      privateSubnetRouteTableIds: Array.from({ length: 17 }, (_, i) => `rtb-${i}`),
    });
    expect(() => new SpotComputeEnvironment(stack, 'Compute', { vpc, platform: ComputePlatform.FARGATE }))
      .toThrow(/'vpcSubnets' selects 17 subnets, but a Fargate compute environment takes at most 16: select fewer subnets/);
  });
  test('an existing size, metal sizes and unknown families pass; 16 subnets and 5 security groups pass on Fargate', () => {
    const ok = (props: Partial<SpotComputeEnvironmentProps>) => {
      const { stack, vpc } = setup();
      expect(() => new SpotComputeEnvironment(stack, 'Compute', { vpc, ...props })).not.toThrow();
    };
    ok({ instanceTypes: [new ec2.InstanceType('m6i.32xlarge'), new ec2.InstanceType('m6i.metal'), new ec2.InstanceType('x2idn.32xlarge')] });
    const { stack, vpc } = setup();
    const securityGroups = Array.from({ length: 5 }, (_, i) => new ec2.SecurityGroup(stack, `Sg${i}`, { vpc }));
    expect(() => new SpotComputeEnvironment(stack, 'Compute', { vpc, platform: ComputePlatform.FARGATE, securityGroups })).not.toThrow();
  });
});

describe('with a CostOptimizedVpc', () => {
  test('defaults to the VPC compute subnets', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Stack');
    const vpc = new CostOptimizedVpc(stack, 'Vpc');
    const compute = new SpotComputeEnvironment(stack, 'Compute', { vpc });
    expect(compute.vpcSubnets).toBe(vpc.computeSubnets);
    const expected = vpc.selectSubnets(vpc.computeSubnets).subnetIds.map(id => stack.resolve(id));
    Template.fromStack(stack).hasResourceProperties(CE, { ComputeResources: Match.objectLike({ Subnets: expected }) });
  });

  test('EC2 compute in an endpoints-only VPC gets the ECS endpoints it needs', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Stack');
    const vpc = new CostOptimizedVpc(stack, 'Vpc', { egress: EgressProfile.vpcEndpoints() });
    new SpotComputeEnvironment(stack, 'Compute', { vpc });
    const template = Template.fromStack(stack);
    for (const name of ['ecs', 'ecs-agent', 'ecs-telemetry']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`\\.${name}$`)])] }),
      });
    }
  });

  test('Fargate in the public-subnets profile must assign public IPs', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Stack');
    const vpc = new CostOptimizedVpc(stack, 'Vpc', { egress: EgressProfile.publicSubnets() });
    const compute = new SpotComputeEnvironment(stack, 'Compute', { vpc, platform: ComputePlatform.FARGATE });
    expect(compute.assignPublicIp).toBe(true);
  });
});
