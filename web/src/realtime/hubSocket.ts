/**
 * The page's one Socket.IO connection to the hub, shared by everything live on it (the console's
 * alarm feed and operations lists, the installer's gateway panels): each extra connection is one
 * more socket the hub keeps for the same user, and two connections can disagree about being
 * connected. Reference-counted: the first user opens it, the last one to leave closes it. Users
 * remove only their own listeners (`socket.off(event, handler)`) before they release.
 */
import type { ClientToServerEvents, ServerToClientEvents } from '@anxin/protocol';
import { io, type Socket } from 'socket.io-client';

export type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long the connection outlives its last user, for parts that unmount and mount again. */
export const CLOSE_GRACE_MS = 1_000;

let shared: { socket: HubSocket; users: number } | null = null;

/** The shared connection; call the returned release once done with it. */
export function acquireHubSocket(): { socket: HubSocket; release: () => void } {
  if (shared === null) {
    const socket: HubSocket = io({ withCredentials: true });
    // A refusal by the hub's middleware (session not yet valid) is not retried by Socket.IO. A
    // user may have its own retry (the alarm feed's backoff): connect only if none is under way.
    socket.on('connect_error', () => {
      if (socket.active) return;
      setTimeout(() => {
        if (shared?.socket === socket && !socket.connected && !socket.active) socket.connect();
      }, 3_000);
    });
    shared = { socket, users: 0 };
  }
  const entry = shared;
  entry.users += 1;
  let released = false;
  return {
    socket: entry.socket,
    release: () => {
      if (released) return;
      released = true;
      entry.users -= 1;
      // Closed a moment later, not at once: when the page's parts unmount and mount again (a
      // re-render of the page), they keep the connection instead of leaving a half-open handshake
      // the hub keeps counting until its ping timeout, and opening another.
      setTimeout(() => {
        if (entry.users === 0 && shared === entry) {
          shared = null;
          entry.socket.removeAllListeners();
          entry.socket.disconnect();
        }
      }, CLOSE_GRACE_MS);
    },
  };
}
