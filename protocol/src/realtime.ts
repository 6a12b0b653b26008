/**
 * The Socket.IO contract between hub and browsers, and the one REST error shape.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { AlarmDto } from './alarms.js';
import type { GatewayCommandDto, GatewayControlDto } from './control.js';
import type { EscalationDto } from './escalation.js';
import { stringEnum } from './schema.js';

/** Events the hub pushes. */
/** The care-operation records whose lists are pushed live (issue 13). */
export const OPS_CHANGE_KINDS = [
  'service_request',
  'welfare_check',
  'welfare_plan',
  'work_order',
] as const;
export type OpsChangeKind = (typeof OPS_CHANGE_KINDS)[number];

/**
 * A care-operation record changed (committed): lists showing its kind refetch. Ids only, no
 * personal data: what changed is read over REST, under the reader's own scope.
 */
export interface OpsChangedEvent {
  kind: OpsChangeKind;
  id: string;
  /** The area of the record's home (null for a record about no home). */
  areaId: string | null;
}

export interface ServerToClientEvents {
  /** A new alarm was stored. */
  'alarm:new': (alarm: AlarmDto) => void;
  /** An alarm changed (acknowledged, resolved, new trigger joined, cancelled by the resident). */
  'alarm:updated': (alarm: AlarmDto) => void;
  /** An untaken alarm escalated, called a contact, was accepted or stopped (escalation.ts). */
  'alarm:escalation': (escalation: EscalationDto) => void;
  /** A gateway command was answered or timed out (installers, admins of the home). */
  'gateway:command': (command: GatewayCommandDto) => void;
  /** A gateway reported its configuration state: applied, or refused with a reason. */
  'gateway:control': (control: GatewayControlDto) => void;
  /** A service request, welfare check or plan, or work order the user may see changed. */
  'ops:changed': (change: OpsChangedEvent) => void;
}

/** Requests a browser may make over the socket; each answers through the ack callback. */
export interface ClientToServerEvents {
  /**
   * The full list of unresolved alarms. Consoles call it on every (re)connect and replace their
   * list with it, so nothing is missed during a disconnection and nothing is shown twice.
   */
  'alarms:sync': (reply: (result: { alarms: AlarmDto[]; serverTime: string }) => void) => void;
}

/** Stable REST error codes (DESIGN.md: "Errors have stable codes; REST errors share one shape"). */
export const API_ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'UNSUPPORTED_MEDIA_TYPE',
  /** A gateway command name this hub does not know (400). */
  'UNKNOWN_COMMAND',
  /** A gateway command's numeric argument outside its allowed range (400). */
  'ARG_OUT_OF_RANGE',
  'INTERNAL',
  // Zero-touch claim (claim.ts).
  'CLAIM_CODE_INVALID',
  'CLAIM_CODE_USED',
  'CLAIM_NONCE_INVALID',
  'GATEWAY_DECOMMISSIONED',
  /** Re-arming a gateway that is in service: decommission it first (409). */
  'GATEWAY_NOT_DECOMMISSIONED',
  /** A real import while another one runs in the district (409, with Retry-After). */
  'IMPORT_IN_PROGRESS',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Every REST error's body; clients read an untrusted answer through it (parsePayload). */
export const ApiErrorSchema = Type.Object({
  error: Type.Object({
    code: stringEnum(API_ERROR_CODES),
    message: Type.String(),
    /** For VALIDATION_FAILED: which fields, e.g. [{ path: '/outcome', message: '...' }]. */
    details: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
    ),
  }),
});
export type ApiError = Static<typeof ApiErrorSchema>;
