/**
 * A lane's newest outbox rows, kept in memory so the uplink's pump reads what it is about to send
 * without a query. Each pump asks for the rows past its cursor right after an append; answered by
 * SQLite, that read was a tenth of a load process's CPU in `bench latency` at 2,000 gateways and
 * 1,000 msg/s (1.0 s of 8.2 s busy in a 30 s profile, ~66 µs a read under load, ~19 µs idle), on a
 * gateway box the same read costs more.
 *
 * The rule that keeps it exact: every row of the lane with seq ≥ `floor` that is in the database
 * is here, and nothing else is. Rows are added as they are inserted (inside their transaction,
 * so an alarm sent while its commit syncs is read from here too; outbox.ts forgets everything if
 * the transaction fails), and dropped as they are removed. A read that starts below the floor
 * (a go-back to the oldest row, a backlog from before a restart) goes to SQLite, as before.
 * Bounded: past `limit` rows the oldest are let go and the floor rises above them.
 */

/** An outbox row as the uplink sends it. */
export interface StoredEvent {
  seq: number;
  json: string;
  createdAt: number;
}

export class RecentRows {
  /** In seq order: rows are only ever added above every seq the lane has held. */
  private readonly rows = new Map<number, StoredEvent>();
  /** Rows from here up are all known; Infinity: none are (nothing added since the last reset). */
  private floor = Number.POSITIVE_INFINITY;

  constructor(private readonly limit: number) {}

  /** Rows just inserted, ascending, each above every seq the lane ever held. */
  added(rows: readonly StoredEvent[]): void {
    const first = rows[0];
    if (first === undefined) return;
    if (this.floor === Number.POSITIVE_INFINITY) this.floor = first.seq;
    for (const row of rows) this.rows.set(row.seq, row);
    for (const seq of this.rows.keys()) {
      if (this.rows.size <= this.limit) break;
      // The row stays in the database; it is no longer known here, so the floor moves past it.
      this.rows.delete(seq);
      this.floor = seq + 1;
    }
  }

  /** Rows deleted from the lane (acked, rejected). */
  removed(seqs: readonly number[]): void {
    for (const seq of seqs) this.rows.delete(seq);
  }

  /**
   * Whether the lane holds `seq`: true or false at or above the floor, where every row is known;
   * undefined below it (only SQLite can tell).
   */
  holds(seq: number): boolean | undefined {
    if (seq < this.floor) return undefined;
    return this.rows.has(seq);
  }

  /**
   * Forget everything: rows left the database some other way (a bound dropped the oldest), or a
   * transaction that added rows failed. Only rows added from now on are known.
   */
  reset(): void {
    this.rows.clear();
    this.floor = Number.POSITIVE_INFINITY;
  }

  /**
   * Up to `limit` rows with seq > afterSeq in seq order; undefined when some may not be here (or
   * for a limit below 1, whose meaning SQLite's LIMIT decides).
   */
  after(afterSeq: number, limit: number): StoredEvent[] | undefined {
    if (afterSeq + 1 < this.floor || limit < 1) return undefined;
    const found: StoredEvent[] = [];
    for (const [seq, row] of this.rows) {
      if (seq <= afterSeq) continue;
      found.push(row);
      if (found.length >= limit) break;
    }
    return found;
  }
}
