export { buildHub, type BuildHubOptions, type Hub, type HubStats } from './hub.js';
export {
  HubConfigSchema,
  hubConfig,
  resolveDatabaseFile,
  resolveEmbeddedTelemetryFile,
  resolveWebRoot,
  DEFAULT_WEB_ROOT,
  type HubConfig,
} from './config.js';
export type { TelemetryPoint, TelemetryStore, TelemetryValue } from './telemetry/store.js';
export { EmbeddedTelemetryStore } from './telemetry/embedded.js';
export { seedDemo, type DemoLogin, type SeedResult } from './care/seed.js';
export {
  generateDevCertificates,
  writeDevCertificates,
  DEFAULT_CERT_HOSTS,
  type DevCertificates,
} from './security/certs.js';
export { copyDatabase, CopyError, type CopyOptions, type CopyReport } from './store/copy.js';
export {
  describeTarget,
  parseDatabaseArgument,
  resolveDatabaseTarget,
  type DatabaseTarget,
} from './store/target.js';
export { ALARM_TRACE_ENV, parseAlarmTrace, type AlarmTraceEntry } from './ingest/alarm-trace.js';
