import { describe, expect, it } from 'vitest';
import { ConfigError, validateConfig } from '@anxin/protocol';
import { GatewayConfigSchema } from './config.js';

describe('GatewayConfigSchema', () => {
  it('fills every nested default from just a gateway id', () => {
    const config = validateConfig(GatewayConfigSchema, { gatewayId: 'gw-1' }, 'test');
    expect(config).toEqual({
      gatewayId: 'gw-1',
      dataDir: './data/gateway',
      hub: { url: 'mqtt://127.0.0.1:1883', password: '', keepaliveS: 30, connectTimeoutMs: 30_000 },
      heartbeatIntervalS: 30,
      outbox: {
        maxTelemetryEvents: 500_000,
        maxTelemetryAgeHours: 72,
        batchSize: 200,
        ackTimeoutMs: 10_000,
        alarmWindow: 4,
        telemetryWindow: 2,
        fsync: { alarm: 'full', telemetry: 'normal' },
      },
      reconnect: { minMs: 1000, maxMs: 60_000, spreadMs: 10_000 },
      bus: { turnaroundMs: 50 },
      devices: [],
      time: { setClock: false, correctAboveMs: 2000 },
      log: { level: 'info', parts: {} },
    });
  });

  it('fills device defaults and accepts serial paths and tcp serial servers', () => {
    const config = validateConfig(
      GatewayConfigSchema,
      {
        gatewayId: 'gw-1',
        devices: [
          { id: 'radar1', driver: 'mr60fda1', port: '/dev/ttyUSB0' },
          {
            id: 'meter1',
            driver: 'dlt645',
            port: 'tcp://10.0.0.7:4196',
            serial: { baudRate: 2400, parity: 'even' },
          },
        ],
      },
      'test',
    );
    expect(config.devices[0]).toEqual({
      id: 'radar1',
      driver: 'mr60fda1',
      port: '/dev/ttyUSB0',
      options: {},
      pollRetries: 2,
    });
    expect(config.devices[1]!.serial).toEqual({ baudRate: 2400, parity: 'even' });
  });

  it.each([
    [{ gatewayId: 'bad id!' }, 'gatewayId'],
    [{ gatewayId: 'gw', hub: { url: 'http://x' } }, 'hub.url'],
    [{ gatewayId: 'gw', outbox: { fsync: { alarm: 'sometimes' } } }, 'outbox.fsync.alarm'],
    [{ gatewayId: 'gw', devices: [{ id: 'm', driver: 'x', port: 'COM3' }] }, 'devices.0.port'],
    [
      { gatewayId: 'gw', devices: [{ id: 'm', driver: 'x', serial: { parity: 'mark' } }] },
      'devices.0.serial.parity',
    ],
    [{ gatewayId: 'gw', outbox: { batchSize: 10_000 } }, 'outbox.batchSize'],
    [{ gatewayId: 'gw', upLink: {} }, 'upLink'],
  ])('names the bad key %#', (input, key) => {
    let error: unknown;
    try {
      validateConfig(GatewayConfigSchema, input, 'test');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.some((p) => p.startsWith(`${key}:`))).toBe(true);
  });
});
