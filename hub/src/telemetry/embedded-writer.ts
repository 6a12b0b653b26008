/**
 * The embedded telemetry store's writer, on a worker thread of its own (issue 12). better-sqlite3
 * runs a transaction synchronously, fsync included (`synchronous = FULL`: the hub acks after this
 * commit and the gateway then forgets the points, contract clause 3). On the main thread every
 * telemetry commit held the broker's sockets, the alarm lane and the consoles' pushes for its whole
 * length: measured at 2,000 gateways and 10,000 msg/s, 17.5 % of the hub's main-thread time in
 * these commits, and an alarm that arrived during one waited for it. Here the main thread only
 * posts the rows and is told when they are durable; `write` resolves after the commit, so the ack
 * still follows durability.
 *
 * The worker's code is `writerMain`, run from its source text (`eval`), so the same file works
 * compiled (dist/) and under the test runner (src/, where no .js file exists to start a worker
 * from). It must stay self-contained: no imports, no closures; it loads what it needs with
 * `require`, the SQLite driver from the path the main thread resolved.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type * as WorkerThreads from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** One point as the table takes it: gateway, device, time, fields (JSON). */
export type TelemetryRow = [string, string, number, string];

type RequestBody =
  { op: 'write'; rows: TelemetryRow[] } | { op: 'prune'; before: number } | { op: 'close' };
type Request = RequestBody & { id: number };

type Reply = { id: number; ok: true; changes: number } | { id: number; ok: false; message: string };

interface WriterData {
  driver: string;
  file: string;
}

/** The worker's body (see the file comment: self-contained, run from its text). */
function writerMain(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- eval'd CommonJS worker (see file comment)
  const threads = require('node:worker_threads') as typeof WorkerThreads;
  const data = threads.workerData as WriterData;
  const port = threads.parentPort;
  if (!port) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- eval'd CommonJS worker (see file comment)
  const Sqlite = require(data.driver) as typeof BetterSqlite3;
  function open() {
    const db = new Sqlite(data.file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // The main thread's reads never block this writer in WAL; a checkpoint may wait for them.
    db.pragma('busy_timeout = 5000');
    const insert = db.prepare(
      `INSERT INTO telemetry (gateway, device, time, fields) VALUES (?, ?, ?, ?)
       ON CONFLICT (gateway, device, time) DO UPDATE SET fields = json_patch(fields, excluded.fields)`,
    );
    const writeAll = db.transaction((rows: TelemetryRow[]) => {
      for (const r of rows) insert.run(r[0], r[1], r[2], r[3]);
    });
    const prune = db.prepare('DELETE FROM telemetry WHERE time < ?');
    return { db, writeAll, prune };
  }
  let opened: ReturnType<typeof open>;
  try {
    opened = open();
  } catch (err) {
    // Said in a reply: an error thrown here reaches the main thread without its message.
    port.postMessage({ id: 0, ok: false, message: (err as Error).message } satisfies Reply);
    port.close();
    return;
  }
  const { db, writeAll, prune } = opened;
  port.on('message', (request: Request) => {
    let reply: Reply;
    try {
      if (request.op === 'close') {
        db.close();
        port.postMessage({ id: request.id, ok: true, changes: 0 } satisfies Reply);
        port.close();
        return;
      }
      if (request.op === 'write') {
        writeAll(request.rows);
        reply = { id: request.id, ok: true, changes: request.rows.length };
      } else {
        reply = { id: request.id, ok: true, changes: prune.run(request.before).changes };
      }
    } catch (err) {
      reply = {
        id: request.id,
        ok: false,
        message: err instanceof Error ? err.message : String(err),
      };
    }
    port.postMessage(reply);
  });
  port.postMessage({ id: 0, ok: true, changes: 0 } satisfies Reply);
}

const driverPath = (): string => createRequire(import.meta.url).resolve('better-sqlite3');

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
    const worker = new Worker(`(${writerMain.toString()})()`, {
      eval: true,
      workerData: { driver: driverPath(), file: this.file } satisfies WriterData,
    });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onFirst = (reply: Reply) => {
        if (reply.id !== 0) return;
        worker.off('message', onFirst);
        if (reply.ok) resolve();
        else reject(new Error(`telemetry writer cannot open ${this.file}: ${reply.message}`));
      };
      worker.on('message', onFirst);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`telemetry writer exited (${code})`)));
    });
    worker.on('message', (reply: Reply) => {
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
