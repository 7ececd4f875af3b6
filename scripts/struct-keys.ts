/**
 * `npx projen struct-keys` (or `npx ts-node -P test/tsconfig.json scripts/struct-keys.ts`): writes
 * src/private/struct-keys.generated.ts, the property names of every struct declared in src/, read from the sources
 * with the TypeScript compiler API so the known keys cannot drift from the interfaces.
 *
 * A struct is an exported interface with no methods whose name is not an interface name (`I` then an upper-case
 * letter). Its keys are its own properties and those of every interface it extends, across files. A property whose
 * type is another struct (or an array of one) is listed as nested, so props are checked down to the structs the library
 * reads inside them (e.g. each of a workflow's `steps`). Properties typed `boolean` are listed too: a string 'false'
 * from JavaScript or a Python dict is truthy, so they are checked for a real boolean.
 *
 * test/struct-keys.test.ts fails when the committed file differs from what this script generates.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'src');
export const GENERATED_FILE = path.join(SRC, 'private', 'struct-keys.generated.ts');
export const REGENERATE_COMMAND = 'npx projen struct-keys';

interface Declared {
  readonly file: string;
  readonly own: string[];
  readonly bases: string[];
  readonly nested: Record<string, string>;
  /** Own properties typed `boolean`. */
  readonly booleans: string[];
}

/** Every .ts file under `dir`, recursively, in a stable order. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(entry => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && full !== GENERATED_FILE ? [full] : [];
    });
}

const isInterfaceName = (name: string) => /^I[A-Z]/.test(name);
const isExported = (node: ts.InterfaceDeclaration) =>
  ts.getModifiers(node)?.some(m => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;

/** The struct name a property's type refers to, as `Name` or `Name[]`; undefined for any other type. */
function structTypeOf(type: ts.TypeNode | undefined): string | undefined {
  if (!type) return undefined;
  if (ts.isTypeOperatorNode(type)) return structTypeOf(type.type);
  if (ts.isArrayTypeNode(type)) {
    const element = structTypeOf(type.elementType);
    return element && !element.endsWith('[]') ? `${element}[]` : undefined;
  }
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && !type.typeArguments) return type.typeName.text;
  return undefined;
}

function declaredInterfaces(): Map<string, Declared> {
  const found = new Map<string, Declared>();
  for (const file of sourceFiles(SRC)) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const node of source.statements) {
      if (!ts.isInterfaceDeclaration(node) || !isExported(node)) continue;
      const name = node.name.text;
      const relative = path.relative(ROOT, file);
      if (found.has(name)) throw new Error(`interface ${name} is declared in ${found.get(name)!.file} and ${relative}`);
      if (isInterfaceName(name) || node.members.some(m => ts.isMethodSignature(m) || ts.isCallSignatureDeclaration(m))) continue;
      const own: string[] = [];
      const nested: Record<string, string> = {};
      const booleans: string[] = [];
      for (const member of node.members) {
        if (!ts.isPropertySignature(member)) continue;
        if (!ts.isIdentifier(member.name) && !ts.isStringLiteral(member.name)) throw new Error(`${name}: unsupported property name`);
        own.push(member.name.text);
        if (member.type?.kind === ts.SyntaxKind.BooleanKeyword) booleans.push(member.name.text);
        const nestedType = structTypeOf(member.type);
        if (nestedType) nested[member.name.text] = nestedType;
      }
      const bases = (node.heritageClauses ?? []).flatMap(clause => clause.types.map(t => t.expression.getText(source)));
      found.set(name, { file: relative, own, bases, nested, booleans });
    }
  }
  return found;
}

/**
 * The files of the public API: src/index.ts and every file it re-exports with `export * from`, followed through the
 * files it reaches (jsii publishes the types these files export, and no other).
 */
function publicFiles(): Set<string> {
  const found = new Set<string>();
  const visit = (file: string) => {
    if (found.has(file) || !fs.existsSync(file)) return;
    found.add(file);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/^export \* from '(\.{1,2}\/[^']+)';/gm)) {
      visit(path.resolve(path.dirname(file), m[1]) + '.ts');
    }
  };
  visit(path.join(SRC, 'index.ts'));
  return new Set([...found].map(f => path.relative(ROOT, f)));
}

/** The generated module's text. */
export function generate(): string {
  const declared = declaredInterfaces();
  const resolve = (name: string, seen: string[]): { keys: Set<string>; nested: Record<string, string>; booleans: Set<string> } => {
    const d = declared.get(name);
    if (!d) throw new Error(`${seen.join(' -> ')} extends ${name}, which is not a struct declared in src/`);
    const keys = new Set(d.own);
    const booleans = new Set(d.booleans);
    const nested: Record<string, string> = {};
    for (const base of d.bases) {
      const inherited = resolve(base, [...seen, name]);
      inherited.keys.forEach(k => keys.add(k));
      inherited.booleans.forEach(k => booleans.add(k));
      Object.assign(nested, inherited.nested);
    }
    return { keys, nested: { ...nested, ...d.nested }, booleans };
  };
  const names = [...declared.keys()].sort();
  const published = publicFiles();
  const publicNames = names.filter(name => published.has(declared.get(name)!.file));
  const keyLines: string[] = [];
  const nestedLines: string[] = [];
  const booleanLines: string[] = [];
  for (const name of names) {
    const { keys, nested, booleans } = resolve(name, []);
    keyLines.push(`  ${name}: [${[...keys].sort().map(k => `'${k}'`).join(', ')}],`);
    if (booleans.size > 0) booleanLines.push(`  ${name}: [${[...booleans].sort().map(k => `'${k}'`).join(', ')}],`);
    const fields = Object.keys(nested).sort()
      // Only struct-typed fields: a reference to a class, enum or interface (IBatchJob, Duration...) is not checked.
      .filter(k => declared.has(nested[k].replace(/\[\]$/, '')))
      .map(k => `${k}: '${nested[k]}'`);
    if (fields.length > 0) nestedLines.push(`  ${name}: { ${fields.join(', ')} },`);
  }
  return [
    `// ~~ Generated by scripts/struct-keys.ts from the interfaces in src/. Do not edit: run "${REGENERATE_COMMAND}".`,
    '/* eslint-disable */',
    '',
    '/** The property names of every struct in src/, its inherited ones included, sorted. */',
    'export const STRUCT_KEYS: { readonly [struct: string]: readonly string[] } = {',
    ...keyLines,
    '};',
    '',
    '/** The properties of a struct whose type is another struct (`Name`) or an array of one (`Name[]`). */',
    'export const NESTED_STRUCTS: { readonly [struct: string]: { readonly [prop: string]: string } } = {',
    ...nestedLines,
    '};',
    '',
    '/** The properties of a struct typed `boolean`, its inherited ones included, sorted. */',
    'export const BOOLEAN_KEYS: { readonly [struct: string]: readonly string[] } = {',
    ...booleanLines,
    '};',
    '',
    '/**',
    ' * The structs of the public API (declared in a file src/index.ts re-exports): their property names are the ones a user',
    ' * writes, spelt in the host language in messages (src/private/prop-names.ts).',
    ' */',
    'export const PUBLIC_STRUCTS: readonly string[] = [',
    ...chunkLines(publicNames.map(n => `'${n}'`), 116).map(line => `  ${line}`),
    '];',
    '',
  ].join('\n');
}

/** `items` joined with ', ' into lines of at most `width` characters, each ending with a comma. */
function chunkLines(items: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line && line.length + item.length + 2 > width) {
      lines.push(`${line},`);
      line = '';
    }
    line = line ? `${line}, ${item}` : item;
  }
  if (line) lines.push(`${line},`);
  return lines;
}

if (require.main === module) {
  fs.writeFileSync(GENERATED_FILE, generate());
  console.log(`wrote ${path.relative(ROOT, GENERATED_FILE)}`);
}
