import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fixtureFiles, formatFindings, synthFixtures } from './checkers/synth-fixtures';

/**
 * Every example stack (test/fixtures/*.ts) passes the in-process gates: aws-cdk-lib's built-in template validator
 * (switched back on here: the unit tests run with CDK_VALIDATION=false) and cdk-nag AwsSolutions.
 * cfn-lint and checkov run on the same templates in test/checkers/run.sh (they need a Python venv).
 */
describe('example stacks pass the template checkers', () => {
  let tmp: string;
  let validationBefore: string | undefined;
  beforeAll(() => {
    validationBefore = process.env.CDK_VALIDATION;
    delete process.env.CDK_VALIDATION;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'checkers-'));
  });
  afterAll(() => {
    if (validationBefore === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validationBefore;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('there are example stacks to check', () => {
    expect(fixtureFiles().map(f => path.basename(f))).toContain('repository.ts');
  });

  test.each(fixtureFiles().map(f => path.basename(f)))('%s: 0 cdk-nag findings, 0 template-validator findings', (file) => {
    const result = synthFixtures({ outdir: path.join(tmp, file), fixtureFiles: [path.join(__dirname, 'fixtures', file)] });

    expect(formatFindings(result.findings)).toEqual('');
    expect(result.templates.length).toBe(result.stackNames.length);
    for (const a of result.acknowledgements) {
      expect(a.reason.trim().length).toBeGreaterThanOrEqual(10);
    }
  });

  test('all fixtures synthesize together into one app (stack names are unique across files)', () => {
    const result = synthFixtures({ outdir: path.join(tmp, 'all') });

    expect(new Set(result.stackNames).size).toBe(result.stackNames.length);
    expect(result.templates.map(t => path.basename(t, '.template.json')).sort()).toEqual([...result.stackNames].sort());
  });
});
