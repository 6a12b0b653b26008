/**
 * The hub's side of a storm's progress line: how the drain is paced (issue 12). The load's side
 * (connected gateways, events still at the gateways) says how far the drain is; this says why it
 * goes at the speed it does — the hub's telemetry queue, the gateways it has deferred and is
 * holding, the intake it paces them at, and what the store took since the last line.
 */
import { metricValue } from './hub-process.js';

export interface HubDrainSample {
  at: number;
  pointsWritten: number;
  /** Events the hub answered "deferred" (queue full), summed. */
  deferred: number;
  resumes: number;
}

export function hubDrainSample(metricsText: string, at: number): HubDrainSample {
  return {
    at,
    pointsWritten: metricValue(metricsText, 'anxin_telemetry_points_written_total'),
    deferred: metricValue(metricsText, 'anxin_acks_total', {
      lane: 'telemetry',
      outcome: 'deferred',
    }),
    resumes: metricValue(metricsText, 'anxin_telemetry_resumes_total'),
  };
}

/** One line: per-second rates since `previous`, and the gauges as they stand. */
export function hubDrainLine(
  metricsText: string,
  now: HubDrainSample,
  previous: HubDrainSample,
): string {
  const seconds = Math.max(0.001, (now.at - previous.at) / 1000);
  const perS = (a: number, b: number) => Math.round((a - b) / seconds);
  const queue = metricValue(metricsText, 'anxin_ingest_queue_events', { lane: 'telemetry' });
  const waiting = metricValue(metricsText, 'anxin_telemetry_waiting_gateways');
  const intake = metricValue(metricsText, 'anxin_telemetry_intake_rate');
  // Publishes the broker held for a gateway's subscription (hub subscription-gate.ts), so far.
  const held = (released: string) =>
    metricValue(metricsText, 'anxin_mqtt_downlink_held_total', { released });
  return (
    `hub: ${perS(now.pointsWritten, previous.pointsWritten)} points/s stored, ` +
    `queue ${queue}, ${waiting} gateways deferred (${perS(now.deferred, previous.deferred)} events/s deferred, ` +
    `${perS(now.resumes, previous.resumes)} resumes/s), paced at ${Math.round(intake)} points/s; ` +
    `downlinks held for a subscription so far: ${held('subscribed')} until it stood, ` +
    `${held('timeout')} timed out, ${held('disconnected')} to a gateway that left`
  );
}
