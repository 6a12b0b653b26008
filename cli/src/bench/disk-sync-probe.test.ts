import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startDiskSyncProbe } from './disk-sync-probe.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('times fsyncs on the given directory until stopped, and writes only its 1 MiB file', async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-disk-probe-'));
  const probe = startDiskSyncProbe(dir, 5);
  await new Promise((r) => setTimeout(r, 300));
  const figures = await probe.stop();
  expect(figures.count).toBeGreaterThan(5);
  expect(figures.p50).toBeGreaterThan(0);
  expect(figures.max).toBeGreaterThanOrEqual(figures.p99 ?? Infinity);
  expect(statSync(join(dir, 'disk-sync-probe.bin')).size).toBeLessThanOrEqual(1024 * 1024);
});
