/** The InfluxQL builder: escaping and the shape of the statements (pure). */
import { describe, expect, it } from 'vitest';
import {
  bucketedSeriesStatement,
  quoteIdent,
  quoteString,
  rawSeriesStatement,
} from './influxql.js';

describe('InfluxQL escaping', () => {
  it('escapes backslash, its own quote and newline, and leaves the other quote alone', () => {
    expect(quoteString(`o'brien`)).toBe(`'o\\'brien'`);
    expect(quoteString('ends with \\')).toBe(`'ends with \\\\'`);
    expect(quoteString(`a\\' OR '1'='1`)).toBe(`'a\\\\\\' OR \\'1\\'=\\'1'`);
    expect(quoteString('two\nlines "x"')).toBe(`'two\\nlines "x"'`);
    expect(quoteIdent('power_w')).toBe('"power_w"');
    expect(quoteIdent(`a"b\\c'd`)).toBe(`"a\\"b\\\\c'd"`);
  });
});

describe('InfluxQL series statements', () => {
  const devices = [
    { gatewayId: 'gw-1', deviceId: 'meter-1' },
    { gatewayId: 'gw-2', deviceId: `x' OR '1'='1` },
  ];

  it('selects one field per device pair in [from, to), per series limited', () => {
    expect(rawSeriesStatement({ field: 'power_w', devices, from: 1000, to: 2000, limit: 11 })).toBe(
      `SELECT "power_w" AS "value" FROM "telemetry" WHERE time >= 1000ms AND time < 2000ms AND ` +
        `(("gateway" = 'gw-1' AND "device" = 'meter-1') OR ("gateway" = 'gw-2' AND "device" = 'x\\' OR \\'1\\'=\\'1')) ` +
        `GROUP BY "gateway", "device" ORDER BY time ASC LIMIT 11`,
    );
  });

  it('buckets from `from` with mean or last, width ceil(span / maxPoints)', () => {
    const q = { field: 'presence', devices: devices.slice(0, 1), from: 1_000_003, to: 1_001_003 };
    expect(bucketedSeriesStatement({ ...q, maxPoints: 10, aggregate: 'last' })).toBe(
      `SELECT last("presence") AS "value" FROM "telemetry" WHERE time >= 1000003ms AND time < 1001003ms AND ` +
        `(("gateway" = 'gw-1' AND "device" = 'meter-1')) ` +
        `GROUP BY time(100ms, 3ms), "gateway", "device" fill(none)`,
    );
    expect(
      bucketedSeriesStatement({ ...q, to: q.from + 1001, maxPoints: 10, aggregate: 'mean' }), // 1 000 003 mod 101 = 2
    ).toMatch(/^SELECT mean\("presence"\) .* GROUP BY time\(101ms, 2ms\)/);
  });

  it('refuses times that are not integer ms and an empty device list', () => {
    const q = { field: 'power_w', devices, limit: 5 };
    expect(() => rawSeriesStatement({ ...q, from: 1.5, to: 2 })).toThrow(RangeError);
    expect(() => rawSeriesStatement({ ...q, from: 0, to: Number.NaN })).toThrow(RangeError);
    expect(() => rawSeriesStatement({ ...q, devices: [], from: 0, to: 1 })).toThrow(RangeError);
  });
});
