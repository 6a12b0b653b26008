/**
 * Bulk import over REST, in-process (inject()) on a real hub with SQLite: the dry run lists every
 * row's errors and writes nothing; a real run with any invalid row writes none (chunked writes: import-chunks.test.ts); a
 * second import updates instead of duplicating; XLSX and GB18030 CSV; refusals of unreadable
 * files; roles and area scope; the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IMPORT_MAX_BYTES,
  XLSX_CONTENT_TYPE,
  type AuditListResponse,
  type ContactListResponse,
  type HomeResponse,
  type ImportReport,
  type ResidentListResponse,
  type WelfareCheckListResponse,
  type WelfarePlanListResponse,
} from '@anxin/protocol';
import { startHub, type RunningHub } from '../testing/harness.js';
import { errorCodeOf, inject, injectLogin } from '../testing/inject.js';
import { makeXlsx } from '../testing/xlsx.js';
import { seedDemo } from '../care/seed.js';

let h: RunningHub;
const cookies: Record<string, string> = {};

const post = (who: string, url: string, body: string | Buffer, type = 'text/csv; charset=utf-8') =>
  inject(h.hub.http, cookies[who], 'POST', url, body, type);
const get = (who: string, url: string) => inject(h.hub.http, cookies[who], 'GET', url);
const report = (a: { json: unknown }) => a.json as ImportReport;

const HOMES = [
  'home_code,area_id,address,floor,room,key_safe_code',
  'JA-0001,community-west-1,"长乐街 1 号, 2 单元",3,301,1234',
  'JA-0002,community-west-1,长乐街 2 号,,,',
].join('\r\n');

beforeAll(async () => {
  h = await startHub();
  const { logins } = await seedDemo(h.hub, { homes: 2 });
  for (const l of logins)
    cookies[l.username] = await injectLogin(h.hub.http, l.username, l.password);
  const supWest = await h.hub.createUser({
    username: 'sup-west',
    password: 'sup-west-pass',
    role: 'supervisor',
  });
  await h.hub.care.store.setUserScope(supWest.id, ['street-west']);
  cookies['sup-west'] = await injectLogin(h.hub.http, 'sup-west', 'sup-west-pass');
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('import: dry run, real run, re-import', () => {
  it('a dry run lists every error of every row and writes nothing', async () => {
    const csv = [
      '\uFEFFhome_code,area_id,address,floor',
      'JA-0001,community-west-1,ok,1',
      'JA/2,community-west-1,,123456789012345678901',
      'JA-0003,nowhere,x,',
      'JA-0001,community-west-1,again,',
      ',,,',
    ].join('\n');
    const a = await post('admin', '/api/v1/import/homes?dryRun=true', csv);
    expect(a.status).toBe(200);
    const r = report(a);
    expect(r).toMatchObject({
      kind: 'homes',
      dryRun: true,
      applied: false,
      rows: 4,
      created: 1,
      updated: 0,
    });
    expect(r.errors.map((e) => `${e.row}:${e.column}:${e.code}`)).toEqual([
      '3:address:REQUIRED',
      '3:floor:TOO_LONG',
      '3:home_code:INVALID_FORMAT',
      '4:area_id:UNKNOWN_AREA',
      '5:home_code:DUPLICATE_KEY',
    ]);
    expect(r.errorCount).toBe(5);
    expect((await get('admin', '/api/v1/homes/JA-0001')).status).toBe(404);
  });

  it('a real run with one bad row writes nothing (400, details), then a clean file writes all', async () => {
    const bad = `${HOMES}\r\nJA-0003,community-west-1,,`;
    const refused = await post('admin', '/api/v1/import/homes?dryRun=false', bad);
    expect(refused.status).toBe(400);
    expect(errorCodeOf(refused)).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(refused.json)).toContain('/rows/4/address');
    expect((await get('admin', '/api/v1/homes/JA-0001')).status).toBe(404);

    const done = await post('admin', '/api/v1/import/homes?dryRun=false', HOMES);
    expect(done.status).toBe(200);
    expect(report(done)).toMatchObject({
      applied: true,
      rows: 2,
      created: 2,
      updated: 0,
      errors: [],
    });
    const home = (await get('admin', '/api/v1/homes/JA-0001')).json as HomeResponse;
    expect(home.home).toMatchObject({
      areaId: 'community-west-1',
      address: '长乐街 1 号, 2 单元',
      floor: '3',
    });
    // The scope resolver knows the new homes at once: the west supervisor sees them.
    expect((await get('sup-west', '/api/v1/homes/JA-0002')).status).toBe(200);
  });

  it('importing again updates instead of duplicating; residents and contacts by their keys', async () => {
    const again = await post(
      'admin',
      '/api/v1/import/homes?dryRun=false',
      HOMES.replace('长乐街 2 号', '长乐街 2 号 (新)'),
    );
    expect(report(again)).toMatchObject({ applied: true, created: 0, updated: 2 });
    expect(((await get('admin', '/api/v1/homes/JA-0002')).json as HomeResponse).home.address).toBe(
      '长乐街 2 号 (新)',
    );

    const residents = [
      '老人编号,住户编号,姓名,出生年份,行动能力,是否独居,语言',
      'R-0001,JA-0001,王秀英,1938,轮椅,是,zh-CN;yue',
      'R-0002,JA-0001,李建国,1941,自理,否,',
    ].join('\n');
    expect(
      report(await post('supervisor', '/api/v1/import/residents?dryRun=false', residents)),
    ).toMatchObject({
      applied: true,
      created: 2,
    });
    expect(
      report(await post('supervisor', '/api/v1/import/residents?dryRun=false', residents)),
    ).toMatchObject({
      applied: true,
      created: 0,
      updated: 2,
    });
    const list = (await get('admin', '/api/v1/homes/JA-0001/residents'))
      .json as ResidentListResponse;
    expect(
      list.residents.map((r) => [r.id, r.name, r.mobility, r.livesAlone, r.languages]),
    ).toEqual([
      ['R-0001', '王秀英', 'wheelchair', true, ['zh-CN', 'yue']],
      ['R-0002', '李建国', 'independent', false, []],
    ]);

    const contacts =
      'home_code,call_order,name,relation,phone\nJA-0001,1,王小明,家属,+86 138 0000 1000\nJA-0001,2,陈阿姨,neighbour,139 0000 2000\n';
    await post('admin', '/api/v1/import/contacts?dryRun=false', contacts);
    const changed = contacts.replace('139 0000 2000', '139 0000 2222');
    expect(
      report(await post('admin', '/api/v1/import/contacts?dryRun=false', changed)),
    ).toMatchObject({ updated: 2, created: 0 });
    const c = (await get('admin', '/api/v1/homes/JA-0001/contacts')).json as ContactListResponse;
    expect(c.contacts.map((x) => [x.callOrder, x.name, x.relation, x.phone])).toEqual([
      [1, '王小明', 'family', '+86 138 0000 1000'],
      [2, '陈阿姨', 'neighbour', '139 0000 2222'],
    ]);
  });

  it('reads XLSX and GB18030 CSV', async () => {
    const xlsx = makeXlsx([
      ['home_code', 'area_id', 'address', 'floor'],
      ['JA-0010', 'community-west-1', '长乐街 10 号', 5],
    ]);
    const a = await post('admin', '/api/v1/import/homes?dryRun=false', xlsx, XLSX_CONTENT_TYPE);
    expect(report(a)).toMatchObject({ applied: true, created: 1 });
    expect(((await get('admin', '/api/v1/homes/JA-0010')).json as HomeResponse).home.floor).toBe(
      '5',
    );

    // "住户编号,所属社区编号,地址" + a row, as Excel in Chinese saves CSV (GB18030).
    const text = '住户编号,所属社区编号,地址\nJA-0011,community-west-1,长乐街 11 号\n';
    const gbBytes = Buffer.from(encodeGb18030(text));
    const asUtf8 = await post('admin', '/api/v1/import/homes?dryRun=true', gbBytes);
    expect(report(asUtf8).fileErrors.map((e) => e.code)).toEqual(['BAD_ENCODING']);
    const asGb = await post('admin', '/api/v1/import/homes?dryRun=true&encoding=gb18030', gbBytes);
    expect(report(asGb)).toMatchObject({ rows: 1, created: 1, fileErrors: [], errors: [] });
  });
});

/** GB18030 bytes of text made of ASCII and the few CJK characters used here (GBK table excerpt). */
function encodeGb18030(text: string): number[] {
  const table: Record<string, [number, number]> = {
    住: [0xd7, 0xa1],
    户: [0xbb, 0xa7],
    编: [0xb1, 0xe0],
    号: [0xba, 0xc5],
    所: [0xcb, 0xf9],
    属: [0xca, 0xf4],
    社: [0xc9, 0xe7],
    区: [0xc7, 0xf8],
    地: [0xb5, 0xd8],
    址: [0xd6, 0xb7],
    长: [0xb3, 0xa4],
    乐: [0xc0, 0xd6],
    街: [0xbd, 0xd6],
  };
  const out: number[] = [];
  for (const ch of text) {
    const code = table[ch];
    if (code) out.push(...code);
    else if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else throw new Error(`no GB18030 bytes for ${ch}`);
  }
  return out;
}

describe('import: welfare plans', () => {
  const PLANS_HEADER = 'resident_code,kind,cadence,count,start_day,assignee,active,notes';
  const plansOf = async (residentId: string) =>
    (
      (await get('admin', `/api/v1/welfare-plans?residentId=${residentId}`))
        .json as WelfarePlanListResponse
    ).plans;

  it('checks plans as the REST API does, then creates, updates and pauses them by resident + kind', async () => {
    const before = await plansOf('home-0002-r1');
    expect(before.map((p) => p.kind)).toEqual(['call']);
    const bad = [
      PLANS_HEADER,
      'home-0002-r1,visit,per_month,2,,worker,,钥匙在邻居家',
      'home-0002-r1,call,every_days,3,2027-01-10,,yes,',
      'home-0001-r1,电话,每隔几天,0,,,,',
      'R-none,call,every_days,2,,,,',
      'home-0002-r1,visit,per_month,1,,,,',
      'home-0001-r1,visit,per_month,2,2026-13-01,family,,',
    ].join('\n');
    const dry = report(await post('admin', '/api/v1/import/welfare_plans', bad));
    expect(dry.errors.map((e) => `${e.row}:${e.column}:${e.code}`)).toEqual([
      '4:count:INVALID_VALUE',
      '5:resident_code:UNKNOWN_RESIDENT',
      '6:kind:DUPLICATE_KEY',
      '7:start_day:INVALID_FORMAT',
    ]);
    // The assignee is checked once the row's own cells are fine (it needs the hub's users).
    const family = report(
      await post(
        'admin',
        '/api/v1/import/welfare_plans',
        `${PLANS_HEADER}\nhome-0001-r1,visit,per_month,2,,family,,`,
      ),
    );
    expect(family.errors.map((e) => `${e.row}:${e.column}:${e.code}`)).toEqual([
      '2:assignee:INVALID_ASSIGNEE',
    ]);
    expect(dry).toMatchObject({ rows: 6, created: 1, updated: 1, applied: false });
    const refused = await post('admin', '/api/v1/import/welfare_plans?dryRun=false', bad);
    expect(refused.status).toBe(400);
    expect(await plansOf('home-0002-r1')).toEqual(before);

    const good = bad.split('\n').slice(0, 3).join('\n');
    const applied = report(await post('admin', '/api/v1/import/welfare_plans?dryRun=false', good));
    expect(applied).toMatchObject({ rows: 2, created: 1, updated: 1, applied: true });
    const plans = await plansOf('home-0002-r1');
    const worker = (await get('admin', '/api/v1/users')).json as {
      users: { id: string; username: string }[];
    };
    const workerId = worker.users.find((u) => u.username === 'worker')?.id;
    expect(plans.map((p) => [p.kind, p.cadence, p.count, p.active, p.assigneeUserId])).toEqual([
      ['call', 'every_days', 3, true, null],
      ['visit', 'per_month', 2, true, workerId],
    ]);
    expect(plans[0]?.startDay).toBe('2027-01-10');
    // The rescheduled call plan owes one check, on its new start day.
    const due = async (day: string) =>
      (
        (await get('admin', `/api/v1/welfare-checks?day=${day}&residentId=home-0002-r1&kind=call`))
          .json as WelfareCheckListResponse
      ).checks;
    expect((await due('2027-01-10')).map((c) => c.dueDay)).toEqual(['2027-01-10']);

    // Again: updates only; then the same plan paused drops its pending check.
    const again = report(await post('admin', '/api/v1/import/welfare_plans?dryRun=false', good));
    expect(again).toMatchObject({ created: 0, updated: 2, applied: true });
    expect(await plansOf('home-0002-r1')).toHaveLength(2);
    const paused = good.replace('2027-01-10,,yes,', '2027-01-10,,否,');
    expect(
      report(await post('admin', '/api/v1/import/welfare_plans?dryRun=false', paused)).updated,
    ).toBe(2);
    expect((await plansOf('home-0002-r1'))[0]?.active).toBe(false);
    expect(await due('2027-01-10')).toEqual([]);
    const audit = (await get('admin', '/api/v1/audit?action=welfare_plan.update&limit=100'))
      .json as AuditListResponse;
    expect(audit.entries.length).toBeGreaterThanOrEqual(4);
  });

  it('a supervisor imports plans only for residents of their areas', async () => {
    const csv = `${PLANS_HEADER}\nhome-0001-r1,call,every_days,2,,,,\nhome-0002-r1,call,every_days,2,,,,\n`;
    const r = report(await post('sup-west', '/api/v1/import/welfare_plans', csv));
    expect(r.errors.map((e) => `${e.row}:${e.column}:${e.code}`)).toEqual([
      '2:resident_code:UNKNOWN_RESIDENT',
    ]);
    expect(r).toMatchObject({ updated: 1, created: 0 });
  });
});

describe('import: refusals', () => {
  it.each([
    ['an empty file', '', 'EMPTY_FILE'],
    ['missing headers', 'home_code,address\nJA-1,x\n', 'MISSING_HEADERS'],
    ['an unknown header', 'home_code,area_id,address,colour\n', 'UNKNOWN_HEADER'],
    ['an unclosed quote', 'home_code,area_id,address\nJA-1,c,"x\n', 'BAD_CSV'],
    ['binary data', Buffer.from([0x68, 0x00, 0x00, 0x01]), 'BAD_ENCODING'],
    ['a broken workbook', Buffer.from('PK\u0003\u0004broken'), 'BAD_XLSX'],
  ])('%s', async (_name, body, code) => {
    const a = await post('admin', '/api/v1/import/homes', body);
    expect(a.status).toBe(200);
    expect(report(a).fileErrors.map((e) => e.code)).toEqual([code]);
    expect(report(a).applied).toBe(false);
  });

  it('too many rows, oversized bodies and unknown kinds', async () => {
    const many = `home_code,area_id,address\n${'JA-1,c,x\n'.repeat(100_001)}`;
    const a = await post('admin', '/api/v1/import/homes', many);
    expect(report(a).fileErrors.map((e) => e.code)).toEqual(['TOO_MANY_ROWS']);
    const big = await post(
      'admin',
      '/api/v1/import/homes',
      Buffer.alloc(IMPORT_MAX_BYTES + 1, 0x61),
    );
    expect(big.status).toBe(413);
    expect(errorCodeOf(big)).toBe('PAYLOAD_TOO_LARGE');
    expect((await post('admin', '/api/v1/import/gateways', 'x')).status).toBe(400);
    const json = await inject(h.hub.http, cookies.admin, 'POST', '/api/v1/import/homes', {
      rows: [],
    });
    expect(json.status).toBe(415);
  });

  it('roles and areas: operator, installer and family 403; a supervisor only imports into their areas', async () => {
    for (const who of ['operator', 'installer', 'family']) {
      const a = await post(who, '/api/v1/import/homes', HOMES);
      expect(a.status).toBe(403);
      expect((await get(who, '/api/v1/import/homes/template')).status).toBe(403);
    }
    expect(
      (await inject(h.hub.http, undefined, 'POST', '/api/v1/import/homes', HOMES)).status,
    ).toBe(401);
    const east =
      'home_code,area_id,address\nJA-0100,community-east-1,和平路 100 号\nhome-0001,community-west-1,moved\n';
    const r = report(await post('sup-west', '/api/v1/import/homes', east));
    expect(r.errors.map((e) => `${e.row}:${e.column}:${e.code}`)).toEqual([
      '2:area_id:AREA_OUT_OF_SCOPE',
      '3:home_code:CODE_TAKEN',
    ]);
    const residents = 'resident_code,home_code,name\nR-9,home-0001,x\n';
    const rr = report(await post('sup-west', '/api/v1/import/residents', residents));
    expect(rr.errors.map((e) => e.code)).toEqual(['UNKNOWN_HOME']);
  });

  it('downloads templates in both languages, and audits imports', async () => {
    const en = await get('supervisor', '/api/v1/import/residents/template');
    expect(en.status).toBe(200);
    expect(en.headers['content-type']).toContain('text/csv');
    expect(en.text).toBe(
      '\uFEFFresident_code,home_code,name,birth_year,languages,mobility,lives_alone,medical_notes\r\n',
    );
    const zh = await get('admin', '/api/v1/import/homes/template?lang=zh-CN');
    expect(zh.text).toBe('\uFEFF住户编号,所属社区编号,地址,楼层,房号,入户说明,钥匙盒密码\r\n');
    const audit = (await get('admin', '/api/v1/audit?action=data.import&limit=100'))
      .json as AuditListResponse;
    expect(audit.entries.length).toBeGreaterThanOrEqual(5);
    const dry = (await get('admin', '/api/v1/audit?action=data.import_dry_run&limit=100'))
      .json as AuditListResponse;
    expect(dry.entries.length).toBeGreaterThan(0);
  });
});
