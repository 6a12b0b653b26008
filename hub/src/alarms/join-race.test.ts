/**
 * One open alarm per gateway and kind, also under concurrency: a device's raise on the alarm lane
 * and a rule's finding from the same reading (low_battery: the gateway's threshold alarm and the
 * hub's battery rule on the telemetry it came with) arrive in two transactions at once. On
 * PostgreSQL both would read "no open alarm" and both open one unless they take the same gateway
 * lock (store/gateway-locks.ts); on SQLite the single writer serializes them anyway.
 */
import { expect, it } from 'vitest';
import { newEventId } from '@anxin/protocol';
import { GatewayStore } from '../store/gateways.js';
import { describeEngines } from '../testing/engines.js';
import { seedGatewayHome } from '../testing/gateway-home.js';
import { AlarmStore } from './store.js';
import { UNRESOLVED } from './rows.js';

describeEngines('joining under concurrency', (engine) => {
  it("a device's raise and a rule's finding at the same moment open one alarm", async () => {
    const { db } = await engine.open();
    try {
      await seedGatewayHome(db);
      const ids = Array.from({ length: 40 }, (_, i) => `gw-race-${i}`);
      for (const id of ids) await new GatewayStore(db).upsertCredentials(id, 'hash', 'home-1', 0);
      const alarms = new AlarmStore(db);
      const at = 1_000;
      await Promise.all(
        ids.flatMap((gatewayId) => [
          alarms.applyBatches([
            {
              gatewayId,
              receivedAt: at,
              events: [
                {
                  type: 'alarm',
                  id: newEventId(),
                  seq: 1,
                  observedAt: at,
                  deviceId: 'door-1',
                  kind: 'low_battery',
                  action: 'raise',
                },
              ],
            },
          ]),
          alarms.applyDerived(
            { gatewayId, homeId: 'home-1', test: 0 },
            [
              {
                kind: 'low_battery',
                deviceId: 'door-1',
                at,
                rule: 'battery_low',
                detail: { battery_pct: 15 },
              },
            ],
            [],
            at,
          ),
        ]),
      );
      const open = await db
        .selectFrom('alarms')
        .select(['gateway_id', 'trigger_count'])
        .where('kind', '=', 'low_battery')
        .where('status', 'in', UNRESOLVED)
        .execute();
      expect(open.map((a) => a.gateway_id).sort()).toEqual([...ids].sort());
      expect(open.every((a) => a.trigger_count === 2)).toBe(true);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
