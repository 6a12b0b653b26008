/**
 * Development certificates for HTTPS and MQTT over TLS (DESIGN.md, Security): a private CA and a
 * server certificate it signs for the given host names and IP addresses. Gateways and browsers
 * trust the CA file; the hub serves the server certificate (config `http.tls`, `mqtt.tls`).
 * For production, use certificates from the site's own CA or ACME.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface DevCertificates {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

export interface DevCertificateOptions {
  /** DNS names and IP addresses the server certificate is valid for. */
  hosts?: string[];
  days?: number;
}

export const DEFAULT_CERT_HOSTS = ['localhost', '127.0.0.1', '::1'];

export async function generateDevCertificates(
  options: DevCertificateOptions = {},
): Promise<DevCertificates> {
  const hosts = options.hosts && options.hosts.length > 0 ? options.hosts : DEFAULT_CERT_HOSTS;
  const days = options.days ?? 365;
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + days * 86_400_000);
  const ca = await generate([{ name: 'commonName', value: 'Anxin development CA' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      {
        name: 'keyUsage',
        keyCertSign: true,
        cRLSign: true,
        digitalSignature: true,
        critical: true,
      },
    ],
  });
  const server = await generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: hosts.map((h) =>
          isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h },
        ),
      },
    ],
  });
  return { caCert: ca.cert, caKey: ca.private, cert: server.cert, key: server.private };
}

/** Writes ca.crt, ca.key, hub.crt, hub.key (keys readable by the owner only); returns the paths. */
export async function writeDevCertificates(
  dir: string,
  options: DevCertificateOptions = {},
): Promise<{ caFile: string; certFile: string; keyFile: string; caKeyFile: string }> {
  const certs = await generateDevCertificates(options);
  mkdirSync(dir, { recursive: true });
  const paths = {
    caFile: join(dir, 'ca.crt'),
    caKeyFile: join(dir, 'ca.key'),
    certFile: join(dir, 'hub.crt'),
    keyFile: join(dir, 'hub.key'),
  };
  writeFileSync(paths.caFile, certs.caCert);
  writeFileSync(paths.caKeyFile, certs.caKey, { mode: 0o600 });
  writeFileSync(paths.certFile, certs.cert);
  writeFileSync(paths.keyFile, certs.key, { mode: 0o600 });
  return paths;
}
