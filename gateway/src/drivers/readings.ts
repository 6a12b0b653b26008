/**
 * DeviceReading (what a driver says) → an outbox draft (the protocol event minus id and seq).
 * Pure. Every draft is checked against the protocol schema here, before it reaches the outbox:
 * one malformed event inside an uplink batch would make the hub refuse the whole batch.
 */
import { Type } from '@sinclair/typebox';
import {
  FIELD_NAME_PATTERN,
  AlarmEventSchema,
  TelemetryEventSchema,
  checkerFor,
  schemaIssues,
} from '@anxin/protocol';
import type { DeviceReading } from '@anxin/devices';
import type { EventDraft } from '../outbox/outbox.js';

/**
 * The events' schemas less id and seq, which the outbox adds: a draft is checked as it is, not
 * copied with placeholder ids to fit the whole schema (one more object for every reading; this
 * function was 12 % of what bench latency's load allocated at 10,000 msg/s).
 */
const DRAFT_SCHEMAS = {
  alarm: Type.Omit(AlarmEventSchema, ['id', 'seq']),
  telemetry: Type.Omit(TelemetryEventSchema, ['id', 'seq']),
};

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
  const schema = DRAFT_SCHEMAS[draft.type];
  if (checkerFor(schema).Check(draft)) return { ok: true, draft };
  const issue = schemaIssues(schema, draft, 1)[0];
  return { ok: false, message: issue ? `${issue.path}: ${issue.message}` : 'invalid reading' };
}
