/**
 * The saved TLS session ticket (tls-ticket-file.ts): every file that cannot be offered gives "no
 * ticket" with its reason; the file's I/O reads once, logs a bad file once, writes owner-only and
 * skips a ticket it already has. Resumption across a real restart is in tls.test.ts.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger, silentLogger, tempDir } from '../test-support/util.js';
import {
  encodeTicketFile,
  parseTicketFile,
  TLS_TICKET_FILE,
  TLS_TICKET_FILE_MAX_BYTES,
  TLS_TICKET_MAX_AGE_MS,
  TlsTicketFile,
  type TicketFileProblem,
} from './tls-ticket-file.js';

const HUB = '127.0.0.1:8883';
const NOW = 1_800_000_000_000;
const TICKET = Buffer.from('a serialized TLS session, as Node gives it');
const good = { v: 1, hub: HUB, savedAt: NOW - 60_000, ticket: TICKET.toString('base64') };
const text = (fields: Record<string, unknown>) => JSON.stringify({ ...good, ...fields });

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('parseTicketFile', () => {
  it('reads back what encodeTicketFile wrote, for the same hub within a day', () => {
    expect(parseTicketFile(encodeTicketFile(HUB, TICKET, NOW - 1000), HUB, NOW)).toEqual({
      ok: true,
      ticket: TICKET,
      savedAt: NOW - 1000,
    });
    // A clock behind the file's (no battery-backed clock, before NTP) is not a reason to refuse.
    expect(parseTicketFile(text({ savedAt: NOW + 3_600_000 }), HUB, NOW).ok).toBe(true);
  });

  const bad: [string, string, TicketFileProblem][] = [
    ['malformed JSON', '{"v":1,"hub":', 'malformed'],
    ['not an object', '[1]', 'malformed'],
    ['null', 'null', 'malformed'],
    ['another version', text({ v: 2 }), 'version'],
    ['no version', JSON.stringify({ hub: HUB, savedAt: NOW, ticket: 'AAAA' }), 'version'],
    ['hub not a string', text({ hub: 8883 }), 'malformed'],
    ['another hub', text({ hub: '127.0.0.1:8884' }), 'other-hub'],
    ['savedAt not a number', text({ savedAt: '2026-12-06' }), 'malformed'],
    ['older than a day', text({ savedAt: NOW - TLS_TICKET_MAX_AGE_MS - 1 }), 'expired'],
    ['oversized', text({ pad: 'x'.repeat(TLS_TICKET_FILE_MAX_BYTES) }), 'oversized'],
    ['ticket not base64', text({ ticket: 'not base64!' }), 'bad-ticket'],
    ['ticket badly padded', text({ ticket: 'AAA' }), 'bad-ticket'],
    ['ticket empty', text({ ticket: '' }), 'bad-ticket'],
    ['ticket not a string', text({ ticket: 42 }), 'bad-ticket'],
  ];
  it.each(bad)('%s: no ticket, with the reason', (_name, input, problem) => {
    const reading = parseTicketFile(input, HUB, NOW);
    expect(reading).toMatchObject({ ok: false, problem });
    expect(reading.ok ? '' : reading.detail).not.toBe('');
  });

  it('takes a ticket saved exactly a day ago, not a millisecond older', () => {
    const at = NOW - TLS_TICKET_MAX_AGE_MS;
    expect(parseTicketFile(text({ savedAt: at }), HUB, NOW).ok).toBe(true);
    expect(parseTicketFile(text({ savedAt: at }), HUB, NOW + 1).ok).toBe(false);
  });
});

describe('TlsTicketFile', () => {
  function setUp() {
    const dir = tempDir('anxin-ticket-');
    cleanups.push(() => dir.remove());
    const { logger, lines } = captureLogger();
    const tickets = new TlsTicketFile({ dataDir: dir.path, now: () => NOW, logger });
    return { file: join(dir.path, TLS_TICKET_FILE), tickets, lines };
  }

  it('no file: no ticket and nothing logged', () => {
    const { tickets, lines } = setUp();
    expect(tickets.load(HUB)).toBeUndefined();
    expect(lines).toEqual([]);
    expect(tickets.health()).toEqual({ loaded: false, ignored: null, saves: 0, saveFailures: 0 });
  });

  it('a bad file: no ticket, logged once with its code and counted', () => {
    const { file, tickets, lines } = setUp();
    writeFileSync(file, text({ hub: 'hub.example.org:8883' }));
    expect(tickets.load(HUB)).toBeUndefined();
    expect(lines.map((l) => [l.code, l.problem])).toEqual([['TLS_TICKET_IGNORED', 'other-hub']]);
    expect(tickets.health().ignored).toBe('other-hub');
  });

  it('an oversized file is not read', () => {
    const { file, tickets } = setUp();
    writeFileSync(file, Buffer.alloc(TLS_TICKET_FILE_MAX_BYTES + 1, 0x20));
    expect(tickets.load(HUB)).toBeUndefined();
    expect(tickets.health().ignored).toBe('oversized');
  });

  it('saves owner-only, atomically, and not again for the same bytes', async () => {
    const { file, tickets } = setUp();
    tickets.save(HUB, TICKET);
    tickets.save(HUB, Buffer.from(TICKET));
    await tickets.flush();
    expect(tickets.health().saves).toBe(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseTicketFile(readFileSync(file, 'utf8'), HUB, NOW)).toMatchObject({
      ok: true,
      ticket: TICKET,
    });

    // Two new tickets at once (a TLS 1.3 server sends two per handshake): one write, the newest.
    const newest = Buffer.from('the newest ticket');
    tickets.save(HUB, Buffer.from('the first new ticket'));
    tickets.save(HUB, newest);
    await tickets.flush();
    expect(tickets.health().saves).toBe(2);
    expect(parseTicketFile(readFileSync(file, 'utf8'), HUB, NOW)).toMatchObject({
      ok: true,
      ticket: newest,
    });

    // A restart loads it, and does not write back the ticket it loaded.
    const again = new TlsTicketFile({
      dataDir: dirname(file),
      now: () => NOW,
      logger: silentLogger(),
    });
    expect(again.load(HUB)).toEqual(newest);
    again.save(HUB, newest);
    await again.flush();
    expect(again.health()).toEqual({ loaded: true, ignored: null, saves: 0, saveFailures: 0 });
  });
});
