/** Test helpers shared by the gateway's tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pino, { type Logger } from 'pino';
import { validateConfig, type GatewayEvent } from '@anxin/protocol';
import { GatewayConfigSchema, type GatewayConfig } from '../config.js';

export async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
  stepMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function tempDir(prefix = 'anxin-gw-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function testConfig(input: Record<string, unknown>): GatewayConfig {
  return validateConfig(GatewayConfigSchema, input, 'test');
}

/** A pino logger whose JSON lines the test can read. */
export function captureLogger(level = 'info'): {
  logger: Logger;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

export const silentLogger = (): Logger => pino({ level: 'silent' });

/**
 * The rows the gateway still has to send, read from its outbox file: first health(), which reads
 * the outbox's stats and so deletes the telemetry already acked (it leaves the file with the
 * outbox's next write or stats read: outbox.ts), then the file, as readOutbox does.
 */
export function unackedInOutbox(
  gateway: { health(): unknown },
  dataDir: string,
  lane: 'alarm' | 'telemetry',
): { seq: number; id: string; event: GatewayEvent }[] {
  gateway.health();
  return readOutbox(dataDir, lane);
}

/** Reads the outbox the way an outside observer would: a separate read-only connection. */
export function readOutbox(
  dataDir: string,
  lane: 'alarm' | 'telemetry',
): { seq: number; id: string; event: GatewayEvent }[] {
  const db = new Database(join(dataDir, 'outbox.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[], { seq: number; id: string; body: string }>(
        `SELECT seq, id, body FROM ${lane}_outbox ORDER BY seq`,
      )
      .all()
      .map((row) => ({ seq: row.seq, id: row.id, event: JSON.parse(row.body) as GatewayEvent }));
  } finally {
    db.close();
  }
}
