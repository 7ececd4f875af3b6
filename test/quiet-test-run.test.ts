/**
 * `npx projen test` prints only what is the contributor's business and changes no file: no eslint --fix, no planted
 * validation reports, no feature-flag or cross-stack-reference notices from the integration-test synths.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { PLANTED_FIXTURE, PLANTED_REASON, synthFixtures } from './checkers/synth-fixtures';
import { oneLinerStack } from './fixtures/workload';
import { integApp, unsetFeatureFlagBehaviour } from './integ-app';

const ROOT = path.join(__dirname, '..');
const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;

test('the test task lints without --fix (`npx projen eslint --fix` fixes)', () => {
  expect(tasks.test.steps.map((s: any) => s.spawn)).toContain('eslint');
  const args = tasks.eslint.steps.flatMap((s: any) => s.execArgs ?? []);
  expect(args[0]).toBe('eslint');
  expect(args).not.toContain('--fix');
  expect(tasks.eslint.steps[0].receiveArgs).toBe(true);
});

describe('integration-test apps configure every feature flag the CDK CLI would report', () => {
  const context = unsetFeatureFlagBehaviour();
  const app = integApp();

  test('no flag is left that `cdk synth` counts as "not configured" (its rule: unset, and unset differs from recommended)', () => {
    const obsolete = ['@aws-cdk/core:enableStackNameDuplicates', '@aws-cdk/aws-s3:grantWriteWithoutAcl', '@aws-cdk/aws-kms:defaultKeyPolicies'];
    const needAttention = Object.entries(cxapi.FLAGS)
      .filter(([name]) => !obsolete.includes(name))
      .filter(([name]) => app.node.tryGetContext(name) === undefined)
      .filter(([, flag]) => JSON.stringify(flag.unconfiguredBehavesLike?.v2 ?? false) !== JSON.stringify(flag.recommendedValue));
    expect(needAttention.map(([name]) => name)).toEqual([]);
    expect(Object.keys(context).length).toBeGreaterThan(0);
  });

  test('cross-stack references are "strong", what unset means, so the unset-strength warning is not raised', () => {
    expect(context['@aws-cdk/core:defaultCrossStackReferences']).toBe('strong');
    expect(cxapi.FLAGS['@aws-cdk/core:defaultCrossStackReferences'].unconfiguredBehavesLike?.v2).toBe('strong');
  });

  test('the pins change no template: the one-liner synthesizes the same with and without them', () => {
    const plain = new cdk.App();
    const pinned = new cdk.App({ context });
    const template = (a: cdk.App) => a.synth().getStackByName('WorkloadOneLiner').template;
    oneLinerStack(plain);
    oneLinerStack(pinned);
    expect(template(pinned)).toEqual(template(plain));
  });
});

test('a fixture that fails on purpose prints one line, not its report', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'planted-'));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const consoleError = jest.spyOn(console, 'error');
  try {
    const result = synthFixtures({ outdir, fixtureFiles: [PLANTED_FIXTURE], plantedFailure: PLANTED_REASON });
    expect(result.findings.length).toBeGreaterThan(0);
    expect(consoleError).not.toHaveBeenCalled();
    const written = stderr.mock.calls.map(([chunk]) => String(chunk));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(new RegExp(`^\\[planted\\] test/checkers/planted.ts .* fails cdk-nag on purpose, to prove the gate fails: ${result.findings.length} finding\\(s\\), as intended \\(report: .*validation-report.json\\)\\n$`));
  } finally {
    stderr.mockRestore();
    consoleError.mockRestore();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
