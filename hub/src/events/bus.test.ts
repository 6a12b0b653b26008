import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Registry } from '../metrics.js';
import { EventBus } from './bus.js';

interface TestEvents {
  'alarm:raised': { id: string };
  'gateway:online': { gatewayId: string; at: number };
}

function setup() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const failures = new Registry().counter('failures', 'test');
  const bus = new EventBus<TestEvents>({ log: pino({ level: 'error' }, sink), failures });
  return { bus, failures, lines };
}

describe('EventBus', () => {
  it('delivers to every listener of the event, in subscription order, and only that event', () => {
    const { bus } = setup();
    const seen: string[] = [];
    bus.on('alarm:raised', 'first', ({ id }) => void seen.push(`first ${id}`));
    bus.on('alarm:raised', 'second', ({ id }) => void seen.push(`second ${id}`));
    bus.on('gateway:online', 'other', ({ gatewayId }) => void seen.push(`gw ${gatewayId}`));
    bus.emit('alarm:raised', { id: 'a1' });
    expect(seen).toEqual(['first a1', 'second a1']);
    // The payload type follows the event name.
    // @ts-expect-error a gateway event's payload is not an alarm's
    bus.emit('gateway:online', { id: 'x' });
  });

  it('isolates a throwing listener: the others still run, the emitter does not throw, it is counted and logged', async () => {
    const { bus, failures, lines } = setup();
    const seen: string[] = [];
    bus.on('alarm:raised', 'thrower', () => {
      throw new Error('boom');
    });
    bus.on('alarm:raised', 'rejecter', () => Promise.reject(new Error('async boom')));
    bus.on('alarm:raised', 'after', ({ id }) => void seen.push(id));
    expect(() => bus.emit('alarm:raised', { id: 'a2' })).not.toThrow();
    expect(seen).toEqual(['a2']);
    // The rejection is counted once its promise settles.
    await new Promise((r) => setImmediate(r));
    expect(failures.get({ event: 'alarm:raised' })).toBe(2);
    expect(failures.get({ event: 'gateway:online' })).toBe(0);
    const logged = lines.filter((l) => l.msg === 'event listener failed');
    expect(logged.map((l) => [l.event, l.listener])).toEqual([
      ['alarm:raised', 'thrower'],
      ['alarm:raised', 'rejecter'],
    ]);
  });

  it('unsubscribes, and a listener removed during delivery does not change that delivery', () => {
    const { bus } = setup();
    const seen: string[] = [];
    let offSecond = (): void => undefined;
    bus.on('alarm:raised', 'first', () => {
      seen.push('first');
      offSecond();
    });
    offSecond = bus.on('alarm:raised', 'second', () => void seen.push('second'));
    bus.emit('alarm:raised', { id: 'a' });
    bus.emit('alarm:raised', { id: 'b' });
    expect(seen).toEqual(['first', 'second', 'first']);
    expect(bus.listenerCount('alarm:raised')).toBe(1);
    expect(bus.listenerCount('gateway:online')).toBe(0);
  });
});
