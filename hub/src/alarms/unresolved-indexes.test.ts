/**
 * Every query that looks for unresolved alarms — the join-or-open lookup of each alarm event, the
 * console's queue in each scope, the counts — is served by the partial indexes of migration 0980,
 * as SQLite plans it (EXPLAIN QUERY PLAN of the statements the hub really ran, with their
 * parameters). With `status IN (?, ?)` bound as parameters, or a home filter the planner can
 * index, SQLite picks a full index and walks the resolved history (the migration's comment has
 * the figures); this fails then.
 */
import { rmSync } from 'node:fs';
import { CompiledQuery } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newEventId } from '@anxin/protocol';
import { ScopedAlarms } from '../care/alarm-scope.js';
import { recordingSqlite, seededSqliteFile } from '../testing/query-plans.js';
import { openAlarmQuery } from './sqlite-statements.js';
import { AlarmStore } from './store.js';
import { raiseKey } from './writes.js';

const operator = { userId: 'u-1', username: 'op' };
let dir: string;
let file: string;

beforeEach(async () => {
  ({ dir, file } = await seededSqliteFile('anxin-unresolved-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('unresolved alarms are found through their partial indexes', () => {
  it('plans every unresolved lookup the hub runs on alarms_unresolved_key or _queue', async () => {
    const { db, seen, planOf } = recordingSqlite(file);
    const alarms = new AlarmStore(db);
    const scoped = new ScopedAlarms(db);
    // Some history, then one open alarm: the lookups run as on a hub that has been running.
    for (let seq = 1; seq <= 3; seq++) {
      const [outcome] = await alarms.applyBatches([
        {
          gatewayId: 'gw-1',
          receivedAt: 5000 + seq,
          events: [
            {
              type: 'alarm',
              id: newEventId(),
              seq,
              observedAt: 1000 + seq,
              deviceId: 'radar-1',
              kind: 'fall',
              action: 'raise',
            },
          ],
        },
      ]);
      const id = outcome?.created[0]?.id;
      expect(id).toBeDefined();
      if (seq < 3) await alarms.resolve(id ?? '', operator, 'false_alarm', undefined, 9000 + seq);
    }
    seen.length = 0;
    await alarms.applyBatches([
      {
        gatewayId: 'gw-1',
        receivedAt: 6000,
        events: [
          {
            type: 'alarm',
            id: newEventId(),
            seq: 10,
            observedAt: 2000,
            deviceId: 'radar-1',
            kind: 'fall',
            action: 'raise',
          },
        ],
      },
    ]);
    expect(await alarms.unresolved()).toHaveLength(1);
    await alarms.countUnresolved();
    await scoped.list({ kind: 'all' }, ['acknowledged', 'open'], 100);
    const inHome = await scoped.list(
      { kind: 'homes', homeIds: new Set(['home-1']) },
      ['open', 'acknowledged'],
      100,
    );
    expect(inHome).toHaveLength(1);
    const inArea = await scoped.list(
      { kind: 'areas', areaIds: new Set(['d1']) },
      ['open', 'acknowledged'],
      100,
    );
    expect(inArea).toHaveLength(1);
    expect(
      await scoped.list(
        { kind: 'areas', areaIds: new Set(['elsewhere']) },
        ['open', 'acknowledged'],
        100,
      ),
    ).toHaveLength(0);

    const lookups = seen.filter(
      (q) => /from "alarms"/.test(q.sql) && q.sql.includes(`"status" in (`),
    );
    // the join-or-open lookup, the queue, the counts and three scoped queues
    expect(lookups.length).toBeGreaterThanOrEqual(6);
    for (const q of lookups) {
      const details = planOf(q);
      expect(details, q.sql).toMatch(
        /alarms USING (COVERING )?INDEX alarms_unresolved_(key|queue)/,
      );
    }
    await db.destroy();
  });

  it("plans the SQLite alarm lane's prepared lookup on alarms_unresolved_key, for every shape of key", async () => {
    const { db, planOf } = recordingSqlite(file);
    const keys = [
      raiseKey('gw-1', 'fall', 'radar-1'),
      raiseKey('gw-1', 'fall', 'radar-1', null),
      raiseKey('gw-1', 'sos', 'pendant-1', 'r-1'),
      raiseKey('gw-1', 'low_battery', 'bed-1'),
      raiseKey('gw-1', 'low_battery', 'bed-1', null),
      raiseKey('gw-1', 'tamper', 'door-1', 'r-1'),
    ];
    const texts = new Set<string>();
    for (const key of keys) {
      const { text, params } = openAlarmQuery(key);
      texts.add(text);
      expect(planOf(CompiledQuery.raw(text, params)), text).toMatch(
        /alarms USING (COVERING )?INDEX alarms_unresolved_key/,
      );
    }
    expect(texts.size).toBe(6);
    await db.destroy();
  });
});
