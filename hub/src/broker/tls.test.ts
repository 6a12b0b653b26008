/**
 * MQTT over TLS (DESIGN.md, Security): with mqtt.tls set, the broker speaks only TLS and the
 * gateway verifies the hub's certificate against the CA it was given.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downlinkTopic, PROTOCOL_VERSION, uplinkTopic, type Ack } from '@anxin/protocol';
import { alarmEvent, startHub, type RunningHub } from '../testing/harness.js';

let certDir: string;
let h: RunningHub;

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'anxin-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(certDir, 'hub.key'),
      '-out',
      join(certDir, 'hub.crt'),
    ],
    { stdio: 'ignore' },
  );
  h = await startHub({
    mqtt: {
      port: 0,
      tls: { certFile: join(certDir, 'hub.crt'), keyFile: join(certDir, 'hub.key') },
    },
  });
  await h.hub.provisionGateway({ gatewayId: 'gw-tls', secret: 'tls-secret-1' });
});

afterAll(async () => {
  await h?.close();
  rmSync(certDir, { recursive: true, force: true });
});

describe('MQTT over TLS', () => {
  it('serves mqtts:// and acks an alarm over it', async () => {
    expect(h.mqttUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const client = await connectAsync(h.mqttUrl, {
      clientId: 'gw-tls',
      username: 'gw-tls',
      password: 'tls-secret-1',
      ca: readFileSync(join(certDir, 'hub.crt')),
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    const ack = new Promise<Ack>((resolve) =>
      client.on('message', (_t, p) => resolve(JSON.parse(p.toString()) as Ack)),
    );
    await client.subscribeAsync(downlinkTopic('gw-tls', 'ack'), { qos: 1 });
    await client.publishAsync(
      uplinkTopic('gw-tls', 'alarm'),
      JSON.stringify({ v: PROTOCOL_VERSION, events: [alarmEvent(1)] }),
      { qos: 1 },
    );
    expect((await ack).acked).toEqual([1]);
    await client.endAsync();
  });

  it('refuses a client that does not trust the certificate', async () => {
    const url = h.mqttUrl;
    await expect(
      connectAsync(url, {
        clientId: 'gw-tls',
        username: 'gw-tls',
        password: 'tls-secret-1',
        reconnectPeriod: 0,
        connectTimeout: 3000,
      }),
    ).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
