/**
 * `anxin scan`: finds meters on an RS-485 bus.
 *   - DL/T 645-2007 meters by read address (13H) to the AA…AA wildcard;
 *   - CJ/T 188-2004 water meters by read address (03H, DI 810AH) to the wildcard, trying both DI
 *     byte orders, since meters disagree on it;
 *   - Modbus meters (Eastron SDM) by reading input registers 0x0000–0x0001 (voltage) from each
 *     unit id in a range.
 * The probes and reply parsers are pure; `scanBus` does the I/O over any port with write/onData
 * (a serialport, a TCP serial server), one probe at a time with a reply timeout and a turnaround
 * gap, as a half-duplex bus needs. A wildcard read-address only works with one meter of that
 * protocol on the bus: several meters answer at once and their replies collide — reported as
 * "garbled" so the installer connects meters one at a time.
 */
import { StatsCounter } from './common/stats.js';
import { toHex } from './common/hex.js';
import {
  Dlt645Decoder,
  buildReadAddressRequest as dltReadAddress,
  interpretDlt645,
} from './dlt645/codec.js';
import {
  Cjt188Decoder,
  buildReadAddressRequest as cjtReadAddress,
  interpretCjt188,
  type DiOrder,
} from './cjt188/codec.js';
import {
  ModbusReplyDecoder,
  buildFc04Request,
  decodeFloat32s,
  roundFloat32,
} from './modbus-sdm/codec.js';

export type ScanProtocol = 'dlt645' | 'cjt188' | 'modbus-sdm';

export type ScanFound =
  | { protocol: 'dlt645'; address: string }
  | { protocol: 'cjt188'; address: string; meterType: number; diOrder: DiOrder }
  | { protocol: 'modbus-sdm'; unitId: number; voltageV?: number; exceptionCode?: number };

/** Parses the bytes that come back after one probe. */
export interface ProbeParser {
  /** Feeds reply bytes; returns what was found once a complete valid reply arrived. */
  push(chunk: Uint8Array): ScanFound | undefined;
  /** Bytes were received but no valid reply (collisions, wrong settings, noise). Call once, at the end. */
  garbled(): boolean;
}

export interface ScanProbe {
  protocol: ScanProtocol;
  description: string;
  request: Uint8Array;
  timeoutMs: number;
  parser(): ProbeParser;
}

export interface ScanOptions {
  protocols?: readonly ScanProtocol[];
  /** Modbus unit ids to try (default 1..10). */
  modbusIds?: { from: number; to: number };
  /** Reply timeout for DL/T 645 and CJ/T 188 probes (default 1000 ms: Td ≤ 500 ms at 2400 bit/s). */
  meterTimeoutMs?: number;
  /** Reply timeout per Modbus id (default 300 ms). */
  modbusTimeoutMs?: number;
  /** Quiet time on the line after each probe (default 50 ms). */
  turnaroundMs?: number;
}

/** A parser over a decoder that yields interpreted frames. */
function parserOf<F>(
  decode: (counter: StatsCounter) => { push(c: Uint8Array): F[]; flush(): void },
  pick: (frame: F) => ScanFound | undefined,
): ProbeParser {
  const counter = new StatsCounter();
  const decoder = decode(counter);
  let bytes = 0;
  return {
    push(chunk) {
      bytes += chunk.length;
      for (const f of decoder.push(chunk)) {
        const found = pick(f);
        if (found) return found;
      }
      return undefined;
    },
    garbled: () => {
      // A frame still waiting for its end counts too (INCOMPLETE).
      decoder.flush();
      return bytes > 0 && counter.snapshot().decodeErrors > 0;
    },
  };
}

export function dlt645ReplyParser(): ProbeParser {
  return parserOf(
    (c) => new Dlt645Decoder(c),
    (f) => {
      const r = interpretDlt645(f);
      return r.kind === 'address' ? { protocol: 'dlt645', address: r.address } : undefined;
    },
  );
}

export function cjt188ReplyParser(): ProbeParser {
  return parserOf(
    (c) => new Cjt188Decoder(c),
    (f) => {
      const r = interpretCjt188(f);
      return r.kind === 'address'
        ? { protocol: 'cjt188', address: r.address, meterType: r.meterType, diOrder: r.diOrder }
        : undefined;
    },
  );
}

export function modbusReplyParser(unitId: number): ProbeParser {
  return parserOf(
    (c) => new ModbusReplyDecoder(unitId, c),
    (f) => {
      if (f.kind === 'exception') return { protocol: 'modbus-sdm', unitId, exceptionCode: f.code };
      const [v] = decodeFloat32s(f.payload);
      return v === undefined
        ? { protocol: 'modbus-sdm', unitId }
        : { protocol: 'modbus-sdm', unitId, voltageV: roundFloat32(v, 6) };
    },
  );
}

/** The probes `scanBus` sends, in order. CJ/T 188's second DI order is only tried if needed. */
export function scanProbes(options: ScanOptions = {}): ScanProbe[] {
  const protocols = options.protocols ?? ['dlt645', 'cjt188', 'modbus-sdm'];
  const meterTimeoutMs = options.meterTimeoutMs ?? 1000;
  const probes: ScanProbe[] = [];
  if (protocols.includes('dlt645')) {
    probes.push({
      protocol: 'dlt645',
      description: 'DL/T 645-2007 read address (13H) to AAAAAAAAAAAA',
      request: dltReadAddress(),
      timeoutMs: meterTimeoutMs,
      parser: dlt645ReplyParser,
    });
  }
  if (protocols.includes('cjt188')) {
    for (const diOrder of ['high-first', 'low-first'] as const) {
      probes.push({
        protocol: 'cjt188',
        description: `CJ/T 188-2004 read address (03H, DI ${diOrder === 'high-first' ? '81 0A' : '0A 81'}) to AAAAAAAAAAAAAA`,
        request: cjtReadAddress({ diOrder, wakeUp: 3 }),
        timeoutMs: meterTimeoutMs,
        parser: cjt188ReplyParser,
      });
    }
  }
  if (protocols.includes('modbus-sdm')) {
    const from = Math.max(1, options.modbusIds?.from ?? 1);
    const to = Math.min(247, options.modbusIds?.to ?? 10);
    for (let id = from; id <= to; id += 1) {
      probes.push({
        protocol: 'modbus-sdm',
        description: `Modbus unit ${id}: read input registers 0x0000-0x0001 (SDM voltage)`,
        request: buildFc04Request(id, 0x0000, 2),
        timeoutMs: options.modbusTimeoutMs ?? 300,
        parser: () => modbusReplyParser(id),
      });
    }
  }
  return probes;
}

export interface ScanPort {
  write(bytes: Uint8Array): Promise<void>;
  /** Subscribes to received bytes; returns the unsubscribe function. */
  onData(cb: (chunk: Uint8Array) => void): () => void;
}

export interface ProbeOutcome {
  protocol: ScanProtocol;
  description: string;
  request: string;
  outcome: 'found' | 'no reply' | 'garbled' | 'write failed' | 'skipped';
}

export interface ScanResult {
  found: ScanFound[];
  probes: ProbeOutcome[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sends each probe, waits for a valid reply or the timeout, and reports what answered. */
export async function scanBus(port: ScanPort, options: ScanOptions = {}): Promise<ScanResult> {
  const turnaroundMs = options.turnaroundMs ?? 50;
  const found: ScanFound[] = [];
  const probes: ProbeOutcome[] = [];
  let cjt188Found = false;
  for (const probe of scanProbes(options)) {
    const record = {
      protocol: probe.protocol,
      description: probe.description,
      request: toHex(probe.request),
    };
    if (probe.protocol === 'cjt188' && cjt188Found) {
      probes.push({ ...record, outcome: 'skipped' });
      continue;
    }
    const parser = probe.parser();
    let result: ScanFound | undefined;
    let wake: (() => void) | undefined;
    const unsubscribe = port.onData((chunk) => {
      if (result) return;
      result = parser.push(chunk);
      if (result) wake?.();
    });
    let outcome: ProbeOutcome['outcome'];
    try {
      await port.write(probe.request);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, probe.timeoutMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        if (result) wake();
      });
      outcome = result ? 'found' : parser.garbled() ? 'garbled' : 'no reply';
    } catch {
      outcome = 'write failed';
    } finally {
      unsubscribe();
    }
    probes.push({ ...record, outcome });
    if (result) {
      found.push(result);
      if (result.protocol === 'cjt188') cjt188Found = true;
    }
    await sleep(turnaroundMs);
  }
  return { found, probes };
}
