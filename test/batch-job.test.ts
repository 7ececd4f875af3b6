/**
 * BatchJob on its own, and the IBatchJob contract every submitter relies on: what SubmitJob is granted on follows the
 * job whatever the order of calls, and an imported job works wherever a BatchJob does.
 */
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BatchJob, BatchPlatform } from '../src';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const ENV = { account: '123456789012', region: 'eu-west-2' };

function setup() {
  const stack = new cdk.Stack(new cdk.App(), 'Jobs', { env: ENV });
  const platform = new BatchPlatform(stack, 'Platform');
  const job = new BatchJob(stack, 'Report', { platform, image: IMAGE, command: ['python', '-c', 'print(1)'] });
  return { stack, platform, job };
}

/** The SubmitJob resources of the policies attached to `roleId` (by logical id prefix). */
function submitResources(stack: cdk.Stack, rolePrefix: string): unknown[][] {
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as any[];
  return policies
    .filter(p => JSON.stringify(p.Properties.Roles).includes(rolePrefix))
    .flatMap(p => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => s.Action === 'batch:SubmitJob')
    .map((s: any) => [s.Resource].flat());
}

describe('BatchJob', () => {
  test('a job definition on the platform\'s queue: its name, timeout, attempts, non-root user, tags propagated, old revisions kept', () => {
    const { stack, job } = setup();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Batch::JobDefinition', {
      JobDefinitionName: job.jobName,
      Timeout: { AttemptDurationSeconds: 3600 },
      RetryStrategy: Match.objectLike({ Attempts: 3 }),
      PropagateTags: true,
      ContainerProperties: Match.objectLike({ User: '1000:1000', Command: ['python', '-c', 'print(1)'] }),
    });
    expect(job.jobQueue).toBe(job.platform.jobQueue);
    expect(job.logGroupName).toBe(job.logGroup.logGroupName);
    expect(job.jobName).toMatch(/^Jobs-Report-[0-9A-F]{8}$/);
  });

  test('grantSubmit before runOneAtATime covers the consumable resource added after it: no order of calls matters', () => {
    const { stack, job } = setup();
    const early = new iam.Role(stack, 'Early', { assumedBy: new iam.AccountRootPrincipal() });
    job.grantSubmit(early);
    const lock = job.runOneAtATime();
    const late = new iam.Role(stack, 'Late', { assumedBy: new iam.AccountRootPrincipal() });
    job.grantSubmit(late);
    const arn = stack.resolve(lock.attrConsumableResourceArn);
    for (const role of ['Early', 'Late']) {
      const [resources] = submitResources(stack, role);
      expect(resources).toHaveLength(3);
      expect(resources).toContainEqual(arn);
    }
    // Idempotent: one consumable resource, required once by the job definition.
    expect(job.runOneAtATime()).toBe(lock);
    Template.fromStack(stack).resourceCountIs('AWS::Batch::ConsumableResource', 1);
  });

  test('submitPolicyStatement: the same resources as grantSubmit, for a policy made elsewhere', () => {
    const { stack, job } = setup();
    const statement = job.submitPolicyStatement();
    expect(statement.actions).toEqual(['batch:SubmitJob']);
    expect(stack.resolve(statement.resources)).toEqual([stack.resolve(job.jobDefinition.jobDefinitionArn), stack.resolve(job.jobQueue.jobQueueArn)]);
  });
});

describe('BatchJob.fromBatchJobAttributes', () => {
  const attrs = (stack: cdk.Stack) => ({
    jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', 'arn:aws:batch:eu-west-2:123456789012:job-queue/shared'),
    jobDefinitionArn: 'arn:aws:batch:eu-west-2:123456789012:job-definition/report:7',
    jobName: 'report',
  });

  test('an imported job: defaults, and grantSubmit on exactly its queue and job definition', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Imported', { env: ENV });
    const job = BatchJob.fromBatchJobAttributes(stack, 'Job', attrs(stack));
    expect([job.timeout.toHours(), job.retryAttempts, job.logGroupName, job.parameters]).toEqual([1, 3, '/aws/batch/job', {}]);
    const role = new iam.Role(stack, 'Submitter', { assumedBy: new iam.AccountRootPrincipal() });
    job.grantSubmit(role);
    expect(submitResources(stack, 'Submitter')).toEqual([[
      'arn:aws:batch:eu-west-2:123456789012:job-queue/shared', 'arn:aws:batch:eu-west-2:123456789012:job-definition/report:7',
    ]]);
  });

  test('an imported job cannot run one at a time, and its attempts are checked', () => {
    const stack = new cdk.Stack(new cdk.App(), 'Imported', { env: ENV });
    const job = BatchJob.fromBatchJobAttributes(stack, 'Job', attrs(stack));
    expect(() => job.runOneAtATime()).toThrow(/Imported\/Job is an imported job: .* Use OverlapPolicy.ALLOW or SKIP with it, or define the job with BatchJob/);
    for (const retryAttempts of [0, 11, 2.5, NaN]) {
      const s = new cdk.Stack(new cdk.App(), 'Bad', { env: ENV });
      expect(() => BatchJob.fromBatchJobAttributes(s, 'Job', { ...attrs(s), retryAttempts })).toThrow(`'retryAttempts' is ${retryAttempts}: AWS Batch makes 1 to 10 attempts`);
    }
  });
});
