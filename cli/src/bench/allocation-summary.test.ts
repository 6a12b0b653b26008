/**
 * The allocation summary adds each function's own sampled bytes over the whole call tree (one
 * function called from two places is one row), ranks them, and tells a heap profile from a CPU
 * profile or anything else.
 */
import { describe, expect, it } from 'vitest';
import {
  allocationTree,
  formatAllocationSummary,
  summarizeAllocations,
} from './allocation-summary.js';

const frame = (functionName: string, url: string, lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  scriptId: '1',
  columnNumber: 0,
});
const node = (f: ReturnType<typeof frame>, selfSize: number, children: unknown[] = []) => ({
  callFrame: f,
  selfSize,
  id: 1,
  children,
});

const newEventId = frame('newEventId', 'file:///repo/protocol/dist/ids.js', 40);
const debug = frame('debug', 'file:///repo/node_modules/debug/src/common.js', 64);
const profile = {
  head: node(frame('(root)', ''), 0, [
    node(frame('append', 'file:///repo/gateway/dist/outbox/outbox.js', 120), 3_000, [
      node(newEventId, 1_000),
    ]),
    node(frame('publish', 'file:///repo/node_modules/mqtt/build/lib/client.js', 10), 0, [
      node(debug, 4_000),
      node(newEventId, 2_000),
    ]),
  ]),
  samples: [],
};

describe('allocation summary', () => {
  it('ranks functions and files by the bytes they allocated', () => {
    const head = allocationTree(profile);
    expect(head).toBeDefined();
    if (!head) return;
    const summary = summarizeAllocations(head);
    expect(summary.totalBytes).toBe(10_000);
    expect(summary.byFunction).toEqual([
      ['debug nm:debug:65', 4_000],
      ['newEventId protocol/dist/ids.js:41', 3_000],
      ['append gateway/dist/outbox/outbox.js:121', 3_000],
    ]);
    expect(summary.byFile[0]).toEqual(['nm:debug', 4_000]);
    expect(formatAllocationSummary(summary, 1)).toEqual([
      'sampled 0.0 MB allocated',
      '-- allocated by function',
      ' 40.0%      0.0 MB  debug nm:debug:65',
      '-- allocated by file or package',
      ' 40.0%      0.0 MB  nm:debug',
    ]);
  });

  it('is not a heap profile: a CPU profile, a torn tree, anything else', () => {
    expect(allocationTree({ nodes: [], samples: [], timeDeltas: [] })).toBeUndefined();
    expect(allocationTree({ head: node(newEventId, 1, [{ selfSize: 'x' }]) })).toBeUndefined();
    expect(allocationTree(null)).toBeUndefined();
    expect(allocationTree([])).toBeUndefined();
  });
});
