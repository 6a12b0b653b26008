/**
 * Work orders (issue 13): work sent out and checked to completion — a visit after an alarm, a
 * device repair, a battery change. Created from a resolved alarm (outcome responder_dispatched
 * or device_fault), by device supervision (a low battery or a silent device opens one maintenance
 * order per device while it is not done: a unique key in SQL, not select-then-insert) or by hand.
 *
 *   GET  /api/v1/work-orders?status&homeId&kind&overdue&mine&limit → WorkOrderListResponse
 *                                                  (overdue first, then by due time)
 *   POST /api/v1/work-orders                       CreateWorkOrderRequest → WorkOrderResponse (201)
 *                                                  operator, supervisor, admin
 *   POST /api/v1/alarms/:id/work-orders            CreateAlarmWorkOrderRequest → WorkOrderResponse (201)
 *                                                  operator, supervisor, admin; the alarm must be
 *                                                  resolved as responder_dispatched or device_fault
 *   GET  /api/v1/work-orders/:id                   → WorkOrderResponse
 *   POST /api/v1/work-orders/:id/assign            AssignRequest → WorkOrderResponse  operator, supervisor, admin
 *   POST /api/v1/work-orders/:id/status            TaskStatusRequest → WorkOrderResponse
 *                                                  console roles; the assigned installer or worker
 *   POST /api/v1/work-orders/:id/notes             AddNoteRequest → WorkOrderResponse
 *
 * Scope as every care route: installers see the orders of homes assigned to them.
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

export const WORK_ORDER_KINDS = ['visit', 'device_repair', 'battery_change'] as const;
export type WorkOrderKind = (typeof WORK_ORDER_KINDS)[number];

export const WORK_ORDER_SOURCES = ['alarm', 'supervision', 'manual'] as const;
export type WorkOrderSource = (typeof WORK_ORDER_SOURCES)[number];

/** Alarm outcomes that may lead to a work order. */
export const WORK_ORDER_ALARM_OUTCOMES = ['responder_dispatched', 'device_fault'] as const;

export const WorkOrderSchema = Type.Object(
  {
    id: OpsRecordId,
    homeId: nullable(Type.String()),
    address: nullable(Type.String()),
    residentId: nullable(Type.String()),
    kind: stringEnum(WORK_ORDER_KINDS),
    description: Type.String(),
    status: stringEnum(TASK_STATUSES),
    source: stringEnum(WORK_ORDER_SOURCES),
    alarmId: nullable(Type.String()),
    gatewayId: nullable(Type.String()),
    deviceId: nullable(Type.String()),
    assignee: nullable(AssigneeSchema),
    dueAt: nullable(IsoTime),
    /** Not done or cancelled, and past dueAt. */
    overdue: Type.Boolean(),
    outcome: nullable(Type.String()),
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
export type WorkOrderDto = Static<typeof WorkOrderSchema>;

export const CreateWorkOrderRequestSchema = Type.Object(
  {
    homeId: OpsId,
    kind: stringEnum(WORK_ORDER_KINDS),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    residentId: Type.Optional(OpsId),
    gatewayId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    deviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    dueAt: Type.Optional(IsoTime),
  },
  { additionalProperties: false },
);
export type CreateWorkOrderRequest = Static<typeof CreateWorkOrderRequestSchema>;

export const CreateAlarmWorkOrderRequestSchema = Type.Object(
  {
    kind: stringEnum(WORK_ORDER_KINDS),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    dueAt: Type.Optional(IsoTime),
  },
  { additionalProperties: false },
);
export type CreateAlarmWorkOrderRequest = Static<typeof CreateAlarmWorkOrderRequestSchema>;

export const WorkOrderListQuerySchema = Type.Object(
  {
    status: Type.Optional(
      Type.String({ pattern: statusListPattern(TASK_STATUSES), maxLength: 100 }),
    ),
    homeId: Type.Optional(OpsId),
    kind: Type.Optional(stringEnum(WORK_ORDER_KINDS)),
    overdue: Type.Optional(Type.Boolean()),
    mine: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type WorkOrderListQuery = Static<typeof WorkOrderListQuerySchema>;

export const WorkOrderResponseSchema = Type.Object(
  { workOrder: WorkOrderSchema },
  { additionalProperties: false },
);
export type WorkOrderResponse = Static<typeof WorkOrderResponseSchema>;
export const WorkOrderListResponseSchema = Type.Object(
  { workOrders: Type.Array(WorkOrderSchema) },
  { additionalProperties: false },
);
export type WorkOrderListResponse = Static<typeof WorkOrderListResponseSchema>;
