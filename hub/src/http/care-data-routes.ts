/**
 * Issue 13's data routes, registered by the composition root next to the care routes: shared
 * homes (which resident a device belongs to), bulk import, CSV exports and care-operation
 * figures. Each concern lives in its own file; this one only wires them.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Access } from '../auth/guard.js';
import type { AuditLog } from '../care/audit.js';
import type { CareStore } from '../care/store.js';
import type { Database } from '../store/schema.js';
import { ImportService } from '../bulk/import-service.js';
import { registerExportRoutes } from './export-routes.js';
import { registerImportRoutes } from './import-routes.js';
import { registerSharedHomeRoutes } from './shared-home-routes.js';

export interface CareDataRouteDeps {
  db: Kysely<Database>;
  access: Access;
  care: CareStore;
  audit: AuditLog;
  /** operations.timeZone: the local days welfare checks fall on. */
  timeZone: string;
  now?: () => number;
}

export async function registerCareDataRoutes(
  app: FastifyInstance,
  deps: CareDataRouteDeps,
): Promise<void> {
  registerSharedHomeRoutes(app, deps);
  await registerImportRoutes(app, {
    access: deps.access,
    audit: deps.audit,
    imports: new ImportService(deps.db, deps.access.scopes, deps.now, deps.timeZone),
  });
  registerExportRoutes(app, deps);
}
