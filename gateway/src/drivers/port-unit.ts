/**
 * The transports under the driver runtime: one unit per serial port (a streaming device alone, or
 * a polled RS-485 bus shared by its devices) and the routes of the local MQTT connection. The
 * runtime (runtime.ts) decides which device goes where; this file only builds and wires.
 */
import type { Logger } from 'pino';
import type {
  DeviceReading,
  DriverDescriptor,
  DriverSession,
  MqttSession,
  SerialSettings,
} from '@anxin/devices';
import { topicMatches } from '@anxin/protocol';
import type { DeviceConfig, GatewayConfig } from '../config.js';
import { ByteTransport, type LinkOpener } from '../transports/byte-transport.js';
import { LocalMqttTransport } from '../transports/local-mqtt.js';
import { serialPortOpener } from '../transports/serial-port.js';
import { parseTcpPort, tcpSerialOpener } from '../transports/tcp-serial.js';
import type { DeviceMonitor } from './device-monitor.js';
import { PollBus, type PolledDevice } from './poll-bus.js';

/** 9600 8N1: the most common default of RS-485 meters and UART sensors. */
const FALLBACK_SERIAL: SerialSettings = {
  baudRate: 9600,
  dataBits: 8,
  parity: 'none',
  stopBits: 1,
};

/** A device whose session was built and that runs on a transport. */
export interface Configured {
  config: DeviceConfig;
  driver: DriverDescriptor;
  session: DriverSession;
  monitor: DeviceMonitor;
}

/** One serial port and what runs on it: a streaming device alone, or a polled bus. */
export interface PortUnit {
  port: string;
  transport: ByteTransport;
  /** Set for a polled bus; null for a streaming device. */
  bus: PollBus | null;
  ids: Set<string>;
}

export interface UnitDeps {
  config: GatewayConfig;
  logger: Logger;
  now: () => number;
  /** Readings decoded for a device (the runtime checks it still runs, then records them). */
  emit: (entry: Configured, readings: DeviceReading[], at: number) => void;
  /** The running entry of a device id (a polled bus reports by id). */
  entryOf: (deviceId: string) => Configured | undefined;
}

export function serialSettingsOf(entry: Configured): SerialSettings {
  return { ...FALLBACK_SERIAL, ...entry.driver.serial, ...entry.config.serial };
}

export function polledDevice(entry: Configured): PolledDevice {
  return {
    id: entry.config.id,
    session: entry.session as PolledDevice['session'],
    retries: entry.config.pollRetries,
    monitor: entry.monitor,
  };
}

function openerFor(port: string, settings: SerialSettings): LinkOpener {
  const tcp = parseTcpPort(port);
  if (tcp) return tcpSerialOpener(tcp.host, tcp.port);
  return serialPortOpener(port, settings);
}

/** A unit for `port` with its first device (serial settings are the first device's). */
export function createPortUnit(port: string, entry: Configured, deps: UnitDeps): PortUnit {
  const transport = new ByteTransport({
    port,
    opener: openerFor(port, serialSettingsOf(entry)),
    reconnect: deps.config.reconnect,
    logger: deps.logger,
    now: deps.now,
  });
  const unit: PortUnit = { port, transport, bus: null, ids: new Set([entry.config.id]) };
  const session = entry.session;
  if (session.mode === 'stream') {
    transport.onData((chunk, at) => {
      let readings: DeviceReading[];
      try {
        readings = session.push(chunk);
      } catch (err) {
        deps.logger.error({ err, deviceId: entry.config.id }, 'driver push threw');
        return;
      }
      entry.monitor.noteFrames(at);
      if (readings.length > 0) deps.emit(entry, readings, at);
    });
    return unit;
  }
  unit.bus = new PollBus({
    transport,
    devices: [polledDevice(entry)],
    turnaroundMs: deps.config.bus.turnaroundMs,
    now: deps.now,
    logger: deps.logger,
    onReadings: (deviceId, readings, at) => {
      const source = deps.entryOf(deviceId);
      if (source) deps.emit(source, readings, at);
    },
  });
  return unit;
}

export function startUnit(unit: PortUnit): void {
  unit.transport.start();
  unit.bus?.start();
}

export async function stopUnit(unit: PortUnit): Promise<void> {
  await unit.bus?.stop();
  await unit.transport.stop();
}

interface MqttRoute {
  entry: Configured;
  session: MqttSession;
  filters: string[];
}

/** The local broker connection (made when the first MQTT device arrives) and its routes. */
export class LocalMqttRoutes {
  private readonly routes = new Map<string, MqttRoute>();
  private transport: LocalMqttTransport | null = null;
  private started = false;

  constructor(private readonly deps: UnitDeps) {}

  get connection(): LocalMqttTransport | null {
    return this.transport;
  }

  add(entry: Configured): void {
    const session = entry.session as MqttSession;
    const route: MqttRoute = { entry, session, filters: session.subscriptions() };
    this.routes.set(entry.config.id, route);
    this.ensure()?.subscribe(route.filters);
  }

  /** Messages for a removed device's topics are no longer routed (the subscription may stay). */
  remove(deviceId: string): void {
    this.routes.delete(deviceId);
  }

  start(): void {
    this.started = true;
    this.transport?.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.transport?.stop();
  }

  private ensure(): LocalMqttTransport | null {
    if (this.transport) return this.transport;
    const local = this.deps.config.localMqtt;
    if (!local) return null;
    const transport = new LocalMqttTransport({
      url: local.url,
      username: local.username,
      password: local.password,
      clientId: `${this.deps.config.gatewayId}-local`,
      reconnect: this.deps.config.reconnect,
      logger: this.deps.logger,
      now: this.deps.now,
    });
    transport.onMessage((topic, payload, at) => {
      for (const route of this.routes.values()) {
        if (!route.filters.some((f) => topicMatches(f, topic))) continue;
        let readings: DeviceReading[];
        try {
          readings = route.session.onMessage(topic, payload);
        } catch (err) {
          this.deps.logger.error(
            { err, deviceId: route.entry.config.id },
            'driver onMessage threw',
          );
          continue;
        }
        route.entry.monitor.noteFrames(at);
        if (readings.length > 0) this.deps.emit(route.entry, readings, at);
      }
    });
    this.transport = transport;
    if (this.started) transport.start();
    return transport;
  }
}
