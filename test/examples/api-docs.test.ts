/**
 * The committed docs/api/API.{go,python}.md are written in their language (scripts/docgen-languages.ts), and the
 * listing checks of test/examples/listings.ts turn listings into code that fails on a false one. The compilers
 * themselves run in test/examples/run.sh (CI stage examples-compile); these are the fast, offline halves.
 */
import * as fs from 'fs';
import * as path from 'path';
import { goListings, PLANTED_LISTINGS, pythonListings } from './listings';

const API = path.join(__dirname, '..', '..', 'docs', 'api');
const go = fs.readFileSync(path.join(API, 'API.go.md'), 'utf-8');
const python = fs.readFileSync(path.join(API, 'API.python.md'), 'utf-8');

function codeBlocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(m => m[1]);
}

describe('docs/api/API.go.md is Go', () => {
  test('numbers are *float64, never *f64', () => {
    expect(go).not.toMatch(/\bf64\b/);
    expect(go).toContain('*float64');
  });

  test('a slice of structs holds pointers, as jsii-pacmak generates it', () => {
    expect(go).toContain('Steps *[]*WorkflowStep');
    expect(go).not.toMatch(/\*\[\](?:<a [^>]*>)?WorkflowStep\b/);
  });

  test('types are named by their Go package, not a module path with a jsii namespace', () => {
    expect(go).not.toMatch(/v2\.aws_|\/v10\.|github\.com\/[^"\s]*\.[A-Z]/);
    expect(go).toContain('awscloudwatch.IAlarmAction');
    expect(go).toContain('*interfacesawsec2.VPCReference');
  });

  test('static properties are package functions with the jsii name (Vpc_DEFAULT_CIDR_RANGE)', () => {
    expect(go).toContain('func CostOptimizedVpc_DEFAULT_CIDR_RANGE() *string');
    expect(go).toContain('func OverlapPolicy_ALLOW() OverlapPolicy');
  });

  test('every example names the packages it uses in an import block', () => {
    const examples = [...go.matchAll(/\*Example\*\n\n```go\n([\s\S]*?)```/g)].map(m => m[1]);
    expect(examples.length).toBeGreaterThan(10);
    for (const example of examples) {
      // A package's name is the last element of its path (before a major version); jsii-runtime-go's is `jsii`.
      const packageName = (importPath: string) => (importPath.endsWith('/jsii-runtime-go')
        ? 'jsii'
        : importPath.split('/').filter(p => !/^v\d+$/.test(p)).pop());
      const imported = new Set([...example.matchAll(/^\t(?:(\w+) )?"([^"]+)"$/gm)].map(m => m[1] ?? packageName(m[2])));
      const code = example.replace(/^import \([\s\S]*?\n\)\n/, '').replace(/"(?:[^"\\]|\\.)*"|\/\/.*$/gm, '""');
      for (const used of code.matchAll(/(?<![\w.])([a-z_]\w*)\.[A-Z]/g)) {
        if (!/^(?:var|stack)$/.test(used[1]) && !new RegExp(`^(?:var )?${used[1]}\\b|\\b${used[1]} :?=`, 'm').test(code)) {
          expect({ example, alias: used[1], imported: imported.has(used[1]) }).toEqual({ example, alias: used[1], imported: true });
        }
      }
    }
  });
});

describe('docs/api/API.python.md is Python', () => {
  test('no TypeScript left in a Python block (inherited examples get aws-cdk-lib\'s translation)', () => {
    for (const block of codeBlocks(python, 'python')) {
      expect(block).not.toMatch(/^\s*(?:declare )?const |=> |;\s*$/m);
    }
  });

  test('a Mapping has a key and a value type', () => {
    expect(python).not.toMatch(/typing\.Mapping\[[^,\]]*\]/);
    expect(python).toContain('typing.Mapping[str, str]');
  });

  test('a keyword is renamed as jsii-pacmak does (with_)', () => {
    expect(python).toContain('def with_(');
    expect(python).not.toMatch(/def with\(/);
  });

  test('required keyword arguments come before optional ones in every listing', () => {
    for (const block of codeBlocks(python, 'python').filter(b => b.startsWith('import cdk_scheduled_batch'))) {
      const params = block.split('\n').filter(l => /^ {2}\w+: /.test(l));
      const firstOptional = params.findIndex(p => p.includes(' = None'));
      if (firstOptional >= 0) {
        expect(params.slice(firstOptional).filter(p => !p.includes(' = None'))).toEqual([]);
      }
    }
  });
});

describe('listing checks (test/examples/listings.ts)', () => {
  test('every Go listing kind becomes a check: struct, constructor, static function, method, property', () => {
    const { source, checked } = goListings(go);
    expect(checked).toBeGreaterThan(300);
    expect(source).toContain('var _ = &cdkscheduledbatch.WorkflowStep{');
    expect(source).toContain(
      'var _ func(scope constructs.Construct, id *string, props *BatchAlarmsProps) BatchAlarms = cdkscheduledbatch.NewBatchAlarms');
    expect(source).toMatch(/var _ func\(r BatchAlarms, actions \.\.\.awscloudwatch\.IAlarmAction\)\s*= BatchAlarms\.AddAlarmAction/);
    expect(source).toContain('= cdkscheduledbatch.CostOptimizedVpc_DEFAULT_CIDR_RANGE');
  });

  test('the planted Go listings keep the errors jsii-docgen wrote', () => {
    const { source } = goListings(PLANTED_LISTINGS.go);
    expect(source).toContain('Cpu: zero[*f64]()');
    expect(source).toContain('Steps: zero[*[]cdkscheduledbatch.WorkflowStep]()');
  });

  test('every Python initializer and struct listing becomes a call with exactly its keywords', () => {
    const { source, checked } = pythonListings(python);
    expect(checked).toBeGreaterThan(40);
    expect(source).toMatch(/def check_\d+\(\*, [^)]*name: str, [^)]*\) -> None:\n {4}cdk_scheduled_batch\.WorkflowStep\(name=name, /);
    expect(pythonListings(PLANTED_LISTINGS.python).source).toContain('environment: typing.Optional[typing.Mapping[str]] = None');
  });
});
