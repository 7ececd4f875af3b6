/**
 * `npx ts-node -P test/tsconfig.json scripts/spell-errors.ts`: the codemod that routes every message of src/ through
 * src/private/prop-names.ts, so the props it names are spelt as the user wrote them (run_deadline in Python,
 * RunDeadline in Go). Mechanical and re-runnable (a second run changes nothing):
 * - `throw new Error(...)` becomes `throw new ValidationError(...)`, the message unchanged;
 * - the message of `Annotations.of(x).addWarningV2(id, message)`, `.addWarning(message)`, `.addInfo(message)` and
 *   `.addError(message)` is wrapped in `inHostSpelling(...)`;
 * - the messages a `node.addValidation({ validate: () => messages })` check returns are wrapped in
 *   `inHostSpellingEach(...)` (a `validate` that is not an arrow function returning an expression is reported unless
 *   it calls inHostSpelling/inHostSpellingEach itself: it is not rewritten);
 * - the import of what it uses from src/private/prop-names is added (or merged into the existing one), then
 *   `eslint --fix` orders the imports of the files it changed.
 * Not touched: src/cli/ (a Node.js command whose users type flags), a `throw` inside a string (the Lambda handler
 * source shipped inline), and prop-names.ts itself. test/architecture.test.ts fails when src/ needs this run again.
 *
 * Options: `--check` lists the files that would change and exits 1 if any, changing nothing; `--no-eslint` skips the
 * eslint run.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'src');
const PROP_NAMES = path.join(SRC, 'private', 'prop-names.ts');
/** The Annotations methods whose message is spelt, and the index of the message argument. */
const ANNOTATION_MESSAGE: Record<string, number> = { addWarningV2: 1, addWarning: 0, addInfo: 0, addError: 0 };

/** The files of src/ the rewrite applies to. */
export function spelledFiles(): string[] {
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(e => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return full === path.join(SRC, 'cli') ? [] : walk(full);
      return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.generated.ts') && full !== PROP_NAMES ? [full] : [];
    });
  return walk(SRC);
}

interface Edit { readonly at: number; readonly end: number; readonly text: string }

/** What in `source` still bypasses the rewrite: one line per finding, with its line number. */
export function unspelled(fileName: string, text: string): string[] {
  return plan(fileName, text).findings;
}

function plan(fileName: string, text: string): { edits: Edit[]; findings: string[]; needs: Set<string> } {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const edits: Edit[] = [];
  const findings: string[] = [];
  const needs = new Set<string>();
  const line = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isThrowStatement(node) && node.expression && ts.isNewExpression(node.expression)
      && ts.isIdentifier(node.expression.expression) && node.expression.expression.text === 'Error') {
      const id = node.expression.expression;
      edits.push({ at: id.getStart(source), end: id.end, text: 'ValidationError' });
      findings.push(`${line(node)}: throw new Error(...) (use ValidationError)`);
      needs.add('ValidationError');
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const index = ANNOTATION_MESSAGE[node.expression.name.text];
      const message = index === undefined ? undefined : node.arguments[index];
      const isAnnotations = /\bAnnotations\.of\(/.test(node.expression.expression.getText(source));
      if (message && isAnnotations && !(ts.isCallExpression(message) && message.expression.getText(source) === 'inHostSpelling')) {
        edits.push({ at: message.getStart(source), end: message.getStart(source), text: 'inHostSpelling(' });
        edits.push({ at: message.end, end: message.end, text: ')' });
        findings.push(`${line(node)}: ${node.expression.name.text} message not in inHostSpelling(...)`);
        needs.add('inHostSpelling');
      }
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'addValidation') {
      const validate = validateFunction(node.arguments[0]);
      if (!validate || !ts.isArrowFunction(validate) || ts.isBlock(validate.body)) {
        if (!validate?.getText(source).includes('inHostSpelling')) {
          findings.push(`${line(node)}: addValidation's validate is not an arrow function returning an expression (return inHostSpellingEach(messages))`);
        }
      } else if (!(ts.isCallExpression(validate.body) && validate.body.expression.getText(source) === 'inHostSpellingEach')) {
        edits.push({ at: validate.body.getStart(source), end: validate.body.getStart(source), text: 'inHostSpellingEach(' });
        edits.push({ at: validate.body.end, end: validate.body.end, text: ')' });
        findings.push(`${line(node)}: addValidation messages not in inHostSpellingEach(...)`);
        needs.add('inHostSpellingEach');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (needs.size > 0) edits.push(importEdit(source, fileName, needs));
  return { edits, findings, needs };
}

/** The `validate` function of an `addValidation({ validate })` argument, if it is written in place. */
function validateFunction(argument: ts.Expression | undefined): ts.Node | undefined {
  if (!argument || !ts.isObjectLiteralExpression(argument)) return undefined;
  for (const property of argument.properties) {
    if (property.name && ts.isIdentifier(property.name) && property.name.text === 'validate') {
      if (ts.isPropertyAssignment(property)) return property.initializer;
      return property;
    }
  }
  return undefined;
}

/** The edit that imports `names` from src/private/prop-names: merged into an existing import of it, or a new line. */
function importEdit(source: ts.SourceFile, fileName: string, names: Set<string>): Edit {
  let specifier = path.relative(path.dirname(fileName), PROP_NAMES).replace(/\.ts$/, '').split(path.sep).join('/');
  if (!specifier.startsWith('.')) specifier = `./${specifier}`;
  const imports = source.statements.filter(ts.isImportDeclaration);
  const existing = imports.find(i => ts.isStringLiteral(i.moduleSpecifier) && i.moduleSpecifier.text === specifier
    && i.importClause?.namedBindings && ts.isNamedImports(i.importClause.namedBindings));
  if (existing) {
    const bindings = existing.importClause!.namedBindings as ts.NamedImports;
    const all = new Set([...bindings.elements.map(e => e.getText(source)), ...names]);
    return { at: bindings.getStart(source), end: bindings.end, text: `{ ${[...all].sort(byName).join(', ')} }` };
  }
  const statement = `import { ${[...names].sort(byName).join(', ')} } from '${specifier}';\n`;
  const last = imports[imports.length - 1];
  if (!last) return { at: 0, end: 0, text: `${statement}\n` };
  const at = source.getLineEndOfPosition(last.end) + 1;
  return { at, end: at, text: statement };
}

/** Case-insensitive, as eslint's import ordering sorts named imports. */
function byName(a: string, b: string): number {
  return a.toLowerCase().localeCompare(b.toLowerCase());
}

/** `text` with the rewrite applied. */
export function spell(fileName: string, text: string): string {
  const { edits } = plan(fileName, text);
  let out = text;
  for (const e of [...edits].sort((a, b) => b.at - a.at || b.end - a.end)) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  return out;
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const changed: string[] = [];
  for (const file of spelledFiles()) {
    const text = fs.readFileSync(file, 'utf8');
    const out = spell(file, text);
    if (out === text) continue;
    changed.push(path.relative(ROOT, file));
    if (!check) fs.writeFileSync(file, out);
  }
  console.log(`${check ? 'would change' : 'changed'} ${changed.length} file(s)${changed.length ? `:\n  ${changed.join('\n  ')}` : ''}`);
  if (check) process.exit(changed.length > 0 ? 1 : 0);
  if (changed.length > 0 && !process.argv.includes('--no-eslint')) {
    execFileSync('npx', ['eslint', '--fix', ...changed], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ESLINT_USE_FLAT_CONFIG: 'false' } });
  }
}
