import { afterEach, describe, expect, it } from 'vitest';
import { Mr60fda1Decoder, encodeFrame } from './codec.js';
import { createMr60fda1Session } from './descriptor.js';
import { Mr60fda1Simulator } from './simulator.js';

const sims: Mr60fda1Simulator[] = [];
afterEach(() => {
  for (const s of sims.splice(0)) s.stop();
});

function capture(sim: Mr60fda1Simulator): Uint8Array[] {
  const out: Uint8Array[] = [];
  sim.onTransmit((b) => out.push(b));
  return out;
}

describe('MR60FDA1 simulator', () => {
  it('acts out a fall and its clearing with real frames', () => {
    const sim = new Mr60fda1Simulator();
    const frames = capture(sim);
    expect(sim.trigger('fall')).toBe(true);
    expect(sim.trigger('fall_clear')).toBe(true);
    expect(sim.trigger('no-such-scenario')).toBe(false);
    const session = createMr60fda1Session();
    const readings = frames.flatMap((f) => session.push(f));
    expect(readings).toEqual([
      { type: 'telemetry', fields: { presence: true } },
      { type: 'telemetry', fields: { motion: false } },
      { type: 'alarm', kind: 'fall', action: 'raise' },
      { type: 'alarm', kind: 'fall', action: 'clear' },
    ]);
    expect(session.stats().decodeErrors).toBe(0);
  });

  it('reports presence, motion and leaving', () => {
    const sim = new Mr60fda1Simulator();
    const frames = capture(sim);
    for (const s of ['presence', 'motion', 'leave']) expect(sim.trigger(s)).toBe(true);
    const session = createMr60fda1Session();
    const fields = frames
      .flatMap((f) => session.push(f))
      .map((r) => (r.type === 'telemetry' ? r.fields : r));
    expect(fields).toContainEqual({ presence: true });
    expect(fields).toContainEqual({ motion: true });
    expect(fields.slice(-2)).toEqual([{ presence: false }, { motion: false }]);
  });

  it('sends heartbeats and body movement periodically once started', async () => {
    const sim = new Mr60fda1Simulator({ heartbeatMs: 20, reportMs: 10 });
    sims.push(sim);
    const frames = capture(sim);
    sim.trigger('presence');
    sim.start();
    sim.start(); // idempotent
    await new Promise((r) => setTimeout(r, 120));
    sim.stop();
    const kinds = new Mr60fda1Decoder().push(Buffer.concat(frames)).map((m) => m.report.kind);
    expect(kinds.filter((k) => k === 'heartbeat').length).toBeGreaterThanOrEqual(3);
    expect(kinds.filter((k) => k === 'body_movement').length).toBeGreaterThanOrEqual(3);
    const count = frames.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(frames.length).toBe(count);
  });

  it('answers the firmware version query from the wiki', () => {
    const sim = new Mr60fda1Simulator();
    const frames = capture(sim);
    sim.receive(Uint8Array.of(0x53, 0x59, 0x02, 0xa4, 0x00, 0x01, 0x0f, 0x62, 0x54, 0x43));
    expect(frames).toEqual([encodeFrame(0x02, 0xa4, Buffer.from('G60FD1SYv010104'))]);
  });
});
