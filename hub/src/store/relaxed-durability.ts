/**
 * Writes that do not wait for their own fsync on SQLite (issue 12). Every other write on the hub's
 * SQLite connection resolves only once the WAL holds it on the disk (durable-sqlite.ts): that is
 * what an acknowledged alarm or an operator's change must have.
 *
 * Relaxed: bookkeeping the hub rebuilds by itself after a power cut — an alarm's escalation row
 * (the escalator arms every open alarm that has none when it starts), the rules' state (a rule
 * that fires again joins the alarm it already raised), the gateways' liveness pieces written every
 * second (the next heartbeats rewrite them). Each waited for a whole fsync all the same: at 20,000
 * msg/s in `bench latency`, 3.2 ms per escalation row and 3.7 ms per rule-state chunk at the mean,
 * with the connection held, and an alarm arriving meanwhile waited. A relaxed commit is in the
 * WAL, so it survives the hub process crashing; it reaches the disk with the next fsync anyone
 * waits for, or the next checkpoint, so only a power cut in between can lose it.
 *
 * Deferred: the alarm lane's group commit. The write returns as soon as it is committed, with a
 * promise of its fsync: the alarm is pushed to the consoles while the disk works, and only the
 * gateway's ack waits (contract clause 3: the outbox keeps the alarm until then).
 *
 * PostgreSQL commits off the event loop and durably: its writes go as they are.
 */
import type { Kysely } from 'kysely';
import { sqliteDurabilityOf } from './db.js';
import type { Database } from './schema.js';

/** Runs `write` on the connection it is given, which it must use for every statement. */
export type RelaxedWrite = <T>(write: (conn: Kysely<Database>) => Promise<T>) => Promise<T>;

/** Like RelaxedWrite; `durable` resolves once the write is on the disk, and rejects if it cannot be. */
export type DeferredWrite = <T>(
  write: (conn: Kysely<Database>) => Promise<T>,
) => Promise<{ result: T; durable: Promise<void> }>;

export function relaxedDurability(db: Kysely<Database>): RelaxedWrite {
  const durability = sqliteDurabilityOf(db);
  if (!durability) return (write) => write(db);
  return (write) =>
    db
      .connection()
      .execute(async (conn) => (await durability.within('skip', () => write(conn))).result);
}

export function deferredDurability(db: Kysely<Database>): DeferredWrite {
  const durability = sqliteDurabilityOf(db);
  if (!durability)
    return async (write) => ({ result: await write(db), durable: Promise.resolve() });
  return (write) =>
    db.connection().execute((conn) => durability.within('defer', () => write(conn)));
}
