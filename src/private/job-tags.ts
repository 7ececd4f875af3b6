/**
 * The workload tag every job of this library carries, and the IAM that tagging at SubmitJob needs.
 *
 * Two mechanisms, each where it is the simplest that works:
 * - **Cost allocation (the ECS task's tags).** A `BatchJob`'s job definition carries the tag and `propagateTags: true`,
 *   so AWS Batch copies it to the ECS task of every job submitted with it, whoever submits it and however: the
 *   schedule, a `RunApi`, the backfill CLI, a workflow step, the deploy verification, a pipeline or a person with
 *   `grantSubmit`, none of which needs a tagging permission for it. Tags a user adds to the workload
 *   (`Tags.of(workload).add('team', 'payments')`) land on the job definition too and travel the same way: that is
 *   the team hook. AWS Batch: "Specifies whether to propagate the tags from the job or job definition to the
 *   corresponding Amazon ECS task ... For tags with the same name, job tags are given priority over job definitions
 *   tags. If the total number of combined tags from the job and job definition is over 50, the job's moved to the
 *   FAILED state." (https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html, `propagateTags`;
 *   https://docs.aws.amazon.com/batch/latest/userguide/tag-resources.html).
 * - **Scoping what a role may stop (the job's own tags).** Job-definition tags do not become the job's tags, and
 *   `batch:TerminateJob` can be conditioned on the job's tags only (`aws:ResourceTag/${TagKey}` on the `job`
 *   resource type, https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbatch.html). So every
 *   path of this library that submits (run engine, RunApi, untracked schedule, deploy verification) also tags the job
 *   itself at SubmitJob (`Tags`, with `PropagateTags: true` so an imported job's definition cannot turn propagation
 *   off), and the roles that stop jobs may stop only jobs with their workload's tag.
 *
 * Tagging at creation is authorized as `batch:TagResource` on the new resource (the Service Authorization Reference
 * lists `batch:TagResource` among the actions of each AWS Batch tag-on-create operation, and `aws:RequestTag` /
 * `aws:TagKeys` for both `SubmitJob` and `TagResource`). AWS Batch has no `batch:CreateAction` key (EC2 and ECS have
 * one) to limit `TagResource` to creation, so the grant is conditioned on the one tag key and this workload's value.
 */
import { Lazy, Stack, Tags } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { inHostSpellingEach } from './prop-names';

/** The tag key of a job's workload: its value is the job's name (`BatchJob.jobName`). */
export const WORKLOAD_TAG_KEY = 'cdk-scheduled-batch:workload';

/** The job-level tags of a job of `workload` (a job's name), as SubmitJob takes them. */
export function workloadTags(workload: string): Record<string, string> {
  return { [WORKLOAD_TAG_KEY]: workload };
}

/** `arn:<partition>:batch:<region>:<account>:job/*`: job ids exist only once submitted. */
export function jobsArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({ service: 'batch', resource: 'job', resourceName: '*' });
}

/**
 * `batch:TagResource` as SubmitJob with {@link workloadTags} needs it: on jobs, only the workload tag key, only these
 * values. Without it, a SubmitJob that carries tags is refused. The values are read at synth, so a caller may add to
 * `workloads` later and keep one statement (a `RunApi` with a hundred routes has one, not a hundred).
 */
export function tagOnSubmitStatement(scope: IConstruct, workloads: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['batch:TagResource'],
    resources: [jobsArn(scope)],
    conditions: {
      'StringEquals': { [`aws:RequestTag/${WORKLOAD_TAG_KEY}`]: Lazy.list({ produce: () => unique(workloads) }) },
      'ForAllValues:StringEquals': { 'aws:TagKeys': [WORKLOAD_TAG_KEY] },
    },
  });
}

/** `batch:TerminateJob` of the jobs that carry one of these workloads' tags, and of no other job. */
export function terminateTaggedStatement(scope: IConstruct, workloads: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['batch:TerminateJob'],
    resources: [jobsArn(scope)],
    conditions: { StringEquals: { [`aws:ResourceTag/${WORKLOAD_TAG_KEY}`]: unique(workloads) } },
  });
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * AWS Batch's most tags on a job definition, and on a job with its definition's (`propagateTags`): past it the job is
 * moved to FAILED (SubmitJob `propagateTags` and https://docs.aws.amazon.com/batch/latest/userguide/tag-resources.html).
 */
export const MAX_JOB_TAGS = 50;

/**
 * Tags the job definition with its workload tag (`jobName`), and fails the synth when its tags, the ones added with
 * `Tags.of(...)` included, pass AWS Batch's {@link MAX_JOB_TAGS}: this library's own tag is one of them.
 */
export function tagJobDefinition(definition: batch.EcsJobDefinition, jobName: string): void {
  Tags.of(definition).add(WORKLOAD_TAG_KEY, jobName);
  definition.node.addValidation({
    validate: () => {
      const cfn = definition.node.defaultChild as batch.CfnJobDefinition;
      const rendered: unknown = cfn.tags.renderTags();
      const count = Array.isArray(rendered) ? rendered.length : Object.keys(rendered ?? {}).length;
      return inHostSpellingEach(count > MAX_JOB_TAGS ? [`The job definition of ${definition.node.path} has ${count} tags, more than the ${MAX_JOB_TAGS} `
        + `AWS Batch takes: its own '${WORKLOAD_TAG_KEY}' is one of them, the others come from Tags.of(...) on it or a scope above it. Remove ${count - MAX_JOB_TAGS}.`] : []);
    },
  });
}
