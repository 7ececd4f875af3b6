import { Fn, Token } from 'aws-cdk-lib';

/**
 * The prefix `arn:<partition>:batch:<region>:<account>:job-definition/<name>:` of a job definition ARN, which an
 * EventBridge `prefix` pattern uses to match every revision of the definition (`detail.jobDefinition` in Batch
 * events is the ARN *with* its revision).
 *
 * For a token ARN (e.g. the `Ref` of an `AWS::Batch::JobDefinition`, which is the ARN with revision) the prefix is
 * built with `Fn::Split`/`Fn::Select`/`Fn::Join`, so it works for any `IJobDefinition`.
 *
 * @see https://docs.aws.amazon.com/batch/latest/userguide/batch_job_events.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-prefix-matching
 */
export function jobDefinitionArnPrefix(jobDefinitionArn: string): string {
  if (!Token.isUnresolved(jobDefinitionArn)) {
    const parts = jobDefinitionArn.split(':');
    // arn:aws:batch:region:account:job-definition/name[:revision]
    return parts.slice(0, 6).join(':') + ':';
  }
  const parts = Fn.split(':', jobDefinitionArn);
  return Fn.join(':', [0, 1, 2, 3, 4, 5].map((i) => Fn.select(i, parts)).concat(['']));
}
