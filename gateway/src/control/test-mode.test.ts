/**
 * The gateway's test flag (issue 10): the window's logic with a clock and timers moved by hand
 * (it ends by itself, a restart keeps a running window and never a stale or far-future one), then
 * the command answered by a real gateway over a real broker: its events are marked `test: true`,
 * heartbeats report the window, an out-of-range duration is ARG_OUT_OF_RANGE, and the flag
 * switches itself off when its timer fires.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  downlinkTopic,
  encodeDownlink,
  type AlarmEvent,
  type CommandResult,
  type GatewayTestMode,
  type Heartbeat,
  type TelemetryEvent,
} from '@anxin/protocol';
import { ManualClock } from '../test-support/manual-timers.js';
import { startManagedGateway } from '../test-support/managed.js';
import { captureLogger, tempDir, waitFor } from '../test-support/util.js';
import { TEST_MODE_FILE, TestModeFlag } from './test-mode.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const MIN = 60_000;
const T0 = 1_780_000_000_000;

function flagAt(dir: string, clock: ManualClock) {
  const { logger, lines } = captureLogger();
  const changes: (GatewayTestMode | null)[] = [];
  const flag = new TestModeFlag({
    dataDir: dir,
    now: () => clock.now,
    logger,
    timers: clock,
    onChange: (state) => changes.push(state),
  });
  return { flag, changes, lines };
}

describe('the test-mode window (clock and timers moved by hand)', () => {
  it('is on for 60 minutes by default, then switches itself off and says so', () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const clock = new ManualClock(T0);
    const { flag, changes } = flagAt(dir.path, clock);
    expect(flag.active).toBe(false);
    expect(flag.setByCommand(true)).toBe(T0 + 60 * MIN);
    expect(flag.active).toBe(true);
    expect(flag.state()).toEqual({ source: 'command', until: T0 + 60 * MIN });
    expect(existsSync(join(dir.path, TEST_MODE_FILE))).toBe(true);
    clock.advance(59 * MIN);
    expect(flag.active).toBe(true);
    clock.advance(MIN);
    expect(flag.active).toBe(false);
    expect(flag.state()).toBeNull();
    expect(changes).toEqual([{ source: 'command', until: T0 + 60 * MIN }, null]);
    expect(existsSync(join(dir.path, TEST_MODE_FILE))).toBe(false);
  });

  it('is off at its end even before its timer fires (a late timer never extends it)', () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const clock = new ManualClock(T0);
    const { flag } = flagAt(dir.path, clock);
    flag.setByCommand(true, 5);
    clock.now += 5 * MIN; // time passes, the timer has not run yet
    expect(flag.active).toBe(false);
  });

  it('a new window replaces the old one, whose timer then changes nothing', () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const clock = new ManualClock(T0);
    const { flag, changes } = flagAt(dir.path, clock);
    flag.setByCommand(true, 10);
    clock.advance(5 * MIN);
    flag.setByCommand(true, 30);
    expect(clock.waiting).toBe(1);
    clock.advance(10 * MIN);
    expect(flag.active).toBe(true);
    clock.advance(20 * MIN);
    expect(flag.active).toBe(false);
    expect(changes.at(-1)).toBeNull();
  });

  it('off by command while the hub has the home in test mode: still marked, as the home', () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const clock = new ManualClock(T0);
    const { flag } = flagAt(dir.path, clock);
    flag.setByHome(true);
    flag.setByCommand(true, 15);
    expect(flag.state()).toEqual({ source: 'command', until: T0 + 15 * MIN });
    flag.setByCommand(false);
    expect(flag.active).toBe(true);
    expect(flag.state()).toEqual({ source: 'home', until: null });
    flag.setByHome(false);
    expect(flag.active).toBe(false);
  });

  it('a restart keeps a running window until its end, and no longer', () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const clock = new ManualClock(T0);
    flagAt(dir.path, clock).flag.setByCommand(true, 30);
    clock.now += 10 * MIN; // the gateway is off for 10 minutes
    const after = flagAt(dir.path, clock);
    after.flag.restore();
    expect(after.flag.state()).toEqual({ source: 'command', until: T0 + 30 * MIN });
    clock.advance(20 * MIN);
    expect(after.flag.active).toBe(false);
    expect(after.changes).toEqual([null]);
  });

  it('a window that ended while the gateway was off is cleared at start', () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const clock = new ManualClock(T0);
    flagAt(dir.path, clock).flag.setByCommand(true, 30);
    clock.now += 31 * MIN;
    const after = flagAt(dir.path, clock);
    after.flag.restore();
    expect(after.flag.active).toBe(false);
    expect(existsSync(join(dir.path, TEST_MODE_FILE))).toBe(false);
    expect(after.lines.some((l) => /ended while the gateway was off/.test(String(l.msg)))).toBe(
      true,
    );
  });

  it('a window ending more than 24 h ahead (clock went back) or an unreadable file: off', () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const clock = new ManualClock(T0);
    flagAt(dir.path, clock).flag.setByCommand(true, 60);
    clock.now = T0 - 48 * 60 * MIN; // the RTC lost two days
    const back = flagAt(dir.path, clock);
    back.flag.restore();
    expect(back.flag.active).toBe(false);
    expect(back.lines.map((l) => l.code)).toContain('TEST_MODE_WINDOW_INVALID');

    writeFileSync(join(dir.path, TEST_MODE_FILE), '{"until": "soon"');
    const bad = flagAt(dir.path, clock);
    bad.flag.restore();
    expect(bad.flag.active).toBe(false);
    expect(bad.lines.map((l) => l.code)).toContain('TEST_MODE_STATE_UNREADABLE');
    expect(existsSync(join(dir.path, TEST_MODE_FILE))).toBe(false);
  });
});

describe('set_test_mode answered by a real gateway over a real broker', () => {
  it('marks its events, reports the window, refuses a bad duration, and ends by itself', async () => {
    const timers = new ManualClock(Date.now());
    const { hub, gateway } = await startManagedGateway(
      'gw-testflag',
      cleanups,
      { heartbeatIntervalS: 3600, devices: [{ id: 'button', driver: 'none' }] },
      { timers },
    );
    const send = async (id: string, args: Record<string, boolean | number>) => {
      await hub.client.publishAsync(
        downlinkTopic('gw-testflag', 'cmd'),
        encodeDownlink('cmd', { v: 1, id, name: 'set_test_mode', args }),
        { qos: 1 },
      );
      let found: CommandResult | undefined;
      await waitFor(() => {
        found = hub.messages
          .filter((m) => m.topic.endsWith('/up/cmd-result'))
          .map((m) => JSON.parse(m.payload) as CommandResult)
          .find((r) => r.id === id);
        return found !== undefined;
      }, `${id} answered`);
      return found as CommandResult;
    };
    const heartbeats = () =>
      hub.messages
        .filter((m) => m.topic.endsWith('/up/heartbeat'))
        .map((m) => JSON.parse(m.payload) as Heartbeat);

    gateway.ingest('button', { type: 'alarm', kind: 'sos', action: 'raise' });
    const tooLong = await send('c0', { enabled: true, duration_min: 24 * 60 + 1 });
    expect(tooLong).toMatchObject({ ok: false, code: 'ARG_OUT_OF_RANGE' });
    expect((await send('c00', { enabled: true, duration_min: 0 })).code).toBe('ARG_OUT_OF_RANGE');

    const before = Date.now();
    const on = await send('c1', { enabled: true, duration_min: 30 });
    expect(on).toMatchObject({ ok: true, data: { test_mode: true, test_mode_source: 'command' } });
    const until = Number(on.data?.test_mode_until);
    expect(until).toBeGreaterThanOrEqual(before + 30 * MIN);
    // The change is reported at once, in a heartbeat (the interval is an hour here).
    await waitFor(
      () => heartbeats().some((h) => h.testMode?.until === until),
      'heartbeat with the window',
    );
    gateway.ingest('button', { type: 'alarm', kind: 'sos', action: 'raise' });
    gateway.ingest('button', { type: 'telemetry', fields: { battery_pct: 80 } });
    await waitFor(() => hub.events('alarm').length === 2, 'both alarms');
    await waitFor(() => hub.events('telemetry').length === 1, 'telemetry');
    const [real, test] = hub.events('alarm') as AlarmEvent[];
    expect(real?.test).toBeUndefined();
    expect(test?.test).toBe(true);
    expect((hub.events('telemetry')[0] as TelemetryEvent).test).toBe(true);

    // The window's timer fires: off, reported, and the next event is no longer marked.
    timers.fireAll();
    const sent = heartbeats().length;
    await waitFor(() => heartbeats().length > sent, 'heartbeat after the end');
    expect(heartbeats().at(-1)?.testMode).toBeUndefined();
    gateway.ingest('button', { type: 'alarm', kind: 'sos', action: 'clear' });
    await waitFor(() => hub.events('alarm').length === 3, 'third alarm');
    expect((hub.events('alarm')[2] as AlarmEvent).test).toBeUndefined();
    const diag = await send('c2', { enabled: false });
    expect(diag.data).toMatchObject({ test_mode: false, test_mode_until: null });
    expect(hub.invalid).toEqual([]);
  }, 30_000);
});
