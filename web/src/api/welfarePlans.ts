/**
 * Typed calls to the welfare-plan routes (protocol welfare.ts) and the service-button routes
 * (protocol service-requests.ts, "Service buttons").
 */
import type {
  CreateWelfarePlanRequest,
  ServiceButtonListResponse,
  ServiceButtonResponse,
  SetServiceButtonRequest,
  UpdateWelfarePlanRequest,
  WelfareAssigneeListResponse,
  WelfarePlanListResponse,
  WelfarePlanResponse,
} from '@anxin/protocol';
import { apiRequest } from './http';
import { query } from './hub';

const enc = encodeURIComponent;
const withSignal = (signal?: AbortSignal) => (signal ? { signal } : {});

export const listWelfarePlans = (
  params: { areaId?: string; active?: boolean } = {},
  signal?: AbortSignal,
) =>
  apiRequest<WelfarePlanListResponse>(
    'GET',
    `/welfare-plans${query({
      areaId: params.areaId,
      active: params.active === undefined ? undefined : String(params.active),
    })}`,
    withSignal(signal),
  );

export const createWelfarePlan = (request: CreateWelfarePlanRequest) =>
  apiRequest<WelfarePlanResponse>('POST', '/welfare-plans', { body: request });

export const updateWelfarePlan = (id: string, request: UpdateWelfarePlanRequest) =>
  apiRequest<WelfarePlanResponse>('PATCH', `/welfare-plans/${enc(id)}`, { body: request });

export const deleteWelfarePlan = (id: string) =>
  apiRequest<void>('DELETE', `/welfare-plans/${enc(id)}`);

export const listWelfareAssignees = (signal?: AbortSignal) =>
  apiRequest<WelfareAssigneeListResponse>('GET', '/welfare-assignees', withSignal(signal));

export const listServiceButtons = (gatewayId: string, signal?: AbortSignal) =>
  apiRequest<ServiceButtonListResponse>(
    'GET',
    `/gateways/${enc(gatewayId)}/service-buttons`,
    withSignal(signal),
  );

const buttonPath = (gatewayId: string, deviceId: string) =>
  `/gateways/${enc(gatewayId)}/devices/${enc(deviceId)}/service-button`;

export const setServiceButton = (
  gatewayId: string,
  deviceId: string,
  request: SetServiceButtonRequest,
) => apiRequest<ServiceButtonResponse>('PUT', buttonPath(gatewayId, deviceId), { body: request });

export const removeServiceButton = (gatewayId: string, deviceId: string) =>
  apiRequest<void>('DELETE', buttonPath(gatewayId, deviceId));
