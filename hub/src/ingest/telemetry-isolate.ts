/**
 * After the telemetry store refused a write for its data (RejectedPointsError, e.g. a field type
 * conflict in InfluxDB): find what it refuses, reject that by seq (code SCHEMA, counted) so the
 * gateway can drop it, and store the rest. Rare path, so simplicity beats request count.
 */
import type { TelemetryEvent } from '@anxin/protocol';
import type { Logger } from 'pino';
import type { HubMetrics } from '../metrics.js';
import { RejectedPointsError, type TelemetryPoint } from '../telemetry/store.js';
import type { EventRejection } from './batch.js';
import type { AckFn, Job } from './jobs.js';

export interface TelemetryEntry {
  job: Job<TelemetryEvent>;
  /** Events to write (duplicates within the batch removed). */
  events: TelemetryEvent[];
  rejected: EventRejection[];
}

export interface IsolateContext {
  log: Logger;
  metrics: HubMetrics;
  ack: AckFn;
  write: (points: TelemetryPoint[]) => Promise<void>;
  stored: (gatewayId: string, events: TelemetryEvent[]) => void;
  /** The store became unavailable: defer these entries (and what is queued). */
  storeFailed: (err: unknown, entries: TelemetryEntry[]) => void;
}

/**
 * Writes each gateway batch alone, and the points of a refused batch one by one; refused points
 * are rejected, the rest acked. If the store becomes unavailable meanwhile, what is not yet
 * written is deferred as usual (written points are overwritten with themselves on the resend).
 */
export async function writeIsolating(
  ctx: IsolateContext,
  entries: TelemetryEntry[],
  cause: RejectedPointsError,
): Promise<void> {
  ctx.log.warn(
    { err: cause.message, batches: entries.length },
    'telemetry store refused data: isolating it',
  );
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!entry) continue;
    const { job, events } = entry;
    const toPoint = (e: TelemetryEvent): TelemetryPoint => ({
      gatewayId: job.gatewayId,
      deviceId: e.deviceId,
      observedAt: e.observedAt,
      fields: e.fields,
    });
    try {
      if (entries.length > 1) {
        try {
          await ctx.write(events.map(toPoint));
          ctx.metrics.telemetryPoints.inc({}, events.length);
          ctx.ack(
            job.gatewayId,
            'telemetry',
            events.map((e) => e.seq),
            entry.rejected,
            [],
          );
          ctx.stored(job.gatewayId, events);
          continue;
        } catch (err) {
          if (!(err instanceof RejectedPointsError)) throw err;
        }
      }
      const acked: number[] = [];
      const rejected = [...entry.rejected];
      for (const e of events) {
        try {
          await ctx.write([toPoint(e)]);
          ctx.metrics.telemetryPoints.inc();
          acked.push(e.seq);
        } catch (err) {
          if (!(err instanceof RejectedPointsError)) throw err;
          rejected.push({
            seq: e.seq,
            code: 'SCHEMA',
            message: `telemetry store refused the point: ${err.message.slice(0, 200)}`,
          });
          ctx.metrics.rejections.inc({ code: 'SCHEMA' });
        }
      }
      if (rejected.length > entry.rejected.length) {
        ctx.log.warn(
          { gatewayId: job.gatewayId, refused: rejected.length - entry.rejected.length },
          'telemetry points refused by the store: rejected',
        );
      }
      ctx.ack(job.gatewayId, 'telemetry', acked, rejected, []);
      const stored = new Set(acked);
      ctx.stored(
        job.gatewayId,
        events.filter((e) => stored.has(e.seq)),
      );
    } catch (err) {
      // Unavailable now: this batch and the ones not yet tried are deferred.
      ctx.storeFailed(err, entries.slice(i));
      return;
    }
  }
}
