/**
 * MQTT over TLS (DESIGN.md, Security): with mqtt.tls set, the broker speaks only TLS and the
 * gateway verifies the hub's certificate against the CA it was given; a session ticket the hub
 * gave is resumed, also by the same hub after a restart (tls-tickets.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downlinkTopic, PROTOCOL_VERSION, uplinkTopic, type Ack } from '@anxin/protocol';
import { alarmEvent, startHub, startHubIn, type RunningHub } from '../testing/harness.js';

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

/** One TLS handshake with the broker: whether it resumed, and the ticket it was given. */
async function handshake(
  url: string,
  session?: Buffer,
): Promise<{ resumed: boolean; ticket: Buffer }> {
  const { hostname, port } = new URL(url);
  const socket = connectTls({
    host: hostname,
    port: Number(port),
    ca: readFileSync(join(certDir, 'hub.crt')),
    ...(session ? { session } : {}),
  });
  try {
    // TLS 1.3 sends tickets after a full handshake (RFC 8446 §4.6.1); a resumed one (here) sends
    // none, and the ticket offered stays good: listen before the handshake ends.
    const ticket = new Promise<Buffer>((resolve) => socket.once('session', resolve));
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    const resumed = socket.isSessionReused();
    return { resumed, ticket: resumed && session ? session : await ticket };
  } finally {
    // A graceful end: the hub reads our Finished before the FIN, so it counts the handshake.
    await new Promise<void>((resolve) => socket.end(resolve));
  }
}

describe('TLS session resumption', () => {
  it('resumes a ticket, also after the hub restarts, and counts both kinds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-tls-resume-'));
    const tls = { certFile: join(certDir, 'hub.crt'), keyFile: join(certDir, 'hub.key') };
    try {
      const first = await startHubIn(dir, { mqtt: { port: 0, tls } });
      const full = await handshake(first.mqttUrl);
      expect(full.resumed).toBe(false);
      const again = await handshake(first.mqttUrl, full.ticket);
      expect(again.resumed).toBe(true);
      await first.hub.close();

      // Ticket keys derive from a secret in the hub's database: the restart keeps them. The
      // restarted hub runs with another command line (Node's default session id context is a
      // hash of process.argv, which would refuse every ticket): the ticket must still resume.
      const argv = process.argv;
      process.argv = [...argv, '--restarted-with-other-flags'];
      const second = await startHubIn(dir, { mqtt: { port: 0, tls } }).finally(() => {
        process.argv = argv;
      });
      try {
        expect((await handshake(second.mqttUrl, again.ticket)).resumed).toBe(true);
        expect((await handshake(second.mqttUrl)).resumed).toBe(false);
        const metrics = await (await fetch(`${second.httpUrl}/metrics`)).text();
        expect(metrics).toContain('anxin_mqtt_tls_handshakes_total{resumed="true"} 1');
        expect(metrics).toContain('anxin_mqtt_tls_handshakes_total{resumed="false"} 1');
      } finally {
        await second.hub.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
