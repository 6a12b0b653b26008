import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.js';
import { errorMessage } from '@anxin/protocol';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into UsageError (exit code 2 with usage). */
export function parseCommandArgs<const O extends Options>(
  args: string[],
  options: O,
  allowPositionals = false,
): ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>
> {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}

/** Parses a positive integer option, naming the flag when it is wrong. */
export function intOption(
  value: string | undefined,
  flag: string,
  fallback: number,
  min = 1,
  max = 1_000_000,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}
