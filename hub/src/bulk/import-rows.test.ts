/** The import's pure row validator and header mapping, table-tested. */
import { describe, expect, it } from 'vitest';
import { IMPORT_COLUMNS, type ImportKind } from '@anxin/protocol';
import { isBlankRow, mapHeader, validateRow } from './import-rows.js';

const keys = (kind: ImportKind) => IMPORT_COLUMNS[kind].map((c) => c.key);

function check(kind: ImportKind, cells: Record<string, string>) {
  const columns = keys(kind);
  return validateRow(
    kind,
    columns,
    columns.map((k) => cells[k] ?? ''),
    7,
  );
}

describe('mapHeader', () => {
  it('accepts the keys or the Chinese labels, in any order', () => {
    expect(mapHeader('homes', ['address', 'home_code', 'area_id'])).toEqual({
      ok: true,
      columns: ['address', 'home_code', 'area_id'],
    });
    expect(mapHeader('homes', ['住户编号', '所属社区编号', '地址', ''])).toEqual({
      ok: true,
      columns: ['home_code', 'area_id', 'address', null],
    });
  });

  it('names missing, unknown and duplicated columns', () => {
    const r = mapHeader('residents', ['resident_code', 'nme', 'resident_code']);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => e.code)).toEqual([
      'UNKNOWN_HEADER',
      'DUPLICATE_HEADER',
      'MISSING_HEADERS',
    ]);
    expect(!r.ok && r.errors[2]?.message).toBe('missing column(s): home_code, name');
  });
});

describe('validateRow', () => {
  it.each([
    [
      'a complete home',
      'homes',
      { home_code: 'JA-0001', area_id: 'c1', address: '和平路 1 号', floor: '3' },
      [],
    ],
    ['a home without address', 'homes', { home_code: 'JA-1', area_id: 'c1' }, ['address:REQUIRED']],
    [
      'a code with a slash and an over-long floor',
      'homes',
      { home_code: 'JA/1', area_id: 'c1', address: 'x', floor: '123456789012345678901' },
      ['home_code:INVALID_FORMAT', 'floor:TOO_LONG'],
    ],
    [
      'a resident in Chinese words',
      'residents',
      {
        resident_code: 'R1',
        home_code: 'JA-1',
        name: '王秀英',
        birth_year: '1938',
        mobility: '轮椅',
        lives_alone: '是',
        languages: 'zh-CN；yue',
      },
      [],
    ],
    [
      'a resident with a bad year, mobility and yes/no',
      'residents',
      {
        resident_code: 'R1',
        home_code: 'JA-1',
        name: 'x',
        birth_year: '38',
        mobility: 'fast',
        lives_alone: 'maybe',
      },
      ['birth_year:INVALID_VALUE', 'mobility:INVALID_VALUE', 'lives_alone:INVALID_VALUE'],
    ],
    [
      'a contact',
      'contacts',
      {
        home_code: 'JA-1',
        call_order: '1',
        name: '王小明',
        relation: '家属',
        phone: '+86 138 0000 1000',
      },
      [],
    ],
    [
      'a contact with every error',
      'contacts',
      { home_code: '', call_order: '21', name: '', relation: 'boss', phone: 'call me' },
      [
        'home_code:REQUIRED',
        'call_order:INVALID_VALUE',
        'name:REQUIRED',
        'relation:INVALID_VALUE',
        'phone:INVALID_FORMAT',
      ],
    ],
    [
      'a welfare plan in Chinese words',
      'welfare_plans',
      { resident_code: 'R1', kind: '上门探访', cadence: '每月', count: '2', active: '' },
      [],
    ],
    [
      'a welfare plan with every error',
      'welfare_plans',
      {
        resident_code: 'R/1',
        kind: 'letter',
        cadence: 'weekly',
        count: '32',
        start_day: '2026-02-30',
        active: 'perhaps',
      },
      [
        'resident_code:INVALID_FORMAT',
        'kind:INVALID_VALUE',
        'cadence:INVALID_VALUE',
        'count:INVALID_VALUE',
        'start_day:INVALID_FORMAT',
        'active:INVALID_VALUE',
      ],
    ],
    [
      'a welfare plan without its count',
      'welfare_plans',
      { resident_code: 'R1', kind: 'call', cadence: 'every_days', count: '0' },
      ['count:INVALID_VALUE'],
    ],
  ] as const)('%s', (_name, kind, cells, expected) => {
    const r = check(kind, cells);
    expect(r.errors.map((e) => `${e.column}:${e.code}`)).toEqual(expected);
    expect(r.errors.every((e) => e.row === 7 && e.message.length > 0)).toBe(true);
    expect(r.record === null).toBe(expected.length > 0);
  });

  it('types the record', () => {
    const r = check('residents', {
      resident_code: 'R1',
      home_code: 'JA-1',
      name: ' 王秀英 ',
      birth_year: '1938',
      mobility: 'wheelchair',
      lives_alone: 'yes',
      languages: 'zh-CN; yue',
    });
    expect(r.record).toEqual({
      kind: 'residents',
      row: 7,
      value: {
        id: 'R1',
        homeId: 'JA-1',
        name: '王秀英',
        birthYear: 1938,
        languages: ['zh-CN', 'yue'],
        mobility: 'wheelchair',
        livesAlone: true,
        medicalNotes: null,
      },
    });
  });

  it('types a welfare plan: blank active means yes, blank start day and assignee stay null', () => {
    expect(
      check('welfare_plans', {
        resident_code: 'R1',
        kind: 'visit',
        cadence: 'per_month',
        count: '2',
        assignee: ' worker-west ',
        notes: '钥匙在邻居家',
      }).record,
    ).toEqual({
      kind: 'welfare_plans',
      row: 7,
      value: {
        residentId: 'R1',
        kind: 'visit',
        cadence: 'per_month',
        count: 2,
        startDay: null,
        assignee: 'worker-west',
        active: true,
        notes: '钥匙在邻居家',
      },
    });
    const paused = check('welfare_plans', {
      resident_code: 'R1',
      kind: '电话',
      cadence: 'every_days',
      count: '3',
      start_day: '2027-01-05',
      active: '否',
    }).record;
    expect(paused?.kind === 'welfare_plans' && paused.value).toMatchObject({
      kind: 'call',
      startDay: '2027-01-05',
      active: false,
      assignee: null,
    });
  });

  it('flags a value past the named columns (an unquoted comma shifts the row)', () => {
    const r = validateRow(
      'homes',
      ['home_code', 'area_id', 'address'],
      ['H1', 'c1', '1 Road', ' Apt 2'],
      3,
    );
    expect(r.errors.map((e) => e.code)).toEqual(['WRONG_COLUMN_COUNT']);
    expect(isBlankRow([' ', ''])).toBe(true);
    expect(isBlankRow([' ', 'x'])).toBe(false);
  });
});
