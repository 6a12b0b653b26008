/**
 * Escalation of untaken alarms (DESIGN.md, "Alarms"; issue 5): an alarm not acknowledged within
 * the configured time (default 60 s) goes to supervisors, then to the home's contacts in call
 * order, one at a time; the first contact to accept stops the chain. Homes in test mode never
 * escalate.
 *
 *   GET  /api/v1/alarms/:id/escalation          → EscalationResponse         console roles, family (own)
 *   POST /api/v1/alarms/:id/escalation/accept   AcceptEscalationRequest → EscalationResponse
 *                                               family (a contact of the home), supervisor, admin
 *   GET  /api/v1/escalation/accept?token=…      → EscalationLinkResponse (what the link is for; changes nothing,
 *                                               so link previews in SMS/WeChat cannot accept)
 *   POST /api/v1/escalation/accept              AcceptByTokenRequest → EscalationResponse (no session: the
 *                                               signed token from the SMS/WeChat link or a gateway callback)
 *   POST /api/v1/alarms/:id/reopen              ReopenAlarmRequest → AlarmResponse (supervisor, admin; audited)
 *
 * Socket.IO: `alarm:escalation` (EscalationDto) goes to supervisors and admins on every step, and
 * to family users who are contacts of the home when they are called and when someone accepts.
 */
import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, nullable } from './operations-common.js';
import { stringEnum } from './schema.js';

export const ESCALATION_STAGES = [
  'pending',
  'supervisors',
  'contact',
  'exhausted',
  'accepted',
  'stopped',
] as const;
export type EscalationStage = (typeof ESCALATION_STAGES)[number];

export const EscalationContactSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    relation: Type.String(),
    callOrder: Type.Integer(),
  },
  { additionalProperties: false },
);
export type EscalationContactDto = Static<typeof EscalationContactSchema>;

export const EscalationSchema = Type.Object(
  {
    alarmId: Type.String(),
    homeId: nullable(Type.String()),
    stage: stringEnum(ESCALATION_STAGES),
    /** The contact being called (stage `contact`), else null. */
    contact: nullable(EscalationContactSchema),
    /** When the next step happens; null once the chain has ended. */
    dueAt: nullable(IsoTime),
    acceptedBy: nullable(Type.String()),
    acceptedAt: nullable(IsoTime),
    /** `api`, `link` (signed token), `responding` (family "I am going there") */
    acceptedVia: nullable(Type.String()),
    /** Why it stopped: acknowledged, resolved, test_mode. */
    stoppedReason: nullable(Type.String()),
    updatedAt: IsoTime,
  },
  { additionalProperties: false },
);
export type EscalationDto = Static<typeof EscalationSchema>;

export const EscalationResponseSchema = Type.Object(
  { escalation: EscalationSchema },
  { additionalProperties: false },
);
export type EscalationResponse = Static<typeof EscalationResponseSchema>;

export const AcceptEscalationRequestSchema = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
export type AcceptEscalationRequest = Static<typeof AcceptEscalationRequestSchema>;

export const AcceptByTokenRequestSchema = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 512 }) },
  { additionalProperties: false },
);
export type AcceptByTokenRequest = Static<typeof AcceptByTokenRequestSchema>;

export const EscalationTokenQuerySchema = AcceptByTokenRequestSchema;

export const EscalationLinkResponseSchema = Type.Object(
  {
    alarmId: Type.String(),
    kind: Type.String(),
    contactName: Type.String(),
    stage: stringEnum(ESCALATION_STAGES),
    /** POST the same token to /api/v1/escalation/accept to accept. */
    acceptUrl: Type.String(),
  },
  { additionalProperties: false },
);
export type EscalationLinkResponse = Static<typeof EscalationLinkResponseSchema>;

export const ReopenAlarmRequestSchema = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);
export type ReopenAlarmRequest = Static<typeof ReopenAlarmRequestSchema>;
