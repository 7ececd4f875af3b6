/**
 * Keeps the numbers and names in docs/security.md, docs/operations.md, docs/compatibility.md and docs/architecture.md
 * true: each one is asserted against the constant it comes from (src/..., .projenrc.ts, package.json) or against a
 * synthesized template. A failing test here means a default changed and the docs did not (or the other way round).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { BatchJob, BatchPlatform, CostOptimizedVpc, HardenedRepository, RunApi } from '../src';
import { OPTIONS, optionPairs, REFUSED } from './fixtures/option-pairs';
import { endpointsFargateStack } from './fixtures/vpc';
import { oneLinerStack } from './fixtures/workload';
import { RUNNABLE_TIME_LIMITS } from '../src/compute/batch-platform';
import { instancePolicyWildcards } from '../src/compute/private/compute-instance-policy';
import { UnitPrices } from '../src/cost/cost';
import { totalMonthly } from '../src/private/cost-math';
import { DEADLINE_GRACE } from '../src/private/schedule-deadline';
import { JOB_NAME_PREFIX_MAX } from '../src/runs/engine/expressions';
import { PLATFORM_TAG_KEY } from '../src/workload/private/platform-runs';
import { ScheduledBatchWorkload, WORKLOAD_DEFAULTS } from '../src/workload/scheduled-batch-workload';

const ROOT = path.join(__dirname, '..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');
/** Markdown with en dashes as hyphens and line breaks as spaces, so phrases can wrap. */
const flat = (text: string): string => text.replace(/–/g, '-').replace(/\s+/g, ' ');

const security = flat(read('docs/security.md'));
const operations = flat(read('docs/operations.md'));
const compatibility = flat(read('docs/compatibility.md'));
const architecture = flat(read('docs/architecture.md'));
const packageJson = JSON.parse(read('package.json'));
const projenrc = read('.projenrc.ts');

/** Source files whose acknowledgements, skips and warnings docs/security.md must list. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap(e => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

function matchesIn(files: string[], pattern: RegExp): string[] {
  const found = new Set<string>();
  for (const file of files) {
    for (const m of read(file).matchAll(pattern)) found.add(m[1]);
  }
  return [...found].sort();
}

function resourcesOf(template: Template, type: string): any[] {
  return Object.values(template.findResources(type)).map((r: any) => r.Properties);
}

function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0];
}

const SECONDS_PER_DAY = 86_400;

/** The names whose phrase (default: the name in backticks) does not occur in the doc, for a readable failure. */
function missingFrom(doc: string, names: string[], phrase: (name: string) => string = name => `\`${name}\``): string[] {
  return names.filter(name => !doc.includes(phrase(name)));
}

// ---- the templates the numbers are read from ------------------------------------------------------------------
let oneLiner: Template;
let withRepository: Template;
let withRepositoryWorkload: ScheduledBatchWorkload;
let endpoints: Template;

beforeAll(() => {
  oneLiner = Template.fromStack(oneLinerStack(new cdk.App()));
  endpoints = Template.fromStack(endpointsFargateStack(new cdk.App()));

  // The defaults without `image`: a HardenedRepository, `latest`, and a created data bucket.
  const stack = new cdk.Stack(new cdk.App(), 'DocsWorkloadWithRepository');
  withRepositoryWorkload = new ScheduledBatchWorkload(stack, 'Nightly', {
    schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: cdk.TimeZone.EUROPE_LONDON }),
    createDataBucket: true,
  });
  withRepository = Template.fromStack(stack);
});

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function idOf(template: Template, type: string, prefix: string): string {
  return only(Object.keys(template.findResources(type)).filter(id => id.startsWith(prefix)), `${type} ${prefix}*`);
}

/** The statements of a role of the library: inline in the role (one policy, 'Permissions'), none in an AWS::IAM::Policy. */
function inlineStatements(template: Template, rolePrefix: string): any[] {
  const id = idOf(template, 'AWS::IAM::Role', rolePrefix);
  expect(Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => JSON.stringify(p.Properties.Roles ?? []).includes(`"${id}"`))).toEqual([]);
  const policies = template.toJSON().Resources[id].Properties.Policies ?? [];
  expect(policies.map((p: any) => p.PolicyName)).toEqual(['Permissions']);
  return policies.flatMap((p: any) => p.PolicyDocument.Statement);
}

function workloadLogGroup(template: Template): any {
  return only(resourcesOf(template, 'AWS::Logs::LogGroup').filter(p => JSON.stringify(p.LogGroupName ?? '').includes('/aws/batch/')), 'job log group');
}

function flowLogGroup(template: Template): any {
  return only(resourcesOf(template, 'AWS::Logs::LogGroup').filter(p => p.LogGroupName === undefined), 'flow-log group');
}

function jobDefinition(template: Template): any {
  return only(resourcesOf(template, 'AWS::Batch::JobDefinition'), 'job definition');
}

function deadLetterQueueRetentionDays(template: Template): number {
  return only(resourcesOf(template, 'AWS::SQS::Queue'), 'queue').MessageRetentionPeriod / SECONDS_PER_DAY;
}

function ecrLifecycleRules(template: Template): any[] {
  const repo = only(resourcesOf(template, 'AWS::ECR::Repository'), 'repository');
  return JSON.parse(repo.LifecyclePolicy.LifecyclePolicyText).rules;
}

describe('docs/security.md', () => {
  test('job log retention (default and template) is the documented 30 days', () => {
    const days = WORKLOAD_DEFAULTS.logRetention as number;
    expect(workloadLogGroup(oneLiner).RetentionInDays).toBe(days);
    expect(security).toContain(`kept for ${days} days and retained when the stack is deleted`);
  });

  test('flow-log retention is the documented 90 days', () => {
    const days = flowLogGroup(oneLiner).RetentionInDays;
    expect(security).toContain(`to a log group kept for ${days} days`);
    expect(security).toContain(`CloudWatch Logs' service-side encryption, kept for ${days} days`);
  });

  test('dead-letter queue: SSE-SQS, TLS-only, 14-day retention', () => {
    const days = deadLetterQueueRetentionDays(oneLiner);
    expect(only(resourcesOf(oneLiner, 'AWS::SQS::Queue'), 'queue').SqsManagedSseEnabled).toBe(true);
    expect(security).toContain(`messages kept for ${days} days`);
  });

  test('the container runs as the documented non-root user and is not privileged', () => {
    const props = jobDefinition(oneLiner).ContainerProperties;
    expect(props.User).toBe(WORKLOAD_DEFAULTS.user);
    expect(props.Privileged).toBe(false);
    expect(security).toContain(`\`user: '${WORKLOAD_DEFAULTS.user}'\`, a non-root UID and GID`);
    expect(security).toContain('`privileged: false`');
  });

  test('IMDSv2 hop limit on the Batch launch template and the NAT instance', () => {
    const lt = only(resourcesOf(oneLiner, 'AWS::EC2::LaunchTemplate'), 'launch template').LaunchTemplateData;
    const nat = only(resourcesOf(oneLiner, 'AWS::EC2::Instance'), 'NAT instance');
    expect(lt.MetadataOptions.HttpTokens).toBe('required');
    expect(nat.MetadataOptions.HttpTokens).toBe('required');
    expect(security).toContain(`launch template requires IMDSv2 with a hop limit of ${lt.MetadataOptions.HttpPutResponseHopLimit}`);
    expect(security).toContain(`IMDSv2 is required with a hop limit of ${nat.MetadataOptions.HttpPutResponseHopLimit}`);
  });

  test('encrypted root volumes: NAT instance and Batch instances', () => {
    const nat = only(resourcesOf(oneLiner, 'AWS::EC2::Instance'), 'NAT instance').BlockDeviceMappings[0].Ebs;
    const lt = only(resourcesOf(oneLiner, 'AWS::EC2::LaunchTemplate'), 'launch template').LaunchTemplateData.BlockDeviceMappings[0].Ebs;
    expect([nat.Encrypted, nat.VolumeType, lt.Encrypted, lt.VolumeType]).toEqual([true, 'gp3', true, 'gp3']);
    expect(security).toContain(`encrypted ${nat.VolumeSize} GB gp3 root volume`);
    expect(security).toContain(`the compute's root volume is ${lt.VolumeSize} GiB by default`);
  });

  test('compute security group: no inbound rule, HTTPS outbound only', () => {
    const sg = only(resourcesOf(oneLiner, 'AWS::EC2::SecurityGroup').filter(p => p.GroupDescription.startsWith('Batch compute')), 'compute SG');
    expect(sg.SecurityGroupIngress).toBeUndefined();
    expect(sg.SecurityGroupEgress).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
    expect(security).toContain('**no inbound rule**, and its only outbound rule is TCP 443');
  });

  test('endpoint security group: HTTPS from the VPC CIDR only', () => {
    const vpcCidr = only(resourcesOf(endpoints, 'AWS::EC2::VPC'), 'VPC').CidrBlock;
    const sg = only(resourcesOf(endpoints, 'AWS::EC2::SecurityGroup'), 'endpoint SG');
    expect(sg.SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: vpcCidr, IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
    expect(security).toContain(`accept only TCP 443 from the VPC CIDR (\`${vpcCidr}\` by default)`);
  });

  test('NAT instance: ingress from the VPC CIDR only, no SSH key', () => {
    const sg = only(resourcesOf(oneLiner, 'AWS::EC2::SecurityGroup').filter(p => p.GroupDescription.includes('NAT')), 'NAT SG');
    expect(sg.SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: '10.0.0.0/16', IpProtocol: '-1' })]);
    expect(only(resourcesOf(oneLiner, 'AWS::EC2::Instance'), 'NAT instance').KeyName).toBeUndefined();
    expect(security).toContain('replaced by all traffic from the VPC CIDR');
  });

  test('ECR lifecycle: untagged images expire after 7 days, the 10 newest tagged images are kept', () => {
    const rules = ecrLifecycleRules(withRepository);
    const untagged = rules.find((r: any) => r.selection.tagStatus === 'untagged').selection;
    const tagged = rules.find((r: any) => r.selection.tagStatus === 'tagged').selection;
    expect(untagged.countUnit).toBe('days');
    expect(security).toContain(`Untagged images expire after ${untagged.countNumber} days, and only the ${tagged.countNumber} newest tagged images are kept`);
    expect(operations).toContain(`the lifecycle policy expires it after ${untagged.countNumber} days`);
    expect(operations).toContain(`The lifecycle policy keeps the ${tagged.countNumber} newest tagged images`);
  });

  test('ECR: AES-256 stated explicitly, scan on push, only latest is mutable in the repository a workload creates', () => {
    const repo = only(resourcesOf(withRepository, 'AWS::ECR::Repository'), 'repository');
    expect(repo.EncryptionConfiguration).toEqual({ EncryptionType: 'AES256' });
    expect(repo.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
    expect(repo.ImageTagMutability).toBe('IMMUTABLE_WITH_EXCLUSION');
    expect(repo.ImageTagMutabilityExclusionFilters).toEqual([{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: WORKLOAD_DEFAULTS.imageTag }]);
    expect(security).toContain('AES-256 (ECR server-side encryption, free), stated explicitly in the template');
    expect(security).toContain(`keeps \`${WORKLOAD_DEFAULTS.imageTag}\` movable`);
  });

  test('data bucket access logs: the documented expirations', () => {
    const buckets = resourcesOf(withRepository, 'AWS::S3::Bucket');
    const logs = only(buckets.filter(b => b.LifecycleConfiguration), 'access-log bucket').LifecycleConfiguration.Rules[0];
    expect(security).toContain(`logs expire after ${logs.ExpirationInDays} days, old versions after ${logs.NoncurrentVersionExpiration.NoncurrentDays} days`);
  });

  test('execution role: ECR pull on the one repository, ecr:GetAuthorizationToken on * (and documented as such)', () => {
    // Without `image`, the job pulls from ECR: it gets an execution role of its own, statements inline.
    const statements = inlineStatements(withRepository, 'NightlyJobExecutionRole');
    const token = statements.find((s: any) => s.Action === 'ecr:GetAuthorizationToken');
    expect(token.Resource).toBe('*');
    const pull = statements.find((s: any) => Array.isArray(s.Action) && s.Action.includes('ecr:BatchGetImage'));
    expect(pull.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^NightlyJobRepository/), 'Arn'] });
    expect(security).toContain('`ecr:GetAuthorizationToken` on `*`, only when the image comes from ECR');
  });

  test('shared execution role: the one-liner (public image, no secrets) runs with the platform\'s, which may only write to the job log group', () => {
    const roleId = idOf(oneLiner, 'AWS::IAM::Role', 'NightlyReportPlatformSharedRunsJobExecutionRole');
    expect(jobDefinition(oneLiner).ContainerProperties.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(inlineStatements(oneLiner, roleId)).toEqual([{
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [idOf(oneLiner, 'AWS::Logs::LogGroup', 'NightlyReportPlatformSharedRunsJobLogs'), 'Arn'] },
    }]);
    expect(security).toContain('**platform\'s shared execution role** (`<platform>/SharedRuns/JobExecutionRole`), which may only write to that log group');
    expect(security).toContain('with `secrets` (a job\'s secrets are readable by its own role only)');
  });

  test('job role: the data-bucket grants the docs list, and no wildcard actions; none without a grant', () => {
    const actions = inlineStatements(withRepository, 'NightlyJobJobRole').flatMap((s: any) => [s.Action].flat());
    expect(actions.sort()).toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    for (const action of actions) expect(security).toContain(`\`${action}\``);
    expect(withRepositoryWorkload.dataBucket).toBeDefined();
    // The one-liner grants its job nothing: no job role, so no credentials.
    expect(jobDefinition(oneLiner).ContainerProperties.JobRoleArn).toBeUndefined();
    expect(resourcesOf(oneLiner, 'AWS::IAM::Role').filter(r => r.Description === 'The permissions of the job code')).toEqual([]);
    expect(security).toContain('Until then the job definition names no job role and the job\'s code gets no AWS credentials');
  });

  test('scheduler role: the platform\'s starts only state machines with its tag; an untracked schedule\'s own submits this job; both trusted only from this account', () => {
    const role = only(resourcesOf(oneLiner, 'AWS::IAM::Role').filter(r => r.Description?.startsWith('Starts the tracked runs of the platform')), 'scheduler role');
    expect(role.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    const [start, send] = inlineStatements(oneLiner, idOf(oneLiner, 'AWS::IAM::Role', 'NightlyReportPlatformSharedRunsSchedulerRole'));
    expect(start.Action).toBe('states:StartExecution');
    expect(JSON.stringify(start.Resource)).toContain(':stateMachine:*');
    const tag = start.Condition.StringEquals[`aws:ResourceTag/${PLATFORM_TAG_KEY}`];
    expect(typeof tag).toBe('string');
    // The run state machine carries the tag; nothing else in the template does.
    const tagged = Object.values(oneLiner.toJSON().Resources as Record<string, any>)
      .filter(r => JSON.stringify(r.Properties?.Tags ?? []).includes(PLATFORM_TAG_KEY)).map(r => r.Type);
    expect(tagged).toEqual(['AWS::StepFunctions::StateMachine']);
    expect(send).toEqual({ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NightlyReportPlatformSharedRunsDeadLetterQueue/), 'Arn'] } });
    expect(security).toContain(`only with the condition \`aws:ResourceTag/${PLATFORM_TAG_KEY}\` = the platform's value`);
    expect(security).toContain('`arn:<partition>:states:<region>:<account>:stateMachine:*`');
    expect(security).toContain('only with `aws:SourceAccount` = the stack\'s account');

    // Untracked: the schedule's own role submits exactly this job.
    const stack = new cdk.Stack(new cdk.App(), 'DocsUntracked');
    new ScheduledBatchWorkload(stack, 'Nightly', {
      schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
      image: cdk.aws_ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
      trackRuns: false,
    });
    const untracked = Template.fromStack(stack);
    const own = only(resourcesOf(untracked, 'AWS::IAM::Role').filter(r => r.Description === 'Submits the scheduled job to its queue'), 'scheduler role');
    expect(own.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    const submit = inlineStatements(untracked, idOf(untracked, 'AWS::IAM::Role', 'NightlyScheduleSchedulerRole')).find((s: any) => s.Action === 'batch:SubmitJob');
    expect(submit.Resource).toHaveLength(2);
    expect(security).toContain('`batch:SubmitJob` on this job queue and this job definition revision');
  });

  test('the roles of a workload keep their statements inline: the one-liner\'s only AWS::IAM::Policy resources are the instance and flow-log roles\'', () => {
    const policies = Object.keys(oneLiner.findResources('AWS::IAM::Policy')).sort();
    expect(policies).toEqual([expect.stringMatching(/^NightlyReportPlatformComputeInstanceRoleDefaultPolicy/), expect.stringMatching(/^NightlyReportPlatformVpcFlowLogIAMRoleDefaultPolicy/)]);
    for (const [id, role] of Object.entries(oneLiner.findResources('AWS::IAM::Role'))) {
      if (/^NightlyReportPlatform(Compute|Vpc)/.test(id)) continue;
      expect([id, (role.Properties.Policies ?? []).map((p: any) => p.PolicyName)]).toEqual([id, ['Permissions']]);
    }
    expect(security).toContain('one inline policy named `Permissions`');
  });

  test('the platform scheduler role\'s IAM5 acknowledgement is listed with its reason', () => {
    const app = new cdk.App();
    const stack = oneLinerStack(app);
    const role = stack.node.findChild('NightlyReport').node.findChild('Platform').node.findChild('SharedRuns').node.findChild('SchedulerRole');
    const reasons = role.node.metadata
      .filter(m => m.type === cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap(m => Object.entries(m.data as Record<string, string>))
      .filter(([rule]) => rule.includes('AwsSolutions-IAM5') && rule.includes(':stateMachine:*'))
      .map(([, reason]) => reason);
    expect(reasons).toHaveLength(1);
    const unticked = (text: string) => text.replace(/`/g, '');
    expect(unticked(security)).toContain(unticked(reasons[0]));
    expect(security).toContain('the platform\'s shared scheduler role (`<platform>/SharedRuns/SchedulerRole`) | cdk-nag `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<region>:<account>:stateMachine:*]`');
  });

  test('the instance role wildcards: every one AWS forces is in the table', () => {
    const wildcards = instancePolicyWildcards(new cdk.Stack());
    expect(security).toContain(`one per wildcard resource (${['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven'][wildcards.length]})`);
    for (const suffix of ['`*`', 'cluster/*', 'container-instance/*', 'task/*', 'repository/*', 'log-group:/aws/batch/*']) {
      expect(security).toContain(suffix);
    }
    expect(wildcards).toHaveLength(6);
  });

  test('endpoint policies: the S3 gateway endpoint of the one-liner allows this account and the ECR layer bucket only', () => {
    const s3 = only(resourcesOf(oneLiner, 'AWS::EC2::VPCEndpoint'), 'S3 gateway endpoint').PolicyDocument.Statement;
    expect(s3.map((st: any) => st.Condition ?? st.Action)).toEqual([{ StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } }, 's3:GetObject']);
    expect(JSON.stringify(s3[1].Resource)).toContain('-starport-layer-bucket/*');
    expect(security).toContain('allow only requests signed by principals of the stack\'s account (`aws:PrincipalAccount`)');
    expect(security).toContain('`s3:GetObject` on `prod-<region>-starport-layer-bucket`');
    const logs = only(resourcesOf(endpoints, 'AWS::EC2::VPCEndpoint')
      .filter(p => p.VpcEndpointType === 'Interface' && JSON.stringify(p.ServiceName).includes('.logs')), 'logs endpoint');
    expect(logs.PolicyDocument.Statement).toHaveLength(1);
  });

  test('no Lambda-backed custom resource in the default synth', () => {
    oneLiner.resourceCountIs('AWS::Lambda::Function', 0);
    const types = Object.values(oneLiner.toJSON().Resources).map((r: any) => r.Type as string);
    expect(types.filter(t => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource')).toEqual([]);
    expect(security).toContain('**None in the default synth.**');
  });

  test('customer-managed KMS key price', () => {
    expect(security).toContain(`$${UnitPrices.KMS_KEY_MONTH} a month`);
  });

  test('every example stack of test/fixtures is listed, with the right count', () => {
    const files = fs.readdirSync(path.join(ROOT, 'test/fixtures')).filter(f => f.endsWith('.ts')).map(f => `test/fixtures/${f}`);
    // The stacks each fixture gives the checkers (test/checkers/synth-fixtures.ts), by their stack name.
    const app = new cdk.App();
    const stacks = files.flatMap(f => (require(path.join(ROOT, f)) as { stacks(a: cdk.App): cdk.Stack[] }).stacks(app).map(st => st.stackName)); // eslint-disable-line @typescript-eslint/no-require-imports
    expect(stacks.length).toBeGreaterThan(0);
    expect(missingFrom(security, stacks)).toEqual([]);
    expect(security).toContain(`The example stacks (${stacks.length})`);
    for (const file of files) expect(security).toContain(`\`${file}\``);
  });

  test('the option-pair fixture is described with its own counts; each refused pair is one of its pairs', () => {
    const pairs = optionPairs().map(([id]) => id);
    const refused = Object.keys(REFUSED);
    expect(refused.filter(id => !pairs.includes(id))).toEqual([]);
    expect(security).toContain(`a workload for each of ${Object.keys(OPTIONS).length} options and each pair of two, `
      + `${pairs.length - refused.length} of them; the ${refused.length} pairs refused by design`);
  });

  test('every acknowledgement and checkov skip in src and test/fixtures is listed', () => {
    const files = [...sourceFiles('src'), ...sourceFiles('test/fixtures')];
    const ids = matchesIn(files, /id: '((?:CKV_AWS_\d+)|(?:AwsSolutions-[A-Z]+\d+)|(?:CloudFormation-Validate::[A-Z]\d+))'/g);
    expect(ids).toEqual(expect.arrayContaining(['CKV_AWS_51', 'CKV_AWS_136']));
    // The IAM5 acknowledgements are computed per resource (src/private/nag.ts).
    expect(matchesIn(files, /(acknowledgeWildcardResource)\(/g)).toEqual(['acknowledgeWildcardResource']);
    ids.push('AwsSolutions-IAM5');
    expect(missingFrom(security, ids, id => `\`${id}`)).toEqual([]);
  });

  test('checkov runs without project skips: no config file, no --skip-check (the templates carry their skips)', () => {
    const runSh = read('test/checkers/run.sh');
    const checkovCalls = runSh.split('\n').filter(line => line.includes('/bin/checkov'));
    expect(checkovCalls).toHaveLength(1);
    expect(checkovCalls[0]).not.toMatch(/--config-file|--skip-check|--soft-fail|--check\b/);
    expect(runSh).toContain('env -u CKV_SKIP_CHECK -u CKV_CHECK HOME=');
    for (const name of ['checkov.yaml', 'checkov.yml', '.checkov.yaml', '.checkov.yml']) {
      expect([name, fs.existsSync(path.join(ROOT, 'test/checkers', name)) || fs.existsSync(path.join(ROOT, name))]).toEqual([name, false]);
    }
    expect(security).toContain('run as a user would run it on the templates: no config file, no `--skip-check`');
  });

  test('every acknowledgeable warning id is listed', () => {
    const files = sourceFiles('src');
    const ids = [
      ...matchesIn(files, /addWarningV2\('(cdk-scheduled-batch:[A-Za-z]+)'/g),
      ...matchesIn(files, /_WARNING_ID = '(cdk-scheduled-batch:[A-Za-z]+)'/g),
    ];
    expect(ids.length).toBeGreaterThan(0);
    expect(missingFrom(security, ids)).toEqual([]);
  });

  test('checker versions match the pins', () => {
    const requirements = read('test/checkers/requirements.txt');
    const cfnLint = /^cfn-lint==(\S+)/m.exec(requirements)![1];
    const checkov = /^checkov==(\S+)/m.exec(requirements)![1];
    const cdkNag = packageJson.devDependencies['cdk-nag'];
    expect(security).toContain(`cfn-lint ${cfnLint}`);
    expect(security).toContain(`checkov ${checkov}`);
    expect(security).toContain(`cdk-nag ${cdkNag}`);
    expect(compatibility).toContain(`| ${cdkNag} |`);
    expect(compatibility).toContain(`| ${cfnLint} / ${checkov} |`);
  });

  test('test/checkers/ACKNOWLEDGEMENTS.md points to docs/security.md', () => {
    expect(read('test/checkers/ACKNOWLEDGEMENTS.md')).toContain('docs/security.md');
  });
});

describe('docs/operations.md', () => {
  test('job attempts and timeout', () => {
    const jd = jobDefinition(oneLiner);
    expect(jd.RetryStrategy.Attempts).toBe(WORKLOAD_DEFAULTS.retryAttempts);
    expect(jd.Timeout.AttemptDurationSeconds).toBe(WORKLOAD_DEFAULTS.timeout.toSeconds());
    expect(operations).toContain(`${WORKLOAD_DEFAULTS.retryAttempts} attempts, ${WORKLOAD_DEFAULTS.timeout.toHours()} hour per attempt`);
  });

  test('scheduler retry policy', () => {
    const schedule = only(resourcesOf(oneLiner, 'AWS::Scheduler::Schedule'), 'schedule');
    expect(schedule.Target.RetryPolicy).toEqual({
      MaximumRetryAttempts: WORKLOAD_DEFAULTS.scheduleRetryAttempts,
      MaximumEventAgeInSeconds: WORKLOAD_DEFAULTS.scheduleMaxEventAge.toSeconds(),
    });
    expect(operations).toContain(`it retries ${WORKLOAD_DEFAULTS.scheduleRetryAttempts} times within ${WORKLOAD_DEFAULTS.scheduleMaxEventAge.toHours()} hour`);
  });

  test('RUNNABLE time limits of the queue', () => {
    const queue = only(resourcesOf(oneLiner, 'AWS::Batch::JobQueue'), 'job queue');
    const seconds = queue.JobStateTimeLimitActions.map((a: any) => a.MaxTimeSeconds);
    expect(seconds).toEqual([
      RUNNABLE_TIME_LIMITS.defaultCapacityWait.toSeconds(),
      RUNNABLE_TIME_LIMITS.defaultCapacityWait.toSeconds(),
      RUNNABLE_TIME_LIMITS.resourceRequirement.toSeconds(),
    ]);
    expect(operations).toContain(`after ${RUNNABLE_TIME_LIMITS.defaultCapacityWait.toHours()} hours without capacity, or after ${RUNNABLE_TIME_LIMITS.resourceRequirement.toMinutes()} minutes`);
  });

  test('dead-letter retention', () => {
    expect(operations).toContain(`A dead-letter message is kept for ${deadLetterQueueRetentionDays(oneLiner)} days`);
  });

  test('old job definition revisions stay ACTIVE', () => {
    expect(jobDefinition(oneLiner).ResourceRetentionPolicy).toEqual({ SkipDeregisterOnUpdate: true });
    expect(operations).toContain('**old revisions stay ACTIVE**');
  });

  test('log group name, retention and stream names', () => {
    // The one-liner's job writes to its platform's shared job log group.
    const group = workloadLogGroup(oneLiner);
    const options = jobDefinition(oneLiner).ContainerProperties.LogConfiguration.Options;
    expect(options['awslogs-group']).toEqual({ Ref: idOf(oneLiner, 'AWS::Logs::LogGroup', 'NightlyReportPlatformSharedRunsJobLogs') });
    const [prefix, stackGuid] = group.LogGroupName['Fn::Join'][1];
    expect(prefix).toMatch(/^\/aws\/batch\/WorkloadOneLiner-NightlyReport-Platform-SharedRuns-[0-9A-F]{8}-$/);
    expect(stackGuid).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] });
    expect(operations).toContain('`/aws/batch/<Stack>-<platform path>-SharedRuns-<hash>-<stack-id>`');
    expect(operations).toContain(`e.g. \`${prefix}<stack-id>\``);
    expect(operations).toContain(`The platform's group keeps logs for ${group.RetentionInDays} days`);
    // Streams start with the job's name, which each tracked run's job name starts with too.
    const jobName = jobDefinition(oneLiner).JobDefinitionName;
    expect(options['awslogs-stream-prefix']).toBe(jobName);
    expect(operations).toContain('Streams are named `<job name>/default/<ECS task ID>`');
    expect(operations).toContain(`e.g. \`${jobName}/default/<ECS task ID>\``);
    // The run's state machine, not the stack's start check (on by default).
    const runMachines = Object.entries(oneLiner.findResources('AWS::StepFunctions::StateMachine')).filter(([id]) => !id.startsWith('StartDeadlineCheck'));
    const machine = JSON.stringify(only(runMachines.map(([, r]: [string, any]) => r.Properties), 'state machine').DefinitionString);
    expect(machine).toContain(jobName);

    // A retention of its own gives a workload a log group of its own, named after its job.
    const stack = new cdk.Stack(new cdk.App(), 'DocsOwnLogs');
    const own = new ScheduledBatchWorkload(stack, 'Nightly', {
      schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
      image: cdk.aws_ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
      logRetention: cdk.aws_logs.RetentionDays.ONE_YEAR,
    });
    const ownGroup = workloadLogGroup(Template.fromStack(stack));
    expect(ownGroup.LogGroupName['Fn::Join'][1][0]).toBe(`/aws/batch/${own.jobName}-`);
    expect(ownGroup.RetentionInDays).toBe(365);
    expect(operations).toContain('A workload with `logRetention` or `logEncryptionKey` writes to a log group of its own instead, `/aws/batch/<Stack>-<Workload>-Job-<hash>-<stack-id>`');
  });

  test('pause: enabled false renders DISABLED', () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'DocsPaused');
    new ScheduledBatchWorkload(stack, 'Paused', {
      schedule: scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)),
      jobQueue: batch.JobQueue.fromJobQueueArn(stack, 'Queue', 'arn:aws:batch:us-east-1:123456789012:job-queue/q'),
      image: cdk.aws_ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
      enabled: false,
      alarms: false,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Scheduler::Schedule', { State: 'DISABLED' });
    expect(operations).toContain('Set `enabled: false` and deploy: the schedule stays, in state `DISABLED`');
  });

  describe('alarms runbook', () => {
    test('event-driven alarms use 300-second periods; long-running fires above 80% of the timeout', () => {
      const untracked = new cdk.Stack(new cdk.App(), 'DocsUntracked');
      new ScheduledBatchWorkload(untracked, 'W', {
        schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
        image: cdk.aws_ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
        trackRuns: false,
      });
      const alarmProps = resourcesOf(Template.fromStack(untracked), 'AWS::CloudWatch::Alarm').filter(p => p.Namespace !== 'AWS/EC2');
      const periods = alarmProps.filter(p => p.Period !== undefined).map(p => p.Period);
      expect(new Set(periods)).toEqual(new Set([300]));
      const longRunning = only(alarmProps.filter(p => p.MetricName === 'JobAttemptExecutionDuration'), 'long-running alarm');
      const share = longRunning.Threshold / WORKLOAD_DEFAULTS.timeout.toMilliseconds();
      expect(operations).toContain(`| 300 | 1/1 | > ${share * 100}% of the job timeout |`);
      expect(operations).toContain(`longer than ${share * 100}% of the job timeout`);
    });

    test('untracked runs: the alarms the runbook lists, none for a missed run, and the cost it states', () => {
      const stack = new cdk.Stack(new cdk.App(), 'DocsUntrackedAlarms');
      const w = new ScheduledBatchWorkload(stack, 'W', {
        schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
        image: cdk.aws_ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
        trackRuns: false,
      });
      const own = w.alarms!;
      expect([own.failedJobsAlarm, own.longRunningAlarm].every(a => a !== undefined)).toBe(true);
      expect(own.alarms).toHaveLength(2);
      Template.fromStack(stack).resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'JobsMovedToSucceeded' }, 0);
      const items = own.costLineItems();
      expect(operations).toContain('With `trackRuns: false` a workload adds alarms of its own: failed jobs (1, or 3 with `excludeOperatorCancellations`) '
        + `and, on a dedicated queue, long-running (1): $${totalMonthly(items).toFixed(2)} in all for the one-liner.`);
      expect(operations).toContain('### What nothing watches without run tracking');
      expect(operations).toContain('**Not watched.** Nothing reports: - **a run that never happens**');
    });

    test('alarm cost table: unit price, total of the default workload, dashboard', () => {
      const workload = new ScheduledBatchWorkload(new cdk.Stack(new cdk.App(), 'DocsCost'), 'W', {
        schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: cdk.TimeZone.EUROPE_LONDON }),
        image: cdk.aws_ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
      });
      const items = workload.alarms!.costLineItems();
      const metrics = items.reduce((n, i) => n + i.quantity, 0);
      expect(operations).toContain(`\`UnitPrices.ALARM_METRIC_MONTH\` = $${UnitPrices.ALARM_METRIC_MONTH.toFixed(2)} per alarm metric per month`);
      expect(operations).toContain(`| **Total** | **${metrics}** | **$${totalMonthly(items).toFixed(2)}**`);
      expect(operations).toContain(`+ $${UnitPrices.ALARM_METRIC_MONTH.toFixed(2)} with slow start; + $${UnitPrices.DASHBOARD_MONTH.toFixed(2)} with the dashboard`);
      expect(operations).toContain(`costs $${UnitPrices.DASHBOARD_MONTH} a month`);
    });
  });

  describe('integration tests', () => {
    const integNames = fs.readdirSync(path.join(ROOT, 'test')).filter(f => f.endsWith('.integ.ts')).map(f => f.replace('.integ.ts', '')).sort();
    const tasks = JSON.parse(read('.projen/tasks.json')).tasks as Record<string, any>;
    const deployTasks = Object.keys(tasks).filter(t => /^integ:.+:deploy$/.test(t));

    test('every test/*.integ.ts and every integ deploy task is listed', () => {
      expect(integNames.length).toBeGreaterThan(0);
      expect(missingFrom(operations, integNames, name => `| \`${name}\` |`)).toEqual([]);
      for (const task of deployTasks) expect(operations).toContain(`| \`${task.split(':')[1]}\` |`);
    });

    test('deploy deploys, re-snapshots, then destroys, as documented', () => {
      expect(deployTasks.length).toBeGreaterThan(0);
      for (const task of deployTasks) {
        const name = task.split(':')[1];
        const steps = tasks[task].steps as any[];
        expect(steps.some(s => s.execArgs?.[0] === 'cdk' && s.execArgs[1] === 'deploy' && s.execArgs.includes('--require-approval=never'))).toBe(true);
        expect(steps.some(s => s.execArgs?.[0] === 'mv' && s.execArgs[2] === `test/${name}.integ.snapshot`)).toBe(true);
        expect(steps[steps.length - 1]).toEqual({ spawn: `integ:${name}:destroy` });
      }
      expect(operations).toContain('then replaces `test/<name>.integ.snapshot/` with what was deployed (re-snapshot), then runs `integ:<name>:destroy`');
    });
  });
});

describe('docs/compatibility.md', () => {
  const cdkVersion = /const CDK_VERSION = '([0-9.]+)';/.exec(projenrc)![1];

  test('"Stricter synth-time checks" states the limits the checks enforce (read from their messages)', () => {
    const refusal = (build: () => unknown): string => {
      try {
        build();
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('no refusal');
    };
    const stack = new cdk.Stack(new cdk.App(), 'Limits');
    const platform = new BatchPlatform(stack, 'Platform');
    const burst = /from 1 to (\d+)/.exec(refusal(() => new RunApi(stack, 'Api', { throttlingBurstLimit: 5e9 })))![1];
    const exitCode = /from 1 to (\d+) when it fails/.exec(refusal(() => new BatchJob(stack, 'Job', {
      platform, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'), retryableExitCodes: ['256'],
    })))![1];
    expect(compatibility).toContain(`\`throttlingBurstLimit\` above ${Number(burst).toLocaleString('en-US')}`);
    expect(compatibility).toContain(`\`'0'\` or above ${exitCode}`);
    const env = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`V${i}`, 'x'.repeat(1000)]));
    const definitionKiB = /\((\d+) KiB\) AWS Batch takes/.exec(refusal(() => new BatchJob(stack, 'Big', {
      platform, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'), environment: env,
    })))![1];
    expect(compatibility).toContain(`together pass ${definitionKiB} KiB`);
    const [vpcMin, vpcMax] = /CIDR block is \/(\d+) .* to \/(\d+)/.exec(refusal(() => new CostOptimizedVpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/8') })))!.slice(1);
    expect(compatibility).toContain(`larger than /${vpcMin} or smaller than /${vpcMax}`);
    const repoMax = /ECR takes \d+ to (\d+) lowercase/.exec(refusal(() => new HardenedRepository(stack, 'Repo', { repositoryName: 'MyRepo' })))![1];
    expect(compatibility).toContain(`over ${repoMax} characters`);
    expect(compatibility).toContain(`names are now at most ${JOB_NAME_PREFIX_MAX} characters`);
  });

  test('aws-cdk-lib floor: .projenrc.ts, package.json, node_modules and the docs agree', () => {
    expect(packageJson.devDependencies['aws-cdk-lib']).toBe(cdkVersion);
    expect(packageJson.peerDependencies['aws-cdk-lib']).toBe(`^${cdkVersion}`);
    expect(JSON.parse(read('node_modules/aws-cdk-lib/package.json')).version).toBe(cdkVersion);
    expect(compatibility).toContain(`# aws-cdk-lib: ${cdkVersion} or newer`);
    expect(compatibility).toContain(`**aws-cdk-lib ${cdkVersion}**, and its peer dependency is \`aws-cdk-lib ^${cdkVersion}\``);
    expect(compatibility).toContain(`honoured since ${cdkVersion}`);
  });

  test('the registry facts are the ones in .projenrc.ts', () => {
    const comment = flat(projenrc.split('const CDK_VERSION')[0]);
    const date = /\((\d{4}-\d{2}-\d{2})\)/.exec(comment)![1];
    expect(compatibility).toContain(`on ${date} against each registry`);
    for (const fact of [
      '2.258.0, 2.260.0-2.263.0, 2.271.0 and 2.272.0',
      '(2.264.0-2.270.0 have a POM but no JAR)',
      '2.258.0, 2.260.0-2.270.0 and 2.275.0',
      '2.258.0 and 2.260.0-2.263.0',
    ]) {
      expect(comment).toContain(fact);
      expect(compatibility).toContain(fact);
    }
  });

  test('constructs, jsii, TypeScript, Node', () => {
    expect(compatibility).toContain(`(with \`constructs ^${packageJson.devDependencies.constructs}\`)`);
    expect(packageJson.peerDependencies.constructs).toBe(`^${packageJson.devDependencies.constructs}`);
    expect(compatibility).toContain(`| \`${packageJson.devDependencies.jsii}\` |`);
    expect(packageJson.devDependencies['jsii-rosetta']).toBe(packageJson.devDependencies.jsii);
    expect(compatibility).toContain(`| TypeScript | \`${packageJson.devDependencies.typescript}\` |`);
    expect(compatibility).toContain(`(\`@types/node ${packageJson.devDependencies['@types/node']}\`)`);
    const env = JSON.parse(read('.projen/tasks.json')).env;
    expect(compatibility).toContain(`JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=${env.JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION}`);
    expect(compatibility).toContain(`| Node.js | ${env.JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION} (`);
  });

  test('the cloud-assembly-schema override', () => {
    const pinned = packageJson.overrides['@aws-cdk/cloud-assembly-schema'];
    expect(compatibility).toContain(`with \`overrides\` to **${pinned}**`);
    expect(projenrc).toContain(`aws-cdk-go v${cdkVersion} itself requires (v${pinned})`);
  });

  test('package names in every language', () => {
    const targets = packageJson.jsii.targets;
    const goPackage = packageJson.name.replace(/-/g, '');
    expect(compatibility).toContain(`npm \`${packageJson.name}\``);
    expect(compatibility).toContain(`PyPI \`${targets.python.distName}\``);
    expect(compatibility).toContain(`from ${targets.python.module} import`);
    expect(compatibility).toContain(`Maven \`${targets.java.maven.groupId}:${targets.java.maven.artifactId}\``);
    expect(compatibility).toContain(`import ${targets.java.package}.ScheduledBatchWorkload;`);
    expect(compatibility).toContain(`go get ${targets.go.moduleName}/${goPackage}`);
    // jsii-pacmak writes the module into <moduleName>/<packageName>, with that path in its go.mod.
    expect(compatibility).toContain(`The Go module is \`${targets.go.moduleName}/${targets.go.packageName}\``);
    expect(compatibility).toContain(`The library is \`${packageJson.stability}\``);
  });
});

describe('docs/architecture.md', () => {
  test('log group retention', () => {
    expect(architecture).toContain(`${WORKLOAD_DEFAULTS.logRetention} days, retained`);
    expect(architecture).toContain(`${WORKLOAD_DEFAULTS.logRetention}-day retention`);
  });

  test('scheduler retries and job attempts', () => {
    expect(architecture).toContain(`retries (${WORKLOAD_DEFAULTS.scheduleRetryAttempts}, for up to ${WORKLOAD_DEFAULTS.scheduleMaxEventAge.toHours()} h)`);
    expect(architecture).toContain(`(${WORKLOAD_DEFAULTS.retryAttempts} attempts)`);
  });

  test('compute scales from 0 vCPU', () => {
    const ce = only(resourcesOf(oneLiner, 'AWS::Batch::ComputeEnvironment'), 'compute environment');
    expect(architecture).toContain(`min ${ce.ComputeResources.MinvCpus} vCPU`);
    expect(architecture).toContain(`scale from ${ce.ComputeResources.MinvCpus} vCPU`);
  });

  test('interface endpoint price', () => {
    expect(architecture).toContain(`$${UnitPrices.INTERFACE_ENDPOINT_AZ_HOUR} per endpoint per AZ-hour`);
  });

  test('the source layout it draws is the one in src/, and every file it names exists', () => {
    const raw = read('docs/architecture.md');
    const folders = fs.readdirSync(path.join(__dirname, '..', 'src'), { withFileTypes: true })
      .filter(e => e.isDirectory() && e.name !== 'private' && e.name !== 'cli').map(e => e.name);
    for (const folder of folders) expect(raw).toContain(`${folder}/`);
    const named = [...raw.matchAll(/`((?:runs|jobs|compute|network|alarms|cost|api|workload)\/[a-z/-]+\.ts)`/g)].map(m => m[1]);
    expect(named.length).toBeGreaterThan(3);
    for (const file of named) expect(fs.existsSync(path.join(__dirname, '..', 'src', file))).toBe(true);
  });
});

describe('run-tracking deadline in README and docs/run-tracking.md', () => {
  test('the grace named in the docs is the one the code adds (first placement + per retry)', () => {
    const first = DEADLINE_GRACE.firstPlacementSeconds / 60;
    const perRetry = DEADLINE_GRACE.perRetrySeconds / 60;
    expect(read('README.md')).toContain(`attempts × timeout + ${first} min + ${perRetry} min per retry`);
    expect(read('docs/run-tracking.md')).toContain(`retryAttempts × jobTimeout + ${first} min + ${perRetry} min per retry`);
  });
});
