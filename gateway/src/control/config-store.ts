/**
 * The hub configuration the gateway runs, kept in its data directory so that it survives a restart
 * (issue 10: "the applied version is persisted"). Written to a temporary file, flushed and renamed
 * over the old one, so a power cut leaves either the old file or the new one, never half of one.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import {
  CONFIG_REFUSAL_CODES,
  schemaIssues,
  stringEnum,
  errorMessage,
  errnoCode,
} from '@anxin/protocol';
import { DeviceConfigSchema } from '../config.js';

export const CONTROL_STATE_FILE = 'hub-config.json';

const ControlStateSchema = Type.Object({
  applied: Type.Union([
    Type.Object({
      version: Type.Integer({ minimum: 1 }),
      appliedAt: Type.Integer({ minimum: 0 }),
      devices: Type.Array(DeviceConfigSchema),
      heartbeatIntervalS: Type.Number({ minimum: 1 }),
      thresholds: Type.Record(Type.String(), Type.Number()),
      testMode: Type.Boolean(),
    }),
    Type.Null(),
  ]),
  refused: Type.Union([
    Type.Object({
      version: Type.Integer({ minimum: 0 }),
      code: stringEnum(CONFIG_REFUSAL_CODES),
      reason: Type.String(),
    }),
    Type.Null(),
  ]),
});
export type ControlState = Static<typeof ControlStateSchema>;
export type AppliedHubConfig = NonNullable<ControlState['applied']>;

export const EMPTY_CONTROL_STATE: ControlState = { applied: null, refused: null };

/**
 * Reads the saved state; a missing file is the empty state. A file that does not parse is
 * reported (thrown as a message for the caller to log) rather than silently ignored.
 */
export function loadControlState(
  dataDir: string,
): { ok: true; state: ControlState } | { ok: false; message: string } {
  let text: string;
  try {
    text = readFileSync(join(dataDir, CONTROL_STATE_FILE), 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { ok: true, state: EMPTY_CONTROL_STATE };
    return { ok: false, message: errorMessage(err) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `${CONTROL_STATE_FILE}: ${errorMessage(err)}` };
  }
  const issues = schemaIssues(ControlStateSchema, value, 3);
  if (issues.length > 0)
    return {
      ok: false,
      message: `${CONTROL_STATE_FILE}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
    };
  return { ok: true, state: value as ControlState };
}

export function saveControlState(dataDir: string, state: ControlState): void {
  writeFileDurably(join(dataDir, CONTROL_STATE_FILE), JSON.stringify(state, null, 2));
}

/** Writes `text` to a temporary file, flushes it and renames it over `file` (see the top). */
export function writeFileDurably(file: string, text: string): void {
  const temp = `${file}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}
