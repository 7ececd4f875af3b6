/**
 * Writes every translated example of the tablet (.jsii.tabl.json: the README's and API docs' TypeScript blocks,
 * translated by `npx projen rosetta`) as a compile unit per language, inside the rosetta fixture's equivalent:
 *
 *   <out>/go/<name>/example.go        package <name>: func Example(stack awscdk.Stack) { <snippet> }
 *   <out>/python/<name>.py            class Fixture(Stack): def __init__(self, scope, id): <snippet>
 *   <out>/java/examples/<Name>.java   class <Name> extends Stack { <Name>(scope, id) { <snippet> } }
 *
 * plus one deliberately broken unit per language (`planted`), which test/examples/run.sh expects to fail.
 * The snippet text is exactly what the docs show; only what a fragment leaves to the reader is added: imports, the
 * enclosing stack, the declared placeholders (`declare const vpc: ec2.IVpc`) and, in Go, `_ = x` for variables the
 * fragment defines but does not use.
 *
 * Usage: ts-node test/examples/generate.ts <out> [tablet]   Prints a JSON index (unit -> snippet location).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { writeListingUnits } from './listings';
import { goSnippet } from '../../scripts/rosetta-go';

const ROOT = path.resolve(__dirname, '..', '..');

interface Translation { readonly source: string }
interface TabletSnippet {
  readonly translations: Record<string, Translation>;
  readonly location: {
    api: { api: string; moduleFqn?: string; fqn?: string; memberName?: string; fileName?: string };
    field: { field: string; line?: number };
  };
  readonly fullSource: string;
  readonly fqnsReferenced?: string[];
}

/** The broken units: each must fail, or the check cannot catch anything. */
export const PLANTED = {
  // rosetta 6's stock Go for the README one-liner: unqualified struct, no `nil` for the optional argument, `this`.
  go: `cdkscheduledbatch.NewScheduledBatchWorkload(this, jsii.String("NightlyReport"), &ScheduledBatchWorkloadProps{
	Schedule: scheduler.ScheduleExpression_Rate(awscdk.Duration_Hours(jsii.Number(24))),
	Image: ecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/python:3.13-slim")),
})`,
  // A misspelt keyword argument.
  python: `ScheduledBatchWorkload(self, "NightlyReport",
    schedule=scheduler.ScheduleExpression.rate(Duration.hours(24)),
    image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13-slim"),
    retry_attemps=5
)`,
  // rosetta 6's stock Java for an L1 property assignment.
  java: `ScheduledBatchWorkload workload;

CfnJobQueue cfnQueue = (CfnJobQueue)workload.getJobQueue().getNode().getDefaultChild();
cfnQueue.getPriority() = 10;`,
};

/** A module the fixture imports: its TypeScript import, and the names it has in Python and Java. */
interface FixtureImport {
  readonly specifier: string;
  /** `import * as <alias>` */
  readonly alias?: string;
  /** `import { <names> }` */
  readonly names: string[];
}

function fixtureImports(completeSource: string): FixtureImport[] {
  const imports: FixtureImport[] = [];
  for (const m of completeSource.matchAll(/^import \* as (\w+) from '([^']+)';/gm)) {
    imports.push({ specifier: m[2], alias: m[1], names: [] });
  }
  for (const m of completeSource.matchAll(/^import\s*\{([^}]*)\}\s*from\s*'([^']+)';/gm)) {
    imports.push({ specifier: m[2], names: m[1].split(',').map(n => n.trim()).filter(n => n.length > 0) });
  }
  return imports;
}

/** jsii assemblies, for the Python modules and Java packages of the modules the fixture imports. */
function loadAssembly(dir: string): any {
  const file = path.join(dir, '.jsii');
  const json = JSON.parse(fs.readFileSync(file, 'utf-8'));
  if (json.schema === 'jsii/file-redirect') {
    return JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, json.filename))).toString('utf-8'));
  }
  return json;
}

const ASSEMBLIES: Record<string, any> = {
  'aws-cdk-lib': loadAssembly(path.join(ROOT, 'node_modules', 'aws-cdk-lib')),
  'constructs': loadAssembly(path.join(ROOT, 'node_modules', 'constructs')),
  'cdk-scheduled-batch': loadAssembly(ROOT),
};

/** The jsii module FQN of an import specifier: 'aws-cdk-lib/aws-batch' -> 'aws-cdk-lib.aws_batch'. */
function moduleFqn(specifier: string): string {
  const [assembly, submodule] = specifier.split('/');
  return submodule ? `${assembly}.${submodule.replace(/-/g, '_')}` : assembly;
}

function targetOf(fqn: string, language: 'python' | 'java'): string {
  const assembly = ASSEMBLIES[fqn.split('.')[0]];
  const targets = fqn.includes('.') ? assembly.submodules?.[fqn]?.targets : assembly.targets;
  const value = language === 'python' ? targets?.python?.module : targets?.java?.package;
  if (!value) {
    throw new Error(`no ${language} name for ${fqn}`);
  }
  return value;
}

/** The Java FQN of a jsii type FQN (members `Type#member` are reduced to their type). */
function javaTypeName(jsiiFqn: string): string | undefined {
  const typeFqn = jsiiFqn.split('#')[0];
  const assemblyName = typeFqn.split('.')[0];
  const assembly = ASSEMBLIES[assemblyName];
  if (!assembly?.types?.[typeFqn]) {
    return undefined;
  }
  // The deepest submodule holding the type; nested types keep their enclosing type's name (Outer.Inner).
  const module = Object.keys(assembly.submodules ?? {})
    .filter(sub => typeFqn.startsWith(`${sub}.`))
    .sort((a, b) => b.length - a.length)[0] ?? assemblyName;
  return `${targetOf(module, 'java')}.${typeFqn.substring(module.length + 1)}`;
}

/** A unit name per snippet, from where it is: readme_l16, batch_alarms, ... */
function unitName(snippet: TabletSnippet): string {
  const { api, field } = snippet.location;
  let name: string;
  if (api.api === 'moduleReadme') {
    name = `readme_l${field.line ?? 0}`;
  } else if (api.api === 'file') {
    name = `doc_${path.basename(api.fileName ?? 'doc', '.md')}_l${field.line ?? 0}`;
  } else if (api.fqn) {
    const type = api.fqn.split('.').pop()!;
    name = `${type}${api.memberName ? `_${api.memberName}` : ''}`.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  } else {
    name = 'snippet';
  }
  return name.replace(/[^a-z0-9_]/g, '_');
}

function indent(text: string, prefix: string): string {
  return text.split('\n').map(line => (line.length > 0 ? prefix + line : line)).join('\n');
}

/**
 * A Go file of a snippet: the snippet's own import block (rosetta-go writes one into every Go snippet) at the top,
 * its code in a function that gives it the fixture's stack. Nothing else is added: a variable the snippet declares
 * and never reads fails here as it would in the reader's program.
 */
function goUnit(pkg: string, snippet: string): string {
  const m = /^import \(\n([\s\S]*?)\n\)\n*/.exec(snippet);
  const imports = m ? m[1].split('\n') : [];
  const code = m ? snippet.substring(m[0].length) : snippet;
  if (!imports.some(i => i.trim() === '"github.com/aws/aws-cdk-go/awscdk/v2"')) {
    imports.unshift('\t"github.com/aws/aws-cdk-go/awscdk/v2"');
  }
  return [
    `package ${pkg}`,
    '',
    'import (',
    ...imports,
    ')',
    '',
    '// Example is the snippet, in the stack rosetta\'s fixture (rosetta/default.ts-fixture) provides as `this`.',
    'func Example(stack awscdk.Stack) {',
    indent(code, '\t'),
    '}',
    '',
  ].join('\n');
}

function pythonUnit(snippet: string, completeSource: string, hasCast: boolean): string {
  const imports: string[] = ['from typing import cast'];
  for (const imp of fixtureImports(completeSource)) {
    const module = targetOf(moduleFqn(imp.specifier), 'python');
    if (imp.alias) {
      imports.push(`import ${module} as ${imp.alias}`);
    }
    if (imp.names.length > 0) {
      imports.push(`from ${module} import ${imp.names.join(', ')}`);
    }
  }
  // `declare const vpc: ec2.IVpc` -> rosetta writes `# vpc: ec2.IVpc`: give the name its type.
  const code = snippet.replace(/^# (\w+): ([\w.]+)$/gm, '$1 = cast($2, None)');
  return [
    // rosetta drops TypeScript casts (`x as batch.CfnJobQueue`) in Python: the attribute checks cannot hold there.
    ...(hasCast ? ['# pyright: reportAttributeAccessIssue=false'] : []),
    ...imports,
    '',
    '',
    'class Fixture(Stack):',
    '    def __init__(self, scope: Construct, id: str) -> None:',
    '        super().__init__(scope, id)',
    indent(code, '        '),
    '',
  ].join('\n');
}

function javaUnit(className: string, snippet: string, completeSource: string, fqns: string[]): string {
  const packages = new Set<string>();
  for (const imp of fixtureImports(completeSource)) {
    packages.add(targetOf(moduleFqn(imp.specifier), 'java'));
  }
  // Single-type imports for what the snippet references (they win over the on-demand imports' name clashes).
  const types = new Set<string>(['software.amazon.awscdk.Stack', 'software.constructs.Construct']);
  for (const fqn of fqns) {
    const name = javaTypeName(fqn);
    if (name) {
      types.add(name);
    }
  }
  // `declare const vpc: ec2.IVpc` -> rosetta writes `IVpc vpc;`: a field of the stack (a local would be unassigned).
  const lines = snippet.split('\n');
  const fields: string[] = [];
  while (lines.length > 0 && /^[\w.<>, ]+ \w+;$/.test(lines[0])) {
    fields.push(lines.shift()!);
  }
  return [
    'package examples;',
    '',
    'import java.util.List;',
    'import java.util.Map;',
    ...[...packages].sort().map(p => `import ${p}.*;`),
    ...[...types].sort().map(t => `import ${t};`),
    '',
    `public class ${className} extends Stack {`,
    ...fields.map(f => `    ${f}`),
    '',
    `    public ${className}(final Construct scope, final String id) {`,
    '        super(scope, id);',
    indent(lines.join('\n').trim(), '        '),
    '    }',
    '}',
    '',
  ].join('\n');
}

/**
 * The blocks README.md and docs/*.md write in Python, Java or Go themselves: a whole program as it stands, a
 * fragment in the same fixture as the translated ones.
 */
function writeHandWrittenUnits(out: string, fixture: string): Record<string, string> {
  const index: Record<string, string> = {};
  const files = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).sort().map(f => `docs/${f}`)];
  for (const file of files) {
    const lines = fs.readFileSync(path.join(ROOT, file), 'utf-8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const fence = /^```(python|java|go)$/.exec(lines[i]);
      if (!fence) {
        continue;
      }
      const start = i + 1;
      const code: string[] = [];
      for (i++; i < lines.length && lines[i] !== '```'; i++) {
        code.push(lines[i]);
      }
      const text = code.join('\n');
      const name = `doc_${path.basename(file, '.md').replace(/[^a-z0-9]/gi, '_').toLowerCase()}_l${start}`;
      const where = `${file} line ${start} (written in ${fence[1]})`;
      if (fence[1] === 'python') {
        const unit = /^(from|import) /m.test(text) ? `${text}\n` : pythonUnit(text, fixture, false);
        fs.writeFileSync(path.join(out, 'python', `${name}.py`), unit);
        index[`python/${name}.py`] = where;
      } else if (fence[1] === 'java') {
        const program = /public (?:final )?class (\w+)/.exec(text);
        const className = program ? program[1] : `Example${name.split('_').map(p => p.charAt(0).toUpperCase() + p.substring(1)).join('')}`;
        const unit = program ? `${text}\n` : javaUnit(className, text, fixture, []);
        fs.writeFileSync(path.join(out, 'java', 'examples', `${className}.java`), unit);
        index[`java/examples/${className}.java`] = where;
      } else {
        const pkg = name.replace(/_/g, '');
        fs.mkdirSync(path.join(out, 'go', pkg), { recursive: true });
        fs.writeFileSync(path.join(out, 'go', pkg, 'example.go'), /^package /m.test(text) ? `${text}\n` : goUnit(pkg, goSnippet(text, fixture)));
        index[`go/${pkg}/example.go`] = where;
      }
    }
  }
  return index;
}

function main() {
  const out = path.resolve(process.argv[2] ?? path.join(ROOT, '.tmp', 'examples'));
  const tabletFile = path.resolve(process.argv[3] ?? path.join(ROOT, '.jsii.tabl.json'));
  const tablet = JSON.parse(fs.readFileSync(tabletFile, 'utf-8'));
  const snippets = Object.values(tablet.snippets as Record<string, TabletSnippet>)
    .filter(s => s.fullSource)
    .map(s => ({ snippet: s, name: unitName(s) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (snippets.length === 0) {
    throw new Error(`no snippet in ${tabletFile}: run 'npx projen rosetta' first`);
  }
  for (const lang of ['go', 'python', 'java']) {
    fs.rmSync(path.join(out, lang), { recursive: true, force: true });
  }
  fs.mkdirSync(path.join(out, 'python'), { recursive: true });
  fs.mkdirSync(path.join(out, 'java', 'examples'), { recursive: true });

  const index: Record<string, string> = {};
  const seen = new Map<string, number>();
  const fixture = snippets[0].snippet.fullSource;
  const units = [
    ...snippets.map(({ snippet, name }) => ({ snippet, name, planted: false })),
    { snippet: undefined, name: 'planted', planted: true },
  ];
  for (const unit of units) {
    const count = (seen.get(unit.name) ?? 0) + 1;
    seen.set(unit.name, count);
    const name = count > 1 ? `${unit.name}_${count}` : unit.name;
    const completeSource = unit.snippet?.fullSource ?? fixture;
    const tr = (lang: 'go' | 'python' | 'java') => (unit.planted
      ? (lang === 'go' ? goSnippet(PLANTED.go, completeSource) : PLANTED[lang])
      : unit.snippet!.translations[lang].source);
    const goPkg = name.replace(/_/g, '');
    // `Example` + the name: a class named like the library's would shadow it.
    const javaClass = `Example${name.split('_').map(p => p.charAt(0).toUpperCase() + p.substring(1)).join('')}`;
    const hasCast = /\bas [\w.]+/.test(unit.snippet?.translations.$?.source ?? '');

    fs.mkdirSync(path.join(out, 'go', goPkg), { recursive: true });
    fs.writeFileSync(path.join(out, 'go', goPkg, 'example.go'), goUnit(goPkg, tr('go')));
    fs.writeFileSync(path.join(out, 'python', `${name}.py`), pythonUnit(tr('python'), completeSource, hasCast));
    fs.writeFileSync(path.join(out, 'java', 'examples', `${javaClass}.java`), javaUnit(javaClass, tr('java'), completeSource, unit.snippet?.fqnsReferenced ?? []));

    const where = unit.snippet ? JSON.stringify(unit.snippet.location.api) + (unit.snippet.location.field.line ? ` line ${unit.snippet.location.field.line}` : '') : 'planted (must fail)';
    index[`go/${goPkg}/example.go`] = where;
    index[`python/${name}.py`] = where;
    index[`java/examples/${javaClass}.java`] = where;
  }
  Object.assign(index, writeHandWrittenUnits(out, fixture), writeListingUnits(ROOT, out));
  fs.writeFileSync(path.join(out, 'index.json'), JSON.stringify(index, undefined, 2));
  console.log(`[examples] ${snippets.length} snippets (+1 planted) written to ${path.relative(ROOT, out)}/{go,python,java}`);
}

main();
