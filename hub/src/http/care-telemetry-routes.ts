/**
 * A home's devices (every gateway), its telemetry series for charts, and its commissioning
 * records (what an installer tested, step by step).
 */
import type { FastifyInstance } from 'fastify';
import {
  IdParamsSchema,
  CreateCommissioningRecordRequestSchema,
  TelemetryQuerySchema,
  CommissioningRecordListResponseSchema,
  CommissioningRecordResponseSchema,
  DeviceListResponseSchema,
  TelemetryQueryResponseSchema,
  type CommissioningRecordListResponse,
  type CommissioningRecordResponse,
  type DeviceListResponse,
  type TelemetryQueryResponse,
  TELEMETRY_FIELDS,
  isKnownTelemetryField,
} from '@anxin/protocol';
import { HttpError } from './errors.js';
import type { CareKit } from './care-kit.js';
import { typed } from './typed.js';

export function careTelemetryRoutes(server: FastifyInstance, kit: CareKit): Promise<void> {
  const app = typed(server);
  const { access, care, deps } = kit;
  const idParams = { params: IdParamsSchema };

  const TELEMETRY_MAX_SPAN_MS = 31 * 86_400_000;
  // ── devices and telemetry of a home ──

  app.get(
    '/api/v1/homes/:id/devices',
    {
      ...kit.authed,
      schema: { tags: ['devices'], ...idParams, response: { 200: DeviceListResponseSchema } },
    },
    async (request): Promise<DeviceListResponse> => {
      const { id } = request.params;
      await kit.homeOr404(request, id, 'devices.read');
      return { devices: await care.listDevicesOfHome(id) };
    },
  );

  app.get(
    '/api/v1/homes/:id/telemetry',
    {
      ...kit.authed,
      schema: {
        tags: ['telemetry'],
        ...idParams,
        querystring: TelemetryQuerySchema,
        response: { 200: TelemetryQueryResponseSchema },
      },
    },
    async (request): Promise<TelemetryQueryResponse> => {
      const { id } = request.params;
      await kit.homeOr404(request, id, 'telemetry.read');
      const q = request.query;
      const to = q.to !== undefined ? Date.parse(q.to) : kit.now();
      const from = q.from !== undefined ? Date.parse(q.from) : to - 86_400_000;
      if (!(from < to) || to - from > TELEMETRY_MAX_SPAN_MS)
        throw new HttpError('VALIDATION_FAILED', 'from must be before to, at most 31 days apart', [
          { path: '/from', message: 'must be before to, at most 31 days apart' },
        ]);
      const fields = [...new Set(q.fields.split(','))];
      const reader = deps.telemetry;
      const devices = (await care.listDevicesOfHome(id))
        .filter((d) => q.deviceId === undefined || d.id === q.deviceId)
        .map((d) => ({ gatewayId: d.gatewayId, deviceId: d.id }));
      const series =
        reader && devices.length > 0
          ? await reader.query({ devices, fields, from, to, maxPoints: q.maxPoints ?? 500 })
          : [];
      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        series: series.map((s) => ({
          ...s,
          unit: isKnownTelemetryField(s.field) ? TELEMETRY_FIELDS[s.field].unit : null,
        })),
      };
    },
  );

  // ── commissioning records ──

  app.post(
    '/api/v1/homes/:id/commissioning',
    {
      ...kit.authed,
      schema: {
        tags: ['homes'],
        ...idParams,
        body: CreateCommissioningRecordRequestSchema,
        response: { 201: CommissioningRecordResponseSchema },
      },
    },
    async (request, reply): Promise<CommissioningRecordResponse> => {
      const { id } = request.params;
      const actor = await kit.homeWrite(request, id, 'commissioning.record');
      const body = request.body;
      const recordId = await care.commissioning.create(id, body, actor.user.id, kit.now());
      const passed = body.steps.filter((s) => s.result === 'passed').length;
      await kit.audit(actor, 'commissioning.record', 'home', id, {
        recordId,
        steps: body.steps.length,
        passed,
        finished: body.finishedAt != null,
      });
      const [record] = await care.commissioning.list(id, 1, recordId);
      if (!record) throw new Error('commissioning record vanished after insert');
      void reply.status(201);
      return { record };
    },
  );

  app.get(
    '/api/v1/homes/:id/commissioning',
    {
      ...kit.authed,
      schema: {
        tags: ['homes'],
        ...idParams,
        response: { 200: CommissioningRecordListResponseSchema },
      },
    },
    async (request): Promise<CommissioningRecordListResponse> => {
      const { id } = request.params;
      await access.requireRole(request, 'commissioning.read', 'home', id);
      await access.requireHome(request, id, 'commissioning.read');
      return { records: await care.commissioning.list(id) };
    },
  );

  return Promise.resolve();
}
