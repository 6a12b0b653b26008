/**
 * Opens the uplink's byte stream to the hub: TCP for mqtt://, TLS for mqtts:// (issue 12, the
 * reconnect storm). The uplink builds its MQTT client on this instead of letting mqtt.js open
 * the socket, for one reason: TLS session resumption. mqtt.js reuses one options object for
 * every reconnect and gives no hook on a new socket, so it can neither offer the ticket of the
 * last session nor hear of a new one before CONNACK. Here every TLS connection offers the newest
 * session ticket the hub gave this gateway (Node's `session` option, RFC 8446 §2.2): a resumed
 * handshake skips the hub's certificate signature and the gateway's chain check, which after an
 * outage the hub would otherwise pay once per gateway, all in the same minute.
 *
 * The ticket is also handed to a store (tls-ticket-file.ts: the gateway's data directory) and the
 * stored one is offered on the first connection, so that a gateway that rebooted with the hub (a
 * district power cut) resumes too. A ticket the hub no longer accepts (expired, keys rotated,
 * another hub) simply gives a full handshake — resumption is an optimisation, never a condition
 * to connect.
 */
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';

/** What the builder needs of the gateway's configuration. */
export interface HubAddress {
  /** mqtt://host:port or mqtts://host:port (config.hub.url, validated by the config schema). */
  url: string;
  /** PEM of the CA that signed the hub's certificate (config.hub.caFile, read). */
  ca?: Buffer;
  /** Keeps the newest ticket across restarts; `hub` is "host:port", what the ticket is for. */
  tickets?: {
    load(hub: string): Buffer | undefined;
    save(hub: string, ticket: Buffer): void;
  };
}

/** Handshakes so far, for the gateway's health (a hub that never resumes is visible there). */
export interface TlsHandshakeCounts {
  full: number;
  resumed: number;
}

/** Default ports of MQTT (OASIS MQTT 3.1.1 §4.8: 1883, and 8883 over TLS). */
const DEFAULT_PORT = { 'mqtt:': 1883, 'mqtts:': 8883 } as const;

export class HubStream {
  private readonly host: string;
  private readonly port: number;
  private readonly tls: boolean;
  /** The newest session ticket the hub sent (TLS only). */
  private session: Buffer | undefined;
  readonly handshakes: TlsHandshakeCounts = { full: 0, resumed: 0 };

  constructor(private readonly address: HubAddress) {
    const url = new URL(address.url);
    if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:')
      throw new Error(`hub url must be mqtt:// or mqtts://, not ${url.protocol}`);
    this.tls = url.protocol === 'mqtts:';
    // URL keeps an IPv6 literal in brackets; net.connect wants it bare.
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
    this.port = url.port ? Number(url.port) : DEFAULT_PORT[url.protocol];
    if (this.tls) this.session = address.tickets?.load(this.hubKey);
  }

  /** The hub a ticket is for: host:port, an IPv6 literal in brackets. */
  private get hubKey(): string {
    return `${isIP(this.host) === 6 ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** A new connection; mqtt.js calls this for the first connect and for every reconnect. */
  open(): Socket {
    // TCP_NODELAY is set once connected, by disableNagle (connection.ts), on either kind.
    if (!this.tls) return connectTcp({ host: this.host, port: this.port });
    const socket = connectTls({
      host: this.host,
      port: this.port,
      ...(this.address.ca ? { ca: this.address.ca } : {}),
      // SNI is for names only (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted").
      ...(isIP(this.host) === 0 ? { servername: this.host } : {}),
      rejectUnauthorized: true,
      ...(this.session ? { session: this.session } : {}),
    });
    // TLS 1.3 sends tickets after the handshake (RFC 8446 §4.6.1), so listen before it ends.
    socket.on('session', (ticket: Buffer) => {
      this.session = ticket;
      this.address.tickets?.save(this.hubKey, ticket);
    });
    socket.once('secureConnect', () => this.countHandshake(socket));
    return socket;
  }

  private countHandshake(socket: TLSSocket): void {
    if (socket.isSessionReused()) this.handshakes.resumed += 1;
    else this.handshakes.full += 1;
  }
}
