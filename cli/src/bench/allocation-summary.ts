/**
 * Reads a V8 sampling heap profile (.heapprofile, written by profile-window.ts beside the CPU
 * profile) and prints where a process allocated: bytes sampled by allocating function and by
 * file or package, objects the GC already collected included — what makes a process's young
 * generation fill, and so how often it pauses to scavenge (bench latency's load at 10,000 msg/s
 * scavenged every 0.3 s).
 *
 *   node cli/dist/bench/profile-summary.js FILE.heapprofile [--top N]
 */
import { isRecord, isUnknownArray } from '@anxin/protocol';
import { isCallFrame, shortFile } from './profile-files.js';

interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
}

export interface AllocationSummary {
  totalBytes: number;
  byFunction: [string, number][];
  byFile: [string, number][];
}

/** The profile's call tree, or undefined when the JSON is not a sampling heap profile. */
export function allocationTree(json: unknown): AllocationNode | undefined {
  const head = isRecord(json) ? json['head'] : undefined;
  return isAllocationNode(head) ? head : undefined;
}

function isAllocationNode(value: unknown): value is AllocationNode {
  if (!isRecord(value) || typeof value['selfSize'] !== 'number') return false;
  const children = value['children'];
  return (
    isCallFrame(value['callFrame']) && isUnknownArray(children) && children.every(isAllocationNode)
  );
}

export function summarizeAllocations(head: AllocationNode): AllocationSummary {
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let totalBytes = 0;
  const stack = [head];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url ? shortFile(url) : functionName || '(native)';
    const fn = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + node.selfSize);
    byFile.set(file, (byFile.get(file) ?? 0) + node.selfSize);
    totalBytes += node.selfSize;
    stack.push(...node.children);
  }
  const sorted = (m: Map<string, number>) =>
    [...m].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]);
  return { totalBytes, byFunction: sorted(byFunction), byFile: sorted(byFile) };
}

export function formatAllocationSummary(summary: AllocationSummary, top = 25): string[] {
  const row = ([name, bytes]: [string, number]) =>
    `${((100 * bytes) / Math.max(1, summary.totalBytes)).toFixed(1).padStart(5)}% ${(bytes / 1e6).toFixed(1).padStart(8)} MB  ${name}`;
  return [
    `sampled ${(summary.totalBytes / 1e6).toFixed(1)} MB allocated`,
    '-- allocated by function',
    ...summary.byFunction.slice(0, top).map(row),
    '-- allocated by file or package',
    ...summary.byFile.slice(0, top).map(row),
  ];
}
