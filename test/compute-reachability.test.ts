import * as cdk from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ComputePlatform, ComputeReachability, CostOptimizedVpc, EgressProfile } from '../src';

const ENV = { account: '123456789012', region: 'us-east-1' };
const WARNING_ID = 'cdk-scheduled-batch:unverifiedReachability';

function setup() {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Test', { env: ENV });
  const compute = new Construct(stack, 'Compute');
  return { app, stack, compute };
}

/** A plain ec2.Vpc with isolated subnets only (no NAT, no IGW). */
function isolatedVpc(stack: cdk.Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Plain', {
    maxAzs: 2,
    natGateways: 0,
    restrictDefaultSecurityGroup: false,
    subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

function addEndpoints(vpc: ec2.Vpc, services: ec2.InterfaceVpcEndpointAwsService[], s3 = true) {
  services.forEach((service, i) => vpc.addInterfaceEndpoint(`Endpoint${i}`, { service }));
  if (s3) {
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  }
}

const S = ec2.InterfaceVpcEndpointAwsService;
const EC2_SERVICES = [S.ECS, S.ECS_AGENT, S.ECS_TELEMETRY, S.ECR, S.ECR_DOCKER, S.CLOUDWATCH_LOGS];

describe('CostOptimizedVpc', () => {
  test('endpoints profile: require() creates the endpoints and synthesis passes', () => {
    const { app, stack, compute } = setup();
    const vpc = new CostOptimizedVpc(stack, 'Vpc', { egress: EgressProfile.vpcEndpoints() });
    ComputeReachability.require(compute, vpc, undefined, { platform: ComputePlatform.EC2 });
    expect(vpc.interfaceEndpointServiceNames()).toEqual(['ecs', 'ecs-agent', 'ecs-telemetry', 'ecr.api', 'ecr.dkr', 'logs']);
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 6);
  });

  test('several calls union their requirements: a job with secrets adds secretsmanager', () => {
    const { stack, compute } = setup();
    const vpc = new CostOptimizedVpc(stack, 'Vpc', { egress: EgressProfile.vpcEndpoints() });
    ComputeReachability.require(compute, vpc, undefined, { platform: ComputePlatform.EC2 });
    ComputeReachability.require(new Construct(stack, 'Job'), vpc, undefined, { platform: ComputePlatform.EC2, secretsManager: true });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.us-east-1.secretsmanager',
      PrivateDnsEnabled: true,
    });
    expect(vpc.interfaceEndpointServiceNames()).toContain('secretsmanager');
  });

  test('without requirements, assumes EC2 compute (the larger endpoint set)', () => {
    const { stack, compute } = setup();
    const vpc = new CostOptimizedVpc(stack, 'Vpc', { egress: EgressProfile.vpcEndpoints() });
    ComputeReachability.require(compute, vpc);
    expect(vpc.interfaceEndpointServiceNames()).toEqual(['ecs', 'ecs-agent', 'ecs-telemetry', 'ecr.api', 'ecr.dkr', 'logs']);
  });

  test('empty requirements, what Python passes without keyword arguments, mean EC2 compute too', () => {
    const { stack, compute } = setup();
    const vpc = new CostOptimizedVpc(stack, 'Vpc', { egress: EgressProfile.vpcEndpoints() });
    ComputeReachability.require(compute, vpc, undefined, {});
    expect(vpc.interfaceEndpointServiceNames()).toEqual(['ecs', 'ecs-agent', 'ecs-telemetry', 'ecr.api', 'ecr.dkr', 'logs']);
  });

  test('NAT profile: no endpoints needed, synthesis passes', () => {
    const { app, stack, compute } = setup();
    const vpc = new CostOptimizedVpc(stack, 'Vpc');
    ComputeReachability.require(compute, vpc, undefined, { platform: ComputePlatform.EC2, secretsManager: true });
    expect(vpc.interfaceEndpoints()).toEqual([]);
    expect(() => app.synth()).not.toThrow();
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('unverifiedReachability'));
  });

  test('public subnets profile: subnets default to computeSubnets (public), which route to the IGW', () => {
    const { app, stack, compute } = setup();
    const vpc = new CostOptimizedVpc(stack, 'Vpc', { egress: EgressProfile.publicSubnets() });
    ComputeReachability.require(compute, vpc, undefined, { platform: ComputePlatform.FARGATE });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('a VPC defined in the app', () => {
  test('fails synthesis when EC2 compute is in isolated subnets without endpoints, naming every missing endpoint', () => {
    const { app, stack, compute } = setup();
    const vpc = isolatedVpc(stack);
    ComputeReachability.require(compute, vpc, { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, { platform: ComputePlatform.EC2 });
    expect(() => app.synth()).toThrow(
      /Compute Test\/Compute is placed in subnet Test\/Plain\/IsolatedSubnet1 of Test\/Plain, which has no route to a NAT or internet gateway, and the VPC has no VPC endpoint for: ecs, ecs-agent, ecs-telemetry, ecr.api, ecr.dkr, logs, s3 \(gateway\)/,
    );
  });

  test('fails synthesis naming only what is missing (Fargate, ecr.dkr absent)', () => {
    const { app, stack, compute } = setup();
    const vpc = isolatedVpc(stack);
    addEndpoints(vpc, [S.ECR, S.CLOUDWATCH_LOGS]);
    ComputeReachability.require(compute, vpc, undefined, { platform: ComputePlatform.FARGATE });
    expect(() => app.synth()).toThrow(/has no VPC endpoint for: ecr\.dkr\. Without them/);
  });

  test('passes when the endpoints are added after the call', () => {
    const { app, stack, compute } = setup();
    const vpc = isolatedVpc(stack);
    ComputeReachability.require(compute, vpc, undefined, { platform: ComputePlatform.EC2 });
    addEndpoints(vpc, EC2_SERVICES);
    expect(() => app.synth()).not.toThrow();
  });

  test('passes for private subnets with a NAT route, without any endpoint', () => {
    const { app, stack, compute } = setup();
    const vpc = new ec2.Vpc(stack, 'Nat', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
    ComputeReachability.require(compute, vpc, undefined, { platform: ComputePlatform.EC2, ssmParameters: true });
    expect(() => app.synth()).not.toThrow();
  });

  test('an interface endpoint without private DNS does not count', () => {
    const { app, stack, compute } = setup();
    const vpc = isolatedVpc(stack);
    addEndpoints(vpc, [S.ECR, S.ECR_DOCKER]);
    vpc.addInterfaceEndpoint('LogsNoDns', { service: S.CLOUDWATCH_LOGS, privateDnsEnabled: false });
    ComputeReachability.require(compute, vpc, undefined, { platform: ComputePlatform.FARGATE });
    expect(() => app.synth()).toThrow(/has no VPC endpoint for: logs\./);
  });

  test('requirements of several calls are unioned: secrets add secretsmanager', () => {
    const { app, stack, compute } = setup();
    const vpc = isolatedVpc(stack);
    addEndpoints(vpc, EC2_SERVICES);
    ComputeReachability.require(compute, vpc, undefined, { platform: ComputePlatform.EC2 });
    ComputeReachability.require(new Construct(stack, 'Job'), vpc, undefined, { platform: ComputePlatform.EC2, secretsManager: true });
    expect(() => app.synth()).toThrow(/Compute Test\/Compute, Test\/Job is placed in .* no VPC endpoint for: secretsmanager\./);
  });

  test('an S3 gateway endpoint on other route tables does not count', () => {
    const { app, stack, compute } = setup();
    const vpc = new ec2.Vpc(stack, 'Mixed', {
      maxAzs: 2,
      natGateways: 0,
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    [S.ECR, S.ECR_DOCKER, S.CLOUDWATCH_LOGS].forEach((service, i) => vpc.addInterfaceEndpoint(`E${i}`, { service }));
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [{ subnetType: ec2.SubnetType.PUBLIC }] });
    ComputeReachability.require(compute, vpc, { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, { platform: ComputePlatform.FARGATE });
    expect(() => app.synth()).toThrow(/no VPC endpoint for: s3 \(gateway\)\./);
  });

  test('the same VPC with compute in its public subnets passes', () => {
    const { app, stack, compute } = setup();
    const vpc = new ec2.Vpc(stack, 'Pub', {
      maxAzs: 2,
      natGateways: 0,
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }],
    });
    ComputeReachability.require(compute, vpc, { subnetType: ec2.SubnetType.PUBLIC }, { platform: ComputePlatform.EC2 });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('an imported VPC', () => {
  function imported(stack: cdk.Stack) {
    return ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-12345678',
      vpcCidrBlock: '10.0.0.0/16',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      isolatedSubnetIds: ['subnet-11111111', 'subnet-22222222'],
      isolatedSubnetRouteTableIds: ['rtb-11111111', 'rtb-22222222'],
      publicSubnetIds: ['subnet-33333333', 'subnet-44444444'],
      publicSubnetRouteTableIds: ['rtb-33333333', 'rtb-44444444'],
    });
  }

  test('warns, acknowledgeably, naming the endpoints it could not find; synthesis does not fail', () => {
    const { app, stack, compute } = setup();
    const vpc = imported(stack);
    ComputeReachability.require(compute, vpc, { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, { platform: ComputePlatform.FARGATE });
    expect(() => app.synth()).not.toThrow();
    Annotations.fromStack(stack).hasWarning('/Test/Compute',
      Match.stringLikeRegexp(`subnet-11111111 of the imported VPC Test/Imported .* not found in it: ecr.api, ecr.dkr, logs, s3 \\(gateway\\).*\\[ack: ${WARNING_ID}\\]`));
  });

  test('the warning can be acknowledged on an enclosing construct (e.g. the workload or the stack)', () => {
    const { stack } = setup();
    const workload = new Construct(stack, 'Workload');
    const compute = new Construct(workload, 'ComputeEnvironment');
    const vpc = imported(stack);
    ComputeReachability.require(compute, vpc, { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, { platform: ComputePlatform.FARGATE });
    cdk.Annotations.of(workload).acknowledgeWarning(WARNING_ID, 'subnets route to our transit gateway');
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('unverifiedReachability'));
  });

  test('no warning when every required endpoint exists in the app', () => {
    const { stack, compute } = setup();
    const vpc = imported(stack);
    [S.ECR, S.ECR_DOCKER, S.CLOUDWATCH_LOGS].forEach((service, i) => vpc.addInterfaceEndpoint(`E${i}`, { service }));
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    ComputeReachability.require(compute, vpc, { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, { platform: ComputePlatform.FARGATE });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('no warning for its public subnets', () => {
    const { stack, compute } = setup();
    const vpc = imported(stack);
    ComputeReachability.require(compute, vpc, { subnetType: ec2.SubnetType.PUBLIC }, { platform: ComputePlatform.EC2 });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('requiredInterfaceEndpoints', () => {
  test('EC2, Fargate, and with secrets', () => {
    expect(ComputeReachability.requiredInterfaceEndpoints({ platform: ComputePlatform.EC2 }))
      .toEqual(['ecs', 'ecs-agent', 'ecs-telemetry', 'ecr.api', 'ecr.dkr', 'logs']);
    expect(ComputeReachability.requiredInterfaceEndpoints({ platform: ComputePlatform.FARGATE }))
      .toEqual(['ecr.api', 'ecr.dkr', 'logs']);
    expect(ComputeReachability.requiredInterfaceEndpoints({ platform: ComputePlatform.FARGATE, secretsManager: true, ssmParameters: true }))
      .toEqual(['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm']);
  });

  test('the platform defaults to EC2: no requirements, empty ones (Python without keyword arguments), secrets only', () => {
    const ec2Endpoints = ['ecs', 'ecs-agent', 'ecs-telemetry', 'ecr.api', 'ecr.dkr', 'logs'];
    expect(ComputeReachability.requiredInterfaceEndpoints()).toEqual(ec2Endpoints);
    expect(ComputeReachability.requiredInterfaceEndpoints({})).toEqual(ec2Endpoints);
    expect(ComputeReachability.requiredInterfaceEndpoints({ secretsManager: true })).toEqual([...ec2Endpoints, 'secretsmanager']);
  });
});
