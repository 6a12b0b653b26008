/**
 * Reads of the care model (homes, contacts, devices) the engine and escalation need. Those tables
 * and columns come from the care-model migration; until it has run (or on a database without it)
 * every read answers "nothing known" instead of failing, so alarms still escalate to supervisors.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface EscalationContact {
  id: string;
  name: string;
  relation: string;
  phone: string;
  callOrder: number;
  /** The family user this contact is, when they have a login. */
  userId: string | null;
}

export interface KnownDevice {
  deviceId: string;
  /** null: an event-only device (never silent); undefined: not declared (rule default). */
  expectedIntervalMs: number | null | undefined;
  lastSeenAt: number | null;
  /** From the last heartbeat's device health. */
  batteryPct?: number | null;
}

/** A nullable numeric column as a number, or null. */
const numberOrNull = (v: number | null): number | null => (v === null ? null : Number(v));

/** The row's expected interval in ms; undefined where the column is not declared at all. */
const expectedIntervalMs = (
  declared: boolean,
  seconds: number | null,
): number | null | undefined =>
  !declared ? undefined : seconds === null ? null : Number(seconds) * 1000;

export class CareLookup {
  private columns = new Map<string, Set<string>>();

  constructor(private readonly db: Kysely<Database>) {}

  /** Column names of a table (empty when it does not exist). Cached; call refresh() after DDL. */
  private async cols(table: string): Promise<Set<string>> {
    let set = this.columns.get(table);
    if (!set) {
      // Kysely's introspection works on SQLite and PostgreSQL alike (no pragma_table_info).
      const tables = await this.db.introspection.getTables();
      set = new Set(
        tables.filter((t) => t.name === table).flatMap((t) => t.columns.map((c) => c.name)),
      );
      if (set.size > 0) this.columns.set(table, set);
    }
    return set;
  }

  refresh(): void {
    this.columns.clear();
  }

  /** A home in test mode never escalates (homes.test_mode, set by installers). */
  async homeInTestMode(homeId: string | null): Promise<boolean> {
    if (!homeId) return false;
    if (!(await this.cols('homes')).has('test_mode')) return false;
    const r = await sql<{
      test_mode: number | null;
    }>`select test_mode from homes where id = ${homeId}`.execute(this.db);
    return Number(r.rows[0]?.test_mode ?? 0) === 1;
  }

  /** The home's contacts in call order (1 first). */
  async contacts(homeId: string | null): Promise<EscalationContact[]> {
    if (!homeId) return [];
    const c = await this.cols('contacts');
    if (!c.has('home_id') || !c.has('phone')) return [];
    const order = c.has('call_order') ? sql.ref('call_order') : sql.ref('id');
    const r = await sql<{
      id: string;
      name: string | null;
      relation: string | null;
      phone: string;
      call_order: number | null;
      user_id: string | null;
    }>`select id, ${c.has('name') ? sql.ref('name') : sql`null`} as name,
         ${c.has('relation') ? sql.ref('relation') : sql`null`} as relation, phone,
         ${c.has('call_order') ? sql.ref('call_order') : sql`null`} as call_order,
         ${c.has('user_id') ? sql.ref('user_id') : sql`null`} as user_id
       from contacts where home_id = ${homeId} order by ${order} asc`.execute(this.db);
    return r.rows.map((row, i) => ({
      id: String(row.id),
      name: row.name ?? '',
      relation: row.relation ?? 'other',
      phone: row.phone,
      callOrder: row.call_order ?? i + 1,
      userId: row.user_id,
    }));
  }

  /** Devices of a gateway with their expected report interval and last-heard time. */
  async devices(gatewayId: string): Promise<KnownDevice[]> {
    const c = await this.cols('devices');
    const interval = c.has('expected_interval_s') ? sql.ref('expected_interval_s') : sql`null`;
    const r = await sql<{
      device_id: string;
      expected_interval_s: number | null;
      last_seen_at: number | null;
    }>`select device_id, ${interval} as expected_interval_s, last_seen_at from devices
       where gateway_id = ${gatewayId}`.execute(this.db);
    const declared = c.has('expected_interval_s');
    return r.rows.map((row) => ({
      deviceId: row.device_id,
      expectedIntervalMs: expectedIntervalMs(declared, row.expected_interval_s),
      lastSeenAt: numberOrNull(row.last_seen_at),
    }));
  }

  /** Every device of every enabled gateway, with the gateway's last heartbeat. */
  async allDevices(): Promise<
    Map<string, { homeId: string | null; gatewayLastSeenAt: number | null; devices: KnownDevice[] }>
  > {
    const c = await this.cols('devices');
    const declared = c.has('expected_interval_s');
    const interval = declared ? sql.ref('d.expected_interval_s') : sql`null`;
    const r = await sql<{
      gateway_id: string;
      home_id: string | null;
      gw_seen: number | null;
      device_id: string | null;
      expected_interval_s: number | null;
      last_seen_at: number | null;
      battery_pct: number | null;
    }>`select g.id as gateway_id, g.home_id, g.last_seen_at as gw_seen, d.device_id,
         ${interval} as expected_interval_s, d.last_seen_at, d.battery_pct
       from gateways g left join devices d on d.gateway_id = g.id
       where g.enabled = 1`.execute(this.db);
    const out = new Map<
      string,
      { homeId: string | null; gatewayLastSeenAt: number | null; devices: KnownDevice[] }
    >();
    for (const row of r.rows) {
      let entry = out.get(row.gateway_id);
      if (!entry) {
        entry = {
          homeId: row.home_id,
          gatewayLastSeenAt: numberOrNull(row.gw_seen),
          devices: [],
        };
        out.set(row.gateway_id, entry);
      }
      if (row.device_id === null) continue;
      entry.devices.push({
        deviceId: row.device_id,
        expectedIntervalMs: expectedIntervalMs(declared, row.expected_interval_s),
        lastSeenAt: numberOrNull(row.last_seen_at),
        batteryPct: numberOrNull(row.battery_pct),
      });
    }
    return out;
  }

  /** True when the installer is assigned to the home (care model `home_installers`). */
  async installerAssigned(homeId: string, userId: string): Promise<boolean> {
    const c = await this.cols('home_installers');
    if (!c.has('home_id') || !c.has('user_id')) return false;
    const r = await sql<{
      n: number;
    }>`select count(*) as n from home_installers where home_id = ${homeId} and user_id = ${userId}`.execute(
      this.db,
    );
    return Number(r.rows[0]?.n ?? 0) > 0;
  }

  /** The kind of a device (care model), else its driver, else null. */
  async deviceKindColumn(): Promise<'kind' | 'driver'> {
    return (await this.cols('devices')).has('kind') ? 'kind' : 'driver';
  }
}
