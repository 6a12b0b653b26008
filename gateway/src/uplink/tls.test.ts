/**
 * The uplink over TLS (mqtts://) with the hub's CA from `hub.caFile`, against a real broker with
 * a certificate made by openssl for this test; the session resumed after a cut, and a full
 * handshake when the broker no longer knows the ticket; and a clear, retried failure without the
 * CA. The ticket is kept in the data directory: a gateway restarted on it resumes at once.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway } from '../gateway.js';
import { startBroker } from '../test-support/broker.js';
import { FakeHub } from '../test-support/fake-hub.js';
import { captureLogger, silentLogger, tempDir, testConfig, waitFor } from '../test-support/util.js';
import { parseTicketFile, TLS_TICKET_FILE } from './tls-ticket-file.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A throwaway CA and a server certificate for 127.0.0.1 signed by it. */
function makeCertificates(dir: string): { caFile: string; key: string; cert: string; ca: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=Anxin test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ]);
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  ]);
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    'server.pem',
    '-extfile',
    'san.cnf',
  ]);
  return {
    caFile: join(dir, 'ca.pem'),
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
  };
}

/** A broker listening with TLS for 127.0.0.1, and a hub that acks, in a fresh directory. */
async function tlsBrokerAndHub() {
  const dir = tempDir('anxin-tls-');
  cleanups.push(() => dir.remove());
  writeFileSync(join(dir.path, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  const certs = makeCertificates(dir.path);
  const broker = await startBroker({ tls: { key: certs.key, cert: certs.cert } });
  cleanups.push(() => broker.stop());
  expect(broker.url.startsWith('mqtts://')).toBe(true);
  const hub = await FakeHub.connect(broker.url, { ca: certs.ca });
  cleanups.push(() => hub.close());
  return { dir, certs, broker, hub };
}

describe('uplink over TLS', () => {
  it('connects with the configured CA and delivers; without it, logs the certificate error and retries', async () => {
    const { dir, certs, broker, hub } = await tlsBrokerAndHub();

    const good = createGateway(
      testConfig({
        gatewayId: 'gw-tls',
        dataDir: join(dir.path, 'good'),
        hub: { url: broker.url, caFile: certs.caFile },
        devices: [{ id: 'radar1', driver: 'none' }],
        reconnect: { minMs: 50, maxMs: 200 },
      }),
      { logger: silentLogger() },
    );
    cleanups.push(() => good.stop());
    await good.start();
    const alarm = good.ingest('radar1', { type: 'alarm', kind: 'sos', action: 'raise' });
    await waitFor(() => hub.events('alarm').some((e) => e.id === alarm.id), 'alarm over TLS');
    await waitFor(() => good.health().outbox.alarmDepth === 0, 'acked over TLS');
    expect(good.health().uplink.tlsHandshakes).toEqual({ full: 1, resumed: 0 });

    // Cut: the reconnect offers the ticket the broker sent, and the broker takes it.
    expect(broker.cutClient('gw-tls')).toBe(true);
    await waitFor(() => good.health().uplink.connects >= 2, 'reconnected after the cut');
    expect(good.health().uplink.tlsHandshakes).toEqual({ full: 1, resumed: 1 });
    const second = good.ingest('radar1', { type: 'alarm', kind: 'sos', action: 'raise' });
    await waitFor(() => hub.events('alarm').some((e) => e.id === second.id), 'alarm, resumed');
    await waitFor(() => good.health().outbox.alarmDepth === 0, 'acked over the resumed session');

    // A restarted broker has new ticket keys: the stale ticket costs a full handshake, no more.
    await broker.stop();
    await broker.restart();
    await waitFor(() => good.health().uplink.connects >= 3, 'reconnected after the restart');
    expect(good.health().uplink.tlsHandshakes).toEqual({ full: 2, resumed: 1 });

    const { logger, lines } = captureLogger();
    const untrusting = createGateway(
      testConfig({
        gatewayId: 'gw-notrust',
        dataDir: join(dir.path, 'bad'),
        hub: { url: broker.url },
        reconnect: { minMs: 50, maxMs: 100 },
      }),
      { logger },
    );
    cleanups.push(() => untrusting.stop());
    await untrusting.start();
    await waitFor(() => untrusting.health().uplink.connectFailures >= 2, 'refused twice');
    expect(untrusting.health().connected).toBe(false);
    expect(String(untrusting.health().uplink.lastError)).toMatch(/certificate/i);
    expect(lines.some((l) => l.msg === 'cannot connect to hub')).toBe(true);
  });
});

describe('the TLS session ticket across a gateway restart', () => {
  it('a gateway started again on its data directory resumes its first connection and delivers over it', async () => {
    const { dir, certs, broker, hub } = await tlsBrokerAndHub();
    const dataDir = join(dir.path, 'gw');
    const config = testConfig({
      gatewayId: 'gw-reboot',
      dataDir,
      hub: { url: broker.url, caFile: certs.caFile },
      devices: [{ id: 'radar1', driver: 'none' }],
      reconnect: { minMs: 50, maxMs: 200 },
    });
    const deliverAlarm = async (gateway: ReturnType<typeof createGateway>, what: string) => {
      const alarm = gateway.ingest('radar1', { type: 'alarm', kind: 'sos', action: 'raise' });
      await waitFor(() => hub.events('alarm').some((e) => e.id === alarm.id), `alarm, ${what}`);
      await waitFor(() => gateway.health().outbox.alarmDepth === 0, `acked, ${what}`);
    };

    const before = createGateway(config, { logger: silentLogger() });
    await before.start();
    await deliverAlarm(before, 'before the restart');
    expect(before.health().uplink.tlsHandshakes).toEqual({ full: 1, resumed: 0 });
    // Stopped completely, as by a power cut: nothing of it is left in memory.
    await before.stop();

    const file = join(dataDir, TLS_TICKET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = parseTicketFile(
      readFileSync(file, 'utf8'),
      `127.0.0.1:${broker.port}`,
      Date.now(),
    );
    expect(saved.ok).toBe(true);

    const after = createGateway(config, { logger: silentLogger() });
    cleanups.push(() => after.stop());
    await after.start();
    await waitFor(() => after.health().uplink.connects >= 1, 'connected after the restart');
    expect(after.health().uplink.tlsHandshakes).toEqual({ full: 0, resumed: 1 });
    expect(after.health().uplink.tlsTicketFile).toMatchObject({ loaded: true, ignored: null });
    await deliverAlarm(after, 'over the resumed session');
    expect(after.health().uplink.connects).toBe(1);
    expect(after.health().uplink.tlsHandshakes).toEqual({ full: 0, resumed: 1 });
  });
});
