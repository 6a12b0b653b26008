/**
 * Meters as installed, end to end through the gateway: a three-phase DL/T 645 meter configured the
 * way the hub's device options can say it (`phases: 3`, identifiers as one text field) and a
 * single-phase meter share one RS-485 bus on a socat pseudo-terminal pair; block reads arrive at
 * a (fake) hub over a real broker as telemetry with every phase and tariff, in canonical units.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '@anxin/protocol';
import { Dlt645Simulator } from '@anxin/devices';
import { gatewayOnDisk, NO_HUB_URL, startHubSide, type Cleanups } from '../test-support/managed.js';
import { openMeterBus } from '../test-support/meter-bus.js';
import { openPtyPair } from '../test-support/pty.js';
import { captureLogger, waitFor } from '../test-support/util.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('DL/T 645 three-phase and single-phase meters through the gateway', () => {
  it('reads blocks and phase items on a real pty bus and delivers values with units', async () => {
    const meters = [
      new Dlt645Simulator({ address: '000000000031', energyKwh: 2000, phases: 3 }),
      new Dlt645Simulator({ address: '000000000011', energyKwh: 500 }),
    ];
    const pty = await openMeterBus(cleanups, meters);
    const { broker, hub } = await startHubSide(cleanups);
    const common = { intervalMs: 1000, replyTimeoutMs: 300 };
    const gateway = gatewayOnDisk('gw-3phase', broker.url, cleanups, {
      bus: { turnaroundMs: 20 },
      devices: [
        // What the installer bought: a three-phase time-of-use meter, default block reads.
        {
          id: 'meter-3p',
          driver: 'dlt645',
          port: pty.gatewaySide,
          options: { address: '000000000031', phases: 3, ...common },
        },
        // A single-phase meter asked for named identifiers, as one text field from the hub.
        {
          id: 'meter-1p',
          driver: 'dlt645',
          port: pty.gatewaySide,
          options: { address: '000000000011', items: '00-01-FF-00, 02-01-01-00', ...common },
        },
      ],
    }).make();
    await gateway.start();

    const latest = (id: string) =>
      Object.assign(
        {},
        ...hub
          .events('telemetry')
          .filter((e): e is TelemetryEvent => e.type === 'telemetry' && e.deviceId === id)
          .map((e) => e.fields),
      ) as Record<string, number>;
    await waitFor(
      () => 'frequency_hz' in latest('meter-3p') && 'voltage_v' in latest('meter-1p'),
      'both meters at the hub',
      10_000,
    );
    const three = latest('meter-3p');
    expect(three['energy_kwh']).toBeCloseTo(2000, 0);
    const tariffs = ['energy_t1_kwh', 'energy_t2_kwh', 'energy_t3_kwh', 'energy_t4_kwh'].map(
      (f) => three[f]!,
    );
    expect(tariffs.reduce((a, b) => a + b, 0)).toBeCloseTo(three['energy_kwh']!, 1);
    for (const f of ['voltage_v', 'voltage_b_v', 'voltage_c_v'])
      expect(three[f], f).toBeGreaterThan(220);
    for (const f of ['current_a', 'current_b_a', 'current_c_a'])
      expect(three[f], f).toBeGreaterThanOrEqual(0);
    expect(Object.keys(three)).toEqual(
      expect.arrayContaining([
        'energy_export_kwh',
        'energy_export_t1_kwh',
        'power_w',
        'power_factor',
      ]),
    );
    const single = latest('meter-1p');
    expect(single['energy_kwh']).toBeCloseTo(500, 0);
    expect(Object.keys(single).sort()).toEqual([
      'energy_kwh',
      'energy_t1_kwh',
      'energy_t2_kwh',
      'energy_t3_kwh',
      'energy_t4_kwh',
      'voltage_v',
    ]);
    const health = Object.fromEntries(gateway.health().devices.map((d) => [d.deviceId, d]));
    expect(health['meter-3p']).toMatchObject({ online: true, decodeErrors: 0, error: null });
    expect(health['meter-1p']).toMatchObject({ online: true, decodeErrors: 0, error: null });
  });

  it('refuses bad meter options, logging which identifier is unknown', async () => {
    const log = captureLogger();
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const gateway = gatewayOnDisk('gw-3phase-bad', NO_HUB_URL, cleanups, {
      devices: [
        {
          id: 'meter-bad',
          driver: 'dlt645',
          port: pty.gatewaySide,
          options: { address: '000000000031', items: '0201FF00, 0299FF00' },
        },
      ],
    }).make({ logger: log.logger });
    await gateway.start();
    const device = gateway.health().devices.find((d) => d.deviceId === 'meter-bad');
    expect(device?.error).toBe('DRIVER_ERROR');
    const line = log.lines.find((l) => l['deviceId'] === 'meter-bad');
    expect(line?.['msg']).toMatch(/options\.items .*"0299FF00" is not one/);
  });
});
