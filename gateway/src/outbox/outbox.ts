/**
 * The durable outbox (DESIGN.md, "Gateway ⇄ hub contract", clauses 1, 2, 3 and 5).
 *
 * Every event is committed here, with its UUIDv7 id and the next per-gateway seq, before the
 * gateway does anything else with it; it leaves only when the hub acknowledges it (acked or
 * rejected). Tables and statements: outbox-statements.ts.
 *
 * Durability per lane: sync-level.ts.
 *
 * Sending while the commit syncs (`onAlarmStaged`): an alarm's row is inserted, the uplink sends
 * it, then the transaction commits. The send adds a copy and never removes one, so clause 1 (the
 * event is durable here before the gateway can lose it) still holds: `append` returns, and the
 * gateway treats the alarm as taken, only after the fsync; the outbox row is deleted only on the
 * hub's ack, which this thread reads after the commit; and the seq was reserved by an fsynced
 * block before the insert, so a crash or a failed commit after the send can never make the seq
 * be reused for another event (the hub, idempotent on gateway and seq, keeps the one it got).
 * What it gains: the hub's durable write, the push to the console and the gateway's own fsync
 * run at the same time instead of one after the other — an SD card's fsync (5–50 ms) no longer
 * adds to an SOS's latency.
 *
 * Acked telemetry is deleted in the next write transaction, not in one of its own (`remove`):
 * each event then costs the flash one commit instead of two (200 outboxes on a tmpfs, one event
 * appended and acked at a time: the ack's own transaction cost 35–38 µs beside the append's
 * 56–63 µs; deferred, 2 µs). Until
 * then the row is gone from every answer here (depth, `pending`, the bounds); it is deleted before
 * any read that SQLite answers, and on close. A crash in between leaves acked telemetry in the
 * file, which is sent again: the hub keys each point, so a replay overwrites itself (DESIGN.md
 * contract clause 4). Alarms, acked a few times a day, are deleted at once.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import {
  newEventId,
  type AlarmEvent,
  type GatewayEvent,
  type Lane,
  type TelemetryEvent,
} from '@anxin/protocol';
import type { FsyncPolicy } from '../config.js';
import { prepareOutbox, type OutboxStatements } from './outbox-statements.js';
import { RecentRows, type StoredEvent } from './recent-rows.js';
import { SYNC_PRAGMA, strictest } from './sync-level.js';

export type AlarmDraft = Omit<AlarmEvent, 'id' | 'seq'>;
export type TelemetryDraft = Omit<TelemetryEvent, 'id' | 'seq'>;
export type EventDraft = AlarmDraft | TelemetryDraft;

/** One stored event as the uplink needs it: the seq, and the JSON exactly as it will be sent. */
export type { StoredEvent } from './recent-rows.js';

export interface OutboxOptions {
  /** SQLite file (its directory is created if missing). */
  file: string;
  maxTelemetryEvents: number;
  maxTelemetryAgeMs: number;
  fsync: { alarm: FsyncPolicy; telemetry: FsyncPolicy };
  now?: () => number;
  logger?: Logger;
  /** Seqs reserved per FULL-synced write of the upper bound. */
  seqBlock?: number;
  /**
   * Called inside the transaction of every append holding an alarm, after its insert and before
   * the commit (whose fsync is most of an append's time on an SD card): the new rows are visible
   * to `pending` on this connection, so the uplink can put the alarm on the wire while the commit
   * syncs (see "Sending while the commit syncs" above). It must not write to the outbox; an error
   * it throws is logged and never stops the commit.
   */
  onAlarmStaged?: () => void;
}

export interface OutboxStats {
  alarmDepth: number;
  telemetryDepth: number;
  /** When the oldest event still pending (either lane) entered the outbox; null when empty. */
  oldestPendingAt: number | null;
  /** Telemetry dropped by the count or age bound since this outbox was created (persisted). */
  droppedTelemetry: number;
  lastSeq: number;
}

const LANES: readonly Lane[] = ['alarm', 'telemetry'];
/**
 * Rows kept in memory per lane (recent-rows.ts): more than a pump's batches in flight and a
 * service's new rows at the rates a home produces; a backlog past it is read from SQLite.
 */
const RECENT_ROWS_PER_LANE = 64;

export class Outbox {
  private readonly db: Database.Database;
  /** Made once: better-sqlite3's `transaction()` builds four functions per call (bench latency's
   *  load at 10,000 msg/s: a tenth of all it allocated). */
  private readonly transact: (fn: () => void) => void;
  private readonly now: () => number;
  private readonly seqBlock: number;
  private readonly sql: OutboxStatements;
  private readonly depth: Record<Lane, number> = { alarm: 0, telemetry: 0 };
  /**
   * The highest seq ever inserted in each lane (set before its insert's transaction, so an
   * onAlarmStaged pump sees it): `pending` past it answers [] without a query. The uplink pumps
   * both lanes after every append and ack and each pump ends on an empty read, so most reads
   * find nothing (bench latency at 10,000 msg/s: `pending` was a fifth of a load process's CPU,
   * ~13 µs per empty query).
   */
  private readonly newestSeq: Record<Lane, number> = { alarm: 0, telemetry: 0 };
  /** The rows each lane's pump is about to read, so it reads them without a query. */
  private readonly recent: Record<Lane, RecentRows> = {
    alarm: new RecentRows(RECENT_ROWS_PER_LANE),
    telemetry: new RecentRows(RECENT_ROWS_PER_LANE),
  };
  /**
   * Telemetry acked, gone from every answer, still in the file (see the top of this file). Only
   * rows the recent rows held wait here, so never more than RECENT_ROWS_PER_LANE.
   */
  private ackedTelemetry: number[] = [];
  private currentSync: FsyncPolicy | null = null;
  private nextSeq: number;
  private reservedUntil: number;
  private dropped: number;
  /** Latest created_at handed out; see `append` for why it never goes backwards. */
  private lastCreatedAt: number;
  private closed = false;

  constructor(private readonly options: OutboxOptions) {
    mkdirSync(dirname(options.file), { recursive: true });
    this.now = options.now ?? Date.now;
    this.seqBlock = options.seqBlock ?? 1000;
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    // A reader (the CLI, a test) must never make an insert fail with SQLITE_BUSY.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_size_limit = 67108864');
    this.sql = prepareOutbox(this.db);
    this.transact = this.db.transaction((fn: () => void) => fn());
    const meta = (key: string): number => this.sql.getMeta.get(key)?.value ?? 0;
    const newest = (lane: Lane) => this.sql.lanes[lane].newest.get();
    this.dropped = meta('dropped_telemetry');
    for (const lane of LANES) {
      this.newestSeq[lane] = newest(lane)?.seq ?? 0;
      this.depth[lane] = this.sql.lanes[lane].count.get()?.n ?? 0;
    }
    this.lastCreatedAt = Math.max(...LANES.map((lane) => newest(lane)?.createdAt ?? 0));
    // Resume above everything ever reserved (and, defensively, above anything stored).
    this.reservedUntil = Math.max(meta('seq_reserved'), ...LANES.map((l) => this.newestSeq[l]));
    this.nextSeq = this.reservedUntil + 1;
    this.pruneTelemetry();
  }

  /**
   * Makes an event durable and returns it with its id and seq. Synchronous: when it returns, the
   * event is committed at the lane's fsync level. For telemetry, enforces the count bound by
   * dropping the oldest telemetry (never alarms).
   */
  append(draft: AlarmDraft): AlarmEvent;
  append(draft: TelemetryDraft): TelemetryEvent;
  append(draft: EventDraft): GatewayEvent;
  append(draft: EventDraft): GatewayEvent {
    this.assertOpen();
    const lane: Lane = draft.type;
    if (this.nextSeq > this.reservedUntil) this.reserveSeqs();
    this.setSync(this.options.fsync[lane]);
    const seq = this.nextSeq;
    const event: GatewayEvent = { ...draft, id: newEventId(), seq };
    const body = JSON.stringify(event);
    // created_at never goes backwards in seq order, even when the wall clock does (NTP step,
    // RTC reset): the age bound then always cuts a prefix of the lane (oldest first), and a clock
    // stepped back can only make the backlog look younger, never drop newer events first.
    const createdAt = Math.max(this.now(), this.lastCreatedAt);
    this.lastCreatedAt = createdAt;
    const statements = this.sql.lanes[lane];
    const overflow =
      lane === 'telemetry' ? this.depth.telemetry + 1 - this.options.maxTelemetryEvents : 0;
    // Before the insert: if the transaction fails, a too-high mark only costs a query.
    this.newestSeq[lane] = seq;
    this.inTransaction(() => {
      statements.insert.run(seq, event.id, createdAt, body);
      this.recent[lane].added([{ seq, json: body, createdAt }]);
      if (lane === 'alarm') this.alarmStaged();
      if (overflow > 0) {
        const removed = this.sql.dropOldest.run(overflow).changes;
        this.dropped += removed;
        this.depth.telemetry -= removed;
        this.sql.setMeta.run('dropped_telemetry', this.dropped);
        if (removed > 0) this.recent.telemetry.reset();
      }
    });
    this.nextSeq += 1;
    this.depth[lane] += 1;
    return event;
  }

  /**
   * Makes several events durable in one transaction (one commit, one fsync at the strictest lane
   * level present) and returns them in order, with consecutive seqs. The same rules as `append`
   * (seq blocks, monotonic created_at, telemetry count bound) apply; all or nothing. It is what
   * a reading burst (a backlog replayed by a device, a benchmark offering tens of thousands of
   * events a second) needs: one transaction per event costs ~100–300 µs.
   */
  appendMany(drafts: readonly EventDraft[]): GatewayEvent[] {
    this.assertOpen();
    if (drafts.length === 0) return [];
    const hasAlarm = drafts.some((d) => d.type === 'alarm');
    const level = hasAlarm
      ? strictest(this.options.fsync.alarm, this.options.fsync.telemetry)
      : this.options.fsync.telemetry;
    // Reserve every seq this batch needs before the transaction (each block fsynced, as in append).
    if (this.reservedUntil - this.nextSeq + 1 < drafts.length)
      this.reserveSeqs(this.nextSeq + drafts.length - 1);
    this.setSync(level);
    const events: GatewayEvent[] = [];
    let seq = this.nextSeq;
    const createdAt = Math.max(this.now(), this.lastCreatedAt);
    const added: Record<Lane, number> = { alarm: 0, telemetry: 0 };
    let droppedHere = 0;
    this.inTransaction(() => {
      const rows: Record<Lane, StoredEvent[]> = { alarm: [], telemetry: [] };
      for (const draft of drafts) {
        const event: GatewayEvent = { ...draft, id: newEventId(), seq };
        const json = JSON.stringify(event);
        this.newestSeq[draft.type] = seq;
        this.sql.lanes[draft.type].insert.run(seq, event.id, createdAt, json);
        rows[draft.type].push({ seq, json, createdAt });
        events.push(event);
        added[draft.type] += 1;
        seq += 1;
      }
      for (const lane of LANES) this.recent[lane].added(rows[lane]);
      if (hasAlarm) this.alarmStaged();
      const overflow = this.depth.telemetry + added.telemetry - this.options.maxTelemetryEvents;
      if (added.telemetry > 0 && overflow > 0) {
        droppedHere = this.sql.dropOldest.run(overflow).changes;
        this.sql.setMeta.run('dropped_telemetry', this.dropped + droppedHere);
        if (droppedHere > 0) this.recent.telemetry.reset();
      }
    });
    this.lastCreatedAt = createdAt;
    this.nextSeq = seq;
    this.depth.alarm += added.alarm;
    this.depth.telemetry += added.telemetry - droppedHere;
    this.dropped += droppedHere;
    return events;
  }

  /** Runs onAlarmStaged inside the current transaction; what it throws never reaches the commit. */
  private alarmStaged(): void {
    const hook = this.options.onAlarmStaged;
    if (!hook) return;
    try {
      hook();
    } catch (err) {
      this.options.logger?.warn(
        { code: 'EARLY_SEND_FAILED', err: err instanceof Error ? err.message : String(err) },
        'sending an alarm before its commit failed; it is sent after the commit',
      );
    }
  }

  /** Up to `limit` pending events of a lane with seq > afterSeq, in seq order. */
  pending(lane: Lane, afterSeq: number, limit: number): StoredEvent[] {
    this.assertOpen();
    if (afterSeq >= this.newestSeq[lane]) return [];
    const recent = this.recent[lane].after(afterSeq, limit);
    if (recent) return recent;
    if (lane === 'telemetry') this.deleteAckedTelemetry();
    return this.sql.lanes[lane].pending
      .all(afterSeq, limit)
      .map((row) => ({ seq: row.seq, json: row.body, createdAt: row.created_at }));
  }

  /**
   * Deletes acknowledged (acked or rejected) events; unknown seqs are ignored. Telemetry the
   * lane's recent rows hold is deleted with the next write (see the top of this file).
   */
  remove(lane: Lane, seqs: readonly number[]): number {
    this.assertOpen();
    let removed = 0;
    const now: number[] = [];
    for (const seq of seqs) {
      const held = lane === 'telemetry' ? this.recent.telemetry.holds(seq) : undefined;
      if (held === undefined) now.push(seq);
      else if (held) {
        this.ackedTelemetry.push(seq);
        this.recent.telemetry.removed([seq]);
        removed += 1;
      }
    }
    this.depth[lane] -= removed;
    if (now.length === 0) return removed;
    this.setSync(this.options.fsync[lane]);
    const statement = this.sql.lanes[lane].remove;
    let deleted = 0;
    this.inTransaction(() => {
      for (const seq of now) deleted += statement.run(seq).changes;
    });
    this.recent[lane].removed(now);
    this.depth[lane] -= deleted;
    return removed + deleted;
  }

  /** Drops telemetry older than the age bound (oldest first, counted). Returns how many. */
  pruneTelemetry(): number {
    this.assertOpen();
    const cutoff = this.now() - this.options.maxTelemetryAgeMs;
    let removed = 0;
    this.setSync(this.options.fsync.telemetry);
    this.inTransaction(() => {
      removed = this.sql.dropOlderThan.run(cutoff).changes;
      if (removed > 0) this.sql.setMeta.run('dropped_telemetry', this.dropped + removed);
    });
    this.dropped += removed;
    if (removed > 0) {
      this.depth.telemetry -= removed;
      this.recent.telemetry.reset();
      this.options.logger?.warn(
        { code: 'TELEMETRY_DROPPED', removed, reason: 'age', droppedTotal: this.dropped },
        'telemetry older than the backlog bound dropped',
      );
    }
    return removed;
  }

  depthOf(lane: Lane): number {
    return this.depth[lane];
  }

  stats(): OutboxStats {
    this.assertOpen();
    this.deleteAckedTelemetry();
    const oldest = LANES.map((lane) => this.sql.lanes[lane].oldest.get()?.created_at).filter(
      (t): t is number => t !== undefined,
    );
    return {
      alarmDepth: this.depth.alarm,
      telemetryDepth: this.depth.telemetry,
      oldestPendingAt: oldest.length > 0 ? Math.min(...oldest) : null,
      droppedTelemetry: this.dropped,
      lastSeq: this.nextSeq - 1,
    };
  }

  close(): void {
    if (this.closed) return;
    try {
      this.deleteAckedTelemetry();
    } catch (err) {
      // Left in the file, they are sent again after the restart: harmless (top of this file).
      this.options.logger?.warn({ err }, 'could not delete acked telemetry before closing');
    }
    this.closed = true;
    this.db.close();
  }

  /**
   * Deletes the acked telemetry still in the file, in a transaction of its own. Inside one (an
   * onAlarmStaged pump) there is nothing to do: that transaction deleted them when it began.
   */
  private deleteAckedTelemetry(): void {
    if (this.ackedTelemetry.length > 0 && !this.db.inTransaction) this.inTransaction(() => {});
  }

  /**
   * Runs `fn` in a transaction, after deleting the acked telemetry still in the file. If it fails
   * (a statement, or the commit itself), those rows stay listed, and the rows `fn` told `recent`
   * about were rolled back, so both lanes forget what they knew and read SQLite again.
   */
  private inTransaction(fn: () => void): void {
    const acked = this.ackedTelemetry.length;
    try {
      this.transact(() => {
        for (let i = 0; i < acked; i += 1)
          this.sql.lanes.telemetry.remove.run(this.ackedTelemetry[i] ?? 0);
        fn();
      });
      this.ackedTelemetry.splice(0, acked);
    } catch (err) {
      for (const lane of LANES) this.recent[lane].reset();
      throw err;
    }
  }

  private reserveSeqs(atLeast = 0): void {
    this.setSync('full');
    const until = Math.max(this.nextSeq + this.seqBlock - 1, atLeast);
    this.sql.setMeta.run('seq_reserved', until);
    this.reservedUntil = until;
  }

  private setSync(level: FsyncPolicy): void {
    if (this.currentSync === level) return;
    this.db.exec(SYNC_PRAGMA[level]);
    this.currentSync = level;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('outbox is closed');
  }
}
