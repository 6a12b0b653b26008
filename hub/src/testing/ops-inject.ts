/**
 * REST in-process through Fastify's inject() (no socket): log in as a user and call routes with
 * the session cookie. Answers have the same shape as harness.ts callApi (for expectApiError).
 */
import type { FastifyInstance } from 'fastify';
import type { ApiAnswer } from './harness.js';

export class Injector {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly app: FastifyInstance) {}

  async login(username: string, password: string): Promise<void> {
    const res = await this.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username, password },
    });
    if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
    const cookie = res.cookies.find((c) => c.name === 'anxin_session');
    if (!cookie) throw new Error('no session cookie');
    this.cookies.set(username, `${cookie.name}=${cookie.value}`);
  }

  async call(who: string, method: string, url: string, body?: unknown): Promise<ApiAnswer> {
    const cookie = this.cookies.get(who);
    const res = await this.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined
        ? { payload: typeof body === 'string' ? body : JSON.stringify(body) }
        : {}),
    });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as unknown) : null };
  }
}
