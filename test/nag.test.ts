import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stacks as plantedStacks } from './checkers/planted';
import { FIXTURES_DIR, PLANTED_FIXTURE, PLANTED_REASON, readValidationReport, synthFixtures } from './checkers/synth-fixtures';

/** The cdk-nag AwsSolutions gate (cdk-nag 3: a policy-validation plugin) must really fail on a finding. */
describe('cdk-nag AwsSolutions gate', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-')); });
  afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

  test('fails the synth of an app with a planted finding (the way a user runs it)', () => {
    const app = new cdk.App({ outdir: tmp });
    plantedStacks(app);
    cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(() => app.synth()).toThrow(/AwsSolutions-EC23[\s\S]*CheckersPlanted\/OpenSsh|CheckersPlanted\/OpenSsh[\s\S]*AwsSolutions-EC23/);
  });

  test('synthFixtures reports each planted finding with its rule, severity and construct path', () => {
    const result = synthFixtures({ outdir: tmp, fixtureFiles: [PLANTED_FIXTURE], plantedFailure: PLANTED_REASON });

    const nag = result.findings.filter(f => f.plugin === 'AwsSolutions');
    expect(nag).toEqual(expect.arrayContaining([
      expect.objectContaining({ rule: 'AwsSolutions-EC23', severity: 'error', constructPaths: ['CheckersPlanted/OpenSsh'] }),
      expect.objectContaining({ rule: 'AwsSolutions-S1', severity: 'error', constructPaths: ['CheckersPlanted/OpenBucket'] }),
      expect.objectContaining({ rule: 'AwsSolutions-S10', severity: 'error', constructPaths: ['CheckersPlanted/OpenBucket'] }),
    ]));
    // The templates are written even though the gate fails, so cfn-lint and checkov can still run on them.
    expect(result.templates.map(t => path.basename(t))).toEqual(['CheckersPlanted.template.json']);
    // The CDK's own exit code is not left behind (jest would otherwise fail the whole run).
    expect(process.exitCode).not.toBe(1);
  });

  test('a finding acknowledged with a reason is not reported', () => {
    const app = new cdk.App({ outdir: tmp });
    const stack = new cdk.Stack(app, 'NagAcknowledged');
    const sg = new ec2.CfnSecurityGroup(stack, 'Https', {
      groupDescription: 'HTTPS from anywhere',
      vpcId: 'vpc-12345678',
      securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '0.0.0.0/0' }],
    });
    cdk.Validations.of(sg).acknowledge({ id: 'AwsSolutions-EC23', reason: 'A public HTTPS endpoint is open to the internet by design.' });
    cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    const assembly = app.synth();

    const { findings } = readValidationReport(path.join(assembly.directory, 'validation-report.json'));
    expect(findings.filter(f => f.plugin === 'AwsSolutions')).toEqual([]);
  });

  test('the repository fixture reports no finding', () => {
    const result = synthFixtures({ outdir: tmp, fixtureFiles: [path.join(FIXTURES_DIR, 'repository.ts')] });

    expect(result.findings).toEqual([]);
    expect(result.stackNames).toEqual(['RepositoryDefault', 'RepositoryKms']);
  });
});
