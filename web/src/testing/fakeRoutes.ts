/**
 * Every REST route the fake hub answers, written as the hub's Fastify routes are (`:param`), and
 * nothing else: the fake refuses any other /api path before its handlers run, so this table is
 * what the fake does. fakeRoutes.test.ts checks each entry against the real hub (the route exists
 * with the same method and path, and the fake's answers validate against the hub's response
 * schemas where it has them), so the fake cannot drift from the hub unnoticed (issue 14).
 */
export const FAKE_ROUTES = [
  'GET /api/v1/session',
  'POST /api/v1/session',
  'DELETE /api/v1/session',
  'GET /api/v1/areas',
  'GET /api/v1/care-figures',
  'GET /api/v1/figures',
  'GET /api/v1/alarms',
  'GET /api/v1/alarms/:id',
  'POST /api/v1/alarms/:id/acknowledge',
  'POST /api/v1/alarms/:id/resolve',
  'POST /api/v1/alarms/:id/responding',
  'GET /api/v1/homes',
  'POST /api/v1/homes',
  'GET /api/v1/homes/:id',
  'GET /api/v1/homes/:id/card',
  'GET /api/v1/homes/:id/residents',
  'POST /api/v1/homes/:id/residents',
  'GET /api/v1/homes/:id/contacts',
  'GET /api/v1/homes/:id/plans',
  'GET /api/v1/homes/:id/devices',
  'GET /api/v1/homes/:id/device-residents',
  'PUT /api/v1/homes/:id/test-mode',
  'GET /api/v1/homes/:id/telemetry',
  'PATCH /api/v1/homes/:id/contacts/:contactId',
  'GET /api/v1/gateways',
  'POST /api/v1/gateways/claim',
  'GET /api/v1/gateways/:id/control',
  'GET /api/v1/gateways/:gatewayId/service-buttons',
  'PUT /api/v1/gateways/:id/devices/:deviceId/resident',
  'POST /api/v1/gateways/:id/devices',
  'GET /api/v1/service-requests',
  'GET /api/v1/work-orders',
  'GET /api/v1/welfare-checks',
] as const;

export type FakeRoute = (typeof FAKE_ROUTES)[number];

const PATTERNS = FAKE_ROUTES.map((route) => {
  const [method, path] = route.split(' ') as [string, string];
  const source = path.replace(/:[A-Za-z]+/g, '[^/]+');
  return { route, method, pattern: new RegExp(`^${source}$`) };
});

/** The table entry a request matches (trailing slashes ignored), or undefined. */
export function matchFakeRoute(method: string, path: string): FakeRoute | undefined {
  const bare = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return PATTERNS.find((p) => p.method === method && p.pattern.test(bare))?.route;
}
