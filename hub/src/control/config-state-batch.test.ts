/**
 * Configuration states reported at connect, batched (issue 12): a storm's reports land in a few
 * transactions instead of one synced commit each, the latest report of a gateway wins, nothing
 * is written while an alarm waits, and a failed write does not stop the next one.
 */
import { expect, it } from 'vitest';
import { pino } from 'pino';
import { PROTOCOL_VERSION, type ConfigState } from '@anxin/protocol';
import { describeEngines } from '../testing/engines.js';
import {
  CONFIG_STATE_CHUNK,
  ConfigStateBatch,
  type ReportedConfigState,
} from './config-state-batch.js';
import { ControlStore } from './store.js';

const log = pino({ level: 'silent' });

const state = (appliedVersion: number, refused?: number): ConfigState => ({
  v: PROTOCOL_VERSION,
  appliedVersion,
  at: 1,
  ...(refused !== undefined
    ? { refused: { version: refused, code: 'SCHEMA', reason: `bad ${refused}` } }
    : {}),
});

describeEngines('configuration states batched', (engine) => {
  it('writes a storm of reports in pieces, the latest per gateway, then pushes each', async () => {
    const { db } = await engine.open();
    try {
      const store = new ControlStore(db);
      const writes: number[] = [];
      const pushed: ReportedConfigState[] = [];
      let clock = 1_000;
      const batch = new ConfigStateBatch({
        write: async (reports) => {
          writes.push(reports.length);
          await store.recordConfigStates(reports);
        },
        written: (reports) => {
          pushed.push(...reports);
          return Promise.resolve();
        },
        alarmsIdle: () => Promise.resolve(),
        log,
        now: () => (clock += 1),
        flushMs: 20,
      });
      const count = CONFIG_STATE_CHUNK * 2 + 50;
      const ids = Array.from({ length: count }, (_, i) => `gw-cs-${String(i).padStart(4, '0')}`);
      for (const id of ids) batch.report(id, state(1));
      // A second report of the first ten before the write: only it is stored.
      for (const id of ids.slice(0, 10)) batch.report(id, state(1, 2));
      await batch.settled();

      expect(writes).toEqual([CONFIG_STATE_CHUNK, CONFIG_STATE_CHUNK, 50]);
      expect(pushed).toHaveLength(count);
      const rows = await db.selectFrom('gateway_config_states').selectAll().execute();
      expect(rows).toHaveLength(count);
      const first = rows.find((r) => r.gateway_id === 'gw-cs-0000');
      expect(first).toMatchObject({
        applied_version: 1,
        refused_version: 2,
        refused_code: 'SCHEMA',
      });
      const last = rows.find((r) => r.gateway_id === ids[count - 1]);
      expect(last).toMatchObject({ applied_version: 1, refused_version: null });

      // A later report updates the row (upsert), in its own batch.
      batch.report('gw-cs-0000', state(3));
      await batch.close();
      expect(await store.configState('gw-cs-0000')).toMatchObject({
        applied_version: 3,
        refused_version: null,
      });
      // After close, reports are refused quietly (the hub is stopping).
      batch.report('gw-cs-0001', state(9));
      await batch.settled();
      expect(await store.configState('gw-cs-0001')).toMatchObject({ applied_version: 1 });
    } finally {
      await db.destroy();
    }
  });

  it('waits for the alarm lane to be idle, and survives a failed write', async () => {
    const { db } = await engine.open();
    try {
      const store = new ControlStore(db);
      let releaseAlarms: () => void = () => undefined;
      let alarmsBusy: Promise<void> = new Promise<void>((resolve) => (releaseAlarms = resolve));
      let failNext = true;
      const batch = new ConfigStateBatch({
        write: async (reports) => {
          if (failNext) {
            failNext = false;
            throw new Error('disk full');
          }
          await store.recordConfigStates(reports);
        },
        written: () => Promise.resolve(),
        alarmsIdle: () => alarmsBusy,
        log,
        now: () => 5_000,
        flushMs: 5,
      });
      batch.report('gw-a', state(4));
      const settled = batch.settled();
      // The write waits while an alarm is being stored.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await store.configState('gw-a')).toBeUndefined();
      releaseAlarms();
      await settled;
      // The first write failed (logged); the gateway's next report is written.
      expect(await store.configState('gw-a')).toBeUndefined();
      alarmsBusy = Promise.resolve();
      batch.report('gw-a', state(5));
      await batch.settled();
      expect(await store.configState('gw-a')).toMatchObject({
        applied_version: 5,
        reported_at: 5_000,
      });
    } finally {
      await db.destroy();
    }
  });
});
