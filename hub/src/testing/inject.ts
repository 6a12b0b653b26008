/**
 * In-process REST calls through Fastify's inject() (no socket): login and one call with a session
 * cookie. Bodies: a string or Buffer is sent as written with the given content type (CSV, XLSX,
 * bad bytes), anything else as JSON.
 */
import type { FastifyInstance } from 'fastify';

export interface Injected {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** Parsed JSON when the answer is JSON, else null. */
  json: unknown;
  text: string;
  raw: Buffer;
}

export async function injectLogin(
  app: FastifyInstance,
  username: string,
  password: string,
): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies[0];
  if (!cookie) throw new Error('no session cookie');
  return `${cookie.name}=${cookie.value}`;
}

export async function inject(
  app: FastifyInstance,
  cookie: string | undefined,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  contentType?: string,
): Promise<Injected> {
  const raw = typeof body === 'string' || Buffer.isBuffer(body);
  const res = await app.inject({
    method,
    url,
    headers: {
      ...(cookie ? { cookie } : {}),
      ...(body !== undefined
        ? { 'content-type': contentType ?? (raw ? 'text/csv' : 'application/json') }
        : {}),
    },
    ...(body !== undefined ? { payload: raw ? body : JSON.stringify(body) } : {}),
  });
  const type = String(res.headers['content-type'] ?? '');
  return {
    status: res.statusCode,
    headers: res.headers,
    json:
      type.includes('application/json') && res.body !== ''
        ? (JSON.parse(res.body) as unknown)
        : null,
    text: res.body,
    raw: res.rawPayload,
  };
}

/** The error code of a refusal (the one ApiError shape), or undefined. */
export function errorCodeOf(answer: Injected): string | undefined {
  const body = answer.json as { error?: { code?: string } } | null;
  return body?.error?.code;
}
