/**
 * Shared homes (issue 13): a device can belong to one resident of its home (a bed mat, a
 * pendant), so an alarm from it names that resident. Column `devices.resident_id` comes from
 * migration 0935_shared_homes_import; devices without one keep the home-level rule (the home's
 * sole resident, else none).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';
import '../care/tables.js';

declare module './schema.js' {
  interface DevicesTable {
    /** The resident this device belongs to, or null (a home-level device: smoke, door, meters). */
    resident_id: string | null;
  }
}

/**
 * The resident a device belongs to, if that resident still lives in the alarm's home: a resident
 * moved or deleted since the device was assigned no longer names the alarm (the join drops them).
 */
export async function residentOfDevice(
  db: Kysely<Database> | Transaction<Database>,
  gatewayId: string,
  deviceId: string | null,
  homeId: string | null,
): Promise<string | null> {
  if (deviceId === null || homeId === null) return null;
  const row = await db
    .selectFrom('devices')
    .innerJoin('residents', 'residents.id', 'devices.resident_id')
    .select('devices.resident_id')
    .where('devices.gateway_id', '=', gatewayId)
    .where('devices.device_id', '=', deviceId)
    .where('residents.home_id', '=', homeId)
    .executeTakeFirst();
  return row?.resident_id ?? null;
}

/**
 * What a device's alarm says about residents, in one query inside the alarm's transaction: the
 * device's own resident (as residentOfDevice) and the home's sole resident, if exactly one lives
 * there. The alarm writer hands these to the console push, which then needs no SQL read after the
 * commit (ScopedAlarms.enrichMany derives the same residentId from the same tables).
 */
export async function alarmResidents(
  db: Kysely<Database> | Transaction<Database>,
  gatewayId: string,
  deviceId: string | null,
  homeId: string | null,
): Promise<{ device: string | null; sole: string | null }> {
  if (homeId === null) return { device: null, sole: null };
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('devices')
        .innerJoin('residents', 'residents.id', 'devices.resident_id')
        .select('devices.resident_id')
        .where('devices.gateway_id', '=', gatewayId)
        .where('devices.device_id', '=', deviceId ?? '')
        .where('residents.home_id', '=', homeId)
        .limit(1)
        .as('device'),
      eb
        .selectFrom('residents')
        .select((r) => r.fn.min<string>('id').as('first'))
        .where('home_id', '=', homeId)
        .as('first'),
      eb
        .selectFrom('residents')
        .select((r) => r.fn.countAll<number>().as('n'))
        .where('home_id', '=', homeId)
        .as('n'),
    ])
    .executeTakeFirst();
  return residentsOfAlarm(deviceId, row);
}

/**
 * The answer of alarmResidents from its row (the device's resident, the home's first resident,
 * how many live there): shared with the prepared statement of the same query
 * (alarms/sqlite-statements.ts).
 */
export function residentsOfAlarm(
  deviceId: string | null,
  row:
    { device: string | null; first: string | null; n: number | string | bigint | null } | undefined,
): { device: string | null; sole: string | null } {
  return {
    device: deviceId === null ? null : (row?.device ?? null),
    sole: Number(row?.n ?? 0) === 1 ? (row?.first ?? null) : null,
  };
}
