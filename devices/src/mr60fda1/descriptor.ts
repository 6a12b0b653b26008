/**
 * MR60FDA1 as the gateway sees it: a UART radar that streams frames on its own at 115200 8N1
 * ([WIKI] "Update firmware via UART", Step 3: "set the baud rate to 115200"; see codec.ts).
 */
import { StatsCounter } from '../common/stats.js';
import type { DeviceReading, DriverDescriptor, StreamSession } from '../driver.js';
import { Mr60fda1Decoder, inspectFrame, type Mr60fda1Report } from './codec.js';

/** Maps one report to the shared contract. Heartbeats are "seen" but carry no reading. */
export function mr60fda1Readings(report: Mr60fda1Report): DeviceReading[] {
  switch (report.kind) {
    case 'fall':
      return [{ type: 'alarm', kind: 'fall', action: report.fallen ? 'raise' : 'clear' }];
    case 'presence':
      return [{ type: 'telemetry', fields: { presence: report.present } }];
    case 'motion':
      // Only "active" is movement; "stationary" means someone is still there, and presence itself
      // comes from its own frame (0x80/0x01), so it is not inferred here.
      return [{ type: 'telemetry', fields: { motion: report.state === 'active' } }];
    case 'body_movement':
      return [{ type: 'telemetry', fields: { motion_level: report.level } }];
    case 'residency':
    case 'heartbeat':
    case 'reset':
    case 'product_info':
    case 'unknown':
      return [];
  }
}

export function createMr60fda1Session(): StreamSession {
  const counter = new StatsCounter();
  const decoder = new Mr60fda1Decoder(counter);
  return {
    mode: 'stream',
    push(chunk: Uint8Array): DeviceReading[] {
      return decoder.push(chunk).flatMap((m) => mr60fda1Readings(m.report));
    },
    stats: () => counter.snapshot(),
  };
}

export const mr60fda1Driver: DriverDescriptor = {
  id: 'mr60fda1',
  name: 'Seeed MR60FDA1 60 GHz fall-detection radar',
  models: ['Seeed MR60FDA1', '60GHz mmWave Fall Detection Module Pro'],
  reference:
    'Seeed Studio wiki "60GHz mmWave Sensor - Fall Detection Module Pro (MR60FDA1)" and MR60FDA1 user manual V1.3',
  transport: 'serial',
  serial: { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 },
  telemetry: ['presence', 'motion', 'motion_level'],
  alarms: ['fall'],
  createSession: () => createMr60fda1Session(),
  inspect: (bytes) => inspectFrame(bytes),
};
