/** GET /healthz and GET /metrics (Prometheus text format 0.0.4). */
import type { FastifyInstance } from 'fastify';

export interface HealthCheck {
  name: string;
  run: () => Promise<void>;
}

export interface HealthResponse {
  status: 'ok' | 'degraded';
  checks: Record<string, { ok: boolean; message?: string }>;
}

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
  app.get('/healthz', async (_request, reply) => {
    const health = await runHealthChecks(deps.checks);
    return reply.status(health.status === 'ok' ? 200 : 503).send(health);
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await deps.renderMetrics());
  });
}
