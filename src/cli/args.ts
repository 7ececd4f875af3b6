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

/** `util.parseArgs` in strict mode, its errors turned into usage errors that name the flag. */
export function parseFlags<T extends FlagSpec>(argv: string[], options: T): Flags<T> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Flags<T>;
  } catch (e) {
    const message = (e as Error).message;
    const flag = /'(-[^' ]+)/.exec(message)?.[1];
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown flag '${flag}'.`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`flag '${flag}' needs a value.`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`unexpected argument: ${message.replace(/^.*?'/, '\'')}`);
    throw new UsageError(message);
  }
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
