/**
 * Per-request access checks: the session becomes an Actor (user + scope); writes a role may never
 * do answer 403, anything outside the scope answers 404 (so no one learns it exists), and every
 * refusal is written to the audit log as `access.denied`.
 */
import type { FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '@anxin/protocol';
import type { AuditLog } from '../care/audit.js';
import type { Authenticator } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import { mayDo, type ReadAction, type WriteAction } from './policy.js';
import type { Actor, ScopeResolver } from './scope.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export interface AccessDeps {
  auth: Authenticator;
  scopes: ScopeResolver;
  audit: AuditLog;
}

export class Access {
  constructor(private readonly deps: AccessDeps) {}

  get scopes(): ScopeResolver {
    return this.deps.scopes;
  }

  /** preHandler: a valid session (else 401), resolved into request.actor. */
  readonly authenticate = async (request: FastifyRequest): Promise<void> => {
    const session = await this.deps.auth.sessionFromToken(
      request.cookies[SESSION_COOKIE],
      Date.now(),
    );
    if (!session) throw new HttpError('UNAUTHENTICATED', 'log in first');
    request.session = session;
    request.actor = { user: session.user, scope: await this.deps.scopes.scopeOf(session.user) };
  };

  actor(request: FastifyRequest): Actor {
    const actor = request.actor;
    if (!actor) throw new HttpError('UNAUTHENTICATED', 'log in first');
    return actor;
  }

  private async deny(
    request: FastifyRequest,
    reason: 'role' | 'scope' | 'unknown',
    targetType: string,
    targetId: string | null,
    action: string,
  ): Promise<void> {
    await this.deps.audit.record({
      user: request.actor?.user ?? null,
      action: 'access.denied',
      targetType,
      targetId,
      detail: { reason, attempted: action, method: request.method, url: request.url.slice(0, 300) },
    });
  }

  /** 403 (audited) unless the actor's role may ever do this. */
  async requireRole(
    request: FastifyRequest,
    action: WriteAction | ReadAction,
    targetType: string,
    targetId: string | null,
  ): Promise<Actor> {
    const actor = this.actor(request);
    if (!mayDo(actor.user.role, action)) {
      await this.deny(request, 'role', targetType, targetId, action);
      throw new HttpError('FORBIDDEN', `role ${actor.user.role} may not do ${action}`);
    }
    return actor;
  }

  /** 404 (audited): the target is unknown or outside the actor's scope — the same answer. */
  async notFound(
    request: FastifyRequest,
    targetType: string,
    targetId: string,
    action: string,
    exists: boolean,
  ): Promise<never> {
    // Probing unknown ids is recorded too (reason `unknown`), so enumeration shows in the log.
    await this.deny(request, exists ? 'scope' : 'unknown', targetType, targetId, action);
    throw new HttpError('NOT_FOUND', `${targetType} ${targetId} not found`);
  }

  /**
   * The home must exist and be in scope, else 404 (audited when it exists). `homeExists` is the
   * caller's knowledge of the record (the resolver knows every home's area).
   */
  async requireHome(request: FastifyRequest, homeId: string, action: string): Promise<Actor> {
    const actor = this.actor(request);
    const exists = this.deps.scopes.areaOfHome(homeId) !== undefined;
    if (!exists || !this.deps.scopes.homeInScope(actor.scope, homeId))
      return this.notFound(request, 'home', homeId, action, exists);
    return actor;
  }
}
