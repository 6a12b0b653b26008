/**
 * Alarms as they happen for the family and installer pages: the REST list (recent, any status) on
 * every (re)connect, then `alarm:new` / `alarm:updated` pushes over Socket.IO. Unlike the operator's
 * queue, resolved alarms stay (a daughter wants to see who took it and how it ended). The hub only
 * sends alarms of homes in the user's scope.
 */
import type { AlarmDto, ClientToServerEvents, ServerToClientEvents } from '@anxin/protocol';
import { useCallback, useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { listAlarms } from '../api/hub';
import { isAlarmDto } from '../console/validate';
import { isSameOrNewer, keepCareFields } from '../console/queue';

export type LiveState = 'connecting' | 'connected' | 'disconnected';

/** Keeps the newer copy of each alarm, newest raised first, at most `limit`. */
export function mergeAlarms(
  current: readonly AlarmDto[],
  incoming: readonly AlarmDto[],
  limit = 200,
): AlarmDto[] {
  const byId = new Map(current.map((a) => [a.id, a]));
  for (const alarm of incoming) {
    const existing = byId.get(alarm.id);
    // Responders can change without a status change: an equal-rank copy replaces the old one.
    if (!existing || isSameOrNewer(alarm, existing))
      byId.set(alarm.id, keepCareFields(alarm, existing));
  }
  return [...byId.values()]
    .sort((a, b) => (a.raisedAt < b.raisedAt ? 1 : a.raisedAt > b.raisedAt ? -1 : 0))
    .slice(0, limit);
}

export function useLiveAlarms(): {
  alarms: readonly AlarmDto[];
  state: LiveState;
  apply: (alarm: AlarmDto) => void;
} {
  const [alarms, setAlarms] = useState<readonly AlarmDto[]>([]);
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      withCredentials: true,
    });
    let disposed = false;
    const onPush = (value: unknown) => {
      if (isAlarmDto(value)) setAlarms((current) => mergeAlarms(current, [value]));
    };
    socket.on('connect', () => {
      listAlarms(['open', 'acknowledged', 'resolved'], 100)
        .then((response) => {
          if (disposed) return;
          setAlarms((current) => mergeAlarms(current, response.alarms.filter(isAlarmDto)));
          setState('connected');
        })
        .catch(() => {
          if (!disposed) setState('connected');
        });
    });
    socket.on('disconnect', () => setState('disconnected'));
    socket.on('connect_error', () => {
      setState('disconnected');
      // A refusal by the hub's middleware is not retried by Socket.IO itself.
      if (!socket.active) setTimeout(() => !disposed && socket.connect(), 3_000);
    });
    socket.on('alarm:new', onPush);
    socket.on('alarm:updated', onPush);
    return () => {
      disposed = true;
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);

  const apply = useCallback(
    (alarm: AlarmDto) => setAlarms((current) => mergeAlarms(current, [alarm])),
    [],
  );
  return { alarms, state, apply };
}
