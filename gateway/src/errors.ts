/** Stable error codes of the gateway (logged as `code`, shown in health). */
export const GATEWAY_ERROR_CODES = [
  'UNKNOWN_DEVICE',
  'INVALID_READING',
  'UNKNOWN_DRIVER',
  'PORT_CONFLICT',
  'NO_PORT',
  'NO_LOCAL_MQTT',
  'DRIVER_ERROR',
  'NOT_STARTED',
] as const;
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

export class GatewayError extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}
