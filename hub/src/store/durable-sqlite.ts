/**
 * Kysely's SQLite driver with the hub's durability rule (issue 12; wal-sync.ts says why the fsync
 * is not SQLite's own). After every commit on the hub's one connection — a transaction's COMMIT,
 * or a write outside a transaction — the query's promise waits for the WAL to be on the disk, so
 * code that awaits a write may rely on it as it did under `synchronous = FULL`; only the event
 * loop no longer waits with it. The wait happens after the connection is released (Kysely awaits
 * the driver's releaseConnection before it answers a query or a transaction): SQLite needs the
 * connection for the write, not for the fsync, so the next statement — an alarm's, say — runs
 * meanwhile. Its readers may see a commit before it is on the disk; only a power cut in that
 * window undoes it, and its writer was not answered yet. (A Kysely controlled transaction,
 * `startTransaction`, answers its commit before the release: the hub uses none.)
 *
 * Two writers choose otherwise, while they hold the connection (durability.within):
 *  - 'skip': bookkeeping the hub rebuilds by itself after a power cut (relaxed-durability.ts);
 *    its commits reach the disk with the next fsync anyone waits for, or a checkpoint.
 *  - 'defer': the alarm lane. Its commit returns at once, so the alarm goes to the consoles while
 *    the fsync runs; the gateway's ack waits for `durable` (DESIGN.md contract clause 3).
 */
import {
  SqliteDialect,
  SqliteDriver,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDialectConfig,
} from 'kysely';
import type { WalSync } from './wal-sync.js';

export type CommitDurability = 'await' | 'defer' | 'skip';

/** The hub connection's durability rule, and the WAL fsync that carries it out (none in memory). */
export class SqliteDurability {
  private mode: CommitDurability = 'await';
  private deferred: Promise<void>[] = [];

  constructor(
    readonly wal: WalSync | undefined,
    private readonly closeWal: () => Promise<void> = async () => {},
  ) {}

  /** Waits for the fsync under way, then lets go of the WAL file. */
  async close(): Promise<void> {
    await this.wal?.idle();
    await this.closeWal();
  }

  /**
   * Runs `work` under `mode`. The caller must hold the connection for all of `work` (a Kysely
   * `connection()` or transaction on the hub's database), so no one else's commit runs under it.
   * Returns what `work` returned and, under 'defer', when its commits are on the disk.
   */
  async within<T>(
    mode: CommitDurability,
    work: () => Promise<T>,
  ): Promise<{ result: T; durable: Promise<void> }> {
    this.mode = mode;
    this.deferred = [];
    try {
      const result = await work();
      const pending = this.deferred;
      return { result, durable: Promise.all(pending).then(() => undefined) };
    } finally {
      this.mode = 'await';
      this.deferred = [];
    }
  }

  /** A commit just happened on the connection: what the statement's caller waits for. */
  committed(): Promise<void> | undefined {
    if (!this.wal || this.mode === 'skip') return undefined;
    const durable = this.wal.sync();
    if (this.mode === 'await') return durable;
    // Awaited by `within`'s caller; handled here so a failure is never an unhandled rejection.
    durable.catch(() => undefined);
    this.deferred.push(durable);
    return undefined;
  }
}

/** What the driver reads of better-sqlite3's connection and of the statement cache. */
export interface CommitWatch {
  /** better-sqlite3's Database.inTransaction. */
  readonly inTransaction: boolean;
  /** Whether this SQL only reads (sqlite3_stmt_readonly). */
  isReadonly(sql: string): boolean;
}

export function durableSqliteDialect(
  config: SqliteDialectConfig,
  watch: CommitWatch,
  durability: SqliteDurability,
): SqliteDialect {
  return new (class extends SqliteDialect {
    override createDriver(): Driver {
      return new DurableSqliteDriver(config, watch, durability);
    }
  })(config);
}

class DurableSqliteDriver extends SqliteDriver {
  private connection: DurableConnection | undefined;

  constructor(
    config: SqliteDialectConfig,
    private readonly watch: CommitWatch,
    private readonly durability: SqliteDurability,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    this.connection ??= new DurableConnection(inner, this.watch, this.durability);
    return this.connection;
  }

  override async releaseConnection(): Promise<void> {
    const durable = this.connection?.takeDurable();
    await super.releaseConnection();
    if (durable) await durable;
  }

  override async destroy(): Promise<void> {
    await this.durability.close();
    await super.destroy();
  }
}

class DurableConnection implements DatabaseConnection {
  /** The fsync the commits made under this hold wait for (the latest covers the earlier ones). */
  private durable: Promise<void> | undefined;

  constructor(
    private readonly inner: DatabaseConnection,
    private readonly watch: CommitWatch,
    private readonly durability: SqliteDurability,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const wasInTransaction = this.watch.inTransaction;
    const result = await this.inner.executeQuery<R>(query);
    // A transaction just ended (a rollback costs one needless fsync), or a write committed alone.
    if (!this.watch.inTransaction && (wasInTransaction || !this.watch.isReadonly(query.sql))) {
      const durable = this.durability.committed();
      if (durable) {
        // Awaited at the release; a rejection an earlier commit's caller is not told of is the
        // same sticky failure the latest one carries (wal-sync.ts).
        durable.catch(() => undefined);
        this.durable = durable;
      }
    }
    return result;
  }

  /** The fsync to wait for once the connection is let go, if a commit asked for one. */
  takeDurable(): Promise<void> | undefined {
    const durable = this.durable;
    this.durable = undefined;
    return durable;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}
