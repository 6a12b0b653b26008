/**
 * Gateway accounts in Mosquitto 2's dynamic security plugin (mosquitto_dynamic_security.so, in
 * Debian's `mosquitto` package), driven over its MQTT control API: JSON command lists published to
 * `$CONTROL/dynamic-security/v1`, answers on `$CONTROL/dynamic-security/v1/response` matched by
 * correlationData (https://mosquitto.org/documentation/dynamic-security/).
 *
 * Each gateway gets the same confinement the embedded broker enforces (broker.ts):
 *  - a client whose username is the gateway id, its secret as password, and its client id pinned
 *    to the gateway id (no gateway can take over another's session);
 *  - a role of its own allowing publish on `anxin/v1/gw/<id>/up/#` and subscribe within
 *    `anxin/v1/gw/<id>/down/#`; the plugin's default ACL access (publishClientSend and subscribe
 *    denied) refuses everything else.
 * The plugin kicks a client's connections when it is disabled, so decommissioning takes effect at
 * once.
 */
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { gatewayTopicPrefix, isRecord, isUnknownArray } from '@anxin/protocol';

export const DYNSEC_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_TOPIC}/response`;

interface DynSecResponse {
  command?: string;
  error?: string;
  correlationData?: string;
}

/** One entry of the plugin's `responses`, its fields kept only when they are strings. */
function readResponse(value: unknown): DynSecResponse {
  if (!isRecord(value)) return {};
  const text = (key: string): string | undefined =>
    typeof value[key] === 'string' ? value[key] : undefined;
  const command = text('command');
  const error = text('error');
  const correlationData = text('correlationData');
  return {
    ...(command !== undefined ? { command } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(correlationData !== undefined ? { correlationData } : {}),
  };
}

export type DynSecCommand = Record<string, unknown> & { command: string };

/** The plugin's answer to a command that failed (e.g. "Client already exists"). */
export class DynSecError extends Error {
  readonly code = 'BROKER_ACCOUNT_FAILED';
  constructor(
    readonly command: string,
    readonly reason: string,
  ) {
    super(`dynamic security ${command}: ${reason}`);
    this.name = 'DynSecError';
  }
}

export function gatewayRoleName(gatewayId: string): string {
  return `anxin-gw-${gatewayId}`;
}

export class DynSecAdmin {
  private readonly pending = new Map<
    string,
    { resolve: (r: DynSecResponse) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }
  >();

  constructor(
    private readonly client: MqttClient,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** Subscribes to the plugin's answers (call on every (re)connect of a clean session). */
  async subscribe(): Promise<void> {
    const granted = await this.client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 });
    if (granted.some((g) => g.qos > 2))
      throw new Error(
        `the broker refused ${DYNSEC_RESPONSE_TOPIC}: the hub's account lacks the dynamic-security admin role`,
      );
  }

  /** A message on the response topic; returns false for any other topic. */
  handle(topic: string, payload: Buffer): boolean {
    if (topic !== DYNSEC_RESPONSE_TOPIC) return false;
    let responses: DynSecResponse[] = [];
    try {
      const parsed: unknown = JSON.parse(payload.toString('utf8'));
      const list = isRecord(parsed) ? parsed['responses'] : undefined;
      responses = isUnknownArray(list) ? list.map(readResponse) : [];
    } catch {
      this.log.warn('dynamic security: unreadable response ignored');
      return true;
    }
    for (const r of responses) {
      const waiter = r.correlationData ? this.pending.get(r.correlationData) : undefined;
      if (!waiter || !r.correlationData) continue;
      this.pending.delete(r.correlationData);
      clearTimeout(waiter.timer);
      waiter.resolve(r);
    }
    return true;
  }

  /** Runs one command; resolves with the plugin's error text ('' when it succeeded). */
  async run(command: DynSecCommand): Promise<string> {
    const correlationData = randomUUID();
    const answer = new Promise<DynSecResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationData);
        reject(
          new DynSecError(
            command.command,
            `no answer within ${this.timeoutMs} ms (plugin loaded?)`,
          ),
        );
      }, this.timeoutMs);
      this.pending.set(correlationData, { resolve, reject, timer });
    });
    // Settled by close() while the publish is still waiting: the caller sees the publish error.
    answer.catch(() => undefined);
    try {
      await this.client.publishAsync(
        DYNSEC_TOPIC,
        JSON.stringify({ commands: [{ ...command, correlationData }] }),
        { qos: 1 },
      );
    } catch (err) {
      const waiter = this.pending.get(correlationData);
      if (waiter) {
        clearTimeout(waiter.timer);
        this.pending.delete(correlationData);
      }
      throw err;
    }
    return (await answer).error ?? '';
  }

  private async must(command: DynSecCommand, tolerate: string[] = []): Promise<void> {
    const error = await this.run(command);
    if (error && !tolerate.some((t) => error.includes(t)))
      throw new DynSecError(command.command, error);
  }

  /**
   * Creates or updates the gateway's client and role; enables it (a re-claimed gateway that was
   * decommissioned before comes back).
   */
  async upsertGateway(gatewayId: string, secret: string): Promise<void> {
    const rolename = gatewayRoleName(gatewayId);
    const prefix = gatewayTopicPrefix(gatewayId);
    await this.must(
      {
        command: 'createRole',
        rolename,
        textname: `Anxin gateway ${gatewayId}`,
        acls: [
          { acltype: 'publishClientSend', topic: `${prefix}up/#`, allow: true },
          { acltype: 'subscribePattern', topic: `${prefix}down/#`, allow: true },
          { acltype: 'unsubscribePattern', topic: `${prefix}down/#`, allow: true },
        ],
      },
      ['already exists'],
    );
    const created = await this.run({
      command: 'createClient',
      username: gatewayId,
      password: secret,
      clientid: gatewayId,
      textname: `Anxin gateway ${gatewayId}`,
      roles: [{ rolename }],
    });
    if (!created) return;
    if (!created.includes('already exists')) throw new DynSecError('createClient', created);
    await this.must({ command: 'setClientPassword', username: gatewayId, password: secret });
    await this.must({ command: 'setClientId', username: gatewayId, clientid: gatewayId });
    await this.must({ command: 'enableClient', username: gatewayId });
  }

  /** Stops the gateway from logging in and kicks its connection. */
  async disableGateway(gatewayId: string): Promise<void> {
    await this.must({ command: 'disableClient', username: gatewayId }, ['not found']);
  }

  /** Kicks the gateway's connection (it reconnects with its current credentials). */
  async kickGateway(gatewayId: string): Promise<void> {
    await this.disableGateway(gatewayId);
    await this.must({ command: 'enableClient', username: gatewayId }, ['not found']);
  }

  close(): void {
    for (const [id, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('hub closing'));
      this.pending.delete(id);
    }
  }
}
