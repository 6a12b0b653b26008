/**
 * Loads the alarms the figures are computed from (compute.ts): received in [from, to), not tests,
 * with their device's kind (care model `devices.kind`, else the driver).
 */
import { sql, type Kysely } from 'kysely';
import type { FiguresResponse } from '@anxin/protocol';
import type { CareLookup } from '../engine/care-lookup.js';
import type { Database } from '../store/schema.js';
import { computeFigures, type FigureAlarm } from './compute.js';
import { statusIn } from '../alarms/status-filter.js';
import { UNRESOLVED } from '../alarms/rows.js';

/** Most alarms one request looks at (a district sees a few hundred a day). */
const MAX_ALARMS = 200_000;

export class FiguresService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly care: CareLookup,
  ) {}

  /**
   * Figures over the alarms received in [from, to) whose home passes `inScope` (a supervisor sees
   * the figures of their own areas only).
   */
  async figures(
    from: number,
    to: number,
    now: number,
    inScope: (homeId: string | null) => boolean = () => true,
  ): Promise<FiguresResponse> {
    const kindColumn = await this.care.deviceKindColumn();
    const rows = await sql<{
      id: string;
      kind: string;
      priority: number;
      status: string;
      received_at: number;
      acknowledged_at: number | null;
      acknowledged_by: string | null;
      resolved_at: number | null;
      resolved_by: string | null;
      outcome: string | null;
      device_id: string | null;
      device_kind: string | null;
      home_id: string | null;
    }>`select a.id, a.home_id, a.kind, a.priority, a.status, a.received_at, a.acknowledged_at,
         a.acknowledged_by, a.resolved_at, a.resolved_by, a.outcome, a.device_id,
         d.${sql.ref(kindColumn)} as device_kind
       from alarms a left join devices d on d.gateway_id = a.gateway_id and d.device_id = a.device_id
       where a.test = 0 and a.received_at >= ${from} and a.received_at < ${to}
       order by a.received_at asc limit ${MAX_ALARMS}`.execute(this.db);
    const alarms: FigureAlarm[] = rows.rows
      .filter((r) => inScope(r.home_id))
      .map((r) => ({
        id: r.id,
        kind: r.kind,
        priority: Number(r.priority),
        status: r.status,
        receivedAt: Number(r.received_at),
        acknowledgedAt: r.acknowledged_at === null ? null : Number(r.acknowledged_at),
        acknowledgedBy: r.acknowledged_by,
        resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
        resolvedBy: r.resolved_by,
        outcome: r.outcome,
        deviceId: r.device_id,
        deviceKind: r.device_kind,
      }));
    const open = await this.db
      .selectFrom('alarms')
      .select('received_at')
      .where(statusIn('status', UNRESOLVED))
      .where('test', '=', 0)
      .execute();
    return computeFigures({
      alarms,
      openNow: open.map((o) => ({ receivedAt: Number(o.received_at) })),
      from,
      to,
      now,
    });
  }
}
