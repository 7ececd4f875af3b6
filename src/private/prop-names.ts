import { PUBLIC_STRUCTS, STRUCT_KEYS } from './struct-keys.generated';

/**
 * Prop names in messages, spelt the way the user wrote them in their language.
 *
 * Messages name props in single quotes, in the TypeScript spelling ('runDeadline', 'steps[1].dependsOn'). A Python user
 * wrote `run_deadline=`, a Go user `RunDeadline:`. The library runs in Node.js under every language, and learns the
 * host from the `JSII_AGENT` variable that each jsii runtime sets on the Node.js process it starts (jsii 1.x runtimes,
 * checked against jsii 1.140.0):
 * - Python: `Python/<platform.python_version()>`, e.g. `Python/3.12.1` (aws/jsii,
 *   packages/@jsii/python-runtime/src/jsii/_kernel/providers/process.py).
 * - Java: `Java/<java.version>`, e.g. `Java/21.0.2` (aws/jsii,
 *   packages/@jsii/java-runtime/project/src/main/java/software/amazon/jsii/JsiiRuntime.java).
 * - Go: `<runtime.Version()>/<GOOS>/<GOARCH>`, e.g. `go1.22.3/linux/amd64` (aws/jsii,
 *   packages/@jsii/go-runtime/jsii-runtime-go/internal/kernel/process/process.go); a development toolchain's
 *   runtime.Version() starts with `devel`.
 * - .NET: `DotNet/<version>/<framework>/<runtime>` (aws/jsii,
 *   packages/@jsii/dotnet-runtime/src/Amazon.JSII.Runtime/Services/NodeProcess.cs).
 * - No `JSII_AGENT`: the library was loaded by Node.js itself, so the user wrote TypeScript or JavaScript (aws-cdk-lib
 *   reads the variable the same way for its runtime information, and assumes Node.js when it is unset).
 *
 * What is rewritten: a single-quoted name, or a path of names ('steps[1].dependsOn'), each of whose names is a property
 * of a public struct (src/private/struct-keys.generated.ts). Python gets snake_case (`run_deadline`, as jsii names the
 * keyword argument), Go and .NET PascalCase (`RunDeadline`, the struct field), Java, TypeScript and JavaScript keep
 * camelCase (the builder method, the object key). What is left alone: double-quoted names (a key as it must be written
 * in a dict, which jsii passes unconverted), names that are no struct property, and a quoted value, i.e. a quoted name
 * right after a word that introduces a value (`is 'x'`, `got 'x'`, `Step 'x'`, `for example 'x'`, `'routeName' 'x'` ...): a parameter or
 * step a user named 'timeout' stays 'timeout'. When in doubt a name is left in the TypeScript spelling.
 *
 * Where jsii cannot tell: a `JSII_AGENT` this library does not recognise (a runtime newer than this list) keeps the
 * TypeScript spelling and adds both other spellings of each name once, at the end of the message.
 */

/** The language a user's app is written in, as far as `JSII_AGENT` tells. */
export type HostLanguage = 'typescript' | 'python' | 'java' | 'go' | 'dotnet' | 'unknown';

/** The host language from a `JSII_AGENT` value (by default the process's). */
export function hostLanguage(agent: string | undefined = process.env.JSII_AGENT): HostLanguage {
  if (agent === undefined || agent.trim() === '') return 'typescript';
  if (/^python\//i.test(agent)) return 'python';
  if (/^java\//i.test(agent)) return 'java';
  if (/^dotnet\//i.test(agent)) return 'dotnet';
  if (/^(go\d|golang\/|go\/|devel )/i.test(agent)) return 'go';
  if (/^node(\.js)?\//i.test(agent)) return 'typescript';
  return 'unknown';
}

/** Python's reserved words, to which jsii appends `_` (`from` -> `from_`). */
const PYTHON_KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif',
  'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or',
  'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);

/** `dependsOn` -> `depends_on`, `maxvCpus` -> `maxv_cpus`: the keyword argument jsii generates for Python. */
export function snakeCase(name: string): string {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
  return PYTHON_KEYWORDS.has(snake) ? `${snake}_` : snake;
}

/** `dependsOn` -> `DependsOn`: the struct field jsii generates for Go and .NET. */
export function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** A struct property named as `host` writes it. */
export function spellProp(name: string, host: HostLanguage = hostLanguage()): string {
  switch (host) {
    case 'python': return snakeCase(name);
    case 'go':
    case 'dotnet': return pascalCase(name);
    default: return name;
  }
}

/** Every property name of every public struct: the names a user writes. */
const PUBLIC_PROP_NAMES: ReadonlySet<string> = new Set(PUBLIC_STRUCTS.flatMap(struct => STRUCT_KEYS[struct] ?? []));

/** Whether `name` is a property of a public struct. */
export function isPublicPropName(name: string): boolean {
  return PUBLIC_PROP_NAMES.has(name);
}

/** A single-quoted name or path of names ('steps[1].dependsOn'), not inside a word (`job's 'x'` quotes 'x' only). */
const QUOTED_PATH = /(?<![\w'])'([A-Za-z_]\w*(?:\[\d+\])?(?:\.[A-Za-z_]\w*(?:\[\d+\])?)*)'(?![\w'])/g;

/**
 * The words after which a quoted name is a value the user gave, not a prop (`'routeName' is 'nightly'`,
 * `Step 'extract'`, `'dependsOn' 'load'`). Matched against the text just before the opening quote.
 */
const VALUE_BEFORE = new RegExp('(?:\\b(?:is|got|entry|declares(?: no)?|holds|[Ss]tep|name|key|region|registryId|workload'
  + '|default of|unit|value|field|runs in|not|example|day-of-month|day-of-week)|e\\.g\\.|\'[A-Za-z_]\\w*\') $');

/** The names of `path` rewritten for `host` (`steps[1].dependsOn` -> `steps[1].depends_on`), or undefined if none is a prop. */
function spellPath(path: string, host: HostLanguage): string | undefined {
  let changed = false;
  const spelt = path.replace(/[A-Za-z_]\w*/g, name => {
    if (!isPublicPropName(name)) return name;
    changed = true;
    return spellProp(name, host);
  });
  return changed ? spelt : undefined;
}

/** Marks the note added for an unrecognised host, so a message rewritten twice (an error wrapping another) has one. */
const NOTE_START = ' [names in TypeScript spelling; in Python | Go and C#: ';

/**
 * `message` with the prop names it quotes spelt in the host language (see the module comment). Idempotent: a message
 * rewritten already (an error that wraps another's message) comes out the same.
 */
export function inHostSpelling(message: string, agent: string | undefined = process.env.JSII_AGENT): string {
  const host = hostLanguage(agent);
  if (host === 'typescript' || host === 'java') return message;
  const text = host === 'unknown' ? withoutNote(message) : message;
  const named: string[] = [];
  const rewritten = text.replace(QUOTED_PATH, (quoted: string, path: string, offset: number) => {
    if (VALUE_BEFORE.test(text.slice(Math.max(0, offset - 40), offset))) return quoted;
    if (host === 'unknown') {
      if (spellPath(path, 'python') !== undefined && !named.includes(path)) named.push(path);
      return quoted;
    }
    const spelt = spellPath(path, host);
    return spelt === undefined ? quoted : `'${spelt}'`;
  });
  if (host !== 'unknown' || named.length === 0) return rewritten;
  const both = named.map(path => `${path} = ${spellPath(path, 'python')} | ${spellPath(path, 'go')}`).join(', ');
  return `${rewritten}${NOTE_START}${both}]`;
}

/** `message` without the note `inHostSpelling` adds for an unrecognised host. */
function withoutNote(message: string): string {
  const at = message.indexOf(NOTE_START);
  return at < 0 ? message : message.slice(0, at);
}

/** Each of `messages` (what a `node.addValidation` check returns) in the host's spelling. */
export function inHostSpellingEach(messages: string[]): string[] {
  return messages.map(message => inHostSpelling(message));
}

/**
 * The error every check in src/ throws for input it refuses: its message names props as the user wrote them
 * (`inHostSpelling`). test/architecture.test.ts fails on a `throw new Error(` in src/ (src/cli/ aside, a Node.js
 * command whose users type flags, not props).
 */
export class ValidationError extends Error {
  constructor(message: string) {
    super(inHostSpelling(message));
  }
}
