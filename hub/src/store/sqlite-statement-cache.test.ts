import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { StatementCachingDatabase } from './sqlite-statement-cache.js';

interface Db {
  t: { id: number; v: string };
}

describe('StatementCachingDatabase (real better-sqlite3 under Kysely)', () => {
  let sqlite: BetterSqlite3.Database;
  afterEach(() => {
    if (sqlite.open) sqlite.close();
  });

  function open(max?: number): { db: Kysely<Db>; cache: StatementCachingDatabase } {
    sqlite = new BetterSqlite3(':memory:');
    sqlite.exec('create table t (id integer primary key, v text not null)');
    const cache = new StatementCachingDatabase(sqlite, max);
    return { db: new Kysely<Db>({ dialect: new SqliteDialect({ database: cache }) }), cache };
  }

  it('prepares a repeated statement once and still answers each execution with its parameters', async () => {
    const { db, cache } = open();
    for (let id = 1; id <= 50; id += 1)
      await db
        .insertInto('t')
        .values({ id, v: `v${id}` })
        .execute();
    const before = cache.prepared;
    const read = (id: number) =>
      db.selectFrom('t').select('v').where('id', '=', id).executeTakeFirst();
    expect(await read(7)).toEqual({ v: 'v7' });
    expect(await read(42)).toEqual({ v: 'v42' });
    expect(await read(99)).toBeUndefined();
    expect(cache.prepared - before).toBe(1);
    expect(before).toBe(1);
  });

  it('hands out a fresh statement while the cached one is still being iterated (busy)', () => {
    const { cache } = open();
    sqlite.exec("insert into t values (1, 'a'), (2, 'b')");
    const sql = 'select v from t order by id';
    const first = cache.prepare(sql);
    const rows = first.iterate([]);
    expect(rows.next().value).toEqual({ v: 'a' });
    // Reusing `first` now would throw "This statement is busy executing a query".
    const during = cache.prepare(sql);
    expect(during).not.toBe(first);
    expect([...rows]).toEqual([{ v: 'b' }]);
    // Done iterating: the cached statement is handed out again, the bypass was never cached.
    expect(cache.prepare(sql)).toBe(first);
  });

  it('keeps at most max statements, dropping the least recently used', async () => {
    const { db, cache } = open(2);
    const a = () => db.selectFrom('t').select('id').execute();
    const b = () => db.selectFrom('t').select('v').execute();
    const c = () => db.selectFrom('t').select(['id', 'v']).execute();
    await a();
    await b();
    await a(); // a is now the most recent; b the oldest
    await c(); // evicts b
    const before = cache.prepared;
    await a();
    await c();
    expect(cache.prepared).toBe(before);
    await b();
    expect(cache.prepared).toBe(before + 1);
  });

  it('closes the database it wraps', () => {
    const { cache } = open();
    cache.close();
    expect(sqlite.open).toBe(false);
  });
});
