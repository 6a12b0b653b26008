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
