/**
 * REST API contract under /api/v1 (hub ⇄ browsers and tools). Request bodies are validated by the
 * hub with these schemas; responses use the DTOs. Errors always use ApiError (realtime.ts).
 *
 *   POST   /api/v1/session                 LoginRequest → SessionResponse, sets the session cookie
 *   GET    /api/v1/session                 → SessionResponse (401 UNAUTHENTICATED when logged out)
 *   DELETE /api/v1/session                 → 204, clears the cookie
 *   GET    /api/v1/alarms?status=open,acknowledged&limit=200
 *                                          → AlarmListResponse, queue order (compareAlarmsForQueue)
 *   GET    /api/v1/alarms/:id              → AlarmDetailResponse
 *   POST   /api/v1/alarms/:id/acknowledge  → AlarmResponse (409 CONFLICT if already resolved)
 *   POST   /api/v1/alarms/:id/resolve      ResolveAlarmRequest → AlarmResponse
 *   GET    /healthz                        → { status: 'ok' | 'degraded', checks: {...} }
 *   GET    /metrics                        Prometheus text format
 *
 * The session cookie is `anxin_session` (httpOnly, SameSite=Lax); Socket.IO connections are
 * authenticated by the same cookie.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ALARM_ACTIONS, ALARM_OUTCOMES, AlarmSchema } from './alarms.js';
import { IsoTime, nullable } from './operations-common.js';
import { USER_ROLES } from './roles.js';
import { stringEnum } from './schema.js';

export const SESSION_COOKIE = 'anxin_session';

export const LoginRequestSchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequestSchema>;

/** Answer schemas are closed (`additionalProperties: false`), as the hub serializes with them. */
const closed = { additionalProperties: false } as const;

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    role: stringEnum(USER_ROLES),
  },
  closed,
);
export type UserDto = Static<typeof UserSchema>;

export const SessionResponseSchema = Type.Object({ user: UserSchema, expiresAt: IsoTime }, closed);
export type SessionResponse = Static<typeof SessionResponseSchema>;

export const ResolveAlarmRequestSchema = Type.Object(
  {
    outcome: stringEnum(ALARM_OUTCOMES),
    notes: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
);
export type ResolveAlarmRequest = Static<typeof ResolveAlarmRequestSchema>;

export const AlarmListResponseSchema = Type.Object({ alarms: Type.Array(AlarmSchema) }, closed);
export type AlarmListResponse = Static<typeof AlarmListResponseSchema>;

export const AlarmResponseSchema = Type.Object({ alarm: AlarmSchema }, closed);
export type AlarmResponse = Static<typeof AlarmResponseSchema>;

/** One device trigger joined into an alarm (the alarm's timeline). */
export const AlarmTriggerSchema = Type.Object(
  {
    eventId: Type.String(),
    seq: Type.Integer(),
    deviceId: Type.String(),
    action: stringEnum(ALARM_ACTIONS),
    observedAt: IsoTime,
    receivedAt: IsoTime,
    detail: nullable(
      Type.Record(Type.String(), Type.Union([Type.Number(), Type.Boolean(), Type.String()])),
    ),
    /** Sent by a gateway in its own test mode (the event's `test` mark). */
    gatewayTest: Type.Boolean(),
  },
  closed,
);
export type AlarmTriggerDto = Static<typeof AlarmTriggerSchema>;

export const AlarmDetailResponseSchema = Type.Object(
  { alarm: AlarmSchema, timeline: Type.Array(AlarmTriggerSchema) },
  closed,
);
export type AlarmDetailResponse = Static<typeof AlarmDetailResponseSchema>;
