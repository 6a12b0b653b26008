/**
 * The gateway's configuration: one TypeBox schema that gives defaults, validation (through
 * `loadConfig`/`validateConfig` from @anxin/protocol, which names the bad key) and the static type.
 *
 * Every section has `default: {}` so that `Value.Default` descends into it and fills the nested
 * defaults: an empty `outbox:` (or none at all) yields the full default outbox section.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DEVICE_ID_PATTERN, GATEWAY_ID_PATTERN } from '@anxin/protocol';

/** `/dev/ttyUSB0`-style device path, or `tcp://host:port` for an RS-485-to-Ethernet server. */
export const PORT_PATTERN = '^(/.+|tcp://[^/:]+:[0-9]{1,5})$';

const SerialOverridesSchema = Type.Object(
  {
    baudRate: Type.Optional(Type.Integer({ minimum: 50, maximum: 4_000_000 })),
    parity: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')]),
    ),
    dataBits: Type.Optional(
      Type.Union([Type.Literal(5), Type.Literal(6), Type.Literal(7), Type.Literal(8)]),
    ),
    stopBits: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)])),
  },
  { additionalProperties: false },
);

export const DeviceConfigSchema = Type.Object(
  {
    id: Type.String({ pattern: DEVICE_ID_PATTERN, description: 'unique within the gateway' }),
    driver: Type.String({ minLength: 1, maxLength: 64, description: 'a DRIVERS id' }),
    /** Serial transports only; devices with the same port share one (RS-485) bus. */
    port: Type.Optional(Type.String({ pattern: PORT_PATTERN })),
    serial: Type.Optional(SerialOverridesSchema),
    options: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
    /** The device is reported offline when silent for longer than this. */
    expectedIntervalS: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    /** Poll devices: attempts after the first that timed out, per request (counted). */
    pollRetries: Type.Integer({ minimum: 0, maximum: 10, default: 2 }),
  },
  { additionalProperties: false },
);
export type DeviceConfig = Static<typeof DeviceConfigSchema>;

const fsyncPolicy = (fallback: 'full' | 'normal' | 'off') =>
  Type.Union([Type.Literal('full'), Type.Literal('normal'), Type.Literal('off')], {
    default: fallback,
  });
export type FsyncPolicy = 'full' | 'normal' | 'off';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const logLevel = (fallback?: (typeof LOG_LEVELS)[number]) =>
  Type.Union(
    LOG_LEVELS.map((l) => Type.Literal(l)),
    fallback ? { default: fallback } : {},
  );

export const GatewayConfigSchema = Type.Object(
  {
    gatewayId: Type.String({ pattern: GATEWAY_ID_PATTERN }),
    /** Directory for the outbox database (created if missing). */
    dataDir: Type.String({ minLength: 1, default: './data/gateway' }),
    hub: Type.Object(
      {
        url: Type.String({ pattern: '^mqtts?://', default: 'mqtt://127.0.0.1:1883' }),
        /** Defaults to gatewayId (the credentials the hub issues at claim time). */
        username: Type.Optional(Type.String({ minLength: 1 })),
        password: Type.String({ default: '' }),
        /** PEM file of the CA that signed the hub's certificate (mqtts://). */
        caFile: Type.Optional(Type.String({ minLength: 1 })),
        keepaliveS: Type.Integer({ minimum: 5, maximum: 600, default: 30 }),
        /**
         * How long to wait for the hub's CONNACK. Generous: in a reconnect storm the hub answers
         * thousands of gateways in turn, and one that gives up joins the back of the queue again
         * after its backoff, having cost the hub an accept and a login for nothing (measured at
         * 10,000 gateways with 10 s: 31,040 abandoned attempts in the first minute).
         */
        connectTimeoutMs: Type.Integer({ minimum: 500, default: 30_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    heartbeatIntervalS: Type.Number({ minimum: 1, default: 30 }),
    outbox: Type.Object(
      {
        /** Telemetry backlog bound by count: beyond it the oldest is dropped (and counted). */
        maxTelemetryEvents: Type.Integer({ minimum: 1, default: 500_000 }),
        /** Telemetry backlog bound by age (hours since it entered the outbox). */
        maxTelemetryAgeHours: Type.Number({ exclusiveMinimum: 0, default: 72 }),
        /** Most events per uplink batch (also capped by LIMITS.maxEventsPerBatch and bytes). */
        batchSize: Type.Integer({ minimum: 1, maximum: 500, default: 200 }),
        /** Resend everything unacknowledged in a lane after this long without an ack. */
        ackTimeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
        /** Batches in flight (sent, not acknowledged) per lane. */
        alarmWindow: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
        telemetryWindow: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
        /** SQLite `synchronous` level per lane; see outbox/outbox.ts for why these defaults. */
        fsync: Type.Object(
          {
            alarm: fsyncPolicy('full'),
            telemetry: fsyncPolicy('normal'),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    reconnect: Type.Object(
      {
        minMs: Type.Integer({ minimum: 10, default: 1_000 }),
        maxMs: Type.Integer({ minimum: 10, default: 60_000 }),
        /**
         * The first attempt after an outage (a lost connection, or a start with a backlog) is
         * spread uniformly over this window (at most maxMs), so a district's gateways do not all
         * reconnect in the same instant; one holding an alarm waits at most 100 ms. 0: at once.
         */
        spreadMs: Type.Integer({ minimum: 0, maximum: 600_000, default: 10_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** RS-485 bus timing shared by every polled bus. */
    bus: Type.Object(
      {
        /** Silence kept between a reply (or timeout) and the next request on the same bus. */
        turnaroundMs: Type.Integer({ minimum: 0, maximum: 5_000, default: 50 }),
      },
      { additionalProperties: false, default: {} },
    ),
    devices: Type.Array(DeviceConfigSchema, { default: [], maxItems: 256 }),
    /**
     * What the hub's sync_time command may do (control/clock.ts). The gateway always measures its
     * offset from the hub's clock and, past correctAboveMs, corrects its own event times by it.
     * setClock also sets the system clock: needs root or CAP_SYS_TIME, and is off by default
     * because NTP/chrony should own the clock where it runs.
     */
    time: Type.Object(
      {
        setClock: Type.Boolean({ default: false }),
        correctAboveMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 2_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Structured logs (pino JSON on stdout): a level, and a level per part. */
    log: Type.Object(
      {
        level: logLevel('info'),
        /** Per part: outbox, uplink, drivers, e.g. { drivers: 'debug' }. */
        parts: Type.Record(Type.String(), logLevel(), { default: {} }),
      },
      { additionalProperties: false, default: {} },
    ),
    /**
     * Zero-touch claim (issue 10; README "Zero-touch claim"): the factory writes the hub's address
     * and the claim code (here or in codeFile), and the gateway picks up its own broker
     * credentials once an installer claims that code; hub.username/password are then not needed.
     */
    claim: Type.Optional(
      Type.Object(
        {
          /** The hub's REST address, e.g. https://hub.example.org (http:// only on a trusted LAN). */
          hubUrl: Type.String({ pattern: '^https?://[^\\s]+$' }),
          /** The code printed on the label; or codeFile, a file holding only the code. */
          code: Type.Optional(Type.String({ minLength: 8, maxLength: 64 })),
          codeFile: Type.Optional(Type.String({ minLength: 1 })),
          /** PEM file of the CA that signed the hub's HTTPS certificate. */
          caFile: Type.Optional(Type.String({ minLength: 1 })),
          /** Backoff (with full jitter) between attempts while waiting to be claimed. */
          minRetryMs: Type.Integer({ minimum: 100, default: 2_000 }),
          maxRetryMs: Type.Integer({ minimum: 100, default: 300_000 }),
          /** Per request. */
          timeoutMs: Type.Integer({ minimum: 500, default: 15_000 }),
        },
        { additionalProperties: false },
      ),
    ),
    /** Local broker (Zigbee2MQTT) for devices whose driver transport is 'mqtt'. */
    localMqtt: Type.Optional(
      Type.Object(
        {
          url: Type.String({ pattern: '^mqtts?://' }),
          username: Type.Optional(Type.String()),
          password: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type GatewayConfig = Static<typeof GatewayConfigSchema>;
