/**
 * The driver runtime: builds one session per configured device from the driver registry, opens
 * the transports the drivers need (one per port, shared by every device on that bus, plus one
 * local MQTT connection), and hands every reading to `sink` with the time its bytes arrived.
 *
 * A device that cannot run (unknown driver, missing port, conflicting port use) is logged and
 * reported in health with a stable code; the others run regardless.
 */
import type { Logger } from 'pino';
import {
  findDriver as registryFindDriver,
  type DeviceReading,
  type DriverDescriptor,
  type DriverSession,
  type MqttSession,
  type SerialSettings,
  type StreamSession,
} from '@anxin/devices';
import type { DeviceHealth } from '@anxin/protocol';
import type { DeviceConfig, GatewayConfig } from '../config.js';
import type { GatewayErrorCode } from '../errors.js';
import { ByteTransport, type LinkOpener, type PortHealth } from '../transports/byte-transport.js';
import { LocalMqttTransport, topicMatches } from '../transports/local-mqtt.js';
import { serialPortOpener } from '../transports/serial-port.js';
import { parseTcpPort, tcpSerialOpener } from '../transports/tcp-serial.js';
import { DeviceMonitor, type DeviceDetail } from './device-monitor.js';
import { PollBus, type PolledDevice } from './poll-bus.js';

/** 9600 8N1: the most common default of RS-485 meters and UART sensors. */
const FALLBACK_SERIAL: SerialSettings = {
  baudRate: 9600,
  dataBits: 8,
  parity: 'none',
  stopBits: 1,
};

export type ReadingSink = (deviceId: string, reading: DeviceReading, observedAt: number) => void;

export interface DriverRuntimeOptions {
  config: GatewayConfig;
  logger: Logger;
  now: () => number;
  sink: ReadingSink;
  findDriver?: (id: string) => DriverDescriptor | undefined;
}

interface Configured {
  config: DeviceConfig;
  driver: DriverDescriptor;
  session: DriverSession;
  monitor: DeviceMonitor;
}

export class DriverRuntime {
  private readonly monitors = new Map<string, DeviceMonitor>();
  private readonly transports: ByteTransport[] = [];
  private readonly buses: PollBus[] = [];
  private localMqtt: LocalMqttTransport | null = null;
  private supervisionTimer: NodeJS.Timeout | null = null;
  private readonly logger: Logger;

  constructor(private readonly options: DriverRuntimeOptions) {
    this.logger = options.logger;
    const findDriver = options.findDriver ?? registryFindDriver;
    const byPort = new Map<string, Configured[]>();
    const mqttDevices: Configured[] = [];
    const { config } = options;

    for (const device of config.devices) {
      const expectedMs =
        device.expectedIntervalS !== undefined ? device.expectedIntervalS * 1000 : null;
      const monitor = new DeviceMonitor(device.id, device.driver, expectedMs, device.port ?? null);
      if (this.monitors.has(device.id)) {
        this.logger.error(
          { deviceId: device.id },
          'duplicate device id in config; later entry ignored',
        );
        continue;
      }
      this.monitors.set(device.id, monitor);
      const driver = findDriver(device.driver);
      if (!driver) {
        this.disable(monitor, 'UNKNOWN_DRIVER', `no driver "${device.driver}" is registered`);
        continue;
      }
      let session: DriverSession;
      try {
        session = driver.createSession({ deviceId: device.id, options: device.options });
      } catch (err) {
        this.disable(monitor, 'DRIVER_ERROR', `createSession failed: ${(err as Error).message}`);
        continue;
      }
      monitor.setStatsSource(() => session.stats());
      const entry: Configured = { config: device, driver, session, monitor };
      if (session.mode === 'mqtt') {
        if (!config.localMqtt) {
          this.disable(monitor, 'NO_LOCAL_MQTT', 'driver needs localMqtt.url in the config');
          continue;
        }
        mqttDevices.push(entry);
        continue;
      }
      if (!device.port) {
        this.disable(monitor, 'NO_PORT', 'serial driver needs a port');
        continue;
      }
      const list = byPort.get(device.port) ?? [];
      list.push(entry);
      byPort.set(device.port, list);
    }

    for (const [port, entries] of byPort) this.buildPort(port, entries);
    if (mqttDevices.length > 0 && config.localMqtt)
      this.buildLocalMqtt(config.localMqtt, mqttDevices);
  }

  start(): void {
    for (const transport of this.transports) transport.start();
    for (const bus of this.buses) bus.start();
    this.localMqtt?.start();
    this.supervisionTimer = setInterval(() => this.supervise(), 1000);
    this.supervisionTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.supervisionTimer) clearInterval(this.supervisionTimer);
    await Promise.all(this.buses.map((bus) => bus.stop()));
    await Promise.all(this.transports.map((t) => t.stop()));
    await this.localMqtt?.stop();
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
    const ports = this.transports.map((t) => t.health());
    if (this.localMqtt) ports.push(this.localMqtt.health());
    return ports;
  }

  /** Where readings from drivers enter: supervision first, then the sink (the outbox). */
  private emit(source: Configured, readings: DeviceReading[], at: number): void {
    for (const reading of readings) {
      const id = reading.deviceId ?? source.config.id;
      let monitor = this.monitors.get(id);
      if (!monitor && this.monitors.size < 256) {
        // A bridge (Zigbee2MQTT) speaking for a sub-device: supervise it from now on.
        monitor = new DeviceMonitor(id, source.driver.id, source.monitor.expectedIntervalMs, null);
        this.monitors.set(id, monitor);
      }
      monitor?.noteReading(reading, at);
      source.monitor.lastSeenAt = at;
      this.options.sink(source.config.id, reading, at);
    }
  }

  private disable(monitor: DeviceMonitor, code: GatewayErrorCode, message: string): void {
    monitor.error = code;
    this.logger.error({ code, deviceId: monitor.deviceId, driver: monitor.driver }, message);
  }

  private buildPort(port: string, entries: Configured[]): void {
    const streams = entries.filter((e) => e.session.mode === 'stream');
    const polls = entries.filter((e) => e.session.mode === 'poll');
    if (streams.length > 0 && entries.length > 1) {
      // A streaming device talks whenever it likes; it cannot share a half-duplex bus.
      for (const e of entries) {
        this.disable(
          e.monitor,
          'PORT_CONFLICT',
          `port ${port}: a streaming device must have the port to itself`,
        );
      }
      return;
    }
    const first = entries[0];
    if (!first) return;
    const settings: SerialSettings = {
      ...FALLBACK_SERIAL,
      ...first.driver.serial,
      ...first.config.serial,
    };
    for (const other of entries.slice(1)) {
      const theirs = { ...FALLBACK_SERIAL, ...other.driver.serial, ...other.config.serial };
      if (JSON.stringify(theirs) !== JSON.stringify(settings)) {
        this.logger.warn(
          { port, deviceId: other.config.id, using: settings, wanted: theirs },
          'devices on one bus want different serial settings; using the first device’s',
        );
      }
    }
    const transport = new ByteTransport({
      port,
      opener: this.openerFor(port, settings),
      reconnect: this.options.config.reconnect,
      logger: this.logger,
      now: this.options.now,
    });
    this.transports.push(transport);

    const stream = streams[0];
    if (stream) {
      const session = stream.session as StreamSession;
      transport.onData((chunk, at) => {
        let readings: DeviceReading[];
        try {
          readings = session.push(chunk);
        } catch (err) {
          this.logger.error({ err, deviceId: stream.config.id }, 'driver push threw');
          return;
        }
        stream.monitor.noteFrames(at);
        if (readings.length > 0) this.emit(stream, readings, at);
      });
      return;
    }
    const polled: PolledDevice[] = polls.map((e) => ({
      id: e.config.id,
      session: e.session as PolledDevice['session'],
      retries: e.config.pollRetries,
      monitor: e.monitor,
    }));
    const byId = new Map(polls.map((e) => [e.config.id, e]));
    this.buses.push(
      new PollBus({
        transport,
        devices: polled,
        turnaroundMs: this.options.config.bus.turnaroundMs,
        now: this.options.now,
        logger: this.logger,
        onReadings: (deviceId, readings, at) => {
          const source = byId.get(deviceId);
          if (source) this.emit(source, readings, at);
        },
      }),
    );
  }

  private openerFor(port: string, settings: SerialSettings): LinkOpener {
    const tcp = parseTcpPort(port);
    if (tcp) return tcpSerialOpener(tcp.host, tcp.port);
    return serialPortOpener(port, settings);
  }

  private buildLocalMqtt(
    local: NonNullable<GatewayConfig['localMqtt']>,
    entries: Configured[],
  ): void {
    const transport = new LocalMqttTransport({
      url: local.url,
      username: local.username,
      password: local.password,
      clientId: `${this.options.config.gatewayId}-local`,
      reconnect: this.options.config.reconnect,
      logger: this.logger,
      now: this.options.now,
    });
    const routes = entries.map((e) => {
      const session = e.session as MqttSession;
      return { entry: e, session, filters: session.subscriptions() };
    });
    transport.subscribe(routes.flatMap((r) => r.filters));
    transport.onMessage((topic, payload, at) => {
      for (const route of routes) {
        if (!route.filters.some((f) => topicMatches(f, topic))) continue;
        let readings: DeviceReading[];
        try {
          readings = route.session.onMessage(topic, payload);
        } catch (err) {
          this.logger.error({ err, deviceId: route.entry.config.id }, 'driver onMessage threw');
          continue;
        }
        route.entry.monitor.noteFrames(at);
        if (readings.length > 0) this.emit(route.entry, readings, at);
      }
    });
    this.localMqtt = transport;
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
