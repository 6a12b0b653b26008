/**
 * Ingest benchmark for the hub alone (no gateway outbox): a hub process (this file with --serve)
 * and N real MQTT gateway connections from this process, over loopback TCP.
 *
 *   npx tsc -b hub && node hub/dist/bench/ingest-bench.js [--gateways 200] [--duration 10]
 *       [--telemetry-rate 20000] [--alarm-rate 5] [--store embedded|influx1] [--influx-url URL]
 *
 * Phase 1 (alarms only): every gateway sends one-event alarm batches back to back (the next after
 * the ack) → alarm acks/s and ack latency. Phase 2 (overload): gateways offer telemetry at
 * --telemetry-rate events/s in 100-event batches while alarms arrive at --alarm-rate/s → alarm
 * ack latency under load, telemetry acked/deferred. Prints JSON on the last line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { downlinkTopic, newEventId, uplinkTopic, type Ack } from '@anxin/protocol';
import { hubConfig } from '../config.js';
import { buildHub, type HubStats } from '../hub.js';

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    gateways: { type: 'string', default: '200' },
    duration: { type: 'string', default: '10' },
    'telemetry-rate': { type: 'string', default: '20000' },
    'alarm-rate': { type: 'string', default: '5' },
    store: { type: 'string', default: 'embedded' },
    'influx-url': { type: 'string', default: 'http://127.0.0.1:8086' },
  },
});

interface ServeOptions {
  dir: string;
  gateways: number;
  store: string;
  influxUrl: string;
}

interface ServeReport {
  stats: HubStats;
  peakRss: number;
  hubSide: { sqlCommits: number; sqlCommitMeanMs: number; alarmArrivalToAckMeanMs: number };
}

async function serve(opts: ServeOptions): Promise<void> {
  const hub = await buildHub(
    hubConfig({
      dataDir: opts.dir,
      http: { port: 0 },
      mqtt: { port: 0 },
      telemetry:
        opts.store === 'influx1'
          ? { store: 'influx1', influx1: { url: opts.influxUrl, database: 'anxin_bench' } }
          : {},
      log: { level: 'warn' },
    }),
    // stdout carries the exchange with the parent; logs go to stderr.
    { logger: pino({ level: 'warn' }, pino.destination(2)) },
  );
  for (let i = 0; i < opts.gateways; i++)
    await hub.provisionGateway({ gatewayId: `bench-${i}`, secret: 'bench-secret' });
  const urls = await hub.listen();
  let peakRss = 0;
  setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200).unref();
  process.stdout.write(JSON.stringify(urls) + '\n');
  process.stdin.on('data', () => {
    void hub.metrics().then((text) => {
      const pick = (name: string) =>
        Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
      const report: ServeReport = {
        stats: hub.stats(),
        peakRss,
        hubSide: {
          sqlCommits: pick('anxin_sql_write_seconds_count'),
          sqlCommitMeanMs:
            Math.round(
              (pick('anxin_sql_write_seconds_sum') / pick('anxin_sql_write_seconds_count')) * 1e4,
            ) / 10,
          alarmArrivalToAckMeanMs:
            Math.round(
              (pick('anxin_alarm_ack_seconds_sum') / pick('anxin_alarm_ack_seconds_count')) * 1e4,
            ) / 10,
        },
      };
      process.stdout.write(JSON.stringify(report) + '\n');
    });
  });
  process.on('SIGTERM', () => void hub.close().then(() => process.exit(0)));
}

function percentile(xs: number[], p: number): number | null {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return null;
  return Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0) * 10) / 10;
}

async function drive(): Promise<void> {
  const mqtt = await import('mqtt');
  const G = Number(values.gateways);
  const durationS = Number(values.duration);
  const dir = mkdtempSync(join(tmpdir(), 'anxin-hub-bench-'));
  const serveOptions: ServeOptions = {
    dir,
    gateways: G,
    store: values.store ?? 'embedded',
    influxUrl: values['influx-url'] ?? '',
  };
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), '--serve', JSON.stringify(serveOptions)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines: unknown[] = [];
  let wake: (() => void) | undefined;
  let buf = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
      wake?.();
    }
  });
  const nextLine = async (): Promise<unknown> => {
    while (lines.length === 0) await new Promise<void>((r) => (wake = r));
    return lines.shift();
  };
  const { mqttUrl } = (await nextLine()) as { mqttUrl: string };

  interface Gw {
    id: string;
    client: MqttClient;
    seq: number;
    pending: Map<number, (t: number) => void>;
    telemetryAcked: number;
    telemetryDeferred: number;
  }
  const connectStarted = performance.now();
  const gws: Gw[] = [];
  for (let i = 0; i < G; i++) {
    const id = `bench-${i}`;
    const client = await mqtt.connectAsync(mqttUrl, {
      clientId: id,
      username: id,
      password: 'bench-secret',
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    const gw: Gw = {
      id,
      client,
      seq: 0,
      pending: new Map(),
      telemetryAcked: 0,
      telemetryDeferred: 0,
    };
    client.on('message', (_topic, payload) => {
      const ack = JSON.parse(payload.toString()) as Ack;
      if (ack.lane === 'telemetry') {
        gw.telemetryAcked += ack.acked.length;
        gw.telemetryDeferred += ack.deferred.length;
        return;
      }
      for (const seq of ack.acked) {
        const done = gw.pending.get(seq);
        gw.pending.delete(seq);
        done?.(performance.now());
      }
    });
    await client.subscribeAsync(downlinkTopic(id, 'ack'), { qos: 1 });
    gws.push(gw);
  }
  const connectMs = performance.now() - connectStarted;

  const sendAlarm = (gw: Gw) =>
    new Promise<number>((resolve) => {
      const seq = ++gw.seq;
      const t0 = performance.now();
      gw.pending.set(seq, (t1) => resolve(t1 - t0));
      const event = {
        type: 'alarm',
        id: newEventId(),
        seq,
        observedAt: Date.now(),
        deviceId: 'sos-1',
        kind: 'sos',
        action: 'raise',
      };
      gw.client.publish(uplinkTopic(gw.id, 'alarm'), JSON.stringify({ v: 1, events: [event] }), {
        qos: 1,
      });
    });

  // Phase 1: alarms only, back to back per gateway.
  const alarmsOnly: number[] = [];
  const p1S = durationS / 2;
  const p1End = performance.now() + p1S * 1000;
  await Promise.all(
    gws.map(async (gw) => {
      while (performance.now() < p1End) alarmsOnly.push(await sendAlarm(gw));
    }),
  );

  // Phase 2: telemetry offered at a fixed rate, alarms at random moments (Poisson).
  const rate = Number(values['telemetry-rate']);
  const alarmRate = Number(values['alarm-rate']);
  const underLoad: number[] = [];
  const alarmPromises: Promise<void>[] = [];
  let offered = 0;
  let gi = 0;
  const p2Start = performance.now();
  const p2End = p2Start + durationS * 1000;
  let nextAlarmAt = p2Start;
  while (performance.now() < p2End) {
    const due = Math.floor(((performance.now() - p2Start) / 1000) * rate);
    while (offered + 100 <= due) {
      const gw = gws[gi++ % G];
      if (!gw) break;
      const events = Array.from({ length: 100 }, (_, k) => ({
        type: 'telemetry',
        id: newEventId(),
        seq: ++gw.seq,
        observedAt: Date.now() - 1000 + k,
        deviceId: 'meter-1',
        fields: { power_w: 100 + k, energy_kwh: 1.5 },
      }));
      gw.client.publish(uplinkTopic(gw.id, 'telemetry'), JSON.stringify({ v: 1, events }), {
        qos: 1,
      });
      offered += 100;
    }
    if (performance.now() >= nextAlarmAt) {
      const gw = gws[Math.floor(Math.random() * G)];
      if (gw) alarmPromises.push(sendAlarm(gw).then((ms) => void underLoad.push(ms)));
      nextAlarmAt += -Math.log(1 - Math.random()) * (1000 / alarmRate);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.race([Promise.all(alarmPromises), new Promise((r) => setTimeout(r, 20_000))]);
  await new Promise((r) => setTimeout(r, 3000));
  child.stdin.write('\n');
  const { stats, peakRss, hubSide } = (await nextLine()) as ServeReport;
  const acked = gws.reduce((n, g) => n + g.telemetryAcked, 0);
  const deferred = gws.reduce((n, g) => n + g.telemetryDeferred, 0);
  const result = {
    benchmark: 'hub-ingest',
    gateways: G,
    store: serveOptions.store,
    connectAllMs: Math.round(connectMs),
    alarmsOnly: {
      alarms: alarmsOnly.length,
      perS: Math.round(alarmsOnly.length / p1S),
      ackMs: {
        p50: percentile(alarmsOnly, 50),
        p99: percentile(alarmsOnly, 99),
        max: percentile(alarmsOnly, 100),
      },
    },
    overload: {
      telemetryOfferedPerS: Math.round(offered / durationS),
      telemetryAcked: acked,
      telemetryAckedPerS: Math.round(acked / durationS),
      telemetryDeferred: deferred,
      telemetryUnanswered: offered - acked - deferred,
      alarmsSent: alarmPromises.length,
      alarmsAcked: underLoad.length,
      alarmAckMs: {
        p50: percentile(underLoad, 50),
        p99: percentile(underLoad, 99),
        max: percentile(underLoad, 100),
      },
    },
    hubPeakRssMb: Math.round(peakRss / 1048576),
    hubAlarmTriggersStored: stats.alarmTriggersStored,
    hubSide,
  };
  for (const gw of gws) await gw.client.endAsync(true);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(result));
}

if (values.serve) await serve(JSON.parse(values.serve) as ServeOptions);
else await drive();
