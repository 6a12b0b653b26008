/**
 * The hub's /metrics text: the registry's counters plus the gauges read from the parts at scrape
 * time (open alarms, connections, ingest queues, alarm engine).
 */
import { alarmEngineMetrics, type AlarmEngineModule } from './engine/module.js';
import type { Ingest } from './ingest/ingest.js';
import { withInstanceLabel, type HubMetrics } from './metrics.js';
import type { AlarmStore } from './store/alarms.js';
import type { WalSync } from './store/wal-sync.js';

export function metricsRenderer(deps: {
  metrics: HubMetrics;
  alarms: AlarmStore;
  ingest: Ingest;
  alarmEngine: AlarmEngineModule;
  connectedGateways: () => number;
  consoleClients: () => number;
  /** Set when the hub is named as one of several (issue 11). */
  instanceLabel: string | undefined;
  /** The SQLite state's WAL fsync (store/wal-sync.ts); none on PostgreSQL. */
  walSync: WalSync | undefined;
}): () => Promise<string> {
  const { metrics, alarms, ingest, alarmEngine, instanceLabel } = deps;
  return async () => {
    const open = await alarms.countUnresolved();
    const depth = ingest.stats();
    const extra = [
      '# HELP anxin_alarms_open Unresolved alarms (open or acknowledged), by priority',
      '# TYPE anxin_alarms_open gauge',
      ...([1, 2, 3] as const).map(
        (p) =>
          `anxin_alarms_open{priority="${p}"} ${open.find((o) => o.priority === p)?.count ?? 0}`,
      ),
      '# HELP anxin_gateways_connected Gateways with an open MQTT connection',
      '# TYPE anxin_gateways_connected gauge',
      `anxin_gateways_connected ${deps.connectedGateways()}`,
      '# HELP anxin_socketio_clients Connected console sockets',
      '# TYPE anxin_socketio_clients gauge',
      `anxin_socketio_clients ${deps.consoleClients()}`,
      '# HELP anxin_ingest_queue_events Events waiting in the ingest queues, by lane',
      '# TYPE anxin_ingest_queue_events gauge',
      `anxin_ingest_queue_events{lane="alarm"} ${depth.alarmQueueEvents}`,
      `anxin_ingest_queue_events{lane="telemetry"} ${depth.telemetryQueueEvents}`,
      '# HELP anxin_telemetry_intake_rate Points/s the hub paces deferred gateways at (learnt)',
      '# TYPE anxin_telemetry_intake_rate gauge',
      `anxin_telemetry_intake_rate ${depth.telemetryRatePerS}`,
      '# HELP anxin_telemetry_retry_booked_ahead_seconds Wait a gateway deferred now would get',
      '# TYPE anxin_telemetry_retry_booked_ahead_seconds gauge',
      `anxin_telemetry_retry_booked_ahead_seconds ${depth.telemetryRetryBookedAheadMs / 1000}`,
      '# HELP anxin_telemetry_waiting_gateways Gateways holding deferred telemetry until called back',
      '# TYPE anxin_telemetry_waiting_gateways gauge',
      `anxin_telemetry_waiting_gateways ${depth.telemetryWaitingGateways}`,
      '# HELP anxin_telemetry_store_up 1 while telemetry writes succeed',
      '# TYPE anxin_telemetry_store_up gauge',
      `anxin_telemetry_store_up ${depth.telemetryStoreDown ? 0 : 1}`,
      ...alarmEngineMetrics(alarmEngine.stats()),
      ...walSyncMetrics(deps.walSync),
      ...processMetrics(process.memoryUsage(), process.cpuUsage()),
    ];
    const text = metrics.registry.render() + extra.join('\n') + '\n';
    // Labelled once the hub is named as one of several; one hub's output stays as it was.
    return instanceLabel ? withInstanceLabel(text, instanceLabel) : text;
  };
}

/** The SQLite WAL fsync: how many, how long in all (a summary: sum / count is the mean), and up. */
function walSyncMetrics(wal: WalSync | undefined): string[] {
  if (!wal) return [];
  return [
    "# HELP anxin_sqlite_wal_sync_seconds fdatasyncs of the SQLite state's WAL (commits share them)",
    '# TYPE anxin_sqlite_wal_sync_seconds summary',
    `anxin_sqlite_wal_sync_seconds_sum ${wal.seconds}`,
    `anxin_sqlite_wal_sync_seconds_count ${wal.syncs}`,
    '# HELP anxin_sqlite_wal_sync_up 0 once an fdatasync failed: nothing is acked until a restart',
    '# TYPE anxin_sqlite_wal_sync_up gauge',
    `anxin_sqlite_wal_sync_up ${wal.failed ? 0 : 1}`,
  ];
}

/**
 * The process's memory and CPU under the names Prometheus' Node clients use (prom-client's
 * defaults), so an existing dashboard reads them: RSS against the V8 heap tells a heap that grows
 * with the load from memory outside it (sockets' buffers, SQLite, the worker threads' heaps).
 */
export function processMetrics(memory: NodeJS.MemoryUsage, cpu: NodeJS.CpuUsage): string[] {
  const gauge = (name: string, help: string, value: number) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
    `${name} ${value}`,
  ];
  const counter = (name: string, help: string, value: number) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} counter`,
    `${name} ${value}`,
  ];
  return [
    ...gauge('process_resident_memory_bytes', 'Resident memory size in bytes', memory.rss),
    ...gauge('nodejs_heap_size_total_bytes', 'V8 heap size in bytes', memory.heapTotal),
    ...gauge('nodejs_heap_size_used_bytes', 'V8 heap in use in bytes', memory.heapUsed),
    ...gauge(
      'nodejs_external_memory_bytes',
      'Memory of C++ objects bound to JavaScript (buffers among them) in bytes',
      memory.external,
    ),
    ...counter('process_cpu_user_seconds_total', 'User CPU time in seconds', cpu.user / 1e6),
    ...counter('process_cpu_system_seconds_total', 'System CPU time in seconds', cpu.system / 1e6),
  ];
}
