import { writeDevCertificates, DEFAULT_CERT_HOSTS } from '@anxin/hub';
import { intOption, parseCommandArgs } from '../args.js';
import { UsageError, writeLine, type Command } from '../command.js';

export const certsCommand: Command = {
  name: 'certs',
  summary: 'generate a development CA and a hub certificate for HTTPS and MQTT over TLS',
  usage: [
    'Usage: anxin certs --out DIR [--host NAME]… [--days N]',
    '',
    'Writes DIR/ca.crt, DIR/ca.key, DIR/hub.crt and DIR/hub.key (keys mode 0600). The hub',
    'certificate is valid for every --host (DNS name or IP address; default:',
    `${DEFAULT_CERT_HOSTS.join(', ')}) and signed by the CA. Point the hub at it with`,
    'http.tls / mqtt.tls (certFile: hub.crt, keyFile: hub.key) and give gateways ca.crt',
    '(hub.caFile). For development only: use your own CA or ACME in production.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      out: { type: 'string', short: 'o' },
      host: { type: 'string', multiple: true },
      days: { type: 'string' },
    });
    if (!values.out) throw new UsageError('give --out DIR');
    const days = intOption(values.days, '--days', 365, 1, 3650);
    const paths = await writeDevCertificates(values.out, {
      ...(values.host ? { hosts: values.host } : {}),
      days,
    });
    writeLine(io.stdout, JSON.stringify({ ok: true, ...paths, days }));
    return 0;
  },
};
