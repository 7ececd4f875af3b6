import { Aws, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** The AWS services that publish the library's notifications. */
const PUBLISHERS = ['cloudwatch.amazonaws.com', 'events.amazonaws.com'];

/**
 * An EventBridge rule target that publishes `message` to `topic` without the unconditioned
 * `events.amazonaws.com` grant of `aws-events-targets.SnsTopic`: `allowAlarmsToPublish` grants it scoped to this
 * account's rules instead.
 */
export function topicTarget(topic: sns.ITopic, message: events.RuleTargetInput): events.IRuleTarget {
  allowAlarmsToPublish(topic);
  return { bind: () => ({ arn: topic.topicArn, input: message, targetResource: topic }) };
}

/**
 * Lets this account's CloudWatch alarms and EventBridge rules publish to `topic`, and use its KMS key when it has
 * one. A topic with a resource policy (any `enforceSSL` topic) refuses CloudWatch otherwise. Once per topic; an
 * imported topic's policy cannot be changed (its owner must allow the same), and this is then a no-op.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function allowAlarmsToPublish(topic: sns.ITopic): void {
  const id = 'cdk-scheduled-batch.AlarmPublishAllowed';
  if (topic.node.tryFindChild(id)) return;
  new Construct(topic, id);
  const stack = Stack.of(topic);
  // Each publisher, scoped to this account and to its own kind of source (rules, alarms).
  const sources = [
    { sid: 'EventBridgeRulesOfThisAccountPublish', service: 'events', resource: 'rule/*' },
    { sid: 'CloudWatchAlarmsOfThisAccountPublish', service: 'cloudwatch', resource: 'alarm:*' },
  ];
  for (const { sid, service, resource } of sources) {
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid,
      principals: [new iam.ServicePrincipal(`${service}.amazonaws.com`)],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:${service}:${stack.region}:${stack.account}:${resource}` },
      },
    }));
  }
  const key = topic.masterKey;
  if (key) {
    for (const service of PUBLISHERS) {
      key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(service)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }));
    }
  }
}

/**
 * The SNS topic alarms notify when the user brings none: TLS-only (cdk-nag SNS3), publishable by this account's
 * alarms and rules, and not KMS-encrypted, which checkov CKV_AWS_26 asks for: CloudWatch alarms cannot publish to a
 * topic encrypted with the AWS-managed alias/aws/sns key, and a customer-managed key costs $1/month. Users who need
 * encryption bring a CMK-encrypted topic (`alarmTopic`).
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function createAlarmTopic(scope: Construct, id: string): sns.Topic {
  const topic = new sns.Topic(scope, id, { enforceSSL: true });
  allowAlarmsToPublish(topic);
  (topic.node.defaultChild as sns.CfnTopic).addMetadata('checkov', {
    skip: [{
      id: 'CKV_AWS_26',
      comment: 'Alarm notifications only; CloudWatch cannot use alias/aws/sns. Pass alarmTopic for a CMK-encrypted topic.',
    }],
  });
  return topic;
}
