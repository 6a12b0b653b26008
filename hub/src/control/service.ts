/**
 * The hub's side of the gateway control plane (issue 10):
 *
 *  - commands: recorded (SQL) and audited, published on the gateway's down/cmd through the
 *    contract, answered on up/cmd-result, or marked timed out when no answer came in time
 *    (a sweep, so a hub restart does not leave commands pending for ever);
 *  - configuration state: what each gateway reports on up/config-state is stored and pushed to
 *    the installers of its home, and pushed again when the hub publishes a new version ("on version N / waiting to apply N+1 / refused N+1: reason").
 *
 * Publishing goes through the `publish(topic, payload, retain)` seam, as provisioning does, so it
 * works on the embedded broker and an external one alike.
 */
import type { Logger } from 'pino';
import {
  controlState,
  downlinkTopic,
  encodeDownlink,
  newEventId,
  PROTOCOL_VERSION,
  type CommandName,
  type CommandResult,
  type ConfigState,
  type GatewayCommandDto,
  type GatewayControlDto,
  type GatewayTestModeDto,
  type UserDto,
  errorMessage,
} from '@anxin/protocol';
import type { AuditLog } from '../care/audit.js';
import type { ControlStore } from './store.js';
import { commandRowToDto, type CommandRow, type ConfigStateRow } from './store.js';
import { ConfigStateBatch, type ReportedConfigState } from './config-state-batch.js';
import type { HubPart } from '../lifecycle.js';

export interface GatewayControlDeps {
  store: ControlStore;
  audit: AuditLog;
  publish: (topic: string, payload: Buffer, retain: boolean) => Promise<void>;
  /**
   * The home a gateway belongs to, the configuration version last published, and the gateway's
   * own test flag as its last heartbeat reported it.
   */
  gatewayInfo: (gatewayId: string) => Promise<GatewayInfo | undefined>;
  /** Announced on the hub's event bus; the wiring pushes them to the home's installers. */
  push: {
    command: (homeId: string, command: GatewayCommandDto) => void;
    control: (homeId: string, control: GatewayControlDto) => void;
  };
  log: Logger;
  now?: () => number;
  /** How often pending commands are checked for their timeout. */
  sweepMs?: number;
  /** Resolves when no alarm is waiting or being written (config-state writes yield to alarms). */
  alarmsIdle?: () => Promise<void>;
}

export interface GatewayInfo {
  homeId: string | null;
  publishedVersion: number;
  gatewayTestMode: GatewayTestModeDto | null;
}

export class GatewayControl implements HubPart {
  readonly name = 'gateway-control';
  private readonly now: () => number;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> = Promise.resolve();
  /** Commands the gateway answered, in order, while their row is written (tests wait on it). */
  private writes: Promise<unknown> = Promise.resolve();

  private readonly configStates: ConfigStateBatch;

  constructor(private readonly deps: GatewayControlDeps) {
    this.now = deps.now ?? Date.now;
    this.configStates = new ConfigStateBatch({
      write: (reports) => deps.store.recordConfigStates(reports),
      written: (reports) => this.pushConfigStates(reports),
      alarmsIdle: deps.alarmsIdle ?? (() => Promise.resolve()),
      log: deps.log,
      now: () => this.now(),
    });
  }

  /** Starts the sweep that times out unanswered commands. */
  start(): Promise<void> {
    if (this.sweepTimer) return Promise.resolve();
    this.sweepTimer = setInterval(() => {
      this.sweeping = this.sweep();
    }, this.deps.sweepMs ?? 1000);
    this.sweepTimer.unref();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await this.sweeping;
    await this.configStates.close();
    await this.writes.catch(() => undefined);
  }

  /** Records, audits and publishes a command; the caller has checked name, args and scope. */
  async send(input: {
    gatewayId: string;
    name: CommandName;
    args: Record<string, string | number | boolean>;
    timeoutMs: number;
    user: Pick<UserDto, 'id' | 'username'>;
  }): Promise<GatewayCommandDto> {
    const now = this.now();
    const args = { ...input.args };
    // The gateway compares its clock with the hub's at the moment of sending.
    if (input.name === 'sync_time') args.hub_time = now;
    const row: CommandRow = {
      id: newEventId(),
      gateway_id: input.gatewayId,
      name: input.name,
      args_json: JSON.stringify(args),
      status: 'pending',
      code: null,
      message: null,
      data_json: null,
      requested_by: input.user.username,
      requested_at: now,
      answered_at: null,
      timeout_at: now + input.timeoutMs,
    };
    await this.deps.store.insertCommand(row);
    await this.deps.audit.record({
      user: input.user,
      action: 'gateway.command',
      targetType: 'gateway',
      targetId: input.gatewayId,
      detail: { id: row.id, name: input.name, args },
    });
    try {
      const payload = encodeDownlink('cmd', {
        v: PROTOCOL_VERSION,
        id: row.id,
        name: input.name,
        ...(Object.keys(args).length > 0 ? { args } : {}),
      });
      await this.deps.publish(downlinkTopic(input.gatewayId, 'cmd'), payload, false);
    } catch (err) {
      const message = `not sent: ${errorMessage(err)}`.slice(0, 500);
      this.deps.log.warn({ err, gatewayId: input.gatewayId, id: row.id }, 'command not published');
      await this.deps.store.failCommand(row.id, 'FAILED', message);
      return commandRowToDto({ ...row, status: 'failed', code: 'FAILED', message });
    }
    return commandRowToDto(row);
  }

  /** up/cmd-result from a gateway (never throws: called from ingest). */
  onResult(gatewayId: string, result: CommandResult): void {
    this.writes = this.writes
      .then(async () => {
        const row = await this.deps.store.answerCommand(gatewayId, result, this.now());
        if (!row) {
          this.deps.log.info(
            { gatewayId, id: result.id },
            'command result for no pending command of this gateway (late, repeated or unknown)',
          );
          return;
        }
        await this.deps.audit.record({
          user: null,
          action: 'gateway.command.result',
          targetType: 'gateway',
          targetId: gatewayId,
          detail: { id: row.id, name: row.name, status: row.status, code: row.code },
        });
        await this.pushCommand(row);
      })
      .catch((err: unknown) =>
        this.deps.log.error({ err, gatewayId }, 'command result not recorded'),
      );
  }

  /**
   * up/config-state from a gateway (never throws: called from ingest). Every gateway reports on
   * connect, so reports are batched (config-state-batch.ts) rather than one commit each.
   */
  onConfigState(gatewayId: string, state: ConfigState): void {
    this.configStates.report(gatewayId, state);
  }

  /** Resolves when every configuration state reported so far is stored and pushed. */
  configStatesSettled(): Promise<void> {
    return this.configStates.settled();
  }

  /** After a batch of reports is durable: each home's installers see their gateway's state. */
  private async pushConfigStates(reports: readonly ReportedConfigState[]): Promise<void> {
    for (const { gatewayId, state, at } of reports) {
      const info = await this.deps.gatewayInfo(gatewayId);
      if (!info?.homeId) continue;
      this.deps.push.control(
        info.homeId,
        controlDto(gatewayId, info, {
          applied_version: state.appliedVersion,
          refused_version: state.refused?.version ?? null,
          refused_code: state.refused?.code ?? null,
          refused_reason: state.refused?.reason ?? null,
          reported_at: at,
        }),
      );
    }
  }

  /**
   * The hub published a new configuration version (never throws): the installers of the home are
   * told at once that the gateway is now waiting to apply it, not only when the gateway answers.
   */
  configPublished(gatewayId: string): void {
    this.pushControl(gatewayId);
  }

  /**
   * A heartbeat reported the gateway's own test flag changed (on, off, its window over), and it is
   * stored (never throws): the installers see the "in test mode until" badge come and go.
   */
  testModeReported(gatewayId: string): void {
    this.pushControl(gatewayId);
  }

  private pushControl(gatewayId: string): void {
    this.writes = this.writes
      .then(async () => {
        const info = await this.deps.gatewayInfo(gatewayId);
        if (!info?.homeId) return;
        this.deps.push.control(info.homeId, await this.control(gatewayId, info));
      })
      .catch((err: unknown) =>
        this.deps.log.error({ err, gatewayId }, 'configuration state not pushed'),
      );
  }

  async control(gatewayId: string, info: Omit<GatewayInfo, 'homeId'>): Promise<GatewayControlDto> {
    return controlDto(gatewayId, info, await this.deps.store.configState(gatewayId));
  }

  async command(gatewayId: string, id: string): Promise<GatewayCommandDto | undefined> {
    const row = await this.deps.store.getCommand(gatewayId, id);
    return row ? commandRowToDto(row) : undefined;
  }

  async commands(gatewayId: string, limit = 20): Promise<GatewayCommandDto[]> {
    return (await this.deps.store.listCommands(gatewayId, limit)).map(commandRowToDto);
  }

  /** Marks overdue commands timed out and tells the installers. */
  private async sweep(): Promise<void> {
    try {
      const expired = await this.deps.store.expire(this.now());
      for (const row of expired) {
        this.deps.log.info(
          { gatewayId: row.gateway_id, id: row.id, name: row.name },
          'gateway command timed out',
        );
        await this.deps.audit.record({
          user: null,
          action: 'gateway.command.result',
          targetType: 'gateway',
          targetId: row.gateway_id,
          detail: { id: row.id, name: row.name, status: 'timed_out', code: 'TIMEOUT' },
        });
        await this.pushCommand(row);
      }
    } catch (err) {
      this.deps.log.error({ err }, 'command timeout sweep failed');
    }
  }

  private async pushCommand(row: CommandRow): Promise<void> {
    const info = await this.deps.gatewayInfo(row.gateway_id);
    if (info?.homeId) this.deps.push.command(info.homeId, commandRowToDto(row));
  }
}

type StateColumns = Omit<ConfigStateRow, 'gateway_id'>;

/** What installers see of a gateway's configuration: published, applied, refused. */
function controlDto(
  gatewayId: string,
  { publishedVersion, gatewayTestMode }: Omit<GatewayInfo, 'homeId'>,
  row: StateColumns | undefined,
): GatewayControlDto {
  const refused =
    row && row.refused_version !== null
      ? {
          version: row.refused_version,
          code: row.refused_code ?? 'SCHEMA',
          reason: row.refused_reason ?? '',
        }
      : null;
  const applied = row ? row.applied_version : null;
  return {
    gatewayId,
    publishedVersion,
    appliedVersion: applied,
    refused,
    state: controlState(publishedVersion, applied, refused),
    reportedAt: row ? new Date(row.reported_at).toISOString() : null,
    gatewayTestMode,
  };
}
