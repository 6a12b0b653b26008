/**
 * Welfare checks (issue 13; 探访关爱): per resident a plan — a call every N days, a home visit K
 * times a month — generates due checks; operators work through today's calls (due and overdue),
 * community workers through their visits. A check's result is reached, not_reached or
 * concern_raised; a concern, or "not reached" twice in a row, opens a follow-up service request
 * (a person must act, tracked to done — a further check would only look again). A first "not
 * reached" brings the next call forward to the next day.
 *
 *   GET  /api/v1/welfare-plans?residentId&homeId&areaId&active
 *                                                     → WelfarePlanListResponse (areaId: its subtree)
 *   POST /api/v1/welfare-plans                        CreateWelfarePlanRequest → WelfarePlanResponse (201)
 *                                                     supervisor, admin, operator
 *   PATCH /api/v1/welfare-plans/:id                   UpdateWelfarePlanRequest → WelfarePlanResponse
 *   DELETE /api/v1/welfare-plans/:id                  → 204; its pending check is cancelled, the
 *                                                     checks already made stay (without the plan)
 *   GET  /api/v1/welfare-assignees                    → WelfareAssigneeListResponse: community
 *                                                     workers of the caller's areas (plan roles)
 *   GET  /api/v1/welfare-checks?view=today|visits&kind&day&limit
 *                                                     → WelfareCheckListResponse
 *        today:  checks due on or before the day (overdue first), calls and visits, pending
 *        visits: pending visits whose window has begun (a community worker: only their areas)
 *   POST /api/v1/welfare-checks                       CreateWelfareCheckRequest → WelfareCheckResponse (201)
 *                                                     an ad-hoc check, e.g. for a wellbeing alarm (alarmId)
 *   POST /api/v1/welfare-checks/:id/result            RecordWelfareResultRequest → WelfareCheckResponse
 *        operator, supervisor, admin; community_worker (visits in their areas)
 *
 * Days are calendar days in the hub's time zone (config `operations.timeZone`), 'YYYY-MM-DD'.
 */
import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, nullable, OpsId, OpsRecordId } from './operations-common.js';
import { stringEnum } from './schema.js';

export const WELFARE_CHECK_KINDS = ['call', 'visit'] as const;
export type WelfareCheckKind = (typeof WELFARE_CHECK_KINDS)[number];

/** every_days: one check N days after the last one; per_month: N checks in each calendar month. */
export const WELFARE_CADENCES = ['every_days', 'per_month'] as const;
export type WelfareCadence = (typeof WELFARE_CADENCES)[number];

export const WELFARE_RESULTS = ['reached', 'not_reached', 'concern_raised'] as const;
export type WelfareResult = (typeof WELFARE_RESULTS)[number];

export const WELFARE_CHECK_STATUSES = ['pending', 'done', 'cancelled'] as const;
export type WelfareCheckStatus = (typeof WELFARE_CHECK_STATUSES)[number];

export const DAY_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
const Day = Type.String({ pattern: DAY_PATTERN });

export const WelfarePlanSchema = Type.Object(
  {
    id: OpsRecordId,
    residentId: Type.String(),
    homeId: Type.String(),
    kind: stringEnum(WELFARE_CHECK_KINDS),
    cadence: stringEnum(WELFARE_CADENCES),
    /** every_days: the interval in days; per_month: checks per month. */
    count: Type.Integer(),
    /** First day the plan applies. */
    startDay: Day,
    active: Type.Boolean(),
    /** Who makes the checks (a community worker for visits), else the call centre. */
    assigneeUserId: nullable(Type.String()),
    notes: nullable(Type.String()),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    /** For lists: whom the plan is for and where, and the assignee's name. */
    residentName: Type.String(),
    address: Type.String(),
    assigneeName: nullable(Type.String()),
    /** The pending check the plan owes (null while paused): its due day and window's first day. */
    nextDueDay: nullable(Day),
    nextWindowStartDay: nullable(Day),
  },
  { additionalProperties: false },
);
export type WelfarePlanDto = Static<typeof WelfarePlanSchema>;

export const CreateWelfarePlanRequestSchema = Type.Object(
  {
    residentId: OpsId,
    kind: stringEnum(WELFARE_CHECK_KINDS),
    cadence: stringEnum(WELFARE_CADENCES),
    count: Type.Integer({ minimum: 1, maximum: 31 }),
    startDay: Type.Optional(Day),
    assigneeUserId: Type.Optional(OpsRecordId),
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type CreateWelfarePlanRequest = Static<typeof CreateWelfarePlanRequestSchema>;

export const UpdateWelfarePlanRequestSchema = Type.Object(
  {
    /** A new cadence, count or start day replaces the pending check with one on the new schedule. */
    cadence: Type.Optional(stringEnum(WELFARE_CADENCES)),
    startDay: Type.Optional(Day),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
    active: Type.Optional(Type.Boolean()),
    assigneeUserId: Type.Optional(nullable(OpsRecordId)),
    notes: Type.Optional(nullable(Type.String({ maxLength: 2000 }))),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWelfarePlanRequest = Static<typeof UpdateWelfarePlanRequestSchema>;

export const WelfarePlanListQuerySchema = Type.Object(
  {
    residentId: Type.Optional(OpsId),
    homeId: Type.Optional(OpsId),
    /** Plans of homes in this area and the areas under it. */
    areaId: Type.Optional(OpsId),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type WelfarePlanListQuery = Static<typeof WelfarePlanListQuerySchema>;

export const WelfarePlanResponseSchema = Type.Object(
  { plan: WelfarePlanSchema },
  { additionalProperties: false },
);
export type WelfarePlanResponse = Static<typeof WelfarePlanResponseSchema>;
export const WelfarePlanListResponseSchema = Type.Object(
  { plans: Type.Array(WelfarePlanSchema) },
  { additionalProperties: false },
);
export type WelfarePlanListResponse = Static<typeof WelfarePlanListResponseSchema>;

export const WelfareAssigneeSchema = Type.Object(
  { id: Type.String(), displayName: Type.String() },
  { additionalProperties: false },
);
export type WelfareAssigneeDto = Static<typeof WelfareAssigneeSchema>;
export const WelfareAssigneeListResponseSchema = Type.Object(
  { assignees: Type.Array(WelfareAssigneeSchema) },
  { additionalProperties: false },
);
export type WelfareAssigneeListResponse = Static<typeof WelfareAssigneeListResponseSchema>;

export const WelfareCheckSchema = Type.Object(
  {
    id: OpsRecordId,
    /** null for an ad-hoc check. */
    planId: nullable(Type.String()),
    residentId: Type.String(),
    residentName: Type.String(),
    homeId: Type.String(),
    address: Type.String(),
    kind: stringEnum(WELFARE_CHECK_KINDS),
    /** The day it is due (per_month: the last day of its window). */
    dueDay: Day,
    /** The first day it may be done (per_month: the window's first day; else dueDay). */
    windowStartDay: Day,
    /** Pending and past its due day. */
    overdue: Type.Boolean(),
    status: stringEnum(WELFARE_CHECK_STATUSES),
    result: nullable(stringEnum(WELFARE_RESULTS)),
    note: nullable(Type.String()),
    doneAt: nullable(IsoTime),
    doneBy: nullable(Type.String()),
    assigneeUserId: nullable(Type.String()),
    /** The wellbeing alarm this check answers (resolved by a reached or concern result). */
    alarmId: nullable(Type.String()),
    /** The service request a concern or a second "not reached" opened. */
    followUpRequestId: nullable(Type.String()),
    createdAt: IsoTime,
  },
  { additionalProperties: false },
);
export type WelfareCheckDto = Static<typeof WelfareCheckSchema>;

export const WELFARE_CHECK_VIEWS = ['today', 'visits'] as const;

export const WelfareCheckListQuerySchema = Type.Object(
  {
    view: Type.Optional(stringEnum(WELFARE_CHECK_VIEWS)),
    kind: Type.Optional(stringEnum(WELFARE_CHECK_KINDS)),
    /** The day to list for (default: today in the hub's time zone). */
    day: Type.Optional(Day),
    residentId: Type.Optional(OpsId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
  },
  { additionalProperties: false },
);
export type WelfareCheckListQuery = Static<typeof WelfareCheckListQuerySchema>;

export const WelfareCheckListResponseSchema = Type.Object(
  { day: Day, checks: Type.Array(WelfareCheckSchema) },
  { additionalProperties: false },
);
export type WelfareCheckListResponse = Static<typeof WelfareCheckListResponseSchema>;

export const WelfareCheckResponseSchema = Type.Object(
  { check: WelfareCheckSchema },
  { additionalProperties: false },
);
export type WelfareCheckResponse = Static<typeof WelfareCheckResponseSchema>;

export const CreateWelfareCheckRequestSchema = Type.Object(
  {
    residentId: OpsId,
    kind: stringEnum(WELFARE_CHECK_KINDS),
    /** Default: today. */
    dueDay: Type.Optional(Day),
    /** A wellbeing alarm (e.g. inactivity) of the same home this check answers. */
    alarmId: Type.Optional(OpsRecordId),
    assigneeUserId: Type.Optional(OpsRecordId),
  },
  { additionalProperties: false },
);
export type CreateWelfareCheckRequest = Static<typeof CreateWelfareCheckRequestSchema>;

export const RecordWelfareResultRequestSchema = Type.Object(
  {
    result: stringEnum(WELFARE_RESULTS),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type RecordWelfareResultRequest = Static<typeof RecordWelfareResultRequestSchema>;
