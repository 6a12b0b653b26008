/**
 * MR60FDA2 as the gateway sees it: a UART radar at 115200 8N1 ([ESPHOME] check_uart_settings(115200);
 * [HLK] §1.1) that reports fall and presence on its own. See codec.ts for the sources.
 */
import { StatsCounter } from '../common/stats.js';
import type { DeviceReading, DriverDescriptor, StreamSession } from '../driver.js';
import { Mr60fda2Decoder, inspectFrame, type Mr60fda2Report } from './codec.js';

/** Maps one report to the shared contract; configuration replies and acks carry no reading. */
export function mr60fda2Readings(report: Mr60fda2Report): DeviceReading[] {
  switch (report.kind) {
    case 'fall':
      return [{ type: 'alarm', kind: 'fall', action: report.fallen ? 'raise' : 'clear' }];
    case 'presence':
      return [{ type: 'telemetry', fields: { presence: report.present } }];
    case 'targets':
      // A non-zero Doppler index means the target moves ([HLK] §2.1.6 dop_idx "velocity index").
      return [
        {
          type: 'telemetry',
          fields: { motion: report.targets.some((t) => t.dopplerIndex !== 0) },
        },
      ];
    default:
      return [];
  }
}

export function createMr60fda2Session(): StreamSession {
  const counter = new StatsCounter();
  const decoder = new Mr60fda2Decoder(counter);
  return {
    mode: 'stream',
    push: (chunk) => decoder.push(chunk).flatMap((m) => mr60fda2Readings(m.report)),
    stats: () => counter.snapshot(),
  };
}

export const mr60fda2Driver: DriverDescriptor = {
  id: 'mr60fda2',
  name: 'Seeed MR60FDA2 60 GHz fall-detection radar',
  models: ['Seeed MR60FDA2', 'MR60FDA2 mmWave kit for XIAO'],
  reference:
    'Seeed Arduino mmWave library (SEEED_MR60FDA2), ESPHome seeed_mr60fda2, Hi-Link TinyFrame protocol V1.2 §1–2',
  transport: 'serial',
  serial: { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 },
  telemetry: ['presence', 'motion'],
  alarms: ['fall'],
  createSession: () => createMr60fda2Session(),
  inspect: (bytes) => inspectFrame(bytes),
};
