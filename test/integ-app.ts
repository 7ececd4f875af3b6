import * as cdk from 'aws-cdk-lib';

/**
 * The App every integration-test app uses. Stack traces (of constructs and of metadata entries) hold absolute file
 * paths, which would make a snapshot differ between checkouts; they are switched off.
 */
export function integApp(): cdk.App {
  return new cdk.App({ context: { 'aws:cdk:disable-creation-stack-traces': true, 'aws:cdk:disable-stack-trace': true } });
}
