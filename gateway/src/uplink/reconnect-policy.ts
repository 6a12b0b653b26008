/**
 * When a gateway makes its first connection attempt after an outage (issue 12; DESIGN.md, Load
 * model: the reconnect storm). Pure: the random source is injected.
 *
 * Without this, every gateway of a district retried exactly reconnect.minMs after the hub went
 * away (a backoff's first window is [minMs, minMs]), and every gateway started with a backlog
 * connected the moment it started: thousands of connections in the same instant, served by the
 * hub's accept queue in arrival order. A gateway holding an unsent alarm then waited behind the
 * whole district (p99 3.6–4.8 s at 2,000 gateways). Spreading the first attempt uniformly over
 * reconnect.spreadMs keeps the queue short; a gateway with an alarm to send uses a short window
 * instead, so it connects ahead of the telemetry replays.
 */
import type { Lane } from '@anxin/protocol';

/**
 * A gateway holding an alarm spreads its first attempt over at most this. Only enough to break
 * lock-step: after an outage the gateways holding an alarm are a few dozen at most (alarms come a
 * few a minute across a district), and the hub accepts one in milliseconds. Measured with 2,000
 * gateways reconnecting (anxin bench storm), this wait was the largest stage of a connecting
 * gateway's alarm: p99 238 ms of 278 ms with 250 here, hence 100.
 */
export const ALARM_SPREAD_MS = 100;

export interface SpreadOptions {
  /** The window over which first attempts are spread (reconnect.spreadMs). */
  spreadMs: number;
  /** The backoff's ceiling (reconnect.maxMs): a first attempt never waits longer than a retry. */
  maxMs: number;
  /** Uniform in [0, 1). */
  random: () => number;
}

/** The delay before a first attempt: short with an alarm pending, else spread. */
export function firstAttemptDelayMs(options: SpreadOptions, alarmPending: boolean): number {
  const window = Math.max(0, Math.min(options.spreadMs, options.maxMs));
  const bound = alarmPending ? Math.min(window, ALARM_SPREAD_MS) : window;
  return Math.floor(options.random() * bound);
}

/**
 * Whether starting the gateway counts as coming back from an outage: it holds unsent events.
 * A gateway with nothing to send (a new installation, the demo) connects at once: it adds a
 * login to the hub but no replay, and its installer is watching.
 */
export function startsAfterOutage(depthOf: (lane: Lane) => number): boolean {
  return depthOf('alarm') > 0 || depthOf('telemetry') > 0;
}
