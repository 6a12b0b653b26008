/**
 * Response plans: what the operator does, per alarm kind. Part of the care contract (../care.ts
 * lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import { ALARM_KINDS, type AlarmKind } from '../alarms.js';
import { IsoTime, nullable } from '../operations-common.js';
import { stringEnum } from '../schema.js';
import { CareId } from './common.js';

/** A plan per alarm kind, plus `default` for kinds without their own. */
export const PLAN_KINDS = ['default', ...ALARM_KINDS] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

export const ResponsePlanSchema = Type.Object(
  {
    homeId: Type.String(),
    kind: stringEnum(PLAN_KINDS),
    /** What the operator does, in order, e.g. "Call the resident", "Call contact 1", … */
    steps: Type.Array(Type.String()),
    updatedAt: IsoTime,
    updatedBy: nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type ResponsePlanDto = Static<typeof ResponsePlanSchema>;

export const PlanParamsSchema = Type.Object(
  { id: CareId, kind: stringEnum(PLAN_KINDS) },
  { additionalProperties: false },
);

export const SetResponsePlanRequestSchema = Type.Object(
  { steps: Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 30 }) },
  { additionalProperties: false },
);
export type SetResponsePlanRequest = Static<typeof SetResponsePlanRequestSchema>;

export const ResponsePlanListResponseSchema = Type.Object(
  { plans: Type.Array(ResponsePlanSchema) },
  { additionalProperties: false },
);
export type ResponsePlanListResponse = Static<typeof ResponsePlanListResponseSchema>;
export const ResponsePlanResponseSchema = Type.Object(
  { plan: ResponsePlanSchema },
  { additionalProperties: false },
);
export type ResponsePlanResponse = Static<typeof ResponsePlanResponseSchema>;

/** The plan for an alarm kind: its own, else `default`, else none. */
export function planFor(plans: ResponsePlanDto[], kind: AlarmKind): ResponsePlanDto | undefined {
  return plans.find((p) => p.kind === kind) ?? plans.find((p) => p.kind === 'default');
}
