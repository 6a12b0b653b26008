/**
 * Shared homes (issue 13): a device can belong to one resident of its home (a bed mat, a
 * pendant), so that an alarm from it names that resident (AlarmDto.residentId). Devices without a
 * resident keep the home-level rule: the home's sole resident, else none (the console then shows
 * every resident of the home).
 *
 *   GET /api/v1/homes/:id/device-residents                     → DeviceResidentListResponse   anyone who sees the home
 *   PUT /api/v1/gateways/:id/devices/:deviceId/resident        SetDeviceResidentRequest → DeviceResidentResponse   admin, installer
 *
 * Setting a resident who does not live in the device's home answers 400 VALIDATION_FAILED; it is
 * audited as `device.resident`. Alarms raised before a change keep the resident they named.
 */
import { Type, type Static } from '@sinclair/typebox';
import { CARE_ID_PATTERN } from './care.js';

export const SetDeviceResidentRequestSchema = Type.Object(
  {
    /** The resident the device belongs to; null makes it a home-level device again. */
    residentId: Type.Union([Type.String({ pattern: CARE_ID_PATTERN }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type SetDeviceResidentRequest = Static<typeof SetDeviceResidentRequestSchema>;

export const DeviceResidentSchema = Type.Object(
  {
    gatewayId: Type.String(),
    deviceId: Type.String(),
    residentId: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type DeviceResidentDto = Static<typeof DeviceResidentSchema>;

export const DeviceResidentListResponseSchema = Type.Object(
  {
    /** Every device of the home's gateways, with its resident (null: home-level). */
    devices: Type.Array(DeviceResidentSchema),
  },
  { additionalProperties: false },
);
export type DeviceResidentListResponse = Static<typeof DeviceResidentListResponseSchema>;

export const DeviceResidentResponseSchema = Type.Object(
  { device: DeviceResidentSchema },
  { additionalProperties: false },
);
export type DeviceResidentResponse = Static<typeof DeviceResidentResponseSchema>;
