/**
 * InfluxQL text for reading telemetry series back from InfluxDB 1.x. Pure: every identifier and
 * string literal that reaches the text goes through quoteIdent / quoteString, so a field or
 * device name can never end the literal it sits in.
 *
 * Escapes follow the InfluxQL scanner (influxql/scanner.go, ScanString): inside '…' and "…" a
 * backslash escapes \, ', " and n; a raw newline makes the token invalid. The `influx` package's
 * own escape.stringLit escapes the quote but not the backslash (a value ending in \ would end the
 * literal early), hence these.
 */
import { bucketWidthMs } from './downsample.js';
import { MEASUREMENT, type TelemetrySeriesKey } from './store.js';

function escapeInside(value: string, quote: '"' | "'"): string {
  let out = '';
  for (const ch of value) {
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else out += ch;
  }
  return out;
}

/** An identifier (field, tag, measurement name) as a double-quoted InfluxQL identifier. */
export function quoteIdent(name: string): string {
  return `"${escapeInside(name, '"')}"`;
}

/** A value as a single-quoted InfluxQL string literal. */
export function quoteString(value: string): string {
  return `'${escapeInside(value, "'")}'`;
}

function epochMs(ms: number, what: string): string {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`${what} must be an integer epoch ms`);
  return `${ms}ms`;
}

/** The WHERE clause: the time range and one (gateway, device) pair per asked device. */
function whereClause(devices: TelemetrySeriesKey[], from: number, to: number): string {
  if (devices.length === 0) throw new RangeError('at least one device is needed');
  const pairs = devices
    .map(
      (d) =>
        `(${quoteIdent('gateway')} = ${quoteString(d.gatewayId)} AND ${quoteIdent('device')} = ${quoteString(d.deviceId)})`,
    )
    .join(' OR ');
  return `WHERE time >= ${epochMs(from, 'from')} AND time < ${epochMs(to, 'to')} AND (${pairs})`;
}

export interface InfluxqlSeriesQuery {
  field: string;
  devices: TelemetrySeriesKey[];
  from: number;
  to: number;
}

/** The column every statement answers the field's values in. */
export const VALUE_COLUMN = 'value';

/**
 * Point by point, one series per (gateway, device), at most `limit` points each: asked with
 * maxPoints + 1, a series that answers more than maxPoints needs downsampling.
 */
export function rawSeriesStatement(q: InfluxqlSeriesQuery & { limit: number }): string {
  if (!Number.isSafeInteger(q.limit) || q.limit < 1) throw new RangeError('limit must be ≥ 1');
  return [
    `SELECT ${quoteIdent(q.field)} AS ${quoteIdent(VALUE_COLUMN)} FROM ${quoteIdent(MEASUREMENT)}`,
    whereClause(q.devices, q.from, q.to),
    `GROUP BY ${quoteIdent('gateway')}, ${quoteIdent('device')} ORDER BY time ASC LIMIT ${q.limit}`,
  ].join(' ');
}

/**
 * Downsampled server-side into buckets of bucketWidthMs(from, to, maxPoints) starting at `from`
 * (the offset shifts InfluxDB's epoch-aligned buckets onto `from`), each stamped at its start:
 * mean of numbers, last of booleans and strings (downsample.ts says why).
 */
export function bucketedSeriesStatement(
  q: InfluxqlSeriesQuery & { maxPoints: number; aggregate: 'mean' | 'last' },
): string {
  const width = bucketWidthMs(q.from, q.to, q.maxPoints);
  const offset = ((q.from % width) + width) % width;
  return [
    `SELECT ${q.aggregate}(${quoteIdent(q.field)}) AS ${quoteIdent(VALUE_COLUMN)}`,
    `FROM ${quoteIdent(MEASUREMENT)}`,
    whereClause(q.devices, q.from, q.to),
    `GROUP BY time(${width}ms, ${offset}ms), ${quoteIdent('gateway')}, ${quoteIdent('device')} fill(none)`,
  ].join(' ');
}
