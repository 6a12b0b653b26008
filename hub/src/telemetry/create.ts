/** Picks the telemetry store the configuration asks for. */
import type { Logger } from 'pino';
import { resolveEmbeddedTelemetryFile, type HubConfig } from '../config.js';
import { EmbeddedTelemetryStore } from './embedded.js';
import { Influx1TelemetryStore } from './influx1.js';
import { Influx2TelemetryStore } from './influx2.js';
import type { TelemetryStore } from './store.js';

export function createTelemetryStore(config: HubConfig, log: Logger): TelemetryStore {
  const t = config.telemetry;
  switch (t.store) {
    case 'influx1':
      return new Influx1TelemetryStore({ ...t.influx1, timeoutMs: t.writeTimeoutMs }, log);
    case 'influx2':
      return new Influx2TelemetryStore({ ...t.influx2, timeoutMs: t.writeTimeoutMs }, log);
    case 'embedded':
      return new EmbeddedTelemetryStore(
        resolveEmbeddedTelemetryFile(config),
        t.embedded.retentionDays,
        log,
      );
  }
}
