/** Picks the broker behind the seam (seam.ts) from `mqtt.mode`. */
import type { Logger } from 'pino';
import type { HubConfig } from '../config.js';
import type { HubMetrics } from '../metrics.js';
import type { GatewayStore } from '../store/gateways.js';
import { Broker } from './broker.js';
import { ExternalBroker } from './external.js';
import type { HubBroker, UplinkSink } from './seam.js';

export function createBroker(deps: {
  config: HubConfig['mqtt'];
  instanceId: string;
  gateways: GatewayStore;
  metrics: HubMetrics;
  log: Logger;
  uplinks: UplinkSink;
  onLoginRefused?: (gatewayId: string, reason: string) => void;
}): Promise<HubBroker> {
  if (deps.config.mode === 'external') return Promise.resolve(new ExternalBroker(deps));
  return Broker.create(deps);
}
