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
import { ALARM_OUTCOMES, type AlarmDto } from './alarms.js';
import type { UserRole } from './roles.js';
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

export interface UserDto {
  id: string;
  username: string;
  displayName: string;
  role: UserRole;
}

export interface SessionResponse {
  user: UserDto;
  expiresAt: string;
}

export const ResolveAlarmRequestSchema = Type.Object(
  {
    outcome: stringEnum(ALARM_OUTCOMES),
    notes: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
);
export type ResolveAlarmRequest = Static<typeof ResolveAlarmRequestSchema>;

export interface AlarmListResponse {
  alarms: AlarmDto[];
}

export interface AlarmResponse {
  alarm: AlarmDto;
}

/** One device trigger joined into an alarm (the alarm's timeline). */
export interface AlarmTriggerDto {
  eventId: string;
  seq: number;
  deviceId: string;
  action: 'raise' | 'clear' | 'cancel';
  observedAt: string;
  receivedAt: string;
  detail: Record<string, number | boolean | string> | null;
  /** Sent by a gateway in its own test mode (the event's `test` mark). */
  gatewayTest: boolean;
}

export interface AlarmDetailResponse {
  alarm: AlarmDto;
  timeline: AlarmTriggerDto[];
}
