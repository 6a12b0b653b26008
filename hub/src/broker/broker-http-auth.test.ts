/**
 * `gatewayAccounts: broker-http` (issue 11): an external broker (EMQX's HTTP authenticator and
 * authorizer) asks the hub about every login and every publish/subscribe. The requests here are
 * the ones EMQX sends with the body templates in the README; the hub itself runs in external mode
 * against a real Mosquitto (its own uplink connection), and its answers must be the embedded
 * broker's: a gateway's own topics only, its id as client id, decommissioned means denied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uplinkTopic, downlinkTopic } from '@anxin/protocol';
import { buildHub } from '../hub.js';
import { hubConfig } from '../config.js';
import { BROKER_AUTHN_PATH, BROKER_AUTHZ_PATH } from '../http/broker-auth-routes.js';
import { LocalMosquitto } from '../local-engines/mosquitto.js';
import { startHub, type RunningHub } from '../testing/harness.js';

const TOKEN = 'broker-token-for-tests-0123456789';
const A = 'gw-http-a';
const B = 'gw-http-b';
const SECRET_A = 'secret-of-gateway-http-a';

let broker: LocalMosquitto;
let hub: RunningHub;

beforeAll(async () => {
  broker = await LocalMosquitto.create();
  hub = await startHub({
    mqtt: {
      mode: 'external',
      external: {
        url: broker.url,
        username: broker.hubUser,
        password: broker.hubPassword,
        gatewayAccounts: 'broker-http',
        authHttpSecret: TOKEN,
      },
    },
    cluster: { instanceId: 'http-auth-test' },
  });
  await hub.hub.provisionGateway({ gatewayId: A, secret: SECRET_A });
  await hub.hub.provisionGateway({ gatewayId: B, secret: 'secret-of-gateway-http-b' });
}, 30_000);

afterAll(async () => {
  await hub?.close();
  await broker?.stop();
});

async function ask(path: string, body: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${hub.httpUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const login = (clientid: string, username: string, password: string) =>
  ask(BROKER_AUTHN_PATH, { clientid, username, password });
const acl = (clientid: string, action: string, topic: string, username = clientid) =>
  ask(BROKER_AUTHZ_PATH, { clientid, username, topic, action });

describe('broker-http: the broker asks the hub', () => {
  it('refuses a caller without the bearer token, and malformed bodies', async () => {
    const none = await ask(
      BROKER_AUTHN_PATH,
      { clientid: A, username: A, password: SECRET_A },
      null,
    );
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const wrong = await ask(
      BROKER_AUTHZ_PATH,
      { clientid: A, username: A, topic: 't', action: 'publish' },
      'x'.repeat(34),
    );
    expect(wrong.status).toBe(401);
    const bad = await ask(BROKER_AUTHN_PATH, { clientid: A });
    expect(bad.status).toBe(400);
    const action = await acl(A, 'delete', uplinkTopic(A, 'alarm'));
    expect(action.status).toBe(400);
  });

  it('allows a gateway with its own id and secret, and the hub as superuser; denies the rest', async () => {
    expect((await login(A, A, SECRET_A)).body).toEqual({ result: 'allow', is_superuser: false });
    expect((await login(A, A, 'wrong-secret')).body).toEqual({ result: 'deny' });
    expect((await login(B, A, SECRET_A)).body).toEqual({ result: 'deny' }); // borrowed client id
    expect((await login('gw-nobody', 'gw-nobody', SECRET_A)).body).toEqual({ result: 'deny' });
    expect((await login('hub-x', broker.hubUser, broker.hubPassword)).body).toEqual({
      result: 'allow',
      is_superuser: true,
    });
    expect((await login('hub-x', broker.hubUser, 'not-it')).body).toEqual({ result: 'deny' });
    const metrics = await (await fetch(`${hub.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /anxin_mqtt_auth_failures_total\{[^}]*reason="wrong_password"[^}]*\} [1-9]/,
    );
  });

  it('confines a gateway to its own up/ (publish) and down/ (subscribe) topics', async () => {
    expect((await acl(A, 'publish', uplinkTopic(A, 'alarm'))).body).toEqual({ result: 'allow' });
    expect((await acl(A, 'subscribe', downlinkTopic(A, 'ack'))).body).toEqual({ result: 'allow' });
    expect(
      (await acl(A, 'subscribe', `${downlinkTopic(A, 'ack').replace(/ack$/, '#')}`)).body,
    ).toEqual({
      result: 'allow',
    });
    for (const [action, topic] of [
      ['publish', uplinkTopic(B, 'alarm')],
      ['publish', downlinkTopic(A, 'ack')],
      ['subscribe', downlinkTopic(B, 'ack')],
      ['subscribe', 'anxin/v1/gw/+/down/#'],
      ['subscribe', '#'],
      ['all', uplinkTopic(A, 'alarm')],
    ] as const)
      expect((await acl(A, action, topic)).body, `${action} ${topic}`).toEqual({ result: 'deny' });
    // A client id that is not its username is nobody's.
    expect((await acl(A, 'publish', uplinkTopic(A, 'alarm'), B)).body).toEqual({ result: 'deny' });
  });

  it('denies a decommissioned gateway its login and its topics at once', async () => {
    const db = await hub.openDatabase();
    try {
      await db.db.updateTable('gateways').set({ enabled: 0 }).where('id', '=', A).execute();
    } finally {
      await db.db.destroy();
    }
    expect((await login(A, A, SECRET_A)).body).toEqual({ result: 'deny' });
    expect((await acl(A, 'publish', uplinkTopic(A, 'alarm'))).body).toEqual({ result: 'deny' });
  });

  it('refuses to start broker-http without a long enough token', async () => {
    const config = hubConfig({
      dataDir: hub.dir,
      mqtt: {
        mode: 'external',
        external: {
          url: broker.url,
          username: 'hub',
          gatewayAccounts: 'broker-http',
          authHttpSecret: 'short',
        },
      },
    });
    await expect(buildHub(config)).rejects.toThrow(/mqtt\.external\.authHttpSecret/);
  });
});
