import type { HistogramScrape } from './prom-histogram.js';

/** What a benchmark asks of the hub side it runs against, whatever its layout (hubs.ts). */
export interface BenchHubsOptions {
  dir: string;
  gatewayIds: readonly string[];
  secret: string;
  /** Environment added to every hub process (e.g. ANXIN_ALARM_TRACE is set per hub here). */
  env?: NodeJS.ProcessEnv;
  /** N hubs behind Mosquitto on PostgreSQL and Redis; absent: one hub, embedded broker, SQLite. */
  hubs?: number;
  /**
   * MQTT over TLS between the gateways and the hub (a certificate generated into `dir`). The
   * single hub's embedded broker only: the Mosquitto layout refuses it (hubs.ts).
   */
  tls?: boolean;
  log: (line: string) => void;
}

export interface BenchHubs {
  /**
   * What ran, for the report ("1 hub, embedded broker, SQLite", "… SQLite, MQTT over TLS",
   * "2 hubs, Mosquitto, …").
   */
  describe: string;
  /** The MQTT URL gateway number `index` (in `gatewayIds` order) connects to. */
  mqttUrlFor(index: number): string;
  /**
   * With TLS (mqtts://) only: the CA file every gateway verifies the hub's certificate with
   * (hub.caFile).
   */
  caFile?: string;
  /** Where a console connects (Socket.IO, REST) and its admin session cookie. */
  console: { httpUrl: string; cookie: string };
  /** Alarm trace files the hubs write (alarm-trace.ts in the hub), one per hub. */
  traceFiles: string[];
  pids: number[];
  /** Telemetry points stored, summed over the hubs. */
  telemetryStored(): Promise<number>;
  /** Each hub's event-loop lag histogram now (cumulative; two scrapes give a period's). */
  eventLoopLag(): Promise<HistogramScrape[]>;
  /** CPU seconds (user + system) the hubs have used so far, summed. */
  cpuSeconds(): number;
  /** The hubs' peak resident memory (MB), summed. */
  peakRssMb(): number;
  stop(): Promise<void>;
  /**
   * The single hub only: stops it and starts it again on the same data directory, address and
   * certificate, as after an outage (`bench storm --tls-resume`); the BenchHubs to use from then
   * on (new pid, session, counters). The old one is stopped.
   */
  restart?(): Promise<BenchHubs>;
}
