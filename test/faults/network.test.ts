/**
 * Fault injection with real processes (issue 4): the uplink cut through a TCP proxy (stalled,
 * dropped, stalled for new connections, restored), and a long outage that fills the gateway's
 * disk-backed telemetry backlog past its bound. Timings are shortened through configuration
 * (reconnect.maxMs, ackTimeoutMs, connectTimeoutMs, heartbeatIntervalS), not code changes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OfferedAlarm } from '../../cli/src/bench/worker-protocol.js';
import { checkAlarmsExactlyOnce, FaultRig, waitDrained, waitFor } from './support/fault-rig.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.dispose();
  rig = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withProxy(r: FaultRig): Promise<TcpProxy> {
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: r.mqttPort });
  r.onDispose(() => proxy.close());
  return proxy;
}

describe('fault injection: network', () => {
  it('uplink stalled, dropped and stalled again, then restored: every alarm exactly once, in order', async () => {
    const ids = ['net-gw-1', 'net-gw-2'];
    rig = new FaultRig(ids);
    await rig.startHub();
    const proxy = await withProxy(rig);
    const worker = await rig.startWorker(rig.base(`mqtt://127.0.0.1:${proxy.port}`));
    const confirmed: OfferedAlarm[] = [];
    let n = 0;
    const produce = async (count: number) => {
      for (let i = 0; i < count; i += 1) {
        n += 1;
        const gatewayId = ids[n % ids.length] ?? '';
        const reply = await worker.request({ op: 'alarms', items: [{ gatewayId, n }] });
        confirmed.push(...(reply.alarms ?? []));
        await worker.request({ op: 'telemetry', items: [{ gatewayId, from: n, count: 3 }] });
        await sleep(20);
      }
    };
    await waitFor('gateways connected through the proxy', async () =>
      (await worker.request({ op: 'health' })).connected === ids.length ? true : undefined,
    );
    await produce(20);
    const acceptedBefore = proxy.accepted;

    proxy.setMode('stall'); // open connections go silent: no acks, no errors
    await produce(40);
    proxy.setMode('drop'); // the link is down: resets, refused reconnects
    await produce(40);
    proxy.setMode('stall'); // new connections are accepted and hang (CONNACK never comes)
    await produce(30);
    const held = await worker.request({ op: 'health' });
    expect(held.alarmDepth).toBeGreaterThan(0); // the outage really held alarms back
    proxy.setMode('forward');
    await produce(20);
    await waitDrained([worker], 'after the uplink came back');
    expect(proxy.accepted).toBeGreaterThan(acceptedBefore); // gateways reconnected

    const stored = rig.storedAlarms();
    expect(checkAlarmsExactlyOnce(stored, confirmed)).toEqual([]);
    expect(stored).toHaveLength(confirmed.length);
    const telemetry = rig.storedTelemetry();
    const points = [...telemetry.values()].reduce((sum, v) => sum + v.length, 0);
    expect(points).toBe(n * 3);
  });

  it('a long outage fills the telemetry backlog: oldest dropped first, counted and reported, alarms never dropped', async () => {
    const ids = ['backlog-gw-1'];
    rig = new FaultRig(ids);
    await rig.startHub();
    const proxy = await withProxy(rig);
    proxy.setMode('drop');
    const worker = await rig.startWorker(
      rig.base(`mqtt://127.0.0.1:${proxy.port}`, {
        outbox: { ...rig.base().outbox, maxTelemetryEvents: 50 },
      }),
    );
    const confirmed: OfferedAlarm[] = [];
    for (let i = 0; i < 20; i += 1) {
      // 10 telemetry points (values 10i … 10i+9), then one alarm, twenty times: 200 points.
      await worker.request({
        op: 'telemetry',
        items: [{ gatewayId: 'backlog-gw-1', from: i * 10, count: 10 }],
      });
      const reply = await worker.request({
        op: 'alarms',
        items: [{ gatewayId: 'backlog-gw-1', n: i + 1 }],
      });
      confirmed.push(...(reply.alarms ?? []));
    }
    const during = await worker.request({ op: 'health' });
    expect(during).toMatchObject({ alarmDepth: 20, telemetryDepth: 50, droppedTelemetry: 150 });

    proxy.setMode('forward');
    await waitDrained([worker], 'after the outage');
    expect(checkAlarmsExactlyOnce(rig.storedAlarms(), confirmed)).toEqual([]);
    // Exactly the newest 50 points survived: the oldest went first.
    const values = rig
      .storedTelemetry()
      .get('backlog-gw-1')
      ?.sort((a, b) => a - b);
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => 150 + i));
    // The drops reached the hub in a heartbeat.
    await waitFor('heartbeat reporting the drops', () =>
      rig?.lastHeartbeat('backlog-gw-1')?.outbox?.droppedTelemetry === 150 ? true : undefined,
    );
  });
});
