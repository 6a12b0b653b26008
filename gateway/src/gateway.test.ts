/**
 * The gateway against a real MQTT broker (aedes over loopback TCP) and a fake hub that acks:
 * the "no alarm lost" contract (DESIGN.md) as seen from the gateway.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  GatewayStatusSchema,
  HeartbeatSchema,
  CommandResultSchema,
  downlinkTopic,
  parsePayload,
  resumeAck,
  uplinkTopic,
  type Lane,
} from '@anxin/protocol';
import { startBroker, type TestBroker } from './test-support/broker.js';
import { gatewayOnDisk, startHubSide, type Cleanups } from './test-support/managed.js';
import { captureLogger, readOutbox, unackedInOutbox, sleep, waitFor } from './test-support/util.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  options: {
    outbox?: Record<string, unknown>;
    hub?: Record<string, unknown>;
    heartbeatIntervalS?: number;
    brokerUp?: boolean;
  } = {},
) {
  const { broker, hub } = await startHubSide(cleanups);
  const { dir, make } = gatewayOnDisk('gw-test', broker.url, cleanups, {
    hub: { password: 'pw', ...options.hub },
    heartbeatIntervalS: options.heartbeatIntervalS ?? 30,
    outbox: { ackTimeoutMs: 400, ...options.outbox },
    reconnect: { minMs: 50, maxMs: 300 },
    devices: [
      { id: 'radar1', driver: 'none' },
      { id: 'meter1', driver: 'none' },
    ],
  });
  return { broker, hub, dir, makeGateway: make };
}

const fall = { type: 'alarm', kind: 'fall', action: 'raise' } as const;
const energy = (v: number) => ({ type: 'telemetry', fields: { energy_kwh: v } }) as const;

function assertIncreasing(seqs: number[]): void {
  for (let i = 1; i < seqs.length; i += 1) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
}

describe('gateway uplink with a real broker', () => {
  it('writes every event to the outbox before it is sent, deletes it only after the ack', async () => {
    const { hub, dir, makeGateway } = await setup();
    const present: boolean[] = [];
    hub.onEvent = (lane: Lane, event) => {
      present.push(
        readOutbox(dir, lane).some((row) => row.seq === event.seq && row.id === event.id),
      );
    };
    const gateway = makeGateway();
    await gateway.start();
    await waitFor(() => gateway.health().connected, 'connect');
    const sent = [
      gateway.ingest('radar1', fall),
      gateway.ingest('meter1', energy(1)),
      gateway.ingest('meter1', energy(2)),
    ];
    await waitFor(() => hub.received.length >= 3, 'events at the hub');
    expect(present).toEqual([true, true, true]);
    await waitFor(
      () =>
        readOutbox(dir, 'alarm').length + unackedInOutbox(gateway, dir, 'telemetry').length === 0,
      'outbox drained after acks',
    );
    expect(hub.events('alarm')[0]).toEqual(sent[0]);
    expect(hub.events('telemetry')).toEqual([sent[1], sent[2]]);
    expect(hub.invalid).toEqual([]);
  });

  it('keeps unacknowledged events, resends them after the ack timeout, and deletes them once acked', async () => {
    const { hub, dir, makeGateway } = await setup();
    hub.policy = { alarm: { mode: 'ignore' }, telemetry: { mode: 'ignore' } };
    const gateway = makeGateway();
    await gateway.start();
    await waitFor(() => gateway.health().connected, 'connect');
    const alarm = gateway.ingest('radar1', fall);
    gateway.ingest('meter1', energy(1));
    // 400 ms ack timeout: wait for at least one resend of each lane.
    await waitFor(
      () => hub.events('alarm').length >= 2 && hub.events('telemetry').length >= 2,
      'resends',
      5000,
    );
    expect(readOutbox(dir, 'alarm').map((r) => r.seq)).toEqual([alarm.seq]);
    expect(readOutbox(dir, 'telemetry')).toHaveLength(1);
    expect(gateway.health().uplink.lanes.alarm.resends).toBeGreaterThanOrEqual(1);
    expect(new Set(hub.events('alarm').map((e) => e.id))).toEqual(new Set([alarm.id]));

    hub.policy = { alarm: { mode: 'ack' }, telemetry: { mode: 'ack' } };
    await waitFor(
      () => gateway.health().outbox.alarmDepth + gateway.health().outbox.telemetryDepth === 0,
      'drained',
      5000,
    );
  });

  it('holds deferred events and retries them after retryAfterMs', async () => {
    const { hub, makeGateway } = await setup();
    hub.policy.telemetry = { mode: 'defer', retryAfterMs: 300 };
    const gateway = makeGateway();
    await gateway.start();
    await waitFor(() => gateway.health().connected, 'connect');
    gateway.ingest('meter1', energy(1));
    await waitFor(() => hub.events('telemetry').length === 1, 'first delivery');
    const firstAt = hub.received[0]!.at;
    // Alarms are not held by deferred telemetry.
    gateway.ingest('radar1', fall);
    await waitFor(() => hub.events('alarm').length === 1, 'alarm while telemetry is held', 1000);
    expect(gateway.health().outbox.telemetryDepth).toBe(1);
    hub.policy.telemetry = { mode: 'ack' };
    await waitFor(() => hub.events('telemetry').length === 2, 'retry after retryAfterMs', 3000);
    const retryAt = hub.received.filter((r) => r.lane === 'telemetry')[1]!.at;
    expect(retryAt - firstAt).toBeGreaterThanOrEqual(250);
    await waitFor(() => gateway.health().outbox.telemetryDepth === 0, 'acked');
  });

  it('sends held telemetry at once when the hub calls the lane back (a resume ack)', async () => {
    const { hub, makeGateway } = await setup();
    // Deferred for a minute: only a resume can bring it back within this test.
    hub.policy.telemetry = { mode: 'defer', retryAfterMs: 60_000 };
    const gateway = makeGateway();
    await gateway.start();
    await waitFor(() => gateway.health().connected, 'connect');
    gateway.ingest('meter1', energy(1));
    await waitFor(() => hub.events('telemetry').length === 1, 'first delivery');
    await waitFor(() => gateway.health().uplink.lanes.telemetry.heldForMs > 50_000, 'lane held');
    hub.policy.telemetry = { mode: 'ack' };
    // An ack that settles nothing with retryAfterMs 0: the hub has room again.
    hub.publish(
      downlinkTopic(gateway.health().gatewayId, 'ack'),
      JSON.stringify(resumeAck('telemetry')),
    );
    await waitFor(() => hub.events('telemetry').length === 2, 'resent on resume', 3000);
    await waitFor(() => gateway.health().outbox.telemetryDepth === 0, 'acked');
    expect(gateway.health().uplink.lanes.telemetry.resumes).toBe(1);
  });

  it('sends an alarm ahead of a 5,000-event telemetry backlog, keeping order in each lane', async () => {
    const { hub, makeGateway } = await setup({
      outbox: { batchSize: 100, telemetryWindow: 2, ackTimeoutMs: 5000 },
    });
    // The hub takes 60 ms to make each telemetry batch durable: the backlog needs ~1.5 s.
    hub.policy.telemetry = { mode: 'ack', delayMs: 60 };
    const gateway = makeGateway();
    await gateway.start();
    await waitFor(() => gateway.health().connected, 'connect');
    const telemetry = [];
    for (let i = 0; i < 5000; i += 1) telemetry.push(gateway.ingest('meter1', energy(i)));
    await waitFor(() => hub.events('telemetry').length >= 100, 'backlog draining');
    const before = Date.now();
    const alarm = gateway.ingest('radar1', fall);
    await waitFor(() => hub.events('alarm').length === 1, 'alarm', 2000);
    const latency = Date.now() - before;
    const telemetryBeforeAlarm = hub.received.findIndex((r) => r.lane === 'alarm');
    expect(hub.events('alarm')[0]!.id).toBe(alarm.id);
    expect(latency).toBeLessThan(500);
    expect(telemetryBeforeAlarm).toBeLessThan(1000);
    await waitFor(() => gateway.health().outbox.telemetryDepth === 0, 'backlog drained', 20_000);
    const seqs = hub.distinctSeqs('telemetry');
    expect(seqs).toEqual(telemetry.map((e) => e.seq));
    assertIncreasing(seqs);
    // Replay is batched: far fewer batches than events.
    expect(gateway.health().uplink.lanes.telemetry.batchesSent).toBeLessThanOrEqual(60);
  });

  it('after a restart on the same dataDir resends unacked events with the same ids and seqs', async () => {
    const { hub, dir, makeGateway } = await setup();
    hub.policy = { alarm: { mode: 'ignore' }, telemetry: { mode: 'ignore' } };
    const first = makeGateway();
    await first.start();
    await waitFor(() => first.health().connected, 'connect');
    const events = [
      first.ingest('radar1', fall),
      first.ingest('meter1', energy(1)),
      first.ingest('radar1', { ...fall, action: 'clear' }),
    ];
    await waitFor(() => hub.received.length >= 3, 'first delivery');
    await first.stop();
    expect(readOutbox(dir, 'alarm')).toHaveLength(2);

    hub.received.length = 0;
    hub.policy = { alarm: { mode: 'ack' }, telemetry: { mode: 'ack' } };
    const second = makeGateway();
    await second.start();
    await waitFor(
      () => second.health().outbox.alarmDepth + second.health().outbox.telemetryDepth === 0,
      'resent and acked',
    );
    expect(hub.events('alarm')).toEqual([events[0], events[2]]);
    expect(hub.events('telemetry')).toEqual([events[1]]);
    const next = second.ingest('meter1', energy(2));
    expect(next.seq).toBeGreaterThan(Math.max(...events.map((e) => e.seq)));
  });

  it('reconnects when the broker goes away and comes back, then delivers what was recorded meanwhile', async () => {
    const { broker, hub, makeGateway } = await setup();
    const gateway = makeGateway();
    await gateway.start();
    await waitFor(() => gateway.health().connected, 'connect');
    await broker.stop();
    await waitFor(() => !gateway.health().connected, 'disconnect noticed');
    const alarm = gateway.ingest('radar1', fall);
    const reading = gateway.ingest('meter1', energy(7));
    await sleep(300);
    expect(gateway.health().uplink.connectFailures).toBeGreaterThanOrEqual(1);
    await broker.restart();
    await waitFor(() => gateway.health().connected, 'reconnect', 5000);
    await waitFor(
      () => hub.events('alarm').some((e) => e.id === alarm.id),
      'alarm after reconnect',
      5000,
    );
    await waitFor(
      () => hub.events('telemetry').some((e) => e.id === reading.id),
      'telemetry after reconnect',
      5000,
    );
    await waitFor(() => gateway.health().outbox.alarmDepth === 0, 'acked');
    expect(gateway.health().uplink.connects).toBeGreaterThanOrEqual(2);
  });

  it('bounds the telemetry backlog during an outage: oldest dropped first, counted, reported', async () => {
    const { broker, hub, makeGateway } = await setup({
      outbox: { maxTelemetryEvents: 10 },
      heartbeatIntervalS: 1,
    });
    await broker.stop();
    const gateway = makeGateway();
    await gateway.start();
    const all = [];
    for (let i = 0; i < 25; i += 1) all.push(gateway.ingest('meter1', energy(i)));
    const alarms = [gateway.ingest('radar1', fall), gateway.ingest('radar1', fall)];
    expect(gateway.health().outbox).toMatchObject({
      telemetryDepth: 10,
      alarmDepth: 2,
      droppedTelemetry: 15,
    });
    await broker.restart();
    await waitFor(
      () =>
        gateway.health().outbox.telemetryDepth === 0 && gateway.health().outbox.alarmDepth === 0,
      'drain',
      5000,
    );
    expect(hub.distinctSeqs('telemetry')).toEqual(all.slice(15).map((e) => e.seq));
    expect(hub.distinctSeqs('alarm')).toEqual(alarms.map((e) => e.seq));
    const heartbeat = () =>
      hub.messages
        .filter((m) => m.topic === uplinkTopic('gw-test', 'heartbeat'))
        .map((m) => parsePayload(HeartbeatSchema, m.payload, 1 << 20));
    await waitFor(() => heartbeat().length > 0, 'heartbeat', 3000);
    const last = heartbeat().at(-1)!;
    expect(last.ok).toBe(true);
    if (last.ok) expect(last.value.outbox.droppedTelemetry).toBe(15);
  });

  it('publishes status online (retained), valid heartbeats, and offline on stop', async () => {
    const { hub, makeGateway } = await setup({ heartbeatIntervalS: 1 });
    const gateway = makeGateway();
    await gateway.start();
    await waitFor(
      () => hub.messages.filter((m) => m.topic.endsWith('/up/heartbeat')).length >= 2,
      'two heartbeats',
      4000,
    );
    const status = hub.messages.filter((m) => m.topic === uplinkTopic('gw-test', 'status'));
    const online = parsePayload(GatewayStatusSchema, status[0]!.payload, 1024);
    expect(online.ok && online.value.state).toBe('online');
    for (const m of hub.messages.filter((m) => m.topic.endsWith('/up/heartbeat'))) {
      const hb = parsePayload(HeartbeatSchema, m.payload, 1 << 20);
      expect(hb.ok).toBe(true);
      if (hb.ok) expect(hb.value.devices.map((d) => d.deviceId)).toEqual(['radar1', 'meter1']);
    }
    await gateway.stop();
    await waitFor(() => {
      const last = hub.messages.filter((m) => m.topic === uplinkTopic('gw-test', 'status')).at(-1);
      return last !== undefined && last.payload.includes('"offline"');
    }, 'offline status');
  });

  it('has the broker publish the retained "offline" last will when the connection dies, then comes back online', async () => {
    const { broker, hub, makeGateway } = await setup();
    const gateway = makeGateway();
    await gateway.start();
    await waitFor(() => gateway.health().connected, 'connect');
    const statusTopic = uplinkTopic('gw-test', 'status');
    const states = () =>
      hub.messages
        .filter((m) => m.topic === statusTopic)
        .map((m) => parsePayload(GatewayStatusSchema, m.payload, 1024))
        .map((r) => (r.ok ? r.value.state : 'invalid'));
    await waitFor(() => states().length === 1, 'online status');
    expect(broker.cutClient('gw-test')).toBe(true);
    await waitFor(() => states().includes('offline'), 'last will', 5000);
    await waitFor(() => states().length >= 3, 'online again after reconnect', 5000);
    expect(states().slice(0, 3)).toEqual(['online', 'offline', 'online']);
    expect(gateway.health().uplink.connects).toBe(2);
  });

  it('keeps lane order and ids when the gateway clock jumps back and forth', async () => {
    const { hub, makeGateway } = await setup();
    let offset = 0;
    const gateway = makeGateway({ now: () => Date.now() + offset });
    await gateway.start();
    await waitFor(() => gateway.health().connected, 'connect');
    const sent = [gateway.ingest('radar1', fall), gateway.ingest('meter1', energy(1))];
    offset = -3_600_000; // an hour back
    sent.push(
      gateway.ingest('radar1', { ...fall, action: 'clear' }),
      gateway.ingest('meter1', energy(2)),
    );
    offset = 86_400_000; // a day ahead
    sent.push(gateway.ingest('radar1', fall), gateway.ingest('meter1', energy(3)));
    await waitFor(
      () => hub.received.length >= 6 && gateway.health().outbox.alarmDepth === 0,
      'delivered',
    );
    expect(hub.distinctSeqs('alarm')).toEqual(
      sent.filter((e) => e.type === 'alarm').map((e) => e.seq),
    );
    expect(hub.distinctSeqs('telemetry')).toEqual(
      sent.filter((e) => e.type === 'telemetry').map((e) => e.seq),
    );
    const observed = hub.events('alarm').map((e) => e.observedAt);
    expect(observed[1]! - observed[0]!).toBeLessThan(-3_500_000);
    expect(observed[2]! - observed[1]!).toBeGreaterThan(86_000_000);
    expect(new Set(hub.received.map((r) => r.event.id)).size).toBe(6);
  });

  it('counts bad downlink messages without crashing, and answers ping', async () => {
    const { hub, makeGateway } = await setup();
    const gateway = makeGateway();
    await gateway.start();
    await waitFor(() => gateway.health().connected, 'connect');
    await sleep(100); // let the downlink subscription settle
    hub.publish(downlinkTopic('gw-test', 'ack'), '{not json');
    hub.publish(
      downlinkTopic('gw-test', 'ack'),
      JSON.stringify({ v: 1, lane: 'alarm', acked: ['x'] }),
    );
    hub.publish(downlinkTopic('gw-test', 'cmd'), Buffer.alloc(300 * 1024, 0x20));
    hub.publish(downlinkTopic('gw-test', 'config'), '[]');
    // The shape the gateway parsed before issue 10: not a configuration the hub sends.
    hub.publish(downlinkTopic('gw-test', 'config'), JSON.stringify({ v: 1, version: 3 }));
    hub.publish(downlinkTopic('gw-test', 'cmd'), JSON.stringify({ v: 1, id: 'c1', name: 'ping' }));
    hub.publish(
      downlinkTopic('gw-test', 'cmd'),
      JSON.stringify({ v: 1, id: 'c2', name: 'Not A Name!' }),
    );
    hub.publish(
      downlinkTopic('gw-test', 'cmd'),
      JSON.stringify({ v: 1, id: 'c3', name: 'reboot' }),
    );
    await waitFor(
      () => hub.messages.filter((m) => m.topic.endsWith('/up/cmd-result')).length === 3,
      'command results',
    );
    expect(gateway.health().uplink.badDownlinks).toEqual({
      'ack:BAD_JSON': 1,
      'ack:SCHEMA': 1,
      'cmd:TOO_LARGE': 1,
      'cmd:SCHEMA': 1,
      'config:SCHEMA': 2,
    });
    const results = hub.messages
      .filter((m) => m.topic.endsWith('/up/cmd-result'))
      .map((m) => parsePayload(CommandResultSchema, m.payload, 4096))
      .map((r) => (r.ok ? r.value : null))
      // Answers are asynchronous (a command may take a while): compare them in id order.
      .sort((a, b) => (a?.id ?? '').localeCompare(b?.id ?? ''));
    expect(results).toEqual([
      {
        v: 1,
        id: 'c1',
        ok: true,
        message: 'pong',
        data: { gateway_time: expect.any(Number), software_version: '0.1.0' },
      },
      {
        v: 1,
        id: 'c2',
        ok: false,
        code: 'INVALID_ARGS',
        message: expect.stringMatching(/^invalid command: /),
      },
      { v: 1, id: 'c3', ok: false, code: 'UNKNOWN_COMMAND', message: expect.any(String) },
    ]);
    // Still fully working.
    gateway.ingest('radar1', fall);
    await waitFor(
      () => gateway.health().outbox.alarmDepth === 0 && hub.events('alarm').length === 1,
      'alarm after garbage',
    );
  });

  it('refuses unknown devices and readings that do not fit the protocol', async () => {
    const { makeGateway } = await setup();
    const gateway = makeGateway();
    await gateway.start();
    expect(() => gateway.ingest('nope', fall)).toThrow(/UNKNOWN_DEVICE|no device/);
    // A batch with one unknown device is refused whole, with the same code.
    expect(() =>
      gateway.ingestBatch([
        { deviceId: 'radar1', reading: fall },
        { deviceId: 'nope', reading: fall },
      ]),
    ).toThrow(expect.objectContaining({ code: 'UNKNOWN_DEVICE' }));
    expect(gateway.health().outbox.alarmDepth).toBe(0);
    expect(() =>
      gateway.ingest('meter1', { type: 'telemetry', fields: { 'Bad Name': 1 } }),
    ).toThrow(/refused/);
    expect(gateway.health().devices.find((d) => d.deviceId === 'meter1')!.invalidReadings).toBe(1);
    expect(gateway.health().outbox.telemetryDepth).toBe(0);
  });
});

describe('gateway with wrong credentials', () => {
  it('logs a clear error and retries with backoff, without crashing', async () => {
    const broker: TestBroker = await startBroker({ authenticate: (_u, p) => p === 'right' });
    cleanups.push(() => broker.stop());
    const { logger, lines } = captureLogger();
    const { dir, make } = gatewayOnDisk('gw-auth', broker.url, cleanups, {
      hub: { password: 'wrong' },
      reconnect: { minMs: 100, maxMs: 400 },
      devices: [{ id: 'radar1', driver: 'none' }],
    });
    const gateway = make({ logger });
    await gateway.start();
    const alarm = gateway.ingest('radar1', fall);
    await waitFor(
      () => gateway.health().uplink.connectFailures >= 3,
      'three refused attempts',
      5000,
    );
    const refused = lines.filter((l) => l.code === 'UPLINK_AUTH_REFUSED');
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(String(refused[0]!.msg)).toMatch(/refused the gateway's credentials.*hub\.password/);
    const retries = lines
      .filter((l) => l.msg === 'cannot connect to hub')
      .map((l) => Number(l.retryInMs));
    expect(retries.length).toBeGreaterThanOrEqual(3);
    for (const delay of retries) {
      expect(delay).toBeGreaterThanOrEqual(100);
      expect(delay).toBeLessThanOrEqual(400);
    }
    const health = gateway.health();
    expect(health.connected).toBe(false);
    expect(health.uplink.lastErrorCode).toBe('UPLINK_AUTH_REFUSED');
    expect(health.outbox.alarmDepth).toBe(1);
    expect(readOutbox(dir, 'alarm').map((r) => r.id)).toEqual([alarm.id]);
  });
});
