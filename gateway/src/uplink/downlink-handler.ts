/**
 * What the uplink does with each message from the hub: acks go to the lanes, commands run and
 * always get a result, configurations go to the gateway. Every message is validated first
 * (downlink.ts); a bad one is counted by channel and code and logged, never thrown.
 */
import type { Logger } from 'pino';
import type { Ack, Command, CommandResult, GatewayConfigMessage } from '@anxin/protocol';
import { invalidCommandResult, runCommand, type CommandHandler } from './commands.js';
import { parseDownlink } from './downlink.js';

export interface DownlinkDeps {
  gatewayId: string;
  logger: Logger;
  /** An ack from the hub for one of the lanes' batches. */
  onAck: (ack: Ack) => void;
  /** Publishes a command's result on up/cmd-result. */
  publishResult: (result: CommandResult) => void;
  onCommand?: CommandHandler;
  onConfig?: (config: GatewayConfigMessage | null) => void;
}

export class DownlinkHandler {
  /** Downlink messages refused, by `${channel}:${code}`. */
  readonly bad: Record<string, number> = {};
  commands = 0;
  configMessages = 0;
  lastConfigVersion: number | null = null;

  constructor(private readonly deps: DownlinkDeps) {}

  handle(topic: string, payload: Buffer): void {
    try {
      const parsed = parseDownlink(this.deps.gatewayId, topic, payload);
      if (!parsed.ok) {
        this.countBad(parsed.channel, parsed.code, parsed.message);
        // A well-formed command we cannot read (bad args, unknown shape) still gets an answer,
        // so that the hub does not wait for it until its timeout.
        if (parsed.commandId !== undefined) {
          this.deps.publishResult(invalidCommandResult(parsed.commandId, parsed.message));
        }
        return;
      }
      const message = parsed.message;
      if (message.channel === 'ack') this.deps.onAck(message.ack);
      else if (message.channel === 'cmd') this.command(message.command);
      else this.config(message.config);
    } catch (err) {
      // Nothing from the network may crash the gateway.
      this.deps.logger.error({ err, topic }, 'downlink handler failed');
    }
  }

  private countBad(channel: string, code: string, message: string): void {
    const key = `${channel}:${code}`;
    this.bad[key] = (this.bad[key] ?? 0) + 1;
    this.deps.logger.warn(
      { code: 'BAD_DOWNLINK', channel, reason: code, message },
      'downlink message refused',
    );
  }

  private command(command: Command): void {
    this.commands += 1;
    void runCommand(command, this.deps.onCommand).then((result) => this.deps.publishResult(result));
  }

  private config(config: GatewayConfigMessage | null): void {
    this.configMessages += 1;
    if (config !== null) this.lastConfigVersion = config.configVersion;
    if (this.deps.onConfig) {
      this.deps.onConfig(config);
      return;
    }
    this.deps.logger.info(
      { configVersion: config?.configVersion ?? null },
      'configuration from hub received; this gateway has no handler for it',
    );
  }
}
