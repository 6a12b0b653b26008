/**
 * Telemetry series for charts (GET /homes/:id/telemetry). Part of the care contract (../care.ts
 * lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import { DeviceId } from './common.js';

export const TelemetryQuerySchema = Type.Object(
  {
    /** ISO 8601; defaults: to = now, from = to − 24 h; at most 31 days. */
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    /** Comma-separated canonical field names (telemetry.ts), e.g. `power_w,water_m3`. */
    fields: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}(,[a-z][a-z0-9_]{0,63}){0,15}$' }),
    deviceId: Type.Optional(DeviceId),
    /** Downsampled (mean per bucket for numbers, last for others) to at most this many points. */
    maxPoints: Type.Optional(Type.Integer({ minimum: 10, maximum: 5000 })),
  },
  { additionalProperties: false },
);
export type TelemetryQuery = Static<typeof TelemetryQuerySchema>;

export interface TelemetrySeriesDto {
  gatewayId: string;
  deviceId: string;
  field: string;
  /** From TELEMETRY_FIELDS, or null for a field outside the canonical list. */
  unit: string | null;
  /** [epoch ms, value] in time order. */
  points: [number, number | boolean | string][];
}

export interface TelemetryQueryResponse {
  from: string;
  to: string;
  series: TelemetrySeriesDto[];
}
