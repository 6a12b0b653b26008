/**
 * Bookkeeping writes that skip their own fsync on SQLite (issue 12). The hub's SQLite runs
 * `synchronous = FULL` (db.ts): every commit waits for an fsync of the WAL, on the event loop.
 * That is what an acknowledged alarm or an operator's change must have. Two writes per alarm and
 * per rule pass are bookkeeping the hub rebuilds by itself after a power cut: an alarm's
 * escalation row (the escalator arms every open alarm that has none when it starts) and the rules'
 * state (a rule that fires again joins the alarm it already raised); so are the gateways' liveness
 * pieces, written every second (the next heartbeats rewrite them). Each cost a whole fsync on
 * the event loop all the same: at 20,000 msg/s in `bench latency`, 3.2 ms per escalation row and
 * 3.7 ms per rule-state chunk at the mean, and an alarm arriving meanwhile waited.
 *
 * Such a write runs with `synchronous = NORMAL` for its own statements only. In WAL mode a NORMAL
 * commit is in the WAL, so it survives the hub process crashing; it reaches the disk with the
 * next fsync — the next FULL commit (every alarm batch, every operator's change) or checkpoint —
 * so only a power cut in between can lose it, and then the hub rebuilds it. The write holds the
 * one SQLite connection while the setting is changed (Kysely's SQLite driver has one), so no
 * other commit can run at NORMAL. PostgreSQL commits off the event loop: writes go as they are.
 */
import type { Kysely } from 'kysely';
import { sqliteConnectionOf } from './db.js';
import type { Database } from './schema.js';

/** Runs `write` on the connection it is given, which it must use for every statement. */
export type RelaxedWrite = <T>(write: (conn: Kysely<Database>) => Promise<T>) => Promise<T>;

export function relaxedDurability(db: Kysely<Database>): RelaxedWrite {
  const sqlite = sqliteConnectionOf(db);
  if (!sqlite) return (write) => write(db);
  return (write) =>
    db.connection().execute(async (conn) => {
      // exec, not a kept prepared statement: SQLite applies this pragma when the statement is
      // compiled, so running a cached one again would change nothing.
      sqlite.exec('PRAGMA synchronous = NORMAL');
      try {
        return await write(conn);
      } finally {
        sqlite.exec('PRAGMA synchronous = FULL');
      }
    });
}
