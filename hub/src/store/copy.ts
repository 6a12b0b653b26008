/**
 * `anxin db copy`: moves a SQLite hub's SQL state into PostgreSQL, so a district that started
 * small can move up to several hubs. Both sides are first brought to the current schema by the
 * same migrations the hub runs; then every table the schema has (found by introspection, so
 * tables added by later migrations are included without touching this file) is copied in
 * foreign-key order, in batches, inside ONE target transaction: the target holds everything or,
 * on any error, nothing. Row counts are compared before commit and identity sequences are moved
 * past the copied ids, so the hub can insert on PostgreSQL right away.
 */
import { existsSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { migrateToLatest, openDatabase, postgresKysely } from './db.js';
import type { Database } from './schema.js';
import { describeTarget, type DatabaseTarget } from './target.js';
import { foreignKeys, identityColumns, parentsFirst, tableOrder } from './copy-order.js';

export interface CopyOptions {
  /** Empty the target's tables first instead of refusing a target that holds data. */
  force?: boolean;
  /** Most rows per INSERT (also bounded by PostgreSQL's 65535 parameters per statement). */
  batchRows?: number;
  log: Logger;
  /** Called after each batch (progress on a terminal). */
  onProgress?: (table: string, copied: number, total: number) => void;
}

export interface CopyReport {
  tables: { table: string; rows: number }[];
  rows: number;
  ms: number;
}

/** A copy refused or failed for a reason the user can act on; `code` is stable. */
export class CopyError extends Error {
  constructor(
    readonly code:
      'SOURCE_MISSING' | 'TARGET_NOT_EMPTY' | 'SCHEMA_MISMATCH' | 'COUNT_MISMATCH' | 'UNSUPPORTED',
    message: string,
  ) {
    super(message);
    this.name = 'CopyError';
  }
}

/** PostgreSQL accepts at most 65535 bind parameters in one statement. */
const MAX_PARAMS = 65_000;

// Kysely's typed builders need table names known at compile time; the copy is generic over
// whatever tables the schema has, so it works on a view of the same connection that also knows
// every other name as a table of unknown columns.
const untyped = (db: Kysely<Database>) => db.withTables<Record<string, Record<string, unknown>>>();

/** Rows per table of every table the schema has (not Kysely's own migration tables). */
export async function tableRowCounts(db: Kysely<Database>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of await db.introspection.getTables()) {
    if (t.isView) continue;
    const r = await untyped(db)
      .selectFrom(t.name)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[t.name] = Number(r.n);
  }
  return out;
}

export async function copyDatabase(
  from: DatabaseTarget,
  to: DatabaseTarget,
  options: CopyOptions,
): Promise<CopyReport> {
  const started = Date.now();
  const { log } = options;
  if (from.driver !== 'sqlite')
    throw new CopyError('UNSUPPORTED', `--from must be a SQLite file, got ${describeTarget(from)}`);
  if (to.driver !== 'postgres')
    throw new CopyError('UNSUPPORTED', `--to must be a postgres:// URL, got ${describeTarget(to)}`);
  // Opening a missing file would create an empty database and "copy" nothing.
  if (!existsSync(from.file))
    throw new CopyError('SOURCE_MISSING', `no SQLite file at ${from.file}`);
  // The source is migrated like the hub would at its next start (same code, same steps).
  const source = (await openDatabase(from, log)).db;
  const target = postgresKysely(to.pool, log);
  try {
    await migrateToLatest(target, log);
    const sourceTables = (await source.introspection.getTables()).filter((t) => !t.isView);
    const targetTables = (await target.introspection.getTables()).filter((t) => !t.isView);
    const targetByName = new Map(targetTables.map((t) => [t.name, t]));
    const columns = new Map<string, string[]>();
    for (const t of sourceTables) {
      const there = targetByName.get(t.name);
      if (!there)
        throw new CopyError(
          'SCHEMA_MISMATCH',
          `table ${t.name} exists in the source but not in the target (a table the hub's migrations do not create)`,
        );
      const targetCols = new Set(there.columns.map((c) => c.name));
      const missing = t.columns.map((c) => c.name).filter((c) => !targetCols.has(c));
      if (missing.length > 0)
        throw new CopyError(
          'SCHEMA_MISMATCH',
          `table ${t.name}: the target has no column ${missing.join(', ')}`,
        );
      columns.set(
        t.name,
        t.columns.map((c) => c.name),
      );
    }
    const fks = await foreignKeys(target);
    const order = tableOrder([...columns.keys()], fks);
    const identities = await identityColumns(target);
    const batchRows = options.batchRows ?? 1000;

    const tables = await target.transaction().execute(async (trx) => {
      const t = untyped(trx);
      const nonEmpty: string[] = [];
      for (const name of order) {
        const n = await t
          .selectFrom(name)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        if (Number(n.n) > 0) nonEmpty.push(`${name} (${Number(n.n)})`);
      }
      if (nonEmpty.length > 0 && !options.force)
        throw new CopyError(
          'TARGET_NOT_EMPTY',
          `the target already holds data: ${nonEmpty.join(', ')}. Copy into an empty database, or give --force to replace it`,
        );
      // Children before parents, so no foreign key blocks the delete.
      for (const name of [...order].reverse()) await t.deleteFrom(name).execute();

      const out: { table: string; rows: number }[] = [];
      for (const name of order) {
        const cols = columns.get(name) ?? [];
        const total = Number(
          (
            await untyped(source)
              .selectFrom(name)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
        const perInsert = Math.max(1, Math.min(batchRows, Math.floor(MAX_PARAMS / cols.length)));
        const selfRefs = fks.filter((f) => f.table === name && f.references === name);
        let copied = 0;
        const insert = async (rows: Record<string, unknown>[]) => {
          if (rows.length === 0) return;
          await t.insertInto(name).columns(cols).values(rows).execute();
          copied += rows.length;
          options.onProgress?.(name, copied, total);
        };
        if (selfRefs.length > 0) {
          // A tree (areas.parent_id): parents must be in before their children.
          const all = await untyped(source).selectFrom(name).select(cols).execute();
          const sorted = parentsFirst(all, selfRefs);
          for (let i = 0; i < sorted.length; i += perInsert)
            await insert(sorted.slice(i, i + perInsert));
        } else {
          // Streamed from SQLite (statement iterator): memory stays at one batch.
          let batch: Record<string, unknown>[] = [];
          for await (const row of untyped(source).selectFrom(name).select(cols).stream(perInsert)) {
            batch.push(row);
            if (batch.length >= perInsert) {
              await insert(batch);
              batch = [];
            }
          }
          await insert(batch);
        }
        const there = Number(
          (
            await t
              .selectFrom(name)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
        if (there !== total || copied !== total)
          throw new CopyError(
            'COUNT_MISMATCH',
            `table ${name}: ${total} rows in the source, ${there} in the target after the copy`,
          );
        out.push({ table: name, rows: total });
        log.info({ table: name, rows: total }, 'table copied');
      }
      // Ids the copy brought in must not be handed out again by the identity columns.
      for (const { table, column } of identities) {
        if (!columns.has(table)) continue;
        await sql`select setval(pg_get_serial_sequence(${table}, ${column}),
                   coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1, false)`.execute(
          trx,
        );
      }
      return out;
    });
    return { tables, rows: tables.reduce((s, t) => s + t.rows, 0), ms: Date.now() - started };
  } finally {
    await source.destroy();
    await target.destroy();
  }
}
