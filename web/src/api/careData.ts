/** Typed calls to issue 13's data routes: shared homes, bulk import, exports, care figures. */
import type { DeviceResidentListResponse, DeviceResidentResponse } from '@anxin/protocol';
import { apiRequest } from './http';

const enc = encodeURIComponent;

export const listDeviceResidents = (homeId: string, signal?: AbortSignal) =>
  apiRequest<DeviceResidentListResponse>(
    'GET',
    `/homes/${enc(homeId)}/device-residents`,
    signal ? { signal } : {},
  );

export const setDeviceResident = (gatewayId: string, deviceId: string, residentId: string | null) =>
  apiRequest<DeviceResidentResponse>(
    'PUT',
    `/gateways/${enc(gatewayId)}/devices/${enc(deviceId)}/resident`,
    { body: { residentId } },
  );
