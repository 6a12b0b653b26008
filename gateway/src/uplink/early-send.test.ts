/**
 * A connected gateway puts a new alarm on the wire while its outbox commit fsyncs, not after
 * (outbox.ts, "Sending while the commit syncs"; issue 12): the socket write happens inside the
 * outbox transaction, so the hub's durable write and the gateway's own fsync overlap. The
 * contract still holds: `ingest` returns after the commit, and the row leaves the outbox on the
 * hub's ack only.
 */
import { Socket } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startUplinkRig, type UplinkRig } from '../test-support/uplink-fixture.js';
import { readOutbox, waitFor } from '../test-support/util.js';

describe('uplink: an alarm is sent while its outbox commit syncs', () => {
  let rig: UplinkRig | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await rig?.stop();
  });

  it('writes the alarm to the socket before the commit, and removes it only on the ack', async () => {
    rig = await startUplinkRig('gw-early', { devices: [{ id: 'sos1', driver: 'none' }] });
    const { broker, hub, gateway, dir } = rig;
    hub.policy.alarm = { mode: 'ignore' };
    await rig.connect();

    // Every write of the gateway's socket carrying an alarm batch, with what a second connection
    // to the outbox (the committed state) held at that moment.
    const reader = new Database(join(dir, 'outbox.sqlite'), { readonly: true });
    const committedAlarms = reader.prepare<[], { n: number }>(
      'SELECT count(*) AS n FROM alarm_outbox',
    );
    const alarmWrites: number[] = [];
    const port = broker.port;
    const watch = (socket: Socket, bytes: string) => {
      if (socket.remotePort === port && bytes.includes('gw-early/up/alarm'))
        alarmWrites.push(committedAlarms.get()?.n ?? -1);
    };
    // The originals, called with each socket as `this` below.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const { _writev: writev, _write: write } = Socket.prototype;
    vi.spyOn(Socket.prototype, '_writev').mockImplementation(function (
      this: Socket,
      chunks,
      callback,
    ) {
      watch(this, chunks.map((c) => String(c.chunk)).join(''));
      writev?.call(this, chunks, callback);
    });
    vi.spyOn(Socket.prototype, '_write').mockImplementation(function (
      this: Socket,
      chunk,
      encoding,
      callback,
    ) {
      watch(this, String(chunk));
      write.call(this, chunk, encoding, callback);
    });

    const event = gateway.ingest('sos1', { type: 'alarm', kind: 'sos', action: 'raise' });
    // The batch reached the socket while the row was still uncommitted, within ingest itself.
    expect(alarmWrites).toEqual([0]);
    expect(committedAlarms.get()?.n).toBe(1);
    await waitFor(() => hub.distinctSeqs('alarm').includes(event.seq), 'hub has it');
    // Sent once (not again by the pump after the commit), and kept until the hub acks it.
    await new Promise((r) => setTimeout(r, 50));
    expect(hub.events('alarm').map((e) => e.seq)).toEqual([event.seq]);
    expect(readOutbox(dir, 'alarm').map((r) => r.seq)).toEqual([event.seq]);
    hub.policy.alarm = { mode: 'ack' };
    broker.cutClient('gw-early');
    await waitFor(() => readOutbox(dir, 'alarm').length === 0, 'acked after resend');
    reader.close();
  });
});
