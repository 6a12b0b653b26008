/**
 * The outbox answers `pending` from the rows it just inserted (recent-rows.ts) instead of asking
 * SQLite; the two answers must never differ. A property test drives a real outbox file through
 * random appends (single and batched, both lanes), acks of any rows, telemetry dropped by the
 * count and age bounds, a failed transaction and restarts, and after every step compares each
 * lane's `pending` from any cursor, and its depth, with what a second connection reads from the
 * file less the rows acked since the outbox opened (acked telemetry may stay in the file until
 * the next write: outbox.ts); after a restart none of those is left in the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lane } from '@anxin/protocol';
import { Outbox, type EventDraft } from './outbox.js';
import { RecentRows } from './recent-rows.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-recent-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const draft = (lane: Lane, t: number): EventDraft =>
  lane === 'alarm'
    ? { type: 'alarm', observedAt: t, deviceId: 'sos1', kind: 'sos', action: 'raise' }
    : { type: 'telemetry', observedAt: t, deviceId: 'meter1', fields: { power_w: t } };

type Step =
  | { op: 'append'; lanes: Lane[] }
  | { op: 'appendMany'; lanes: Lane[] }
  | { op: 'ack'; lane: Lane; pick: number[] }
  | { op: 'age'; ms: number }
  | { op: 'failedAppend' }
  | { op: 'restart' };

const lane = fc.constantFrom<Lane>('alarm', 'telemetry');
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    // One transaction per event, several in a row: fills the bound one row at a time.
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('append' as const),
      lanes: fc.array(lane, { minLength: 1, maxLength: 10 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('appendMany' as const),
      lanes: fc.array(lane, { minLength: 1, maxLength: 12 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('ack' as const),
      lane,
      pick: fc.array(fc.nat(30), { maxLength: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('age' as const), ms: fc.integer({ min: 0, max: 300 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'failedAppend' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
);

/**
 * Each step says whether to look afterwards: a look from a low cursor reads SQLite, which deletes
 * the acked telemetry first, so steps that do not look let acks pile up in the file.
 */
const looked = fc.tuple(step, fc.boolean());

describe('pending from the rows just inserted', () => {
  it('always answers what SQLite holds, from every cursor and limit', () => {
    let run = 0;
    fc.assert(
      fc.property(fc.array(looked, { minLength: 1, maxLength: 60 }), (steps) => {
        const file = join(dir, `outbox-${(run += 1)}.db`);
        let clock = 1_000;
        const open = () =>
          new Outbox({
            file,
            // Small bounds, so drops by count and age happen within a few steps.
            maxTelemetryEvents: 6,
            maxTelemetryAgeMs: 300,
            fsync: { alarm: 'off', telemetry: 'off' },
            seqBlock: 7,
            now: () => clock,
          });
        let outbox = open();
        /** The newest seqs handed out: a row dropped or rolled back may still be remembered. */
        const issued: number[] = [];
        const note = (...events: { seq: number }[]) => {
          issued.push(...events.map((e) => e.seq));
          issued.splice(0, Math.max(0, issued.length - 24));
        };
        const reader = new Database(file, { readonly: true });
        const read = (l: Lane, after: number) =>
          reader
            .prepare<[number], { seq: number; body: string; created_at: number }>(
              `SELECT seq, body, created_at FROM ${l}_outbox WHERE seq > ? ORDER BY seq`,
            )
            .all(after)
            .map((r) => ({ seq: r.seq, json: r.body, createdAt: r.created_at }));
        /** Seqs acked since the outbox opened: each gone from every answer, maybe not the file. */
        let acked = new Set<number>();
        const inFile = (l: Lane, after: number, limit: number) =>
          read(l, after)
            .filter((r) => !acked.has(r.seq))
            .slice(0, limit);
        try {
          for (const [i, [s, look]] of steps.entries()) {
            clock += 10;
            if (s.op === 'append') for (const l of s.lanes) note(outbox.append(draft(l, clock)));
            else if (s.op === 'appendMany')
              note(...outbox.appendMany(s.lanes.map((l) => draft(l, clock))));
            else if (s.op === 'ack') {
              // From the file: an ack may name a row acked before, or one already deleted.
              const held = read(s.lane, 0).map((r) => r.seq);
              const seqs = s.pick.flatMap((i) =>
                held.length > 0 ? [held[i % held.length] ?? 0] : [],
              );
              outbox.remove(s.lane, seqs);
              for (const seq of seqs) acked.add(seq);
            } else if (s.op === 'age') {
              clock += s.ms;
              outbox.pruneTelemetry();
            } else if (s.op === 'failedAppend') {
              // A draft JSON cannot hold fails inside the transaction, after the first insert.
              const bad = { ...draft('telemetry', clock), fields: { power_w: 10n } };
              expect(() =>
                outbox.appendMany([draft('alarm', clock), bad as unknown as EventDraft]),
              ).toThrow();
            } else {
              outbox.close();
              const left = [...read('alarm', 0), ...read('telemetry', 0)].filter((r) =>
                acked.has(r.seq),
              );
              expect(left).toEqual([]);
              acked = new Set();
              outbox = open();
            }
            for (const l of ['alarm', 'telemetry'] as const) {
              const held = inFile(l, 0, 1_000).map((r) => r.seq);
              expect(outbox.depthOf(l)).toBe(held.length);
              if (!look && i < steps.length - 1) continue;
              const cursors = [0, ...held.map((q) => q - 1), ...issued.map((q) => q - 1), 10_000];
              for (const after of cursors)
                for (const limit of [1, 3, 100])
                  expect(outbox.pending(l, after, limit)).toEqual(inFile(l, after, limit));
            }
          }
        } finally {
          outbox.close();
          reader.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('RecentRows', () => {
  const row = (seq: number) => ({ seq, json: `{"seq":${seq}}`, createdAt: seq });

  it('knows nothing until rows are added, then every row from the first one up', () => {
    const recent = new RecentRows(4);
    expect(recent.after(0, 10)).toBeUndefined();
    recent.added([row(5), row(6)]);
    expect(recent.after(3, 10)).toBeUndefined();
    expect(recent.after(4, 10)?.map((r) => r.seq)).toEqual([5, 6]);
    expect(recent.after(5, 1)?.map((r) => r.seq)).toEqual([6]);
    recent.removed([5]);
    expect(recent.after(4, 10)?.map((r) => r.seq)).toEqual([6]);
  });

  it('lets the oldest go past its bound and no longer answers below them', () => {
    const recent = new RecentRows(2);
    recent.added([row(1), row(2), row(3)]);
    expect(recent.after(0, 10)).toBeUndefined();
    expect(recent.after(1, 10)?.map((r) => r.seq)).toEqual([2, 3]);
    recent.reset();
    expect(recent.after(1, 10)).toBeUndefined();
  });
});
