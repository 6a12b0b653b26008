/**
 * Where `bench latency` puts its gateways and alarms (load-layout.ts): probes first, every
 * gateway offering the same telemetry wherever it runs, alarms on the probes when there are any.
 */
import { describe, expect, it } from 'vitest';
import { defaultProbeGateways, loadLayout, sharesInOrder } from './load-layout.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `gw-${i}`);

describe('bench latency load layout', () => {
  it('defaults to 2% of the gateways as probes, at least 1 and at most 100', () => {
    expect([1, 49, 2000, 10_000].map(defaultProbeGateways)).toEqual([1, 1, 40, 100]);
  });

  it('puts the first P gateways on the probe with every alarm; the rest round-robin', () => {
    const layout = loadLayout(ids(2000), 40, 5, 10_000, 5);
    expect(layout.probe?.gatewayIds).toEqual(ids(40));
    expect(layout.probe).toMatchObject({ rate: 200, alarmRate: 5 });
    expect(layout.load.map((s) => s.gatewayIds.length)).toEqual([392, 392, 392, 392, 392]);
    expect(layout.load[1]?.gatewayIds.slice(0, 2)).toEqual(['gw-41', 'gw-46']);
    expect(layout.load.every((s) => s.alarmRate === 0 && s.rate === 1960)).toBe(true);
    // Processes are forked probe first.
    expect(sharesInOrder(layout)).toEqual([layout.probe, ...layout.load]);
    // Telemetry adds up to the rate offered, and every gateway is hosted exactly once.
    const all = [layout.probe, ...layout.load].flatMap((s) => s?.gatewayIds ?? []);
    expect(new Set(all).size).toBe(2000);
    expect([layout.probe, ...layout.load].reduce((t, s) => t + (s?.rate ?? 0), 0)).toBeCloseTo(
      10_000,
    );
  });

  it('with no probes spreads the alarms over the load processes, sized by what they host', () => {
    const layout = loadLayout(ids(7), 0, 3, 700, 3);
    expect(layout.probe).toBeUndefined();
    expect(layout.load.map((s) => [s.gatewayIds.length, s.rate, s.alarmRate])).toEqual([
      [3, 300, 1],
      [2, 200, 1],
      [2, 200, 1],
    ]);
  });

  it('runs no load process when the probes hold every gateway', () => {
    const layout = loadLayout(ids(3), 5, 4, 30, 1);
    expect(layout.probe?.gatewayIds).toHaveLength(3);
    expect(layout.load).toEqual([]);
  });
});
