/**
 * The embedded telemetry store's writer thread (started by embedded-writer.ts, issue 12): opens the
 * telemetry file, answers each request in order, and commits every write in one transaction with
 * `synchronous = FULL`, so a reply means the rows are durable (the hub acks after it, contract
 * clause 3). It imports nothing of the hub's but the messages it shares with the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  isRequest,
  isWriterData,
  type Reply,
  type TelemetryRow,
  type WriterData,
} from './embedded-writer-messages.js';

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
  port.on('message', (message: unknown) => {
    // Unreadable: no id to answer. Throwing ends this thread; the main thread fails what it had
    // in flight (the gateways keep those points) and starts a new one for the next write.
    if (!isRequest(message)) throw new Error('telemetry writer: unreadable request');
    const request = message;
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

const data: unknown = workerData;
if (parentPort) {
  if (!isWriterData(data)) throw new Error('telemetry writer: workerData is not WriterData');
  serve(parentPort, data);
}
