/**
 * The composition root of the home gateway: config → outbox, driver runtime, uplink. Nothing here
 * knows a device protocol or an MQTT packet; it wires the parts and owns the one rule that ties
 * them together: a reading becomes an event in the durable outbox before anything else happens
 * (DESIGN.md, contract clause 1), and only then is the uplink told there is something to send.
 */
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { PROTOCOL_VERSION, type GatewayEvent, type Heartbeat, errorMessage } from '@anxin/protocol';
import {
  findDriver as registryFindDriver,
  type DeviceReading,
  type DriverDescriptor,
} from '@anxin/devices';
import type { GatewayConfig } from './config.js';
import { GatewayError } from './errors.js';
import { runCommand } from './control/commands.js';
import { ConfigControl, type ConfigControlHealth } from './control/config-control.js';
import { SelfTests } from './control/self-test.js';
import { ThresholdWatch } from './control/thresholds.js';
import { GatewayClock, type ClockSetter } from './control/clock.js';
import { EMPTY_CONTROL_STATE, loadControlState } from './control/config-store.js';
import { TestModeFlag, type Timers } from './control/test-mode.js';
import { DriverRuntime } from './drivers/runtime.js';
import type { DeviceDetail, DeviceMonitor } from './drivers/device-monitor.js';
import { readingToDraft } from './drivers/readings.js';
import { Outbox, type EventDraft } from './outbox/outbox.js';
import { outboxHealth, outboxSummary, type OutboxHealth } from './outbox/health.js';
import type { PortHealth } from './transports/byte-transport.js';
import { emptyUplinkHealth, Uplink, type UplinkHealth } from './uplink/uplink.js';

export const GATEWAY_SOFTWARE_VERSION = '0.1.0';

export interface GatewayOptions {
  logger?: Logger;
  now?: () => number;
  /** Driver lookup; defaults to the @anxin/devices registry (tests pass fakes). */
  drivers?: readonly DriverDescriptor[];
  /** Sets the system clock for sync_time when time.setClock is on (tests inject one). */
  setClock?: ClockSetter;
  /** Timers of the test-mode window (tests end a window without waiting for it). */
  timers?: Timers;
}

export interface GatewayHealth {
  gatewayId: string;
  started: boolean;
  connected: boolean;
  outbox: OutboxHealth;
  uplink: UplinkHealth;
  ports: PortHealth[];
  devices: DeviceDetail[];
  /** The hub configuration running (issue 10): version, last refusal, counts. */
  control: ConfigControlHealth & { source: 'hub' | 'file' };
}

export interface Gateway {
  readonly config: GatewayConfig;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): GatewayHealth;
  /**
   * Records a reading of a configured device as if its driver had produced it (for tests and
   * `anxin sim`). Returns the event once it is durable in the outbox; throws GatewayError
   * (UNKNOWN_DEVICE, INVALID_READING, NOT_STARTED) otherwise.
   */
  ingest(deviceId: string, reading: DeviceReading, observedAt?: number): GatewayEvent;
  /**
   * Like `ingest` for many readings at once, made durable in one outbox transaction (all or
   * nothing: one unknown device or invalid reading refuses the whole batch). For bursts:
   * replayed device logs, benchmarks offering tens of thousands of events a second.
   */
  ingestBatch(items: readonly IngestItem[]): GatewayEvent[];
}

export interface IngestItem {
  deviceId: string;
  reading: DeviceReading;
  observedAt?: number;
}

/** Telemetry age pruning runs this often (the count bound is enforced on every insert). */
const PRUNE_INTERVAL_MS = 60_000;

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const logger = (options.logger ?? pino({ name: 'gateway', level: config.log.level })).child({
    gatewayId: config.gatewayId,
  });
  // A level per part (config.log.parts), matched without regard to case as env overrides arrive
  // upper-cased (ANXIN__LOG__PARTS__UPLINK=debug).
  const partLogger = (part: 'outbox' | 'uplink' | 'drivers') => {
    const level = Object.entries(config.log.parts).find(
      ([name]) => name.toLowerCase() === part,
    )?.[1];
    return logger.child({ part }, level ? { level } : {});
  };
  const now = options.now ?? Date.now;
  const startedAt = now();
  let outbox: Outbox | null = null;
  let uplink: Uplink | null = null;
  let runtime: DriverRuntime | null = null;
  let pruneTimer: NodeJS.Timeout | null = null;
  let control: ConfigControl | null = null;
  let started = false;
  /** The gateway's test flag: marks events, reported in heartbeats (control/test-mode.ts). */
  const testMode = new TestModeFlag({
    dataDir: config.dataDir,
    now,
    logger,
    ...(options.timers ? { timers: options.timers } : {}),
    onChange: () => uplink?.heartbeatNow(),
  });
  const clock = new GatewayClock({
    ...config.time,
    now,
    logger,
    ...(options.setClock ? { setter: options.setClock } : {}),
  });
  const thresholds = new ThresholdWatch();
  const selfTests = new SelfTests((deviceId) => {
    const detail = runtime?.deviceDetails().find((d) => d.deviceId === deviceId);
    return detail ? { framesOk: detail.framesOk, decodeErrors: detail.decodeErrors } : null;
  }, now);
  const driverList = options.drivers;
  const findDriver = driverList
    ? (id: string) => driverList.find((d) => d.id === id)
    : registryFindDriver;

  function record(
    sourceDeviceId: string,
    reading: DeviceReading,
    observedAt: number,
  ): GatewayEvent {
    if (!outbox || !runtime) throw new GatewayError('NOT_STARTED', 'gateway is not started');
    // A clock found off the hub's by sync_time: event times are corrected (control/clock.ts).
    const at = observedAt + clock.correctionMs;
    const result = readingToDraft(sourceDeviceId, reading, at, testMode.active);
    if (!result.ok) {
      const monitor =
        runtime.monitorFor(reading.deviceId ?? sourceDeviceId) ??
        runtime.monitorFor(sourceDeviceId);
      if (monitor) monitor.invalidReadings += 1;
      throw new GatewayError(
        'INVALID_READING',
        `reading of ${sourceDeviceId} refused: ${result.message}`,
      );
    }
    const event = outbox.append(result.draft);
    selfTests.note(sourceDeviceId, reading);
    uplink?.notify(event.type);
    // A gateway-side threshold crossed by this reading (a low battery) is an alarm of its own.
    const raised = thresholds.check(sourceDeviceId, reading);
    if (raised) record(raised.deviceId, raised.reading, observedAt);
    if (event.type === 'alarm') {
      logger.info(
        {
          seq: event.seq,
          id: event.id,
          deviceId: event.deviceId,
          kind: event.kind,
          action: event.action,
        },
        'alarm recorded',
      );
    }
    return event;
  }

  /** record() for readings nobody waits on (drivers, thresholds): a refusal is logged. */
  function recordLogged(deviceId: string, reading: DeviceReading, observedAt: number): void {
    try {
      record(deviceId, reading, observedAt);
    } catch (err) {
      const code = err instanceof GatewayError ? err.code : 'INGEST_FAILED';
      logger.warn({ code, err: errorMessage(err), deviceId }, 'reading not recorded');
    }
  }

  /** The monitor of a device in this gateway's config; UNKNOWN_DEVICE for any other. */
  function configuredMonitor(rt: DriverRuntime, deviceId: string): DeviceMonitor {
    const monitor = rt.monitorFor(deviceId);
    if (!monitor)
      throw new GatewayError('UNKNOWN_DEVICE', `no device "${deviceId}" in this gateway's config`);
    return monitor;
  }

  const health = (): OutboxHealth => outboxHealth(outbox, now());
  /** The outbox as heartbeats and diagnostics report it. */
  const summary = (): Heartbeat['outbox'] => outboxSummary(health());

  function heartbeat(): Heartbeat {
    const test = testMode.state();
    return {
      v: PROTOCOL_VERSION,
      sentAt: now(),
      uptimeS: Math.max(0, (now() - startedAt) / 1000),
      softwareVersion: GATEWAY_SOFTWARE_VERSION,
      configVersion: control?.appliedVersion ?? 0,
      outbox: summary(),
      devices: runtime?.deviceHealth() ?? [],
      ...(test ? { testMode: test } : {}),
    };
  }

  return {
    config,
    async start() {
      if (started) return;
      started = true;
      outbox = new Outbox({
        file: join(config.dataDir, 'outbox.sqlite'),
        maxTelemetryEvents: config.outbox.maxTelemetryEvents,
        maxTelemetryAgeMs: config.outbox.maxTelemetryAgeHours * 3_600_000,
        fsync: config.outbox.fsync,
        now,
        logger: partLogger('outbox'),
        // The alarm goes on the wire while its commit fsyncs (outbox.ts, "Sending while the
        // commit syncs"); notify after the append still pumps whatever this could not send.
        onAlarmStaged: () => uplink?.sendAlarmsNow(),
      });
      const stats = outbox.stats();
      logger.info(
        {
          alarmDepth: stats.alarmDepth,
          telemetryDepth: stats.telemetryDepth,
          lastSeq: stats.lastSeq,
        },
        'outbox open',
      );
      // A hub configuration applied before (saved in the data directory) wins over the file's
      // devices and heartbeat interval: see control/config-control.ts for why.
      const saved = loadControlState(config.dataDir);
      if (!saved.ok)
        logger.error(
          { code: 'CONTROL_STATE_UNREADABLE', err: saved.message },
          'saved hub configuration unreadable; running the file’s until the hub sends one',
        );
      const initial = saved.ok ? saved.state : EMPTY_CONTROL_STATE;
      const applied = initial.applied;
      const effective: GatewayConfig = applied
        ? { ...config, devices: applied.devices, heartbeatIntervalS: applied.heartbeatIntervalS }
        : config;
      logger.info(
        applied
          ? { source: 'hub', configVersion: applied.version, devices: applied.devices.length }
          : { source: 'file', devices: config.devices.length },
        applied ? 'running the configuration from the hub' : 'running the configuration file',
      );
      runtime = new DriverRuntime({
        config: effective,
        logger: partLogger('drivers'),
        now,
        sink: recordLogged,
        findDriver,
      });
      const configControl = new ConfigControl({
        gatewayId: config.gatewayId,
        dataDir: config.dataDir,
        initial,
        runtime: () => runtime,
        findDriver,
        hasLocalMqtt: config.localMqtt !== undefined,
        logger: partLogger('drivers'),
        now,
        heartbeat: {
          setInterval: (seconds) => uplink?.setHeartbeatInterval(seconds),
          now: () => uplink?.heartbeatNow(),
        },
        publishState: (state) => uplink?.publishConfigState(state),
        onApplied: (applied) => {
          testMode.setByHome(applied.testMode);
          // New thresholds act at once on the newest values, without restarting any driver.
          for (const a of thresholds.setThresholds(applied.thresholds))
            recordLogged(a.deviceId, a.reading, now());
        },
      });
      testMode.restore();
      testMode.setByHome(applied?.testMode ?? false);
      thresholds.setThresholds(applied?.thresholds ?? {});
      control = configControl;
      uplink = new Uplink({
        config: effective,
        outbox,
        logger: partLogger('uplink'),
        now,
        heartbeat,
        configVersion: () => configControl.appliedVersion,
        onConfig: (message) => void configControl.handle(message),
        onConnected: () => uplink?.publishConfigState(configControl.configState()),
        onCommand: (command) =>
          runCommand(command, {
            runtime: () => runtime,
            selfTests,
            now,
            outbox: summary,
            uplink: () => uplink?.health() ?? emptyUplinkHealth(),
            control: () => configControl.health(),
            testMode,
            clock,
            softwareVersion: GATEWAY_SOFTWARE_VERSION,
          }),
      });
      uplink.start();
      runtime.start();
      pruneTimer = setInterval(() => outbox?.pruneTelemetry(), PRUNE_INTERVAL_MS);
      pruneTimer.unref();
      await Promise.resolve();
    },
    async stop() {
      if (!started) return;
      started = false;
      if (pruneTimer) clearInterval(pruneTimer);
      selfTests.stopAll();
      testMode.stop();
      await runtime?.stop();
      await uplink?.stop();
      outbox?.close();
      runtime = null;
      uplink = null;
      outbox = null;
      control = null;
      logger.info('gateway stopped');
    },
    health() {
      return {
        gatewayId: config.gatewayId,
        started,
        connected: uplink?.isConnected ?? false,
        outbox: health(),
        uplink: uplink?.health() ?? emptyUplinkHealth(),
        ports: runtime?.portHealth() ?? [],
        devices: runtime?.deviceDetails() ?? [],
        control: {
          ...(control?.health() ?? {
            appliedVersion: 0,
            appliedAt: null,
            refused: null,
            messages: 0,
            refusals: 0,
            applied: 0,
          }),
          source: control?.applied ? 'hub' : 'file',
        },
      };
    },
    ingest(deviceId, reading, observedAt) {
      if (!runtime) throw new GatewayError('NOT_STARTED', 'gateway is not started');
      const monitor = configuredMonitor(runtime, deviceId);
      const at = observedAt ?? now();
      monitor.noteReading(reading, at);
      return record(deviceId, reading, at);
    },
    ingestBatch(items) {
      if (!runtime || !outbox) throw new GatewayError('NOT_STARTED', 'gateway is not started');
      const drafts: EventDraft[] = [];
      const stamped: { monitor: DeviceMonitor; reading: DeviceReading; at: number }[] = [];
      for (const { deviceId, reading, observedAt } of items) {
        const monitor = configuredMonitor(runtime, deviceId);
        const at = observedAt ?? now();
        const result = readingToDraft(deviceId, reading, at + clock.correctionMs, testMode.active);
        if (!result.ok)
          throw new GatewayError(
            'INVALID_READING',
            `reading of ${deviceId} refused: ${result.message}`,
          );
        drafts.push(result.draft);
        stamped.push({ monitor, reading, at });
      }
      const events = outbox.appendMany(drafts);
      for (const { monitor, reading, at } of stamped) monitor.noteReading(reading, at);
      if (events.length > 0)
        uplink?.notify(events.some((e) => e.type === 'alarm') ? 'alarm' : 'telemetry');
      for (const event of events) {
        if (event.type === 'alarm')
          logger.info(
            { seq: event.seq, id: event.id, deviceId: event.deviceId, kind: event.kind },
            'alarm recorded',
          );
      }
      return events;
    },
  };
}
