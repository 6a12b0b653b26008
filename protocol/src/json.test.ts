/**
 * The JSON value schema through every consumer of the contract's schemas: TypeBox's compiler (the
 * MQTT contract validates command results with it) and fast-json-stringify (Fastify serializes
 * every REST answer with it). A schema either cannot compile (a `Type.Unsafe` kind) or that loses
 * nested content on the way out (an object schema closed to its properties) fails here.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import fastJson from 'fast-json-stringify';
import { describe, expect, it } from 'vitest';
import { AuditEntrySchema } from './care/users.js';
import { GatewayCommandSchema } from './control.js';
import {
  definedJson,
  isJsonObject,
  JsonValueSchema,
  parseJson,
  type JsonObject,
  type JsonValue,
} from './json.js';
import { CommandResultSchema } from './messages.js';

const nested: JsonObject = {
  software_version: '1.2.3',
  gateway_time: 1_763_800_000_000,
  test_mode: false,
  test_mode_source: null,
  outbox: { alarmDepth: 0, oldest: -1.5 },
  ports: [{ port: '/dev/ttyUSB0', state: 'open', last_error: null, ids: [1, 2, [3, 'four']] }],
  devices: [],
  empty: {},
  deep: { a: { b: { c: { d: [true, false, null, 'e'] } } } },
};

/**
 * Whether the compiled check of `checked` passes `value[field]` (the whole value when no field is
 * named), and the value after Fastify's serializer with the whole schema. Only the JSON field is
 * checked of REST records: TypeCompiler knows no string formats (IsoTime's date-time) unless they
 * are registered, and the REST side validates with Ajv.
 */
function roundTrip<S extends TSchema & { properties: Record<string, TSchema> }>(
  schema: S,
  value: Record<string, unknown>,
  field?: keyof S['properties'] & string,
): { valid: boolean; out: unknown } {
  const checked = field === undefined ? schema : schema.properties[field];
  const valid = TypeCompiler.Compile(checked!).Check(field === undefined ? value : value[field]);
  const text: string = fastJson(schema)(value); // typed `any`: fast-json-stringify's generic
  const out: unknown = JSON.parse(text);
  return { valid, out };
}

describe('JSON values in the contract', () => {
  it('a command result carries nested objects and arrays through the compiled check and the serializer', () => {
    const result = { v: 1, id: 'cmd-1', ok: true, message: 'diagnostics', data: nested };
    expect(roundTrip(CommandResultSchema, result)).toEqual({ valid: true, out: result });
  });

  it('a gateway command record does the same, and its data may be null', () => {
    const record = {
      id: 'c1',
      gatewayId: 'gw-1',
      name: 'diagnostics',
      args: { device_id: 'radar-1' },
      status: 'succeeded',
      code: null,
      message: 'diagnostics',
      data: nested,
      requestedBy: 'u1',
      requestedAt: '2026-01-01T00:00:00.000Z',
      answeredAt: '2026-01-01T00:00:01.000Z',
      timeoutAt: '2026-01-01T00:00:30.000Z',
    };
    expect(roundTrip(GatewayCommandSchema, record, 'data')).toEqual({ valid: true, out: record });
    const unanswered = { ...record, data: null };
    expect(roundTrip(GatewayCommandSchema, unanswered, 'data')).toEqual({
      valid: true,
      out: unanswered,
    });
  });

  it('an audit entry’s detail is any JSON value: object, array, string, number, boolean, null', () => {
    const entry = (detail: JsonValue) => ({
      id: 1,
      at: '2026-01-01T00:00:00.000Z',
      userId: null,
      username: null,
      action: 'gateway.command',
      targetType: 'gateway',
      targetId: 'gw-1',
      detail,
    });
    for (const detail of [nested, [1, { a: [null] }], 'raw text', 0, 2.5, true, null])
      expect(roundTrip(AuditEntrySchema, entry(detail), 'detail')).toEqual({
        valid: true,
        out: entry(detail),
      });
  });

  it('refuses what JSON cannot hold, at any depth', () => {
    const check = TypeCompiler.Compile(JsonValueSchema);
    expect(check.Check({ a: { b: [1, 2] } })).toBe(true);
    expect(check.Check({ a: { b: [1, undefined] } })).toBe(false);
    expect(check.Check({ a: { b: () => 1 } })).toBe(false);
    expect(check.Check({ a: [new Date(0)] })).toBe(false);
    expect(check.Check(Number.NaN)).toBe(false);
    const result = TypeCompiler.Compile(CommandResultSchema);
    expect(result.Check({ v: 1, id: 'x', ok: true, data: { when: new Date(0) } })).toBe(false);
    expect(result.Check({ v: 1, id: 'x', ok: true, data: [1] })).toBe(false);
  });
});

describe('JSON helpers', () => {
  it('parseJson returns the parsed value and throws on text that is not JSON', () => {
    expect(parseJson('{"a":[1,{"b":null}]}')).toEqual({ a: [1, { b: null }] });
    expect(parseJson('"x"')).toBe('x');
    expect(() => parseJson('{not json')).toThrow(SyntaxError);
  });

  it('isJsonObject is true for objects only', () => {
    expect(isJsonObject({ a: 1 })).toBe(true);
    expect(isJsonObject({})).toBe(true);
    for (const v of [null, [], [{}], 'x', 1, true, undefined]) expect(isJsonObject(v)).toBe(false);
  });

  it('definedJson keeps what JSON.stringify keeps', () => {
    const body = { username: 'a', areaIds: undefined, residentIds: ['r1'], note: null };
    const kept = definedJson(body);
    expect(kept).toEqual({ username: 'a', residentIds: ['r1'], note: null });
    expect(Object.keys(kept)).toEqual(['username', 'residentIds', 'note']);
    expect(JSON.stringify(kept)).toBe(JSON.stringify(body));
  });
});
