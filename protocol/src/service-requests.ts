/**
 * Service requests (issue 13): non-emergency calls — an elder asks for meal delivery,
 * housekeeping, a repair, a doctor's appointment, someone to talk to. A queue of its own: alarms
 * are never mixed into it and the console always lists alarms first.
 *
 *   GET  /api/v1/service-requests?status&homeId&residentId&mine&limit
 *                                        → ServiceRequestListResponse (urgency, then oldest first)
 *   POST /api/v1/service-requests        CreateServiceRequestRequest → ServiceRequestResponse (201)
 *                                        operator, supervisor, admin
 *   GET  /api/v1/service-requests/:id    → ServiceRequestResponse
 *   POST /api/v1/service-requests/:id/assign  AssignRequest → ServiceRequestResponse
 *                                        operator, supervisor, admin
 *   POST /api/v1/service-requests/:id/status  TaskStatusRequest → ServiceRequestResponse
 *                                        operator, supervisor, admin; community_worker (assigned to them)
 *   POST /api/v1/service-requests/:id/notes   AddNoteRequest → ServiceRequestResponse
 *                                        operator, supervisor, admin; community_worker (assigned to them)
 *   GET  /api/v1/devices/service-buttons?gatewayId  → ServiceButtonListResponse  console roles, installer
 *   PUT  /api/v1/gateways/:gatewayId/devices/:deviceId/service-button
 *                                        SetServiceButtonRequest → ServiceButtonResponse   admin, installer
 *   DELETE same                          → 204 (the button's presses are SOS alarms again)
 *
 * Scope: as every care route (care.ts "Scopes"); a family member sees only requests about the
 * residents they follow, without internal notes, the assignee's phone or who recorded it.
 * Errors: VALIDATION_FAILED (bad body, resident unknown), NOT_FOUND (unknown or out of scope),
 * FORBIDDEN (role), CONFLICT (`code` in the message: a transition the status does not allow).
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  AssigneeSchema,
  IsoTime,
  NoteSchema,
  nullable,
  OpsId,
  OpsRecordId,
  statusListPattern,
  TASK_STATUSES,
} from './operations-common.js';
import { stringEnum } from './schema.js';

export const SERVICE_CATEGORIES = [
  'meal_delivery',
  'housekeeping',
  'repair',
  'medical_appointment',
  'companionship',
  'other',
] as const;
export type ServiceCategory = (typeof SERVICE_CATEGORIES)[number];

/** high: today; normal: within a few days; low: when convenient. */
export const SERVICE_URGENCIES = ['high', 'normal', 'low'] as const;
export type ServiceUrgency = (typeof SERVICE_URGENCIES)[number];

/** Where the request came from. */
export const SERVICE_REQUEST_SOURCES = ['call', 'device', 'welfare_check'] as const;
export type ServiceRequestSource = (typeof SERVICE_REQUEST_SOURCES)[number];

export const ServiceRequestSchema = Type.Object(
  {
    id: OpsRecordId,
    homeId: Type.String(),
    residentId: nullable(Type.String()),
    residentName: nullable(Type.String()),
    address: Type.String(),
    category: stringEnum(SERVICE_CATEGORIES),
    description: Type.String(),
    urgency: stringEnum(SERVICE_URGENCIES),
    /** When the resident wants it (a meal at noon, an appointment on Tuesday), else null. */
    requestedFor: nullable(IsoTime),
    status: stringEnum(TASK_STATUSES),
    source: stringEnum(SERVICE_REQUEST_SOURCES),
    /** source `device`: the button that opened it. */
    gatewayId: nullable(Type.String()),
    deviceId: nullable(Type.String()),
    /** source `welfare_check`: the check whose result opened it. */
    welfareCheckId: nullable(Type.String()),
    assignee: nullable(AssigneeSchema),
    /** What was done (done) or why not (cancelled). */
    outcome: nullable(Type.String()),
    /** Who recorded it; null for family and for device requests. */
    createdBy: nullable(Type.String()),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    assignedAt: nullable(IsoTime),
    startedAt: nullable(IsoTime),
    closedAt: nullable(IsoTime),
    notes: Type.Array(NoteSchema),
  },
  { additionalProperties: false },
);
export type ServiceRequestDto = Static<typeof ServiceRequestSchema>;

export const CreateServiceRequestRequestSchema = Type.Object(
  {
    residentId: OpsId,
    category: stringEnum(SERVICE_CATEGORIES),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    urgency: Type.Optional(stringEnum(SERVICE_URGENCIES)),
    requestedFor: Type.Optional(IsoTime),
  },
  { additionalProperties: false },
);
export type CreateServiceRequestRequest = Static<typeof CreateServiceRequestRequestSchema>;

export const SERVICE_REQUEST_STATUS_LIST_PATTERN = statusListPattern(TASK_STATUSES);

export const ServiceRequestListQuerySchema = Type.Object(
  {
    /** Comma-separated; default: open,assigned,in_progress. */
    status: Type.Optional(
      Type.String({ pattern: SERVICE_REQUEST_STATUS_LIST_PATTERN, maxLength: 100 }),
    ),
    homeId: Type.Optional(OpsId),
    residentId: Type.Optional(OpsId),
    /** Only requests assigned to the caller (community workers' list). */
    mine: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type ServiceRequestListQuery = Static<typeof ServiceRequestListQuerySchema>;

export const ServiceRequestListResponseSchema = Type.Object(
  { serviceRequests: Type.Array(ServiceRequestSchema) },
  { additionalProperties: false },
);
export type ServiceRequestListResponse = Static<typeof ServiceRequestListResponseSchema>;

export const ServiceRequestResponseSchema = Type.Object(
  { serviceRequest: ServiceRequestSchema },
  { additionalProperties: false },
);
export type ServiceRequestResponse = Static<typeof ServiceRequestResponseSchema>;

/** Queue order: most urgent first, then the oldest. */
export function compareServiceRequests(a: ServiceRequestDto, b: ServiceRequestDto): number {
  const ua = SERVICE_URGENCIES.indexOf(a.urgency);
  const ub = SERVICE_URGENCIES.indexOf(b.urgency);
  if (ua !== ub) return ua - ub;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// ─────────────────────── Service buttons (a device opens a request) ───────────────────────

/**
 * A device whose presses open a service request instead of an SOS alarm. The gateway reports
 * every press of a help button as an SOS with the button's `action` in the detail (Zigbee2MQTT
 * `single`, `double`, `hold`); the hub decides: a press whose action is listed here opens a
 * request, every other press stays an SOS. Nothing is configured by default.
 */
export const ServiceButtonSchema = Type.Object(
  {
    gatewayId: Type.String(),
    deviceId: Type.String(),
    /** Button actions that mean "I need a service", e.g. ["double"]. */
    actions: Type.Array(Type.String()),
    category: stringEnum(SERVICE_CATEGORIES),
    updatedAt: IsoTime,
  },
  { additionalProperties: false },
);
export type ServiceButtonDto = Static<typeof ServiceButtonSchema>;

export const SetServiceButtonRequestSchema = Type.Object(
  {
    actions: Type.Array(Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_-]+$' }), {
      minItems: 1,
      maxItems: 8,
    }),
    category: Type.Optional(stringEnum(SERVICE_CATEGORIES)),
  },
  { additionalProperties: false },
);
export type SetServiceButtonRequest = Static<typeof SetServiceButtonRequestSchema>;

export const ServiceButtonParamsSchema = Type.Object(
  {
    gatewayId: Type.String({ minLength: 1, maxLength: 64 }),
    deviceId: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);

export const ServiceButtonResponseSchema = Type.Object(
  { serviceButton: ServiceButtonSchema },
  { additionalProperties: false },
);
export type ServiceButtonResponse = Static<typeof ServiceButtonResponseSchema>;
export const ServiceButtonListResponseSchema = Type.Object(
  { serviceButtons: Type.Array(ServiceButtonSchema) },
  { additionalProperties: false },
);
export type ServiceButtonListResponse = Static<typeof ServiceButtonListResponseSchema>;
