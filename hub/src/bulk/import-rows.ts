/**
 * The import's pure part: a header row → column keys, and one row's cells → a typed record or
 * the errors of each cell (protocol/src/import.ts). No I/O, no clock: table-tested.
 */
import {
  CARE_ID_PATTERN,
  CONTACT_RELATIONS,
  IMPORT_COLUMNS,
  MOBILITY_LEVELS,
  WELFARE_CADENCES,
  WELFARE_CHECK_KINDS,
  type ContactRelation,
  type ImportFileError,
  type ImportKind,
  type ImportRowError,
  type Mobility,
  type WelfareCadence,
  type WelfareCheckKind,
} from '@anxin/protocol';
import { isValidDay } from '../operations/schedule.js';
import { PLAN_COUNT_MAX, PLAN_COUNT_MIN } from '../operations/welfare-plans.js';

export interface HomeRecord {
  id: string;
  areaId: string;
  address: string;
  floor: string | null;
  room: string | null;
  accessNotes: string | null;
  keySafeCode: string | null;
}

export interface ResidentRecord {
  id: string;
  homeId: string;
  name: string;
  birthYear: number | null;
  languages: string[];
  mobility: Mobility | null;
  livesAlone: boolean;
  medicalNotes: string | null;
}

export interface ContactRecord {
  homeId: string;
  callOrder: number;
  name: string;
  relation: ContactRelation;
  phone: string;
  availability: string | null;
}

export interface WelfarePlanRecord {
  residentId: string;
  kind: WelfareCheckKind;
  cadence: WelfareCadence;
  count: number;
  /** null: today for a new plan, unchanged for an existing one. */
  startDay: string | null;
  /** A username (resolved by the plan step); null: the call centre. */
  assignee: string | null;
  active: boolean;
  notes: string | null;
}

export type ImportRecord =
  | { kind: 'homes'; row: number; value: HomeRecord }
  | { kind: 'residents'; row: number; value: ResidentRecord }
  | { kind: 'contacts'; row: number; value: ContactRecord }
  | { kind: 'welfare_plans'; row: number; value: WelfarePlanRecord };

/** Which column each position of the file holds (null: an empty header past the last column). */
export type HeaderMap = (string | null)[];

/** The header row → column keys; English keys and the Chinese template labels both count. */
export function mapHeader(
  kind: ImportKind,
  header: readonly string[],
): { ok: true; columns: HeaderMap } | { ok: false; errors: ImportFileError[] } {
  const known = IMPORT_COLUMNS[kind];
  const errors: ImportFileError[] = [];
  const seen = new Set<string>();
  const columns: HeaderMap = header.map((raw) => {
    const name = raw.trim();
    if (name === '') return null;
    const column = known.find((c) => c.key === name.toLowerCase() || c.zh === name);
    if (!column) {
      errors.push({ code: 'UNKNOWN_HEADER', message: `unknown column "${name.slice(0, 64)}"` });
      return null;
    }
    if (seen.has(column.key))
      errors.push({ code: 'DUPLICATE_HEADER', message: `column ${column.key} appears twice` });
    seen.add(column.key);
    return column.key;
  });
  const missing = known.filter((c) => c.required && !seen.has(c.key)).map((c) => c.key);
  if (missing.length > 0)
    errors.push({ code: 'MISSING_HEADERS', message: `missing column(s): ${missing.join(', ')}` });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, columns };
}

/** True when every cell of the row is blank (spreadsheets leave such rows; they are skipped). */
export const isBlankRow = (cells: readonly string[]): boolean =>
  cells.every((c) => c.trim() === '');

const CARE_ID = new RegExp(CARE_ID_PATTERN);
const PHONE = /^[0-9+() -]{3,32}$/;
const YES = new Set(['yes', 'y', 'true', '1', '是', '独居']);
const NO = new Set(['no', 'n', 'false', '0', '否', '']);
const RELATION_ZH: Readonly<Record<string, ContactRelation>> = {
  家属: 'family',
  子女: 'family',
  亲属: 'family',
  邻居: 'neighbour',
  社区工作者: 'community_worker',
  网格员: 'community_worker',
  其他: 'other',
};
const MOBILITY_ZH: Readonly<Record<string, Mobility>> = {
  自理: 'independent',
  助行: 'walking_aid',
  轮椅: 'wheelchair',
  卧床: 'bedridden',
};
const CHECK_KIND_ZH: Readonly<Record<string, WelfareCheckKind>> = {
  电话: 'call',
  电话问候: 'call',
  探访: 'visit',
  上门: 'visit',
  上门探访: 'visit',
};
const CADENCE_ZH: Readonly<Record<string, WelfareCadence>> = {
  每隔几天: 'every_days',
  隔天: 'every_days',
  每月: 'per_month',
  每月几次: 'per_month',
};

/** Reads one row's cells by column key, collecting every error instead of stopping at the first. */
class RowReader {
  readonly errors: ImportRowError[] = [];
  constructor(
    private readonly cells: ReadonlyMap<string, string>,
    readonly row: number,
  ) {}

  private fail(column: string, code: ImportRowError['code'], message: string): null {
    this.errors.push({ row: this.row, column, code, message });
    return null;
  }

  text(column: string, max: number, required: boolean): string | null {
    const v = (this.cells.get(column) ?? '').trim();
    if (v === '') return required ? this.fail(column, 'REQUIRED', `${column} is required`) : null;
    if (v.length > max) return this.fail(column, 'TOO_LONG', `at most ${max} characters`);
    return v;
  }

  code(column: string): string | null {
    const v = this.text(column, 64, true);
    if (v === null) return null;
    return CARE_ID.test(v)
      ? v
      : this.fail(
          column,
          'INVALID_FORMAT',
          'letters, digits, - and _ only (1-64, not starting with - or _)',
        );
  }

  integer(column: string, min: number, max: number, required: boolean): number | null {
    const v = this.text(column, 12, required);
    if (v === null) return null;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
      return this.fail(column, 'INVALID_VALUE', `a whole number from ${min} to ${max}`);
    return Number(v);
  }

  oneOf<T extends string>(
    column: string,
    allowed: readonly T[],
    zh: Readonly<Record<string, T>>,
    required: boolean,
  ): T | null {
    const v = this.text(column, 64, required);
    if (v === null) return null;
    const found = allowed.find((a) => a === v.toLowerCase()) ?? zh[v];
    return found ?? this.fail(column, 'INVALID_VALUE', `one of ${allowed.join(', ')}`);
  }

  yesNo(column: string, blank = false): boolean {
    const v = (this.cells.get(column) ?? '').trim().toLowerCase();
    if (v === '') return blank;
    if (YES.has(v)) return true;
    if (!NO.has(v)) this.fail(column, 'INVALID_VALUE', 'yes or no (是/否)');
    return false;
  }

  day(column: string): string | null {
    const v = this.text(column, 10, false);
    if (v === null) return null;
    return isValidDay(v) ? v : this.fail(column, 'INVALID_FORMAT', 'a calendar day, YYYY-MM-DD');
  }

  phone(column: string): string | null {
    const v = this.text(column, 32, true);
    if (v === null) return null;
    return PHONE.test(v)
      ? v
      : this.fail(column, 'INVALID_FORMAT', 'digits, spaces, + ( ) and - only (3-32)');
  }

  languages(column: string): string[] {
    const v = this.text(column, 400, false);
    if (v === null) return [];
    const list = v
      .split(/[;；、,，]/)
      .map((x) => x.trim())
      .filter((x) => x !== '');
    if (list.length > 10 || list.some((x) => x.length > 35)) {
      this.fail(column, 'INVALID_VALUE', 'at most 10 languages separated by ;');
      return [];
    }
    return list;
  }
}

/**
 * One record row (`cells` in file order, `columns` from mapHeader) → its record, or every error
 * of its cells. `row` is the spreadsheet row number (header = 1).
 */
export function validateRow(
  kind: ImportKind,
  columns: HeaderMap,
  cells: readonly string[],
  row: number,
): { record: ImportRecord | null; errors: ImportRowError[] } {
  const byKey = new Map<string, string>();
  let extra = false;
  cells.forEach((cell, i) => {
    const key = columns[i];
    if (key) byKey.set(key, cell);
    else if (cell.trim() !== '') extra = true;
  });
  const r = new RowReader(byKey, row);
  if (extra)
    r.errors.push({
      row,
      column: null,
      code: 'WRONG_COLUMN_COUNT',
      message: 'a value outside the named columns (an unquoted comma?)',
    });
  let record: ImportRecord | null = null;
  if (kind === 'homes') {
    const value = {
      id: r.code('home_code'),
      areaId: r.code('area_id'),
      address: r.text('address', 500, true),
      floor: r.text('floor', 20, false),
      room: r.text('room', 20, false),
      accessNotes: r.text('access_notes', 4000, false),
      keySafeCode: r.text('key_safe_code', 32, false),
    };
    if (value.id !== null && value.areaId !== null && value.address !== null)
      record = {
        kind,
        row,
        value: { ...value, id: value.id, areaId: value.areaId, address: value.address },
      };
  } else if (kind === 'residents') {
    const value = {
      id: r.code('resident_code'),
      homeId: r.code('home_code'),
      name: r.text('name', 200, true),
      birthYear: r.integer('birth_year', 1900, 2100, false),
      languages: r.languages('languages'),
      mobility: r.oneOf('mobility', MOBILITY_LEVELS, MOBILITY_ZH, false),
      livesAlone: r.yesNo('lives_alone'),
      medicalNotes: r.text('medical_notes', 4000, false),
    };
    if (value.id !== null && value.homeId !== null && value.name !== null)
      record = {
        kind,
        row,
        value: { ...value, id: value.id, homeId: value.homeId, name: value.name },
      };
  } else if (kind === 'welfare_plans') {
    record = welfarePlanRow(r);
  } else {
    const value = {
      homeId: r.code('home_code'),
      callOrder: r.integer('call_order', 1, 20, true),
      name: r.text('name', 200, true),
      relation: r.oneOf('relation', CONTACT_RELATIONS, RELATION_ZH, true),
      phone: r.phone('phone'),
      availability: r.text('availability', 200, false),
    };
    if (
      value.homeId !== null &&
      value.callOrder !== null &&
      value.name !== null &&
      value.relation !== null &&
      value.phone !== null
    )
      record = {
        kind,
        row,
        value: {
          ...value,
          homeId: value.homeId,
          callOrder: value.callOrder,
          name: value.name,
          relation: value.relation,
          phone: value.phone,
        },
      };
  }
  return { record: r.errors.length === 0 ? record : null, errors: r.errors };
}

/** A welfare plan row: the same limits as POST /api/v1/welfare-plans (welfare-plans.ts). */
function welfarePlanRow(r: RowReader): ImportRecord | null {
  const value = {
    residentId: r.code('resident_code'),
    kind: r.oneOf('kind', WELFARE_CHECK_KINDS, CHECK_KIND_ZH, true),
    cadence: r.oneOf('cadence', WELFARE_CADENCES, CADENCE_ZH, true),
    count: r.integer('count', PLAN_COUNT_MIN, PLAN_COUNT_MAX, true),
    startDay: r.day('start_day'),
    assignee: r.text('assignee', 64, false),
    // A plan listed in the district's file is meant to run unless it says otherwise.
    active: r.yesNo('active', true),
    notes: r.text('notes', 2000, false),
  };
  const { residentId, kind, cadence, count } = value;
  if (residentId === null || kind === null || cadence === null || count === null) return null;
  return {
    kind: 'welfare_plans',
    row: r.row,
    value: { ...value, residentId, kind, cadence, count },
  };
}
