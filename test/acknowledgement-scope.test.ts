import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CostOptimizedVpc, ScheduledBatchWorkload } from '../src';
import { announcePlantedFailure, GateFinding, readValidationReport, synthCapturingReport } from './checkers/synth-fixtures';
import { KNOWN_FALSE_POSITIVE_METADATA_KEY } from '../src/private/nag';

/**
 * Issue 15, item 1: the library's acknowledgements must apply to its own resources only. aws-cdk-lib matches
 * acknowledgements by rule id across the whole app (see src/private/nag.ts), so a user's own `Resource: *` policy and
 * a user's own misspelt property were silenced by the library's `AwsSolutions-IAM5[Resource::*]` and
 * `CloudFormation-Validate::F3002` acknowledgements. Here a user's stack holds its own resources of each kind next to
 * a workload, with cdk-nag (the cdk-nag 3 way, as in test/checkers/synth-fixtures.ts) and aws-cdk-lib's template
 * validator (switched back on: unit tests run with CDK_VALIDATION=false) attached.
 */
describe('the library acknowledges findings on its own resources only', () => {
  let tmp: string;
  let validationBefore: string | undefined;
  let findings: GateFinding[];
  let workload: ScheduledBatchWorkload;

  const DAILY_LONDON = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: cdk.TimeZone.EUROPE_LONDON });
  const logGroupArn = (stack: cdk.Stack) => stack.formatArn({
    service: 'logs', resource: 'log-group', resourceName: '/aws/batch/*', arnFormat: cdk.ArnFormat.COLON_RESOURCE_NAME,
  });

  beforeAll(() => {
    validationBefore = process.env.CDK_VALIDATION;
    delete process.env.CDK_VALIDATION;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ack-scope-'));

    const app = new cdk.App({ outdir: tmp, analyticsReporting: false, context: { '@aws-cdk/core:appMode': 'process' } });
    const stack = new cdk.Stack(app, 'UserApp');
    // No image: the workload creates its ECR repository, so its execution role needs ecr:GetAuthorizationToken on
    // "*"; EC2 compute, so its instance role has the wildcards of docs/compute.md. No flow log: aws-cdk-lib's own
    // ec2.FlowLog acknowledges F3002 app-wide (last test).
    workload = new ScheduledBatchWorkload(stack, 'Nightly', {
      schedule: DAILY_LONDON,
      vpc: new CostOptimizedVpc(stack, 'Vpc', { flowLogs: false }),
      // Untracked runs: the workload has alarms and a failure rule of its own.
      trackRuns: false,
    });

    // The user's own resources.
    const role = new iam.Role(stack, 'UserRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    new iam.Policy(stack, 'UserPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }),
        // The very wildcard ARN the library acknowledges on its instance role.
        new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: [logGroupArn(stack)] }),
      ],
    });
    const queue = new sqs.Queue(stack, 'UserQueue', { enforceSSL: true });
    (queue.node.defaultChild as sqs.CfnQueue).addPropertyOverride('VisibiltyTimeout', 60); // misspelt on purpose

    cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const { assembly } = synthCapturingReport(app);
    const reportFile = path.join(assembly.directory, 'validation-report.json');
    findings = readValidationReport(reportFile).findings;
    announcePlantedFailure('the user\'s own role, policy and misspelt queue next to a workload fail cdk-nag and the validator on purpose', findings.length, reportFile);
  });

  afterAll(() => {
    if (validationBefore === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validationBefore;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const pathsOf = (plugin: string, rule: string) =>
    findings.filter(f => f.plugin === plugin && f.rule === rule).flatMap(f => f.constructPaths);

  test('cdk-nag still reports the user\'s own Resource: * (AwsSolutions-IAM5[Resource::*]) next to a workload', () => {
    expect(pathsOf('AwsSolutions', 'AwsSolutions-IAM5[Resource::*]')).toEqual(expect.arrayContaining([
      'UserApp/UserRole/DefaultPolicy/Resource',
      'UserApp/UserPolicy/Resource',
    ]));
  });

  test('cdk-nag still reports the user\'s own policy on a wildcard ARN the library acknowledges for itself', () => {
    const rule = findings.find(f => f.plugin === 'AwsSolutions' && /^AwsSolutions-IAM5\[Resource::.*log-group:\/aws\/batch\/\*\]$/.test(f.rule));
    expect(rule?.constructPaths).toEqual(['UserApp/UserPolicy/Resource']);
  });

  test('the library\'s own IAM5 findings stay acknowledged', () => {
    const iam5 = findings.filter(f => f.rule.startsWith('AwsSolutions-IAM5'));
    expect(iam5.flatMap(f => f.constructPaths).filter(p => p.startsWith('UserApp/Nightly/'))).toEqual([]);
  });

  test('the template validator still reports the user\'s own misspelt property (F3002) next to a workload', () => {
    const f3002 = findings.filter(f => f.plugin === 'CloudFormation Validate' && f.rule === 'F3002');
    expect(f3002.flatMap(f => f.constructPaths)).toContain('UserApp/UserQueue/Resource');
  });

  test('the library records no known false positive and acknowledges no F3002', () => {
    // The one it recorded (F3002 on the wall-clock EvaluationWindow of the missed-run alarm) went with that alarm.
    const marked = (c: cdk.CfnResource | any) => c.node.metadata.some((m: any) => m.type === KNOWN_FALSE_POSITIVE_METADATA_KEY);
    const everyConstruct = cdk.Stack.of(workload).node.findAll();
    expect(everyConstruct.filter(marked).map(c => c.node.path)).toEqual([]);
    const acknowledgedF3002 = everyConstruct.flatMap(c => c.node.metadata)
      .filter(m => m.type === cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap(m => Object.keys(m.data))
      .filter(id => id.endsWith('F3002'));
    expect(acknowledgedF3002).toEqual([]);
  });

  test('known limit: aws-cdk-lib\'s own ec2.FlowLog (the VPC\'s flow log) still acknowledges F3002 app-wide', () => {
    // aws-cdk-lib 2.263 aws-ec2/lib/vpc-flow-logs.js: every FlowLog calls Validations.of(this).acknowledge() for
    // CloudFormation-Validate::F3002 and F3003. When this test fails, aws-cdk-lib fixed it: update docs/security.md.
    const out = fs.mkdtempSync(path.join(tmp, 'flowlog-'));
    const app = new cdk.App({ outdir: out, analyticsReporting: false, context: { '@aws-cdk/core:appMode': 'process' } });
    const stack = new cdk.Stack(app, 'UserAppFlowLog');
    new ScheduledBatchWorkload(stack, 'Nightly', { schedule: DAILY_LONDON });
    const queue = new sqs.Queue(stack, 'UserQueue', { enforceSSL: true });
    (queue.node.defaultChild as sqs.CfnQueue).addPropertyOverride('VisibiltyTimeout', 60);
    // The report (if any) is read below, not printed: what it lacks is the point.
    const { assembly } = synthCapturingReport(app);
    const report = readValidationReport(path.join(assembly.directory, 'validation-report.json'));
    expect(report.findings.filter(f => f.rule === 'F3002')).toEqual([]);
    expect(report.acknowledgements.find(a => a.rule === 'F3002')?.reason).toMatch(/AWS::EC2::FlowLog DestinationOptions/);
  });
});
