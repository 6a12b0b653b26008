/**
 * Shared pieces of the care-operations contract (issue 13): service requests, welfare checks and
 * work orders share one task lifecycle, one assignee shape and one note shape. Kept apart from
 * care.ts so the three resources import only this file (no cycles).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { stringEnum } from './schema.js';

/** Ids of areas, homes, residents (same as care.ts CARE_ID_PATTERN; repeated to avoid a cycle). */
export const OPS_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
export const OpsId = Type.String({ pattern: OPS_ID_PATTERN });
/** Ids the hub generates (UUIDv7) or care ids: both fit. */
export const OpsRecordId = Type.String({ minLength: 1, maxLength: 64 });
export const IsoTime = Type.String({ format: 'date-time' });

export const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * The lifecycle of a service request and of a work order:
 *   open → assigned → in_progress → done
 *   open | assigned | in_progress → cancelled
 * Re-assigning an assigned or in-progress task keeps its status; done and cancelled are final.
 */
export const TASK_STATUSES = ['open', 'assigned', 'in_progress', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const OPEN_TASK_STATUSES = [
  'open',
  'assigned',
  'in_progress',
] as const satisfies readonly TaskStatus[];

/** Status changes a user asks for (assignment has its own request). */
export const TASK_STATUS_CHANGES = ['in_progress', 'done', 'cancelled'] as const;
export type TaskStatusChange = (typeof TASK_STATUS_CHANGES)[number];

/**
 * Who does the work: a user of the hub (a community worker, an installer) or an outside provider
 * known only by name and phone (a meal-delivery company, a plumber). Providers are not users: a
 * call centre dispatches to dozens of small firms that never log in, and records who was sent.
 */
export const AssigneeSchema = Type.Object(
  {
    userId: nullable(OpsRecordId),
    name: Type.String({ maxLength: 200 }),
    phone: nullable(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
export type AssigneeDto = Static<typeof AssigneeSchema>;

/** Assigning: either a user of the hub (their display name is used) or a provider by name. */
export const AssignRequestSchema = Type.Object(
  {
    userId: Type.Optional(OpsRecordId),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[0-9+() -]+$' })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type AssignRequest = Static<typeof AssignRequestSchema>;

export const TaskStatusRequestSchema = Type.Object(
  {
    status: stringEnum(TASK_STATUS_CHANGES),
    /** Required for `done` (what was done) and `cancelled` (why). */
    outcome: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type TaskStatusRequest = Static<typeof TaskStatusRequestSchema>;

export const NoteSchema = Type.Object(
  {
    id: Type.Integer(),
    at: IsoTime,
    userId: nullable(Type.String()),
    /** Display name of who wrote it (`system` for notes the hub adds). */
    by: Type.String(),
    text: Type.String(),
    /** Shown to the resident's family (their page shows only these). */
    familyVisible: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type NoteDto = Static<typeof NoteSchema>;

export const AddNoteRequestSchema = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 2000 }),
    familyVisible: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AddNoteRequest = Static<typeof AddNoteRequestSchema>;

export const OpsIdParamsSchema = Type.Object({ id: OpsRecordId }, { additionalProperties: false });

/** A comma-separated list of statuses in a query string, e.g. `open,assigned`. */
export function statusListPattern(values: readonly string[]): string {
  return `^(${values.join('|')})(,(${values.join('|')}))*$`;
}
