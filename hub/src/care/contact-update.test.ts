/**
 * PATCH /api/v1/homes/:id/contacts/:contactId through inject() on a real hub, with the demo seed: the
 * seeded family user is their relative's first family contact and edits only that contact; the
 * call centre edits any contact of homes in scope; everyone else 404 or 403, all audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditListResponse,
  ContactDto,
  ContactListResponse,
  ContactResponse,
  MeResponse,
} from '@anxin/protocol';
import { expectApiError, startHub, type RunningHub } from '../testing/harness.js';
import { Injector } from '../testing/ops-inject.js';
import { seedDemo } from './seed.js';

let h: RunningHub;
// REST in-process through inject(); the hub is the real one, its port unused by these calls.
let api: Injector;

const call = (who: string, method: string, path: string, body?: unknown) =>
  api.call(who, method, path, body);

async function contactsOf(homeId: string): Promise<ContactDto[]> {
  return (
    (await call('admin', 'GET', `/api/v1/homes/${homeId}/contacts`)).body as ContactListResponse
  ).contacts;
}

async function audit(query: string): Promise<AuditListResponse['entries']> {
  return ((await call('admin', 'GET', `/api/v1/audit?${query}`)).body as AuditListResponse).entries;
}

beforeAll(async () => {
  h = await startHub();
  api = new Injector(h.hub.http);
  const { logins } = await seedDemo(h.hub, { homes: 2 });
  for (const l of logins) await api.login(l.username, l.password);
  const more = {
    username: 'op-west',
    role: 'operator',
    password: 'op-west-pass',
    areaIds: ['street-west'],
  };
  expect((await call('admin', 'POST', '/api/v1/users', more)).status).toBe(201);
  await api.login(more.username, more.password);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('demo seed links the family user to a contact', () => {
  it('the first family contact of their relative is them, and only that one', async () => {
    const me = (await call('family', 'GET', '/api/v1/me')).body as MeResponse;
    const contacts = await contactsOf('home-0001');
    const mine = contacts.filter((c) => c.userId === me.user.id);
    expect(mine.map((c) => [c.relation, c.callOrder])).toEqual([['family', 1]]);
    // The other home's contacts are nobody's login.
    expect((await contactsOf('home-0002')).every((c) => c.userId === null)).toBe(true);
  });

  it('seeding again keeps the link (same user, new password)', async () => {
    const { logins } = await seedDemo(h.hub, { homes: 2 });
    const fam = logins.find((l) => l.role === 'family');
    expect(fam).toBeDefined();
    await api.login('family', fam?.password ?? '');
    const me = (await call('family', 'GET', '/api/v1/me')).body as MeResponse;
    expect((await contactsOf('home-0001')).filter((c) => c.userId === me.user.id).length).toBe(1);
  });
});

describe('PATCH /api/v1/homes/:id/contacts/:contactId', () => {
  it('a family member edits their own phone and availability, audited', async () => {
    const me = (await call('family', 'GET', '/api/v1/me')).body as MeResponse;
    const own = (await contactsOf('home-0001')).find((c) => c.userId === me.user.id);
    if (!own) throw new Error('no own contact');
    const a = await call('family', 'PATCH', `/api/v1/homes/home-0001/contacts/${own.id}`, {
      phone: '+86 138 1111 2222',
      availability: 'after 19:00',
    });
    expect(a.status).toBe(200);
    const c = (a.body as ContactResponse).contact;
    expect(c).toEqual({
      ...own,
      phone: '+86 138 1111 2222',
      availability: 'after 19:00',
    });
    // Stored, and nothing else changed (call order, relation, login).
    expect((await contactsOf('home-0001')).find((x) => x.id === own.id)).toEqual(c);
    const entries = await audit(`action=contact.update&targetId=${own.id}`);
    expect(entries[0]?.username).toBe('family');
    expect(entries[0]?.detail).toEqual({ homeId: 'home-0001', fields: ['phone', 'availability'] });

    // Clearing availability with null works too.
    const cleared = await call('family', 'PATCH', `/api/v1/homes/home-0001/contacts/${own.id}`, {
      availability: null,
    });
    expect((cleared.body as ContactResponse).contact.availability).toBeNull();
  });

  it('a family member may not edit another contact (403) or another home (404), audited', async () => {
    const contacts = await contactsOf('home-0001');
    const neighbour = contacts.find((c) => c.relation === 'neighbour');
    const west = (await contactsOf('home-0002'))[0];
    if (!neighbour || !west) throw new Error('seed changed');
    expectApiError(
      await call('family', 'PATCH', `/api/v1/homes/home-0001/contacts/${neighbour.id}`, {
        phone: '110',
      }),
      403,
      'FORBIDDEN',
    );
    expectApiError(
      await call('family', 'PATCH', `/api/v1/homes/home-0002/contacts/${west.id}`, {
        phone: '110',
      }),
      404,
      'NOT_FOUND',
    );
    // A contact id of another home under a home in scope is unknown here.
    expectApiError(
      await call('family', 'PATCH', `/api/v1/homes/home-0001/contacts/${west.id}`, {
        phone: '110',
      }),
      404,
      'NOT_FOUND',
    );
    expect((await contactsOf('home-0001')).find((c) => c.id === neighbour.id)?.phone).toBe(
      neighbour.phone,
    );
    expect((await contactsOf('home-0002'))[0]?.phone).toBe(west.phone);
    const denied = await audit('action=access.denied&username=family&limit=10');
    expect(denied.slice(0, 3).map((e) => [e.targetType, e.targetId])).toEqual([
      ['contact', west.id],
      ['home', 'home-0002'],
      ['contact', neighbour.id],
    ]);
  });

  it('operators, supervisors and admins edit any contact of homes in scope', async () => {
    const contacts = await contactsOf('home-0001');
    for (const [who, contact] of [
      ['operator', contacts[1]],
      ['supervisor', contacts[2]],
      ['admin', contacts[0]],
    ] as const) {
      if (!contact) throw new Error('seed changed');
      const a = await call(who, 'PATCH', `/api/v1/homes/home-0001/contacts/${contact.id}`, {
        phone: `+86 10 ${who.length} 1234`,
      });
      expect(a.status).toBe(200);
      expect((a.body as ContactResponse).contact.phone).toBe(`+86 10 ${who.length} 1234`);
    }
    // An operator of the west street does not see home-0001 at all.
    expectApiError(
      await call('op-west', 'PATCH', `/api/v1/homes/home-0001/contacts/${contacts[0]?.id ?? ''}`, {
        phone: '110',
      }),
      404,
      'NOT_FOUND',
    );
  });

  it('bad bodies and unknown ids get the one error shape', async () => {
    const id = (await contactsOf('home-0001'))[0]?.id ?? '';
    const path = `/api/v1/homes/home-0001/contacts/${id}`;
    expectApiError(await call('admin', 'PATCH', path, {}), 400, 'VALIDATION_FAILED');
    expectApiError(
      await call('admin', 'PATCH', path, { phone: 'call me' }),
      400,
      'VALIDATION_FAILED',
    );
    expectApiError(await call('admin', 'PATCH', path, { name: 'x' }), 400, 'VALIDATION_FAILED');
    expectApiError(
      await call('admin', 'PATCH', '/api/v1/homes/home-0001/contacts/nope', { phone: '110' }),
      404,
      'NOT_FOUND',
    );
    expectApiError(await call('nobody', 'PATCH', path, { phone: '110' }), 401, 'UNAUTHENTICATED');
  });
});
