/**
 * The TypeScript blocks of docs/*.md, compiled and translated like the README's: `jsii-rosetta extract` reads only
 * the README and the doc comments of the assembly, so this script adds every ```ts block of docs/*.md to the tablet
 * (.jsii.tabl.json) after compiling it strictly, in rosetta's fixture (rosetta/default.ts-fixture, or the one the
 * block names: ```ts fixture=<name>). scripts/rosetta-go.ts then renders their Go, and test/examples/run.sh
 * compiles them in Python, Java and Go as it does the README's.
 *
 * A block that is a whole program in one language, next to the same program in the others (docs/getting-started.md),
 * is marked ```ts nofixture: it compiles as it stands and its translation is not needed.
 *
 * Usage: ts-node scripts/rosetta-docs.ts [tablet]   (after `jsii-rosetta extract`; the `rosetta` projen task runs it)
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const rosetta = require('jsii-rosetta');
// Internals of jsii-rosetta (its package exports only lib/index.js): loaded by path, as scripts/rosetta-go.ts does.
const ROSETTA_LIB = path.dirname(require.resolve('jsii-rosetta'));

/** The markdown files whose TypeScript blocks are compiled here (README.md is jsii-rosetta extract's). */
export function docFiles(root: string = ROOT): string[] {
  return fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md')).sort().map(f => path.join('docs', f));
}

function main() {
  const tabletFile = path.resolve(process.argv[2] ?? path.join(ROOT, '.jsii.tabl.json'));
  const tablet = JSON.parse(fs.readFileSync(tabletFile, 'utf-8'));
  // Compiled where `cdk-scheduled-batch` resolves to this package (scripts/rosetta-go.ts makes the same directory).
  const compilationDirectory = path.join(ROOT, '.tmp', 'rosetta-go');
  const self = path.join(compilationDirectory, 'node_modules', 'cdk-scheduled-batch');
  fs.mkdirSync(path.dirname(self), { recursive: true });
  if (!fs.existsSync(self)) {
    fs.symlinkSync(ROOT, self, 'dir');
  }
  const snippets: any[] = [];
  for (const file of docFiles()) {
    const markdown = fs.readFileSync(path.join(ROOT, file), 'utf-8');
    const { extractTypescriptSnippetsFromMarkdown } = require(path.join(ROSETTA_LIB, 'markdown', 'extract-snippets.js'));
    for (const snippet of extractTypescriptSnippetsFromMarkdown(markdown, { api: 'file', fileName: file }, true)) {
      const withDirs = rosetta.updateParameters(snippet, {
        [rosetta.SnippetParameters.$PROJECT_DIRECTORY]: ROOT,
        [rosetta.SnippetParameters.$COMPILATION_DIRECTORY]: compilationDirectory,
      });
      snippets.push(require(path.join(ROSETTA_LIB, 'fixtures.js')).fixturize(withDirs));
    }
  }
  // A whole program (```ts nofixture) is compiled as it stands; its translations are not kept.
  const standalone = (s: any) => s.parameters?.[rosetta.SnippetParameters.NO_FIXTURE] !== undefined;
  const translator = new rosetta.Translator(true);
  const kept = translator.translateSnippets(snippets.filter(s => !standalone(s)));
  const compiledOnly = translator.translateSnippets(snippets.filter(standalone));
  const errors = translator.diagnostics.filter((d: any) => d.isError);
  if (errors.length > 0) {
    for (const d of errors) {
      console.error(d.formattedMessage);
    }
    throw new Error(`rosetta-docs: ${errors.length} errors in the TypeScript blocks of docs/*.md`);
  }
  for (const t of [...kept, ...compiledOnly]) {
    if (t.snippet.didCompile !== true) {
      throw new Error(`rosetta-docs: a block of ${t.snippet.location.api.fileName} line ${t.snippet.location.field.line} does not compile`);
    }
  }
  for (const t of kept) {
    tablet.snippets[t.key] = t.toJSON();
  }
  const added = kept.length;
  fs.writeFileSync(tabletFile, JSON.stringify(tablet));
  const where = path.relative(ROOT, tabletFile);
  console.log(`rosetta-docs: ${snippets.length} TypeScript blocks of docs/*.md compiled, ${added} translated into ${where}`);
}

if (require.main === module) {
  main();
}
