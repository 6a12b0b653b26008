/**
 * Gateway authentication and topic ACLs for an external broker that asks the hub over HTTP
 * (`mqtt.external.gatewayAccounts: broker-http`, issue 11): EMQX 5's HTTP authenticator and HTTP
 * authorizer (https://www.emqx.io/docs/en/v5/access-control/authn/http.html and
 * …/authz/http.html). The broker POSTs the connecting client's credentials, or the topic and
 * action of a publish or subscribe, and the hub answers `{"result": "allow" | "deny"}` with the
 * same decisions its embedded broker takes (broker/gateway-login.ts, broker/seam.ts). The hub's
 * own account is a superuser, so the broker skips authorization for it.
 *
 * The broker authenticates to the hub with `Authorization: Bearer <mqtt.external.authHttpSecret>`;
 * anything else gets 401 UNAUTHENTICATED. A deny is a 200 answer, not an error: that is how the
 * broker is told "no" (an HTTP error would make EMQX move on to the next authenticator).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ExternalBrokerConfig } from '../broker/external-config.js';
import type { GatewayLogin } from '../broker/gateway-login.js';
import { authorizeUplink, gatewayMaySubscribe } from '../broker/seam.js';
import type { HubMetrics } from '../metrics.js';
import type { GatewayStore } from '../store/gateways.js';
import { HttpError } from './errors.js';
import { typed } from './typed.js';

export const BROKER_AUTHN_PATH = '/api/v1/broker/authenticate';
export const BROKER_AUTHZ_PATH = '/api/v1/broker/authorize';

/** What EMQX sends with the body templates the README gives (placeholders ${clientid} …). */
const AuthnRequestSchema = Type.Object({
  clientid: Type.String({ maxLength: 256 }),
  username: Type.String({ maxLength: 256 }),
  password: Type.String({ maxLength: 1024 }),
});
const AuthzRequestSchema = Type.Object({
  clientid: Type.String({ maxLength: 256 }),
  username: Type.String({ maxLength: 256 }),
  topic: Type.String({ maxLength: 1024 }),
  action: Type.Union([Type.Literal('publish'), Type.Literal('subscribe'), Type.Literal('all')]),
});
const VerdictSchema = Type.Object({
  result: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  is_superuser: Type.Optional(Type.Boolean()),
});

type Verdict = { result: 'allow' | 'deny'; is_superuser?: boolean };

export interface BrokerAuthDeps {
  external: ExternalBrokerConfig;
  login: GatewayLogin;
  gateways: GatewayStore;
  metrics: HubMetrics;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time string equality (hashes first, so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  return expected.length > 0 && timingSafeEqual(digest(given), digest(expected));
}

export function registerBrokerAuthRoutes(server: FastifyInstance, deps: BrokerAuthDeps): void {
  const app = typed(server);
  const { external } = deps;
  const checkBroker = (request: FastifyRequest) => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!sameSecret(token, external.authHttpSecret))
      throw new HttpError('UNAUTHENTICATED', 'broker auth: missing or wrong bearer token');
  };
  const isHub = (username: string) => username === external.username;
  const limits = { bodyLimit: 4096 };

  app.post(
    BROKER_AUTHN_PATH,
    {
      ...limits,
      schema: { tags: ['broker'], body: AuthnRequestSchema, response: { 200: VerdictSchema } },
    },
    async (request): Promise<Verdict> => {
      checkBroker(request);
      const { clientid, username, password } = request.body;
      if (isHub(username)) {
        if (sameSecret(password, external.password)) return { result: 'allow', is_superuser: true };
        deps.metrics.authFailures.inc({ reason: 'wrong_password' });
        return { result: 'deny' };
      }
      const verdict = await deps.login.check(clientid, username, password);
      return verdict.ok ? { result: 'allow', is_superuser: false } : { result: 'deny' };
    },
  );

  app.post(
    BROKER_AUTHZ_PATH,
    {
      ...limits,
      schema: { tags: ['broker'], body: AuthzRequestSchema, response: { 200: VerdictSchema } },
    },
    async (request): Promise<Verdict> => {
      checkBroker(request);
      const { clientid, username, topic, action } = request.body;
      // The hub is a superuser and never asked; a client calling itself the hub is not it.
      const row = clientid === username ? await deps.gateways.get(clientid) : undefined;
      // Decommissioned gateways lose their topics at once, not only at their next login.
      const allowed =
        row !== undefined &&
        row.enabled === 1 &&
        (action === 'publish'
          ? authorizeUplink(topic, clientid) !== null
          : action === 'subscribe'
            ? gatewayMaySubscribe(clientid, topic)
            : false);
      if (!allowed) deps.metrics.aclRefusals.inc({ action: action === 'all' ? 'publish' : action });
      return { result: allowed ? 'allow' : 'deny' };
    },
  );
}
