/**
 * A simulated MR60FDA1 that writes real frames (built by encodeFrame): a heartbeat every few
 * seconds, presence/motion changes, the body-movement parameter once a second while someone is
 * there ([WIKI] "HumanExis_Func": "This value is reported once per second"), and falls on demand.
 * It answers the reset, heartbeat and product-information queries it receives.
 */
import type { SimulatedDevice } from '../driver.js';
import { COMMAND, CONTROL, Mr60fda1Decoder, encodeFrame } from './codec.js';

export interface Mr60fda1SimulatorOptions {
  /** Heartbeat period in ms (default 5000). */
  heartbeatMs?: number;
  /** Body-movement report period in ms while someone is present (default 1000). */
  reportMs?: number;
  /** Firmware string answered to the version query (default `G60FD1SYv010104`, as in [WIKI]). */
  firmware?: string;
}

export const MR60FDA1_SCENARIOS = ['fall', 'fall_clear', 'presence', 'leave', 'motion'] as const;

export class Mr60fda1Simulator implements SimulatedDevice {
  readonly driverId = 'mr60fda1';
  readonly scenarios: readonly string[] = MR60FDA1_SCENARIOS;
  private readonly listeners: ((bytes: Uint8Array) => void)[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inbound = new Mr60fda1Decoder();
  private present = false;
  private moving = false;
  private fallen = false;

  constructor(private readonly options: Mr60fda1SimulatorOptions = {}) {}

  onTransmit(listener: (bytes: Uint8Array) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    if (this.timers.length > 0) return;
    this.send(CONTROL.SYSTEM, COMMAND.HEARTBEAT, [0x0f]);
    const heartbeat = setInterval(
      () => this.send(CONTROL.SYSTEM, COMMAND.HEARTBEAT, [0x0f]),
      this.options.heartbeatMs ?? 5000,
    );
    const report = setInterval(() => {
      if (!this.present) return;
      this.send(CONTROL.HUMAN_PRESENCE, COMMAND.BODY_MOVEMENT, [this.bodyMovement()]);
    }, this.options.reportMs ?? 1000);
    heartbeat.unref();
    report.unref();
    this.timers.push(heartbeat, report);
  }

  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
  }

  trigger(scenario: string): boolean {
    switch (scenario) {
      case 'presence':
        this.setPresence(true, false);
        return true;
      case 'motion':
        this.setPresence(true, true);
        this.send(CONTROL.HUMAN_PRESENCE, COMMAND.BODY_MOVEMENT, [this.bodyMovement()]);
        return true;
      case 'leave':
        if (this.fallen) this.setFall(false);
        this.setPresence(false, false);
        return true;
      case 'fall':
        // A fall is a person present who stops moving; the fall state is reported on change.
        this.setPresence(true, false);
        this.setFall(true);
        return true;
      case 'fall_clear':
        this.setFall(false);
        return true;
      default:
        return false;
    }
  }

  receive(bytes: Uint8Array): void {
    for (const { frame } of this.inbound.push(bytes)) {
      if (frame.control === CONTROL.SYSTEM && frame.command === COMMAND.HEARTBEAT)
        this.send(CONTROL.SYSTEM, COMMAND.HEARTBEAT, [0x0f]);
      else if (frame.control === CONTROL.SYSTEM && frame.command === COMMAND.RESET)
        this.send(CONTROL.SYSTEM, COMMAND.RESET, [0x0f]);
      else if (frame.control === CONTROL.PRODUCT_INFO) this.answerProductInfo(frame.command);
    }
  }

  private answerProductInfo(command: number): void {
    const text =
      command === COMMAND.FIRMWARE_VERSION
        ? (this.options.firmware ?? 'G60FD1SYv010104')
        : command === COMMAND.DEVICE_ID
          ? 'ANXINSIM0001'
          : command === COMMAND.PRODUCT_MODEL
            ? 'MR60FDA1'
            : command === COMMAND.PRODUCT_ID
              ? 'SIM'
              : undefined;
    if (text !== undefined) this.send(CONTROL.PRODUCT_INFO, command, Buffer.from(text, 'latin1'));
  }

  private setPresence(present: boolean, moving: boolean): void {
    if (present !== this.present)
      this.send(CONTROL.HUMAN_PRESENCE, COMMAND.PRESENCE, [present ? 1 : 0]);
    const motionState = !present ? 0 : moving ? 2 : 1;
    const previous = !this.present ? 0 : this.moving ? 2 : 1;
    if (motionState !== previous) this.send(CONTROL.HUMAN_PRESENCE, COMMAND.MOTION, [motionState]);
    this.present = present;
    this.moving = moving;
  }

  private setFall(fallen: boolean): void {
    this.fallen = fallen;
    this.send(CONTROL.FALL_DETECTION, COMMAND.FALL_STATE, [fallen ? 1 : 0]);
  }

  private bodyMovement(): number {
    if (!this.present) return 0;
    if (!this.moving) return 1 + Math.floor(Math.random() * 5);
    return 30 + Math.floor(Math.random() * 50);
  }

  private send(control: number, command: number, data: Uint8Array | number[]): void {
    const frame = encodeFrame(control, command, data);
    for (const listener of this.listeners) listener(frame);
  }
}

export function createMr60fda1Simulator(options?: Mr60fda1SimulatorOptions): Mr60fda1Simulator {
  return new Mr60fda1Simulator(options);
}
