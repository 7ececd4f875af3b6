/**
 * Python lifts the fields of a struct that is a method's last parameter into keyword arguments, and passes an empty
 * struct when none is given. A required field in such a struct makes an optional parameter impossible to omit in
 * Python (`ComputeReachability.require(scope, vpc)` raised "missing keyword argument 'platform'"). This test finds every
 * optional struct parameter of the public API (constructors and methods of the exported classes) and fails on any
 * required field in it.
 */
/* eslint-disable no-bitwise */ // the TypeScript compiler API reports modifiers and symbol kinds as bit sets
import * as path from 'path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', 'src');

/** A struct in jsii terms: an interface whose name does not look like `IFoo`. */
function isStruct(type: ts.Type): boolean {
  const declaration = type.getSymbol()?.declarations?.[0];
  return declaration !== undefined && ts.isInterfaceDeclaration(declaration) && !/^I[A-Z]/.test(declaration.name.text);
}

function optionalStructParametersWithRequiredFields(): string[] {
  const program = ts.createProgram([path.join(SRC, 'index.ts')], { strict: true, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(path.join(SRC, 'index.ts'))!;
  const found: string[] = [];
  for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.find(ts.isClassDeclaration);
    if (!declaration) continue;
    for (const member of declaration.members) {
      const isPublic = !(ts.getCombinedModifierFlags(member) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected));
      if (!isPublic || !(ts.isConstructorDeclaration(member) || ts.isMethodDeclaration(member))) continue;
      for (const parameter of member.parameters) {
        if (!parameter.questionToken && !parameter.initializer) continue;
        const type = checker.getNonNullableType(checker.getTypeAtLocation(parameter));
        if (!isStruct(type)) continue;
        const required = checker.getPropertiesOfType(type).filter(p => !(p.flags & ts.SymbolFlags.Optional)).map(p => p.name);
        if (required.length > 0) {
          const method = ts.isConstructorDeclaration(member) ? 'constructor' : member.name.getText();
          found.push(`${symbol.name}.${method}(${parameter.name.getText()}?: ${checker.typeToString(type)}) requires ${required.join(', ')}`);
        }
      }
    }
  }
  return found;
}

test('no optional struct parameter has a required field (Python could not omit it)', () => {
  expect(optionalStructParametersWithRequiredFields()).toEqual([]);
});
