/**
 * The hub's newest TLS session ticket, kept in the gateway's data directory so that resumption
 * (hub-stream.ts) survives a gateway restart: after a district power cut the gateways reboot
 * with the hub, and without the ticket each would pay a full handshake in the reconnect storm.
 *
 * `<dataDir>/tls-ticket.json` holds `{ "v": 1, "hub": "host:port", "savedAt": ms, "ticket":
 * base64 }`, mode 0600: the ticket is Node's serialized TLS session, which holds the resumption
 * secret, as sensitive as the MQTT password kept beside it. It is written to a temporary file and
 * renamed over the old one (no fsync: a ticket lost to a power cut costs one full handshake), with
 * async I/O, after the handshake; it is read once, at start. A file that cannot be used (unreadable,
 * oversized, malformed, another version, another hub's, older than a ticket lives) is ignored,
 * logged once and counted; the next ticket replaces it. A ticket the hub refuses gives a full
 * handshake, as without the file.
 */
import { readFileSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { errnoCode, errorMessage } from '@anxin/protocol';

export const TLS_TICKET_FILE = 'tls-ticket.json';
export const TLS_TICKET_FILE_MODE = 0o600;
/** A serialized session is 1–3 KiB (it holds the hub's certificate); more is not ours. */
export const TLS_TICKET_FILE_MAX_BYTES = 16 * 1024;
/** The hub's tickets live a day (hub/src/broker/tls-tickets.ts): an older one is not offered. */
export const TLS_TICKET_MAX_AGE_MS = 24 * 3_600_000;
const VERSION = 1;

/** Why a saved ticket is not offered. */
export type TicketFileProblem =
  'unreadable' | 'oversized' | 'malformed' | 'version' | 'other-hub' | 'expired' | 'bad-ticket';

export type TicketFileReading =
  | { ok: true; ticket: Buffer; savedAt: number }
  | { ok: false; problem: TicketFileProblem; detail: string };

/** Counters for the uplink's health. */
export interface TicketFileStats {
  /** A ticket was read from the file at start. */
  loaded: boolean;
  /** Why the file at start was not used (null: used, or there was none). */
  ignored: TicketFileProblem | null;
  saves: number;
  saveFailures: number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const refuse = (problem: TicketFileProblem, detail: string): TicketFileReading => ({
  ok: false,
  problem,
  detail,
});

/** The file's text for a ticket from `hub` received at `savedAt`. */
export function encodeTicketFile(hub: string, ticket: Buffer, savedAt: number): string {
  return JSON.stringify({ v: VERSION, hub, savedAt, ticket: ticket.toString('base64') });
}

/**
 * The ticket in a file's text, if it can be offered to `hub` at `now`. A savedAt ahead of `now`
 * is accepted: a gateway without a battery-backed clock may boot behind until NTP, and the hub
 * judges a ticket's age by its own clock (at worst, a full handshake).
 */
export function parseTicketFile(text: string, hub: string, now: number): TicketFileReading {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > TLS_TICKET_FILE_MAX_BYTES)
    return refuse('oversized', `${size} bytes, over ${TLS_TICKET_FILE_MAX_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return refuse('malformed', errorMessage(err));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return refuse('malformed', 'not a JSON object');
  const file = value as Record<string, unknown>;
  if (file.v !== VERSION) return refuse('version', `v ${JSON.stringify(file.v)}, not ${VERSION}`);
  if (typeof file.hub !== 'string') return refuse('malformed', 'hub is not a string');
  if (file.hub !== hub) return refuse('other-hub', `for ${file.hub}, not ${hub}`);
  if (typeof file.savedAt !== 'number' || !Number.isFinite(file.savedAt))
    return refuse('malformed', 'savedAt is not a number');
  if (now - file.savedAt > TLS_TICKET_MAX_AGE_MS)
    return refuse('expired', `saved ${Math.round((now - file.savedAt) / 60_000)} min ago`);
  if (typeof file.ticket !== 'string' || file.ticket.length === 0 || !BASE64.test(file.ticket))
    return refuse('bad-ticket', 'ticket is not non-empty base64');
  return { ok: true, ticket: Buffer.from(file.ticket, 'base64'), savedAt: file.savedAt };
}

/** Writes `text` to a temporary file (owner only) and renames it over `file`. */
async function replaceFile(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp`;
  // 'wx' after rm: a temporary file left by a crash, whatever its mode, is not written into.
  await rm(temp, { force: true });
  await writeFile(temp, text, { mode: TLS_TICKET_FILE_MODE, flag: 'wx' });
  await rename(temp, file);
}

export interface TlsTicketFileOptions {
  dataDir: string;
  now: () => number;
  logger: Logger;
}

/** The ticket file of one gateway: read once at start, written after handshakes. */
export class TlsTicketFile {
  readonly file: string;
  private readonly stats: TicketFileStats = {
    loaded: false,
    ignored: null,
    saves: 0,
    saveFailures: 0,
  };
  /** The ticket last loaded or handed to save (unchanged bytes are not written again). */
  private last: Buffer | undefined;
  private pending: { hub: string; ticket: Buffer; at: number } | undefined;
  private writing: Promise<void> | null = null;

  constructor(private readonly options: TlsTicketFileOptions) {
    this.file = join(options.dataDir, TLS_TICKET_FILE);
  }

  /** The saved ticket for `hub`, if usable (a small synchronous read, at start only). */
  load(hub: string): Buffer | undefined {
    let text: string;
    try {
      const size = statSync(this.file).size;
      if (size > TLS_TICKET_FILE_MAX_BYTES)
        return this.ignore('oversized', `${size} bytes, over ${TLS_TICKET_FILE_MAX_BYTES}`);
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      return this.ignore('unreadable', errorMessage(err));
    }
    const reading = parseTicketFile(text, hub, this.options.now());
    if (!reading.ok) return this.ignore(reading.problem, reading.detail);
    this.stats.loaded = true;
    this.last = reading.ticket;
    return reading.ticket;
  }

  /** Saves a ticket from `hub` in the background; newest wins, one write at a time. */
  save(hub: string, ticket: Buffer): void {
    if (this.last?.equals(ticket)) return;
    this.last = ticket;
    this.pending = { hub, ticket, at: this.options.now() };
    // After the I/O callbacks of this turn: the hub's tickets of one handshake (TLS 1.3 servers
    // send two) arrive together, and only the newest is written.
    this.writing ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .finally(() => {
        this.writing = null;
      });
  }

  /** Resolves once the newest ticket handed to save is on disk (or failed to be). */
  async flush(): Promise<void> {
    await this.writing;
  }

  health(): TicketFileStats {
    return { ...this.stats };
  }

  private async drain(): Promise<void> {
    for (let next = this.pending; next; next = this.pending) {
      this.pending = undefined;
      try {
        await replaceFile(this.file, encodeTicketFile(next.hub, next.ticket, next.at));
        this.stats.saves += 1;
      } catch (err) {
        this.stats.saveFailures += 1;
        // Once: a read-only or full data directory would otherwise log on every connection.
        if (this.stats.saveFailures === 1)
          this.options.logger.warn(
            { code: 'TLS_TICKET_NOT_SAVED', file: this.file, err: errorMessage(err) },
            'TLS session ticket not saved; a restart will cost a full handshake',
          );
      }
    }
  }

  private ignore(problem: TicketFileProblem, detail: string): undefined {
    this.stats.ignored = problem;
    this.options.logger.warn(
      { code: 'TLS_TICKET_IGNORED', file: this.file, problem, detail },
      'saved TLS session ticket not used; the first connection makes a full handshake',
    );
    return undefined;
  }
}
