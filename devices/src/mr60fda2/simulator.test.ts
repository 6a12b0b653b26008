import { afterEach, describe, expect, it } from 'vitest';
import {
  Mr60fda2Decoder,
  encodeGetParameters,
  encodeSetInstallHeight,
  encodeSetSensitivity,
} from './codec.js';
import { createMr60fda2Session } from './descriptor.js';
import { Mr60fda2Simulator } from './simulator.js';

const sims: Mr60fda2Simulator[] = [];
afterEach(() => {
  for (const s of sims.splice(0)) s.stop();
});

function capture(sim: Mr60fda2Simulator): Uint8Array[] {
  const out: Uint8Array[] = [];
  sim.onTransmit((b) => out.push(b));
  return out;
}

describe('MR60FDA2 simulator', () => {
  it('acts out presence, motion, a fall, its clearing and leaving', () => {
    const sim = new Mr60fda2Simulator();
    const frames = capture(sim);
    for (const s of ['presence', 'motion', 'fall', 'fall_clear', 'leave'])
      expect(sim.trigger(s)).toBe(true);
    expect(sim.trigger('dance')).toBe(false);
    const session = createMr60fda2Session();
    const readings = frames.flatMap((f) => session.push(f));
    expect(readings).toContainEqual({ type: 'telemetry', fields: { motion: true } });
    expect(readings.filter((r) => r.type === 'alarm')).toEqual([
      { type: 'alarm', kind: 'fall', action: 'raise' },
      { type: 'alarm', kind: 'fall', action: 'clear' },
    ]);
    expect(readings.at(-1)).toEqual({ type: 'telemetry', fields: { presence: false } });
    expect(session.stats().decodeErrors).toBe(0);
  });

  it('applies configuration commands and reports them in the parameter block', () => {
    const sim = new Mr60fda2Simulator();
    const frames = capture(sim);
    sim.receive(encodeSetInstallHeight(2.8, 0x8000));
    sim.receive(encodeSetSensitivity(15, 0x8001));
    sim.receive(encodeGetParameters(0x8002));
    const reports = new Mr60fda2Decoder().push(Buffer.concat(frames)).map((m) => m.report);
    expect(reports).toContainEqual({
      kind: 'set_result',
      setting: 'install_height',
      success: true,
    });
    expect(reports).toContainEqual({ kind: 'set_result', setting: 'sensitivity', success: true });
    expect(reports.at(-1)).toMatchObject({
      kind: 'parameters',
      parameters: { installHeightM: 2.8, sensitivity: 15 },
    });
  });

  it('reports periodically once started and stops when stopped', async () => {
    const sim = new Mr60fda2Simulator({ presenceMs: 20, targetMs: 10 });
    sims.push(sim);
    const frames = capture(sim);
    sim.trigger('motion');
    sim.start();
    await new Promise((r) => setTimeout(r, 120));
    sim.stop();
    const kinds = new Mr60fda2Decoder().push(Buffer.concat(frames)).map((m) => m.report.kind);
    expect(kinds.filter((k) => k === 'presence').length).toBeGreaterThanOrEqual(3);
    expect(kinds.filter((k) => k === 'targets').length).toBeGreaterThanOrEqual(3);
    const n = frames.length;
    await new Promise((r) => setTimeout(r, 40));
    expect(frames.length).toBe(n);
  });
});
