/**
 * The order `anxin db copy` fills tables in: read from PostgreSQL's catalog (the target), so a
 * foreign key added by any later migration is respected without a list to maintain here.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface ForeignKey {
  table: string;
  column: string;
  references: string;
  referencedColumn: string;
}

/** Single-column foreign keys of the current schema (the hub's are all single-column). */
export async function foreignKeys(db: Kysely<Database>): Promise<ForeignKey[]> {
  const r = await sql<ForeignKey>`
    select c.conrelid::regclass::text as "table", a.attname as "column",
           c.confrelid::regclass::text as "references", fa.attname as "referencedColumn"
    from pg_constraint c
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    join pg_attribute fa on fa.attrelid = c.confrelid and fa.attnum = c.confkey[1]
    where c.contype = 'f' and c.connamespace = current_schema()::regnamespace`.execute(db);
  // regclass text is quoted when the name needs it; the hub's names never do.
  return r.rows;
}

/** Identity (auto-numbered) columns of the current schema. */
export async function identityColumns(
  db: Kysely<Database>,
): Promise<{ table: string; column: string }[]> {
  const r = await sql<{ table: string; column: string }>`
    select table_name as "table", column_name as "column" from information_schema.columns
    where table_schema = current_schema() and is_identity = 'YES'`.execute(db);
  return r.rows;
}

/**
 * Tables ordered so that every referenced table comes before the tables referencing it (ties by
 * name, so the order is stable). Self-references are handled row by row (parentsFirst).
 */
export function tableOrder(tables: string[], fks: ForeignKey[]): string[] {
  const known = new Set(tables);
  const deps = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const fk of fks)
    if (fk.table !== fk.references && known.has(fk.table) && known.has(fk.references))
      deps.get(fk.table)?.add(fk.references);
  const out: string[] = [];
  const done = new Set<string>();
  while (out.length < tables.length) {
    const ready = [...deps.entries()]
      .filter(([t, d]) => !done.has(t) && [...d].every((x) => done.has(x)))
      .map(([t]) => t)
      .sort();
    if (ready.length === 0)
      throw new Error(
        `foreign keys form a cycle among: ${tables.filter((t) => !done.has(t)).join(', ')}`,
      );
    for (const t of ready) {
      done.add(t);
      out.push(t);
    }
  }
  return out;
}

/**
 * Rows of a self-referencing table with every parent before its children. A row whose parent is
 * not in the table at all is kept (the insert then fails on the key, naming the table): the
 * source's own integrity, not guessed around.
 */
export function parentsFirst<R extends Record<string, unknown>>(
  rows: R[],
  selfRefs: ForeignKey[],
): R[] {
  const keyOf = (r: R, col: string): string | null => {
    const v = r[col];
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint'
      ? String(v)
      : null;
  };
  const present = new Map<string, Set<string>>();
  for (const fk of selfRefs)
    present.set(
      fk.referencedColumn,
      new Set(rows.map((r) => keyOf(r, fk.referencedColumn)).filter((k) => k !== null)),
    );
  const placed = new Map<string, Set<string>>(
    selfRefs.map((fk) => [fk.referencedColumn, new Set()]),
  );
  const out: R[] = [];
  let pending = rows;
  while (pending.length > 0) {
    const next: R[] = [];
    for (const r of pending) {
      const ready = selfRefs.every((fk) => {
        const parent = keyOf(r, fk.column);
        return (
          parent === null ||
          !present.get(fk.referencedColumn)?.has(parent) ||
          placed.get(fk.referencedColumn)?.has(parent)
        );
      });
      if (!ready) {
        next.push(r);
        continue;
      }
      out.push(r);
      for (const fk of selfRefs) {
        const k = keyOf(r, fk.referencedColumn);
        if (k !== null) placed.get(fk.referencedColumn)?.add(k);
      }
    }
    if (next.length === pending.length) {
      out.push(...next); // a cycle in the data: let the database name it
      break;
    }
    pending = next;
  }
  return out;
}
