/**
 * Acked telemetry leaves the file with the next write transaction, not in one of its own
 * (outbox.ts): until then no answer of the outbox may count or send it, no bound may count it as
 * dropped, and it must be gone after a close. A second connection reads the file meanwhile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox, type OutboxOptions } from './outbox.js';

let dir: string;
let file: string;
let reader: Database.Database;
let clock: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-acked-'));
  file = join(dir, 'outbox.db');
  clock = 1_000;
  open().close();
  reader = new Database(file, { readonly: true });
});
afterEach(() => {
  reader.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(overrides: Partial<OutboxOptions> = {}): Outbox {
  return new Outbox({
    file,
    maxTelemetryEvents: 1000,
    maxTelemetryAgeMs: 3_600_000,
    fsync: { alarm: 'full', telemetry: 'normal' },
    now: () => clock,
    ...overrides,
  });
}

const telemetry = (v = 1) =>
  ({
    type: 'telemetry',
    observedAt: clock,
    deviceId: 'meter1',
    fields: { energy_kwh: v },
  }) as const;
const alarm = () =>
  ({ type: 'alarm', observedAt: clock, deviceId: 'sos1', kind: 'sos', action: 'raise' }) as const;
const inFile = (lane: 'alarm' | 'telemetry' = 'telemetry') =>
  reader
    .prepare<[], { seq: number }>(`SELECT seq FROM ${lane}_outbox ORDER BY seq`)
    .all()
    .map((r) => r.seq);

describe('acked telemetry', () => {
  it('is gone from every answer at once, and from the file with the next append', () => {
    const outbox = open();
    const [a, b] = [outbox.append(telemetry()), outbox.append(telemetry())];
    expect(outbox.remove('telemetry', [a.seq, a.seq, 999])).toBe(1);
    expect(outbox.depthOf('telemetry')).toBe(1);
    expect(outbox.pending('telemetry', 0, 10).map((e) => e.seq)).toEqual([b.seq]);
    expect(inFile()).toEqual([a.seq, b.seq]);
    const c = outbox.append(telemetry());
    expect(inFile()).toEqual([b.seq, c.seq]);
    outbox.close();
  });

  it('is deleted before a read SQLite answers, before stats, and on close', () => {
    let outbox = open();
    const rows = [1, 2, 3].map((v) => outbox.append(telemetry(v)));
    outbox.close();
    // After a restart nothing is in memory: pending reads the file.
    outbox = open();
    const d = outbox.append(telemetry(4));
    outbox.remove('telemetry', [d.seq]);
    expect(inFile()).toContain(d.seq);
    expect(outbox.pending('telemetry', 0, 10).map((e) => e.seq)).toEqual(rows.map((r) => r.seq));
    expect(inFile()).not.toContain(d.seq);

    const e = outbox.append(telemetry(5));
    outbox.remove('telemetry', [e.seq]);
    expect(outbox.stats()).toMatchObject({ telemetryDepth: 3, oldestPendingAt: 1_000 });
    expect(inFile()).not.toContain(e.seq);

    const f = outbox.append(telemetry(6));
    outbox.remove('telemetry', [f.seq]);
    outbox.close();
    expect(inFile()).toEqual(rows.map((r) => r.seq));
  });

  it('is never counted as dropped by the count bound or the age bound', () => {
    const outbox = open({ maxTelemetryEvents: 3, maxTelemetryAgeMs: 500 });
    const [a, b] = [outbox.append(telemetry()), outbox.append(telemetry())];
    outbox.append(telemetry());
    outbox.remove('telemetry', [a.seq, b.seq]);
    // Three held, two of them acked: two more appends stay within the bound of three.
    const d = outbox.append(telemetry());
    outbox.append(telemetry());
    expect(outbox.stats()).toMatchObject({ telemetryDepth: 3, droppedTelemetry: 0 });
    outbox.remove('telemetry', [d.seq]);
    const last = outbox.append(telemetry());
    outbox.remove('telemetry', [last.seq]);
    clock += 1_000;
    expect(outbox.pruneTelemetry()).toBe(2);
    expect(outbox.stats()).toMatchObject({ telemetryDepth: 0, droppedTelemetry: 2 });
    expect(inFile()).toEqual([]);
    outbox.close();
  });

  it('stays listed when the transaction that would delete it fails, and goes with the next', () => {
    const outbox = open();
    const a = outbox.append(telemetry());
    outbox.remove('telemetry', [a.seq]);
    const bad = { ...telemetry(), fields: { energy_kwh: 10n } } as unknown as ReturnType<
      typeof telemetry
    >;
    expect(() => outbox.appendMany([telemetry(), bad])).toThrow();
    expect(inFile()).toEqual([a.seq]);
    expect(outbox.depthOf('telemetry')).toBe(0);
    const b = outbox.append(alarm());
    outbox.remove('alarm', [b.seq]);
    expect([inFile(), inFile('alarm')]).toEqual([[], []]);
    outbox.close();
  });

  it('waits for the next write only when held in memory; older rows go at once, with it', () => {
    const outbox = open();
    const rows = outbox.appendMany(Array.from({ length: 300 }, (_, i) => telemetry(i)));
    // The newest 64 are held in memory (recent-rows.ts); their acks wait for the next write.
    const newest = rows.slice(-64).map((r) => r.seq);
    outbox.remove('telemetry', newest);
    expect(inFile()).toHaveLength(300);
    // Older rows are deleted at once, and the waiting acks with them.
    outbox.remove('telemetry', [rows[0]!.seq]);
    expect(inFile()).toHaveLength(300 - 65);
    outbox.close();
  });
});
