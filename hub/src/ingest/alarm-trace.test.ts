/** The alarm trace benchmarks read (issue 12): written only when asked for, read back intact. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ALARM_TRACE_ENV,
  alarmTraceFromEnv,
  formatAlarmTrace,
  parseAlarmTrace,
  type AlarmTraceEntry,
} from './alarm-trace.js';

const entry = (seq: number): AlarmTraceEntry => ({
  gatewayId: 'gw-trace',
  seq,
  receivedAt: 1_700_000_000_000.125,
  sqlStartedAt: 1_700_000_000_001.5,
  committedAt: 1_700_000_000_003.25,
  pushedAt: 1_700_000_000_003.75,
});

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('alarm trace', () => {
  it('is off unless the environment names a file', () => {
    expect(alarmTraceFromEnv({})).toBeUndefined();
  });

  it('appends one line per alarm and reads them back', () => {
    dir = mkdtempSync(join(tmpdir(), 'anxin-trace-'));
    const file = join(dir, 'trace.tsv');
    const trace = alarmTraceFromEnv({ [ALARM_TRACE_ENV]: file });
    expect(trace).toBeDefined();
    trace?.record([entry(1), entry(2)]);
    trace?.record([]);
    trace?.record([entry(3)]);
    trace?.close();
    expect(parseAlarmTrace(readFileSync(file, 'utf8'))).toEqual([entry(1), entry(2), entry(3)]);
  });

  it('skips malformed lines (a torn last write) instead of failing', () => {
    dir = mkdtempSync(join(tmpdir(), 'anxin-trace-'));
    const file = join(dir, 'trace.tsv');
    writeFileSync(
      file,
      `${formatAlarmTrace([entry(7)])}gw-trace\t8\t1700000000000.1\tnot-a-time\ngw`,
    );
    expect(parseAlarmTrace(readFileSync(file, 'utf8'))).toEqual([entry(7)]);
  });
});
