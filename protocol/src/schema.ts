/**
 * Validation helpers over TypeBox schemas: compiled checks for hot paths (every MQTT message),
 * and error lists that name the offending path for people (config files, REST bodies).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { errorMessage } from './errors.js';

/** A string enum schema from a const tuple, typed as the union of its members. */
export function stringEnum<const T extends readonly string[]>(values: T) {
  const members = Object.fromEntries(values.map((v) => [v, v])) as { [K in T[number]]: K };
  return Type.Enum(members);
}

export interface SchemaIssue {
  /** JSON pointer of the offending value, e.g. `/events/0/seq`; `/` for the root. */
  path: string;
  message: string;
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Returns a cached compiled checker for a schema. */
export function checkerFor<T extends TSchema>(schema: T): TypeCheck<T> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check as TypeCheck<T>;
}

/** Validates a value; returns at most `limit` issues (empty when valid). */
export function schemaIssues(schema: TSchema, value: unknown, limit = 10): SchemaIssue[] {
  const check = checkerFor(schema);
  if (check.Check(value)) return [];
  const issues: SchemaIssue[] = [];
  for (const error of check.Errors(value)) {
    issues.push({ path: error.path === '' ? '/' : error.path, message: error.message });
    if (issues.length >= limit) break;
  }
  return issues;
}

/**
 * The text of a payload without copying it: `Buffer.from(bytes)` copies, and this runs for every
 * MQTT message the hub receives (issue 12 profile). A view over the same memory decodes the same.
 */
export function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

export type ParseResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      code: 'TOO_LARGE' | 'BAD_JSON' | 'SCHEMA';
      message: string;
      issues?: SchemaIssue[];
    };

/**
 * Parses an untrusted payload (MQTT message, device JSON) against a schema. Never throws: every
 * failure comes back with a stable code so callers can count and report it.
 */
export function parsePayload<T extends TSchema>(
  schema: T,
  payload: Uint8Array | string,
  maxBytes: number,
): ParseResult<Static<T>> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > maxBytes) {
    return {
      ok: false,
      code: 'TOO_LARGE',
      message: `payload of ${size} bytes exceeds ${maxBytes}`,
    };
  }
  let value: unknown;
  try {
    const text = typeof payload === 'string' ? payload : utf8(payload);
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'BAD_JSON', message: errorMessage(err) };
  }
  const issues = schemaIssues(schema, value, 5);
  if (issues.length > 0) {
    const first = issues[0];
    return {
      ok: false,
      code: 'SCHEMA',
      message: first ? `${first.path}: ${first.message}` : 'invalid',
      issues,
    };
  }
  return { ok: true, value: value as Static<T> };
}
