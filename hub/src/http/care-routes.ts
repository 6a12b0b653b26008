/**
 * Care-model routes under /api/v1, exactly as protocol/src/care.ts lists them: one Fastify plugin
 * per resource (care-*-routes.ts). Every route needs a session; writes are checked against the
 * role policy (403) and every target against the user's scope (404, same as unknown). Refusals,
 * record reads and changes are audited. The shared steps are in care-kit.ts.
 */
import type { FastifyInstance } from 'fastify';
import { careAreaRoutes } from './care-area-routes.js';
import { careContactRoutes } from './care-contact-routes.js';
import { careDeviceRoutes } from './care-device-routes.js';
import { careGatewayRoutes } from './care-gateway-routes.js';
import { careHomeRoutes } from './care-home-routes.js';
import { careKit, type CareRouteDeps } from './care-kit.js';
import { careMeRoutes } from './care-me-routes.js';
import { careResidentRoutes } from './care-resident-routes.js';
import { careRespondingRoutes } from './care-responding-routes.js';
import { careTelemetryRoutes } from './care-telemetry-routes.js';
import { careUserRoutes } from './care-user-routes.js';
import { gatewayRearmRoutes } from './gateway-rearm-routes.js';

export type { CareRouteDeps } from './care-kit.js';

const PLUGINS = [
  careMeRoutes,
  careAreaRoutes,
  careHomeRoutes,
  careResidentRoutes,
  careContactRoutes,
  careTelemetryRoutes,
  careGatewayRoutes,
  gatewayRearmRoutes,
  careDeviceRoutes,
  careUserRoutes,
  careRespondingRoutes,
];

export function registerCareRoutes(app: FastifyInstance, deps: CareRouteDeps): void {
  const kit = careKit(deps);
  // Loaded with the server (ready/listen); errors, validators and hooks come from the root.
  for (const plugin of PLUGINS) void app.register(plugin, kit);
}
