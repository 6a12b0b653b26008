/**
 * The embedded telemetry store's writer, on a worker thread of its own (issue 12). better-sqlite3
 * runs a transaction synchronously, fsync included (`synchronous = FULL`: the hub acks after this
 * commit and the gateway then forgets the points, contract clause 3). On the main thread every
 * telemetry commit held the broker's sockets, the alarm lane and the consoles' pushes for its whole
 * length: measured at 2,000 gateways and 10,000 msg/s, 17.5 % of the hub's main-thread time in
 * these commits, and an alarm that arrived during one waited for it. Here the main thread only
 * posts the rows and is told when they are durable; `write` resolves after the commit, so the ack
 * still follows durability. The thread's code is embedded-writer-worker.ts.
 */
import { Worker } from 'node:worker_threads';
import {
  isReply,
  type Reply,
  type Request,
  type RequestBody,
  type TelemetryRow,
  type WriterData,
} from './embedded-writer-messages.js';
import { hubWorkerFile } from '../worker-file.js';

export type { TelemetryRow } from './embedded-writer-messages.js';

interface Pending {
  resolve: (changes: number) => void;
  reject: (err: Error) => void;
}

/**
 * The main thread's side: one worker, requests answered in order. A worker that fails (or exits)
 * fails what it had in flight (ingest defers it: the gateways keep the points) and the next request
 * starts a new one.
 */
export class EmbeddedWriter {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly file: string) {}

  /** Starts the worker (the table must exist); rejects if it cannot open the file. */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    const worker = new Worker(hubWorkerFile('telemetry/embedded-writer-worker.js'), {
      workerData: { file: this.file } satisfies WriterData,
    });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onFirst = (reply: unknown) => {
        if (!isReply(reply) || reply.id !== 0) return;
        worker.off('message', onFirst);
        if (reply.ok) resolve();
        else reject(new Error(`telemetry writer cannot open ${this.file}: ${reply.message}`));
      };
      worker.on('message', onFirst);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`telemetry writer exited (${code})`)));
    });
    worker.on('message', (message: unknown) => {
      // Only the writer thread posts here: a reply we cannot read means the two ends disagree,
      // and no waiter can be told apart. Fail what was in flight and end the thread.
      if (!isReply(message)) {
        fail(new Error('telemetry writer sent an unreadable reply'));
        void worker.terminate();
        return;
      }
      const reply: Reply = message;
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.changes);
      else p.reject(new Error(reply.message));
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.ready = undefined;
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const p of pending) p.reject(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`telemetry writer exited (${code})`)));
    return this.ready;
  }

  /** Resolves once the rows are committed (durable). */
  write(rows: TelemetryRow[]): Promise<number> {
    return this.request({ op: 'write', rows });
  }

  /** Deletes points older than `before` (epoch ms); resolves with how many. */
  prune(before: number): Promise<number> {
    return this.request({ op: 'prune', before });
  }

  /** Closes the database on the writer thread (bounded), then ends the thread. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        this.pending.set(id, { resolve: () => resolve(), reject: () => resolve() });
        worker.postMessage({ op: 'close', id } satisfies Request);
      }),
      new Promise<void>((resolve) => worker.once('exit', () => resolve())),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000))),
    ]);
    clearTimeout(timer);
    this.pending.delete(id);
    await worker.terminate();
  }

  private async request(body: RequestBody): Promise<number> {
    if (this.closed) throw new Error('telemetry writer is closed');
    await this.start();
    const worker = this.worker;
    if (!worker) throw new Error('telemetry writer is not running');
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...body, id });
    });
  }
}
