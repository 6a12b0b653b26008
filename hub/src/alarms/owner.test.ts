/**
 * One owner for alarms (issue 14): no module outside hub/src/alarms/ writes the `alarms` table or
 * its timeline (`alarm_triggers`), by query builder or raw SQL. Schema migrations are the one
 * exception (they reshape the tables, not alarms). A new writer elsewhere fails this test: ask the
 * owner (alarms/store.ts) instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const hubSrc = join(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const TABLES = '(alarms|alarm_triggers)';
const WRITES = [
  // Kysely: .insertInto('alarms'), .updateTable("alarm_triggers"), .deleteFrom('alarms') …
  new RegExp(
    `\\.(insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\\(\\s*['"\`]${TABLES}['"\`]`,
  ),
  // Raw SQL in a template or string.
  new RegExp(`\\b(insert\\s+into|update|delete\\s+from)\\s+"?${TABLES}"?\\s`, 'i'),
];

/** Whether `path` (relative to hub/src) may write the alarm tables. */
function mayWrite(path: string): boolean {
  return path.startsWith('alarms/') || /^store\/migration[^/]*\.ts$/.test(path);
}

function alarmWriters(files: { path: string; text: string }[]): string[] {
  return files
    .filter((f) => !mayWrite(f.path) && WRITES.some((re) => re.test(f.text)))
    .map((f) => f.path);
}

describe('the alarm owner', () => {
  it('is the only module that writes alarms and their timeline', () => {
    const files = sources(hubSrc).map((path) => ({
      path: relative(hubSrc, path).split('\\').join('/'),
      text: readFileSync(path, 'utf8'),
    }));
    expect(files.length).toBeGreaterThan(50);
    expect(alarmWriters(files)).toEqual([]);
    // The owner itself is seen by the scan (the patterns match real writes).
    expect(files.filter((f) => WRITES.some((re) => re.test(f.text))).map((f) => f.path)).toContain(
      'alarms/writes.ts',
    );
  });

  it('catches writes by query builder and by raw SQL outside the owner', () => {
    const found = alarmWriters([
      { path: 'engine/x.ts', text: "await trx.updateTable('alarms').set({})" },
      { path: 'care/y.ts', text: 'db.insertInto(\n  "alarm_triggers").values(v)' },
      { path: 'ops/z.ts', text: 'await sql`UPDATE alarms SET status = ${s}`.execute(db)' },
      { path: 'ops/w.ts', text: "await trx.deleteFrom('alarm_triggers').execute()" },
      { path: 'http/r.ts', text: "db.selectFrom('alarms').selectAll()" },
      { path: 'http/s.ts', text: "db.updateTable('alarm_responders').set({})" },
      { path: 'alarms/writes.ts', text: "trx.insertInto('alarms')" },
      { path: 'store/migration-multi-hub.ts', text: 'UPDATE alarms SET status = 1' },
    ]);
    expect(found).toEqual(['engine/x.ts', 'care/y.ts', 'ops/z.ts', 'ops/w.ts']);
  });
});
