/**
 * Liveness tells the hub when a gateway's own test flag changed (issue 10: the installer's
 * "Gateway in test mode until HH:MM"), once per change rather than once per heartbeat, and only
 * after the heartbeat saying so is stored. The store is an in-memory recorder: this is the
 * change-detection logic alone (test/gateway-control.test.ts runs it with a real hub and gateway).
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { GatewayTestMode, Heartbeat } from '@anxin/protocol';
import type { GatewayStore } from '../store/gateways.js';
import { Liveness } from './liveness.js';

const beat = (testMode?: GatewayTestMode): Heartbeat => ({
  v: 1,
  sentAt: 1,
  uptimeS: 1,
  softwareVersion: '0.1.0',
  configVersion: 1,
  outbox: { alarmDepth: 0, telemetryDepth: 0, oldestPendingAgeMs: 0, droppedTelemetry: 0 },
  devices: [],
  ...(testMode ? { testMode } : {}),
});

function liveness(fail = false) {
  const told: string[] = [];
  const stored: string[] = [];
  const gateways: Pick<GatewayStore, 'recordLiveness'> = {
    recordLiveness: (beats) => {
      if (fail) return Promise.reject(new Error('store down'));
      stored.push(...beats.map((b) => b.gatewayId));
      return Promise.resolve();
    },
  };
  const live = new Liveness({
    gateways,
    log: pino({ level: 'silent' }),
    alarmsIdle: () => Promise.resolve(),
    onTestModeReported: (id) => told.push(`${id}@${stored.length}`),
  });
  // close() writes what is pending: one flush per call, no timer needed.
  const send = async (id: string, hb: Heartbeat) => {
    live.heartbeat(id, hb);
    await live.close();
  };
  return { told, send };
}

describe('liveness and the gateway test flag', () => {
  it('tells each change once, after the heartbeat is stored', async () => {
    const { told, send } = liveness();
    await send('gw-a', beat()); // off, as it always was: nothing to tell
    expect(told).toEqual([]);
    await send('gw-a', beat({ source: 'command', until: 5000 }));
    expect(told).toEqual(['gw-a@2']); // told after the second heartbeat was stored
    await send('gw-a', beat({ source: 'command', until: 5000 })); // same window: no news
    expect(told).toHaveLength(1);
    await send('gw-a', beat({ source: 'command', until: 9000 })); // a new window
    await send('gw-a', beat({ source: 'home', until: null }));
    await send('gw-b', beat());
    await send('gw-a', beat()); // off
    await send('gw-a', beat());
    expect(told).toEqual(['gw-a@2', 'gw-a@4', 'gw-a@5', 'gw-a@7']);
  });

  it('tells nothing when the heartbeat could not be stored', async () => {
    const { told, send } = liveness(true);
    await send('gw-a', beat({ source: 'command', until: 5000 }));
    expect(told).toEqual([]);
  });
});
