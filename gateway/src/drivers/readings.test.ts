import { describe, expect, it } from 'vitest';
import { readingToDraft } from './readings.js';

describe('readingToDraft', () => {
  it('maps an alarm reading with the arrival time and the configured device id', () => {
    expect(
      readingToDraft(
        'radar1',
        { type: 'alarm', kind: 'fall', action: 'raise', detail: { zone: 2 } },
        1234,
      ),
    ).toEqual({
      ok: true,
      draft: {
        type: 'alarm',
        observedAt: 1234,
        deviceId: 'radar1',
        kind: 'fall',
        action: 'raise',
        detail: { zone: 2 },
      },
    });
  });

  it('uses a bridge sub-device id when the reading names one', () => {
    const result = readingToDraft(
      'z2m',
      { type: 'telemetry', fields: { contact_closed: true }, deviceId: 'door.hall' },
      5,
    );
    expect(result.ok && result.draft.deviceId).toBe('door.hall');
  });

  it.each([
    ['bad field name', { type: 'telemetry', fields: { 'Bad Name': 1 } }],
    ['no fields', { type: 'telemetry', fields: {} }],
    ['too long string', { type: 'telemetry', fields: { note: 'x'.repeat(200) } }],
    ['bad sub-device id', { type: 'telemetry', fields: { power_w: 1 }, deviceId: 'has space' }],
    ['unknown alarm kind', { type: 'alarm', kind: 'earthquake', action: 'raise' }],
    ['bad detail name', { type: 'alarm', kind: 'fall', action: 'raise', detail: { 'X-y': 1 } }],
    [
      'too many fields',
      {
        type: 'telemetry',
        fields: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, i])),
      },
    ],
  ] as const)('refuses a reading with %s', (_name, reading) => {
    const result = readingToDraft('dev1', reading as never, 1);
    expect(result.ok).toBe(false);
  });
});
