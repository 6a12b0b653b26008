/**
 * Loads the rows the care-operation figures are computed from (care-figures.ts) for the homes
 * of some areas (null: everywhere), and writes the figures as a CSV table.
 */
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { CareFiguresResponse } from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import '../operations/tables.js';
import { computeCareFigures } from './care-figures.js';
import { exportLabel, type ExportLang } from './export-labels.js';
import { csvLine, UTF8_BOM } from './csv.js';

/** Most rows of one kind a figures request reads (a district's year is far below this). */
const MAX_ROWS = 500_000;

export async function loadCareFigures(
  db: Kysely<Database>,
  range: {
    from: number;
    to: number;
    now: number;
    areaIds: ReadonlySet<string> | null;
    areaId: string | null;
  },
): Promise<CareFiguresResponse> {
  const { from, to } = range;
  const inAreas = (
    table: 'service_requests' | 'welfare_plans' | 'welfare_checks' | 'work_orders',
  ) =>
    range.areaIds === null
      ? sql<SqlBool>`1 = 1`
      : sql<SqlBool>`${sql.ref(`${table}.home_id`)} in (select homes.id from homes where homes.area_id in (${sql.join(
          [...range.areaIds, ''].map((id) => sql.val(id)),
        )}))`;
  const [requests, plans, checks, orders] = await Promise.all([
    db
      .selectFrom('service_requests')
      .select(['category', 'status', 'created_at', 'closed_at'])
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .where(inAreas('service_requests'))
      .limit(MAX_ROWS)
      .execute(),
    db
      .selectFrom('welfare_plans')
      .select(['resident_id', 'kind', 'cadence', 'count', 'start_day', 'active'])
      .where(inAreas('welfare_plans'))
      .limit(MAX_ROWS)
      .execute(),
    db
      .selectFrom('welfare_checks')
      .select(['kind', 'status', 'result', 'done_at'])
      .where('done_at', '>=', from)
      .where('done_at', '<', to)
      .where(inAreas('welfare_checks'))
      .limit(MAX_ROWS)
      .execute(),
    // Created in the period, or still open now (for the overdue count).
    db
      .selectFrom('work_orders')
      .select(['kind', 'status', 'created_at', 'closed_at', 'due_at'])
      .where((eb) =>
        eb.or([
          eb.and([eb('created_at', '>=', from), eb('created_at', '<', to)]),
          eb('status', 'not in', ['done', 'cancelled']),
          eb.and([eb('closed_at', '>=', from), eb('closed_at', '<', to)]),
        ]),
      )
      .where(inAreas('work_orders'))
      .limit(MAX_ROWS)
      .execute(),
  ]);
  const n = (v: number | null): number | null => (v === null ? null : Number(v));
  return computeCareFigures({
    requests: requests.map((r) => ({
      category: r.category,
      status: r.status,
      createdAt: Number(r.created_at),
      closedAt: n(r.closed_at),
    })),
    plans: plans.map((p) => ({
      residentId: p.resident_id,
      kind: p.kind,
      cadence: p.cadence,
      count: Number(p.count),
      startDay: p.start_day,
      active: Number(p.active) === 1,
    })),
    checks: checks.map((c) => ({
      kind: c.kind,
      status: c.status,
      result: c.result,
      doneAt: n(c.done_at),
    })),
    orders: orders.map((o) => ({
      kind: o.kind,
      status: o.status,
      createdAt: Number(o.created_at),
      closedAt: n(o.closed_at),
      dueAt: n(o.due_at),
    })),
    from,
    to,
    now: range.now,
    areaId: range.areaId,
  });
}

/** The figures as one long table: section, group, metric, value (easy to pivot in a spreadsheet). */
export function careFiguresCsv(f: CareFiguresResponse, lang: ExportLang | null = null): string {
  const l = (code: string) => exportLabel(code, lang);
  const lines = [csvLine(['section', 'group', 'metric', 'value'].map(l))];
  const meta = [
    ['period', '', 'from', f.from],
    ['period', '', 'to', f.to],
    ['period', '', 'area_id', f.areaId ?? ''],
  ] as const;
  for (const [section, group, metric, value] of meta)
    lines.push(csvLine([l(section), group, l(metric), value]));
  // Groups are the records' categories and kinds: values, kept as codes like every value.
  const add = (section: string, group: string, o: Record<string, string | number | null>) => {
    for (const [k, v] of Object.entries(o))
      if (k !== 'category' && k !== 'kind') lines.push(csvLine([l(section), group, l(k), v]));
  };
  for (const r of f.serviceRequests) add('service_requests', r.category, r);
  for (const w of f.welfare) add('welfare_checks', w.kind, w);
  for (const o of f.workOrders) add('work_orders', o.kind, o);
  return UTF8_BOM + lines.join('');
}
