/**
 * Probes and metrics (issue 11):
 *  - GET /livez: the process works (its event loop answers). An orchestrator restarts a hub only
 *    when this fails — never because InfluxDB or the broker is down, which a restart cannot fix.
 *  - GET /readyz: it can take traffic: the checks marked `readiness` (SQL reachable, broker
 *    listening or connected). A load balancer sends consoles elsewhere while it fails.
 *  - GET /healthz: every check, telemetry store included (as before; dashboards and `anxin`).
 *  - GET /metrics: Prometheus text format 0.0.4.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

export interface HealthCheck {
  name: string;
  run: () => Promise<void>;
  /** Part of /readyz: without it the hub cannot take traffic. */
  readiness?: boolean;
}

/** One check's result; `message` says why it failed. */
const CheckResultSchema = Type.Object({
  ok: Type.Boolean(),
  message: Type.Optional(Type.String()),
});

/** The answer of /healthz and /readyz: 200 when every check passed, else 503 with the same shape. */
export const HealthResponseSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Record(Type.String(), CheckResultSchema),
});
export type HealthResponse = Static<typeof HealthResponseSchema>;

const LiveResponseSchema = Type.Object({
  status: Type.Literal('ok'),
  uptimeS: Type.Integer({ minimum: 0 }),
});

const healthResponses = { 200: HealthResponseSchema, 503: HealthResponseSchema };

/** Prometheus text exposition format 0.0.4, declared with its own media type (not JSON). */
const METRICS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export async function runHealthChecks(
  checks: HealthCheck[],
  timeoutMs = 2000,
): Promise<HealthResponse> {
  type Entry = [string, { ok: boolean; message?: string }];
  const results: Entry[] = await Promise.all(
    checks.map(async (c): Promise<Entry> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.run(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no answer within ${timeoutMs} ms`)),
              timeoutMs,
            );
          }),
        ]);
        return [c.name, { ok: true }];
      } catch (err) {
        return [c.name, { ok: false, message: err instanceof Error ? err.message : String(err) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const checksOut: HealthResponse['checks'] = Object.fromEntries(results);
  return { status: results.every(([, r]) => r.ok) ? 'ok' : 'degraded', checks: checksOut };
}

export function registerOpsRoutes(
  app: FastifyInstance,
  deps: { checks: HealthCheck[]; renderMetrics: () => Promise<string> },
): void {
  app.get('/healthz', { schema: { response: healthResponses } }, async (_request, reply) => {
    const health = await runHealthChecks(deps.checks);
    return reply.status(health.status === 'ok' ? 200 : 503).send(health);
  });
  app.get(
    '/livez',
    { schema: { response: { 200: LiveResponseSchema } } },
    async (_request, reply) =>
      reply.status(200).send({ status: 'ok', uptimeS: Math.round(process.uptime()) }),
  );
  const readiness = deps.checks.filter((c) => c.readiness);
  app.get('/readyz', { schema: { response: healthResponses } }, async (_request, reply) => {
    const health = await runHealthChecks(readiness);
    return reply.status(health.status === 'ok' ? 200 : 503).send(health);
  });
  app.get(
    '/metrics',
    {
      schema: {
        response: { 200: { content: { 'text/plain': { schema: Type.String() } } } },
      },
    },
    async (_request, reply) => reply.type(METRICS_TYPE).send(await deps.renderMetrics()),
  );
}
