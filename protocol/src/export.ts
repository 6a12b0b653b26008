/**
 * CSV exports (issue 13): alarms, service requests, welfare checks, work orders and the figures
 * of an area and period, for the district's own reports and spreadsheets.
 *
 *   GET /api/v1/export/:dataset?from&to&areaId     → text/csv     admin; supervisor within their areas
 *
 * `from`/`to`: ISO 8601 (default: the last 31 days up to now; at most 366 days). Rows count when
 * created (alarms: received by the hub; welfare checks: their due day) within [from, to).
 * `areaId` narrows to an area and everything below it (it must be in the caller's scope, else
 * 404). Files are UTF-8 with a BOM (Excel then shows Chinese correctly), RFC 4180 (CRLF, quoted
 * where needed), streamed page by page; a cell that starts like a formula (= + - @) is written
 * with a leading apostrophe so a spreadsheet shows it as text instead of running it. Times are
 * ISO 8601 UTC. Test alarms are included, marked in the `test` column. Each export is audited
 * (`data.export`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { stringEnum } from './schema.js';

export const EXPORT_DATASETS = [
  'alarms',
  'service_requests',
  'welfare_checks',
  'work_orders',
  'figures',
] as const;
export type ExportDataset = (typeof EXPORT_DATASETS)[number];

export const EXPORT_MAX_DAYS = 366;

export const ExportParamsSchema = Type.Object(
  { dataset: stringEnum(EXPORT_DATASETS) },
  { additionalProperties: false },
);

export const ExportQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    areaId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /**
     * Column headers in this language; without it the browser's Accept-Language decides, and
     * with neither the headers are the stable column codes (scripts).
     */
    lang: Type.Optional(stringEnum(['en', 'zh-CN'] as const)),
  },
  { additionalProperties: false },
);
export type ExportQuery = Static<typeof ExportQuerySchema>;
