/**
 * Users and sessions. Session tokens are random 256-bit values given to the browser as an
 * httpOnly cookie; only their SHA-256 is stored, and each session expires.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { UserDto, UserRole } from '@anxin/protocol';
import type { Database, UserRow } from './schema.js';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function userRowToDto(row: UserRow): UserDto {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as UserRole,
  };
}

export interface SessionInfo {
  user: UserDto;
  expiresAt: number;
}

export class UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    input: { username: string; displayName: string; role: UserRole; passwordHash: string },
    now: number,
  ): Promise<UserDto> {
    const row = await this.db
      .insertInto('users')
      .values({
        id: randomUUID(),
        username: input.username,
        display_name: input.displayName,
        role: input.role,
        password_hash: input.passwordHash,
        created_at: now,
        disabled: 0,
      })
      .onConflict((oc) =>
        oc.column('username').doUpdateSet({
          display_name: input.displayName,
          role: input.role,
          password_hash: input.passwordHash,
          disabled: 0,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return userRowToDto(row);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .where('disabled', '=', 0)
      .executeTakeFirst();
  }

  /** Creates a session and returns the cookie token (shown to nobody else, stored hashed). */
  async createSession(
    userId: string,
    ttlMs: number,
    now: number,
  ): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + ttlMs;
    await this.db
      .insertInto('sessions')
      .values({
        token_hash: hashToken(token),
        user_id: userId,
        created_at: now,
        expires_at: expiresAt,
      })
      .execute();
    return { token, expiresAt };
  }

  async sessionByToken(token: string, now: number): Promise<SessionInfo | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select('sessions.expires_at')
      .where('sessions.token_hash', '=', hashToken(token))
      .where('sessions.expires_at', '>', now)
      .where('users.disabled', '=', 0)
      .executeTakeFirst();
    if (!row) return undefined;
    return { user: userRowToDto(row), expiresAt: row.expires_at };
  }

  async deleteSession(token: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
  }

  async purgeExpiredSessions(now: number): Promise<number> {
    const r = await this.db
      .deleteFrom('sessions')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async audit(entry: {
    at: number;
    userId: string | null;
    username: string | null;
    action: string;
    targetType: string;
    targetId: string | null;
    detail?: unknown;
  }): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: entry.at,
        user_id: entry.userId,
        username: entry.username,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        detail_json: entry.detail === undefined ? null : JSON.stringify(entry.detail),
      })
      .execute();
  }
}
