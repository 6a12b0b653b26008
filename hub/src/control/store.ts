/**
 * SQL of the gateway control plane (tables.ts): configuration states and command records.
 * Kysely builder only, epoch-ms BIGINTs, upserts with onConflict: the same on SQLite and
 * PostgreSQL.
 */
import type { Kysely, Selectable } from 'kysely';
import {
  COMMAND_STATUSES,
  type CommandResult,
  type CommandStatus,
  type ConfigState,
  type GatewayCommandDto,
  isJsonObject,
  parseJson,
  type JsonObject,
} from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import type { GatewayCommandsTable, GatewayConfigStatesTable } from './tables.js';
import './tables.js';

export type CommandRow = Selectable<GatewayCommandsTable>;
export type ConfigStateRow = Selectable<GatewayConfigStatesTable>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function parseObject(json: string | null): JsonObject | null {
  if (json === null) return null;
  try {
    const value = parseJson(json);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** The stored arguments (written by the hub after commandArgsIssue), scalars only. */
function argsOf(json: string | null): GatewayCommandDto['args'] {
  const args: GatewayCommandDto['args'] = {};
  for (const [key, value] of Object.entries(parseObject(json) ?? {}))
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      args[key] = value;
  return args;
}

function statusOf(status: string): CommandStatus {
  const known = COMMAND_STATUSES.find((s) => s === status);
  if (known === undefined) throw new Error(`gateway command row with unknown status ${status}`);
  return known;
}

export function commandRowToDto(row: CommandRow): GatewayCommandDto {
  return {
    id: row.id,
    gatewayId: row.gateway_id,
    name: row.name,
    args: argsOf(row.args_json),
    status: statusOf(row.status),
    code: row.code,
    message: row.message,
    data: parseObject(row.data_json),
    requestedBy: row.requested_by,
    requestedAt: new Date(row.requested_at).toISOString(),
    answeredAt: iso(row.answered_at),
    timeoutAt: new Date(row.timeout_at).toISOString(),
  };
}

export class ControlStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Many gateways' reports in one transaction: one commit (one fsync) for all (issue 12). */
  async recordConfigStates(
    reports: readonly { gatewayId: string; state: ConfigState; at: number }[],
  ): Promise<void> {
    if (reports.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const { gatewayId, state, at } of reports) {
        const values = {
          applied_version: state.appliedVersion,
          refused_version: state.refused?.version ?? null,
          refused_code: state.refused?.code ?? null,
          refused_reason: state.refused?.reason ?? null,
          reported_at: at,
        };
        await trx
          .insertInto('gateway_config_states')
          .values({ gateway_id: gatewayId, ...values })
          .onConflict((oc) => oc.column('gateway_id').doUpdateSet(values))
          .execute();
      }
    });
  }

  configState(gatewayId: string): Promise<ConfigStateRow | undefined> {
    return this.db
      .selectFrom('gateway_config_states')
      .selectAll()
      .where('gateway_id', '=', gatewayId)
      .executeTakeFirst();
  }

  async insertCommand(row: CommandRow): Promise<void> {
    await this.db.insertInto('gateway_commands').values(row).execute();
  }

  getCommand(gatewayId: string, id: string): Promise<CommandRow | undefined> {
    return this.db
      .selectFrom('gateway_commands')
      .selectAll()
      .where('gateway_id', '=', gatewayId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  listCommands(gatewayId: string, limit: number): Promise<CommandRow[]> {
    return this.db
      .selectFrom('gateway_commands')
      .selectAll()
      .where('gateway_id', '=', gatewayId)
      .orderBy('requested_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /**
   * Stores a gateway's answer to a pending command of its own; undefined when there is none (an
   * unknown id, another gateway's command, or one already answered or timed out).
   */
  async answerCommand(
    gatewayId: string,
    result: CommandResult,
    at: number,
  ): Promise<CommandRow | undefined> {
    const r = await this.db
      .updateTable('gateway_commands')
      .set({
        status: result.ok ? 'succeeded' : 'failed',
        code: result.ok ? null : (result.code ?? 'FAILED'),
        message: result.message ?? null,
        data_json: result.data !== undefined ? JSON.stringify(result.data) : null,
        answered_at: at,
      })
      .where('id', '=', result.id)
      .where('gateway_id', '=', gatewayId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return undefined;
    return this.getCommand(gatewayId, result.id);
  }

  /**
   * Marks a pending command failed before it reached the gateway (not published). No answer came,
   * so `answered_at` stays null: it is when the gateway answered, never when the hub gave up.
   */
  async failCommand(id: string, code: string, message: string): Promise<void> {
    await this.db
      .updateTable('gateway_commands')
      .set({ status: 'failed', code, message })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /**
   * Pending commands past their timeout become timed out; returns them. Nothing answered them, so
   * `answered_at` stays null (their `timeout_at` says when the hub stopped waiting).
   */
  async expire(now: number): Promise<CommandRow[]> {
    const due = await this.db
      .selectFrom('gateway_commands')
      .select('id')
      .where('status', '=', 'pending')
      .where('timeout_at', '<=', now)
      .limit(1000)
      .execute();
    if (due.length === 0) return [];
    // Only the rows this update changed: one the gateway answered since the select stays answered
    // and is neither audited nor pushed as timed out.
    return this.db
      .updateTable('gateway_commands')
      .set({ status: 'timed_out', code: 'TIMEOUT', message: 'the gateway did not answer in time' })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .where('status', '=', 'pending')
      .returningAll()
      .execute();
  }
}
