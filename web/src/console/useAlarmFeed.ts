/**
 * The console's live alarm queue over the page's shared Socket.IO connection to the hub
 * (realtime/hubSocket: same origin, session cookie), the queue reducer, and the connection state
 * the operator must always see.
 *
 * On every connect: mark the queue unsynced, call `alarms:sync`, replace the list with the answer,
 * then apply any pushes that arrived while the answer was on its way (the reducer ignores ones
 * that are older than what the sync returned). The "connection lost" state starts the moment the
 * socket (or the browser's network) drops and ends only after a successful resync.
 */
import type { AlarmDto } from '@anxin/protocol';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { Socket } from 'socket.io-client';
import { acquireHubSocket } from '../realtime/hubSocket';
import { clockOffsetMs } from './age';
import { initialQueueState, queueReducer } from './queue';
import { isAlarmDto, parseSyncReply } from './validate';

export type SyncError = 'timeout' | 'malformed';

export type ConnectionState = 'connecting' | 'syncing' | 'connected' | 'disconnected';

export interface AlarmFeed {
  alarms: readonly AlarmDto[];
  synced: boolean;
  connection: ConnectionState;
  /** When the connection was lost (null while connected and synced, or before the first attempt). */
  lostAt: Date | null;
  /** Why the last sync failed, while retrying: no answer in time, or an answer of the wrong shape. */
  syncError: SyncError | null;
  /** Add to Date.now() to get the hub's clock. */
  clockOffsetMs: number;
  /** Items dropped because they did not look like alarms (shown nowhere but kept for diagnosis). */
  droppedCount: number;
  /** Applies an alarm the REST API just returned (the socket push will follow; upsert is idempotent). */
  applyLocal: (alarm: AlarmDto) => void;
}

export const SYNC_TIMEOUT_MS = 10_000;
export const SYNC_RETRY_MS = 3_000;
export const RECONNECT_BASE_MS = 1_000;
export const RECONNECT_MAX_MS = 10_000;

export interface AlarmFeedOptions {
  /** Called when the hub refuses the socket because the session has ended. */
  onUnauthenticated: () => void;
  /** Checks whether the session is still valid (GET /api/v1/session); false means it has ended. */
  checkSession: () => Promise<boolean>;
}

export function useAlarmFeed({ onUnauthenticated, checkSession }: AlarmFeedOptions): AlarmFeed {
  const [queue, dispatch] = useReducer(queueReducer, initialQueueState);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [lostAt, setLostAt] = useState<Date | null>(null);
  const [syncError, setSyncError] = useState<SyncError | null>(null);
  const [offset, setOffset] = useState(0);
  const [droppedCount, setDroppedCount] = useState(0);
  const callbacks = useRef({ onUnauthenticated, checkSession });
  useEffect(() => {
    callbacks.current = { onUnauthenticated, checkSession };
  });

  useEffect(() => {
    // The page's shared connection: the operations lists beside the queue use the same one.
    const { socket, release } = acquireHubSocket();
    let disposed = false;
    /** Pushes received while a sync is in flight; null when no sync is in flight. */
    let buffered: AlarmDto[] | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;
    let lastSessionCheck = 0;
    let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
    let reconnectAttempts = 0;

    const markLost = (): void => {
      setConnection('disconnected');
      setLostAt((previous) => previous ?? new Date());
      dispatch({ type: 'unsynced' });
    };

    const onPush = (value: unknown): void => {
      if (!isAlarmDto(value)) {
        setDroppedCount((n) => n + 1);
        return;
      }
      if (buffered !== null) buffered.push(value);
      dispatch({ type: 'upsert', alarm: value });
    };

    const sync = (): void => {
      if (disposed || !socket.connected) return;
      buffered = [];
      setConnection('syncing');
      socket.timeout(SYNC_TIMEOUT_MS).emit('alarms:sync', (error: Error | null, reply: unknown) => {
        if (disposed) return;
        const pending = buffered ?? [];
        buffered = null;
        const parsed = error ? null : parseSyncReply(reply);
        if (parsed === null) {
          setSyncError(error ? 'timeout' : 'malformed');
          if (retryTimer !== null) clearTimeout(retryTimer);
          retryTimer = setTimeout(sync, SYNC_RETRY_MS);
          return;
        }
        dispatch({ type: 'sync', alarms: parsed.alarms });
        for (const alarm of pending) dispatch({ type: 'upsert', alarm });
        if (parsed.dropped > 0) setDroppedCount((n) => n + parsed.dropped);
        if (parsed.serverTime !== null) setOffset(clockOffsetMs(parsed.serverTime, Date.now()));
        setSyncError(null);
        setLostAt(null);
        setConnection('connected');
      });
    };

    const onConnect = (): void => {
      reconnectAttempts = 0;
      sync();
    };
    // Socket.IO retries lost transports itself, but not a refusal by the hub's middleware or a
    // disconnect the hub asked for: those are retried here, with backoff and jitter.
    const scheduleReconnect = (): void => {
      if (disposed || reconnectTimer !== null) return;
      const delay =
        Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** reconnectAttempts) *
        (0.5 + Math.random() / 2);
      reconnectAttempts += 1;
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        if (!disposed && !socket.connected && !socket.active) socket.connect();
      }, delay);
    };

    const onDisconnect = (reason: Socket.DisconnectReason): void => {
      markLost();
      if (reason === 'io server disconnect') scheduleReconnect();
    };
    const onConnectError = (): void => {
      markLost();
      if (!socket.active) scheduleReconnect();
      // The handshake may fail because the session expired: ask the REST API (at most every 10 s).
      const now = Date.now();
      if (now - lastSessionCheck < 10_000) return;
      lastSessionCheck = now;
      callbacks.current
        .checkSession()
        .then((valid) => {
          if (!valid && !disposed) callbacks.current.onUnauthenticated();
        })
        .catch(() => undefined);
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    socket.on('alarm:new', onPush);
    socket.on('alarm:updated', onPush);
    // Another user of the shared socket may have connected it already (no `connect` will come),
    // or it may be down and not retrying: show and act on the socket's real state from mount.
    if (socket.connected) onConnect();
    else if (!socket.active) {
      markLost();
      scheduleReconnect();
    }
    // The browser knows about a dead network before the socket's ping times out.
    const onOffline = (): void => markLost();
    // If the network came back before the socket noticed anything, resync to clear the banner.
    const onOnline = (): void => {
      if (socket.connected) sync();
    };
    window.addEventListener('offline', onOffline);
    window.addEventListener('online', onOnline);

    return () => {
      disposed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('online', onOnline);
      // Only this feed's listeners: the socket is shared with the page's other live parts.
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onConnectError);
      socket.off('alarm:new', onPush);
      socket.off('alarm:updated', onPush);
      release();
    };
  }, []);

  const applyLocal = useCallback((alarm: AlarmDto) => dispatch({ type: 'upsert', alarm }), []);

  return {
    alarms: queue.alarms,
    synced: queue.synced,
    connection,
    lostAt,
    syncError,
    clockOffsetMs: offset,
    droppedCount,
    applyLocal,
  };
}
