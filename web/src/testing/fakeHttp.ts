/** Plain HTTP helpers of the fake hub (fakeHub.ts): JSON answers in the hub's ApiError shape. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError, ApiErrorCode } from '@anxin/protocol';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/** Ids and timeline sequence numbers share one counter, as before. */
let sequence = 0;
export function currentSequence(): number {
  return sequence;
}
export function nextId(): string {
  sequence += 1;
  return `0190a0b0-0000-7000-8000-${String(sequence).padStart(12, '0')}`;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: ApiErrorCode,
  message: string,
  headers = {},
): void {
  const body: ApiError = { error: { code, message } };
  sendJson(res, status, body, headers);
}

export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > 65_536) throw new Error('too large');
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? null : (JSON.parse(text) as unknown);
}

export function cookieValue(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}
