/**
 * `notify` section of the hub config: outbound webhooks for SMS / WeChat gateways and the like.
 */
import { Type, type Static } from '@sinclair/typebox';

export const NOTIFY_EVENTS = [
  'alarm.escalated',
  'escalation.contact',
  'escalation.accepted',
  'escalation.exhausted',
  // Issue 13: the alarm lifecycle and care operations, so an SMS or WeCom relay follows all.
  'alarm.created',
  'alarm.acknowledged',
  'alarm.resolved',
  'service_request.created',
  'service_request.assigned',
  'service_request.in_progress',
  'service_request.done',
  'service_request.cancelled',
  'service_request.note',
  'work_order.created',
  'work_order.assigned',
  'work_order.in_progress',
  'work_order.done',
  'work_order.cancelled',
  'work_order.note',
  'welfare_check.follow_up',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export const WebhookConfigSchema = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', maxLength: 2000 }),
    /** HMAC-SHA256 key for the X-Anxin-Signature header (share it with the receiver). */
    secret: Type.String({ minLength: 16, maxLength: 512 }),
    /** Events this receiver gets; "*" = all (see NOTIFY_EVENTS). */
    events: Type.Array(Type.String({ pattern: '^(\\*|[a-z_]+\\.[a-z_*]+)$' }), {
      minItems: 1,
      default: ['*'],
    }),
  },
  { additionalProperties: false },
);
export type WebhookConfig = Static<typeof WebhookConfigSchema>;

export const NotifyConfigSchema = Type.Object(
  {
    webhooks: Type.Array(WebhookConfigSchema, { maxItems: 20, default: [] }),
    /** Attempts per delivery before it is marked failed. */
    maxAttempts: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
    /** First and largest back-off between attempts (exponential, with jitter). */
    retryMinMs: Type.Integer({ minimum: 1, default: 2000 }),
    retryMaxMs: Type.Integer({ minimum: 1, default: 10 * 60_000 }),
    /** Per-request timeout. */
    timeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
    /** Deliveries waiting at most; beyond it the oldest waiting ones are dropped (counted). */
    queueMax: Type.Integer({ minimum: 1, default: 10_000 }),
    /** Requests in flight at once. */
    concurrency: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
    /** How often due deliveries are looked for (a new one is sent at once). */
    pollIntervalMs: Type.Integer({ minimum: 10, default: 1000 }),
  },
  { default: {}, additionalProperties: false },
);
export type NotifyConfig = Static<typeof NotifyConfigSchema>;
