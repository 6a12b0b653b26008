/** The Flux builder: escaping and the shape of the queries (pure; no InfluxDB 2.x here). */
import { describe, expect, it } from 'vitest';
import { bucketedFluxQuery, rawFluxQuery } from './flux.js';
import { parseRfc3339Ms } from './influx2.js';

const from = Date.parse('2026-11-22T00:00:00.003Z');
const to = from + 86_400_000;

describe('Flux series queries', () => {
  it('reads the fields of the device pairs in [from, to), point by point, limited per series', () => {
    const q = rawFluxQuery({
      bucket: 'anxin',
      fields: ['power_w', 'presence'],
      devices: [
        { gatewayId: 'gw-1', deviceId: 'meter-1' },
        { gatewayId: 'gw-2', deviceId: 'radar-1' },
      ],
      from,
      to,
      limit: 501,
    });
    expect(q).toBe(
      [
        'from(bucket: "anxin")',
        '  |> range(start: time(v: "2026-11-22T00:00:00.003Z"), stop: time(v: "2026-11-23T00:00:00.003Z"))',
        '  |> filter(fn: (r) => r._measurement == "telemetry")',
        '  |> filter(fn: (r) => r._field == "power_w" or r._field == "presence")',
        '  |> filter(fn: (r) => (r.gateway == "gw-1" and r.device == "meter-1") or (r.gateway == "gw-2" and r.device == "radar-1"))',
        '  |> group(columns: ["gateway", "device", "_field"])',
        '  |> sort(columns: ["_time"])',
        '  |> limit(n: 501)',
        '  |> keep(columns: ["_time", "_value", "gateway", "device", "_field"])',
      ].join('\n'),
    );
  });

  it('downsamples with aggregateWindow from `from`, stamped at the window start', () => {
    const q = bucketedFluxQuery({
      bucket: 'anxin',
      fields: ['presence'],
      devices: [{ gatewayId: 'gw-1', deviceId: 'radar-1' }],
      from,
      to,
      maxPoints: 500,
      aggregate: 'last',
    });
    // 86 400 000 / 500 = 172 800 ms; from mod 172 800 = 3 ms.
    expect(q).toContain(
      '  |> sort(columns: ["_time"])\n' +
        '  |> aggregateWindow(every: 172800ms, offset: 3ms, fn: last, timeSrc: "_start", createEmpty: false)\n',
    );
    expect(
      bucketedFluxQuery({
        bucket: 'anxin',
        fields: ['power_w'],
        devices: [{ gatewayId: 'gw-1', deviceId: 'meter-1' }],
        from: 0,
        to: 1001,
        maxPoints: 10,
        aggregate: 'mean',
      }),
    ).toContain('aggregateWindow(every: 101ms, offset: 0ms, fn: mean,');
  });

  it('escapes every name into a string literal: quotes, backslashes, newlines and ${', () => {
    const q = rawFluxQuery({
      bucket: 'b") |> drop() //',
      fields: ['power_w" or true or r._field == "x'],
      devices: [{ gatewayId: 'gw\\', deviceId: 'd\n${token}' }],
      from,
      to,
      limit: 10,
    });
    expect(q).toContain('from(bucket: "b\\") |> drop() //")');
    expect(q).toContain('r._field == "power_w\\" or true or r._field == \\"x")');
    expect(q).toContain('(r.gateway == "gw\\\\" and r.device == "d\\n\\${token}")');
    // Every line is one pipeline stage: nothing broke out onto a line of its own.
    expect(q.split('\n').length).toBe(9);
  });

  it('refuses non-integer times, empty field or device lists', () => {
    const base = { bucket: 'b', fields: ['power_w'], devices: [{ gatewayId: 'g', deviceId: 'd' }] };
    expect(() => rawFluxQuery({ ...base, from: 0.5, to, limit: 1 })).toThrow(RangeError);
    expect(() => rawFluxQuery({ ...base, fields: [], from, to, limit: 1 })).toThrow(RangeError);
    expect(() => rawFluxQuery({ ...base, devices: [], from, to, limit: 1 })).toThrow(RangeError);
  });

  it('reads Flux times (RFC 3339 up to nanoseconds) as epoch ms', () => {
    expect(parseRfc3339Ms('2026-11-22T00:00:00.003456789Z')).toBe(from);
    expect(parseRfc3339Ms('2026-11-22T00:00:00Z')).toBe(from - 3);
    expect(parseRfc3339Ms('not a time')).toBeUndefined();
    expect(parseRfc3339Ms(5)).toBeUndefined();
  });
});
