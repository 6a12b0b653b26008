/**
 * `anxin import` against a hub listening on a real loopback port (in-process, SQLite): a dry run
 * prints every row's error and writes nothing; `--apply` of a bad file lists all errors and writes
 * nothing; the fixed file and an XLSX workbook import; wrong passwords, roles, unreachable hubs
 * and bad arguments each get their own exit code and message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemo } from '@anxin/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, login, startHub, type RunningHub } from '../../../hub/src/testing/harness.js';
import { makeXlsx } from '../../../hub/src/testing/xlsx.js';
import { run } from '../run.js';
import { captureIo } from '../capture-io.js';

const capture = captureIo;

let h: RunningHub;
let dir: string;
let adminPass: string;
let operatorPass: string;
const path = (name: string, body: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};

beforeAll(async () => {
  h = await startHub();
  const { logins } = await seedDemo(h.hub, { homes: 2 });
  adminPass = logins.find((l) => l.username === 'admin')?.password ?? '';
  operatorPass = logins.find((l) => l.username === 'operator')?.password ?? '';
  dir = mkdtempSync(join(tmpdir(), 'anxin-import-cli-'));
}, 60_000);

afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function anxin(args: string[], password = adminPass) {
  const c = capture();
  const pw = path('password', `${password}\n`);
  // Options given later win (parseArgs), so a test's own --hub or --user overrides these.
  const code = await run(
    ['import', '--hub', h.httpUrl, '--user', 'admin', '--password-file', pw, ...args],
    c.io,
  );
  return { code, out: c.out(), err: c.err() };
}

const homeExists = async (id: string) => {
  const cookie = await login(h.httpUrl, 'admin', adminPass);
  return (await callApi(h.httpUrl, cookie, 'GET', `/api/v1/homes/${id}`)).status === 200;
};

const BAD = [
  'home_code,area_id,address,floor',
  'CLI-0001,community-west-1,长乐街 9 号,2',
  'CLI-0002,community-west-1,,',
  'CLI-0003,nowhere,x,',
].join('\n');

describe('anxin import', () => {
  it('a dry run prints every row error, exits 1 and writes nothing', async () => {
    const r = await anxin(['homes', path('bad.csv', BAD)]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('row 3 address: REQUIRED');
    expect(r.err).toContain('row 4 area_id: UNKNOWN_AREA');
    expect(r.out).toContain(
      'checked homes (dry run, nothing written): 3 rows: 1 new, 0 updates, 2 errors',
    );
    expect(await homeExists('CLI-0001')).toBe(false);
  });

  it('--apply of a bad file lists every error (not only the first) and writes nothing', async () => {
    const r = await anxin(['homes', path('bad.csv', BAD), '--apply']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('row 3 address: REQUIRED');
    expect(r.err).toContain('row 4 area_id: UNKNOWN_AREA');
    expect(r.err).toContain('nothing was written');
    expect(await homeExists('CLI-0001')).toBe(false);
  });

  it('a clean file: the dry run exits 0, --apply imports, again updates; XLSX too', async () => {
    const good = BAD.split('\n').slice(0, 2).join('\n');
    const file = path('good.csv', good);
    const dry = await anxin(['homes', file]);
    expect(dry).toMatchObject({ code: 0, err: '' });
    expect(await homeExists('CLI-0001')).toBe(false);
    const applied = await anxin(['homes', file, '--apply']);
    expect(applied.code).toBe(0);
    expect(applied.out).toContain('imported homes: 1 rows: 1 new, 0 updates, 0 errors');
    expect(await homeExists('CLI-0001')).toBe(true);
    expect((await anxin(['homes', file, '--apply'])).out).toContain('0 new, 1 updates');

    const xlsx = path(
      'residents.xlsx',
      makeXlsx([
        ['resident_code', 'home_code', 'name'],
        ['CLI-R1', 'CLI-0001', '赵桂兰'],
      ]),
    );
    const json = await anxin(['residents', xlsx, '--apply', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ kind: 'residents', applied: true, created: 1 });
  });

  it('a wrong password, a role that may not import and an unreachable hub exit 1', async () => {
    const file = path('good.csv', BAD.split('\n').slice(0, 2).join('\n'));
    const wrong = await anxin(['homes', file], 'not-the-password');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/login as admin refused: HTTP 401/);
    const op = await anxin(['homes', file, '--user', 'operator'], operatorPass);
    expect(op.code).toBe(1);
    expect(op.err).toContain('import refused: HTTP 403 FORBIDDEN');

    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    const c = capture();
    const pw = path('password', adminPass);
    const code = await run(
      [
        'import',
        'homes',
        file,
        '--hub',
        `http://127.0.0.1:${port}`,
        '--user',
        'admin',
        '--password-file',
        pw,
      ],
      c.io,
    );
    expect(code).toBe(1);
    expect(c.err()).toContain('cannot reach the hub');
  });

  it('usage errors exit 2 and say what is wrong', async () => {
    const cases: [string[], string][] = [
      [['gateways', 'x.csv'], 'KIND must be one of homes, residents, contacts, welfare_plans'],
      [['homes'], 'name the FILE'],
      [['homes', join(dir, 'missing.csv')], 'cannot read'],
      [
        ['homes', path('x.csv', 'a'), '--encoding', 'latin1'],
        '--encoding must be utf-8 or gb18030',
      ],
      [['homes', path('x.csv', 'a'), '--hub', 'ftp://x'], '--hub must be http(s)://host[:port]'],
    ];
    for (const [args, message] of cases) {
      const r = await anxin(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(message);
    }
    const saved = process.env.ANXIN_PASSWORD;
    delete process.env.ANXIN_PASSWORD;
    try {
      const c = capture();
      const code = await run(['import', 'homes', 'x.csv', '--user', 'admin'], c.io);
      expect(code).toBe(2);
      expect(c.err()).toContain('ANXIN_PASSWORD');
    } finally {
      if (saved !== undefined) process.env.ANXIN_PASSWORD = saved;
    }
  });
});
