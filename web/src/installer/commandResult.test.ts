import { describe, expect, it } from 'vitest';
import type { GatewayCommandDto } from '@anxin/protocol';
import { readingFromCommand, resultRows } from './commandResult';
import { isCommandFor, isControlFor, mergeCommands } from './useGatewayControl';

const command = (over: Partial<GatewayCommandDto> = {}): GatewayCommandDto => ({
  id: 'cmd-1',
  gatewayId: 'gw-1',
  name: 'read_device',
  args: { device_id: 'meter-1' },
  status: 'succeeded',
  code: null,
  message: null,
  data: {
    device_id: 'meter-1',
    at: 1_700_000_000_000,
    reading: { type: 'telemetry', fields: { power_w: 12.34567, motion: true, mode: 'eco' } },
  },
  requestedBy: 'installer',
  requestedAt: '2026-12-04T10:00:00.000Z',
  answeredAt: '2026-12-04T10:00:01.000Z',
  timeoutAt: '2026-12-04T10:00:30.000Z',
  ...over,
});

describe('resultRows', () => {
  it('flattens nested objects as a.b and shows non-strings as JSON', () => {
    expect(
      resultRows({
        pong: true,
        outbox: { alarmDepth: 0, lanes: { telemetry: 3 } },
        ports: ['/dev/ttyS0'],
        note: 'ok',
        missing: null,
      }),
    ).toEqual([
      ['pong', 'true'],
      ['outbox.alarmDepth', '0'],
      ['outbox.lanes.telemetry', '3'],
      ['ports', '["/dev/ttyS0"]'],
      ['note', 'ok'],
      ['missing', 'null'],
    ]);
  });
  it('has no rows for no data', () => {
    expect(resultRows(null)).toEqual([]);
    expect(resultRows({})).toEqual([]);
  });
});

describe('readingFromCommand', () => {
  it('turns a succeeded read_device answer into the device’s readings, rounded', () => {
    expect(readingFromCommand(command())).toEqual({
      key: 'gw-1/meter-1',
      readings: [
        { field: 'power_w', value: '12.346', unit: null, at: 1_700_000_000_000 },
        { field: 'motion', value: 'true', unit: null, at: 1_700_000_000_000 },
        { field: 'mode', value: 'eco', unit: null, at: 1_700_000_000_000 },
      ],
    });
  });
  it('ignores other commands, unfinished or failed reads, and alarm readings', () => {
    expect(readingFromCommand(command({ name: 'ping' }))).toBeNull();
    expect(readingFromCommand(command({ status: 'pending' }))).toBeNull();
    expect(readingFromCommand(command({ status: 'failed', data: null }))).toBeNull();
    expect(
      readingFromCommand(
        command({ data: { device_id: 'sos-1', at: 1, reading: { type: 'alarm', kind: 'sos' } } }),
      ),
    ).toBeNull();
  });
  it('refuses malformed answers rather than showing them', () => {
    expect(readingFromCommand(command({ data: { device_id: 7, at: 1, reading: {} } }))).toBeNull();
    expect(
      readingFromCommand(command({ data: { device_id: 'm', at: '1', reading: { fields: {} } } })),
    ).toBeNull();
    expect(
      readingFromCommand(command({ data: { device_id: 'm', at: 1, reading: [1, 2] } })),
    ).toBeNull();
    // Only scalar fields are values; a reading with none is no reading.
    expect(
      readingFromCommand(
        command({ data: { device_id: 'm', at: 1, reading: { fields: { nested: { a: 1 } } } } }),
      ),
    ).toBeNull();
  });
});

describe('mergeCommands', () => {
  it('replaces a pending command by its answer and keeps the newest first', () => {
    const older = command({ id: 'a', status: 'pending', requestedAt: '2026-12-04T09:00:00.000Z' });
    const newer = command({ id: 'b', status: 'pending', requestedAt: '2026-12-04T11:00:00.000Z' });
    const merged = mergeCommands([older], [newer, { ...older, status: 'succeeded' }]);
    expect(merged.map((c) => [c.id, c.status])).toEqual([
      ['b', 'pending'],
      ['a', 'succeeded'],
    ]);
  });
  it('never turns an answer back into pending (a late GET racing the push)', () => {
    const answered = command({ id: 'a', status: 'timed_out' });
    expect(mergeCommands([answered], [{ ...answered, status: 'pending' }])[0]?.status).toBe(
      'timed_out',
    );
  });
  it('keeps at most 20 commands', () => {
    const many = Array.from({ length: 25 }, (_, i) =>
      command({ id: `c${i}`, requestedAt: new Date(Date.UTC(2026, 11, 4, 0, i)).toISOString() }),
    );
    const merged = mergeCommands([], many);
    expect(merged).toHaveLength(20);
    expect(merged[0]?.id).toBe('c24');
  });
});

describe('socket push guards', () => {
  it('accept only well-formed pushes for this gateway', () => {
    expect(isCommandFor(command(), 'gw-1')).toBe(true);
    expect(isCommandFor(command(), 'gw-2')).toBe(false);
    expect(isCommandFor({ ...command(), requestedAt: 5 }, 'gw-1')).toBe(false);
    expect(isCommandFor('nope', 'gw-1')).toBe(false);
    const control = {
      gatewayId: 'gw-1',
      publishedVersion: 2,
      appliedVersion: 1,
      refused: null,
      state: 'waiting',
      reportedAt: null,
      gatewayTestMode: null,
    };
    expect(isControlFor(control, 'gw-1')).toBe(true);
    const testing = { source: 'command', until: '2026-12-05T13:00:00.000Z' };
    expect(isControlFor({ ...control, gatewayTestMode: testing }, 'gw-1')).toBe(true);
    expect(isControlFor({ ...control, gatewayTestMode: { ...testing, source: 'x' } }, 'gw-1')).toBe(
      false,
    );
    expect(isControlFor({ ...control, gatewayTestMode: { source: 'home' } }, 'gw-1')).toBe(false);
    expect(isControlFor({ ...control, publishedVersion: '2' }, 'gw-1')).toBe(false);
    expect(isControlFor([control], 'gw-1')).toBe(false);
  });
});
