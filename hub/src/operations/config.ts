/**
 * `operations` section of the hub config (issue 13): the call centre's time zone (what "today's
 * calls" means) and how long work orders get before they are overdue.
 */
import { Type, type Static } from '@sinclair/typebox';

export const OperationsConfigSchema = Type.Object(
  {
    /** IANA time zone of the call centre; days of welfare checks are calendar days here. */
    timeZone: Type.String({ minLength: 1, maxLength: 64, default: 'Asia/Shanghai' }),
    /** A work order from an alarm (a visit, a repair) is due this many hours after it is made. */
    alarmWorkOrderDueHours: Type.Integer({ minimum: 1, maximum: 24 * 90, default: 24 }),
    /** A maintenance order from device supervision (battery, silent device) is due after this. */
    maintenanceDueHours: Type.Integer({ minimum: 1, maximum: 24 * 90, default: 72 }),
    /** Low-battery and device-offline alarms open maintenance work orders for installers. */
    supervisionWorkOrders: Type.Boolean({ default: true }),
  },
  { default: {}, additionalProperties: false },
);
export type OperationsConfig = Static<typeof OperationsConfigSchema>;

/** Throws a clear error for a time zone the runtime does not know (checked once at start). */
export function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
  } catch {
    throw new Error(`operations.timeZone: unknown time zone ${JSON.stringify(timeZone)}`);
  }
}
