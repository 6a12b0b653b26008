import { describe, expect, it } from 'vitest';
import { findDriver } from '@anxin/devices';
import type { DeviceConfig } from '../config.js';
import { diffDevices, isEmptyDiff } from './diff.js';
import { checkDevices, desiredFromHub } from './hub-config.js';

const meter = (id: string, address: string, extra: Partial<DeviceConfig> = {}): DeviceConfig => ({
  id,
  driver: 'dlt645',
  port: '/dev/ttyUSB0',
  options: { address },
  pollRetries: 2,
  ...extra,
});
const radar: DeviceConfig = {
  id: 'radar',
  driver: 'mr60fda1',
  port: '/dev/ttyS1',
  options: {},
  pollRetries: 2,
};

describe('diffDevices', () => {
  it('matches devices by id and compares settings, ignoring key order', () => {
    const before = [radar, meter('m1', '000000000001'), meter('m2', '000000000002')];
    const after = [
      { ...radar, options: {} },
      { ...meter('m1', '000000000001'), options: { address: '000000000001' } },
      meter('m3', '000000000003'),
    ];
    const diff = diffDevices(before, after);
    expect(diff.unchanged.map((d) => d.id)).toEqual(['radar', 'm1']);
    expect(diff.added.map((d) => d.id)).toEqual(['m3']);
    expect(diff.removed.map((d) => d.id)).toEqual(['m2']);
    expect(diff.changed).toEqual([]);
    expect(isEmptyDiff(diffDevices(before, [...before].reverse()))).toBe(true);
  });

  it('restarts a session for a new driver, port, address or retries, not for a new expected interval', () => {
    const m1 = meter('m1', '000000000001');
    const cases: [Partial<DeviceConfig>, boolean][] = [
      [{ options: { address: '000000000009' } }, true],
      [{ port: '/dev/ttyUSB1' }, true],
      [{ driver: 'cjt188' }, true],
      [{ pollRetries: 0 }, true],
      [{ serial: { baudRate: 9600 } }, true],
      [{ expectedIntervalS: 300 }, false],
    ];
    for (const [change, restart] of cases) {
      const diff = diffDevices([m1], [{ ...m1, ...change }]);
      expect(diff.changed).toEqual([{ before: m1, after: { ...m1, ...change }, restart }]);
    }
  });
});

describe('checking a hub configuration as a whole', () => {
  // The real registry: the checks build each driver's session as the gateway would.
  const find = findDriver;

  it('accepts devices that can run', () => {
    expect(
      checkDevices([radar, meter('m1', '000000000001'), meter('m2', '000000000002')], find, false),
    ).toBeNull();
  });

  it.each([
    [
      [meter('m1', '000000000001'), meter('m1', '000000000002')],
      'DUPLICATE_DEVICE',
      /m1 is listed twice/,
    ],
    [[{ ...radar, driver: 'nope' }], 'UNKNOWN_DRIVER', /no driver "nope"/],
    [[meter('m1', '12')], 'INVALID_ADDRESS', /m1: .*address/],
    [[{ ...radar, port: undefined }], 'INVALID_PORT', /needs a serial port/],
    [
      [radar, meter('m1', '000000000001', { port: '/dev/ttyS1' })],
      'PORT_CONFLICT',
      /radar streams .* m1/,
    ],
    [
      [{ id: 'z', driver: 'zigbee2mqtt', options: {}, pollRetries: 2 }],
      'NO_LOCAL_MQTT',
      /local broker/,
    ],
  ] as const)('refuses %#: %s', (devices, code, reason) => {
    expect(checkDevices([...devices] as DeviceConfig[], find, false)).toEqual({
      code,
      reason: expect.stringMatching(reason),
    });
  });

  it('refuses a configuration for another gateway or with a port that is not one', () => {
    const message = {
      v: 1 as const,
      configVersion: 3,
      gatewayId: 'gw-1',
      homeId: null,
      issuedAt: 0,
      testMode: true,
      heartbeatIntervalS: 15,
      devices: [
        { id: 'm1', driver: 'dlt645', port: '/dev/ttyUSB0', options: { address: '000000000001' } },
      ],
      thresholds: { battery_low_pct: 25 },
    };
    expect(desiredFromHub(message, 'gw-2')).toMatchObject({ ok: false, code: 'WRONG_GATEWAY' });
    expect(
      desiredFromHub({ ...message, devices: [{ ...message.devices[0]!, port: 'COM3' }] }, 'gw-1'),
    ).toMatchObject({ ok: false, code: 'INVALID_PORT', reason: expect.stringContaining('COM3') });
    expect(desiredFromHub(message, 'gw-1')).toEqual({
      ok: true,
      desired: {
        version: 3,
        heartbeatIntervalS: 15,
        thresholds: { battery_low_pct: 25 },
        testMode: true,
        devices: [meter('m1', '000000000001')],
      },
    });
  });
});
