/**
 * CJ/T 188-2004 streaming decoder (68 … 16 framing shared with DL/T 645, common/frame68.ts) and
 * one-frame inspection for `anxin decode cjt188`.
 */
import { StatsCounter } from '../common/stats.js';
import { Frame68Decoder } from '../common/frame68.js';
import {
  describeFrame68Reject,
  hexOf,
  mainRejectCode,
  type InspectResult,
} from '../common/inspect.js';
import type { Cjt188Frame } from './frame.js';
import { parseCjt188Frame } from './frame.js';
import type { Cjt188Reply } from './reply.js';
import { interpretCjt188, isMeterType } from './reply.js';
import type { StatusLayout } from './tables.js';
import { CJT188_MAX_DATA_LENGTH, STATUS_LAYOUTS } from './tables.js';

export class Cjt188Decoder {
  private readonly framer: Frame68Decoder;

  constructor(readonly counter: StatsCounter = new StatsCounter()) {
    // No second 68 in CJ/T 188: the meter type must be plausible (10H–49H families, or the AAH
    // wildcard), then the length byte at offset 10 and the end/CS checks do the framing.
    this.framer = new Frame68Decoder(
      {
        lengthOffset: 10,
        maxDataLength: CJT188_MAX_DATA_LENGTH,
        checkHeader: (h) => (isMeterType(h[1] ?? 0) ? undefined : 'HEADER'),
      },
      counter,
    );
  }

  push(chunk: Uint8Array): Cjt188Frame[] {
    return this.framer.push(chunk).map(parseCjt188Frame);
  }

  flush(): void {
    this.framer.flush();
  }
}

/** For `anxin decode cjt188 HEX…`. */
export function inspectCjt188(
  bytes: Uint8Array,
  layout: StatusLayout = STATUS_LAYOUTS.standard,
): InspectResult {
  const counter = new StatsCounter();
  const decoder = new Cjt188Decoder(counter);
  const frames = decoder.push(bytes);
  decoder.flush();
  if (frames.length === 0) {
    const code = mainRejectCode(counter.snapshot().rejectReasons, bytes.length === 0);
    return { ok: false, code, reason: describeFrame68Reject(code, CJT188_MAX_DATA_LENGTH) };
  }
  const decoded = frames.map((f) => ({
    // The frame's own fields (type and control as hex) win over the reply's numeric copies.
    ...presentable(interpretCjt188(f, layout)),
    protocol: 'cjt188',
    meterType: `${f.meterType.toString(16).toUpperCase().padStart(2, '0')}H`,
    address: f.address,
    control: `${f.control.toString(16).toUpperCase().padStart(2, '0')}H`,
    direction: (f.control & 0x80) !== 0 ? 'meter→master' : 'master→meter',
    raw: hexOf(f.data),
  }));
  return { ok: true, frame: decoded.length === 1 ? decoded[0] : decoded };
}

/** DIs as the hex an installer reads in the standard ("901F"), not as numbers. */
function presentable(reply: Cjt188Reply): Record<string, unknown> {
  if (reply.kind === 'data') {
    return { ...reply, data: { ...reply.data, di: reply.data.di.toString(16).toUpperCase() } };
  }
  if (reply.kind === 'request' && reply.di !== undefined) {
    return { ...reply, di: reply.di.toString(16).toUpperCase() };
  }
  return { ...reply };
}
