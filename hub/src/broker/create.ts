/** Picks the broker behind the seam (seam.ts) from `mqtt.mode`. */
import { Broker } from './broker.js';
import { ExternalBroker, type ExternalBrokerDeps } from './external.js';
import type { HubBroker } from './seam.js';

/** `deps` serve either broker: the external one needs all of them, the embedded one a part. */
export function createBroker(deps: ExternalBrokerDeps): Promise<HubBroker> {
  if (deps.config.mode === 'external') return Promise.resolve(new ExternalBroker(deps));
  return Broker.create(deps);
}
