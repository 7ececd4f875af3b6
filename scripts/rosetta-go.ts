/**
 * Go translations of the README and API-doc examples that compile.
 *
 * jsii-rosetta 6's Go translator writes Go that does not compile for the constructs every CDK example uses: struct
 * literals without their package (`&ScheduledBatchWorkloadProps{`), `jsii.Boolean` (jsii-runtime-go has `jsii.Bool`),
 * no `nil` for omitted optional arguments, slices and maps without `&` where jsii wants pointers, properties read as
 * fields (`workload.Alarms.X` for `workload.Alarms().X`), string slices of bare literals, and `this`. No rewrite of
 * the TypeScript avoids them, so this script re-renders the Go of every snippet of the tablet (`.jsii.tabl.json`,
 * written by `jsii-rosetta extract`) with a GoVisitor that fixes them, using the TypeScript type checker. jsii-pacmak
 * (the Go module's README and doc comments) and jsii-docgen (docs/api/API.go.md) read their translations from that
 * tablet, so what they publish is what test/examples/run.sh compiles.
 *
 * Usage: ts-node scripts/rosetta-go.ts [tablet]   (after `jsii-rosetta extract`; the `rosetta` projen task runs both)
 * Idempotent: the Go is rendered from the TypeScript each time, never from the previous Go.
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
import * as fs from 'fs';
import * as path from 'path';
import type * as TS from 'typescript';

const ROOT = path.resolve(__dirname, '..');
// Internals of jsii-rosetta (its package exports only lib/index.js): load them by path, with its own TypeScript.
const ROSETTA_LIB = path.dirname(require.resolve('jsii-rosetta'));
const ts: typeof TS = require(require.resolve('typescript', { paths: [ROSETTA_LIB] }));
const rosetta = require('jsii-rosetta');
const { OTree } = require(path.join(ROSETTA_LIB, 'o-tree.js'));
const { lookupJsiiSymbol } = require(path.join(ROSETTA_LIB, 'jsii', 'jsii-utils.js'));
const { determineJsiiType } = require(path.join(ROSETTA_LIB, 'jsii', 'jsii-types.js'));

/** Name of the class in rosetta/*.ts-fixture whose `this` the snippets use: a Stack, rendered `stack` in Go. */
export const FIXTURE_CLASS = 'Fixture';
/** The Go variable that stands for the fixture's `this`. */
export const GO_STACK_VARIABLE = 'stack';

/** A Go package the snippets use: the name they qualify it with and its import path. */
export interface GoImport {
  readonly alias: string;
  readonly importPath: string;
}

const CDK_GO = 'github.com/aws/aws-cdk-go/awscdk/v2';
const LIBRARY_GO = 'github.com/cdk-scheduled-batch/cdk-scheduled-batch-go/cdkscheduledbatch';

/**
 * The Go packages of a snippet's imports, keyed by jsii module FQN (`aws-cdk-lib.aws_scheduler`). A namespace import
 * (`import * as scheduler from 'aws-cdk-lib/aws-scheduler'`) is qualified by its alias, as rosetta does for static
 * calls; named imports by the Go package name (`awscdk`, `cdkscheduledbatch`, `constructs`).
 */
export function goModules(completeSource: string): Map<string, GoImport> {
  const modules = new Map<string, GoImport>([
    ['aws-cdk-lib', { alias: 'awscdk', importPath: CDK_GO }],
    ['cdk-scheduled-batch', { alias: 'cdkscheduledbatch', importPath: LIBRARY_GO }],
    ['constructs', { alias: 'constructs', importPath: 'github.com/aws/constructs-go/constructs/v10' }],
  ]);
  for (const m of completeSource.matchAll(/import \* as (\w+) from '(aws-cdk-lib\/[\w-]+)'/g)) {
    const submodule = m[2].split('/')[1];
    modules.set(`aws-cdk-lib.${submodule.replace(/-/g, '_')}`, { alias: m[1], importPath: `${CDK_GO}/${submodule.replace(/-/g, '')}` });
  }
  return modules;
}

/** `pkg.Name` for a jsii FQN, with the package the snippet's imports give it. */
function qualifiedGoName(fqn: string, modules: Map<string, GoImport>): string {
  let best: string | undefined;
  for (const key of modules.keys()) {
    if (fqn.startsWith(`${key}.`) && (best === undefined || key.length > best.length)) {
      best = key;
    }
  }
  if (best === undefined) {
    // An aws-cdk-lib submodule the fixture does not import: Go's own package name.
    const [assembly, submodule, ...rest] = fqn.split('.');
    if (assembly === 'aws-cdk-lib' && /^aws_/.test(submodule)) {
      return `${submodule.replace(/_/g, '')}.${rest.join('_')}`;
    }
    return fqn.split('.').pop()!;
  }
  return `${modules.get(best)!.alias}.${fqn.substring(best.length + 1).replace(/\./g, '_')}`;
}

function ucFirst(x: string): string {
  return x.charAt(0).toUpperCase() + x.substring(1);
}

/** The jsii type of a TypeScript symbol (class, interface, enum), if it comes from a jsii assembly. */
function jsiiTypeOf(typeChecker: TS.TypeChecker, symbol: TS.Symbol | undefined): { fqn: string; spec: any } | undefined {
  const jsiiSym = symbol && lookupJsiiSymbol(typeChecker, symbol);
  if (!jsiiSym || jsiiSym.symbolType !== 'type') {
    return undefined;
  }
  return { fqn: jsiiSym.fqn, spec: jsiiSym.sourceAssembly?.assembly.types?.[jsiiSym.fqn] };
}

/** Whether a jsii type is a struct (a Go struct, passed by pointer) rather than a class or an interface. */
function isStruct(spec: any): boolean {
  return spec?.kind === 'interface' && spec?.datatype === true;
}

/**
 * Number of `nil`s a Go call needs: one per parameter after the last argument given (Go has no optional
 * parameters), none for a variadic function.
 */
function missingArguments(typeChecker: TS.TypeChecker, node: TS.CallExpression | TS.NewExpression): number {
  const declaration = typeChecker.getResolvedSignature(node)?.declaration;
  if (!declaration || !('parameters' in declaration)) {
    return 0;
  }
  const parameters = (declaration as TS.SignatureDeclarationBase).parameters;
  if (parameters.some(p => p.dotDotDotToken !== undefined)) {
    return 0;
  }
  return Math.max(0, parameters.length - (node.arguments?.length ?? 0));
}

/** An instance property of a jsii class or behavioural interface: a getter method in Go (`x.Name()`). */
function isGoGetter(typeChecker: TS.TypeChecker, node: TS.PropertyAccessExpression): boolean {
  const symbol = typeChecker.getSymbolAtLocation(node.name);
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!declaration || !(ts.isPropertyDeclaration(declaration) || ts.isPropertySignature(declaration) || ts.isGetAccessor(declaration))) {
    return false;
  }
  if (ts.getCombinedModifierFlags(declaration as TS.Declaration) & ts.ModifierFlags.Static) {
    return false;
  }
  const owner = declaration.parent;
  if (!(ts.isClassDeclaration(owner) || ts.isInterfaceDeclaration(owner)) || !owner.name) {
    return false;
  }
  const type = jsiiTypeOf(typeChecker, typeChecker.getSymbolAtLocation(owner.name));
  return type !== undefined && !isStruct(type.spec);
}

/** Wraps a Go value of a built-in type in its jsii pointer helper. */
function wrapBuiltIn(typeChecker: TS.TypeChecker, node: TS.Expression, rendered: any): any {
  const jsiiType = determineJsiiType(typeChecker, typeChecker.getTypeAtLocation(node));
  if (jsiiType.kind !== 'builtIn') {
    return rendered;
  }
  const helper = ({ boolean: 'jsii.Bool', number: 'jsii.Number', string: 'jsii.String' } as Record<string, string>)[jsiiType.builtIn];
  return helper ? new OTree([`${helper}(`, rendered, ')']) : rendered;
}

/** rosetta's GoVisitor, with the fixes described at the top of this file. */
export function createGoVisitor(modules: Map<string, GoImport>): any {
  class CompilingGoVisitor extends rosetta.GoVisitor {
    /**
     * rosetta remembers every name it changed and, when it meets the name again where a pointer is expected, writes
     * `*Name` unless it was an interface: `ScheduleExpression_*Rate(...)` the second time a snippet calls `rate`. Only a
     * parameter (a pointer in Go) read as a value needs the `*`.
     */
    public goName(input: string, renderer: any, symbol: TS.Symbol | undefined): string {
      const name: string = super.goName(input, renderer, symbol);
      const isParameter = symbol?.valueDeclaration?.kind === ts.SyntaxKind.Parameter;
      return name.startsWith('*') && !isParameter ? name.substring(1) : name;
    }

    public token(node: TS.Node, renderer: any): any {
      if (node.kind === ts.SyntaxKind.ThisKeyword) {
        const owner = ts.findAncestor(node, ts.isClassDeclaration);
        if (owner?.name?.text === FIXTURE_CLASS) {
          return new OTree([GO_STACK_VARIABLE]);
        }
      }
      if ((node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) && renderer.currentContext.wrapPtr) {
        return new OTree(['jsii.Bool(', node.getText(), ')']);
      }
      return super.token(node, renderer);
    }

    public knownStructObjectLiteralExpression(node: TS.ObjectLiteralExpression, structType: any, renderer: any): any {
      if (structType.kind !== 'struct') {
        return super.knownStructObjectLiteralExpression(node, structType, renderer);
      }
      return new OTree(
        ['&', qualifiedGoName(structType.jsiiSym.fqn, modules), '{'],
        renderer.updateContext({ isExported: true, isStruct: true, inMapLiteral: false }).convertAll(node.properties),
        { suffix: '}', separator: ',', trailingSeparator: true, indent: 1 },
      );
    }

    public keyValueObjectLiteralExpression(node: TS.ObjectLiteralExpression, renderer: any): any {
      const type = renderer.typeChecker.getNonNullableType(renderer.typeChecker.getContextualType(node) ?? renderer.typeChecker.getTypeAtLocation(node));
      const valueType = type.getStringIndexType();
      const valueGo = valueType ? this.renderType(node, valueType.symbol, valueType, true, 'interface{}', renderer) : 'interface{}';
      // jsii takes maps by pointer.
      return new OTree(
        [renderer.currentContext.wrapPtr ? '&' : '', `map[string]${valueGo}{`],
        renderer.updateContext({ inMapLiteral: true, wrapPtr: true }).convertAll(node.properties),
        { suffix: '}', separator: ',', trailingSeparator: true, indent: 1 },
      );
    }

    public propertyAssignment(node: TS.PropertyAssignment, renderer: any): any {
      if (!renderer.currentContext.inMapLiteral) {
        return super.propertyAssignment(node, renderer);
      }
      // A map entry: the key is a string; the value is rendered like any other value (rosetta keeps the map
      // context in it, which leaves method names uncapitalized).
      const key = ts.isIdentifier(node.name) || ts.isStringLiteralLike(node.name) ? JSON.stringify(node.name.text) : renderer.convert(node.name);
      return new OTree([key, ': ', renderer.updateContext({ inMapLiteral: false, isStruct: false, isExported: undefined, wrapPtr: true, isPtr: true }).convert(node.initializer)], [], { canBreakLine: true });
    }

    public shorthandPropertyAssignment(node: TS.ShorthandPropertyAssignment, renderer: any): any {
      if (renderer.currentContext.inMapLiteral) {
        return super.shorthandPropertyAssignment(node, renderer);
      }
      // `{ vpc }`: rosetta renders the value with the key's capital (`Vpc: Vpc`).
      const value = renderer.updateContext({ isStruct: false, isExported: false, wrapPtr: false, isPtr: false }).convert(node.name);
      return new OTree([ucFirst(node.name.text), ': ', wrapBuiltIn(renderer.typeChecker, node.name, value)], [], { canBreakLine: true });
    }

    public arrayLiteralExpression(node: TS.ArrayLiteralExpression, renderer: any): any {
      const arrayType = renderer.typeChecker.getNonNullableType(renderer.typeChecker.getContextualType(node) ?? renderer.typeChecker.getTypeAtLocation(node));
      const elementType = renderer.typeChecker.getTypeArguments?.(arrayType)?.[0] ?? renderer.typeChecker.getTypeAtLocation(node.elements[0] ?? node);
      const elementGo = elementType ? this.renderType(node, elementType.symbol, elementType, true, 'interface{}', renderer) : 'interface{}';
      // jsii takes slices by pointer, and their elements are pointers (`jsii.String("a")`, not `"a"`).
      return new OTree(
        [renderer.currentContext.wrapPtr ? '&' : '', `[]${elementGo}{`],
        renderer.updateContext({ wrapPtr: true, isPtr: true, isStruct: false, inMapLiteral: false }).convertAll(node.elements),
        { separator: ',', trailingSeparator: true, suffix: '}', indent: 1 },
      );
    }

    public newExpression(node: TS.NewExpression, renderer: any): any {
      const tree = super.newExpression(node, renderer);
      for (let i = missingArguments(renderer.typeChecker, node); i > 0; i--) {
        tree.children.push(new OTree(['nil']));
      }
      return tree;
    }

    public regularCallExpression(node: TS.CallExpression, renderer: any): any {
      const missing = missingArguments(renderer.typeChecker, node);
      if (missing === 0) {
        return super.regularCallExpression(node, renderer);
      }
      const nils = Array(missing).fill('nil').join(', ');
      return new OTree([
        renderer.convert(node.expression),
        '(',
        this.argumentList(node.arguments, renderer.updateContext({ wrapPtr: true })),
        node.arguments.length > 0 ? `, ${nils}` : nils,
        ')',
      ]);
    }

    public propertyAccessExpression(node: TS.PropertyAccessExpression, renderer: any, submoduleReference?: any): any {
      if (submoduleReference == null && isGoGetter(renderer.typeChecker, node)) {
        const target = renderer.updateContext({ isPtr: false, wrapPtr: false, isStruct: false, inMapLiteral: false }).convert(node.expression);
        return new OTree([target, '.', ucFirst(node.name.text), '()']);
      }
      return super.propertyAccessExpression(node, renderer, submoduleReference);
    }

    public renderType(typeNode: TS.Node, typeSymbol: TS.Symbol | undefined, type: TS.Type | undefined, isPtr: boolean, fallback: string, renderer: any): string {
      if (type !== undefined) {
        const jsiiType = determineJsiiType(renderer.typeChecker, type);
        if (jsiiType.kind === 'namedType') {
          const named = jsiiTypeOf(renderer.typeChecker, typeSymbol ?? type.symbol);
          if (named) {
            // Structs are passed by pointer; classes and interfaces are Go interfaces; enums are values.
            return `${isPtr && isStruct(named.spec) ? '*' : ''}${qualifiedGoName(named.fqn, modules)}`;
          }
        }
        if ((jsiiType.kind === 'map' || jsiiType.kind === 'list') && jsiiType.elementType.kind === 'namedType') {
          const named = jsiiTypeOf(renderer.typeChecker, jsiiType.elementTypeSymbol);
          if (named) {
            const goElement = `${isStruct(named.spec) ? '*' : ''}${qualifiedGoName(named.fqn, modules)}`;
            return jsiiType.kind === 'map' ? `map[string]${goElement}` : `[]${goElement}`;
          }
        }
      }
      return super.renderType(typeNode, typeSymbol, type, isPtr, fallback, renderer);
    }
  }
  return new CompilingGoVisitor();
}

/**
 * The import block a Go snippet needs: the packages its code names (outside string literals and comments:
 * `public.ecr.aws` is no use of `ecr`), with the alias the snippet qualifies them by when it is not the package's own
 * name. Shown with the snippet, so that a reader sees where `ecs` or `batch` comes from.
 */
export function goImportBlock(code: string, completeSource: string): string {
  const names = code.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`|\/\/.*$/gm, '""');
  const imports = [...goModules(completeSource).values()]
    .filter(m => new RegExp(`\\b${m.alias}\\.`).test(names))
    .map(m => ([`/${m.alias}`, `/${m.alias}/v2`, m.alias === 'constructs' ? '/v10' : `/${m.alias}`].some(end => m.importPath.endsWith(end))
      ? `\t${JSON.stringify(m.importPath)}`
      : `\t${m.alias} ${JSON.stringify(m.importPath)}`));
  if (/\bjsii\./.test(names)) {
    imports.push('\t"github.com/aws/jsii-runtime-go"');
  }
  // Sorted by path, as gofmt's goimports order has them.
  const byPath = (line: string) => line.replace(/^\t\w+ /, '\t');
  return imports.length > 0 ? ['import (', ...imports.sort((a, b) => byPath(a).localeCompare(byPath(b))), ')'].join('\n') : '';
}

/**
 * Go refuses a variable that is declared and never read, which TypeScript examples do all the time
 * (`const table = report.toMarkdown();`): such a call is written as a statement of its own, its result dropped.
 */
export function dropUnusedVariables(code: string): string {
  const lines = code.split('\n');
  return lines.map((line, i) => {
    const m = /^(\w+) := (.*\()/.exec(line);
    if (!m) {
      return line;
    }
    const rest = [line.substring(m[0].length - m[2].length), ...lines.slice(i + 1)].join('\n')
      .replace(/"(?:[^"\\]|\\.)*"|`[^`]*`|\/\/.*$/gm, '""');
    return new RegExp(`\\b${m[1]}\\b`).test(rest) ? line : line.substring(`${m[1]} := `.length);
  }).join('\n');
}

/** A Go snippet as the docs show it: its imports, then the code (in the stack rosetta's fixture gives as `stack`). */
export function goSnippet(code: string, completeSource: string): string {
  const body = dropUnusedVariables(code);
  const imports = goImportBlock(body, completeSource);
  return imports ? `${imports}\n\n${body}` : body;
}

/** A tablet snippet, as far as this script reads it. */
interface TabletSnippet {
  readonly translations: Record<string, { source: string; version: string }>;
  readonly location: any;
  readonly fullSource?: string;
}

/** Renders the Go of every snippet of a tablet with the compiling visitor; returns how many changed. */
export function retranslateTablet(tabletFile: string): { total: number; changed: number } {
  const tablet = JSON.parse(fs.readFileSync(tabletFile, 'utf-8'));
  const entries = Object.entries(tablet.snippets as Record<string, TabletSnippet>).filter(([, s]) => s.fullSource && s.translations.go);
  // Compile all snippets in one program, from a directory where `cdk-scheduled-batch` resolves to this package.
  const compilationDirectory = path.join(ROOT, '.tmp', 'rosetta-go');
  const self = path.join(compilationDirectory, 'node_modules', 'cdk-scheduled-batch');
  fs.mkdirSync(path.dirname(self), { recursive: true });
  if (!fs.existsSync(self)) {
    fs.symlinkSync(ROOT, self, 'dir');
  }
  const snippets = entries.map(([, s]) => rosetta.typeScriptSnippetFromCompleteSource(s.fullSource, s.location, true, {
    [rosetta.SnippetParameters.$COMPILATION_DIRECTORY]: compilationDirectory,
  }));
  const translators = new rosetta.BatchSnippetTranslator(snippets, { compilationDirectory, includeCompilerDiagnostics: true });
  let index = 0;
  let changed = 0;
  for (const [, translator] of translators) {
    const [, snippet] = entries[index++];
    if (translator.didSuccessfullyCompile === false) {
      const messages = translator.diagnostics.map((d: TS.Diagnostic) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      throw new Error(`snippet at ${JSON.stringify(snippet.location)} does not compile in TypeScript:\n${messages.join('\n')}`);
    }
    const go = goSnippet(translator.renderUsing(createGoVisitor(goModules(snippet.fullSource!)))
      // rosetta's pointer helper for booleans it wraps itself (shorthand values, expressions).
      .replace(/\bjsii\.Boolean\(/g, 'jsii.Bool('), snippet.fullSource!);
    if (snippet.translations.go.source !== go) {
      snippet.translations.go.source = go;
      changed++;
    }
  }
  // The same layout as rosetta's (compact JSON), so that rosetta and jsii-pacmak read it as their own.
  fs.writeFileSync(tabletFile, JSON.stringify(tablet));
  return { total: entries.length, changed };
}

if (require.main === module) {
  const tabletFile = path.resolve(process.argv[2] ?? path.join(ROOT, '.jsii.tabl.json'));
  const { total, changed } = retranslateTablet(tabletFile);
  console.log(`rosetta-go: ${total} snippets translated to Go by the compiling visitor (${changed} changed) in ${path.relative(ROOT, tabletFile)}`);
}
