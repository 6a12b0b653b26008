/**
 * CSV exports (protocol/src/export.ts), streamed: each dataset is read in pages of PAGE rows by
 * keyset (time, id), so a year of a district's alarms never sits in memory, and written line by
 * line through csvLine (RFC 4180, formula guard). Portable SQL: one statement per page with the
 * area condition as an IN list.
 */
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { ExportDataset } from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import { csvLine, UTF8_BOM } from './csv.js';
import { exportLabel, type ExportLang } from './export-labels.js';

const PAGE = 1000;

type Cell = string | number | boolean | null;
type Row = Record<string, unknown>;

interface Column {
  header: string;
  /** SQL expression over the aliases x (the dataset's table) and h (its home). */
  expr: string;
  /** How the value is written: epoch ms → ISO time, 0/1 → boolean. */
  as?: 'time' | 'bool';
}

interface Dataset {
  table: 'alarms' | 'service_requests' | 'welfare_checks' | 'work_orders';
  /** The period column: epoch ms, or a 'YYYY-MM-DD' day (welfare checks). */
  time: string;
  day?: boolean;
  columns: Column[];
}

const c = (header: string, expr = `x.${header}`, as?: Column['as']): Column => ({
  header,
  expr,
  ...(as ? { as } : {}),
});

export const DATASETS: Record<Exclude<ExportDataset, 'figures'>, Dataset> = {
  alarms: {
    table: 'alarms',
    time: 'received_at',
    columns: [
      c('id'),
      c('received_at', 'x.received_at', 'time'),
      c('raised_at', 'x.raised_at', 'time'),
      c('kind'),
      c('priority'),
      c('status'),
      c('test', 'x.test', 'bool'),
      c('area_id', 'h.area_id'),
      c('home_id'),
      c('resident_id'),
      c('gateway_id'),
      c('device_id'),
      c('trigger_count'),
      c('acknowledged_at', 'x.acknowledged_at', 'time'),
      c('acknowledged_by'),
      c('resolved_at', 'x.resolved_at', 'time'),
      c('resolved_by'),
      c('outcome'),
      c('cancelled_by_resident_at', 'x.cancelled_by_resident_at', 'time'),
      c('notes'),
    ],
  },
  service_requests: {
    table: 'service_requests',
    time: 'created_at',
    columns: [
      c('id'),
      c('created_at', 'x.created_at', 'time'),
      c('area_id', 'h.area_id'),
      c('home_id'),
      c('resident_id'),
      c('category'),
      c('urgency'),
      c('status'),
      c('source'),
      c('requested_for', 'x.requested_for', 'time'),
      c('assignee_name'),
      c('assigned_at', 'x.assigned_at', 'time'),
      c('started_at', 'x.started_at', 'time'),
      c('closed_at', 'x.closed_at', 'time'),
      c('outcome'),
      c('description'),
    ],
  },
  welfare_checks: {
    table: 'welfare_checks',
    time: 'due_day',
    day: true,
    columns: [
      c('id'),
      c('due_day'),
      c('area_id', 'h.area_id'),
      c('home_id'),
      c('resident_id'),
      c('plan_id'),
      c('kind'),
      c('status'),
      c('result'),
      c('done_at', 'x.done_at', 'time'),
      c('done_by'),
      c('follow_up_request_id'),
      c('alarm_id'),
      c('note'),
    ],
  },
  work_orders: {
    table: 'work_orders',
    time: 'created_at',
    columns: [
      c('id'),
      c('created_at', 'x.created_at', 'time'),
      c('area_id', 'h.area_id'),
      c('home_id'),
      c('kind'),
      c('status'),
      c('source'),
      c('alarm_id'),
      c('gateway_id'),
      c('device_id'),
      c('assignee_name'),
      c('due_at', 'x.due_at', 'time'),
      c('closed_at', 'x.closed_at', 'time'),
      c('outcome'),
      c('description'),
    ],
  },
};

function cell(value: unknown, as: Column['as']): Cell {
  if (value === null || value === undefined) return null;
  if (as === 'time') return new Date(Number(value)).toISOString();
  if (as === 'bool') return Number(value) === 1;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return value;
  if (typeof value === 'bigint') return Number(value);
  return value instanceof Date ? value.toISOString() : null;
}

export interface ExportRange {
  /** [from, to) as epoch ms, and the same as days in the hub's time zone (welfare checks). */
  from: number;
  to: number;
  fromDay: string;
  toDay: string;
  /** Areas the rows' homes must be in; null = everything (rows without a home included). */
  areaIds: ReadonlySet<string> | null;
}

/** The CSV file of one dataset, as chunks (the header first, then a page of lines at a time). */
export async function* exportCsv(
  db: Kysely<Database>,
  dataset: Exclude<ExportDataset, 'figures'>,
  range: ExportRange,
  lang: ExportLang | null = null,
): AsyncGenerator<string> {
  const d = DATASETS[dataset];
  yield UTF8_BOM + csvLine(d.columns.map((col) => exportLabel(col.header, lang)));
  const time = sql.raw(`x.${d.time}`);
  const select = sql.raw(
    [
      ...d.columns.map((col, i) => `${col.expr} as c${i}`),
      `x.${d.time} as k_time`,
      'x.id as k_id',
    ].join(', '),
  );
  const lo = d.day ? range.fromDay : range.from;
  const hi = d.day ? range.toDay : range.to;
  const area: RawBuilder<SqlBool> =
    range.areaIds === null
      ? sql<SqlBool>`1 = 1`
      : sql<SqlBool>`h.area_id in (${sql.join([...range.areaIds, ''].map((id) => sql.val(id)))})`;
  let after: { time: unknown; id: string } | null = null;
  for (;;) {
    const cursor: RawBuilder<SqlBool> =
      after === null
        ? sql<SqlBool>`1 = 1`
        : sql<SqlBool>`(${time} > ${after.time} or (${time} = ${after.time} and x.id > ${after.id}))`;
    const page = await sql<Row>`select ${select} from ${sql.table(d.table)} x
        left join homes h on h.id = x.home_id
        where ${time} >= ${lo} and ${time} < ${hi} and ${area} and ${cursor}
        order by ${time}, x.id limit ${PAGE}`.execute(db);
    if (page.rows.length === 0) return;
    yield page.rows
      .map((r) => csvLine(d.columns.map((col, i) => cell(r[`c${i}`], col.as))))
      .join('');
    const last = page.rows[page.rows.length - 1];
    if (!last || page.rows.length < PAGE) return;
    after = { time: last.k_time, id: String(last.k_id) };
  }
}
