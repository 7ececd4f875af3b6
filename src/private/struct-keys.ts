import { Token } from 'aws-cdk-lib';
import { hostLanguage, snakeCase, ValidationError } from './prop-names';
import { BOOLEAN_KEYS, NESTED_STRUCTS, STRUCT_KEYS } from './struct-keys.generated';
import { describeTyped } from './validate';

/**
 * Synth-time refusal of keys a struct does not have. From Python a struct written as a dict keeps the keys as written
 * (`depends_on`, not `dependsOn`), and from JavaScript a misspelt key passes the compiler: either way the field would
 * be silently ignored. The known keys come from src/private/struct-keys.generated.ts (scripts/struct-keys.ts reads
 * them from the interfaces), so they cannot drift.
 */

/**
 * Marks props the library built itself (e.g. a workload's props spread into its job's): they are not checked. A
 * non-enumerable symbol on the object, so the mark is no key, is not copied by a spread and keeps no module state.
 */
const BUILT_BY_LIBRARY = Symbol.for('cdk-scheduled-batch.builtByLibrary');

/**
 * Marks `props` as built by the library from props already checked at the user-facing boundary, so the construct it
 * is passed to does not check it again: a spread (`{ ...props, platform }`) carries the outer struct's other keys.
 */
export function builtByLibrary<T extends object>(props: T): T {
  Object.defineProperty(props, BUILT_BY_LIBRARY, { value: true, enumerable: false });
  return props;
}

/** At most this many known keys are listed when none is close to the unknown one. */
const LISTED_KEYS = 6;

/**
 * Fails when `value`, given as the struct `structName`, has a key the struct does not have, naming the nearest known
 * key; then checks the nested structs the library reads (e.g. each of `steps`). `where` says where the struct sits, e.g.
 * `steps[1]`. `undefined`, tokens, class instances and objects the library built itself are not checked.
 */
export function rejectUnknownKeys(structName: string, value: unknown, where?: string): void {
  if (!isPlainObject(value) || (value as { [BUILT_BY_LIBRARY]?: boolean })[BUILT_BY_LIBRARY]) return;
  const known = STRUCT_KEYS[structName];
  if (!known) throw new ValidationError(`internal: no known keys for struct ${structName} (run "npx projen struct-keys")`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new ValidationError(unknownKeyMessage(structName, key, known, where));
  }
  // A boolean given as a string ('false' from JavaScript or a Python dict) is truthy: it would turn the option on.
  for (const key of BOOLEAN_KEYS[structName] ?? []) {
    const given = value[key];
    if (given === undefined || given === null || typeof given === 'boolean' || Token.isUnresolved(given)) continue;
    throw new ValidationError(`'${key}'${where ? ` (in '${where}')` : ''} is ${describeTyped(given, 'boolean')}: give true or false.`);
  }
  for (const [prop, nestedType] of Object.entries(NESTED_STRUCTS[structName] ?? {})) {
    const nested = value[prop];
    const path = where ? `${where}.${prop}` : prop;
    if (nestedType.endsWith('[]')) {
      if (Array.isArray(nested)) nested.forEach((element, i) => rejectUnknownKeys(nestedType.slice(0, -2), element, `${path}[${i}]`));
    } else {
      rejectUnknownKeys(nestedType, nested, path);
    }
  }
}

/** A struct as it reaches the library: an object literal (or a dict from Python), not a token or a class instance. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Token.isUnresolved(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Why `key` is refused, and the key meant. The message goes through `ValidationError`, which spells the single-quoted
 * prop names in the user's language. From Python an unknown key can only come from a dict (a struct class refuses an
 * unknown keyword argument itself), whose keys reach the library as written: there the message gives both spellings,
 * the dict key double-quoted (left as it is) and the struct class's keyword argument. A host jsii does not name
 * (src/private/prop-names.ts) gets the Python hint when the key is snake_case.
 */
function unknownKeyMessage(structName: string, key: string, known: readonly string[], where: string | undefined): string {
  const nearest = nearestKey(key, known);
  const at = where ? ` (in '${where}')` : '';
  const host = hostLanguage();
  if (host === 'python') {
    const hint = nearest
      ? `, so write the key as "${nearest}", or use the struct class: ${structName}(${snakeCase(nearest)}=...)`
      : `; the keys of ${structName} are ${listed(known, k => `"${k}"`)} (or use the struct class ${structName}(...) with keyword arguments)`;
    return `'${key}' is not a property of ${structName}${at}: a dict's keys reach the library unconverted${hint}.`;
  }
  const hint = nearest ? `did you mean '${nearest}'?` : `the known properties include ${listed(known, k => `'${k}'`)}.`;
  const python = host === 'unknown' && key.includes('_')
    ? ` (Python: snake_case keys of a dict are not converted; use the struct class, e.g. ${structName}(${nearest ? snakeCase(nearest) : key}=...), or camelCase keys)`
    : '';
  return `'${key}' is not a property of ${structName}${at}: ${hint}${python}`;
}

/** The first `LISTED_KEYS` of `known`, each quoted by `quote`, and how many there are when not all are listed. */
function listed(known: readonly string[], quote: (key: string) => string): string {
  return `${known.slice(0, LISTED_KEYS).map(quote).join(', ')}${known.length > LISTED_KEYS ? `, … (${known.length} in all)` : ''}`;
}

/** Lower case, without `_` or `-`: `depends_on`, `DependsOn` and `dependsOn` are the same key. */
function normalise(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/**
 * The known key nearest to `key` by edit distance after normalising case and underscores, when it is close enough to
 * be a misspelling (at most a third of the key's length, and 3, edits); otherwise undefined.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const wanted = normalise(key);
  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(wanted, normalise(candidate));
    if (distance <= limit && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

/** Edit distance: insertions, deletions, substitutions and swaps of two neighbours each cost 1 (`nmae` is 1 from `name`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 },
    (_, i) => Array.from({ length: b.length + 1 }, (__, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
