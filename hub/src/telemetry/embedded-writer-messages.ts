/**
 * What the embedded telemetry writer's two threads say to each other (embedded-writer.ts on the
 * main thread, embedded-writer-worker.ts on its own), and the checks each end runs on what it
 * receives: a thread's message arrives untyped, so it is read through these guards, not taken
 * on trust. Only our own code posts here; a message that fails its guard means the two ends
 * disagree, and the receiving end fails loudly rather than guessing.
 */

// Written out here, not imported from @anxin/protocol (which has both): the writer thread loads
// this file, and a worker thread resolves no workspace package under the test runner's sources.
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Array.isArray narrows to `any[]`; this keeps the items unknown until they are checked. */
function isUnknownArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

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

export function isWriterData(data: unknown): data is WriterData {
  return isRecord(data) && typeof data.file === 'string';
}

function isTelemetryRow(row: unknown): row is TelemetryRow {
  return (
    isUnknownArray(row) &&
    row.length === 4 &&
    typeof row[0] === 'string' &&
    typeof row[1] === 'string' &&
    typeof row[2] === 'number' &&
    typeof row[3] === 'string'
  );
}

export function isRequest(message: unknown): message is Request {
  if (!isRecord(message) || typeof message.id !== 'number') return false;
  switch (message.op) {
    case 'write':
      return isUnknownArray(message.rows) && message.rows.every(isTelemetryRow);
    case 'prune':
      return typeof message.before === 'number';
    case 'close':
      return true;
    default:
      return false;
  }
}

export function isReply(message: unknown): message is Reply {
  if (!isRecord(message) || typeof message.id !== 'number') return false;
  if (message.ok === true) return typeof message.changes === 'number';
  return message.ok === false && typeof message.message === 'string';
}
