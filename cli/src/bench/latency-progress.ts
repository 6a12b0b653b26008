/**
 * `bench latency`'s progress line while a rate runs: what the load offered and the hub stored per
 * second so far, the alarms raised and seen at the console, and the load processes' lag (issue 12:
 * the generator's own cost printed beside the figures).
 */
import type { BenchHubs } from './hubs.js';
import type { GatewayWorker } from './worker-client.js';

export async function reportProgress(
  workers: GatewayWorker[],
  hubs: BenchHubs,
  storedBefore: number,
  startedAt: number,
  received: () => number,
): Promise<string> {
  const replies = await Promise.all(workers.map((w) => w.request({ op: 'progress' }, 10_000)));
  const stored = (await hubs.telemetryStored()) - storedBefore;
  const s = Math.max(0.001, (Date.now() - startedAt) / 1000);
  const offered = replies.reduce((sum, r) => sum + (r.telemetryOffered ?? 0), 0);
  const raised = replies.reduce((sum, r) => sum + (r.alarmsRaised ?? 0), 0);
  const lagP99 = Math.max(0, ...replies.map((r) => r.loopDelayMs?.p99 ?? 0));
  const lagMax = Math.max(0, ...replies.map((r) => r.loopDelayMs?.max ?? 0));
  return `t=${Math.round(s)} s: telemetry offered ${Math.round(offered / s)}/s stored ${Math.round(stored / s)}/s | alarms raised ${raised} at console ${received()} | load lag p99 ${lagP99} ms max ${lagMax} ms`;
}
