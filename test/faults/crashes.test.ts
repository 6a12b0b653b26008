/**
 * Fault injection with real processes (issue 4): the gateway process SIGKILLed in the middle of
 * a burst, and the hub process SIGKILLed while gateways keep producing. After each, every alarm
 * the gateways made durable is at the hub exactly once, in per-gateway order, and every
 * telemetry point made durable is stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayWorker } from '../../cli/src/bench/worker-client.js';
import type { OfferedAlarm } from '../../cli/src/bench/worker-protocol.js';
import { checkAlarmsExactlyOnce, FaultRig, waitDrained, waitFor } from './support/fault-rig.js';

const GATEWAYS = ['crash-gw-1', 'crash-gw-2', 'crash-gw-3'];

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.dispose();
  rig = undefined;
});

/** Raises alarm n on gateway n mod 3 and a telemetry point with value n, until told to stop. */
function producer(worker: () => GatewayWorker, startN: number) {
  const confirmed: OfferedAlarm[] = [];
  const telemetry = new Map<string, number[]>();
  const inFlight: { gatewayId: string; n: number }[] = [];
  let n = startN;
  let running = true;
  const loop = (async () => {
    while (running) {
      n += 1;
      const gatewayId = GATEWAYS[n % GATEWAYS.length] ?? '';
      const item = { gatewayId, n };
      inFlight.push(item);
      try {
        const [alarms, points] = await Promise.all([
          worker().request({ op: 'alarms', items: [item] }, 5000),
          worker().request({ op: 'telemetry', items: [{ gatewayId, from: n, count: 1 }] }, 5000),
        ]);
        confirmed.push(...(alarms.alarms ?? []));
        if (points.events === 1) telemetry.set(gatewayId, [...(telemetry.get(gatewayId) ?? []), n]);
        inFlight.splice(inFlight.indexOf(item), 1);
      } catch {
        // The worker was killed under this request: the alarm may or may not be durable.
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    confirmed,
    telemetry,
    inFlight,
    get n() {
      return n;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

describe('fault injection: crashes', () => {
  it('gateway SIGKILLed mid-burst, then restarted: every durable alarm exactly once, in order', async () => {
    rig = new FaultRig(GATEWAYS);
    await rig.startHub();
    let worker = await rig.startWorker(rig.base());
    const first = producer(() => worker, 0);
    await waitFor('a burst under way', () => (first.confirmed.length >= 60 ? true : undefined));
    await rig.killWorker(worker); // mid-request: the producer's last request dies with it
    await first.stop();
    const maybe = [...first.inFlight];

    worker = await rig.startWorker(rig.base());
    const second = producer(() => worker, first.n + 10);
    await waitFor('more alarms after restart', () =>
      second.confirmed.length >= 30 ? true : undefined,
    );
    await second.stop();
    await waitDrained([worker], 'after gateway restart');

    const confirmed = [...first.confirmed, ...second.confirmed];
    const stored = rig.storedAlarms();
    expect(checkAlarmsExactlyOnce(stored, confirmed, maybe)).toEqual([]);
    expect(stored.length).toBeGreaterThanOrEqual(confirmed.length);

    const telemetry = rig.storedTelemetry();
    for (const [gatewayId, values] of [...first.telemetry, ...second.telemetry]) {
      expect(telemetry.get(gatewayId)).toEqual(expect.arrayContaining(values));
    }
    for (const [, values] of telemetry) expect(new Set(values).size).toBe(values.length);
  });

  it('hub SIGKILLed and restarted while gateways keep producing: nothing lost, nothing twice', async () => {
    rig = new FaultRig(GATEWAYS);
    await rig.startHub();
    const worker = await rig.startWorker(rig.base());
    const production = producer(() => worker, 0);
    await waitFor('alarms flowing', () => (production.confirmed.length >= 30 ? true : undefined));
    await rig.killHub();
    const atKill = production.confirmed.length;
    await new Promise((r) => setTimeout(r, 1500)); // gateways keep producing into their outboxes
    expect(production.confirmed.length).toBeGreaterThan(atKill);
    await rig.startHub();
    const atRestart = production.confirmed.length;
    await waitFor('alarms after the restart', () =>
      production.confirmed.length >= atRestart + 30 ? true : undefined,
    );
    await production.stop();
    await waitDrained([worker], 'after hub restart');

    const stored = rig.storedAlarms();
    expect(checkAlarmsExactlyOnce(stored, production.confirmed)).toEqual([]);
    expect(stored).toHaveLength(production.confirmed.length);
    const telemetry = rig.storedTelemetry();
    for (const [gatewayId, values] of production.telemetry) {
      expect(telemetry.get(gatewayId)?.sort((a, b) => a - b)).toEqual(values);
    }
  });
});
