import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * A constructor should read as a list of steps, each a construct or a method with one job (aws-cdk's ScheduledTaskBase,
 * /work/shared/STYLE.md). A long constructor is the sign that it does the steps' work itself.
 */
const MAX_CONSTRUCTOR_LINES = 60;
const SRC = path.join(__dirname, '..', 'src');

interface ConstructorLength {
  readonly file: string;
  readonly className: string;
  readonly lines: number;
}

/** Every .ts file under `dir`, recursively (src/ may be grouped into folders). */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function isExported(node: ts.ClassDeclaration): boolean {
  return ts.getModifiers(node)?.some(m => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
}

/**
 * The constructors of the exported classes of one file, with their length in lines: from the line of the `constructor`
 * keyword (after any doc comment and modifiers) to the line of the closing brace, both counted.
 */
function constructorLengths(file: string): ConstructorLength[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const found: ConstructorLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) && isExported(node)) {
      for (const member of node.members) {
        if (!ts.isConstructorDeclaration(member) || !member.body) continue;
        const keyword = member.getChildren(source).find(c => c.kind === ts.SyntaxKind.ConstructorKeyword)!;
        found.push({
          file: path.relative(path.join(SRC, '..'), file),
          className: node.name?.text ?? '(anonymous)',
          lines: lineOf(member.body.getEnd()) - lineOf(keyword.getStart(source)) + 1,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const all = sourceFiles(SRC).flatMap(constructorLengths);

test('finds the constructors it measures (the parser sees the construct classes)', () => {
  const names = all.map(c => c.className);
  expect(names).toEqual(expect.arrayContaining(['SpotComputeEnvironment', 'CostOptimizedVpc', 'BatchAlarms', 'HardenedRepository']));
  // A private constructor (EgressProfile's) is a constructor of an exported class too, and is measured.
  expect(names).toContain('EgressProfile');
});

test(`every constructor of an exported class is at most ${MAX_CONSTRUCTOR_LINES} lines`, () => {
  const offenders = all.filter(c => c.lines > MAX_CONSTRUCTOR_LINES)
    .map(c => `${c.file}: ${c.className} constructor is ${c.lines} lines`);
  expect(offenders).toEqual([]);
});
