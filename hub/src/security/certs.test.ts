/**
 * Development certificates: a hub started with `http.tls` and `mqtt.tls` pointing at what
 * writeDevCertificates produced serves HTTPS and MQTT over TLS that clients trusting only the
 * generated CA accept (and that clients without it refuse).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../testing/harness.js';
import { writeDevCertificates } from './certs.js';

let dir: string;
let h: RunningHub;
let ca: Buffer;

function httpsGet(url: string, caPem?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, caPem ? { ca: caPem } : {}, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-certs-'));
  const paths = await writeDevCertificates(dir, { hosts: ['localhost', '127.0.0.1'], days: 1 });
  ca = readFileSync(paths.caFile);
  expect(statSync(paths.keyFile).mode & 0o077).toBe(0);
  const tls = { certFile: paths.certFile, keyFile: paths.keyFile };
  h = await startHub({
    http: { port: 0, webRoot: join(dir, 'no-web'), tls },
    mqtt: { port: 0, tls },
  });
}, 30_000);

afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dev certificates', () => {
  it('serve HTTPS trusted through the generated CA only', async () => {
    expect(h.httpUrl.startsWith('https://')).toBe(true);
    const ok = await httpsGet(`${h.httpUrl}/healthz`, ca);
    expect(ok.status).toBe(200);
    const doc = await httpsGet(`${h.httpUrl}/api/v1/openapi.json`, ca);
    expect((JSON.parse(doc.body) as { openapi: string }).openapi).toMatch(/^3\./);
    await expect(httpsGet(`${h.httpUrl}/healthz`)).rejects.toThrow();
  });

  it('serve MQTT over TLS trusted through the generated CA', async () => {
    expect(h.mqttUrl.startsWith('mqtts://')).toBe(true);
    await h.hub.provisionGateway({ gatewayId: 'gw-tls', secret: 'secret-gw-tls' });
    const client = await connectAsync(h.mqttUrl, {
      clientId: 'gw-tls',
      username: 'gw-tls',
      password: 'secret-gw-tls',
      ca,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    expect(client.connected).toBe(true);
    await client.endAsync(true);
  });
});
