/**
 * MQTT over TLS for the benchmarks (`--tls`): the certificate the bench's hub serves, and the
 * hub's count of TLS handshakes read from its /metrics.
 */
import { writeDevCertificates } from '@anxin/hub';
import { metricValue } from './hub-process.js';

/** PEM files: the hub serves cert + key (mqtt.tls), the gateways verify it with the CA. */
export interface BenchTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * Writes a CA and a hub certificate it signs for 127.0.0.1 into `dir` (once per run). The code of
 * `anxin certs` (EC P-256), so the bench measures the handshake a deployment following the README
 * gets; the gateways are given the CA, not the hub's certificate, so they check the chain and the
 * address as in the field. One day is plenty: the file is deleted with the run's temp dir.
 */
export async function writeBenchCertificates(dir: string): Promise<BenchTlsFiles> {
  const { caFile, certFile, keyFile } = await writeDevCertificates(dir, {
    hosts: ['127.0.0.1'],
    days: 1,
  });
  return { caFile, certFile, keyFile };
}

/** The hub's counter of handshakes on its mqtts:// listener (hub/src/metrics.ts). */
export const TLS_HANDSHAKES_METRIC = 'anxin_mqtt_tls_handshakes_total';

export interface TlsHandshakes {
  /** Full handshakes: the hub signed with its key. */
  full: number;
  /** Resumed from a session ticket: no signature. */
  resumed: number;
}

/**
 * The handshake counts in a /metrics scrape; null when the hub does not export the counter (a
 * hub from before it), so the report leaves the figure out rather than printing zeros.
 */
export function tlsHandshakes(metricsText: string): TlsHandshakes | null {
  const sample = new RegExp(`^${TLS_HANDSHAKES_METRIC}[{\\s]`, 'm');
  if (!sample.test(metricsText)) return null;
  return {
    full: metricValue(metricsText, TLS_HANDSHAKES_METRIC, { resumed: 'false' }),
    resumed: metricValue(metricsText, TLS_HANDSHAKES_METRIC, { resumed: 'true' }),
  };
}

export function formatTlsHandshakes(h: TlsHandshakes): string {
  return `TLS handshakes: ${h.full} full, ${h.resumed} resumed`;
}
