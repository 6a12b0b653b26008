/**
 * Helpers the care-operations plugins share (service requests, welfare, work orders, service
 * buttons): who acts, and how a store's refusal becomes the one REST error shape.
 */
import type { FastifyRequest } from 'fastify';
import type { Access } from '../auth/guard.js';
import type { OpsApi } from '../operations/ops-api.js';
import { assigneeRefusal } from '../operations/assignees.js';
import type { OpsActor, TaskResult } from '../operations/tasks.js';
import { HttpError } from './errors.js';

export interface OpsRouteDeps {
  ops: OpsApi;
  access: Access;
}

export function opsActor(access: Access, request: FastifyRequest): OpsActor {
  const { user } = access.actor(request);
  return { id: user.id, username: user.username, displayName: user.displayName };
}

/** A task change's answer, or NOT_FOUND / CONFLICT (the store's code leads the message). */
export function taskValue<T>(r: TaskResult<T>): T {
  if (r.ok) return r.value;
  if (r.reason === 'not_found') throw new HttpError('NOT_FOUND', r.message);
  throw new HttpError('CONFLICT', r.code ? `${r.code}: ${r.message}` : r.message);
}

/** A user to assign work to must exist, be enabled and have one of these roles. */
export async function assignableUser(
  ops: OpsApi,
  userId: string,
  roles: readonly string[],
): Promise<{ id: string; name: string }> {
  const u = await ops.userById(userId);
  if (!u || assigneeRefusal(u, roles) !== null)
    throw new HttpError('VALIDATION_FAILED', `user ${userId} cannot be assigned this work`, [
      { path: '/userId', message: `must be an enabled ${roles.join(' or ')}` },
    ]);
  return { id: u.id, name: u.displayName };
}

export function splitStatuses<T extends string>(value: string | undefined, fallback: T[]): T[] {
  return value ? ([...new Set(value.split(','))] as T[]) : fallback;
}
