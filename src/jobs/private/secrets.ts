import * as batch from 'aws-cdk-lib/aws-batch';

/**
 * Whether a `batch.Secret` comes from Secrets Manager (billed per secret, needs the `secretsmanager` endpoint without
 * NAT) rather than SSM Parameter Store. `batch.Secret.fromSecretsManager` sets `hasField`; `fromSsmParameter` leaves it
 * undefined, and the class exposes nothing else that tells them apart.
 */
export function isSecretsManagerSecret(secret: batch.Secret): boolean {
  return secret.hasField !== undefined;
}

/**
 * The secret a `batch.Secret` ARN points to, without the `:<field>:<stage>:<version>` suffix a chosen field or version
 * adds. A complete secret ARN has 7 colon-separated parts; an unresolved ARN (a token of a secret in the app) has one.
 */
export function secretKey(arn: string): string {
  const parts = arn.split(':');
  if (parts.length >= 7) return parts.slice(0, 7).join(':');
  return parts[0];
}

/**
 * A copy of a map with its keys in sorted order, so the template is the same whatever order the keys arrive in
 * (Java's `Map.of` iterates in a random order per JVM; Go's jsii runtime sends keys sorted).
 */
export function sortedRecord<T>(record: { [key: string]: T } | undefined): { [key: string]: T } | undefined {
  if (record === undefined) return undefined;
  const sorted: { [key: string]: T } = {};
  for (const key of Object.keys(record).sort()) sorted[key] = record[key];
  return sorted;
}
