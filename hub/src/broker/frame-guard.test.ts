import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { FrameGuard, GuardedConnection } from './frame-guard.js';

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

describe('GuardedConnection', () => {
  it('sends a corked packet to the socket in one write, bytes in order (as mqtt-packet writes)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const peer = connect(port, '127.0.0.1');
    const socket = await accepted;
    try {
      const conn = new GuardedConnection(socket, 1024, () => undefined);
      const writes = vi.spyOn(socket, 'write');
      const received: Buffer[] = [];
      peer.on('data', (d: Buffer) => received.push(d));
      // mqtt-packet's writeToStream: cork, the packet in pieces, uncork on the next tick.
      const pieces = [Buffer.from([0x32, 0x0a]), Buffer.from([0x00, 0x03]), Buffer.from('a/b')];
      pieces.push(Buffer.from([0x00, 0x07]), Buffer.from('xyz'));
      conn.cork();
      for (const p of pieces) conn.write(p);
      process.nextTick(() => conn.uncork());
      const expected = Buffer.concat(pieces);
      await vi.waitFor(() => expect(Buffer.concat(received)).toEqual(expected), {
        timeout: 10_000,
      });
      expect(writes).toHaveBeenCalledTimes(1);
      // An uncorked write still goes straight through.
      conn.write(Buffer.from([0x40, 0x02, 0x00, 0x07]));
      await vi.waitFor(() => expect(Buffer.concat(received).length).toBe(expected.length + 4), {
        timeout: 10_000,
      });
      expect(writes).toHaveBeenCalledTimes(2);
    } finally {
      peer.destroy();
      socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
