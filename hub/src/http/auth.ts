/**
 * Login, sessions and the per-route session check.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, type UserRole } from '@anxin/protocol';
import { hashSecret, USER_PASSWORD_COST, verifySecret } from '../security/password.js';
import type { SessionInfo, UserStore } from '../store/users.js';
import { HttpError } from './errors.js';
import type { LoginLimiter } from './login-limiter.js';

declare module 'fastify' {
  interface FastifyRequest {
    session: SessionInfo | null;
  }
}

/**
 * Failed logins per (client address, username) in a fixed window; in memory and bounded (the
 * oldest key is forgotten first), so a flood of made-up usernames cannot exhaust memory.
 */
export class LoginRateLimiter implements LoginLimiter {
  private readonly failures = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  private key(ip: string, username: string): string {
    return `${ip}\u0000${username.toLowerCase()}`;
  }

  /** Milliseconds until another attempt is allowed, or 0. */
  blockedFor(ip: string, username: string, now: number): number {
    const entry = this.failures.get(this.key(ip, username));
    if (!entry || now - entry.windowStart >= this.windowMs) return 0;
    return entry.count >= this.maxFailures ? entry.windowStart + this.windowMs - now : 0;
  }

  fail(ip: string, username: string, now: number): void {
    const key = this.key(ip, username);
    const entry = this.failures.get(key);
    if (!entry || now - entry.windowStart >= this.windowMs) {
      this.failures.delete(key);
      if (this.failures.size >= this.maxKeys) {
        const oldest = this.failures.keys().next();
        if (!oldest.done) this.failures.delete(oldest.value);
      }
      this.failures.set(key, { count: 1, windowStart: now });
    } else {
      entry.count += 1;
    }
  }

  succeed(ip: string, username: string): void {
    this.failures.delete(this.key(ip, username));
  }
}

export class Authenticator {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UserStore,
    private readonly limiter: LoginLimiter,
    private readonly sessionTtlMs: number,
  ) {}

  async login(
    ip: string,
    username: string,
    password: string,
    now: number,
  ): Promise<{ token: string; session: SessionInfo }> {
    const wait = await this.limiter.blockedFor(ip, username, now);
    if (wait > 0) {
      throw new HttpError('RATE_LIMITED', 'too many failed logins; try again later', undefined, {
        'retry-after': String(Math.ceil(wait / 1000)),
      });
    }
    const row = await this.users.findByUsername(username);
    // Spend the same scrypt time for unknown users, so timing does not tell which names exist.
    this.dummyHash ??= hashSecret('not-a-password', USER_PASSWORD_COST);
    const ok = await verifySecret(password, row?.password_hash ?? (await this.dummyHash));
    if (!row || !ok) {
      await this.limiter.fail(ip, username, now);
      await this.users.audit({
        at: now,
        userId: row?.id ?? null,
        username,
        action: 'session.login_failed',
        targetType: 'session',
        targetId: null,
        detail: { ip },
      });
      throw new HttpError('UNAUTHENTICATED', 'wrong username or password');
    }
    await this.limiter.succeed(ip, username);
    const { token, expiresAt } = await this.users.createSession(row.id, this.sessionTtlMs, now);
    const session = await this.users.sessionByToken(token, now);
    if (!session) throw new Error('session vanished right after creation');
    await this.users.audit({
      at: now,
      userId: row.id,
      username: row.username,
      action: 'session.login',
      targetType: 'session',
      targetId: null,
      detail: { ip, expiresAt },
    });
    return { token, session };
  }

  async logout(token: string): Promise<void> {
    await this.users.deleteSession(token);
  }

  async sessionFromToken(token: string | undefined, now: number): Promise<SessionInfo | undefined> {
    if (!token || token.length > 128) return undefined;
    return this.users.sessionByToken(token, now);
  }
}

export const CONSOLE_ROLES: readonly UserRole[] = ['operator', 'supervisor', 'admin'];

/** preHandler: a valid session with one of `roles`, else 401 / 403 in the one error shape. */
export function requireSession(auth: Authenticator, roles: readonly UserRole[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const session = await auth.sessionFromToken(request.cookies[SESSION_COOKIE], Date.now());
    if (!session) throw new HttpError('UNAUTHENTICATED', 'log in first');
    if (!roles.includes(session.user.role))
      throw new HttpError('FORBIDDEN', `role ${session.user.role} may not do this`);
    request.session = session;
  };
}
