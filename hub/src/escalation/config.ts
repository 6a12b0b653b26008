/**
 * `escalation` section of the hub config (issue 5: "an alarm not acknowledged within a
 * configurable time (default 60 s) escalates to supervisors, then to family contacts in call
 * order").
 */
import { Type, type Static } from '@sinclair/typebox';

export const EscalationConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    /** Untaken this long after the hub received it → supervisors. */
    ackTimeoutS: Type.Number({ exclusiveMinimum: 0, default: 60 }),
    /** Supervisors' turn before the home's contacts are called. */
    supervisorTimeoutS: Type.Number({ minimum: 0, default: 120 }),
    /** Each contact's turn to accept before the next one is called. */
    contactStepTimeoutS: Type.Number({ exclusiveMinimum: 0, default: 180 }),
    /** Alarm priorities that escalate (1 life-safety, 2 wellbeing, 3 technical). */
    priorities: Type.Array(Type.Integer({ minimum: 1, maximum: 3 }), { default: [1, 2] }),
    /** Base of accept links sent to contacts, e.g. https://care.example.org (empty: a path only). */
    publicUrl: Type.String({ default: '' }),
    /** Accept links expire after this. */
    linkTtlH: Type.Number({ exclusiveMinimum: 0, default: 24 }),
    /** How often due steps are looked for. */
    pollIntervalMs: Type.Integer({ minimum: 10, default: 1000 }),
    /** A step being worked on is retried after this if the hub died in the middle of it. */
    leaseMs: Type.Integer({ minimum: 100, default: 30_000 }),
  },
  { default: {}, additionalProperties: false },
);
export type EscalationConfig = Static<typeof EscalationConfigSchema>;
