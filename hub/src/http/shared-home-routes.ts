/**
 * Shared homes (protocol/src/shared-homes.ts): which resident a device belongs to. Reads follow
 * the home's scope (404 outside it, audited); writes are the installer's and the admin's
 * (`device.write`, 403 for other roles), on a claimed, enabled gateway of a home in scope.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import {
  DeviceParamsSchema,
  IdParamsSchema,
  SetDeviceResidentRequestSchema,
  DeviceResidentListResponseSchema,
  DeviceResidentResponseSchema,
  type DeviceResidentListResponse,
  type DeviceResidentResponse,
} from '@anxin/protocol';
import type { Access } from '../auth/guard.js';
import type { AuditLog } from '../care/audit.js';
import type { CareStore } from '../care/store.js';
import type { Database } from '../store/schema.js';
import '../store/device-resident.js';
import { HttpError } from './errors.js';
import { typed } from './typed.js';

export interface SharedHomeRouteDeps {
  db: Kysely<Database>;
  access: Access;
  care: CareStore;
  audit: AuditLog;
}

export function registerSharedHomeRoutes(server: FastifyInstance, deps: SharedHomeRouteDeps): void {
  const app = typed(server);
  const { db, access, care, audit } = deps;
  const authed = { preHandler: access.authenticate };

  app.get(
    '/api/v1/homes/:id/device-residents',
    {
      ...authed,
      schema: {
        tags: ['devices'],
        params: IdParamsSchema,
        response: { 200: DeviceResidentListResponseSchema },
      },
    },
    async (request): Promise<DeviceResidentListResponse> => {
      const { id } = request.params;
      const actor = await access.requireHome(request, id, 'devices.read');
      // A resident who moved out (or was deleted) no longer owns the device: the join drops them.
      const rows = await db
        .selectFrom('devices')
        .innerJoin('gateways', 'gateways.id', 'devices.gateway_id')
        .leftJoin('residents', (j) =>
          j.onRef('residents.id', '=', 'devices.resident_id').on('residents.home_id', '=', id),
        )
        .select(['devices.gateway_id', 'devices.device_id', 'residents.id as resident_id'])
        .where('gateways.home_id', '=', id)
        .orderBy('devices.gateway_id')
        .orderBy('devices.device_id')
        .execute();
      return {
        devices: rows.map((r) => ({
          gatewayId: r.gateway_id,
          deviceId: r.device_id,
          // A family member sees only their own relative's name, as everywhere else.
          residentId:
            r.resident_id !== null && access.scopes.residentInScope(actor.scope, r.resident_id)
              ? r.resident_id
              : null,
        })),
      };
    },
  );

  app.put(
    '/api/v1/gateways/:id/devices/:deviceId/resident',
    {
      ...authed,
      schema: {
        tags: ['devices'],
        params: DeviceParamsSchema,
        body: SetDeviceResidentRequestSchema,
        response: { 200: DeviceResidentResponseSchema },
      },
    },
    async (request): Promise<DeviceResidentResponse> => {
      const { id, deviceId } = request.params;
      const actor = await access.requireRole(request, 'device.write', 'gateway', id);
      const row = await care.getGatewayRow(id);
      if (!row || !access.scopes.homeInScope(actor.scope, row.home_id))
        return access.notFound(request, 'gateway', id, 'device.resident', row !== undefined);
      if (row.enabled !== 1) throw new HttpError('CONFLICT', `gateway ${id} is decommissioned`);
      if (!(await care.getDevice(id, deviceId, row.home_id)))
        throw new HttpError('NOT_FOUND', `device ${deviceId} not found`);
      const { residentId } = request.body;
      if (residentId !== null) {
        const resident = await care.getResident(residentId);
        if (!resident || resident.homeId !== row.home_id)
          throw new HttpError('VALIDATION_FAILED', 'the resident does not live in this home', [
            { path: '/residentId', message: `no resident ${residentId} in home ${row.home_id}` },
          ]);
      }
      await db
        .updateTable('devices')
        .set({ resident_id: residentId })
        .where('gateway_id', '=', id)
        .where('device_id', '=', deviceId)
        .execute();
      await audit.record({
        user: { id: actor.user.id, username: actor.user.username },
        action: 'device.resident',
        targetType: 'device',
        targetId: `${id}/${deviceId}`,
        detail: { homeId: row.home_id, residentId },
      });
      return { device: { gatewayId: id, deviceId, residentId } };
    },
  );
}
