/**
 * Escalation timers survive a crash of a real `anxin hub` process (SIGKILL, no shutdown): an
 * alarm stored just before the crash escalates after the restart, exactly once, also across a
 * second crash. Needs the built CLI (`npx tsc -b cli`; run here, incremental).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnAnxin, type AnxinProcess } from '../../../test/support/anxin-process.js';
import { freePort } from '../../../test/support/ports.js';
import { alarmEvent, login, TestGateway, waitFor } from '../testing/harness.js';
import { webhookReceiver, type WebhookReceiver } from '../testing/webhook-receiver.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const GW = 'gw-crash-1';
const GW_SECRET = 'secret-of-gw-crash-1';
const HOOK_SECRET = 'crash-test-hook-secret';

describe('escalation across a hub crash (real process)', () => {
  let dir: string;
  let receiver: WebhookReceiver;
  let hub: AnxinProcess | undefined;
  let httpUrl = '';
  let mqttUrl = '';

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'cli'], { cwd: ROOT, stdio: 'ignore', timeout: 240_000 });
    dir = mkdtempSync(join(tmpdir(), 'anxin-crash-'));
    receiver = await webhookReceiver(HOOK_SECRET);
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    httpUrl = `http://127.0.0.1:${httpPort}`;
    mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    writeFileSync(
      join(dir, 'hub.yaml'),
      [
        `dataDir: ${join(dir, 'hub')}`,
        `http: { host: 127.0.0.1, port: ${httpPort}, webRoot: ${join(dir, 'no-web')} }`,
        `mqtt: { host: 127.0.0.1, port: ${mqttPort} }`,
        'log: { level: warn }',
        'escalation: { ackTimeoutS: 2, supervisorTimeoutS: 600, pollIntervalMs: 100 }',
        'notify:',
        `  webhooks: [{ url: "${receiver.url}", secret: ${HOOK_SECRET}, events: ["alarm.escalated", "escalation.*"] }]`,
        '  pollIntervalMs: 100',
      ].join('\n'),
    );
  }, 300_000);

  afterAll(async () => {
    await hub?.stop('SIGKILL');
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<AnxinProcess> {
    const p = spawnAnxin([
      'hub',
      '--config',
      join(dir, 'hub.yaml'),
      '--provision',
      `${GW}:${GW_SECRET}`,
    ]);
    await p.waitFor(/anxin hub: console/);
    return p;
  }

  it('fires after the restart, once', async () => {
    const { hooks } = receiver;
    hub = await start();
    const password = (hub.output().match(/password "([^"]+)"/) ?? [])[1];
    if (!password) throw new Error(`no admin password in:\n${hub.output()}`);
    const gw = await TestGateway.connect(mqttUrl, GW, GW_SECRET);
    await gw.sendAlarms([alarmEvent(1, { kind: 'sos', deviceId: 'button-1' })]);
    await gw.waitForAck((a) => a.lane === 'alarm' && a.acked.includes(1));
    await gw.close();
    await hub.stop('SIGKILL'); // a crash: no drain, no close
    expect(hooks).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 2200)); // due while the hub is down

    hub = await start();
    await waitFor(() => hooks.some((h) => h.event === 'alarm.escalated'), 10_000, 'escalated');
    const cookie = await login(httpUrl, 'admin', password);
    const list = (await (
      await fetch(`${httpUrl}/api/v1/alarms`, { headers: { cookie } })
    ).json()) as { alarms: { id: string; kind: string }[] };
    const sos = list.alarms.find((a) => a.kind === 'sos');
    expect(
      hooks
        .filter((h) => h.event === 'alarm.escalated')
        .map(({ event, alarmId, verified }) => ({ event, alarmId, verified })),
    ).toEqual([{ event: 'alarm.escalated', alarmId: sos?.id, verified: true }]);

    await hub.stop('SIGKILL');
    hub = await start();
    await new Promise((r) => setTimeout(r, 1000));
    expect(hooks.filter((h) => h.event === 'alarm.escalated')).toHaveLength(1);
  }, 60_000);
});
