/**
 * The spread first attempt with a real broker over TCP (issue 12): a gateway that starts with a
 * backlog waits out a spread before connecting, an alarm raised meanwhile connects it early and
 * is delivered, a gateway with nothing to send connects at once, and one holding an alarm at
 * start uses the short window.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../gateway.js';
import { startBroker, type TestBroker } from '../test-support/broker.js';
import { readOutbox, silentLogger, tempDir, testConfig, waitFor } from '../test-support/util.js';
import { ALARM_SPREAD_MS } from './reconnect-policy.js';

describe('uplink: the first attempt after an outage is spread', () => {
  let broker: TestBroker | undefined;
  const gateways: Gateway[] = [];
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
    await broker?.stop();
    for (const d of dirs.splice(0)) d.remove();
  });

  const make = (id: string, url: string, dataDir: string) => {
    const gateway = createGateway(
      testConfig({
        gatewayId: id,
        dataDir,
        hub: { url, password: 'pw', connectTimeoutMs: 2000 },
        reconnect: { minMs: 50, maxMs: 120_000, spreadMs: 60_000 },
        devices: [
          { id: 'radar1', driver: 'none' },
          { id: 'meter1', driver: 'none' },
        ],
      }),
      { logger: silentLogger() },
    );
    gateways.push(gateway);
    return gateway;
  };

  /** A gateway that was cut off: its outbox holds what it could not send. */
  async function cutOff(id: string, lane: 'alarm' | 'telemetry'): Promise<string> {
    const dir = tempDir();
    dirs.push(dir);
    const offline = make(id, 'mqtt://127.0.0.1:9', dir.path); // port 9: refused
    await offline.start();
    if (lane === 'alarm')
      offline.ingest('radar1', { type: 'alarm', kind: 'fall', action: 'raise' });
    else offline.ingest('meter1', { type: 'telemetry', fields: { energy_kwh: 1 } });
    await offline.stop();
    gateways.splice(gateways.indexOf(offline), 1);
    expect(readOutbox(dir.path, lane)).toHaveLength(1);
    return dir.path;
  }

  it('a backlog at start waits out the spread; an alarm cuts it short and is delivered', async () => {
    broker = await startBroker();
    const dataDir = await cutOff('gw-spread', 'telemetry');
    const gateway = make('gw-spread', broker.url, dataDir);
    await gateway.start();
    // Spread over 60 s: the first attempt is pending (0 only if random() < 1/60,000).
    expect(gateway.health().connected).toBe(false);
    expect(gateway.health().uplink.nextRetryInMs).not.toBeNull();

    gateway.ingest('radar1', { type: 'alarm', kind: 'fall', action: 'raise' });
    await waitFor(() => gateway.health().connected, 'early connect for the alarm', 10_000);
    expect(gateway.health().uplink.alarmReconnects).toBe(1);
    // The hub here is a bare broker (no acks), so delivery is seen as the lane's sends.
    await waitFor(
      () => gateway.health().uplink.lanes.alarm.eventsSent >= 1,
      'the alarm sent on connect',
      10_000,
    );
  });

  it('a gateway holding an alarm at start uses the short window', async () => {
    broker = await startBroker();
    const dataDir = await cutOff('gw-alarm-start', 'alarm');
    const gateway = make('gw-alarm-start', broker.url, dataDir);
    await gateway.start();
    const wait = gateway.health().uplink.nextRetryInMs;
    if (wait !== null) expect(wait).toBeLessThan(ALARM_SPREAD_MS);
    await waitFor(() => gateway.health().connected, 'connected', 10_000);
    expect(gateway.health().uplink.alarmReconnects).toBe(0);
  });

  it('a gateway with nothing to send connects at once', async () => {
    broker = await startBroker();
    const dir = tempDir();
    dirs.push(dir);
    const gateway = make('gw-fresh', broker.url, dir.path);
    await gateway.start();
    expect(gateway.health().uplink.nextRetryInMs).toBeNull();
    await waitFor(() => gateway.health().connected, 'connected', 10_000);
  });

  it('a lost connection is retried after a spread, not in lock-step', async () => {
    broker = await startBroker();
    const dir = tempDir();
    dirs.push(dir);
    const gateway = make('gw-lost', broker.url, dir.path);
    await gateway.start();
    await waitFor(() => gateway.health().connected, 'connected', 10_000);
    await broker.stop();
    await waitFor(() => !gateway.health().connected, 'connection lost', 10_000);
    await waitFor(() => gateway.health().uplink.nextRetryInMs !== null, 'retry booked', 10_000);
    // With minMs 50 the old first retry was 50 ms; the spread books it anywhere in 60 s.
    await broker.restart();
    gateway.ingest('radar1', { type: 'alarm', kind: 'sos', action: 'raise' });
    await waitFor(() => gateway.health().connected, 'reconnected for the alarm', 10_000);
  });
});
