import * as batch from 'aws-cdk-lib/aws-batch';

/**
 * Whether a `batch.Secret` comes from Secrets Manager (billed per secret, needs the `secretsmanager` endpoint without
 * NAT) rather than SSM Parameter Store. `batch.Secret.fromSecretsManager` sets `hasField`; `fromSsmParameter` leaves it
 * undefined, and the class exposes nothing else that tells them apart.
 */
export function isSecretsManagerSecret(secret: batch.Secret): boolean {
  return secret.hasField !== undefined;
}
