/**
 * What the command-line tools share: flag parsing whose mistakes are usage errors naming the flag, bounded whole
 * numbers, and the two output channels. Node built-ins only.
 */
import { parseArgs, ParseArgsConfig } from 'util';

/** A mistake in the command line: exit status 2, with the usage. */
export class UsageError extends Error {}

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export const STDIO: Io = { out: line => process.stdout.write(`${line}\n`), err: line => process.stderr.write(`${line}\n`) };

/** The flags of a command, as `util.parseArgs` takes them. */
export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** The parsed flags: each a string, or a boolean for a boolean flag; absent when not given. */
export type Flags<T extends FlagSpec> = {
  readonly [K in keyof T]?: T[K] extends { type: 'boolean' } ? boolean : T[K] extends { multiple: true } ? string[] : string
};

/**
 * The most characters of one flag value. Every value ends up in an argument of the `aws` CLI, and Linux refuses an
 * argument over 131,072 bytes (`MAX_ARG_STRLEN`) with E2BIG; no name, id, path or time comes near this.
 */
export const MAX_FLAG_CHARS = 4096;

/**
 * `util.parseArgs` in strict mode, its errors turned into usage errors that name the flag. A flag given twice (but one
 * that takes several values) and an empty or over-long value are usage errors too: the last value silently winning, or
 * an empty `--region` silently meaning the default one, acts on something other than what was asked.
 */
export function parseFlags<T extends FlagSpec>(argv: string[], options: T): Flags<T> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false, tokens: true });
  } catch (e) {
    const message = (e as Error).message;
    const flag = /'(?:-\w, )?(-[^' ]*)'?/.exec(message)?.[1] ?? /'(-[^' ]+)/.exec(message)?.[1];
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown flag '${/^Unknown option '(.*)'/.exec(message)?.[1] ?? flag}'.`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(/does not take an argument/.test(message) ? `flag '${flag}' takes no value: give it alone to turn it on.` : `flag '${flag}' needs a value.`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`unexpected argument: ${message.replace(/^.*?'/, '\'')}`);
    throw new UsageError(message);
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (!spec.multiple && seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once: give it once.`);
    seen.add(token.name);
    if (spec.type !== 'string') continue;
    const value = token.value ?? '';
    if (value.trim() === '') throw new UsageError(`--${token.name} is empty: give a value, or leave the flag out.`);
    if (value.length > MAX_FLAG_CHARS) throw new UsageError(`--${token.name} is ${value.length.toLocaleString('en-US')} characters long: at most ${MAX_FLAG_CHARS.toLocaleString('en-US')}.`);
  }
  return parsed.values as Flags<T>;
}

/** The whole number `text` gives for `--<flag>`, from 1 to `max`; `fallback` when the flag is absent. */
export function positiveInteger(flag: string, text: string | undefined, fallback: number, max?: number): number {
  return text === undefined ? fallback : wholeNumber(flag, text, 1, max);
}

/** The whole number `text` gives for `--<flag>`, from `min` to `max`. */
export function wholeNumber(flag: string, text: string, min: number, max?: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || (max !== undefined && n > max)) {
    throw new UsageError(`--${flag} is '${text}': give a whole number from ${min}${max !== undefined ? ` to ${max}` : ''}.`);
  }
  return n;
}
