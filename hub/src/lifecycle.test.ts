import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { intervalPart, Lifecycle, part } from './lifecycle.js';

const log = pino({ level: 'silent' });

describe('Lifecycle', () => {
  it('starts parts in order and stops them in reverse', async () => {
    const steps: string[] = [];
    const track = (name: string) =>
      part(name, {
        start: () => void steps.push(`start ${name}`),
        stop: () => void steps.push(`stop ${name}`),
      });
    const life = new Lifecycle(log).add(track('store'), track('broker'), track('ingest'));
    expect(life.names()).toEqual(['store', 'broker', 'ingest']);
    await life.start();
    await life.stop();
    expect(steps).toEqual([
      'start store',
      'start broker',
      'start ingest',
      'stop ingest',
      'stop broker',
      'stop store',
    ]);
  });

  it('stops every part even when one fails to stop, then throws that failure', async () => {
    const stopped: string[] = [];
    const life = new Lifecycle(log).add(
      part('database', { stop: () => void stopped.push('database') }),
      part('broker', {
        stop: () => {
          throw new Error('broker stuck');
        },
      }),
      part('ingest', { stop: () => void stopped.push('ingest') }),
    );
    await expect(life.stop()).rejects.toThrow('broker stuck');
    expect(stopped).toEqual(['ingest', 'database']);
  });

  it('a failing start stops the start at that part', async () => {
    const started: string[] = [];
    const life = new Lifecycle(log).add(
      part('a', { start: () => void started.push('a') }),
      part('b', {
        start: () => {
          throw new Error('port in use');
        },
      }),
      part('c', { start: () => void started.push('c') }),
    );
    await expect(life.start()).rejects.toThrow('port in use');
    expect(started).toEqual(['a']);
  });
});

describe('intervalPart', () => {
  it('ticks while started (one timer even if started twice) and never after stop', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let ticks = 0;
    let starts = 0;
    const p = intervalPart(
      'ticker',
      10,
      () => (ticks += 1),
      () => (starts += 1),
    );
    await p.start();
    await p.start();
    await sleep(55);
    expect(starts).toBe(1);
    // One 10 ms timer fires at most 5 times in 55 ms (a second timer would double it).
    expect(ticks).toBeGreaterThan(0);
    expect(ticks).toBeLessThanOrEqual(6);
    await p.stop();
    const atStop = ticks;
    await sleep(30);
    expect(ticks).toBe(atStop);
  });
});
