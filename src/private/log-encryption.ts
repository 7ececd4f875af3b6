import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ValidationError } from './prop-names';

/**
 * What the CloudWatch Logs service may do with a customer-managed key that encrypts log groups of `scope`'s account and
 * region, as AWS documents it: the regional service principal `logs.<region>.amazonaws.com`, the documented actions,
 * and the encryption context of a log group of this account and region (CloudWatch Logs passes the log group's ARN as
 * `kms:EncryptionContext:aws:logs:arn`). Scoped to the account's log groups, not to one log group: the group's ARN
 * would make the key depend on the group that depends on the key. Added to a key of this app; a key imported by ARN
 * keeps its policy, which must already hold such a statement (CloudWatch Logs refuses a key it may not use).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function allowLogsToUseKey(scope: Construct, key: kms.IKey): void {
  const stack = Stack.of(scope);
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
    },
  }), /* allowNoOp: an imported key's policy is not this app's */ true);
}

/** A log group's `encryptionKey`, with what the key's policy must allow. */
export function logEncryption(scope: Construct, key: kms.IKey | undefined): Pick<logs.LogGroupProps, 'encryptionKey'> {
  if (key) allowLogsToUseKey(scope, key);
  return { encryptionKey: key };
}

/**
 * checkov CKV_AWS_158 ("log group encrypted by KMS"), skipped only when the log group has no customer-managed key:
 * CloudWatch Logs then encrypts it at rest with a service key (docs/security.md). `what` says what the log holds and
 * `keyProp` names the prop that gives it a key.
 */
export function skipLogKeyCheckWithoutKey(logGroup: logs.LogGroup, key: kms.IKey | undefined, what: string, keyProp: string): void {
  if (key) return;
  (logGroup.node.defaultChild as logs.CfnLogGroup).addMetadata('checkov', {
    skip: [{
      id: 'CKV_AWS_158',
      comment: `${what}, encrypted at rest by CloudWatch Logs with a service key; a KMS CMK adds $1/month. Pass ${keyProp} if policy requires a CMK.`,
    }],
  });
}

/**
 * Refuse a key for a log group that is not created here: the key shapes a new log group only (`keyProp` and
 * `logGroupProp` as the user wrote them).
 */
export function rejectKeyWithLogGroup(key: kms.IKey | undefined, logGroup: logs.ILogGroup | undefined, keyProp: string, logGroupProp: string): void {
  if (key && logGroup) {
    throw new ValidationError(`'${keyProp}' is set but so is '${logGroupProp}': the key encrypts a new log group only. `
      + `Encrypt the log group you pass with the key yourself, or leave '${logGroupProp}' out.`);
  }
}
