/**
 * Argument parsing shared by the commands: node:util's parseArgs, strict, with a misspelt
 * option or subcommand answered by "did you mean …" (the rules checker's suggestion helper)
 * instead of Node's generic message. The caller prints the message with its usage, exit 2.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { didYouMean } from '../lib/suggest.js';

/** The parsed value of each option: booleans, strings, or lists of strings for `multiple`. */
export type OptionValues<O extends ParseArgsOptionsConfig> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : O[K]['multiple'] extends true ? string[] : string;
};

/** Wrong arguments, found where a command cannot return its exit code: the CLI prints it and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type ParsedCommandLine<O extends ParseArgsOptionsConfig> =
  | { ok: true; values: OptionValues<O>; positionals: string[] }
  | { ok: false; message: string };

/**
 * Parses `args` against `options` (strictly: an unknown option is an error). An unknown
 * option's message suggests the closest known one: `unknown option --jsn (did you mean "--json"?)`.
 */
export function parseCommandLine<O extends ParseArgsOptionsConfig>(
  args: string[],
  options: O,
  settings: { allowPositionals?: boolean } = {},
): ParsedCommandLine<O> {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: settings.allowPositionals ?? false });
    return { ok: true, values: parsed.values as OptionValues<O>, positionals: parsed.positionals };
  } catch (error) {
    return { ok: false, message: describeArgumentError(error, Object.keys(options).map((name) => `--${name}`)) };
  }
}

/** The message for a parseArgs error; an unknown option gets the closest of `flags` (`--json`, …) suggested. */
export function describeArgumentError(thrown: unknown, flags: readonly string[]): string {
  const error = thrown as Error & { code?: string };
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /Unknown option '([^']+)'/.exec(error.message)?.[1] ?? '';
    return `unknown option ${option}${didYouMean(option, flags)}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const word = /Unexpected argument '([^']+)'/.exec(error.message)?.[1];
    return word === undefined ? error.message : `unexpected argument "${word}"`;
  }
  return error.message;
}

/** `unknown subcommand "lst" (did you mean "list"?)`, or `missing subcommand: one of add, list, expire`. */
export function subcommandProblem(word: string | undefined, subcommands: readonly string[]): string {
  if (word === undefined) return `missing subcommand: one of ${subcommands.join(', ')}`;
  return `unknown subcommand "${word}"${didYouMean(word, subcommands)}`;
}
