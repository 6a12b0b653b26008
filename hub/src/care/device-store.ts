/** SQL access for devices: those a gateway reports and those registered in its configuration. */
import type { Kysely, Selectable } from 'kysely';
import type {
  CreateDeviceRequest,
  DeviceDto,
  DeviceKind,
  UpdateDeviceRequest,
} from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import { isoOrNull, parseJson } from './rows.js';
import './tables.js';

type DeviceRow = Selectable<Database['devices']>;

function deviceRowToDto(row: DeviceRow, homeId: string | null): DeviceDto {
  return {
    gatewayId: row.gateway_id,
    id: row.device_id,
    homeId,
    room: row.room,
    kind: row.kind as DeviceKind | null,
    driver: row.driver,
    expectedIntervalS: row.expected_interval_s,
    registered: row.registered === 1,
    lastSeenAt: isoOrNull(row.last_seen_at),
    online: row.online === null ? null : row.online === 1,
    batteryPct: row.battery_pct,
    signal: row.signal,
  };
}

export class DeviceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async listDevicesOfHome(homeId: string): Promise<DeviceDto[]> {
    const rows = await this.db
      .selectFrom('devices')
      .innerJoin('gateways', 'gateways.id', 'devices.gateway_id')
      .selectAll('devices')
      .where('gateways.home_id', '=', homeId)
      .where('gateways.enabled', '=', 1)
      .orderBy('devices.gateway_id')
      .orderBy('devices.device_id')
      .execute();
    return rows.map((r) => deviceRowToDto(r, homeId));
  }

  async listDevicesOfGateway(gatewayId: string, homeId: string | null): Promise<DeviceDto[]> {
    const rows = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('gateway_id', '=', gatewayId)
      .orderBy('device_id')
      .execute();
    return rows.map((r) => deviceRowToDto(r, homeId));
  }

  async getDevice(
    gatewayId: string,
    deviceId: string,
    homeId: string | null,
  ): Promise<DeviceDto | undefined> {
    const r = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('gateway_id', '=', gatewayId)
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    return r && deviceRowToDto(r, homeId);
  }

  async registerDevice(gatewayId: string, input: CreateDeviceRequest, now: number): Promise<void> {
    const values = {
      driver: input.driver,
      kind: input.kind,
      room: input.room ?? null,
      expected_interval_s: input.expectedIntervalS ?? null,
      port: input.port ?? null,
      options_json: JSON.stringify(input.options ?? {}),
      registered: 1,
    };
    await this.db
      .insertInto('devices')
      .values({ gateway_id: gatewayId, device_id: input.id, first_seen_at: now, ...values })
      .onConflict((oc) => oc.columns(['gateway_id', 'device_id']).doUpdateSet(values))
      .execute();
  }

  async updateDevice(
    gatewayId: string,
    deviceId: string,
    input: UpdateDeviceRequest,
  ): Promise<void> {
    await this.db
      .updateTable('devices')
      .set({
        ...(input.driver !== undefined ? { driver: input.driver } : {}),
        ...(input.kind !== undefined ? { kind: input.kind } : {}),
        ...(input.room !== undefined ? { room: input.room } : {}),
        ...(input.expectedIntervalS !== undefined
          ? { expected_interval_s: input.expectedIntervalS }
          : {}),
        ...(input.port !== undefined ? { port: input.port } : {}),
        ...(input.options !== undefined ? { options_json: JSON.stringify(input.options) } : {}),
        registered: 1,
      })
      .where('gateway_id', '=', gatewayId)
      .where('device_id', '=', deviceId)
      .execute();
  }

  async deleteDevice(gatewayId: string, deviceId: string): Promise<void> {
    await this.db
      .deleteFrom('devices')
      .where('gateway_id', '=', gatewayId)
      .where('device_id', '=', deviceId)
      .execute();
  }

  /** Registered devices, as the gateway's configuration lists them. */
  async registeredDevices(gatewayId: string): Promise<
    {
      id: string;
      driver: string;
      kind: string | null;
      room: string | null;
      port: string | null;
      options: Record<string, string | number | boolean>;
      expectedIntervalS: number | null;
    }[]
  > {
    const rows = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('gateway_id', '=', gatewayId)
      .where('registered', '=', 1)
      .orderBy('device_id')
      .execute();
    return rows.map((r) => ({
      id: r.device_id,
      driver: r.driver ?? 'unknown',
      kind: r.kind,
      room: r.room,
      port: r.port,
      options: parseJson<Record<string, string | number | boolean>>(r.options_json, {}),
      expectedIntervalS: r.expected_interval_s,
    }));
  }
}
