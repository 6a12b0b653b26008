/** The import's cross-row and against-the-hub checks with injected lookups (pure). */
import { describe, expect, it } from 'vitest';
import { contactKey, planImport, planKey, type ImportLookups } from './import-plan.js';
import type { ImportRecord } from './import-rows.js';

// A supervisor of area "east": home H-east exists there, H-west exists in "west".
const lookups: ImportLookups = {
  areaExists: (id) => id === 'east' || id === 'west',
  areaInScope: (id) => id === 'east',
  homeArea: (id) => ({ 'H-east': 'east', 'H-west': 'west' })[id],
  homeInScope: (id) => id === 'H-east',
  residentHome: new Map([
    ['R-east', 'H-east'],
    ['R-west', 'H-west'],
    ['R-east2', 'H-east'],
  ]),
  contactKeys: new Set([contactKey('H-east', 1)]),
  planIds: new Map([[planKey('R-east', 'call'), 'plan-1']]),
  users: new Map([
    ['worker', { id: 'u-worker', role: 'community_worker', disabled: false }],
    ['gone', { id: 'u-gone', role: 'community_worker', disabled: true }],
    ['nephew', { id: 'u-family', role: 'family', disabled: false }],
  ]),
};

const home = (row: number, id: string, areaId: string): ImportRecord => ({
  kind: 'homes',
  row,
  value: {
    id,
    areaId,
    address: 'x',
    floor: null,
    room: null,
    accessNotes: null,
    keySafeCode: null,
  },
});
const resident = (row: number, id: string, homeId: string): ImportRecord => ({
  kind: 'residents',
  row,
  value: {
    id,
    homeId,
    name: 'n',
    birthYear: null,
    languages: [],
    mobility: null,
    livesAlone: false,
    medicalNotes: null,
  },
});
const contact = (row: number, homeId: string, callOrder: number): ImportRecord => ({
  kind: 'contacts',
  row,
  value: { homeId, callOrder, name: 'n', relation: 'family', phone: '123', availability: null },
});

const welfarePlan = (
  row: number,
  residentId: string,
  kind: 'call' | 'visit',
  assignee: string | null = null,
): ImportRecord => ({
  kind: 'welfare_plans',
  row,
  value: {
    residentId,
    kind,
    cadence: 'every_days',
    count: 2,
    startDay: null,
    assignee,
    active: true,
    notes: null,
  },
});

describe('planImport', () => {
  it.each([
    ['a new home in scope', [home(2, 'H-new', 'east')], [], ['create']],
    ['an existing home in scope', [home(2, 'H-east', 'east')], [], ['update']],
    ['an unknown area', [home(2, 'H-new', 'nowhere')], ['2:area_id:UNKNOWN_AREA'], []],
    ['an area not in scope', [home(2, 'H-new', 'west')], ['2:area_id:AREA_OUT_OF_SCOPE'], []],
    ['a code of a home outside', [home(2, 'H-west', 'east')], ['2:home_code:CODE_TAKEN'], []],
    [
      'the same code twice',
      [home(2, 'H-a', 'east'), home(5, 'H-a', 'east')],
      ['5:home_code:DUPLICATE_KEY'],
      ['create'],
    ],
    ['a resident of a home in scope', [resident(2, 'R-new', 'H-east')], [], ['create']],
    ['a resident moved into a home in scope', [resident(2, 'R-east', 'H-east')], [], ['update']],
    [
      'a resident of a home outside (looks unknown)',
      [resident(2, 'R-new', 'H-west')],
      ['2:home_code:UNKNOWN_HOME'],
      [],
    ],
    [
      'a resident code taken outside',
      [resident(2, 'R-west', 'H-east')],
      ['2:resident_code:CODE_TAKEN'],
      [],
    ],
    ['a contact replacing call order 1', [contact(2, 'H-east', 1)], [], ['update']],
    ['a new contact', [contact(2, 'H-east', 2)], [], ['create']],
    [
      'two contacts with one call order',
      [contact(2, 'H-east', 2), contact(3, 'H-east', 2)],
      ['3:call_order:DUPLICATE_KEY'],
      ['create'],
    ],
    ['a contact of an unknown home', [contact(2, 'H-none', 1)], ['2:home_code:UNKNOWN_HOME'], []],
    ["a resident's existing call plan", [welfarePlan(2, 'R-east', 'call')], [], ['update']],
    [
      'a new visit plan with a community worker',
      [welfarePlan(2, 'R-east', 'visit', 'worker')],
      [],
      ['create'],
    ],
    [
      'a plan of a resident outside (looks unknown)',
      [welfarePlan(2, 'R-west', 'call'), welfarePlan(3, 'R-none', 'call')],
      ['2:resident_code:UNKNOWN_RESIDENT', '3:resident_code:UNKNOWN_RESIDENT'],
      [],
    ],
    [
      'assignees that cannot take visits',
      [
        welfarePlan(2, 'R-east', 'visit', 'gone'),
        welfarePlan(3, 'R-east', 'call', 'nephew'),
        welfarePlan(4, 'R-east2', 'call', 'nobody'),
      ],
      ['2:assignee:INVALID_ASSIGNEE', '3:assignee:INVALID_ASSIGNEE', '4:assignee:INVALID_ASSIGNEE'],
      [],
    ],
    [
      'two plans of one resident and kind',
      [welfarePlan(2, 'R-east', 'visit'), welfarePlan(3, 'R-east', 'visit')],
      ['3:kind:DUPLICATE_KEY'],
      ['create'],
    ],
  ] as const)('%s', (_name, records, errors, accepted) => {
    const plan = planImport(records, lookups);
    expect(plan.errors.map((e) => `${e.row}:${e.column}:${e.code}`)).toEqual(errors);
    expect(plan.accepted.map((a) => (a.update ? 'update' : 'create'))).toEqual(accepted);
  });
});

describe('planImport: welfare plans resolve to the hub', () => {
  it('names the home, the assignee and the plan a row updates', () => {
    const plan = planImport(
      [welfarePlan(2, 'R-east', 'call', 'worker'), welfarePlan(3, 'R-east', 'visit')],
      lookups,
    );
    expect(plan.accepted.map((a) => a.plan)).toEqual([
      { homeId: 'H-east', assigneeUserId: 'u-worker', planId: 'plan-1' },
      { homeId: 'H-east', assigneeUserId: null, planId: null },
    ]);
  });
});
