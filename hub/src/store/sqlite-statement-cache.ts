/**
 * Kysely's SQLite driver prepares every query it runs (`db.prepare(sql)` per execution). The hub
 * runs the same few dozen statements thousands of times a second (heartbeats, rule state, alarm
 * batches), and on a 2-core machine preparing them again was ~1.4 % of the hub's main thread at
 * 1,000 msg/s — time the event loop, which also carries the alarm lane, cannot give to an alarm.
 * This keeps prepared statements by SQL text, the least recently used dropped past `max`.
 *
 * A statement still being iterated (a streamed export) is `busy`: reusing it would throw, so a
 * busy one is bypassed with a fresh, uncached statement. SQLite re-prepares a cached statement by
 * itself after a schema change (sqlite3_prepare_v2), so migrations need no invalidation.
 */
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** What this needs of better-sqlite3's Statement beyond Kysely's interface. */
export interface CacheableStatement extends SqliteStatement {
  readonly busy: boolean;
  /** sqlite3_stmt_readonly: the statement writes nothing (durable-sqlite.ts asks). */
  readonly readonly: boolean;
}

export interface CacheableDatabase {
  close(): void;
  prepare(sql: string): CacheableStatement;
}

export const STATEMENT_CACHE_MAX = 500;

export class StatementCachingDatabase implements SqliteDatabase {
  private readonly statements = new Map<string, CacheableStatement>();
  /** Counted so a test (and a curious operator) can see the cache work. */
  prepared = 0;

  constructor(
    private readonly db: CacheableDatabase,
    private readonly max = STATEMENT_CACHE_MAX,
  ) {}

  prepare(sql: string): SqliteStatement {
    const cached = this.statements.get(sql);
    if (cached && !cached.busy) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    this.prepared += 1;
    const fresh = this.db.prepare(sql);
    if (cached) return fresh;
    this.statements.set(sql, fresh);
    if (this.statements.size > this.max) {
      const oldest = this.statements.keys().next();
      if (!oldest.done) this.statements.delete(oldest.value);
    }
    return fresh;
  }

  /** Whether `sql` only reads; from the cache when it holds the statement (it ran just now). */
  isReadonly(sql: string): boolean {
    return (this.statements.get(sql) ?? this.db.prepare(sql)).readonly;
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }
}
