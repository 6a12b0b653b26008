/**
 * TLS session tickets for the embedded broker's mqtts:// listener (issue 12, the reconnect
 * storm). After a hub restart every gateway reconnects within a minute; a full handshake costs
 * the hub a certificate signature each, a resumed one (RFC 8446 §2.2, a PSK from the ticket the
 * hub gave the gateway last time) does not. Node's defaults defeat that twice over:
 *
 * - the ticket keys are random per process, so no ticket survives the restart that causes the
 *   storm. Here they are derived from a secret kept in `hub_secrets` (shared, like the others);
 * - a ticket lives 300 s (`sessionTimeout`), shorter than most outages. Here it lives a day.
 *
 * The keys change every UTC day (HKDF of the secret and the day number), so one day's ticket
 * key, if it leaked from memory, opens no other day's tickets; a ticket older than the change
 * costs one full handshake, as without resumption. Node's resumption is TLS 1.3's psk_dhe_ke
 * (OpenSSL's default): a fresh ECDHE runs on every resumed handshake, so the ticket key never
 * decrypts recorded traffic.
 */
import { hkdfSync } from 'node:crypto';
import type { Server as TlsServer } from 'node:tls';

/**
 * Node binds a ticket to the server's `sessionIdContext` and, when none is given, derives one from
 * the process's command line (a hash of process.argv): a hub restarted with other flags (a new
 * --provision-file, another config path) would refuse every ticket, silently, with the storm
 * paying a full handshake per gateway. One fixed context: the ticket keys already say which hub.
 */
export const TLS_SESSION_ID_CONTEXT = 'anxin-mqtt';

/** How long a ticket can be resumed (tls.createServer's `sessionTimeout`, seconds). */
export const TLS_TICKET_LIFETIME_S = 24 * 3600;

const DAY_MS = 24 * 3600 * 1000;

/** The 48 bytes Node wants (`ticketKeys`: name, HMAC and AES keys) for one UTC day. */
export function ticketKeysFor(secret: Buffer, at: number): Buffer {
  const day = Math.floor(at / DAY_MS);
  return Buffer.from(hkdfSync('sha256', secret, '', `anxin mqtt tls tickets ${day}`, 48));
}

/** The options to create the listener with. */
export function ticketOptions(
  secret: Buffer,
  now: number,
): { ticketKeys: Buffer; sessionTimeout: number; sessionIdContext: string } {
  return {
    ticketKeys: ticketKeysFor(secret, now),
    sessionTimeout: TLS_TICKET_LIFETIME_S,
    sessionIdContext: TLS_SESSION_ID_CONTEXT,
  };
}

/**
 * Moves the server to the next day's keys at each UTC midnight; returns the stop. The timer is
 * unref'd: it never keeps a stopping hub alive.
 */
export function rotateTicketKeysDaily(
  server: TlsServer,
  secret: Buffer,
  now: () => number,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const at = now();
    // A few ms past midnight, so the new day's number is the one derived.
    timer = setTimeout(
      () => {
        server.setTicketKeys(ticketKeysFor(secret, now()));
        arm();
      },
      DAY_MS - (at % DAY_MS) + 5,
    );
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
