/**
 * The control plane between hub and gateway (issue 10): the commands a gateway answers, what each
 * takes, and the state of its configuration (what it runs, what it refused and why).
 *
 *  - down/cmd carries a Command (messages.ts); the gateway answers each once on up/cmd-result.
 *    The names below are the ones this version knows; both ends check the arguments with
 *    `commandArgsIssue`, so a command the hub accepts is one the gateway can run.
 *  - up/config-state (retained) says which configuration version the gateway applied and, when it
 *    refused one, which version, with a stable code and a reason for the installer. Retained, so
 *    a hub that restarts (or a second hub) learns it without waiting for the next change.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  COMMAND_NAME_PATTERN,
  FIELD_NAME_PATTERN,
  PROTOCOL_VERSION,
  type Command,
} from './messages.js';
import { GatewayTestModeDtoSchema } from './care/gateways.js';
import { jsonObjectSchema } from './json.js';
import { IsoTime, nullable } from './operations-common.js';
import { stringEnum } from './schema.js';

export const COMMAND_NAMES = [
  'ping',
  'restart_drivers',
  'read_device',
  'self_test_start',
  'self_test_stop',
  'set_test_mode',
  'sync_time',
  'diagnostics',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

/** set_test_mode's window when the command gives none, and the longest it may ask for (24 h). */
export const TEST_MODE_DEFAULT_MIN = 60;
export const TEST_MODE_MAX_MIN = 24 * 60;

type ArgKind = 'device' | 'boolean' | 'positive' | 'epoch';
interface ArgSpec {
  kind: ArgKind;
  required: boolean;
  max?: number;
}

/** What each command takes (snake_case names, like every field on the wire). */
export const COMMAND_ARGS: Record<CommandName, Record<string, ArgSpec>> = {
  ping: {},
  restart_drivers: {},
  read_device: { device_id: { kind: 'device', required: true } },
  self_test_start: {
    device_id: { kind: 'device', required: true },
    /** The test stops by itself after this (default 300 s), so a forgotten one ends. */
    duration_s: { kind: 'positive', required: false, max: 3600 },
  },
  self_test_stop: { device_id: { kind: 'device', required: true } },
  set_test_mode: {
    enabled: { kind: 'boolean', required: true },
    /**
     * How long the flag stays on before the gateway switches it off by itself (default
     * TEST_MODE_DEFAULT_MIN), so a test window an installer forgets still ends. Ignored with
     * `enabled: false`.
     */
    duration_min: { kind: 'positive', required: false, max: TEST_MODE_MAX_MIN },
  },
  /** The hub's clock when it sent the command (filled in by the hub). */
  sync_time: { hub_time: { kind: 'epoch', required: true } },
  diagnostics: {},
};

/** How long the hub waits for a result before marking the command timed out, by default. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 15_000;

const DEVICE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/**
 * What is wrong with a command's arguments, with its stable code: ARG_OUT_OF_RANGE for a whole
 * number outside its allowed range (the hub answers it as REST 400 ARG_OUT_OF_RANGE, the gateway
 * as a command result), INVALID_ARGS for anything else. Null when they fit.
 */
export function commandArgsProblem(
  name: CommandName,
  args: Command['args'],
): { code: 'INVALID_ARGS' | 'ARG_OUT_OF_RANGE'; message: string } | null {
  const invalid = (message: string) => ({ code: 'INVALID_ARGS' as const, message });
  const spec = COMMAND_ARGS[name];
  const given = args ?? {};
  for (const key of Object.keys(given)) {
    if (!(key in spec)) return invalid(`${name} takes no argument "${key}"`);
  }
  for (const [key, arg] of Object.entries(spec)) {
    const value = given[key];
    if (value === undefined) {
      if (arg.required) return invalid(`${name} needs "${key}"`);
      continue;
    }
    switch (arg.kind) {
      case 'device':
        if (typeof value !== 'string' || !DEVICE_ID_RE.test(value))
          return invalid(`"${key}" must be a device id`);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return invalid(`"${key}" must be true or false`);
        break;
      case 'positive':
        if (typeof value !== 'number' || !Number.isInteger(value))
          return invalid(`"${key}" must be a whole number ≥ 1`);
        if (value < 1 || (arg.max !== undefined && value > arg.max))
          return {
            code: 'ARG_OUT_OF_RANGE',
            message:
              arg.max !== undefined
                ? `"${key}" must be from 1 to ${arg.max}`
                : `"${key}" must be ≥ 1`,
          };
        break;
      case 'epoch':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
          return invalid(`"${key}" must be a time in epoch milliseconds`);
        break;
    }
  }
  return null;
}

/** Null when `args` fit the command, else a sentence naming the bad argument. */
export function commandArgsIssue(name: CommandName, args: Command['args']): string | null {
  return commandArgsProblem(name, args)?.message ?? null;
}

/** Stable codes of a configuration the gateway refused as a whole. */
export const CONFIG_REFUSAL_CODES = [
  /** The message did not fit GatewayConfigMessageSchema (or was not JSON). */
  'SCHEMA',
  /** The message names another gateway. */
  'WRONG_GATEWAY',
  'UNKNOWN_DRIVER',
  /** Two devices cannot share the port as configured (a streaming device needs it alone). */
  'PORT_CONFLICT',
  /** A port that is not a device path or tcp://host:port, or a serial driver without one. */
  'INVALID_PORT',
  /** The driver refused the device's address or options. */
  'INVALID_ADDRESS',
  'DUPLICATE_DEVICE',
  /** A Zigbee2MQTT device, but this gateway has no local broker configured. */
  'NO_LOCAL_MQTT',
] as const;
export type ConfigRefusalCode = (typeof CONFIG_REFUSAL_CODES)[number];

/** Published retained on up/config-state after every configuration message the gateway handles. */
export const ConfigStateSchema = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    at: Type.Integer({ minimum: 0 }),
    /** The hub configuration version running now (0: none yet, the local file's devices). */
    appliedVersion: Type.Integer({ minimum: 0 }),
    /** The newest version refused, while it is newer than the applied one. */
    refused: Type.Optional(
      Type.Object(
        {
          version: Type.Integer({ minimum: 0 }),
          code: stringEnum(CONFIG_REFUSAL_CODES),
          reason: Type.String({ maxLength: 512 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ConfigState = Static<typeof ConfigStateSchema>;

// ───────────────────────────── REST and Socket.IO (hub ⇄ installer UI) ─────────────────────────────

export const COMMAND_STATUSES = ['pending', 'succeeded', 'failed', 'timed_out'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/**
 * A command sent to a gateway and what came of it (stored by the hub, audited). The hub serializes
 * answers with these schemas: a property they do not name is dropped, so they mirror the DTOs.
 */
export const GatewayCommandSchema = Type.Object(
  {
    id: Type.String(),
    gatewayId: Type.String(),
    name: Type.String(),
    args: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    status: stringEnum(COMMAND_STATUSES),
    /** A COMMAND_ERROR_CODES code when failed or timed out. */
    code: nullable(Type.String()),
    message: nullable(Type.String()),
    /** The gateway's answer (a reading, diagnostics): any JSON object. */
    data: nullable(jsonObjectSchema()),
    requestedBy: nullable(Type.String()),
    requestedAt: IsoTime,
    /** When the gateway answered; null while pending and when no answer came (timed out, not sent). */
    answeredAt: nullable(IsoTime),
    /** When the hub stops waiting and marks the command timed out. */
    timeoutAt: IsoTime,
  },
  { additionalProperties: false },
);
export type GatewayCommandDto = Static<typeof GatewayCommandSchema>;

/** POST /api/v1/gateways/:id/commands */
export const SendCommandRequestSchema = Type.Object(
  {
    name: Type.String({ pattern: COMMAND_NAME_PATTERN }),
    args: Type.Optional(
      Type.Record(
        Type.String({ pattern: FIELD_NAME_PATTERN }),
        Type.Union([Type.String({ maxLength: 128 }), Type.Number(), Type.Boolean()]),
        { maxProperties: 16 },
      ),
    ),
    /** How long to wait for the gateway's answer (default 15 s). */
    timeoutS: Type.Optional(Type.Integer({ minimum: 1, maximum: 300 })),
  },
  { additionalProperties: false },
);
export type SendCommandRequest = Static<typeof SendCommandRequestSchema>;

export const GatewayCommandResponseSchema = Type.Object(
  { command: GatewayCommandSchema },
  { additionalProperties: false },
);
export type GatewayCommandResponse = Static<typeof GatewayCommandResponseSchema>;

export const CONTROL_STATES = ['applied', 'waiting', 'refused', 'unknown'] as const;

/**
 * Where a gateway's configuration stands, as the installer sees it: "on version N", "waiting to
 * apply N+1" (published, not yet reported), or "refused N+1: reason".
 */
export const GatewayControlSchema = Type.Object(
  {
    gatewayId: Type.String(),
    /** Newest version the hub published (0: none). */
    publishedVersion: Type.Integer(),
    /** Version the gateway reports running (null: it has not said yet). */
    appliedVersion: nullable(Type.Integer()),
    refused: nullable(
      Type.Object(
        { version: Type.Integer(), code: Type.String(), reason: Type.String() },
        { additionalProperties: false },
      ),
    ),
    state: stringEnum(CONTROL_STATES),
    reportedAt: nullable(IsoTime),
    /**
     * The gateway's own test flag as its last heartbeat reported it (null: off, or never said). The
     * hub pushes `gateway:control` again whenever a heartbeat reports it changed (on, off, or the
     * window over), so the installer sees "in test mode until HH:MM" come and go.
     */
    gatewayTestMode: nullable(GatewayTestModeDtoSchema),
  },
  { additionalProperties: false },
);
export type GatewayControlDto = Static<typeof GatewayControlSchema>;

export const GatewayControlResponseSchema = Type.Object(
  {
    control: GatewayControlSchema,
    /** The newest commands first (at most 20). */
    commands: Type.Array(GatewayCommandSchema),
  },
  { additionalProperties: false },
);
export type GatewayControlResponse = Static<typeof GatewayControlResponseSchema>;

/** The installer's words for a control state (pure; the UI and tests share it). */
export function controlState(
  publishedVersion: number,
  appliedVersion: number | null,
  refused: GatewayControlDto['refused'],
): GatewayControlDto['state'] {
  if (appliedVersion === null) return refused ? 'refused' : 'unknown';
  if (refused && refused.version > appliedVersion && refused.version >= publishedVersion)
    return 'refused';
  return appliedVersion >= publishedVersion ? 'applied' : 'waiting';
}
