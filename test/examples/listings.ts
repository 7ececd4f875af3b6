/**
 * The type listings of docs/api/API.go.md and API.python.md as programs that hold only if every listing is true of
 * the built packages (test/examples/run.sh compiles them with the examples):
 *
 * Go (one file, `go vet`): a struct listing `&cdkscheduledbatch.X { Field: T, ... }` becomes a composite literal of
 * zero values of exactly those types; a struct field `Name T`, a function reading it as a T; a constructor, static
 * function, method or property listing, a function variable of the listed type assigned the real function
 * (`var _ func(r BatchAlarms, actions ...awscloudwatch.IAlarmAction) = BatchAlarms.AddAlarmAction`). A wrong name,
 * package, pointer or element type does not compile.
 *
 * Python (one module, pyright): an initializer or struct listing `cdk_scheduled_batch.X(name: T, opt: U = None)`
 * becomes a function with those annotated keyword parameters that calls the real class with each of them, with
 * argument-type errors on: an unknown or missing keyword, a type the class does not take, or `= None` on a required
 * one, fails.
 */
/* eslint-disable no-console */
import * as fs from 'fs';
import * as path from 'path';

const LIBRARY_GO = 'github.com/cdk-scheduled-batch/cdk-scheduled-batch-go/cdkscheduledbatch';
const CDK_GO = 'github.com/aws/aws-cdk-go/awscdk/v2';

/** The fenced blocks of a language, each with the anchor id of the heading above it. */
function blocks(markdown: string, language: string): { id: string; code: string; line: number }[] {
  const found: { id: string; code: string; line: number }[] = [];
  let id = '';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const anchor = /^#+ .* id="([^"]+)"/.exec(lines[i]);
    if (anchor) {
      id = anchor[1];
    }
    if (lines[i] === `\`\`\`${language}`) {
      const start = i;
      const code: string[] = [];
      for (i++; i < lines.length && lines[i] !== '```'; i++) {
        code.push(lines[i]);
      }
      found.push({ id, code: code.join('\n'), line: start + 1 });
    }
  }
  return found;
}

/** `name type` parameters as a Go parameter list (a variadic `...T` stays). */
function goParams(params: string): string {
  return params.trim();
}

/** One Go file checking every listing of API.go.md, and the number of listings it checks. */
export function goListings(markdown: string): { source: string; checked: number; skipped: number } {
  const checks: string[] = [];
  let skipped = 0;
  for (const { id, code, line } of blocks(markdown, 'go')) {
    const body = code.replace(/^import "[^"]+"\n\n/, '');
    const where = `// API.go.md line ${line}: ${id}`;
    const struct = /^&cdkscheduledbatch\.(\w+) \{\n([\s\S]*)\n\}$/.exec(body);
    const call = /^cdkscheduledbatch\.(\w+)\((.*)\)(?: (.+))?$/.exec(body);
    const func = /^func (\w+)\((.*)\)(?: (.+))?$/.exec(body);
    const field = /^(\w+) (\S+)$/.exec(body);
    if (struct) {
      const fields = struct[2].split('\n').map(f => /^\t(\w+): (.+),$/.exec(f)).filter(m => m !== null);
      checks.push(where, `var _ = &cdkscheduledbatch.${struct[1]}{`, ...fields.map(m => `\t${m![1]}: zero[${m![2]}](),`), '}');
    } else if (call) {
      checks.push(where, `var _ func(${goParams(call[2])}) ${call[3] ?? ''} = cdkscheduledbatch.${call[1]}`);
    } else if (func && /^cdk-scheduled-batch\.\w+\./.test(id)) {
      const receiver = id.split('.')[1];
      const params = goParams(func[2]);
      if (func[1].startsWith(`${receiver}_`)) {
        // A static property: a function of the package.
        checks.push(where, `var _ func(${params}) ${func[3] ?? ''} = cdkscheduledbatch.${func[1]}`);
      } else {
        checks.push(where, `var _ func(r ${receiver}${params ? `, ${params}` : ''}) ${func[3] ?? ''} = ${receiver}.${func[1]}`);
      }
    } else if (field && /^cdk-scheduled-batch\.\w+\.property\./.test(id)) {
      // A struct's field: read as the listed type.
      const owner = id.split('.')[1];
      checks.push(where, `var _ = func(s_ ${owner}) ${field[2]} { return s_.${field[1]} }`);
    } else {
      skipped++;
    }
  }
  const text = checks.join('\n');
  const packages = new Set<string>();
  // Every lowercase name before `.Name` is a package: in a listing, parameter names are followed by a space.
  for (const m of text.replace(/^\/\/.*$/gm, '').matchAll(/(?<![\w.])([a-z][a-z0-9]*)\.[A-Z]/g)) {
    if (m[1] !== 'cdkscheduledbatch') {
      packages.add(m[1]);
    }
  }
  const imports = [...packages].sort().map(p => {
    if (p === 'awscdk') return `\t"${CDK_GO}"`;
    if (p === 'constructs') return '\t"github.com/aws/constructs-go/constructs/v10"';
    if (p === 'interfaces') return `\t"${CDK_GO}/interfaces"`;
    if (p.startsWith('interfaces')) return `\t"${CDK_GO}/interfaces/${p}"`;
    return `\t"${CDK_GO}/${p}"`;
  });
  const source = [
    '// Package apilistings holds every type listing of docs/api/API.go.md as Go that compiles only if the listing is true.',
    'package apilistings',
    '',
    'import (',
    ...imports,
    `\t"${LIBRARY_GO}"`,
    // The listings name this package's own types without their package, as Go documentation does.
    `\t. "${LIBRARY_GO}"`,
    ')',
    '',
    '// zero is a value of exactly the listed type.',
    'func zero[T any]() T { var z T; return z }',
    '',
    '// Keeps the dot import used whatever the listings name.',
    'var _ ScheduledBatchWorkload',
    '',
    text,
    '',
  ].join('\n');
  return { source, checked: checks.filter(c => c.startsWith('// API.go.md')).length, skipped };
}

/** One Python module checking every initializer and struct listing of API.python.md. */
export function pythonListings(markdown: string): { source: string; checked: number } {
  const functions: string[] = [];
  for (const { id, code, line } of blocks(markdown, 'python')) {
    const m = /^import cdk_scheduled_batch\n\n(cdk_scheduled_batch\.\w+)\(\n?([\s\S]*?)\n?\)$/.exec(code);
    if (!m) {
      continue;
    }
    const params = m[2].split('\n').map(p => p.trim().replace(/,$/, '')).filter(p => p.length > 0);
    const declared = params.map(p => {
      const optional = p.endsWith(' = None');
      const [name, type] = p.replace(/ = None$/, '').split(/: (.*)/s);
      return { name, type, optional };
    });
    const signature = declared.map(d => (d.optional ? `${d.name}: typing.Optional[${d.type}] = None` : `${d.name}: ${d.type}`));
    functions.push(
      `# API.python.md line ${line}: ${id}`,
      `def check_${functions.length}(${signature.length > 0 ? `*, ${signature.join(', ')}` : ''}) -> None:`,
      `    ${m[1]}(${declared.map(d => `${d.name}=${d.name}`).join(', ')})`,
      '',
    );
  }
  const text = functions.join('\n');
  const modules = new Set<string>(['typing', 'datetime', 'constructs', 'aws_cdk', 'cdk_scheduled_batch']);
  for (const mod of text.matchAll(/\b(aws_cdk\.aws_\w+)\./g)) {
    modules.add(mod[1]);
  }
  const source = [
    '# Every initializer and struct listing of docs/api/API.python.md, called with exactly the listed keywords and types.',
    '# pyright: reportArgumentType=error, reportCallIssue=error',
    ...[...modules].sort().map(mod => `import ${mod}`),
    '',
    '',
    text,
  ].join('\n');
  return { source, checked: functions.filter(f => f.startsWith('# API.python.md')).length };
}

/**
 * Listings as jsii-docgen 10 wrote them before scripts/docgen-languages.ts (`*f64`, a slice of structs without the
 * pointer, `typing.Mapping[str]`): units named `planted`, which test/examples/run.sh requires to fail.
 */
export const PLANTED_LISTINGS = {
  go: ['##### x <a id="cdk-scheduled-batch.WorkflowStep.Initializer"></a>', '```go', 'import "x"', '',
    '&cdkscheduledbatch.WorkflowStep {', '\tName: *string,', '\tCpu: *f64,', '}', '```', '',
    '##### y <a id="cdk-scheduled-batch.ScheduledBatchWorkflowProps.Initializer"></a>', '```go', 'import "x"', '',
    '&cdkscheduledbatch.ScheduledBatchWorkflowProps {', '\tSteps: *[]cdkscheduledbatch.WorkflowStep,', '}', '```'].join('\n'),
  python: ['##### x <a id="cdk-scheduled-batch.WorkflowStep.Initializer"></a>', '```python', 'import cdk_scheduled_batch', '',
    'cdk_scheduled_batch.WorkflowStep(', '  name: str,', '  environment: typing.Mapping[str] = None', ')', '```'].join('\n'),
};

/** Writes the two listing units (and their planted twins) under <out>; returns their index entries. */
export function writeListingUnits(root: string, out: string): Record<string, string> {
  const go = goListings(fs.readFileSync(path.join(root, 'docs', 'api', 'API.go.md'), 'utf-8'));
  fs.mkdirSync(path.join(out, 'go', 'apilistings'), { recursive: true });
  fs.writeFileSync(path.join(out, 'go', 'apilistings', 'example.go'), go.source);
  const python = pythonListings(fs.readFileSync(path.join(root, 'docs', 'api', 'API.python.md'), 'utf-8'));
  fs.writeFileSync(path.join(out, 'python', 'api_listings.py'), python.source);
  fs.mkdirSync(path.join(out, 'go', 'plantedlistings'), { recursive: true });
  fs.writeFileSync(path.join(out, 'go', 'plantedlistings', 'example.go'),
    goListings(PLANTED_LISTINGS.go).source.replace('package apilistings', 'package plantedlistings'));
  fs.writeFileSync(path.join(out, 'python', 'planted_listings.py'), pythonListings(PLANTED_LISTINGS.python).source);
  console.log(`[examples] API listings: ${go.checked} Go (${go.skipped} blocks that are not listings), ${python.checked} Python`);
  return {
    'go/apilistings/example.go': `docs/api/API.go.md: ${go.checked} listings`,
    'python/api_listings.py': `docs/api/API.python.md: ${python.checked} listings`,
    'go/plantedlistings/example.go': 'planted listings (must fail)',
    'python/planted_listings.py': 'planted listings (must fail)',
  };
}
