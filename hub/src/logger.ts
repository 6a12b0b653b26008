/**
 * Structured logging with a level per part: every module gets a child logger carrying `part`, at
 * the level configured under `log.parts.<part>` (or `log.level`).
 */
import { pino, type Logger } from 'pino';
import type { HubConfig } from './config.js';

export type HubPart =
  'hub' | 'broker' | 'ingest' | 'store' | 'telemetry' | 'http' | 'realtime' | 'engine';

export function createRootLogger(config: HubConfig): Logger {
  return pino({ level: config.log.level, base: { app: 'anxin-hub' } });
}

export function partLogger(root: Logger, config: HubConfig, part: HubPart): Logger {
  // Case-insensitive: ANXIN__LOG__PARTS__BROKER=debug arrives as the key "BROKER".
  const entry = Object.entries(config.log.parts).find(([name]) => name.toLowerCase() === part);
  const level = entry?.[1] ?? config.log.level;
  return root.child({ part }, { level });
}
