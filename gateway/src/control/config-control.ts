/**
 * Applies the hub's configuration at runtime (issue 10). For each message on down/config:
 *
 *  - older than the version running: ignored (a stale retained message);
 *  - the version running, or the one last refused: the state is published again, nothing changes;
 *  - otherwise checked as a whole (hub-config.ts). Refused: the reason goes to the hub on
 *    up/config-state and the last good configuration keeps running. Accepted: the device runtime
 *    applies the difference (untouched devices keep running), the heartbeat interval, thresholds
 *    and test mode take effect, the version is saved in the data directory and reported.
 *
 * Which wins, hub or file: the file's devices run until the first hub configuration is applied;
 * from then on the hub's (saved in dataDir/hub-config.json) replace them, also after a restart.
 * The hub is where installers change a home, so a managed gateway follows it; the file keeps what
 * only the box knows (its id, hub address, ports' timing, local broker, logging).
 */
import type { Logger } from 'pino';
import type { DriverDescriptor } from '@anxin/devices';
import { PROTOCOL_VERSION, type ConfigState, type GatewayConfigMessage } from '@anxin/protocol';
import type { DriverRuntime } from '../drivers/runtime.js';
import { saveControlState, type AppliedHubConfig, type ControlState } from './config-store.js';
import { checkDevices, desiredFromHub, type Refusal } from './hub-config.js';

export interface ConfigControlOptions {
  gatewayId: string;
  dataDir: string;
  initial: ControlState;
  runtime: () => DriverRuntime | null;
  findDriver: (id: string) => DriverDescriptor | undefined;
  hasLocalMqtt: boolean;
  logger: Logger;
  now: () => number;
  /** A new heartbeat interval, and "send a heartbeat now" after a change. */
  heartbeat: { setInterval(seconds: number): void; now(): void };
  publishState: (state: ConfigState) => void;
  /** Thresholds and test mode of the applied configuration changed. */
  onApplied?: (applied: AppliedHubConfig) => void;
}

export interface ConfigControlHealth {
  appliedVersion: number;
  appliedAt: number | null;
  refused: ControlState['refused'];
  messages: number;
  refusals: number;
  applied: number;
}

export class ConfigControl {
  private state: ControlState;
  private chain: Promise<void> = Promise.resolve();
  private readonly counters = { messages: 0, refusals: 0, applied: 0 };

  constructor(private readonly options: ConfigControlOptions) {
    this.state = options.initial;
  }

  get appliedVersion(): number {
    return this.state.applied?.version ?? 0;
  }

  get applied(): AppliedHubConfig | null {
    return this.state.applied;
  }

  health(): ConfigControlHealth {
    return {
      appliedVersion: this.appliedVersion,
      appliedAt: this.state.applied?.appliedAt ?? null,
      refused: this.state.refused,
      ...this.counters,
    };
  }

  /** What up/config-state says now. */
  configState(): ConfigState {
    const refused = this.state.refused;
    return {
      v: PROTOCOL_VERSION,
      at: this.options.now(),
      appliedVersion: this.appliedVersion,
      ...(refused && refused.version > this.appliedVersion
        ? { refused: { ...refused, reason: refused.reason.slice(0, 512) } }
        : {}),
    };
  }

  /** Handles one message from down/config; serialised, never throws. */
  handle(message: GatewayConfigMessage | null): Promise<void> {
    const run = this.chain.then(() => this.handleNow(message));
    this.chain = run.catch((err: unknown) => {
      this.options.logger.error({ err }, 'applying the configuration failed');
    });
    return this.chain;
  }

  private async handleNow(message: GatewayConfigMessage | null): Promise<void> {
    this.counters.messages += 1;
    const log = this.options.logger;
    if (message === null) {
      // The hub cleared the retained configuration (decommissioned): keep what runs until the
      // broker lets go of this gateway; nothing to apply.
      log.info('the hub cleared this gateway’s configuration');
      return;
    }
    const version = message.configVersion;
    if (version < this.appliedVersion) {
      log.info({ version, running: this.appliedVersion }, 'older configuration ignored');
      return;
    }
    if (version === this.appliedVersion || version === this.state.refused?.version) {
      this.options.publishState(this.configState());
      return;
    }
    const desired = desiredFromHub(message, this.options.gatewayId);
    if (!desired.ok) return this.refuse(version, desired);
    const problem = checkDevices(
      desired.desired.devices,
      this.options.findDriver,
      this.options.hasLocalMqtt,
    );
    if (problem) return this.refuse(version, problem);
    const runtime = this.options.runtime();
    if (!runtime) return;
    const diff = await runtime.apply(desired.desired.devices);
    const applied: AppliedHubConfig = {
      version,
      appliedAt: this.options.now(),
      devices: desired.desired.devices,
      heartbeatIntervalS: desired.desired.heartbeatIntervalS,
      thresholds: desired.desired.thresholds,
      testMode: desired.desired.testMode,
    };
    this.state = {
      applied,
      refused:
        this.state.refused && this.state.refused.version > version ? this.state.refused : null,
    };
    this.save();
    this.counters.applied += 1;
    this.options.heartbeat.setInterval(applied.heartbeatIntervalS);
    this.options.onApplied?.(applied);
    log.info(
      {
        version,
        added: diff.added.length,
        removed: diff.removed.length,
        changed: diff.changed.length,
        untouched: diff.unchanged.length,
      },
      'configuration from hub applied',
    );
    this.options.publishState(this.configState());
    this.options.heartbeat.now();
  }

  private refuse(version: number, refusal: Refusal): void {
    // Only the refusal's fields (a CheckResult carries `ok` too; the contract has no room for it).
    this.counters.refusals += 1;
    this.state = {
      ...this.state,
      refused: { version, code: refusal.code, reason: refusal.reason },
    };
    this.save();
    this.options.logger.error(
      { code: 'CONFIG_REFUSED', version, reason: refusal.code, running: this.appliedVersion },
      `configuration ${version} refused: ${refusal.reason}; version ${this.appliedVersion} keeps running`,
    );
    this.options.publishState(this.configState());
  }

  private save(): void {
    try {
      saveControlState(this.options.dataDir, this.state);
    } catch (err) {
      // Still applied in memory; after a restart the hub's retained config is applied again.
      this.options.logger.error({ err }, 'configuration state not saved');
    }
  }
}
