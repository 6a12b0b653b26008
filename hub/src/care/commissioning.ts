/**
 * Commissioning records (care.ts "Commissioning records"): what the installer's guided device test
 * showed, kept in SQL so the printed record survives the browser it was run in. Append-only: a
 * test run again is a new record; the newest is the home's current state.
 */
import type { Kysely } from 'kysely';
import { orderedUuid } from '../store/ordered-id.js';
import {
  isRecord,
  isUnknownArray,
  type CommissioningRecordDto,
  type CommissioningStep,
  type CreateCommissioningRecordRequest,
} from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import './tables.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** A step as this hub stored it: the ids and the result it always writes are there. */
function isStoredStep(step: unknown): step is CommissioningStep {
  return (
    isRecord(step) &&
    typeof step['gatewayId'] === 'string' &&
    typeof step['deviceId'] === 'string' &&
    typeof step['result'] === 'string'
  );
}

function parseSteps(text: string): CommissioningStep[] {
  try {
    const value: unknown = JSON.parse(text);
    // Written by this hub from a request the API checked against CommissioningStepSchema; a row
    // another writer left unreadable shows no steps rather than failing the home's records.
    return isUnknownArray(value) ? value.filter(isStoredStep) : [];
  } catch {
    return [];
  }
}

export class CommissioningStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    homeId: string,
    input: CreateCommissioningRecordRequest,
    userId: string,
    now: number,
  ): Promise<string> {
    const id = orderedUuid();
    await this.db
      .insertInto('commissioning_records')
      .values({
        id,
        home_id: homeId,
        recorded_at: now,
        recorded_by: userId,
        started_at: Date.parse(input.startedAt),
        started_by: input.startedBy ?? null,
        finished_at: input.finishedAt ? Date.parse(input.finishedAt) : null,
        finished_by: input.finishedBy ?? null,
        steps_json: JSON.stringify(input.steps),
      })
      .execute();
    return id;
  }

  /** The home's records, newest first (ties: the later insert first). */
  async list(homeId: string, limit = 100, id?: string): Promise<CommissioningRecordDto[]> {
    let q = this.db
      .selectFrom('commissioning_records')
      .innerJoin('users', 'users.id', 'commissioning_records.recorded_by')
      .selectAll('commissioning_records')
      .select(['users.username', 'users.display_name'])
      .where('commissioning_records.home_id', '=', homeId);
    if (id !== undefined) q = q.where('commissioning_records.id', '=', id);
    const rows = await q
      .orderBy('commissioning_records.recorded_at', 'desc')
      // Ties in recorded_at: ids are time-ordered (store/ordered-id.ts), so the later insert first.
      .orderBy('commissioning_records.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      homeId: r.home_id,
      recordedAt: iso(r.recorded_at),
      recordedBy: { userId: r.recorded_by, username: r.username, displayName: r.display_name },
      startedAt: iso(r.started_at),
      startedBy: r.started_by,
      finishedAt: r.finished_at === null ? null : iso(r.finished_at),
      finishedBy: r.finished_by,
      steps: parseSteps(r.steps_json),
    }));
  }
}
