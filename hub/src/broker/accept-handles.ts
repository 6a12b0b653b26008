/**
 * More accept handles for one listening socket, so that a busy hub still takes a reconnect storm's
 * connections quickly.
 *
 * Why: since libuv 1.45 (Node 20 ships 1.46) a listening handle accepts one connection per
 * event-loop iteration (libuv PR #3696 removed the accept-until-EAGAIN loop). A hub replaying
 * thousands of gateways' backlogs runs iterations of tens to hundreds of milliseconds, so its
 * accept rate fell to a few per second while up to 1,500 finished handshakes waited in the kernel's
 * queue (`ss -ltn` Recv-Q), and alarms from those gateways waited with them. Measured with a
 * 20 ms busy loop and 2,000 clients: one handle accepted 291 connections in 6 s; eight handles
 * accepted eight per iteration.
 *
 * How: every extra handle is another file descriptor of the same socket, obtained with the
 * documented child_process "sending a server object" path (SCM_RIGHTS): a short-lived helper
 * process receives the server and sends it straight back; what comes back is a new descriptor.
 * Each descriptor has its own epoll registration, so each iteration accepts up to one connection
 * per handle; a connection wakes every handle and the losers get EAGAIN (a cheap syscall).
 * A connection the helper happens to accept in the milliseconds it holds the socket is passed
 * back to the hub too. Node ≥ 22.12 could use `reusePort` instead; Node 20 cannot.
 */
import { spawn } from 'node:child_process';
import { createServer, Server, Socket } from 'node:net';
import { isRecord } from '@anxin/protocol';

/** The helper: returns each server it is sent, and any connection it accepts meanwhile. */
const ECHO_SCRIPT = `
const servers = [];
process.on('message', (message, server) => {
  if (!server) return;
  servers.push(server);
  server.on('connection', (socket) => process.send({ kind: 'socket' }, socket));
  process.send({ kind: 'server', n: message.n }, server);
});
process.on('disconnect', () => {
  for (const server of servers) server.close();
  process.exit(0);
});
`;

export interface AcceptHandles {
  /** The extra handles (not the original), each already delivering into `server`. */
  readonly extra: readonly Server[];
  /** Why fewer than asked were made (the helper failed or was slow), if so. */
  readonly problem?: string;
  close(): Promise<void>;
}

/**
 * Gives `server` (listening) `count - 1` more accept handles whose connections are emitted on
 * `server` as 'connection' events (a tls.Server then does the handshake on them). Never rejects:
 * it resolves with what it got within `timeoutMs`, since fewer handles only cost throughput.
 */
export async function addAcceptHandles(
  server: Server,
  count: number,
  backlog: number,
  timeoutMs = 5000,
): Promise<AcceptHandles> {
  const received: Server[] = [];
  const extra: Server[] = [];
  const deliver = (socket: Socket) => server.emit('connection', socket);
  const closeAll = () =>
    Promise.all(
      extra.map(
        (s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve())),
      ),
    ).then(() => undefined);
  if (count <= 1) return { extra, close: closeAll };

  const helper = spawn(process.execPath, ['-e', ECHO_SCRIPT], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let problem: string | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`got ${received.length + 1} of ${count} handles in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      helper.on('error', fail);
      helper.once('exit', (code) =>
        fail(new Error(`handle helper exited (${code}) after ${received.length + 1} handles`)),
      );
      helper.on('message', (message: unknown, handle: unknown) => {
        const kind = isRecord(message) ? message.kind : undefined;
        if (kind === 'socket' && handle instanceof Socket) deliver(handle);
        if (kind !== 'server' || !(handle instanceof Server)) return;
        const copy = handle;
        copy.on('connection', deliver);
        received.push(copy);
        if (received.length === count - 1) {
          clearTimeout(timer);
          resolve();
        }
      });
      for (let n = 1; n < count; n += 1) helper.send({ n }, server);
    });
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  } finally {
    helper.removeAllListeners('exit');
    helper.on('error', () => undefined); // a late send error once we have given up
    // Closing the channel makes the helper close its copies and exit. Wait for that: while it
    // lives it holds the socket open (and could accept), even after the hub closes its own.
    if (helper.exitCode === null && helper.signalCode === null) {
      const exited = new Promise<void>((resolve) => helper.once('exit', () => resolve()));
      if (helper.connected) helper.disconnect();
      const timer = setTimeout(() => helper.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
  }
  // Node listens on a received server with its default backlog (511), and listen() on any
  // descriptor sets it for the one socket: a storm's SYNs then overflow the accept queue and are
  // retried after 1 s, 3 s, 7 s. Taking each copy over with an explicit backlog restores it.
  for (const copy of received) {
    const own = createServer();
    own.on('connection', deliver);
    await new Promise<void>((resolve) => {
      own.once('error', (err) => {
        problem ??= `cannot take over an accept handle: ${err.message}`;
        resolve();
      });
      own.listen(copy, backlog, () => resolve());
    });
    if (own.listening) extra.push(own);
  }
  return problem === undefined ? { extra, close: closeAll } : { extra, problem, close: closeAll };
}
