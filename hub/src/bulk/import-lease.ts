/**
 * One real import at a time (issue 13). A real import checks its whole file against the hub
 * (import-plan.ts) and then writes it in many short transactions (import-apply.ts), so two
 * imports at once would interleave their chunks and neither dry run's promise would hold. The
 * hub's database serves one district (DESIGN.md), so the district has one import lease: a row of
 * `import_leases` (migration 0970_import_lease) that a real import takes before it reads the
 * hub's data for its plan and gives up when it ends. Dry runs write nothing and take no lease.
 *
 * The lease is bounded: it expires IMPORT_LEASE_TTL_MS after it was last renewed, so a hub that
 * died mid-import (crash, SIGKILL) blocks imports for at most that long. The running import renews
 * it on a timer and again in every chunk's transaction; a chunk whose lease was lost (its hub
 * stalled past the expiry and another import took over) rolls back instead of interleaving.
 * Taken with an insert-if-absent or a conditional UPDATE of an expired row, so of two hubs trying
 * at once exactly one succeeds, on SQLite and PostgreSQL alike. Expiry compares hub clocks (NTP).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Migration, Transaction } from 'kysely';
import type { Database } from '../store/schema.js';

export interface ImportLeasesTable {
  /** The lease's name: `district` (one per hub database). */
  name: string;
  /** A token of the one import run holding it (not a hub id: one hub runs one import at a time too). */
  holder: string;
  /** What is being imported (for the refusal's message). */
  kind: string;
  actor_id: string | null;
  started_at: number;
  expires_at: number;
}

declare module '../store/schema.js' {
  interface Database {
    import_leases: ImportLeasesTable;
  }
}

export const importLeaseMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('import_leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('import_leases').ifExists().execute();
  },
};

/** How long a lease outlives its last renewal: the longest a dead hub blocks imports. */
export const IMPORT_LEASE_TTL_MS = 60_000;
/** How often a running import renews its lease (well inside the TTL, even on a loaded host). */
export const IMPORT_LEASE_RENEW_MS = 15_000;

const NAME = 'district';

/** The import that holds the lease, when another one asks for it. */
export interface ImportBusy {
  kind: string;
  startedAt: number;
  expiresAt: number;
}

export type LeaseOutcome = { ok: true; holder: string } | { ok: false; busy: ImportBusy };

/** A chunk found that its import no longer holds the lease; its transaction rolls back. */
export class ImportLeaseLost extends Error {
  constructor() {
    super('the import lease expired and was taken by another import');
  }
}

export class ImportLeases {
  constructor(
    private readonly db: Kysely<Database>,
    readonly ttlMs: number = IMPORT_LEASE_TTL_MS,
  ) {}

  /** Takes the district's lease for a new import run, or says who holds it. */
  async acquire(input: {
    kind: string;
    actorId: string | null;
    now: number;
  }): Promise<LeaseOutcome> {
    const holder = randomUUID();
    const row = {
      holder,
      kind: input.kind,
      actor_id: input.actorId,
      started_at: input.now,
      expires_at: input.now + this.ttlMs,
    };
    const inserted = await this.db
      .insertInto('import_leases')
      .values({ name: NAME, ...row })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { ok: true, holder };
    // The row exists: take it over only if its holder stopped renewing (released or died).
    const taken = await this.db
      .updateTable('import_leases')
      .set(row)
      .where('name', '=', NAME)
      .where('expires_at', '<=', input.now)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) return { ok: true, holder };
    const current = await this.db
      .selectFrom('import_leases')
      .select(['kind', 'started_at', 'expires_at'])
      .where('name', '=', NAME)
      .executeTakeFirst();
    // Released between our two statements: one more try finds it free.
    if (!current || Number(current.expires_at) <= input.now) return this.acquire(input);
    return {
      ok: false,
      busy: {
        kind: current.kind,
        startedAt: Number(current.started_at),
        expiresAt: Number(current.expires_at),
      },
    };
  }

  /** Extends the lease to now + TTL; false when this run no longer holds it. */
  async renew(holder: string, now: number, db: Kysely<Database> = this.db): Promise<boolean> {
    const renewed = await db
      .updateTable('import_leases')
      .set({ expires_at: now + this.ttlMs })
      .where('name', '=', NAME)
      .where('holder', '=', holder)
      .executeTakeFirst();
    return Number(renewed.numUpdatedRows) === 1;
  }

  /** In a chunk's transaction: renews, or throws ImportLeaseLost so the chunk rolls back. */
  async renewIn(trx: Transaction<Database>, holder: string, now: number): Promise<void> {
    if (!(await this.renew(holder, now, trx))) throw new ImportLeaseLost();
  }

  /** Gives the lease up at the end of the run (only if this run still holds it). */
  async release(holder: string): Promise<void> {
    await this.db
      .deleteFrom('import_leases')
      .where('name', '=', NAME)
      .where('holder', '=', holder)
      .execute();
  }
}

/** A real import asked for while another one holds the lease (REST: 409 IMPORT_IN_PROGRESS). */
export class ImportInProgress extends Error {
  constructor(
    readonly busy: ImportBusy,
    readonly now: number,
  ) {
    const since = Math.max(0, Math.round((now - busy.startedAt) / 1000));
    super(
      `another import (${busy.kind}, started ${since} s ago) is running in this district; ` +
        'imports run one at a time so that what a dry run checked still holds when it is written: ' +
        'try again when it has finished',
    );
  }

  /** When to ask again: when the lease would lapse unless renewed (at most the TTL). */
  get retryAfterS(): number {
    return Math.max(1, Math.ceil((this.busy.expiresAt - this.now) / 1000));
  }
}
