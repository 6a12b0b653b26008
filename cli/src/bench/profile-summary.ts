/**
 * Reads a V8 .cpuprofile (node --cpu-prof, or profile-window.ts) and prints where the time went:
 * self time by function and by file or package, optionally only for samples between FROM and TO
 * seconds after the profile started (a hub profiled with --cpu-prof spends its first minute
 * accepting gateways; the window isolates the steady state).
 *
 *   node cli/dist/bench/profile-summary.js FILE [--from S] [--to S] [--top N]
 *
 * Given a .heapprofile instead, it prints where the process allocated (allocation-summary.ts).
 */
import {
  allocationTree,
  formatAllocationSummary,
  summarizeAllocations,
} from './allocation-summary.js';
import { readFileSync } from 'node:fs';
import { isRecord, isUnknownArray } from '@anxin/protocol';
import { isCallFrame, shortFile } from './profile-files.js';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const isNumberArray = (value: unknown): value is number[] =>
  isUnknownArray(value) && value.every((n) => typeof n === 'number');

function isProfileNode(value: unknown): value is ProfileNode {
  if (!isRecord(value) || typeof value['id'] !== 'number') return false;
  const children = value['children'];
  return isCallFrame(value['callFrame']) && (children === undefined || isNumberArray(children));
}

/** Whether parsed JSON is a V8 CPU profile (node --cpu-prof, the inspector's Profiler.stop). */
export function isCpuProfile(value: unknown): value is CpuProfile {
  if (!isRecord(value)) return false;
  const nodes = value['nodes'];
  return (
    typeof value['startTime'] === 'number' &&
    typeof value['endTime'] === 'number' &&
    isNumberArray(value['samples']) &&
    isNumberArray(value['timeDeltas']) &&
    isUnknownArray(nodes) &&
    nodes.every(isProfileNode)
  );
}

export interface ProfileSummary {
  /** Sampled time in the window (ms), idle included. */
  totalMs: number;
  byFunction: [string, number][];
  byFile: [string, number][];
}

export function summarizeProfile(
  profile: CpuProfile,
  window: { fromS?: number; toS?: number } = {},
): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const from = (window.fromS ?? 0) * 1e6;
  const to = (window.toS ?? Infinity) * 1e6;
  const selfUs = new Map<number, number>();
  let t = 0;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (t < from || t > to) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    total += dt;
  });
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    const file = frame.url ? shortFile(frame.url) : frame.functionName;
    const fn = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us / 1000);
    byFile.set(file, (byFile.get(file) ?? 0) + us / 1000);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total / 1000, byFunction: sorted(byFunction), byFile: sorted(byFile) };
}

export function formatProfileSummary(summary: ProfileSummary, top = 25): string[] {
  const row = ([name, ms]: [string, number]) =>
    `${((100 * ms) / Math.max(1, summary.totalMs)).toFixed(1).padStart(5)}% ${ms.toFixed(0).padStart(7)} ms  ${name}`;
  return [
    `sampled ${(summary.totalMs / 1000).toFixed(1)} s`,
    '-- self time by function',
    ...summary.byFunction.slice(0, top).map(row),
    '-- self time by file or package',
    ...summary.byFile.slice(0, top).map(row),
  ];
}

function main(argv: string[]): void {
  const [file, ...rest] = argv;
  if (!file) {
    process.stderr.write('usage: profile-summary FILE [--from S] [--to S] [--top N]\n');
    process.exitCode = 2;
    return;
  }
  const option = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 && rest[i + 1] !== undefined ? Number(rest[i + 1]) : undefined;
  };
  const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const allocations = allocationTree(json);
  if (allocations) {
    const lines = formatAllocationSummary(summarizeAllocations(allocations), option('--top') ?? 25);
    for (const line of lines) process.stdout.write(`${line}\n`);
    return;
  }
  if (!isCpuProfile(json)) {
    process.stderr.write(
      `${file} is neither a CPU profile (.cpuprofile) nor a sampling heap profile (.heapprofile)\n`,
    );
    process.exitCode = 2;
    return;
  }
  const profile = json;
  const fromS = option('--from');
  const toS = option('--to');
  const summary = summarizeProfile(profile, {
    ...(fromS !== undefined ? { fromS } : {}),
    ...(toS !== undefined ? { toS } : {}),
  });
  for (const line of formatProfileSummary(summary, option('--top') ?? 25))
    process.stdout.write(`${line}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Piped into `head`: the reader closing early is not an error of the summary.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  main(process.argv.slice(2));
}
