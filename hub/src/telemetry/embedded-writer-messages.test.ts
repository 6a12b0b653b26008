/**
 * Both ends of the telemetry writer's thread messages: every message one side builds passes the
 * other side's guard, and what neither builds (a missing id, a row of the wrong shape, an unknown
 * op) does not, so a disagreement between the two files fails loudly instead of being misread.
 */
import { describe, expect, it } from 'vitest';
import {
  isReply,
  isRequest,
  isWriterData,
  type Reply,
  type Request,
} from './embedded-writer-messages.js';

describe('the telemetry writer thread messages', () => {
  it('accepts every request the main thread builds and rejects malformed ones', () => {
    const built: Request[] = [
      { op: 'write', id: 1, rows: [['gw-1', 'meter-1', 1_700_000_000_000, '{"power_w":3}']] },
      { op: 'write', id: 2, rows: [] },
      { op: 'prune', id: 3, before: 1_700_000_000_000 },
      { op: 'close', id: 4 },
    ];
    for (const r of built) expect(isRequest(r)).toBe(true);
    for (const bad of [
      null,
      'write',
      { op: 'write', rows: [] },
      { op: 'write', id: '1', rows: [] },
      { op: 'write', id: 1, rows: [['gw-1', 'meter-1', '1700000000000', '{}']] },
      { op: 'write', id: 1, rows: [['gw-1', 'meter-1', 1]] },
      { op: 'write', id: 1, rows: 'x' },
      { op: 'prune', id: 1 },
      { op: 'drop', id: 1 },
    ])
      expect(isRequest(bad), JSON.stringify(bad)).toBe(false);
  });

  it('accepts every reply the writer thread builds and rejects malformed ones', () => {
    const built: Reply[] = [
      { id: 0, ok: true, changes: 0 },
      { id: 7, ok: true, changes: 12 },
      { id: 8, ok: false, message: 'SQLITE_FULL: database or disk is full' },
    ];
    for (const r of built) expect(isReply(r)).toBe(true);
    for (const bad of [
      undefined,
      { ok: true, changes: 1 },
      { id: 1, ok: true },
      { id: 1, ok: false },
      { id: 1, ok: 'yes', changes: 1 },
    ])
      expect(isReply(bad), JSON.stringify(bad)).toBe(false);
  });

  it('checks the thread start data', () => {
    expect(isWriterData({ file: '/var/lib/anxin/telemetry.db' })).toBe(true);
    expect(isWriterData({ file: 1 })).toBe(false);
    expect(isWriterData(undefined)).toBe(false);
  });
});
