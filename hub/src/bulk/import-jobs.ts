/**
 * Import jobs (issue 13): a real import writes its rows in short chunks (import-apply.ts), and
 * each chunk's transaction also advances its job's `rows_done`, so what the job says is done is
 * exactly what is committed. A hub that dies mid-way leaves the job 'running'; importing the same
 * file again (same kind, same bytes) resumes that job: the committed rows are skipped and the
 * rest written. The upserts are keyed (home and resident id, contact (home, order), plan
 * (resident, kind)), so even a rewrite of a committed row would not duplicate it.
 *
 * Migration 0950_import_jobs creates the table; portable to SQLite and PostgreSQL.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, Migration, Transaction } from 'kysely';
import type { Database } from '../store/schema.js';

export interface ImportJobsTable {
  id: string;
  kind: string;
  /** sha256 of the file's bytes (hex): a re-run of the same file finds its job. */
  file_sha256: string;
  /** 'running' until every row is committed, then 'done'. */
  status: string;
  /** Rows the job writes (the plan's accepted rows). */
  rows_total: number;
  /** Rows committed so far (advanced in each chunk's transaction). */
  rows_done: number;
  created_by: string | null;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
}

declare module '../store/schema.js' {
  interface Database {
    import_jobs: ImportJobsTable;
  }
}

export const importJobsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('import_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('file_sha256', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('rows_total', 'integer', (c) => c.notNull())
      .addColumn('rows_done', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('import_jobs_file')
      .on('import_jobs')
      .columns(['kind', 'file_sha256', 'status'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('import_jobs').ifExists().execute();
  },
};

export const fileSha256 = (bytes: Buffer): string =>
  createHash('sha256').update(bytes).digest('hex');

export interface ImportJob {
  id: string;
  /** True when an unfinished job of the same file was found and is being completed. */
  resumed: boolean;
  /** Rows already committed by the earlier run (skipped now). */
  rowsDone: number;
}

/**
 * The unfinished job of this file, or a new one. A job whose row count differs (the hub's data
 * changed what the plan accepts) is not resumed: its rows are rewritten by the keyed upserts.
 */
export async function startImportJob(
  db: Kysely<Database>,
  input: { kind: string; sha256: string; rowsTotal: number; actorId: string | null; now: number },
): Promise<ImportJob> {
  const open = await db
    .selectFrom('import_jobs')
    .selectAll()
    .where('kind', '=', input.kind)
    .where('file_sha256', '=', input.sha256)
    .where('status', '=', 'running')
    .orderBy('started_at', 'desc')
    .executeTakeFirst();
  if (open) {
    const sameRows = Number(open.rows_total) === input.rowsTotal;
    const rowsDone = sameRows ? Math.min(Number(open.rows_done), input.rowsTotal) : 0;
    await db
      .updateTable('import_jobs')
      .set({ rows_total: input.rowsTotal, rows_done: rowsDone, updated_at: input.now })
      .where('id', '=', open.id)
      .execute();
    return { id: open.id, resumed: true, rowsDone };
  }
  const id = randomUUID();
  await db
    .insertInto('import_jobs')
    .values({
      id,
      kind: input.kind,
      file_sha256: input.sha256,
      status: 'running',
      rows_total: input.rowsTotal,
      rows_done: 0,
      created_by: input.actorId,
      started_at: input.now,
      updated_at: input.now,
      finished_at: null,
    })
    .execute();
  return { id, resumed: false, rowsDone: 0 };
}

/** In the chunk's own transaction: the progress commits with the rows, or neither does. */
export async function advanceImportJob(
  trx: Transaction<Database>,
  id: string,
  rowsDone: number,
  now: number,
): Promise<void> {
  await trx
    .updateTable('import_jobs')
    .set({ rows_done: rowsDone, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function finishImportJob(db: Kysely<Database>, id: string, now: number) {
  await db
    .updateTable('import_jobs')
    .set({ status: 'done', updated_at: now, finished_at: now })
    .where('id', '=', id)
    .execute();
}
