/**
 * The bus master for one RS-485 bus (one port shared by polled devices). RS-485 is half-duplex:
 * exactly one request may be outstanding, and after each reply (or timeout) the master keeps the
 * line quiet for a turnaround gap before the next request, so that a slow transceiver has released
 * the bus (Modbus over Serial Line V1.02 §2.5.1.1 asks for ≥ 3.5 character times; DL/T 645-2007
 * §6.3 recommends 20 ms or more before the next frame).
 *
 * Devices are polled in due-time order at their own interval. Each request is retried after a
 * timeout up to the device's retry count; every request, reply, timeout, retry and failure is
 * counted per device.
 */
import type { Logger } from 'pino';
import type { DeviceReading, PollRequest, PollSession } from '@anxin/devices';
import type { ByteTransport } from '../transports/byte-transport.js';
import type { DeviceMonitor, PollCounters } from './device-monitor.js';

export interface PolledDevice {
  id: string;
  session: PollSession;
  retries: number;
  monitor: DeviceMonitor;
}

export interface PollBusOptions {
  transport: ByteTransport;
  devices: PolledDevice[];
  turnaroundMs: number;
  now: () => number;
  logger: Logger;
  onReadings: (deviceId: string, readings: DeviceReading[], receivedAt: number) => void;
}

interface Outstanding {
  device: PolledDevice;
  resolve: (gotReply: boolean) => void;
}

/** An empty bus waits this long before looking again (a device added wakes it at once). */
const IDLE_WAIT_MS = 60_000;

export class PollBus {
  private stopped = false;
  private outstanding: Outstanding | null = null;
  private sleepWake: (() => void) | null = null;
  /** Wakes the wait for the next due device (not the turnaround gap, which is always kept). */
  private dueWake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly due = new Map<PolledDevice, number>();
  /** Bytes that arrived while no request was outstanding (echoes, late replies, noise). */
  strayBytes = 0;

  constructor(private readonly options: PollBusOptions) {
    for (const device of options.devices) {
      device.monitor.poll = zeroCounters();
    }
    options.transport.onData((chunk, at) => this.onData(chunk, at));
  }

  start(): void {
    if (this.loop) return;
    const start = this.options.now();
    for (const device of this.options.devices) this.due.set(device, start);
    this.loop = this.run().catch((err: unknown) => {
      this.options.logger.error({ err, port: this.options.transport.port }, 'poll loop failed');
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleepWake?.();
    this.dueWake?.();
    this.outstanding?.resolve(false);
    await this.loop;
  }

  /** Devices on the bus now. */
  get size(): number {
    return this.options.devices.length;
  }

  /**
   * Adds a device to a running bus (a configuration change): it is polled as soon as the bus is
   * free, and the others keep their schedule.
   */
  addDevice(device: PolledDevice): void {
    device.monitor.poll = zeroCounters();
    this.options.devices.push(device);
    if (this.loop) {
      this.due.set(device, this.options.now());
      this.dueWake?.();
    }
  }

  /** Polls a device as soon as the bus is free (command read_device); false if not on the bus. */
  pollSoon(id: string): boolean {
    const device = this.options.devices.find((d) => d.id === id);
    if (!device || !this.due.has(device)) return false;
    this.due.set(device, this.options.now());
    this.dueWake?.();
    return true;
  }

  /** Takes a device off the bus; a request of it in flight is abandoned, the others carry on. */
  removeDevice(id: string): void {
    const device = this.options.devices.find((d) => d.id === id);
    if (!device) return;
    this.options.devices.splice(this.options.devices.indexOf(device), 1);
    this.due.delete(device);
    if (this.outstanding?.device === device) this.outstanding.resolve(false);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const next = this.nextDue();
      if (!next) {
        await this.waitForDue(IDLE_WAIT_MS);
        continue;
      }
      const [device, dueAt] = next;
      const wait = dueAt - this.options.now();
      if (wait > 0) {
        // Look again afterwards: a device may have been added (due now) or removed meanwhile.
        await this.waitForDue(wait);
        continue;
      }
      await this.pollDevice(device);
      if (!this.due.has(device)) continue; // removed while it was being polled
      // Keep the cadence; after a long stall start counting again from now.
      const now = this.options.now();
      const nextDueAt = dueAt + device.session.intervalMs;
      this.due.set(device, nextDueAt > now ? nextDueAt : now + device.session.intervalMs);
    }
  }

  private nextDue(): [PolledDevice, number] | null {
    let best: [PolledDevice, number] | null = null;
    for (const entry of this.due) if (!best || entry[1] < best[1]) best = entry;
    return best;
  }

  private async pollDevice(device: PolledDevice): Promise<void> {
    const counters = device.monitor.poll ?? zeroCounters();
    if (!this.options.transport.isOpen) {
      counters.skippedPortDown += 1;
      return;
    }
    let requests: PollRequest[];
    try {
      requests = device.session.nextPoll();
    } catch (err) {
      this.options.logger.error({ err, deviceId: device.id }, 'driver nextPoll failed');
      return;
    }
    const gone = () => this.stopped || !this.due.has(device);
    for (const request of requests) {
      if (gone()) return;
      let answered = false;
      for (let attempt = 0; attempt <= device.retries && !answered && !gone(); attempt += 1) {
        if (attempt > 0) counters.retries += 1;
        counters.requests += 1;
        answered = await this.exchange(device, request);
        if (!answered && !gone()) {
          counters.timeouts += 1;
          device.session.timeout();
        }
        await this.sleep(this.options.turnaroundMs);
      }
      if (answered) counters.replies += 1;
      else if (!this.stopped) {
        counters.failures += 1;
        this.options.logger.debug(
          { deviceId: device.id, port: this.options.transport.port },
          'no reply after retries',
        );
      }
    }
  }

  /** Writes one request and waits for the session to report a complete reply or the timeout. */
  private exchange(device: PolledDevice, request: PollRequest): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (gotReply: boolean) => {
        if (timer) clearTimeout(timer);
        if (this.outstanding?.device === device) this.outstanding = null;
        resolve(gotReply);
      };
      this.outstanding = { device, resolve: finish };
      this.options.transport.write(request.bytes).then(
        () => {
          timer = setTimeout(() => finish(false), request.timeoutMs);
        },
        (err: unknown) => {
          this.options.logger.warn(
            { deviceId: device.id, err: err instanceof Error ? err.message : String(err) },
            'bus write failed',
          );
          finish(false);
        },
      );
    });
  }

  private onData(chunk: Uint8Array, at: number): void {
    const current = this.outstanding;
    if (!current) {
      this.strayBytes += chunk.byteLength;
      return;
    }
    let result: { done: boolean; readings: DeviceReading[] };
    try {
      result = current.device.session.push(chunk);
    } catch (err) {
      // Sessions promise never to throw; a driver bug must still not stop the bus.
      this.options.logger.error({ err, deviceId: current.device.id }, 'driver push threw');
      return;
    }
    current.device.monitor.noteFrames(at);
    if (result.readings.length > 0) this.options.onReadings(current.device.id, result.readings, at);
    if (result.done) current.resolve(true);
  }

  private waitForDue(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.dueWake = null;
        resolve();
      }, ms);
      this.dueWake = () => {
        clearTimeout(timer);
        this.dueWake = null;
        resolve();
      };
    });
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepWake = null;
        resolve();
      }, ms);
      this.sleepWake = () => {
        clearTimeout(timer);
        this.sleepWake = null;
        resolve();
      };
    });
  }
}

function zeroCounters(): PollCounters {
  return { requests: 0, replies: 0, timeouts: 0, retries: 0, failures: 0, skippedPortDown: 0 };
}
