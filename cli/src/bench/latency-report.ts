/** The text report of `anxin bench latency`: per run the breakdown and lag, then one table. */
import { formatBreakdown } from './breakdown.js';
import { describeLoadPriority } from './load-priority.js';
import type { LatencyBenchResult } from './latency.js';
import type { WindowFigures } from './prom-histogram.js';

/** The rates of the issue 12 table, the default sweep. */
export const DEFAULT_RATES = [1000, 5000, 10_000, 20_000] as const;

const ms = (v: number | null) => (v === null ? '—' : `${Math.round(v * 10) / 10}`);

/** p50 and p99 of the hub's loop lag, and the bucket its slowest tick fell in. */
function hubLag(f: WindowFigures): string {
  if (f.count === 0) return 'not measured';
  const worst =
    f.maxBelowMs === null ? '—' : f.maxBelowMs === Infinity ? 'over 2.5 s' : `≤ ${f.maxBelowMs} ms`;
  return `p50 ${ms(f.p50)} p99 ${ms(f.p99)} slowest ${worst}`;
}

export function formatLatencyReport(result: LatencyBenchResult): string[] {
  const lines: string[] = [];
  for (const r of result.runs) {
    const l = r.alarmLatencyMs;
    lines.push(
      '',
      `== ${r.rate} telemetry/s offered, ${result.gateways} gateways, ${r.durationS} s (load average ${r.loadAverage.join(' ')})`,
      `alarm latency ms: p50 ${ms(l.p50)} p95 ${ms(l.p95)} p99 ${ms(l.p99)} max ${ms(l.max)} | alarms sent ${r.alarmsSent} received ${r.alarmsReceived} lost ${r.alarmsLost} | resolved by the console ${r.consoleResolves.done}${r.consoleResolves.failed > 0 ? ` (${r.consoleResolves.failed} not)` : ''}`,
      `telemetry offered ${r.telemetryOfferedPerS}/s stored ${r.telemetryStoredPerS}/s${r.heldAtStart > 0 ? ` (${r.heldAtStart} held at the gateways at the start)` : ''} | hub CPU ${r.hubCpuCores} cores, peak RSS ${r.hubPeakRssMb} MB | load CPU ${r.loadCpuMsPer1000Events ?? '—'} ms per 1,000 events`,
      `hub's event-loop lag ms: ${hubLag(r.hubLoopLagMs)} | load processes' event-loop lag ms (at ${describeLoadPriority(result.loadPriority)}): p50 ${r.loadLoopLagMs.p50} p99 ${r.loadLoopLagMs.p99} max ${r.loadLoopLagMs.max} (offer ticks late by at most ${r.offerLagMaxMs} ms) | console's: p99 ${r.consoleLoopLagMs.p99} max ${r.consoleLoopLagMs.max}`,
      ...(r.probeLoopLagMs
        ? [
            `probe process's event-loop lag ms (${result.probeGateways} gateways at nice 0, raising the alarms): p50 ${r.probeLoopLagMs.p50} p99 ${r.probeLoopLagMs.p99} max ${r.probeLoopLagMs.max}`,
          ]
        : []),
      `disk fsync ms during the run (the hub's disk; the console waits for the hub's alarm commit; the gateway's outbox commit runs alongside): p50 ${ms(r.diskFsyncMs.p50)} p99 ${ms(r.diskFsyncMs.p99)} max ${ms(r.diskFsyncMs.max)} | gateways' outboxes: ${outboxPlaces(result)}`,
      ...formatBreakdown(r.breakdown),
    );
  }
  lines.push(
    '',
    '| telemetry msg/s offered | stored/s | alarm p50 / p99 | lost | hub loop lag p99 | load lag p99 / max | probe lag p99 / max | disk fsync p50 / p99 | load average |',
    '|---|---|---|---|---|---|---|---|---|',
    ...result.runs.map(
      (r) =>
        `| ${r.rate.toLocaleString('en')} | ${r.telemetryStoredPerS.toLocaleString('en')} | ${ms(r.alarmLatencyMs.p50)} ms / ${ms(r.alarmLatencyMs.p99)} ms | ${r.alarmsLost} of ${r.alarmsSent} | ${ms(r.hubLoopLagMs.p99)} ms | ${r.loadLoopLagMs.p99} / ${r.loadLoopLagMs.max} ms | ${r.probeLoopLagMs ? `${r.probeLoopLagMs.p99} / ${r.probeLoopLagMs.max} ms` : '—'} | ${ms(r.diskFsyncMs.p50)} / ${ms(r.diskFsyncMs.p99)} ms | ${r.loadAverage[0] ?? '—'} |`,
    ),
  );
  return lines;
}

/** Several layouts' runs as columns of one table, a row per figure and rate (`--hubs 1,2`). */
export function sideBySide(results: readonly LatencyBenchResult[]): string[] {
  const rates = [...new Set(results.flatMap((result) => result.runs.map((r) => r.rate)))];
  const rows: [string, (result: LatencyBenchResult) => string][] = [];
  for (const rate of rates) {
    const at = (result: LatencyBenchResult) => result.runs.find((r) => r.rate === rate);
    const per = rate.toLocaleString('en');
    rows.push(
      [
        `${per}/s: alarm p50 / p99 ms`,
        (x) => {
          const r = at(x);
          return r ? `${ms(r.alarmLatencyMs.p50)} / ${ms(r.alarmLatencyMs.p99)}` : '—';
        },
      ],
      [
        `${per}/s: alarms sent / lost`,
        (x) => {
          const r = at(x);
          return r ? `${r.alarmsSent} / ${r.alarmsLost}` : '—';
        },
      ],
      [`${per}/s: telemetry stored /s`, (x) => String(at(x)?.telemetryStoredPerS ?? '—')],
      [`${per}/s: hubs CPU cores`, (x) => String(at(x)?.hubCpuCores ?? '—')],
      [`${per}/s: load lag max ms`, (x) => String(at(x)?.offerLagMaxMs ?? '—')],
    );
  }
  rows.push(['hubs peak RSS MB', (x) => String(Math.max(0, ...x.runs.map((r) => r.hubPeakRssMb)))]);
  const header = ['', ...results.map((r) => r.layout)];
  const body = rows.map(([name, cell]) => [name, ...results.map(cell)]);
  const widths = header.map((_, c) =>
    Math.max(...[header, ...body].map((row) => (row[c] ?? '').length)),
  );
  return [header, ...body].map(
    (row) => `| ${row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`,
  );
}

/** Where the outboxes were: the probes' (the alarms' own commit) and the load's, when apart. */
export function outboxPlaces(result: LatencyBenchResult): string {
  const hubDisk = "on the hub's disk";
  const all = result.gatewayDir ?? hubDisk;
  if (result.loadDir === null) return all;
  return result.probeGateways > 0
    ? `the probes' ${all}, the load's ${result.loadDir}`
    : `${result.loadDir} (every gateway is in the load)`;
}
