/**
 * The embedded telemetry store writes on a worker thread (embedded-writer.ts): what the hub relies
 * on is that `write` resolves only once the points are committed (it acks right after, contract
 * clause 3), that a failed write rejects (ingest defers it, the gateways keep the points) without
 * stopping the next ones, and that the store opens and closes cleanly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedTelemetryStore } from './embedded.js';
import { EmbeddedWriter } from './embedded-writer.js';
import type { TelemetryPoint } from './store.js';

const log = pino({ level: 'silent' });
const NOW = Date.now();
const points = (count: number, value: number): TelemetryPoint[] =>
  Array.from({ length: count }, (_, i) => ({
    gatewayId: 'gw-1',
    deviceId: 'meter-1',
    observedAt: NOW - 60_000 + i,
    fields: { energy_kwh: value + i },
  }));

/** What another connection (another process, a restarted hub) finds in the file. */
function readBack(file: string): { time: number; fields: string }[] {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare('SELECT time, fields FROM telemetry ORDER BY time').all() as {
      time: number;
      fields: string;
    }[];
  } finally {
    db.close();
  }
}

describe('embedded telemetry store (writer thread)', () => {
  let dir: string;
  let file: string;
  let store: EmbeddedTelemetryStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anxin-embedded-'));
    file = join(dir, 'telemetry.db');
    store = new EmbeddedTelemetryStore(file, 30, log);
    await store.start();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the points committed when write resolves; a replay overwrites, never duplicates', async () => {
    await store.write(points(2000, 1));
    const rows = readBack(file);
    expect(rows).toHaveLength(2000);
    expect(JSON.parse(rows[0]?.fields ?? '{}')).toEqual({ energy_kwh: 1 });
    await store.write(points(2000, 1));
    expect(readBack(file)).toEqual(rows);
    // The store's own reads see them too (charts).
    expect(store.query('gw-1', 'meter-1')).toHaveLength(2000);
  });

  it('rejects a write that fails with the reason, and keeps serving the next ones', async () => {
    const other = new BetterSqlite3(file);
    other.exec('ALTER TABLE telemetry RENAME TO moved');
    await expect(store.write(points(3, 1))).rejects.toThrow(/no such table/);
    other.exec('ALTER TABLE moved RENAME TO telemetry');
    other.close();
    await store.write(points(3, 1));
    expect(readBack(file)).toHaveLength(3);
  });

  it('refuses writes once closed, and a writer that cannot prepare its table fails at start', async () => {
    await store.close();
    await expect(store.write(points(1, 1))).rejects.toThrow(/not open/);
    const bare = join(dir, 'no-table.db');
    new BetterSqlite3(bare).close();
    const writer = new EmbeddedWriter(bare);
    await expect(writer.start()).rejects.toThrow(/no such table/);
    await writer.close();
  });
});
