/** Typed calls to the hub's REST routes (protocol/src/api.ts). */
import type {
  AlarmDetailResponse,
  AlarmOutcome,
  AlarmResponse,
  LoginRequest,
  ResolveAlarmRequest,
  SessionResponse,
} from '@anxin/protocol';
import { apiRequest } from './http';

export const getSession = (signal?: AbortSignal): Promise<SessionResponse> =>
  apiRequest<SessionResponse>('GET', '/session', signal ? { signal } : {});

export const login = (request: LoginRequest): Promise<SessionResponse> =>
  apiRequest<SessionResponse>('POST', '/session', { body: request });

export const logout = (): Promise<void> => apiRequest<void>('DELETE', '/session');

const alarmPath = (id: string): string => `/alarms/${encodeURIComponent(id)}`;

export const getAlarmDetail = (id: string, signal?: AbortSignal): Promise<AlarmDetailResponse> =>
  apiRequest<AlarmDetailResponse>('GET', alarmPath(id), signal ? { signal } : {});

export const acknowledgeAlarm = (id: string): Promise<AlarmResponse> =>
  apiRequest<AlarmResponse>('POST', `${alarmPath(id)}/acknowledge`, { body: {} });

export function resolveAlarm(
  id: string,
  outcome: AlarmOutcome,
  notes: string,
): Promise<AlarmResponse> {
  const trimmed = notes.trim();
  const body: ResolveAlarmRequest = trimmed.length > 0 ? { outcome, notes: trimmed } : { outcome };
  return apiRequest<AlarmResponse>('POST', `${alarmPath(id)}/resolve`, { body });
}
