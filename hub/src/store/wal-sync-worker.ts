/**
 * The WAL fsync thread (started by wal-sync-thread.ts): fdatasync of each file it is asked for,
 * one request at a time, answered in order. Descriptors are opened read-only on first use
 * (fsync(2) accepts any descriptor of the file) and kept until the file is let go.
 */
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export type WalSyncRequest =
  { op: 'sync'; id: number; file: string } | { op: 'close'; file: string };

export type WalSyncReply =
  { id: number; ok: true } | { id: number; ok: false; code: string; message: string };

function serve(port: NonNullable<typeof parentPort>): void {
  const descriptors = new Map<string, number>();
  port.on('message', (message: unknown) => {
    if (!isWalSyncRequest(message)) return;
    const request = message;
    if (request.op === 'close') {
      const fd = descriptors.get(request.file);
      descriptors.delete(request.file);
      if (fd !== undefined) closeSync(fd);
      return;
    }
    try {
      let fd = descriptors.get(request.file);
      if (fd === undefined) {
        fd = openSync(request.file, 'r');
        descriptors.set(request.file, fd);
      }
      fdatasyncSync(fd);
      port.postMessage({ id: request.id, ok: true } satisfies WalSyncReply);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const code = 'code' in e && typeof e.code === 'string' ? e.code : 'EUNKNOWN';
      port.postMessage({
        id: request.id,
        ok: false,
        code,
        message: e.message,
      } satisfies WalSyncReply);
    }
  });
}

function isWalSyncRequest(message: unknown): message is WalSyncRequest {
  if (typeof message !== 'object' || message === null) return false;
  if (!('file' in message) || typeof message.file !== 'string' || !('op' in message)) return false;
  if (message.op === 'close') return true;
  return message.op === 'sync' && 'id' in message && typeof message.id === 'number';
}

if (parentPort) serve(parentPort);
