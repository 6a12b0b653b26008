/**
 * Demo data (`anxin demo`): a district with two streets and a community in each, homes
 * home-0001 … with residents, contacts in call order and response plans, and one user of each
 * role with a fresh random password (returned so the caller can print them). Safe to run again on
 * the same database: existing records are kept, users get new passwords.
 */
import { randomBytes } from 'node:crypto';
import type { AreaKind, PlanKind, UserRole } from '@anxin/protocol';
import type { Hub } from '../hub.js';
import { seedOperations } from '../operations/seed.js';

export interface DemoLogin {
  username: string;
  password: string;
  role: UserRole;
  displayName: string;
}

export interface SeedResult {
  logins: DemoLogin[];
  homeIds: string[];
}

const AREAS: { id: string; parentId: string | null; kind: AreaKind; name: string }[] = [
  { id: 'district-anxin', parentId: null, kind: 'district', name: '安心区 Anxin District' },
  { id: 'street-east', parentId: 'district-anxin', kind: 'street', name: '东街道 East Street' },
  { id: 'street-west', parentId: 'district-anxin', kind: 'street', name: '西街道 West Street' },
  { id: 'community-east-1', parentId: 'street-east', kind: 'community', name: '和平社区 Heping' },
  { id: 'community-west-1', parentId: 'street-west', kind: 'community', name: '长乐社区 Changle' },
];

const RESIDENTS = [
  { name: '王秀英 Wang Xiuying', birthYear: 1938, mobility: 'walking_aid', languages: ['zh-CN'] },
  {
    name: '李建国 Li Jianguo',
    birthYear: 1941,
    mobility: 'independent',
    languages: ['zh-CN', 'yue'],
  },
  { name: '张桂兰 Zhang Guilan', birthYear: 1935, mobility: 'wheelchair', languages: ['zh-CN'] },
  { name: '刘德华 Liu Dehua', birthYear: 1944, mobility: 'independent', languages: ['zh-CN'] },
] as const;

const PLANS: { kind: PlanKind; steps: string[] }[] = [
  {
    kind: 'default',
    steps: ['Call the resident', 'Call contacts in order', 'Log the outcome'],
  },
  {
    kind: 'fall',
    steps: [
      'Call the resident at once; ask if they are hurt',
      'No answer or hurt: send the community responder with the key-safe code',
      'Call the first contact',
      'Injury suspected: call 120',
    ],
  },
  {
    kind: 'sos',
    steps: [
      'Call the resident',
      'No answer: send the community responder',
      'Call the first contact',
    ],
  },
  { kind: 'smoke', steps: ['Call 119', 'Call the resident', 'Call the neighbour contact'] },
  {
    kind: 'gas',
    steps: ['Call the resident: open windows, no switches', 'Call 119', 'Call contacts'],
  },
];

const newPassword = (): string => randomBytes(9).toString('base64url');

export async function seedDemo(hub: Hub, options: { homes?: number } = {}): Promise<SeedResult> {
  const { store, scopes } = hub.care;
  const now = Date.now();
  const homeCount = Math.max(1, Math.min(options.homes ?? 3, 9999));

  for (const area of AREAS) if (!(await store.getArea(area.id))) await store.createArea(area, now);
  await scopes.load();

  const homeIds: string[] = [];
  for (let i = 0; i < homeCount; i++) {
    const id = `home-${String(i + 1).padStart(4, '0')}`;
    homeIds.push(id);
    if (await store.homeExists(id)) continue;
    const east = i % 2 === 0;
    const areaId = east ? 'community-east-1' : 'community-west-1';
    await store.createHome(
      {
        id,
        areaId,
        address: `${east ? '和平路' : '长乐街'} ${10 + i} 号 (No. ${10 + i} ${east ? 'Heping Road' : 'Changle Street'})`,
        floor: String(1 + (i % 6)),
        room: `${1 + (i % 6)}0${1 + (i % 3)}`,
        accessNotes: 'Entrance code at the community office; lift out of order on Sundays.',
        keySafeCode: String(1000 + ((i * 7919) % 9000)),
      },
      now,
    );
    scopes.setHomeArea(id, areaId);
    const first = RESIDENTS[i % RESIDENTS.length] ?? RESIDENTS[0];
    await store.createResident(
      id,
      {
        id: `${id}-r1`,
        name: first.name,
        birthYear: first.birthYear,
        mobility: first.mobility,
        languages: [...first.languages],
        medicalNotes: 'Hypertension; takes amlodipine 5 mg in the morning.',
        livesAlone: i % 3 !== 2,
      },
      now,
    );
    // Every third home is shared by a couple (a shared home shows which resident).
    if (i % 3 === 2) {
      const second = RESIDENTS[(i + 1) % RESIDENTS.length] ?? RESIDENTS[0];
      await store.createResident(
        id,
        {
          id: `${id}-r2`,
          name: second.name,
          birthYear: second.birthYear,
          mobility: second.mobility,
          languages: [...second.languages],
          medicalNotes: 'Type 2 diabetes.',
          livesAlone: false,
        },
        now,
      );
    }
    await store.replaceContacts(id, [
      {
        name: '王小明 Wang Xiaoming',
        relation: 'family',
        phone: `+86 138 0000 ${String(1000 + i)}`,
        availability: 'evenings and weekends',
      },
      {
        name: '陈阿姨 Auntie Chen',
        relation: 'neighbour',
        phone: `+86 139 0000 ${String(2000 + i)}`,
        availability: 'mornings',
      },
      {
        name: '社区网格员 Community worker',
        relation: 'community_worker',
        phone: '+86 10 6000 0000',
        availability: 'weekdays 8:30-17:30',
      },
    ]);
    for (const plan of PLANS) await store.setPlan(id, plan.kind, plan.steps, 'seed', now);
  }

  const users: { username: string; role: UserRole; displayName: string }[] = [
    { username: 'admin', role: 'admin', displayName: 'Administrator 管理员' },
    { username: 'supervisor', role: 'supervisor', displayName: 'Shift supervisor 值班主管' },
    { username: 'operator', role: 'operator', displayName: 'Duty operator 值班接线员' },
    { username: 'installer', role: 'installer', displayName: 'Installer 安装员' },
    { username: 'family', role: 'family', displayName: 'Family of home-0001 家属' },
    { username: 'worker', role: 'community_worker', displayName: 'Community worker 社区工作者' },
  ];
  let workerId: string | undefined;
  const logins: DemoLogin[] = [];
  for (const u of users) {
    const password = newPassword();
    const user = await hub.createUser({ ...u, password });
    if (u.role === 'supervisor' || u.role === 'operator' || u.role === 'installer')
      await store.setUserScope(user.id, ['district-anxin'], undefined);
    if (u.role === 'installer') for (const h of homeIds) await store.addInstaller(h, user.id);
    if (u.role === 'community_worker') {
      await store.setUserScope(user.id, ['community-east-1'], undefined);
      workerId = user.id;
    }
    if (u.role === 'family') {
      const homeId = homeIds[0] ?? 'home-0001';
      await store.setUserScope(user.id, undefined, [`${homeId}-r1`]);
      // They are their relative's first family contact, so the family page shows and edits
      // their own details (PATCH /homes/:id/contacts/:contactId).
      const own = (await store.listContacts(homeId)).find((c) => c.relation === 'family');
      if (own) await store.linkContactUser(homeId, own.id, user.id);
    }
    logins.push({ ...u, password });
  }
  if (workerId !== undefined)
    await seedOperations(hub.operations, homeIds, {
      id: workerId,
      areaHomes: new Set(homeIds.filter((h) => scopes.areaOfHome(h) === 'community-east-1')),
    });
  return { logins, homeIds };
}
