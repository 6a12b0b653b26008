/**
 * DeviceReading (what a driver says) → an outbox draft (the protocol event minus id and seq).
 * Pure. Every draft is checked against the protocol schema here, before it reaches the outbox:
 * one malformed event inside an uplink batch would make the hub refuse the whole batch.
 */
import {
  FIELD_NAME_PATTERN,
  AlarmEventSchema,
  TelemetryEventSchema,
  checkerFor,
  schemaIssues,
} from '@anxin/protocol';
import type { DeviceReading } from '@anxin/devices';
import type { EventDraft } from '../outbox/outbox.js';

/** Placeholders that satisfy the id/seq parts of the schema while the draft is checked. */
const PLACEHOLDER = { id: '00000000-0000-7000-8000-000000000000', seq: 1 };

/**
 * The protocol's Record schemas put FIELD_NAME_PATTERN in `patternProperties` without
 * `additionalProperties: false`, so a key like "Bad Name" passes the schema check; names are
 * therefore checked here as well.
 */
const fieldNameRe = new RegExp(FIELD_NAME_PATTERN);

export type DraftResult = { ok: true; draft: EventDraft } | { ok: false; message: string };

/** `test`: recorded while the gateway's test flag was on (control/test-mode.ts): marked. */
export function readingToDraft(
  deviceId: string,
  reading: DeviceReading,
  observedAt: number,
  test = false,
): DraftResult {
  const mark = test ? { test: true as const } : {};
  const draft: EventDraft =
    reading.type === 'alarm'
      ? {
          type: 'alarm',
          observedAt,
          deviceId: reading.deviceId ?? deviceId,
          kind: reading.kind,
          action: reading.action,
          ...mark,
          ...(reading.detail && Object.keys(reading.detail).length > 0
            ? { detail: { ...reading.detail } }
            : {}),
        }
      : {
          type: 'telemetry',
          observedAt,
          deviceId: reading.deviceId ?? deviceId,
          ...mark,
          fields: { ...reading.fields },
        };
  const names = Object.keys(draft.type === 'alarm' ? (draft.detail ?? {}) : draft.fields);
  const badName = names.find((name) => !fieldNameRe.test(name));
  if (badName !== undefined) {
    return {
      ok: false,
      message: `field name ${JSON.stringify(badName.slice(0, 70))} does not match ${FIELD_NAME_PATTERN}`,
    };
  }
  const schema = draft.type === 'alarm' ? AlarmEventSchema : TelemetryEventSchema;
  const candidate = { ...draft, ...PLACEHOLDER };
  if (checkerFor(schema).Check(candidate)) return { ok: true, draft };
  const issue = schemaIssues(schema, candidate, 1)[0];
  return { ok: false, message: issue ? `${issue.path}: ${issue.message}` : 'invalid reading' };
}
