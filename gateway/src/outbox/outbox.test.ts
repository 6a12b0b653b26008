import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AlarmEventSchema,
  TelemetryEventSchema,
  checkerFor,
  type TelemetryEvent,
} from '@anxin/protocol';
import { Outbox, type OutboxOptions } from './outbox.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-outbox-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function open(overrides: Partial<OutboxOptions> = {}): Outbox {
  return new Outbox({
    file: join(dir, 'outbox.db'),
    maxTelemetryEvents: 1000,
    maxTelemetryAgeMs: 3_600_000,
    fsync: { alarm: 'full', telemetry: 'normal' },
    ...overrides,
  });
}

const alarm = (t = 1) =>
  ({ type: 'alarm', observedAt: t, deviceId: 'radar1', kind: 'fall', action: 'raise' }) as const;
const telemetry = (t = 1, v = 1) =>
  ({ type: 'telemetry', observedAt: t, deviceId: 'meter1', fields: { energy_kwh: v } }) as const;

describe('Outbox', () => {
  it('assigns UUIDv7 ids and increasing seqs shared by both lanes, valid per the schema', () => {
    const outbox = open();
    const a = outbox.append(alarm());
    const t = outbox.append(telemetry());
    const b = outbox.append(alarm());
    expect([a.seq, t.seq, b.seq]).toEqual([1, 2, 3]);
    expect(checkerFor(AlarmEventSchema).Check(a)).toBe(true);
    expect(checkerFor(TelemetryEventSchema).Check(t)).toBe(true);
    expect(outbox.pending('alarm', 0, 10).map((e) => e.seq)).toEqual([1, 3]);
    expect(outbox.pending('alarm', 1, 10).map((e) => e.seq)).toEqual([3]);
    expect(JSON.parse(outbox.pending('telemetry', 0, 10)[0]!.json)).toEqual(t);
    outbox.close();
  });

  it('never repeats a seq across restarts, even with the reserved block unused', () => {
    let outbox = open({ seqBlock: 10 });
    const first = outbox.append(alarm());
    outbox.remove('alarm', [first.seq]);
    outbox.close();
    outbox = open({ seqBlock: 10 });
    const second = outbox.append(alarm());
    expect(second.seq).toBeGreaterThan(first.seq);
    // The first session reserved 1..10; the next numbering starts above it.
    expect(second.seq).toBe(11);
    for (let i = 0; i < 25; i += 1) outbox.append(telemetry());
    const last = outbox.stats().lastSeq;
    outbox.close();
    outbox = open({ seqBlock: 10 });
    expect(outbox.append(alarm()).seq).toBeGreaterThan(last);
    outbox.close();
  });

  it('keeps pending events across a reopen until removed', () => {
    let outbox = open();
    const events = [outbox.append(alarm()), outbox.append(telemetry()), outbox.append(alarm())];
    outbox.close();
    outbox = open();
    expect(outbox.stats()).toMatchObject({ alarmDepth: 2, telemetryDepth: 1 });
    expect(outbox.pending('alarm', 0, 10).map((e) => JSON.parse(e.json) as unknown)).toEqual([
      events[0],
      events[2],
    ]);
    expect(outbox.remove('alarm', [events[0]!.seq, 999])).toBe(1);
    expect(outbox.stats().alarmDepth).toBe(1);
    outbox.close();
  });

  it('finds each lane’s newest events past a cursor, across lanes, removals and a reopen', () => {
    // pending() answers an empty read from memory (the lane's newest seq): every way a row can
    // arrive must move that mark, or an event would sit unsent.
    let outbox = open();
    const first = outbox.appendMany([telemetry(1, 1), telemetry(2, 2)]);
    expect(
      outbox.remove(
        'telemetry',
        first.map((e) => e.seq),
      ),
    ).toBe(2);
    expect(outbox.pending('telemetry', 2, 10)).toEqual([]);
    const a = outbox.append(alarm(3));
    expect(outbox.pending('telemetry', 2, 10)).toEqual([]);
    expect(outbox.pending('alarm', 2, 10).map((e) => e.seq)).toEqual([a.seq]);
    const t = outbox.append(telemetry(4, 3));
    expect(outbox.pending('telemetry', 2, 10).map((e) => e.seq)).toEqual([t.seq]);
    const mixed = outbox.appendMany([alarm(5), telemetry(6, 4)]);
    expect(outbox.pending('alarm', a.seq, 10).map((e) => e.seq)).toEqual([mixed[0]!.seq]);
    expect(outbox.pending('telemetry', t.seq, 10).map((e) => e.seq)).toEqual([mixed[1]!.seq]);
    expect(outbox.pending('telemetry', mixed[1]!.seq, 10)).toEqual([]);
    outbox.close();
    outbox = open();
    expect(outbox.pending('alarm', 0, 10).map((e) => e.seq)).toEqual([a.seq, mixed[0]!.seq]);
    expect(outbox.pending('telemetry', t.seq, 10).map((e) => e.seq)).toEqual([mixed[1]!.seq]);
    outbox.close();
  });

  it('bounds telemetry by count: oldest dropped first, counted, persisted; alarms untouched', () => {
    let outbox = open({ maxTelemetryEvents: 5 });
    for (let i = 0; i < 3; i += 1) outbox.append(alarm(i));
    for (let i = 1; i <= 8; i += 1) outbox.append(telemetry(i, i));
    const kept = outbox
      .pending('telemetry', 0, 100)
      .map((e) => (JSON.parse(e.json) as TelemetryEvent).fields.energy_kwh);
    expect(kept).toEqual([4, 5, 6, 7, 8]);
    expect(outbox.stats()).toMatchObject({ alarmDepth: 3, telemetryDepth: 5, droppedTelemetry: 3 });
    outbox.close();
    outbox = open({ maxTelemetryEvents: 5 });
    expect(outbox.stats().droppedTelemetry).toBe(3);
    outbox.close();
  });

  it('bounds telemetry by age, never alarms', () => {
    let clock = 1_000_000;
    const outbox = open({ maxTelemetryAgeMs: 1000, now: () => clock });
    outbox.append(alarm());
    outbox.append(telemetry(clock, 1));
    clock += 600;
    outbox.append(telemetry(clock, 2));
    clock += 600;
    expect(outbox.pruneTelemetry()).toBe(1);
    expect(
      outbox
        .pending('telemetry', 0, 10)
        .map((e) => (JSON.parse(e.json) as TelemetryEvent).fields.energy_kwh),
    ).toEqual([2]);
    clock += 10_000_000;
    outbox.pruneTelemetry();
    expect(outbox.stats()).toMatchObject({ alarmDepth: 1, telemetryDepth: 0, droppedTelemetry: 2 });
    outbox.close();
  });

  it('keeps the age bound oldest-first when the wall clock steps backwards', () => {
    let clock = 10_000;
    const outbox = open({ maxTelemetryAgeMs: 1000, now: () => clock });
    const older = outbox.append(telemetry(clock, 1));
    clock = 2_000; // NTP steps the clock back by 8 s
    const newer = outbox.append(telemetry(clock, 2));
    expect(newer.seq).toBeGreaterThan(older.seq);
    expect(newer.observedAt).toBe(2_000); // the event keeps the time the clock gave
    clock = 10_500;
    // Neither is older than 1 s by the outbox's own (monotonic) stamps: nothing dropped, and
    // in particular not the newer event ahead of the older one.
    expect(outbox.pruneTelemetry()).toBe(0);
    clock = 11_500;
    expect(outbox.pruneTelemetry()).toBe(2);
    outbox.close();
  });

  it('uses WAL and the configured synchronous level per lane', () => {
    const outbox = open({ fsync: { alarm: 'full', telemetry: 'off' } });
    const file = join(dir, 'outbox.db');
    const reader = new Database(file, { readonly: true });
    expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
    reader.close();
    // The level is per connection; observe it through the outbox's own connection.
    const db = (outbox as unknown as { db: Database.Database }).db;
    outbox.append(alarm());
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    outbox.append(telemetry());
    expect(db.pragma('synchronous', { simple: true })).toBe(0); // OFF
    outbox.close();
  });
});

describe('Outbox.appendMany', () => {
  it('commits a mixed batch with consecutive seqs, in order, per lane', () => {
    const outbox = open({ seqBlock: 4 });
    outbox.append(alarm());
    const events = outbox.appendMany([telemetry(2, 1), alarm(3), telemetry(4, 2), telemetry(5, 3)]);
    expect(events.map((e) => e.seq)).toEqual([2, 3, 4, 5]);
    expect(outbox.pending('alarm', 0, 10).map((e) => e.seq)).toEqual([1, 3]);
    expect(outbox.pending('telemetry', 0, 10).map((e) => e.seq)).toEqual([2, 4, 5]);
    expect(outbox.stats()).toMatchObject({ alarmDepth: 2, telemetryDepth: 3, lastSeq: 5 });
    outbox.close();
  });

  it('reserves seqs past one block and never reuses them after a reopen', () => {
    const first = open({ seqBlock: 10 });
    const batch = first.appendMany(Array.from({ length: 25 }, (_, i) => telemetry(i + 1, i)));
    expect(batch.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    first.close();
    const second = open({ seqBlock: 10 });
    expect(second.append(alarm()).seq).toBeGreaterThan(25);
    second.close();
  });

  it('keeps the telemetry count bound (oldest dropped, counted), never drops alarms', () => {
    const outbox = open({ maxTelemetryEvents: 5 });
    outbox.appendMany([alarm(1), ...Array.from({ length: 4 }, (_, i) => telemetry(i + 2, i))]);
    outbox.appendMany([
      ...Array.from({ length: 4 }, (_, i) => telemetry(i + 6, 10 + i)),
      alarm(10),
    ]);
    const kept = outbox
      .pending('telemetry', 0, 100)
      .map((e) => (JSON.parse(e.json) as TelemetryEvent).fields.energy_kwh);
    expect(kept).toEqual([3, 10, 11, 12, 13]);
    expect(outbox.stats()).toMatchObject({ alarmDepth: 2, telemetryDepth: 5, droppedTelemetry: 3 });
    outbox.close();
  });

  it('an empty batch is a no-op', () => {
    const outbox = open();
    expect(outbox.appendMany([])).toEqual([]);
    expect(outbox.stats().lastSeq).toBe(0);
    outbox.close();
  });
});

describe('Outbox onAlarmStaged (sending while the commit syncs)', () => {
  /** What a second connection (the committed state) and the outbox itself see during the hook. */
  function watch(file: string, outbox: () => Outbox) {
    const reader = new Database(file, { readonly: true });
    const committed = reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM alarm_outbox');
    const calls: { pendingSeqs: number[]; committedAlarms: number }[] = [];
    return {
      calls,
      hook: () => {
        calls.push({
          pendingSeqs: outbox()
            .pending('alarm', 0, 10)
            .map((e) => e.seq),
          committedAlarms: committed.get()?.n ?? -1,
        });
      },
      committedAlarms: () => committed.get()?.n ?? -1,
      close: () => reader.close(),
    };
  }

  it('runs after the insert and before the commit: the row is pending here, not yet committed', () => {
    const file = join(dir, 'outbox.db');
    open().close(); // the file and tables exist before the reader opens them
    const holder: { outbox?: Outbox } = {};
    const w = watch(file, () => holder.outbox as Outbox);
    const outbox = open({ onAlarmStaged: w.hook });
    holder.outbox = outbox;
    const first = outbox.append(alarm());
    expect(w.calls).toEqual([{ pendingSeqs: [first.seq], committedAlarms: 0 }]);
    expect(w.committedAlarms()).toBe(1);
    // A batch holding an alarm: once per transaction, with every row of it pending.
    const batch = outbox.appendMany([telemetry(2), alarm(3), alarm(4)]);
    expect(w.calls[1]).toEqual({
      pendingSeqs: [first.seq, batch[1]?.seq, batch[2]?.seq],
      committedAlarms: 1,
    });
    expect(w.calls).toHaveLength(2);
    w.close();
    outbox.close();
  });

  it('is not called for telemetry', () => {
    let calls = 0;
    const outbox = open({ onAlarmStaged: () => (calls += 1) });
    outbox.append(telemetry());
    outbox.appendMany([telemetry(2), telemetry(3)]);
    expect(calls).toBe(0);
    outbox.close();
  });

  it('a hook that throws is logged and the alarm is committed all the same', () => {
    const lines: { code?: string; msg?: string }[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => lines.push(JSON.parse(line) as { code?: string }) },
    );
    const outbox = open({
      logger,
      onAlarmStaged: () => {
        throw new Error('socket gone');
      },
    });
    const event = outbox.append(alarm());
    expect(outbox.pending('alarm', 0, 10).map((e) => e.seq)).toEqual([event.seq]);
    expect(lines).toEqual([
      expect.objectContaining({ code: 'EARLY_SEND_FAILED', err: 'socket gone' }),
    ]);
    outbox.close();
    // Committed, not just visible on the outbox's own connection.
    expect(open().stats().alarmDepth).toBe(1);
  });
});
