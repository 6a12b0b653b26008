/**
 * A JSON value as a schema and a type (issue 14: no `unknown` in the contract). Used where the
 * contract carries free-form JSON: a command's answer, an audit entry's detail.
 *
 * The schema is recursive (`Type.Recursive`, a `$id` and `$ref`s to it) and nothing else, so that
 * every consumer compiles it natively: TypeBox's TypeCompiler (the MQTT contract), Fastify's
 * serializer fast-json-stringify (which passes each value through by its branch — an object
 * schema without open properties would serialize as `{}`), Ajv (the response check) and
 * @fastify/swagger (one `components` entry). `Type.Unsafe` is not an option: TypeCompiler refuses
 * a kind it does not know, and refused every command result.
 *
 * One limit: a `$id` may occur once in a schema document (Ajv and fast-json-stringify refuse a
 * second one: "resolves to more than one schema"), so a response schema may hold JsonValue or
 * JsonObject in one place only. Fastify compiles every response schema when the hub starts, so a
 * second one fails every hub test, not a request.
 */
import { Type, type TSchema } from '@sinclair/typebox';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

/**
 * The schema, typed as JsonValue: TypeBox's own static type of a recursive schema is unrolled a
 * few levels deep into a type no one can name or extend (a value nested one level deeper than the
 * unrolling does not fit it). tsc checks here that the unrolled type is assignable to JsonValue.
 */
export interface TJsonValue extends TSchema {
  static: JsonValue;
}

export const JsonValueSchema: TJsonValue = Type.Recursive(
  (This) =>
    Type.Union([
      Type.Null(),
      Type.Boolean(),
      Type.Number(),
      Type.String(),
      Type.Array(This),
      Type.Record(Type.String(), This),
    ]),
  { $id: 'JsonValue', description: 'any JSON value' },
);

/** A JSON object whose values are any JSON; `keyOptions` limit its keys (e.g. their length). */
export function jsonObjectSchema(keyOptions: { maxLength?: number } = {}) {
  return Type.Record(Type.String(keyOptions), JsonValueSchema);
}

/** JSON.parse, typed: what it returns is JSON. Throws a SyntaxError as JSON.parse does. */
export function parseJson(text: string): JsonValue {
  // JSON.parse is typed `any`; what it makes is only ever null, booleans, numbers, strings,
  // arrays and plain objects of them — a JsonValue.
  return JSON.parse(text) as JsonValue;
}

/** Whether any value is an object one can read properties of by name (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether any value is an array, its items still unknown: Array.isArray narrows to `any[]`, which
 * would let its items be used unchecked.
 */
export function isUnknownArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

/** Whether a JSON value is an object (not null, not an array). */
export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An object's defined properties, as JSON: what JSON.stringify would keep of an object whose
 * optional properties may be undefined (a request body, a row with optional columns).
 */
export function definedJson(object: { [key: string]: JsonValue | undefined }): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out;
}
