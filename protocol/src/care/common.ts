/**
 * Shared pieces of the care contract: id patterns and the text limits every care resource uses
 * (internal to protocol/; ../care.ts re-exports the public ones).
 */
import { Type } from '@sinclair/typebox';
import { DEVICE_ID_PATTERN } from '../messages.js';
import type { UserRole } from '../roles.js';
import { GATEWAY_ID_PATTERN } from '../topics.js';

/** Roles that see the home's key-safe code (those who may send someone in). */
export const KEY_SAFE_CODE_ROLES = [
  'operator',
  'supervisor',
  'installer',
] as const satisfies readonly UserRole[];

/** Ids of areas, homes, residents, contacts: safe for URLs and topics. */
export const CARE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
export const CareId = Type.String({ pattern: CARE_ID_PATTERN });
export const GatewayId = Type.String({ pattern: GATEWAY_ID_PATTERN });
export const DeviceId = Type.String({ pattern: DEVICE_ID_PATTERN });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const ShortText = Type.String({ maxLength: 200 });
export const LongText = Type.String({ maxLength: 4000 });

/** `:id` path parameters. */
export const IdParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
