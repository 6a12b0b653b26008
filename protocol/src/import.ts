/**
 * Bulk import (issue 13): homes, residents, contacts and welfare plans from a CSV or XLSX file, one
 * kind per file,
 * so a district of 20,000 homes is not typed in one by one.
 *
 *   GET  /api/v1/import/:kind/template?lang=en|zh-CN    → text/csv (UTF-8 with BOM): the header row
 *   POST /api/v1/import/:kind?dryRun=true&encoding=utf-8|gb18030
 *        body: the file as sent (text/csv, or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)
 *        → ImportReport                                           admin; supervisor within their areas
 *
 * A dry run (`dryRun=true`, the default) checks every row and lists EVERY error (row number,
 * column, stable code, message) and writes nothing. A real run (`dryRun=false`) checks the same
 * way and writes all rows in one transaction, or nothing: with any error it answers 400
 * VALIDATION_FAILED (details: the first 100 errors) and nothing is written. Rows are keyed by a
 * stable code that the district chooses (`home_code` is the home's id, `resident_code` the
 * resident's, a contact is `home_code` + `call_order`, a welfare plan `resident_code` + `kind`):
 * importing the same file again updates those records instead of adding copies. Order: homes,
 * then residents and contacts (they name homes already on the hub), then welfare plans (they
 * name residents). A welfare plan is checked as POST /api/v1/welfare-plans checks one (count,
 * start day, an assignee who is an enabled community worker, operator or supervisor, named by
 * username); a changed schedule replaces the plan's pending check. Row numbers are the file's lines as a spreadsheet shows them: the
 * header is row 1, the first record row 2.
 *
 * Headers may be the English keys or their Chinese labels (the templates), in any order; an
 * unknown or missing required header refuses the whole file. CSV is RFC 4180 (comma, double
 * quotes, CRLF or LF), UTF-8 (a BOM is fine) unless `encoding=gb18030` (what Excel in Chinese
 * saves as "CSV"). Limits: IMPORT_MAX_BYTES and IMPORT_MAX_ROWS. Every real run is audited
 * (`data.import`, with the counts), and so are refusals by role or scope.
 */
import { Type, type Static } from '@sinclair/typebox';
import { stringEnum } from './schema.js';

export const IMPORT_KINDS = ['homes', 'residents', 'contacts', 'welfare_plans'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** A district's file (20,000 homes with residents is ~5 MB) fits well inside these. */
export const IMPORT_MAX_BYTES = 32 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 100_000;
/** Errors listed in one report; past this `errorsTruncated` is true (the file is hopeless anyway). */
export const IMPORT_MAX_ERRORS = 100_000;

export const XLSX_CONTENT_TYPE =
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface ImportColumn {
  key: string;
  /** The Chinese header of the zh-CN template; accepted as well as `key`. */
  zh: string;
  required: boolean;
}

export const IMPORT_COLUMNS: Readonly<Record<ImportKind, readonly ImportColumn[]>> = {
  homes: [
    { key: 'home_code', zh: '住户编号', required: true },
    { key: 'area_id', zh: '所属社区编号', required: true },
    { key: 'address', zh: '地址', required: true },
    { key: 'floor', zh: '楼层', required: false },
    { key: 'room', zh: '房号', required: false },
    { key: 'access_notes', zh: '入户说明', required: false },
    { key: 'key_safe_code', zh: '钥匙盒密码', required: false },
  ],
  residents: [
    { key: 'resident_code', zh: '老人编号', required: true },
    { key: 'home_code', zh: '住户编号', required: true },
    { key: 'name', zh: '姓名', required: true },
    { key: 'birth_year', zh: '出生年份', required: false },
    { key: 'languages', zh: '语言', required: false },
    { key: 'mobility', zh: '行动能力', required: false },
    { key: 'lives_alone', zh: '是否独居', required: false },
    { key: 'medical_notes', zh: '健康备注', required: false },
  ],
  contacts: [
    { key: 'home_code', zh: '住户编号', required: true },
    { key: 'call_order', zh: '呼叫顺序', required: true },
    { key: 'name', zh: '姓名', required: true },
    { key: 'relation', zh: '关系', required: true },
    { key: 'phone', zh: '电话', required: true },
    { key: 'availability', zh: '可联系时间', required: false },
  ],
  welfare_plans: [
    { key: 'resident_code', zh: '老人编号', required: true },
    /** call | visit (电话 / 探访). */
    { key: 'kind', zh: '方式', required: true },
    /** every_days | per_month (每隔几天 / 每月几次). */
    { key: 'cadence', zh: '频率', required: true },
    /** every_days: the interval in days; per_month: checks a month (1-31). */
    { key: 'count', zh: '次数或天数', required: true },
    /** YYYY-MM-DD; blank: today for a new plan, unchanged for an existing one. */
    { key: 'start_day', zh: '开始日期', required: false },
    /** A username; blank: the call centre. */
    { key: 'assignee', zh: '负责人账号', required: false },
    /** yes | no (是 / 否); blank: yes. */
    { key: 'active', zh: '是否启用', required: false },
    { key: 'notes', zh: '备注', required: false },
  ],
};

/** Why a file as a whole cannot be read (a dry run reports them in `fileErrors`). */
export const IMPORT_FILE_ERROR_CODES = [
  'EMPTY_FILE',
  'BAD_ENCODING',
  'BAD_CSV',
  'BAD_XLSX',
  'MISSING_HEADERS',
  'UNKNOWN_HEADER',
  'DUPLICATE_HEADER',
  'TOO_MANY_ROWS',
] as const;
export type ImportFileErrorCode = (typeof IMPORT_FILE_ERROR_CODES)[number];

/** Why one cell or row is refused. */
export const IMPORT_ROW_ERROR_CODES = [
  'REQUIRED',
  'TOO_LONG',
  'INVALID_FORMAT',
  'INVALID_VALUE',
  'DUPLICATE_KEY',
  'UNKNOWN_AREA',
  'AREA_OUT_OF_SCOPE',
  'UNKNOWN_HOME',
  'UNKNOWN_RESIDENT',
  'INVALID_ASSIGNEE',
  'CODE_TAKEN',
  'WRONG_COLUMN_COUNT',
] as const;
export type ImportRowErrorCode = (typeof IMPORT_ROW_ERROR_CODES)[number];

export const ImportFileErrorSchema = Type.Object({
  code: stringEnum(IMPORT_FILE_ERROR_CODES),
  message: Type.String(),
});
export type ImportFileError = Static<typeof ImportFileErrorSchema>;

export const ImportRowErrorSchema = Type.Object({
  /** The spreadsheet's row number (header = 1). */
  row: Type.Integer(),
  /** The column key (home_code …), or null for the row as a whole. */
  column: Type.Union([Type.String(), Type.Null()]),
  code: stringEnum(IMPORT_ROW_ERROR_CODES),
  message: Type.String(),
});
export type ImportRowError = Static<typeof ImportRowErrorSchema>;

export const ImportReportSchema = Type.Object({
  kind: stringEnum(IMPORT_KINDS),
  dryRun: Type.Boolean(),
  /** True only when a real run wrote the rows. */
  applied: Type.Boolean(),
  /** Record rows read (the header not counted). */
  rows: Type.Integer(),
  /** Rows that would create (dry run) or created a record. */
  created: Type.Integer(),
  /** Rows that would update (dry run) or updated an existing record. */
  updated: Type.Integer(),
  fileErrors: Type.Array(ImportFileErrorSchema),
  errors: Type.Array(ImportRowErrorSchema),
  /** All row errors, also those past IMPORT_MAX_ERRORS. */
  errorCount: Type.Integer(),
  errorsTruncated: Type.Boolean(),
  durationMs: Type.Integer(),
  /**
   * A real run's import job: its rows are committed in short chunks, so an interrupted import is
   * completed by importing the same file again (`resumed`, the rows already committed skipped).
   */
  job: Type.Optional(
    Type.Object({
      id: Type.String(),
      resumed: Type.Boolean(),
      rowsSkipped: Type.Integer(),
    }),
  ),
});
export type ImportReport = Static<typeof ImportReportSchema>;

export const ImportParamsSchema = Type.Object(
  { kind: stringEnum(IMPORT_KINDS) },
  { additionalProperties: false },
);

export const ImportQuerySchema = Type.Object(
  {
    dryRun: Type.Optional(Type.Boolean()),
    encoding: Type.Optional(stringEnum(['utf-8', 'gb18030'] as const)),
  },
  { additionalProperties: false },
);
export type ImportQuery = Static<typeof ImportQuerySchema>;

export const TemplateQuerySchema = Type.Object(
  { lang: Type.Optional(stringEnum(['en', 'zh-CN'] as const)) },
  { additionalProperties: false },
);
export type TemplateQuery = Static<typeof TemplateQuerySchema>;
