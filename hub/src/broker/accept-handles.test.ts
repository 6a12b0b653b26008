import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { addAcceptHandles, type AcceptHandles } from './accept-handles.js';

let server: Server | undefined;
let handles: AcceptHandles | undefined;
const clients: Socket[] = [];

async function closeAll(): Promise<void> {
  for (const c of clients.splice(0)) c.destroy();
  await handles?.close();
  await new Promise((resolve) => (server?.listening ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  handles = undefined;
}

afterEach(closeAll);

async function listening(
  onConnection: (s: Socket) => void,
): Promise<{ server: Server; port: number }> {
  const s = createServer(onConnection);
  await new Promise<void>((resolve) =>
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, resolve),
  );
  const address = s.address();
  return { server: s, port: typeof address === 'object' && address ? address.port : 0 };
}

/**
 * Has `n` connections wait in the accept queue, then keeps the event loop busy (2 ms of work per
 * turn) and counts the turns until every one has been accepted: what a hub replaying backlogs
 * goes through.
 */
async function turnsToAccept(n: number, handleCount: number): Promise<number> {
  let accepted = 0;
  const started = await listening((socket) => {
    accepted += 1;
    clients.push(socket); // destroyed with the clients, so that server.close() can finish
    socket.on('error', () => undefined);
  });
  server = started.server;
  handles = await addAcceptHandles(server, handleCount, 1024);
  expect(handles.problem).toBeUndefined();
  expect(handles.extra).toHaveLength(handleCount - 1);
  for (let i = 0; i < n; i += 1) {
    const c = connect(started.port, '127.0.0.1');
    c.on('error', () => undefined);
    clients.push(c);
  }
  // The connects go out on the next tick; then hold the event loop while the kernel completes
  // the handshakes (loopback: at once), so that every accept happens in the turns counted below.
  await new Promise((r) => process.nextTick(r));
  const until = Date.now() + 300;
  while (Date.now() < until);
  let turns = 0;
  while (accepted < n && turns < 10 * n) {
    const until = Date.now() + 2;
    while (Date.now() < until); // a busy turn
    turns += 1;
    await new Promise((r) => setImmediate(r));
  }
  expect(accepted).toBe(n);
  return turns;
}

describe('accept handles', () => {
  it('accepts many connections per busy event-loop turn, where one handle takes one', async () => {
    const one = await turnsToAccept(120, 1);
    await closeAll();
    const many = await turnsToAccept(120, 16);
    // libuv ≥ 1.45 takes one connection per handle per turn: ~120 turns with one handle, ~8 with 16.
    expect(one).toBeGreaterThanOrEqual(60);
    expect(many).toBeLessThanOrEqual(30);
  });

  it('stops accepting on every handle once closed', async () => {
    const started = await listening((socket) => socket.destroy());
    server = started.server;
    handles = await addAcceptHandles(server, 4, 1024);
    expect(handles.extra).toHaveLength(3);
    await handles.close();
    await new Promise((resolve) => server?.close(resolve));
    const refused = await new Promise<string>((resolve) => {
      const c = connect(started.port, '127.0.0.1', () => resolve('connected'));
      c.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      clients.push(c);
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('needs no helper for a single handle', async () => {
    const started = await listening(() => undefined);
    server = started.server;
    handles = await addAcceptHandles(server, 1, 1024);
    expect(handles.extra).toHaveLength(0);
    expect(handles.problem).toBeUndefined();
  });
});
