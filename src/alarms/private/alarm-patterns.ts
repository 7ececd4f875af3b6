import { ArnFormat, Fn, Stack, Token } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';

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
export function jobDefinitionArnPrefix(jobDefinition: batch.IJobDefinition): string {
  // A job definition created with a literal name (as ScheduledBatchWorkload's are): one short Fn::Join, not six
  // Fn::Select/Fn::Split per event pattern (template size is most of the synth time of many workloads).
  const cfn = jobDefinition.node.defaultChild;
  const name = cfn instanceof batch.CfnJobDefinition ? cfn.jobDefinitionName : undefined;
  if (name !== undefined && !Token.isUnresolved(name)) {
    return Stack.of(jobDefinition).formatArn({
      service: 'batch', resource: 'job-definition', resourceName: `${name}:`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }
  const jobDefinitionArn = jobDefinition.jobDefinitionArn;
  if (!Token.isUnresolved(jobDefinitionArn)) {
    const parts = jobDefinitionArn.split(':');
    // arn:aws:batch:region:account:job-definition/name[:revision]
    return parts.slice(0, 6).join(':') + ':';
  }
  const parts = Fn.split(':', jobDefinitionArn);
  return Fn.join(':', [0, 1, 2, 3, 4, 5].map((i) => Fn.select(i, parts)).concat(['']));
}
