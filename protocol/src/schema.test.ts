/**
 * parsePayload reads the payload's own bytes, also when it is a view into a larger buffer (how
 * MQTT packets arrive: slices of the socket's read buffer), and every failure still comes back
 * with its stable code.
 */
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { parsePayload, utf8 } from './schema.js';

const Schema = Type.Object(
  { v: Type.Literal(1), name: Type.String() },
  { additionalProperties: false },
);

/** `json` as a slice of a larger buffer, with other bytes on both sides. */
function slice(json: string): Buffer {
  const around = Buffer.from('{"v":1,"name":"not this one"}');
  return Buffer.concat([around, Buffer.from(json), around]).subarray(
    around.length,
    around.length + Buffer.byteLength(json),
  );
}

describe('parsePayload', () => {
  it('decodes exactly the bytes of a slice, of a plain Uint8Array and of a string', () => {
    const json = '{"v":1,"name":"安心 gateway"}';
    const want = { ok: true, value: { v: 1, name: '安心 gateway' } };
    expect(parsePayload(Schema, slice(json), 1024)).toEqual(want);
    expect(parsePayload(Schema, new Uint8Array(Buffer.from(json)), 1024)).toEqual(want);
    expect(parsePayload(Schema, json, 1024)).toEqual(want);
    expect(utf8(slice('abc'))).toBe('abc');
  });

  it('refuses bad JSON, a schema mismatch and an oversized payload with their codes', () => {
    expect(parsePayload(Schema, slice('{"v":1,'), 1024)).toMatchObject({
      ok: false,
      code: 'BAD_JSON',
    });
    expect(parsePayload(Schema, slice('{"v":2,"name":"x"}'), 1024)).toMatchObject({
      ok: false,
      code: 'SCHEMA',
    });
    expect(parsePayload(Schema, slice('{"v":1,"name":"x"}'), 10)).toMatchObject({
      ok: false,
      code: 'TOO_LARGE',
    });
  });
});
