/**
 * Resources built to FAIL every gate, so that test/checkers/run.sh can prove each gate really fails
 * (cfn-lint, checkov, cdk-nag) and test/nag.test.ts can prove the cdk-nag gate does. Never part of the example
 * stacks: it lives outside test/fixtures and is only synthesized with `synth-fixtures.ts --planted`.
 */
import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';

export function stacks(app: cdk.App): cdk.Stack[] {
  const stack = new cdk.Stack(app, 'CheckersPlanted');
  // checkov CKV_AWS_18/CKV_AWS_21 and cdk-nag AwsSolutions-S1/S10: no access logs, no versioning, no SSL-only policy.
  new s3.CfnBucket(stack, 'OpenBucket', {});
  // checkov CKV_AWS_24 and cdk-nag AwsSolutions-EC23: SSH open to the world.
  new ec2.CfnSecurityGroup(stack, 'OpenSsh', {
    groupDescription: 'Planted: SSH from anywhere',
    vpcId: 'vpc-12345678',
    securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/0' }],
  });
  // cfn-lint E3002 (unknown property) and E3012 (wrong type).
  new cdk.CfnResource(stack, 'InvalidQueue', {
    type: 'AWS::SQS::Queue',
    properties: { VisibilityTimeout: 'thirty', NotAQueueProperty: true },
  });
  return [stack];
}
