/**
 * docs/api/API.{python,java,go}.md: jsii-docgen's per-language API reference, with the listings written in the
 * language they claim to be (test/examples/run.sh compiles the Go and type-checks the Python ones).
 *
 * jsii-docgen 10's transpilers get some of it wrong, so this script runs jsii-docgen with corrected ones:
 * - Go: `*f64` for numbers (Go's is `*float64`); struct elements of slices and maps without their pointer
 *   (`*[]WorkflowStep` for `*[]*WorkflowStep`, as jsii-pacmak generates them); types named by a path no Go
 *   program can write (`github.com/aws/aws-cdk-go/awscdk/v2.aws_ecs.ContainerImage` for `awsecs.ContainerImage`);
 *   signatures naming other packages' types without their package (`scope Construct`).
 * - Python: `typing.Mapping[str]` (a Mapping has a key and a value type: `typing.Mapping[str, str]`); parameter
 *   types without their module (`IJobQueue` for `aws_cdk.aws_batch.IJobQueue`; `Secret` is in two modules);
 *   required keyword arguments listed after optional ones.
 * - Every language: an `@example` of a member inherited from aws-cdk-lib (e.g. `CostOptimizedVpc.addGatewayEndpoint`
 *   from `ec2.Vpc`) is left in TypeScript, because docgen translates only this package's examples. It is replaced
 *   by aws-cdk-lib's own translation from the tablet aws-cdk-lib ships.
 *
 * Usage: ts-node scripts/docgen-languages.ts   (the `docgen:languages` task; run `npx projen rosetta` first: the
 * examples come from its tablet)
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { Documentation, Language } from 'jsii-docgen';

const ROOT = path.resolve(__dirname, '..');
const DOCGEN_LIB = path.dirname(require.resolve('jsii-docgen'));
const { LANGUAGE_SPECIFIC } = require(path.join(DOCGEN_LIB, 'docgen', 'view', 'documentation.js'));
const { GoTranspile } = require(path.join(DOCGEN_LIB, 'docgen', 'transpile', 'go.js'));
const { PythonTranspile } = require(path.join(DOCGEN_LIB, 'docgen', 'transpile', 'python.js'));
const transpile = require(path.join(DOCGEN_LIB, 'docgen', 'transpile', 'transpile.js'));

/** The languages of docs/api, in the order the files have always been written. */
export const API_LANGUAGES = ['python', 'java', 'go'];

/** The Go package name of a jsii module: its last path segment without the major version (`awsecs`, `constructs`). */
function goPackageOf(module: string, submodule?: string): string {
  return submodule ?? module.split('/').slice(/\/v\d+$/.test(module) ? -2 : -1)[0];
}

/** A type reference rendered with the `*` Go gives a struct (structs are passed by pointer; classes are interfaces). */
function pointerTo(reference: any): any {
  return {
    toString: (options?: any) => `*${reference.toString(options)}`,
    toJson: () => {
      const json = reference.toJson();
      return { ...json, formattingPattern: `*${json.formattingPattern}` };
    },
  };
}

function ucFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.substring(1);
}

class CompilingGoTranspile extends GoTranspile {
  /** The package this documentation is about: its types are named without a package in signatures. */
  private ownPackage?: string;

  public number(): string {
    return '*float64';
  }

  public type(type: any): any {
    const transpiled = super.type(type);
    // The namespace is the submodule path, then any enclosing types: `interfaces.aws_ec2` is Go's package
    // `interfacesawsec2` (docgen keeps only the first level: `interfaces.VPCReference`); Go flattens nested types
    // (`Outer_Inner`).
    const parts: string[] = (type.namespace ?? '').split('.').filter((p: string) => p.length > 0);
    const submodules = parts.filter(p => /^[a-z]/.test(p));
    const enclosing = parts.filter(p => /^[A-Z]/.test(p));
    const pkg = submodules.length > 0 ? submodules.join('').replace(/_/g, '') : goPackageOf(transpiled.module);
    if (type.assembly.name === 'cdk-scheduled-batch') {
      this.ownPackage = pkg;
    }
    const name = [...enclosing, type.name].join('_');
    return new transpile.TranspiledType({
      fqn: `${pkg}.${name}`,
      name,
      namespace: transpiled.namespace,
      module: transpiled.module,
      submodule: pkg === goPackageOf(transpiled.module) ? undefined : pkg,
      submodulePath: transpiled.submodulePath,
      source: type,
      language: this.language,
    });
  }

  public typeReference(ref: any): any {
    const transpiled = super.typeReference(ref);
    return ref.type?.isDataType?.() ? pointerTo(transpiled) : transpiled;
  }

  /** Signatures name another package's types with their package (`scope constructs.Construct`). */
  private goTypeName(t: any): string {
    return goPackageOf(t.module, t.submodule) === this.ownPackage ? t.name : t.fqn;
  }

  public callable(callable: any): any {
    const superResult = super.callable(callable);
    const result = callable.kind === 'initializer' ? superResult : { ...superResult, name: ucFirst(callable.name) };
    const typeFormatter = (t: any) => this.goTypeName(t);
    const params = callable.parameters.map((p: any) => {
      const tf = this.typeReference(p.type).toString({ typeFormatter });
      return `${p.name} ${p.variadic ? `...${tf}` : tf}`;
    }).join(', ');
    const isInitializer = callable.kind === 'initializer';
    const returns = isInitializer
      ? this.typeReference(callable.parentType.reference).toString({ typeFormatter })
      : callable.returns ? this.typeReference(callable.returns.type).toString({ typeFormatter }) : '';
    const suffix = returns ? ` ${returns}` : '';
    const type = result.parentType;
    const pkg = goPackageOf(type.module, type.submodule);
    const isStatic = callable.static === true;
    return {
      ...result,
      signatures: [`func ${isInitializer ? 'New' : ''}${result.name}(${params})${suffix}`],
      invocations: [isInitializer
        ? `${pkg}.New${result.name}(${params})${suffix}`
        : `${pkg}.${type.name}${isStatic ? '_' : '.'}${result.name}(${params})${suffix}`],
    };
  }

  public property(property: any): any {
    const result = super.property(property);
    // jsii-pacmak names a Go member by the jsii name with its first letter capitalized (`DEFAULT_CIDR_RANGE`, not
    // docgen's `DefaultCidrRange`); a static property is a function of the package (`Vpc_DEFAULT_CIDR_RANGE()`).
    const name = ucFirst(property.name);
    const tf = result.typeReference.toString({ typeFormatter: (t: any) => this.goTypeName(t) });
    let declaration = `func ${name}() ${tf}`;
    if (property.parentType.isDataType()) {
      declaration = `${name} ${tf}`;
    } else if (property.static) {
      declaration = `func ${property.parentType.name}_${name}() ${tf}`;
    }
    return { ...result, name, declaration };
  }
}

class TypedPythonTranspile extends PythonTranspile {
  public mapOf(type: string): string {
    return `typing.Mapping[str, ${type}]`;
  }

  /** `name: module.Type = None`: the type with its module, as a Python program must import it. */
  public formatParameters(transpiled: any): string {
    const tf = transpiled.typeReference.toString({ typeFormatter: (t: any) => t.fqn });
    if (transpiled.variadic) {
      return `*${transpiled.name}: ${tf}`;
    }
    return `${transpiled.name}: ${tf}${transpiled.optional ? ' = None' : ''}`;
  }

  public struct(struct: any): any {
    const result = super.struct(struct);
    return { ...result, initialization: requiredFirst(result.initialization) };
  }

  public callable(callable: any): any {
    const result = super.callable(callable);
    // jsii-pacmak appends `_` to a Python keyword (`with_`); docgen does not.
    const name = PYTHON_KEYWORDS.has(result.name) ? `${result.name}_` : result.name;
    const rename = (listing: string) => listing.replace(new RegExp(`(def |\\.)${result.name}\\(`), `$1${name}(`);
    return {
      ...result,
      name,
      invocations: result.invocations.map((l: string) => requiredFirst(rename(l))),
      signatures: result.signatures.map((l: string) => requiredFirst(rename(l))),
    };
  }
}

const PYTHON_KEYWORDS = new Set(['and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield']);

/**
 * Python keyword arguments without a default before those with one (jsii's Python has them keyword-only, in any
 * order, but a listing that reads as a signature must be a legal one). Positional parameters stay first.
 */
function requiredFirst(listing: string): string {
  const lines = listing.split('\n');
  const open = lines.findIndex(l => l.endsWith('('));
  const close = lines.lastIndexOf(')');
  if (open < 0 || close <= open) {
    return listing;
  }
  const params = lines.slice(open + 1, close).map(l => l.replace(/,$/, ''));
  const required = params.filter(p => !p.endsWith(' = None'));
  const optional = params.filter(p => p.endsWith(' = None'));
  const ordered = [...required, ...optional].map((p, i, all) => (i < all.length - 1 ? `${p},` : p));
  return [...lines.slice(0, open + 1), ...ordered, ...lines.slice(close)].join('\n');
}

/** aws-cdk-lib's own translations of its examples, by TypeScript source. */
function awsCdkLibTranslations(): Map<string, Record<string, string>> {
  const dir = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const file = path.join(dir, '.jsii.tabl.json.gz');
  const tablet = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf-8'));
  const bySource = new Map<string, Record<string, string>>();
  for (const snippet of Object.values<any>(tablet.snippets)) {
    const translations: Record<string, string> = {};
    for (const [language, translation] of Object.entries<any>(snippet.translations)) {
      translations[language] = translation.source;
    }
    bySource.set(snippet.translations.$.source.trim(), translations);
  }
  return bySource;
}

/** Replaces the TypeScript left in a language's code blocks by aws-cdk-lib's translation of it. */
function translateInheritedExamples(markdown: string, language: string, translations: Map<string, Record<string, string>>): string {
  return markdown.replace(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'), (block: string, code: string) => {
    const translated = translations.get(code.trim())?.[language];
    return translated ? `\`\`\`${language}\n${translated.trim()}\n\`\`\`` : block;
  });
}

async function main() {
  LANGUAGE_SPECIFIC[Language.GO.toString()].transpile = new CompilingGoTranspile();
  LANGUAGE_SPECIFIC[Language.PYTHON.toString()].transpile = new TypedPythonTranspile();
  const docs = await Documentation.forProject(ROOT);
  const translations = awsCdkLibTranslations();
  fs.mkdirSync(path.join(ROOT, 'docs', 'api'), { recursive: true });
  for (const name of API_LANGUAGES) {
    const language = Language.fromString(name);
    const markdown = (await docs.toMarkdown({ language, allSubmodules: true })).render();
    const file = path.join(ROOT, 'docs', 'api', `API.${name}.md`);
    fs.writeFileSync(file, translateInheritedExamples(markdown, name, translations));
    console.log(`docgen-languages: ${path.relative(ROOT, file)}`);
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
