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
