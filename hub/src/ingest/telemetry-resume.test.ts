/**
 * Calling deferred gateways back (telemetry-resume.ts): while the telemetry queue has room, the
 * hub calls the next ones back in passes — after each write, and every RESUME_PASS_MS also when
 * no write comes (a queue that ran dry brings none).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHubMetrics } from '../metrics.js';
import { TelemetryResume } from './telemetry-resume.js';

function rig(depthEvents: number) {
  const resumed: string[] = [];
  const queue = { depthEvents };
  const resume = new TelemetryResume({
    config: {
      telemetryQueueMaxEvents: 50_000,
      telemetryBatchSize: 5000,
      telemetryRetryMinMs: 250,
      telemetryRetryMaxMs: 300_000,
    },
    queue,
    metrics: createHubMetrics(),
    storeDown: () => false,
    closing: () => false,
    sendResume: (gatewayId) => resumed.push(gatewayId),
  });
  // 100 gateways deferred with 2,000 events each: slots booked 0.2-20 s ahead at the initial
  // rate (10,000 points/s).
  for (let i = 0; i < 100; i += 1) resume.book(`gw-${i}`, 2000, Date.now());
  return { resume, resumed, queue };
}

describe('calling deferred gateways back', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls gateways back every 200 ms while the queue is empty, with no write to trigger it', () => {
    vi.useFakeTimers();
    const { resume, resumed } = rig(0);
    resume.start();
    expect(resumed).toHaveLength(0);
    // One pass calls back a write's worth (5,000 events) at two batches (400 events) a gateway.
    vi.advanceTimersByTime(200);
    expect(resumed).toHaveLength(12);
    vi.advanceTimersByTime(400);
    expect(resumed).toHaveLength(36);
    // Oldest first, each once.
    expect(resumed.slice(0, 3)).toEqual(['gw-0', 'gw-1', 'gw-2']);
    expect(new Set(resumed).size).toBe(36);
    resume.close();
    vi.advanceTimersByTime(1000);
    expect(resumed).toHaveLength(36);
  });

  it('calls nobody back while the queue holds a write’s worth', () => {
    vi.useFakeTimers();
    const { resume, resumed, queue } = rig(5000);
    resume.start();
    vi.advanceTimersByTime(1000);
    expect(resumed).toHaveLength(0);
    // Still waiting, but for the few whose own slot came meanwhile (every 200 ms at 10,000/s).
    expect(resume.waitingGateways).toBe(96);
    queue.depthEvents = 0;
    vi.advanceTimersByTime(200);
    expect(resumed).toHaveLength(12);
    resume.close();
  });
});
