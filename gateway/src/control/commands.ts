/**
 * The gateway's answers to the hub's commands (down/cmd → up/cmd-result), issue 10. Every command
 * gets exactly one result: a name this gateway does not know is UNKNOWN_COMMAND, bad arguments
 * INVALID_ARGS (checked with the same commandArgsIssue as the hub), a device it does not have
 * UNKNOWN_DEVICE. Results carry their data in snake_case, like every field on the wire.
 */
import {
  commandArgsProblem,
  isCommandName,
  PROTOCOL_VERSION,
  type Command,
  type CommandErrorCode,
  type CommandResult,
  type JsonObject,
} from '@anxin/protocol';
import type { DriverRuntime } from '../drivers/runtime.js';
import type { PortHealth } from '../transports/byte-transport.js';
import type { UplinkHealth } from '../uplink/uplink.js';
import type { GatewayClock } from './clock.js';
import type { ConfigControlHealth } from './config-control.js';
import type { SelfTests } from './self-test.js';
import type { TestModeFlag } from './test-mode.js';

/** A polled device is asked at once; others answer with what arrives within this. */
export const READ_NOW_TIMEOUT_MS = 3000;
const DEFAULT_SELF_TEST_S = 300;

export interface CommandContext {
  runtime: () => DriverRuntime | null;
  selfTests: SelfTests;
  now: () => number;
  outbox: () => {
    alarmDepth: number;
    telemetryDepth: number;
    oldestPendingAgeMs: number;
    droppedTelemetry: number;
  };
  uplink: () => UplinkHealth;
  control: () => ConfigControlHealth;
  testMode: Pick<TestModeFlag, 'state' | 'setByCommand'>;
  clock: GatewayClock;
  softwareVersion: string;
}

const ok = (id: string, message: string, data?: JsonObject): CommandResult => ({
  v: PROTOCOL_VERSION,
  id,
  ok: true,
  message,
  ...(data ? { data } : {}),
});

const fail = (id: string, code: CommandErrorCode, message: string): CommandResult => ({
  v: PROTOCOL_VERSION,
  id,
  ok: false,
  code,
  message: message.slice(0, 512),
});

export async function runCommand(command: Command, ctx: CommandContext): Promise<CommandResult> {
  const { id, name } = command;
  if (!isCommandName(name)) return fail(id, 'UNKNOWN_COMMAND', `unknown command "${name}"`);
  const problem = commandArgsProblem(name, command.args);
  if (problem) return fail(id, problem.code, problem.message);
  const args = command.args ?? {};
  const runtime = ctx.runtime();
  const deviceId = typeof args.device_id === 'string' ? args.device_id : '';
  switch (name) {
    case 'ping':
      return ok(id, 'pong', { gateway_time: ctx.now(), software_version: ctx.softwareVersion });
    case 'restart_drivers': {
      if (!runtime) return fail(id, 'NOT_RUNNING', 'the gateway is not started');
      await runtime.restartAll();
      return ok(id, 'drivers restarted', { devices: runtime.deviceConfigs.length });
    }
    case 'read_device': {
      if (!runtime) return fail(id, 'NOT_RUNNING', 'the gateway is not started');
      const read = await runtime.readNow(deviceId, READ_NOW_TIMEOUT_MS);
      if (read === undefined) return fail(id, 'UNKNOWN_DEVICE', `no device "${deviceId}"`);
      if (read === null)
        return fail(id, 'FAILED', `device ${deviceId} gave no reading (not running or silent)`);
      return ok(id, read.fresh ? 'read now' : 'newest reading (nothing new in time)', {
        device_id: deviceId,
        at: read.at,
        fresh: read.fresh,
        reading: read.reading,
      });
    }
    case 'self_test_start': {
      const seconds = typeof args.duration_s === 'number' ? args.duration_s : DEFAULT_SELF_TEST_S;
      if (!runtime?.monitorFor(deviceId))
        return fail(id, 'UNKNOWN_DEVICE', `no device "${deviceId}"`);
      ctx.selfTests.start(deviceId, seconds * 1000);
      return ok(id, `self-test of ${deviceId} running for up to ${seconds} s`, {
        device_id: deviceId,
        duration_s: seconds,
      });
    }
    case 'self_test_stop': {
      if (!runtime?.monitorFor(deviceId))
        return fail(id, 'UNKNOWN_DEVICE', `no device "${deviceId}"`);
      const report = ctx.selfTests.stop(deviceId);
      if (!report) return fail(id, 'NOT_RUNNING', `no self-test of ${deviceId} was started`);
      return ok(
        id,
        report.passed
          ? `${deviceId} passed: ${report.readings} reading(s)`
          : `${deviceId} sent nothing during the test`,
        { ...report },
      );
    }
    case 'set_test_mode':
      return setTestMode(id, args, ctx);
    case 'sync_time': {
      const sync = await ctx.clock.sync(Number(args.hub_time));
      const off = `${Math.round(sync.offsetMs / 1000)} s`;
      const data = {
        offset_ms: sync.offsetMs,
        gateway_time: ctx.now(),
        clock_set: sync.clockSet,
        events_corrected_ms: ctx.clock.correctionMs,
        ...(sync.clockSet ? {} : { status: sync.code, reason: sync.reason }),
      };
      // The offset is measured (and event times corrected) either way, so the command succeeded;
      // CLOCK_NOT_SET in the data says the system clock itself was left as it was, and why.
      if (sync.clockSet) return ok(id, `system clock set to the hub's (was ${off} off)`, data);
      return ok(
        id,
        sync.corrected
          ? `CLOCK_NOT_SET: gateway clock is ${off} off the hub's; event times corrected (${sync.reason})`
          : `CLOCK_NOT_SET: gateway clock agrees with the hub's (${sync.reason})`,
        data,
      );
    }
    case 'diagnostics':
      return ok(id, 'diagnostics', diagnostics(ctx, runtime));
  }
}

/**
 * The flag on for a window (duration_min, default 60) or off. The answer says until when, and
 * whether events stay marked anyway because the hub's configuration has the home in test mode.
 */
function setTestMode(id: string, args: NonNullable<Command['args']>, ctx: CommandContext) {
  const enabled = args.enabled === true;
  const minutes = typeof args.duration_min === 'number' ? args.duration_min : undefined;
  const until = ctx.testMode.setByCommand(enabled, minutes);
  const state = ctx.testMode.state();
  const data = {
    test_mode: state !== null,
    test_mode_source: state?.source ?? null,
    test_mode_until: until,
  };
  if (until !== null)
    return ok(id, 'test mode on', {
      ...data,
      duration_min: Math.round((until - ctx.now()) / 60_000),
    });
  return ok(
    id,
    state ? 'test mode off (the home stays in test mode: the hub’s setting)' : 'test mode off',
    data,
  );
}

function diagnostics(ctx: CommandContext, runtime: DriverRuntime | null): JsonObject {
  const uplink = ctx.uplink();
  const control = ctx.control();
  const ports: PortHealth[] = runtime?.portHealth() ?? [];
  return {
    software_version: ctx.softwareVersion,
    gateway_time: ctx.now(),
    test_mode: ctx.testMode.state() !== null,
    test_mode_source: ctx.testMode.state()?.source ?? null,
    test_mode_until: ctx.testMode.state()?.until ?? null,
    clock_offset_ms: ctx.clock.offsetMs,
    events_corrected_ms: ctx.clock.correctionMs,
    config: {
      applied_version: control.appliedVersion,
      refused: control.refused,
      refusals: control.refusals,
    },
    outbox: ctx.outbox(),
    uplink: {
      connected: uplink.connected,
      connects: uplink.connects,
      bad_downlinks: uplink.badDownlinks,
      resends: uplink.lanes.alarm.resends + uplink.lanes.telemetry.resends,
    },
    ports: ports.map((p) => ({
      port: p.port,
      state: p.state,
      opens: p.opens,
      failures: p.failures,
      last_error: p.lastError,
      bytes_in: p.bytesIn,
      bytes_out: p.bytesOut,
    })),
    devices: (runtime?.deviceDetails() ?? []).map((d) => ({
      device_id: d.deviceId,
      driver: d.driver,
      online: d.online,
      error: d.error,
      frames_ok: d.framesOk,
      decode_errors: d.decodeErrors,
      reject_reasons: d.rejectReasons,
      invalid_readings: d.invalidReadings,
      last_seen_at: d.lastSeenAt,
      ...(d.poll ? { poll: { ...d.poll } } : {}),
    })),
  };
}
