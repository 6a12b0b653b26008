/**
 * The driver runtime: builds one session per configured device from the driver registry, opens
 * the transports the drivers need (one per port, shared by every device on that bus, plus one
 * local MQTT connection), and hands every reading to `sink` with the time its bytes arrived.
 *
 * A device that cannot run (unknown driver, missing port, conflicting port use) is logged and
 * reported in health with a stable code; the others run regardless.
 *
 * `apply` changes the device list while running (a configuration from the hub, issue 10): only
 * devices whose settings changed are touched. A device added to a polled bus joins the running
 * bus; one removed leaves it; the others keep their port, session, schedule and counters. A port
 * left without devices is closed; a port that changes between streaming and polling is reopened.
 */
import type { Logger } from 'pino';
import {
  findDriver as registryFindDriver,
  type DeviceReading,
  type DriverDescriptor,
} from '@anxin/devices';
import type { DeviceHealth } from '@anxin/protocol';
import type { DeviceConfig, GatewayConfig } from '../config.js';
import { diffDevices, type DeviceDiff } from '../control/diff.js';
import type { GatewayErrorCode } from '../errors.js';
import type { PortHealth } from '../transports/byte-transport.js';
import { createEntry, disable, expectedMs } from './device-entry.js';
import { DeviceMonitor, type DeviceDetail } from './device-monitor.js';
import {
  createPortUnit,
  LocalMqttRoutes,
  polledDevice,
  serialSettingsOf,
  startUnit,
  stopUnit,
  type Configured,
  type PortUnit,
  type UnitDeps,
} from './port-unit.js';

export type ReadingSink = (deviceId: string, reading: DeviceReading, observedAt: number) => void;

export interface DriverRuntimeOptions {
  config: GatewayConfig;
  logger: Logger;
  now: () => number;
  sink: ReadingSink;
  findDriver?: (id: string) => DriverDescriptor | undefined;
}

export class DriverRuntime {
  private readonly monitors = new Map<string, DeviceMonitor>();
  /** Sub-devices a bridge spoke for, by the bridge device's id (removed with it). */
  private readonly subDevices = new Map<string, Set<string>>();
  private readonly entries = new Map<string, Configured>();
  private readonly units = new Map<string, PortUnit>();
  private readonly mqtt: LocalMqttRoutes;
  private readonly unitDeps: UnitDeps;
  private supervisionTimer: NodeJS.Timeout | null = null;
  private started = false;
  private devices: DeviceConfig[] = [];
  private applying: Promise<unknown> = Promise.resolve();
  private readonly findDriver: (id: string) => DriverDescriptor | undefined;
  private readonly readWaiters = new Map<
    string,
    ((value: { reading: DeviceReading; at: number }) => void)[]
  >();
  private readonly logger: Logger;

  constructor(private readonly options: DriverRuntimeOptions) {
    this.logger = options.logger;
    this.findDriver = options.findDriver ?? registryFindDriver;
    this.unitDeps = {
      config: options.config,
      logger: this.logger,
      now: options.now,
      emit: (entry, readings, at) => this.emit(entry, readings, at),
      entryOf: (id) => this.entries.get(id),
    };
    this.mqtt = new LocalMqttRoutes(this.unitDeps);
    this.build(options.config.devices);
  }

  start(): void {
    this.started = true;
    for (const unit of this.units.values()) startUnit(unit);
    this.mqtt.start();
    this.supervisionTimer = setInterval(() => this.supervise(), 1000);
    this.supervisionTimer.unref();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.supervisionTimer) clearInterval(this.supervisionTimer);
    await this.applying.catch(() => undefined);
    await Promise.all([...this.units.values()].map((unit) => stopUnit(unit)));
    await this.mqtt.stop();
  }

  /** The device list running now. */
  get deviceConfigs(): readonly DeviceConfig[] {
    return this.devices;
  }

  /**
   * Runs `next` instead of the current device list, touching only what changed (see the file
   * comment). Calls are serialised. The caller checks the list first (control/hub-config.ts):
   * a device that still cannot run is disabled and reported, as at start.
   */
  apply(next: readonly DeviceConfig[]): Promise<DeviceDiff> {
    const run = this.applying.then(() => this.applyNow([...next]));
    this.applying = run.catch(() => undefined);
    return run;
  }

  /** Stops every session and starts them again from the same list (command restart_drivers). */
  async restartAll(): Promise<void> {
    const current = this.devices;
    await this.apply([]);
    await this.apply(current);
  }

  /**
   * Reads a device now (command read_device): a polled device is polled at once and its next
   * reading returned; a streaming or Zigbee device answers with the next reading that arrives
   * within `timeoutMs`, else with the newest it had (`fresh: false`). Undefined: not configured.
   */
  async readNow(
    deviceId: string,
    timeoutMs: number,
  ): Promise<{ reading: DeviceReading; at: number; fresh: boolean } | null | undefined> {
    const entry = this.entries.get(deviceId);
    const monitor = this.monitors.get(deviceId);
    if (!monitor) return undefined;
    if (!entry) return null;
    const next = new Promise<{ reading: DeviceReading; at: number } | null>((resolve) => {
      const timer = setTimeout(() => {
        const list = this.readWaiters.get(deviceId) ?? [];
        this.readWaiters.set(
          deviceId,
          list.filter((w) => w !== waiter),
        );
        resolve(null);
      }, timeoutMs);
      const waiter = (value: { reading: DeviceReading; at: number }) => {
        clearTimeout(timer);
        resolve(value);
      };
      this.readWaiters.set(deviceId, [...(this.readWaiters.get(deviceId) ?? []), waiter]);
    });
    if (entry.config.port) this.units.get(entry.config.port)?.bus?.pollSoon(deviceId);
    const fresh = await next;
    if (fresh) return { ...fresh, fresh: true };
    return monitor.lastReading ? { ...monitor.lastReading, fresh: false } : null;
  }

  /** Known device (configured, or a bridge's sub-device already heard)? */
  monitorFor(deviceId: string): DeviceMonitor | undefined {
    return this.monitors.get(deviceId);
  }

  /** Health for the heartbeat (schema-bounded to 256 devices). */
  deviceHealth(): DeviceHealth[] {
    const now = this.options.now();
    return [...this.monitors.values()].slice(0, 256).map((m) => m.health(now));
  }

  deviceDetails(): DeviceDetail[] {
    const now = this.options.now();
    return [...this.monitors.values()].map((m) => m.detail(now));
  }

  portHealth(): PortHealth[] {
    const ports = [...this.units.values()].map((u) => u.transport.health());
    const local = this.mqtt.connection;
    if (local) ports.push(local.health());
    return ports;
  }

  // ---- building and changing ------------------------------------------------------------------

  /** The list at start: every device that can run runs, the others are disabled and reported. */
  private build(devices: readonly DeviceConfig[]): void {
    const seen = new Set<string>();
    const accepted: DeviceConfig[] = [];
    for (const device of devices) {
      if (seen.has(device.id)) {
        this.logger.error(
          { deviceId: device.id },
          'duplicate device id in config; later entry ignored',
        );
        continue;
      }
      seen.add(device.id);
      accepted.push(device);
    }
    this.devices = accepted;
    const created = accepted.map((d) => this.createEntry(d)).filter((e) => e !== null);
    // A streaming device cannot share a half-duplex bus: every device on such a port is refused.
    const byPort = new Map<string, Configured[]>();
    for (const e of created) {
      if (e.session.mode === 'mqtt' || !e.config.port) continue;
      byPort.set(e.config.port, [...(byPort.get(e.config.port) ?? []), e]);
    }
    const conflicted = new Set<Configured>();
    for (const [port, list] of byPort) {
      if (list.length > 1 && list.some((e) => e.session.mode === 'stream')) {
        for (const e of list) {
          conflicted.add(e);
          this.disable(
            e.monitor,
            'PORT_CONFLICT',
            `port ${port}: a streaming device must have the port to itself`,
          );
        }
      }
    }
    for (const e of created) if (!conflicted.has(e)) this.attach(e);
  }

  private async applyNow(next: DeviceConfig[]): Promise<DeviceDiff> {
    const diff = diffDevices(this.devices, next);
    const leaving = [
      ...diff.removed.map((d) => d.id),
      ...diff.changed.filter((c) => c.restart).map((c) => c.before.id),
    ];
    const toStop: PortUnit[] = [];
    for (const id of leaving) {
      const unit = this.detach(id);
      if (unit) toStop.push(unit);
    }
    // A port is opened again only after it is closed (a serial device can be opened once).
    await Promise.all(toStop.map((unit) => stopUnit(unit)));
    for (const change of diff.changed) {
      if (change.restart) continue;
      const monitor = this.monitors.get(change.after.id);
      monitor?.setExpectedInterval(expectedMs(change.after));
      const entry = this.entries.get(change.after.id);
      if (entry) entry.config = change.after;
    }
    this.devices = next;
    const arriving = [...diff.added, ...diff.changed.filter((c) => c.restart).map((c) => c.after)];
    for (const device of arriving) {
      const entry = this.createEntry(device);
      if (entry) this.attach(entry);
    }
    if (diff.added.length + diff.removed.length + diff.changed.length > 0) {
      this.logger.info(
        {
          added: diff.added.map((d) => d.id),
          removed: diff.removed.map((d) => d.id),
          changed: diff.changed.map((c) => c.after.id),
          untouched: diff.unchanged.length,
        },
        'devices changed',
      );
    }
    return diff;
  }

  /** A session and monitor for a device; null (disabled, reported) when it cannot run. */
  private createEntry(device: DeviceConfig): Configured | null {
    const { monitor, entry } = createEntry(
      device,
      this.findDriver,
      this.options.config,
      this.logger,
    );
    this.monitors.set(device.id, monitor);
    return entry;
  }

  /** Puts a running entry on its transport (opening it when the runtime is started). */
  private attach(entry: Configured): void {
    this.entries.set(entry.config.id, entry);
    if (entry.session.mode === 'mqtt') {
      this.mqtt.add(entry);
      return;
    }
    const port = entry.config.port ?? '';
    const unit = this.units.get(port);
    if (unit) {
      if (entry.session.mode === 'poll' && unit.bus) {
        this.warnSettings(port, unit, entry);
        unit.bus.addDevice(polledDevice(entry));
        unit.ids.add(entry.config.id);
        return;
      }
      this.entries.delete(entry.config.id);
      this.disable(
        entry.monitor,
        'PORT_CONFLICT',
        `port ${port}: a streaming device must have the port to itself`,
      );
      return;
    }
    const created = createPortUnit(port, entry, this.unitDeps);
    this.units.set(port, created);
    if (this.started) startUnit(created);
  }

  /** Takes a device off its transport; returns its port's unit when that is now empty. */
  private detach(id: string): PortUnit | null {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    this.monitors.delete(id);
    for (const sub of this.subDevices.get(id) ?? []) this.monitors.delete(sub);
    this.subDevices.delete(id);
    if (!entry) return null;
    if (entry.session.mode === 'mqtt') {
      this.mqtt.remove(id);
      return null;
    }
    const port = entry.config.port ?? '';
    const unit = this.units.get(port);
    if (!unit) return null;
    unit.ids.delete(id);
    unit.bus?.removeDevice(id);
    if (unit.ids.size > 0) return null;
    this.units.delete(port);
    return unit;
  }

  private warnSettings(port: string, unit: PortUnit, entry: Configured): void {
    const first = this.entries.get([...unit.ids][0] ?? '');
    if (!first) return;
    const using = serialSettingsOf(first);
    const wanted = serialSettingsOf(entry);
    if (JSON.stringify(using) !== JSON.stringify(wanted)) {
      this.logger.warn(
        { port, deviceId: entry.config.id, using, wanted },
        'devices on one bus want different serial settings; using the first device’s',
      );
    }
  }

  // ---- readings and supervision ---------------------------------------------------------------

  /** Where readings from drivers enter: supervision first, then the sink (the outbox). */
  private emit(source: Configured, readings: DeviceReading[], at: number): void {
    // A session taken off its transport may still finish a frame it was handed: drop it.
    if (this.entries.get(source.config.id) !== source) return;
    for (const reading of readings) {
      const id = reading.deviceId ?? source.config.id;
      let monitor = this.monitors.get(id);
      if (!monitor && this.monitors.size < 256) {
        // A bridge (Zigbee2MQTT) speaking for a sub-device: supervise it from now on.
        monitor = new DeviceMonitor(id, source.driver.id, source.monitor.expectedIntervalMs, null);
        this.monitors.set(id, monitor);
        const subs = this.subDevices.get(source.config.id) ?? new Set<string>();
        subs.add(id);
        this.subDevices.set(source.config.id, subs);
      }
      monitor?.noteReading(reading, at);
      source.monitor.lastSeenAt = at;
      if (monitor !== source.monitor) source.monitor.lastReading = { reading, at };
      const waiters = this.readWaiters.get(source.config.id);
      if (waiters && waiters.length > 0) {
        this.readWaiters.delete(source.config.id);
        for (const resolve of waiters) resolve({ reading, at });
      }
      this.options.sink(source.config.id, reading, at);
    }
  }

  private disable(monitor: DeviceMonitor, code: GatewayErrorCode, message: string): void {
    disable(this.logger, monitor, code, message);
  }

  private supervise(): void {
    const now = this.options.now();
    for (const monitor of this.monitors.values()) {
      if (monitor.error !== null) continue;
      const change = monitor.transition(now);
      if (change === 'offline') {
        this.logger.warn(
          { deviceId: monitor.deviceId, lastSeenAt: monitor.lastSeenAt },
          'device offline',
        );
      } else if (change === 'online') {
        this.logger.info({ deviceId: monitor.deviceId }, 'device online');
      }
    }
  }
}
