/**
 * The console of `bench latency`: a logged-in Socket.IO client that times each alarm's arrival
 * and, like an operator working the queue, resolves every new alarm once it has arrived.
 *
 * Resolving matters for what is measured. An SOS on a gateway whose SOS alarm is still open joins
 * that alarm (alarms/writes.ts) instead of opening one, and takes a different path to the console
 * (its push re-reads the alarm's care fields). Left open, every alarm after a gateway's first
 * would be a join — nearly all of them when a few probe gateways raise every alarm
 * (load-layout.ts) — while in a call centre the alarm that matters is the new one: the operator
 * handled the last one. The resolves are real operator requests (REST, SQL, audit, push), a few
 * a second, on the hub being measured.
 */
import type { AlarmDto, ClientToServerEvents, ServerToClientEvents } from '@anxin/protocol';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { preciseNow } from './clock.js';

/** Resolves in flight at most; beyond it new alarms stay open (counted), never queued. */
const MAX_RESOLVES_IN_FLIGHT = 32;

export interface BenchConsole {
  /** Arrival (preciseNow) by `${gatewayId}|${observedAt}` of the newest trigger. */
  readonly arrivals: Map<string, number>;
  /** Triggers received since the last reset. */
  received(): number;
  /** New alarms resolved, and those that could not be (refused, failed or over the bound). */
  resolves(): { done: number; failed: number };
  /** Forgets arrivals and counts (a new rate begins). */
  reset(): void;
  close(): void;
}

export async function openBenchConsole(
  httpUrl: string,
  cookie: string,
  options: { resolveNew: boolean } = { resolveNew: true },
): Promise<BenchConsole> {
  const arrivals = new Map<string, number>();
  const triggerCounts = new Map<string, number>();
  let received = 0;
  let done = 0;
  let failed = 0;
  let inFlight = 0;

  const resolve = (id: string) => {
    if (inFlight >= MAX_RESOLVES_IN_FLIGHT) {
      failed += 1;
      return;
    }
    inFlight += 1;
    fetch(`${httpUrl}/api/v1/alarms/${encodeURIComponent(id)}/resolve`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'handled_by_phone', notes: 'bench console' }),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.ok) done += 1;
        else failed += 1;
      })
      .catch(() => (failed += 1))
      .finally(() => (inFlight -= 1));
  };

  // Every push that adds triggers to an alarm delivers its newest trigger; a push that adds none
  // (the resolve's own alarm:updated) is not an arrival.
  const onAlarm = (alarm: AlarmDto, isNew: boolean) => {
    const at = preciseNow();
    const before = triggerCounts.get(alarm.id) ?? 0;
    if (alarm.triggerCount <= before) return;
    triggerCounts.set(alarm.id, alarm.triggerCount);
    received += alarm.triggerCount - before;
    arrivals.set(`${alarm.gatewayId}|${Date.parse(alarm.lastTriggerAt)}`, at);
    if (isNew && options.resolveNew) resolve(alarm.id);
  };

  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connectSocket(httpUrl, {
    extraHeaders: { cookie },
    transports: ['websocket'],
  });
  socket.on('alarm:new', (alarm) => onAlarm(alarm, true));
  socket.on('alarm:updated', (alarm) => onAlarm(alarm, false));
  try {
    await new Promise<void>((ok, fail) => {
      socket.once('connect', () => ok());
      socket.once('connect_error', fail);
    });
  } catch (err) {
    socket.close();
    throw err;
  }
  return {
    arrivals,
    received: () => received,
    resolves: () => ({ done, failed }),
    reset() {
      arrivals.clear();
      received = 0;
      done = 0;
      failed = 0;
    },
    close: () => socket.close(),
  };
}
