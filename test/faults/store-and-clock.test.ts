/**
 * Fault injection with real processes (issue 4): a real influxd 1.6 stopped and restarted while
 * telemetry flows (the hub stops acknowledging telemetry, gateways hold it, alarms keep flowing),
 * and a gateway whose clock jumps back an hour and then a day ahead (events keep the time they
 * were observed, and still order and deduplicate by the gateway's seq, across a gateway crash).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OfferedAlarm } from '../../cli/src/bench/worker-protocol.js';
import { LocalInfluxd } from '../../hub/src/local-engines/influxd.js';
import { checkAlarmsExactlyOnce, FaultRig, waitDrained, waitFor } from './support/fault-rig.js';

let rig: FaultRig | undefined;
let influx: LocalInfluxd | undefined;
afterEach(async () => {
  await rig?.dispose();
  await influx?.destroy();
  rig = undefined;
  influx = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault injection: telemetry store and clock', () => {
  it('influxd stopped and restarted while telemetry flows: every point stored once, alarms flow throughout', async () => {
    influx = await LocalInfluxd.create();
    const ids = ['influx-gw-1', 'influx-gw-2'];
    rig = new FaultRig(ids, [
      'telemetry:',
      '  store: influx1',
      `  influx1: { url: "${influx.url}", database: anxin_faults }`,
      '  writeTimeoutMs: 2000',
      'ingest: { storeRetryMinMs: 100, storeRetryMaxMs: 500 }',
    ]);
    await rig.startHub();
    const worker = await rig.startWorker(rig.base());
    const confirmed: OfferedAlarm[] = [];
    let from = 0;
    let n = 0;
    const produce = async (rounds: number) => {
      for (let i = 0; i < rounds; i += 1) {
        for (const gatewayId of ids) {
          await worker.request({ op: 'telemetry', items: [{ gatewayId, from, count: 5 }] });
          from += 5;
        }
        if (i % 5 === 0) {
          n += 1;
          const reply = await worker.request({
            op: 'alarms',
            items: [{ gatewayId: ids[n % 2] ?? '', n }],
          });
          confirmed.push(...(reply.alarms ?? []));
        }
        await sleep(25);
      }
    };
    await produce(20);
    await influx.stop();
    const alarmsBefore = rig.storedAlarms().length;
    await produce(40);
    // While influxd is down, alarms still reach SQL; telemetry waits in the gateways' outboxes.
    await waitFor('alarms stored during the outage', () =>
      (rig?.storedAlarms().length ?? 0) >= alarmsBefore + 8 ? true : undefined,
    );
    const during = await worker.request({ op: 'health' });
    expect(during.telemetryDepth).toBeGreaterThan(0);
    await influx.start();
    await produce(20);
    await waitDrained([worker], 'after influxd came back', 45_000);

    expect(checkAlarmsExactlyOnce(rig.storedAlarms(), confirmed)).toEqual([]);
    const rows = await influx.query(
      'anxin_faults',
      'SELECT "energy_kwh", "gateway" FROM "telemetry"',
    );
    const values = rows.map((r) => Number(r.energy_kwh)).sort((a, b) => a - b);
    expect(values).toEqual(Array.from({ length: from }, (_, i) => i));
  });

  it('gateway clock jumps back an hour, then a day ahead, across a crash: order and dedup by seq hold', async () => {
    const ids = ['clock-gw-1'];
    rig = new FaultRig(ids);
    await rig.startHub();
    const base = rig.base();
    let worker = await rig.startWorker(base);
    const confirmed: OfferedAlarm[] = [];
    let n = 0;
    const raise = async (count: number) => {
      for (let i = 0; i < count; i += 1) {
        n += 1;
        const reply = await worker.request({
          op: 'alarms',
          items: [{ gatewayId: 'clock-gw-1', n }],
        });
        confirmed.push(...(reply.alarms ?? []));
        await worker.request({
          op: 'telemetry',
          items: [{ gatewayId: 'clock-gw-1', from: n * 10, count: 2 }],
        });
      }
    };
    await raise(10);
    await worker.request({ op: 'clock', offsetMs: -3_600_000 }); // NTP step back an hour
    await raise(10);
    await worker.request({ op: 'clock', offsetMs: 86_400_000 }); // RTC reset a day ahead
    await raise(10);
    // Crash with the clock ahead, restart with it back at true time: seqs must not repeat.
    await rig.killWorker(worker);
    worker = await rig.startWorker(base);
    await raise(10);
    await waitDrained([worker], 'after the clock jumps');

    const stored = rig.storedAlarms();
    expect(checkAlarmsExactlyOnce(stored, confirmed)).toEqual([]);
    expect(stored).toHaveLength(40);
    // Events keep the time the gateway observed them, jumps included.
    const observed = new Map(confirmed.map((a) => [a.n, a.observedAt]));
    for (const a of stored) expect(a.observedAt).toBe(observed.get(a.n));
    const at = (k: number) => observed.get(k) ?? 0;
    expect(at(11)).toBeLessThan(at(10) - 3_000_000);
    expect(at(21)).toBeGreaterThan(at(20) + 80_000_000);
    const telemetry = rig.storedTelemetry().get('clock-gw-1') ?? [];
    expect(telemetry).toHaveLength(80);
    expect(new Set(telemetry).size).toBe(80);
  });
});
