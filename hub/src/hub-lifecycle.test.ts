/**
 * Issue 14: building the hub starts nothing a test (or `anxin` command) must stop — no timer, no
 * port — and closing a hub that never listened releases everything it opened; a hub that listened
 * releases every timer, port and poll its parts started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hubConfig } from './config.js';
import { buildHub } from './hub.js';
import { ManualClock } from './testing/manual-clock.js';
import { testDatabaseConfig } from './testing/test-database.js';

const timers = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPServerWrap').length;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function configIn(): Promise<ReturnType<typeof hubConfig>> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-life-'));
  dirs.push(dir);
  return hubConfig({
    dataDir: dir,
    http: { port: 0, host: '127.0.0.1', webRoot: join(dir, 'no-web') },
    mqtt: { port: 0, host: '127.0.0.1' },
    log: { level: 'silent' },
    database: await testDatabaseConfig(dir),
  });
}

describe('hub lifecycle', () => {
  it('build opens no port; close without listen releases every timer and handle build made', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-life-'));
    dirs.push(dir);
    const config = hubConfig({
      dataDir: dir,
      http: { port: 0, webRoot: join(dir, 'no-web') },
      mqtt: { port: 0 },
      log: { level: 'silent' },
      database: await testDatabaseConfig(dir),
    });
    const before = timers();
    // Who calls setInterval while the hub is built: the frame right below the spy.
    const starters: string[] = [];
    const original = globalThis.setInterval;
    const spy = vi
      .spyOn(globalThis, 'setInterval')
      .mockImplementation((fn: () => void, ms?: number) => {
        starters.push(new Error().stack?.split('\n')[3] ?? '');
        return original(fn, ms);
      });
    const hub = await buildHub(config, { logger: pino({ level: 'silent' }) });
    spy.mockRestore();
    // None of the hub's own parts starts a timer when built (aedes, a library, still does).
    // The one exception is deliberate: buildHub starts the telemetry store so in-process users
    // (tests, `anxin` commands) can read it without listen().
    expect(starters.filter((f) => f.includes('/telemetry/embedded.ts'))).toHaveLength(1);
    expect(
      starters.filter((f) => f.includes('/hub/src/') && !f.includes('/telemetry/embedded.ts')),
    ).toEqual([]);
    // No port is open before listen(). (aedes starts its own intervals when the embedded broker
    // is created; close stops them.)
    expect(hub.http.server.listening).toBe(false);
    expect(process.getActiveResourcesInfo()).not.toContain('TCPServerWrap');
    await hub.close();
    expect(timers()).toBeLessThanOrEqual(before);
    // Safe to call twice.
    await hub.close();
  });

  it('listen starts every part; close stops every timer, port and poll they started', async () => {
    const config = await configIn();
    const before = timers();
    const clock = new ManualClock();
    const hub = await buildHub(config, {
      logger: pino({ level: 'silent' }),
      escalationClock: clock,
    });
    // The escalation poll is a part's start, not its constructor's.
    expect(clock.pending).toBe(0);
    const { httpUrl, mqttUrl } = await hub.listen();
    expect(clock.pending).toBe(1);
    expect(hub.http.server.listening).toBe(true);
    expect(httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mqttUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
    await hub.close();
    expect(clock.pending).toBe(0);
    expect(hub.http.server.listening).toBe(false);
    expect(process.getActiveResourcesInfo()).not.toContain('TCPServerWrap');
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
