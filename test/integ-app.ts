import * as cdk from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/** Flags the CDK CLI no longer reports on (aws-cdk's FlagOperations). */
const OBSOLETE_FLAGS = ['@aws-cdk/core:enableStackNameDuplicates', '@aws-cdk/aws-s3:grantWriteWithoutAcl', '@aws-cdk/aws-kms:defaultKeyPolicies'];

/**
 * Every feature flag whose recommended value differs from what an unset flag does, set to what an unset flag does.
 * The templates are those of an app that sets none (a construct library must work there, and the snapshots stay
 * the same), but the flags are configured: `cdk synth` no longer prints "N feature flags are not configured", nor the
 * cross-stack-reference warning, which asks for `@aws-cdk/core:defaultCrossStackReferences` to be set ("strong" is
 * what unset means). Unset `@aws-cdk/core:target-partitions` means every partition, so it lists every partition.
 * @see https://docs.aws.amazon.com/cdk/v2/guide/featureflags.html
 */
export function unsetFeatureFlagBehaviour(): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(cxapi.FLAGS)) {
    if (OBSOLETE_FLAGS.includes(name)) continue;
    const unset = flag.unconfiguredBehavesLike?.v2 ?? false;
    if (JSON.stringify(unset) === JSON.stringify(flag.recommendedValue)) continue;
    context[name] = name === cxapi.TARGET_PARTITIONS ? [...new Set(RegionInfo.regions.map(r => r.partition))].sort() : unset;
  }
  return context;
}

/**
 * The App every integration-test app uses. Stack traces (of constructs and of metadata entries) hold absolute file
 * paths, which would make a snapshot differ between checkouts; they are switched off.
 */
export function integApp(): cdk.App {
  return new cdk.App({
    context: { ...unsetFeatureFlagBehaviour(), 'aws:cdk:disable-creation-stack-traces': true, 'aws:cdk:disable-stack-trace': true },
  });
}
