/**
 * sync_time (issue 10): the pure offset logic, and the command answered by a real gateway over a
 * real broker — the system clock is never touched here: the setter is injected.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import {
  downlinkTopic,
  encodeDownlink,
  type CommandResult,
  type TelemetryEvent,
} from '@anxin/protocol';
import { startManagedGateway } from '../test-support/managed.js';
import { openPtyPair } from '../test-support/pty.js';
import { waitFor } from '../test-support/util.js';
import { correctionFor, GatewayClock } from './clock.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const logger = pino({ level: 'silent' });

describe('the gateway clock against the hub (pure)', () => {
  it('corrects event times only past the bound', () => {
    expect(correctionFor(null, 2000)).toBe(0);
    expect(correctionFor(1999, 2000)).toBe(0);
    expect(correctionFor(-2000, 2000)).toBe(0);
    expect(correctionFor(2001, 2000)).toBe(2001);
    expect(correctionFor(-90_000, 2000)).toBe(-90_000);
  });

  it('with setClock off: measures, corrects, and says CLOCK_NOT_SET with the reason', async () => {
    const clock = new GatewayClock({
      setClock: false,
      correctAboveMs: 2000,
      now: () => 1_000_000,
      logger,
      setter: () => Promise.reject(new Error('must not be called')),
    });
    const out = await clock.sync(1_060_000);
    expect(out).toMatchObject({ offsetMs: 60_000, corrected: true, clockSet: false });
    expect(out.clockSet ? '' : out.code).toBe('CLOCK_NOT_SET');
    expect(out.clockSet ? '' : out.reason).toMatch(/setClock is off/);
    expect(clock.correctionMs).toBe(60_000);
    // A later sync within the bound drops the correction.
    await clock.sync(1_000_500);
    expect(clock.correctionMs).toBe(0);
  });

  it('with setClock on: sets the clock past the bound (then no correction), not within it', async () => {
    const set: number[] = [];
    const clock = new GatewayClock({
      setClock: true,
      correctAboveMs: 2000,
      now: () => 1_000_000,
      logger,
      setter: (ms) => {
        set.push(ms);
        return Promise.resolve();
      },
    });
    expect(await clock.sync(1_001_000)).toMatchObject({ clockSet: false, code: 'CLOCK_NOT_SET' });
    expect(set).toEqual([]);
    expect(await clock.sync(940_000)).toEqual({
      offsetMs: -60_000,
      corrected: false,
      clockSet: true,
    });
    expect(set).toEqual([940_000]);
    expect(clock.correctionMs).toBe(0);
  });

  it('a setter that fails (no CAP_SYS_TIME) keeps the correction and gives the reason', async () => {
    const clock = new GatewayClock({
      setClock: true,
      correctAboveMs: 2000,
      now: () => 1_000_000,
      logger,
      setter: () => Promise.reject(new Error('date: cannot set date: Operation not permitted')),
    });
    const out = await clock.sync(1_030_000);
    expect(out).toMatchObject({ clockSet: false, code: 'CLOCK_NOT_SET', corrected: true });
    expect(out.clockSet ? '' : out.reason).toMatch(/Operation not permitted/);
    expect(clock.correctionMs).toBe(30_000);
  });
});

describe('sync_time answered by a gateway whose clock is 90 s slow', () => {
  it('reports CLOCK_NOT_SET with the offset and corrects its event times', async () => {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const SLOW = 90_000;
    const { hub, gateway, publishConfig } = await startManagedGateway(
      'gw-clock',
      cleanups,
      {},
      { now: () => Date.now() - SLOW },
    );
    await publishConfig(1, [
      { id: 'sensor', driver: 'fake-stream', port: pty.gatewaySide, options: {} },
    ]);
    await waitFor(() => gateway.health().control.appliedVersion === 1, 'v1 applied');
    await hub.client.publishAsync(
      downlinkTopic('gw-clock', 'cmd'),
      encodeDownlink('cmd', { v: 1, id: 'c1', name: 'sync_time', args: { hub_time: Date.now() } }),
      { qos: 1 },
    );
    const result = () =>
      hub.messages
        .filter((m) => m.topic.endsWith('/up/cmd-result'))
        .map((m) => JSON.parse(m.payload) as CommandResult)
        .find((r) => r.id === 'c1');
    await waitFor(() => result() !== undefined, 'sync_time result');
    expect(result()).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^CLOCK_NOT_SET/),
      data: {
        clock_set: false,
        status: 'CLOCK_NOT_SET',
        reason: expect.stringMatching(/setClock/),
      },
    });
    const offset = Number(result()?.data?.offset_ms);
    expect(offset).toBeGreaterThan(SLOW - 5_000);
    expect(offset).toBeLessThan(SLOW + 5_000);
    // A reading now carries the hub's time, not the slow clock's.
    const before = Date.now();
    gateway.ingest('sensor', { type: 'telemetry', fields: { temperature_c: 21 } });
    await waitFor(
      () => (hub.events('telemetry') as TelemetryEvent[]).some((e) => e.deviceId === 'sensor'),
      'reading',
    );
    const event = (hub.events('telemetry') as TelemetryEvent[]).find(
      (e) => e.deviceId === 'sensor',
    );
    expect(Math.abs((event?.observedAt ?? 0) - before)).toBeLessThan(5_000);
  }, 30_000);
});
