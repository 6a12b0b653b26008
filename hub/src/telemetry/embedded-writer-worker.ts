/**
 * The embedded telemetry store's writer thread (started by embedded-writer.ts, issue 12): opens the
 * telemetry file, answers each request in order, and commits every write in one transaction with
 * `synchronous = FULL`, so a reply means the rows are durable (the hub acks after it, contract
 * clause 3). It imports nothing of the hub's: the types below are shared with the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** One point as the table takes it: gateway, device, time, fields (JSON). */
export type TelemetryRow = [string, string, number, string];

export type RequestBody =
  { op: 'write'; rows: TelemetryRow[] } | { op: 'prune'; before: number } | { op: 'close' };
export type Request = RequestBody & { id: number };

export type Reply =
  { id: number; ok: true; changes: number } | { id: number; ok: false; message: string };

export interface WriterData {
  file: string;
}

function open(file: string) {
  const db = new Database(file);
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
  const prune = db.prepare<[number]>('DELETE FROM telemetry WHERE time < ?');
  return { db, writeAll, prune };
}

function serve(port: NonNullable<typeof parentPort>, data: WriterData): void {
  let opened: ReturnType<typeof open>;
  try {
    opened = open(data.file);
  } catch (err) {
    // Said in a reply: an error thrown here reaches the main thread without its message.
    port.postMessage({
      id: 0,
      ok: false,
      message: err instanceof Error ? err.message : String(err),
    } satisfies Reply);
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

if (parentPort) serve(parentPort, workerData as WriterData);
