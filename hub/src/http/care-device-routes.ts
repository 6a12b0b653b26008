/**
 * Devices of a gateway: register, change, remove; the gateway's config is republished when it
 * is claimed.
 */
import type { FastifyInstance } from 'fastify';
import {
  IdParamsSchema,
  CreateDeviceRequestSchema,
  DeviceParamsSchema,
  UpdateDeviceRequestSchema,
  DeviceResponseSchema,
  type DeviceResponse,
} from '@anxin/protocol';
import { HttpError } from './errors.js';
import type { CareKit } from './care-kit.js';
import { typed } from './typed.js';

export function careDeviceRoutes(server: FastifyInstance, kit: CareKit): Promise<void> {
  const app = typed(server);
  const { access, care, deps } = kit;
  const idParams = { params: IdParamsSchema };

  app.post(
    '/api/v1/gateways/:id/devices',
    {
      ...kit.authed,
      schema: {
        tags: ['devices'],
        ...idParams,
        body: CreateDeviceRequestSchema,
        response: { 201: DeviceResponseSchema },
      },
    },
    async (request, reply): Promise<DeviceResponse> => {
      const { id } = request.params;
      await access.requireRole(request, 'device.write', 'gateway', id);
      const { actor, row } = await kit.writableGateway(request, id, 'device.write');
      const body = request.body;
      const now = kit.now();
      await care.registerDevice(id, body, now);
      if (row.claimed_at !== null) await deps.provisioning.publishConfig(id, now);
      await kit.audit(actor, 'device.register', 'device', `${id}/${body.id}`, body);
      const device = await care.getDevice(id, body.id, row.home_id);
      if (!device) throw new Error('device vanished after insert');
      void reply.status(201);
      return { device };
    },
  );

  app.patch(
    '/api/v1/gateways/:id/devices/:deviceId',
    {
      ...kit.authed,
      schema: {
        tags: ['devices'],
        params: DeviceParamsSchema,
        body: UpdateDeviceRequestSchema,
        response: { 200: DeviceResponseSchema },
      },
    },
    async (request): Promise<DeviceResponse> => {
      const { id, deviceId } = request.params;
      await access.requireRole(request, 'device.write', 'gateway', id);
      const { actor, row } = await kit.writableGateway(request, id, 'device.write');
      if (!(await care.getDevice(id, deviceId, row.home_id)))
        throw new HttpError('NOT_FOUND', `device ${deviceId} not found`);
      const body = request.body;
      await care.updateDevice(id, deviceId, body);
      const now = kit.now();
      if (row.claimed_at !== null) await deps.provisioning.publishConfig(id, now);
      await kit.audit(actor, 'device.update', 'device', `${id}/${deviceId}`, body);
      const device = await care.getDevice(id, deviceId, row.home_id);
      if (!device) throw new HttpError('NOT_FOUND', `device ${deviceId} not found`);
      return { device };
    },
  );

  app.delete(
    '/api/v1/gateways/:id/devices/:deviceId',
    {
      ...kit.authed,
      // 204: the device is gone and there is no body to describe.
      schema: {
        tags: ['devices'],
        params: DeviceParamsSchema,
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      const { id, deviceId } = request.params;
      await access.requireRole(request, 'device.write', 'gateway', id);
      const { actor, row } = await kit.writableGateway(request, id, 'device.write');
      if (!(await care.getDevice(id, deviceId, row.home_id)))
        throw new HttpError('NOT_FOUND', `device ${deviceId} not found`);
      await care.deleteDevice(id, deviceId);
      if (row.claimed_at !== null) await deps.provisioning.publishConfig(id, kit.now());
      await kit.audit(actor, 'device.delete', 'device', `${id}/${deviceId}`);
      return reply.status(204).send();
    },
  );

  return Promise.resolve();
}
