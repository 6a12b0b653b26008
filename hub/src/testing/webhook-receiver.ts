/**
 * Test support: a real HTTP server on loopback that records every webhook the hub delivers and
 * checks its signature against `secret`, as a receiver in the field would.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../notify/signature.js';

export interface SignedHook {
  /** The X-Anxin-Event header. */
  event: string;
  body: { event: string; data: Record<string, unknown> };
  /** `data.alarm.id`, where the hook is about an alarm. */
  alarmId: string | undefined;
  verified: boolean;
}

export interface WebhookReceiver {
  url: string;
  hooks: SignedHook[];
  close(): Promise<void>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseBody(raw: string): SignedHook['body'] {
  const body: unknown = JSON.parse(raw);
  if (!isRecord(body) || typeof body.event !== 'string' || !isRecord(body.data))
    throw new Error(`not a webhook body: ${raw}`);
  return { event: body.event, data: body.data };
}

export async function webhookReceiver(secret: string): Promise<WebhookReceiver> {
  const hooks: SignedHook[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const body = parseBody(raw);
      const alarm = body.data.alarm;
      hooks.push({
        event: String(req.headers['x-anxin-event']),
        body,
        alarmId: isRecord(alarm) && typeof alarm.id === 'string' ? alarm.id : undefined,
        verified: verifySignature(
          secret,
          {
            timestamp: req.headers['x-anxin-timestamp'] as string | undefined,
            signature: req.headers['x-anxin-signature'] as string | undefined,
          },
          raw,
          Date.now(),
        ),
      });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hooks,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
