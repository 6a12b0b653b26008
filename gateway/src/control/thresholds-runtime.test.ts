/**
 * Thresholds and the heartbeat interval of the hub's configuration act at runtime (issue 10),
 * with real parts: a real MQTT broker over TCP, the gateway's serial transport on a socat
 * pseudo-terminal. A device's battery under the configured threshold raises its low_battery
 * alarm on the alarm lane; a changed threshold acts at once, without restarting the driver.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmEvent, GatewayConfigDevice, Heartbeat } from '@anxin/protocol';
import { startManagedGateway } from '../test-support/managed.js';
import { openPtyPair } from '../test-support/pty.js';
import { waitFor } from '../test-support/util.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const GW = 'gw-thr';

describe('gateway-side thresholds and heartbeat interval from the hub', () => {
  it('raises low_battery under the threshold, acts on a new threshold at once, and follows a new heartbeat interval', async () => {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const { hub, gateway, publishConfig } = await startManagedGateway(GW, cleanups);

    const sensor: GatewayConfigDevice = {
      id: 'sensor',
      driver: 'fake-stream',
      port: pty.gatewaySide,
      options: {},
    };
    const publish = (version: number, extra: Parameters<typeof publishConfig>[2]) =>
      publishConfig(version, [sensor], {
        heartbeatIntervalS: 3600,
        thresholds: { battery_low_pct: 20 },
        ...extra,
      });
    const lowBattery = () =>
      (hub.events('alarm') as AlarmEvent[]).filter(
        (e) => e.kind === 'low_battery' && e.deviceId === 'sensor',
      );
    const heartbeats = (version: number) =>
      hub.messages.filter(
        (m) =>
          m.topic.endsWith('/up/heartbeat') &&
          (JSON.parse(m.payload) as Heartbeat).configVersion === version,
      ).length;

    await publish(1, {});
    await waitFor(() => gateway.health().control.appliedVersion === 1, 'v1 applied');
    await waitFor(
      () => gateway.health().ports.find((p) => p.port === pty.gatewaySide)?.state === 'open',
      'port open',
    );
    gateway.ingest('sensor', { type: 'telemetry', fields: { battery_pct: 25 } });
    gateway.ingest('sensor', { type: 'telemetry', fields: { battery_pct: 15 } });
    await waitFor(() => lowBattery().length === 1, 'low_battery at 15 % < 20 %');
    expect(lowBattery()[0]).toMatchObject({
      action: 'raise',
      detail: { battery_pct: 15, threshold_pct: 20 },
    });
    // Battery replaced, then down to 25 %: under no alarm at 20 %…
    gateway.ingest('sensor', { type: 'telemetry', fields: { battery_pct: 100 } });
    gateway.ingest('sensor', { type: 'telemetry', fields: { battery_pct: 25 } });
    // …until the hub raises the threshold to 30 %: raised at once, with no new report.
    await publish(2, { thresholds: { battery_low_pct: 30 }, heartbeatIntervalS: 1 });
    await waitFor(() => lowBattery().length === 2, 'low_battery at the new threshold');
    expect(lowBattery()[1]).toMatchObject({ detail: { battery_pct: 25, threshold_pct: 30 } });
    // The driver was not restarted by the change.
    expect(gateway.health().ports.find((p) => p.port === pty.gatewaySide)?.opens).toBe(1);
    // v1's 3600 s heartbeat would send one heartbeat (the one right after applying) in an hour;
    // v2's 1 s interval sends several.
    await waitFor(() => heartbeats(2) >= 3, 'heartbeats at the 1 s interval', 20_000);
  }, 40_000);
});
