/**
 * Kysely table types of the gateway control plane (migration 0920_gateway_control), declared by
 * augmenting the store's `Database` interface, as the care module does (care/tables.ts).
 */
export interface GatewayConfigStatesTable {
  gateway_id: string;
  applied_version: number;
  refused_version: number | null;
  refused_code: string | null;
  refused_reason: string | null;
  reported_at: number;
}

export interface GatewayCommandsTable {
  id: string;
  gateway_id: string;
  name: string;
  /** Command['args'] as JSON. */
  args_json: string;
  /** 'pending' | 'succeeded' | 'failed' | 'timed_out' */
  status: string;
  code: string | null;
  message: string | null;
  data_json: string | null;
  requested_by: string | null;
  requested_at: number;
  answered_at: number | null;
  timeout_at: number;
}

declare module '../store/schema.js' {
  interface Database {
    gateway_config_states: GatewayConfigStatesTable;
    gateway_commands: GatewayCommandsTable;
  }
}
