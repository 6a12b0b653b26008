/**
 * The running demo's control socket: a small HTTP API on a Unix socket in the demo's data
 * directory, so `anxin sim trigger` in another terminal can make a simulated device act out an
 * event. Only the local user can reach it (file permissions), and it accepts tiny JSON bodies only.
 */
import { existsSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';

export const CONTROL_SOCKET_NAME = 'control.sock';
const MAX_BODY_BYTES = 4096;

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET_NAME);
}

export interface HomeSummary {
  gatewayId: string;
  devices: { id: string; driver: string; scenarios: readonly string[] }[];
}

export interface TriggerRequest {
  home: string;
  event: string;
  device?: string;
}

export type TriggerOutcome =
  | { ok: true; home: string; device: string; event: string }
  | { ok: false; code: 'UNKNOWN_HOME' | 'UNKNOWN_EVENT' | 'BAD_REQUEST'; message: string };

export interface ControlHandlers {
  homes(): HomeSummary[];
  trigger(req: TriggerRequest): TriggerOutcome;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseTrigger(text: string): TriggerRequest | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { home, event, device } = value as Record<string, unknown>;
    if (typeof home !== 'string' || typeof event !== 'string') return undefined;
    if (device !== undefined && typeof device !== 'string') return undefined;
    return device === undefined ? { home, event } : { home, event, device };
  } catch {
    return undefined;
  }
}

export async function startControlServer(
  dataDir: string,
  handlers: ControlHandlers,
): Promise<Server> {
  const path = controlSocketPath(dataDir);
  if (existsSync(path)) rmSync(path); // a stale socket from a demo that was killed
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/homes') {
      send(200, { homes: handlers.homes() });
      return;
    }
    if (req.method === 'POST' && req.url === '/trigger') {
      readBody(req).then(
        (text) => {
          const parsed = parseTrigger(text);
          const outcome: TriggerOutcome = parsed
            ? handlers.trigger(parsed)
            : {
                ok: false,
                code: 'BAD_REQUEST',
                message: 'expected {"home": string, "event": string, "device"?: string}',
              };
          send(outcome.ok ? 200 : outcome.code === 'BAD_REQUEST' ? 400 : 404, outcome);
        },
        (err: Error) => send(413, { ok: false, code: 'BAD_REQUEST', message: err.message }),
      );
      return;
    }
    send(404, { ok: false, code: 'BAD_REQUEST', message: 'routes: GET /homes, POST /trigger' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return server;
}

/** Client side, for `anxin sim trigger`. */
export function callControl(
  dataDir: string,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: controlSocketPath(dataDir), method, path: route, timeout: 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: text });
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('the demo did not answer within 5 s')));
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}
