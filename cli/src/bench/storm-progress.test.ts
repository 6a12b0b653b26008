import { describe, expect, it } from 'vitest';
import { hubDrainLine, hubDrainSample } from './storm-progress.js';

/** A /metrics text as the hub renders it (hub-metrics.ts, metrics.ts), with the values given. */
function metricsText(v: { written: number; deferred: number; resumes: number }): string {
  return [
    '# TYPE anxin_telemetry_points_written_total counter',
    `anxin_telemetry_points_written_total ${v.written}`,
    '# TYPE anxin_acks_total counter',
    'anxin_acks_total{lane="alarm",outcome="acked"} 7',
    `anxin_acks_total{lane="telemetry",outcome="acked"} ${v.written}`,
    `anxin_acks_total{lane="telemetry",outcome="deferred"} ${v.deferred}`,
    `anxin_telemetry_resumes_total ${v.resumes}`,
    'anxin_ingest_queue_events{lane="alarm"} 0',
    'anxin_ingest_queue_events{lane="telemetry"} 4200',
    'anxin_telemetry_intake_rate 33757.4',
    'anxin_telemetry_waiting_gateways 37',
    'anxin_mqtt_downlink_held_total{released="subscribed"} 12',
    'anxin_mqtt_downlink_held_total{released="timeout"} 1',
    '',
  ].join('\n');
}

describe('storm progress: the hub side of the drain', () => {
  it('reads the counters, and prints rates since the last sample beside the gauges', () => {
    const before = hubDrainSample(metricsText({ written: 1000, deferred: 50, resumes: 2 }), 10_000);
    expect(before).toEqual({ at: 10_000, pointsWritten: 1000, deferred: 50, resumes: 2 });
    const text = metricsText({ written: 101_000, deferred: 10_050, resumes: 12 });
    const after = hubDrainSample(text, 15_000);
    expect(hubDrainLine(text, after, before)).toBe(
      'hub: 20000 points/s stored, queue 4200, 37 gateways deferred ' +
        '(2000 events/s deferred, 2 resumes/s), paced at 33757 points/s; ' +
        'downlinks held for a subscription so far: 12 until it stood, 1 timed out, 0 to a gateway that left',
    );
  });

  it('a hub without the counters yet reads as zero, not NaN', () => {
    const empty = hubDrainSample('', 0);
    expect(hubDrainLine('', hubDrainSample('', 1000), empty)).toBe(
      'hub: 0 points/s stored, queue 0, 0 gateways deferred (0 events/s deferred, 0 resumes/s), paced at 0 points/s; ' +
        'downlinks held for a subscription so far: 0 until it stood, 0 timed out, 0 to a gateway that left',
    );
  });
});
