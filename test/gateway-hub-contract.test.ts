/**
 * One contract, bound at both ends (issue 10). Every downlink message is built by the HUB's own
 * code (a real hub: REST device edits publish the config, ingest builds the acks) and fed to the
 * GATEWAY's parser; every uplink message is built by the GATEWAY's own code (a real gateway
 * connected over TCP, plus its batch builder) and fed to the HUB's parser. If either end changes a
 * message shape without the other, this fails.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  downlinkTopic,
  newEventId,
  uplinkTopic,
  type AlarmDetailResponse,
  type AlarmEvent,
  type AlarmListResponse,
  type CreateGatewayResponse,
  type GatewayCommandResponse,
  type GatewayDto,
  type TelemetryEvent,
} from '@anxin/protocol';
import { seedDemo } from '../hub/src/care/seed.js';
import { parseUplink } from '../hub/src/ingest/uplink-parse.js';
import { callApi, login, startHub, type RunningHub } from '../hub/src/testing/harness.js';
import { pickUp } from '../hub/src/testing/claim.js';
import { createGateway, type Gateway } from '../gateway/src/gateway.js';
import { parseDownlink, type DownlinkParse } from '../gateway/src/uplink/downlink.js';
import { buildBatch } from '../gateway/src/uplink/batch.js';
import { readingToDraft } from '../gateway/src/drivers/readings.js';
import { silentLogger, tempDir, testConfig } from '../gateway/src/test-support/util.js';
import { waitFor } from './support/ports.js';

const GW = 'gw-contract-1';
let h: RunningHub;
let cookie: string;
let password: string;
let raw: MqttClient;
const downlinks: { topic: string; payload: Buffer }[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  h = await startHub();
  const { logins } = await seedDemo(h.hub, { homes: 1 });
  const admin = logins.find((l) => l.username === 'admin')!;
  cookie = await login(h.httpUrl, admin.username, admin.password);
  const created = await callApi(h.httpUrl, cookie, 'POST', '/api/v1/gateways', { id: GW });
  const { claimCode } = created.body as CreateGatewayResponse;
  const claimed = await callApi(h.httpUrl, cookie, 'POST', '/api/v1/gateways/claim', {
    gatewayId: GW,
    claimCode,
    homeId: 'home-0001',
  });
  expect(claimed.status).toBe(200);
  // The gateway's own credentials, picked up over the claim channel (zero-touch claim).
  const picked = await pickUp(h.httpUrl, GW, claimCode);
  if (!picked.credentials) throw new Error(`no credentials: ${JSON.stringify(picked.answer)}`);
  password = picked.credentials.password;
  raw = await connectAsync(h.mqttUrl, {
    clientId: GW,
    username: GW,
    password,
    reconnectPeriod: 0,
    clean: true,
  });
  raw.on('message', (topic, payload) => downlinks.push({ topic, payload }));
  await raw.subscribeAsync(`anxin/v1/gw/${GW}/down/#`, { qos: 1 });
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await raw?.endAsync(true).catch(() => undefined);
  await h?.close();
});

/** An event as the gateway's outbox keeps it: the exact JSON it is sent as (outbox.ts). */
const stored = (event: AlarmEvent | TelemetryEvent) => ({
  seq: event.seq,
  json: JSON.stringify(event),
  createdAt: 0,
});

const gatewayParse = (topic: string, payload: Buffer): DownlinkParse =>
  parseDownlink(GW, topic, payload);

describe('hub → gateway', () => {
  it('the configuration the hub publishes after a device edit is one the gateway parses', async () => {
    const added = await callApi(h.httpUrl, cookie, 'POST', `/api/v1/gateways/${GW}/devices`, {
      id: 'meter-1',
      driver: 'dlt645',
      kind: 'electricity_meter',
      room: 'hall',
      port: '/dev/ttyUSB0',
      expectedIntervalS: 120,
      options: { address: '000000000001' },
    });
    expect(added.status).toBe(201);
    const config = await waitFor('config v2', () =>
      downlinks.find(
        (d) =>
          d.topic === downlinkTopic(GW, 'config') &&
          d.payload.length > 0 &&
          (JSON.parse(d.payload.toString()) as { configVersion: number }).configVersion === 2,
      ),
    );
    const parsed = gatewayParse(config.topic, config.payload);
    expect(parsed).toMatchObject({
      ok: true,
      message: {
        channel: 'config',
        config: {
          configVersion: 2,
          gatewayId: GW,
          devices: [
            {
              id: 'meter-1',
              driver: 'dlt645',
              port: '/dev/ttyUSB0',
              expectedIntervalS: 120,
              options: { address: '000000000001' },
            },
          ],
        },
      },
    });
  });

  it('the acks the hub sends for a gateway-built batch are ones the gateway parses', async () => {
    const alarm: AlarmEvent = {
      type: 'alarm',
      id: newEventId(),
      // Far above the real gateway's seqs below (the hub is idempotent on gateway and seq).
      seq: 900_001,
      observedAt: Date.now(),
      deviceId: 'radar-1',
      kind: 'fall',
      action: 'raise',
    };
    const telemetry: TelemetryEvent = {
      type: 'telemetry',
      id: newEventId(),
      seq: 900_002,
      observedAt: Date.now(),
      deviceId: 'meter-1',
      fields: { energy_kwh: 12.5 },
    };
    const alarmBatch = buildBatch([stored(alarm)], 10, 4096)!;
    const telemetryBatch = buildBatch([stored(telemetry)], 10, 4096)!;
    await raw.publishAsync(uplinkTopic(GW, 'alarm'), alarmBatch.payload, { qos: 1 });
    await raw.publishAsync(uplinkTopic(GW, 'telemetry'), telemetryBatch.payload, { qos: 1 });
    const acks = await waitFor('two acks', () => {
      const found = downlinks.filter((d) => d.topic === downlinkTopic(GW, 'ack'));
      return found.length >= 2 ? found : undefined;
    });
    for (const ack of acks) {
      const parsed = gatewayParse(ack.topic, ack.payload);
      expect(parsed.ok).toBe(true);
      if (parsed.ok && parsed.message.channel === 'ack')
        expect(parsed.message.ack.acked.length).toBe(1);
    }
  });
});

describe('gateway → hub', () => {
  let gateway: Gateway;

  it('batches built by the gateway are parsed by the hub, event for event', () => {
    const events: AlarmEvent[] = [1, 2, 3].map((seq) => ({
      type: 'alarm',
      id: newEventId(),
      seq,
      observedAt: 1_763_800_000_000 + seq,
      deviceId: 'radar-1',
      kind: 'sos',
      action: 'raise',
      detail: { button: 'wrist' },
    }));
    const batch = buildBatch(events.map(stored), 500, 256 * 1024)!;
    const parsed = parseUplink('alarm', Buffer.from(batch.payload));
    expect(parsed).toMatchObject({ ok: true, message: { channel: 'alarm', rejected: [] } });
    if (parsed.ok && parsed.message.channel === 'alarm')
      expect(parsed.message.events).toEqual(events);
  });

  it('the test mark the gateway puts on events (and its absence) is parsed by the hub', () => {
    const build = (seq: number, test: boolean): AlarmEvent => {
      const draft = readingToDraft(
        'radar-1',
        { type: 'alarm', kind: 'fall', action: 'raise' },
        1,
        test,
      );
      if (!draft.ok || draft.draft.type !== 'alarm') throw new Error('no alarm draft');
      return { ...draft.draft, id: newEventId(), seq };
    };
    const events = [build(1, true), build(2, false)];
    const batch = buildBatch(events.map(stored), 500, 256 * 1024)!;
    const parsed = parseUplink('alarm', Buffer.from(batch.payload));
    if (!parsed.ok || parsed.message.channel !== 'alarm') throw new Error(JSON.stringify(parsed));
    expect(parsed.message.rejected).toEqual([]);
    expect(parsed.message.events.map((e) => e.test)).toEqual([true, undefined]);
    expect('test' in (parsed.message.events[1] ?? {})).toBe(false);
  });

  it('a real gateway’s status, heartbeat and events are all accepted by the hub', async () => {
    // The raw client above used the gateway's client id: let the real gateway take over.
    await raw.endAsync(true);
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    gateway = createGateway(
      testConfig({
        gatewayId: GW,
        dataDir: dir.path,
        hub: { url: h.mqttUrl, password },
        heartbeatIntervalS: 1,
        devices: [
          { id: 'radar-1', driver: 'none' },
          { id: 'meter-1', driver: 'none' },
        ],
      }),
      { logger: silentLogger() },
    );
    cleanups.push(() => gateway.stop());
    await gateway.start();
    gateway.ingest('radar-1', { type: 'alarm', kind: 'fall', action: 'raise' });
    gateway.ingest('meter-1', { type: 'telemetry', fields: { energy_kwh: 13 } });
    await waitFor('acked', () =>
      gateway.health().outbox.alarmDepth === 0 && gateway.health().outbox.telemetryDepth === 0
        ? true
        : undefined,
    );
    const stats = await waitFor('heartbeat and status', () => {
      const s = h.hub.stats();
      return (s.messagesIn.heartbeat ?? 0) > 0 && (s.messagesIn.status ?? 0) > 0 ? s : undefined;
    });
    // Nothing the gateway sent was refused by the hub, nothing the hub sent by the gateway.
    expect(stats.rejections).toEqual({});
    expect(gateway.health().uplink.badDownlinks).toEqual({});
    // The hub wrote what the heartbeat said (liveness is flushed once a second).
    await waitFor('heartbeat stored', async () => {
      const read = await callApi(h.httpUrl, cookie, 'GET', `/api/v1/gateways/${GW}`);
      const { gateway: dto } = read.body as {
        gateway: { online: boolean; softwareVersion: string };
      };
      return dto.online && dto.softwareVersion === '0.1.0' ? true : undefined;
    });
  });

  it('set_test_mode through the hub: the gateway marks its alarm, the hub keeps and shows the mark', async () => {
    const command = async (args: Record<string, unknown>) =>
      callApi(h.httpUrl, cookie, 'POST', `/api/v1/gateways/${GW}/commands`, {
        name: 'set_test_mode',
        args,
      });
    const tooLong = await command({ enabled: true, duration_min: 1441 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ error: { code: 'ARG_OUT_OF_RANGE' } });
    const sent = await command({ enabled: true, duration_min: 45 });
    expect(sent.status).toBe(202);
    const { command: pending } = sent.body as GatewayCommandResponse;
    const answered = await waitFor('set_test_mode answered', async () => {
      const read = await callApi(
        h.httpUrl,
        cookie,
        'GET',
        `/api/v1/gateways/${GW}/commands/${pending.id}`,
      );
      const dto = (read.body as GatewayCommandResponse).command;
      return dto.status === 'pending' ? undefined : dto;
    });
    expect(answered).toMatchObject({ status: 'succeeded', data: { test_mode: true } });
    const until = Number(answered.data?.test_mode_until);
    // Whichever device runs now: the hub's configuration (meter-1) may have replaced the file's.
    const device = gateway.health().devices[0]?.deviceId ?? 'radar-1';
    gateway.ingest(device, { type: 'alarm', kind: 'sos', action: 'raise' });
    const alarm = await waitFor('the marked alarm', async () => {
      const list = await callApi(h.httpUrl, cookie, 'GET', '/api/v1/alarms?status=open');
      return (list.body as AlarmListResponse).alarms.find((a) => a.kind === 'sos');
    });
    // Marked, not a home test: dispatch is the hub's decision from the home's test mode.
    expect(alarm).toMatchObject({ gatewayTest: true, test: false });
    const detail = await callApi(h.httpUrl, cookie, 'GET', `/api/v1/alarms/${alarm.id}`);
    expect((detail.body as AlarmDetailResponse).timeline).toMatchObject([
      { action: 'raise', gatewayTest: true },
    ]);
    // The heartbeat sent at the change tells the hub until when (installer view).
    await waitFor('gateway test window stored', async () => {
      const read = await callApi(h.httpUrl, cookie, 'GET', `/api/v1/gateways/${GW}`);
      const { gateway: dto } = read.body as { gateway: GatewayDto };
      return dto.gatewayTestMode?.until === new Date(until).toISOString() ? true : undefined;
    });
    expect(h.hub.stats().rejections).toEqual({});
  });
});
