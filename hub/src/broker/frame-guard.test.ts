import { describe, expect, it } from 'vitest';
import { FrameGuard } from './frame-guard.js';

/** An MQTT packet: type byte, Remaining Length (MQTT 3.1.1 §2.2.3), body of that length. */
function packet(type: number, bodyLength: number): Buffer {
  const len: number[] = [];
  let x = bodyLength;
  do {
    let byte = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) byte |= 0x80;
    len.push(byte);
  } while (x > 0);
  return Buffer.concat([Buffer.from([type, ...len]), Buffer.alloc(bodyLength, 0x61)]);
}

describe('FrameGuard', () => {
  it('passes a stream of packets within the limit however it is chunked', () => {
    const stream = Buffer.concat([
      packet(0x10, 20),
      packet(0x30, 1000),
      packet(0xc0, 0),
      packet(0x30, 16_383),
      packet(0x30, 16_384),
    ]);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const guard = new FrameGuard(20_000);
      for (let i = 0; i < stream.length; i += size)
        expect(guard.feed(stream.subarray(i, i + size))).toEqual({ ok: true });
    }
  });

  it('refuses a packet that announces more than the limit, before its body arrives', () => {
    const guard = new FrameGuard(1024);
    expect(guard.feed(packet(0x10, 10))).toEqual({ ok: true });
    const verdict = guard.feed(Buffer.from([0x30, 0x81, 0x08])); // 1025
    expect(verdict.ok).toBe(false);
  });

  it('refuses a Remaining Length longer than four bytes (malformed, §2.2.3)', () => {
    const guard = new FrameGuard(Number.MAX_SAFE_INTEGER);
    const verdict = guard.feed(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]));
    expect(verdict).toEqual({ ok: false, reason: expect.stringMatching(/malformed/) });
  });

  it('accepts exactly the limit', () => {
    const guard = new FrameGuard(300);
    expect(guard.feed(packet(0x30, 300))).toEqual({ ok: true });
  });
});
