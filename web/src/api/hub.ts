/** Typed calls to the hub's REST routes (protocol/src/api.ts). */
import type {
  AlarmDetailResponse,
  AlarmListResponse,
  AlarmOutcome,
  AlarmResponse,
  AlarmStatus,
  AreaListResponse,
  ClaimGatewayRequest,
  ClaimGatewayResponse,
  DecommissionGatewayRequest,
  GatewayResponse,
  RearmGatewayRequest,
  RearmGatewayResponse,
  CommissioningRecordListResponse,
  CommissioningRecordResponse,
  CreateCommissioningRecordRequest,
  ContactListResponse,
  CreateDeviceRequest,
  CreateHomeRequest,
  CreateResidentRequest,
  DeviceListResponse,
  DeviceResponse,
  GatewayListResponse,
  HomeCardResponse,
  HomeListResponse,
  HomeResponse,
  LoginRequest,
  MeResponse,
  ReplaceContactsRequest,
  ResidentListResponse,
  ResidentResponse,
  ResolveAlarmRequest,
  RespondingRequest,
  SessionResponse,
  SetTestModeRequest,
  TelemetryQueryResponse,
  UserListResponse,
  UpdateContactRequest,
  ContactResponse,
  FiguresResponse,
  UserRole,
  GatewayCommandResponse,
  GatewayControlResponse,
  SendCommandRequest,
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

// ───────────────────────── Care model (protocol/src/care.ts) ─────────────────────────

const enc = encodeURIComponent;
const withSignal = (signal?: AbortSignal) => (signal ? { signal } : {});

/** Query string from defined values only. */
export function query(params: Readonly<Record<string, string | number | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export const getMe = (signal?: AbortSignal): Promise<MeResponse> =>
  apiRequest<MeResponse>('GET', '/me', withSignal(signal));

export const listAlarms = (statuses: readonly AlarmStatus[], limit = 200, signal?: AbortSignal) =>
  apiRequest<AlarmListResponse>(
    'GET',
    `/alarms${query({ status: statuses.join(','), limit })}`,
    withSignal(signal),
  );

export const markResponding = (id: string, request: RespondingRequest): Promise<AlarmResponse> =>
  apiRequest<AlarmResponse>('POST', `${alarmPath(id)}/responding`, { body: request });

export const listAreas = (signal?: AbortSignal) =>
  apiRequest<AreaListResponse>('GET', '/areas', withSignal(signal));

export const listHomes = (
  params: { areaId?: string; q?: string; limit?: number },
  signal?: AbortSignal,
) => apiRequest<HomeListResponse>('GET', `/homes${query(params)}`, withSignal(signal));

export const createHome = (request: CreateHomeRequest) =>
  apiRequest<HomeResponse>('POST', '/homes', { body: request });

export const getHome = (id: string, signal?: AbortSignal) =>
  apiRequest<HomeResponse>('GET', `/homes/${enc(id)}`, withSignal(signal));

export const getHomeCard = (id: string, signal?: AbortSignal) =>
  apiRequest<HomeCardResponse>('GET', `/homes/${enc(id)}/card`, withSignal(signal));

export const setTestMode = (id: string, request: SetTestModeRequest) =>
  apiRequest<HomeResponse>('PUT', `/homes/${enc(id)}/test-mode`, { body: request });

export const listResidents = (homeId: string, signal?: AbortSignal) =>
  apiRequest<ResidentListResponse>('GET', `/homes/${enc(homeId)}/residents`, withSignal(signal));

export const createResident = (homeId: string, request: CreateResidentRequest) =>
  apiRequest<ResidentResponse>('POST', `/homes/${enc(homeId)}/residents`, { body: request });

export const listContacts = (homeId: string, signal?: AbortSignal) =>
  apiRequest<ContactListResponse>('GET', `/homes/${enc(homeId)}/contacts`, withSignal(signal));

export const replaceContacts = (homeId: string, request: ReplaceContactsRequest) =>
  apiRequest<ContactListResponse>('PUT', `/homes/${enc(homeId)}/contacts`, { body: request });

export const createCommissioningRecord = (
  homeId: string,
  request: CreateCommissioningRecordRequest,
) =>
  apiRequest<CommissioningRecordResponse>('POST', `/homes/${enc(homeId)}/commissioning`, {
    body: request,
  });

/** Newest first. */
export const listCommissioningRecords = (homeId: string, signal?: AbortSignal) =>
  apiRequest<CommissioningRecordListResponse>(
    'GET',
    `/homes/${enc(homeId)}/commissioning`,
    withSignal(signal),
  );

export const listHomeDevices = (homeId: string, signal?: AbortSignal) =>
  apiRequest<DeviceListResponse>('GET', `/homes/${enc(homeId)}/devices`, withSignal(signal));

export const queryTelemetry = (
  homeId: string,
  params: { from?: string; to?: string; fields: string; deviceId?: string; maxPoints?: number },
  signal?: AbortSignal,
) =>
  apiRequest<TelemetryQueryResponse>(
    'GET',
    `/homes/${enc(homeId)}/telemetry${query(params)}`,
    withSignal(signal),
  );

export const listGateways = (
  params: { homeId?: string; state?: string; limit?: number },
  signal?: AbortSignal,
) => apiRequest<GatewayListResponse>('GET', `/gateways${query(params)}`, withSignal(signal));

export const decommissionGateway = (gatewayId: string, request: DecommissionGatewayRequest) =>
  apiRequest<GatewayResponse>('POST', `/gateways/${enc(gatewayId)}/decommission`, {
    body: request,
  });

/** A new claim code for a decommissioned gateway (shown once). */
export const rearmGateway = (gatewayId: string, request: RearmGatewayRequest) =>
  apiRequest<RearmGatewayResponse>('POST', `/gateways/${enc(gatewayId)}/rearm`, { body: request });

export const claimGateway = (request: ClaimGatewayRequest) =>
  apiRequest<ClaimGatewayResponse>('POST', '/gateways/claim', { body: request });

export const getGatewayControl = (gatewayId: string, signal?: AbortSignal) =>
  apiRequest<GatewayControlResponse>(
    'GET',
    `/gateways/${enc(gatewayId)}/control`,
    withSignal(signal),
  );

export const sendGatewayCommand = (gatewayId: string, request: SendCommandRequest) =>
  apiRequest<GatewayCommandResponse>('POST', `/gateways/${enc(gatewayId)}/commands`, {
    body: request,
  });

export const createDevice = (gatewayId: string, request: CreateDeviceRequest) =>
  apiRequest<DeviceResponse>('POST', `/gateways/${enc(gatewayId)}/devices`, { body: request });

export const deleteDevice = (gatewayId: string, deviceId: string) =>
  apiRequest<void>('DELETE', `/gateways/${enc(gatewayId)}/devices/${enc(deviceId)}`);

export const listUsers = (role: UserRole, signal?: AbortSignal) =>
  apiRequest<UserListResponse>('GET', `/users${query({ role })}`, withSignal(signal));

export const updateContact = (homeId: string, contactId: string, request: UpdateContactRequest) =>
  apiRequest<ContactResponse>('PATCH', `/homes/${enc(homeId)}/contacts/${enc(contactId)}`, {
    body: request,
  });

export const getFigures = (params: { from?: string; to?: string }, signal?: AbortSignal) =>
  apiRequest<FiguresResponse>('GET', `/figures${query(params)}`, withSignal(signal));
