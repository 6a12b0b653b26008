/**
 * The parent side of gateway-worker.ts: forks a worker (built JS) and sends it commands.
 * `kill('SIGKILL')` is what the fault suite uses to crash every gateway of a worker mid-burst.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { nodeArgsFromEnv } from './hub-process.js';
import { fileURLToPath } from 'node:url';
import { isWorkerReply, type WorkerCommand, type WorkerReply } from './worker-protocol.js';

/** The built worker (dist/bench/gateway-worker.js), next to this file once compiled. */
export const WORKER_MAIN = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts') ? '../../dist/bench/gateway-worker.js' : './gateway-worker.js',
    import.meta.url,
  ),
);

export interface GatewayWorker {
  pid: number;
  request(command: WorkerCommand, timeoutMs?: number): Promise<WorkerReply>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Asks the worker to stop its gateways cleanly, then waits for it to exit. */
  stop(): Promise<void>;
}

export async function forkGatewayWorker(env: NodeJS.ProcessEnv = {}): Promise<GatewayWorker> {
  const child: ChildProcess = fork(WORKER_MAIN, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Not the parent's flags: a test runner's (e.g. --conditions=source) would load TS sources.
    // ANXIN_BENCH_WORKER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the load.
    execArgv: nodeArgsFromEnv('ANXIN_BENCH_WORKER_NODE_ARGS'),
  });
  let nextRid = 1;
  const pending = new Map<number, (reply: WorkerReply) => void>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: unknown) => {
    // Only our worker posts here: a reply that does not read as one means the two files
    // disagree, and no waiter can be told apart. Fail them all and end the worker.
    if (!isWorkerReply(message)) {
      for (const [rid, resolve] of pending)
        resolve({ rid, ok: false, error: 'gateway worker sent an unreadable reply' });
      pending.clear();
      child.kill('SIGKILL');
      return;
    }
    const resolve = pending.get(message.rid);
    pending.delete(message.rid);
    resolve?.(message);
  });
  child.once('exit', (code, signal) => {
    for (const [rid, resolve] of pending)
      resolve({ rid, ok: false, error: `worker exited (${code ?? signal})` });
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    pending.set(0, (reply) => (reply.ok ? resolve() : reject(new Error(reply.error))));
    setTimeout(() => reject(new Error('gateway worker did not start within 20 s')), 20_000).unref();
  });

  const alive = () => child.exitCode === null && child.signalCode === null;
  const worker: GatewayWorker = {
    pid: child.pid ?? 0,
    request(command, timeoutMs = 120_000) {
      const rid = nextRid++;
      return new Promise<WorkerReply>((resolve, reject) => {
        if (!alive()) {
          reject(new Error('gateway worker is not running'));
          return;
        }
        const timer = setTimeout(() => {
          pending.delete(rid);
          reject(new Error(`worker ${command.op} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(rid, (reply) => {
          clearTimeout(timer);
          if (reply.ok) resolve(reply);
          else reject(new Error(`worker ${command.op}: ${reply.error ?? 'failed'}`));
        });
        // With a callback, a channel that closed under us (the worker was just killed, its exit
        // not yet seen) rejects this request instead of an unhandled 'error' event on `child`.
        child.send({ ...command, rid }, (err) => {
          if (!err) return;
          clearTimeout(timer);
          pending.delete(rid);
          reject(new Error(`worker ${command.op}: ${err.message}`));
        });
      });
    },
    async kill(signal = 'SIGKILL') {
      if (!alive()) return;
      child.kill(signal);
      await exited;
    },
    async stop() {
      if (!alive()) return;
      await worker.request({ op: 'stop' }, 15_000).catch(() => undefined);
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  return worker;
}
