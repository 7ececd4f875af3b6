import { Aws, Fn, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { logEncryption, skipLogKeyCheckWithoutKey } from '../../private/log-encryption';

/**
 * A log group for job logs, `/aws/batch/<unique name of scope>-<stack id>`: a job's own, or a platform's shared one.
 * Retained when the stack goes, so the name must not repeat: the stack's own id (a new one at every create) ends it,
 * and a redeploy after `cdk destroy` creates a fresh group instead of failing on "already exists".
 */
export function createJobLogGroup(scope: Construct, id: string, retention: logs.RetentionDays, encryptionKey?: kms.IKey,
  keyProp = 'logEncryptionKey'): logs.LogGroup {
  const stackGuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  const logGroup = new logs.LogGroup(scope, id, {
    logGroupName: `/aws/batch/${Names.uniqueResourceName(scope, { maxLength: 160, separator: '-' })}-${stackGuid}`,
    retention,
    removalPolicy: RemovalPolicy.RETAIN,
    ...logEncryption(scope, encryptionKey),
  });
  // Acknowledged, not fixed (docs/security.md): CloudWatch Logs encrypts at rest with a service key.
  skipLogKeyCheckWithoutKey(logGroup, encryptionKey, 'Job logs', keyProp);
  return logGroup;
}
