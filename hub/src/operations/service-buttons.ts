/**
 * Service buttons (issue 13): a device whose listed button actions open a service request
 * instead of an SOS alarm. The gateway reports every press of a help button as an SOS with the
 * Zigbee2MQTT `action` in the event detail (devices/src/zigbee2mqtt/codec.ts); the hub decides,
 * inside the alarm batch's transaction (store/alarms.ts AlarmDiverter), so the request is durable
 * before the gateway's ack, and a replayed press opens nothing new (service_requests.event_id is
 * unique). Only explicitly listed actions divert; every other press stays an SOS, and a home in
 * test mode keeps test alarms (the installer's guided test sees the press).
 */
import type { Kysely, Transaction } from 'kysely';
import type { AlarmEvent, ServiceButtonDto, ServiceCategory } from '@anxin/protocol';
import type { AlarmDiverter } from '../store/alarms.js';
import { residentOfDevice } from '../store/device-resident.js';
import type { Database } from '../store/schema.js';
import type { ServiceRequestStore } from './service-requests.js';
import { auditIn, type OpsActor } from './tasks.js';
import './tables.js';

function parseActions(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

export class ServiceButtons implements AlarmDiverter {
  /** Presses turned into requests since start (metrics). */
  diverted = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly requests: ServiceRequestStore,
  ) {}

  async divert(
    trx: Transaction<Database>,
    gatewayId: string,
    gateway: { home_id: string | null; test_mode: number } | undefined,
    event: AlarmEvent,
    receivedAt: number,
  ): Promise<string | null> {
    // Cheap checks first: this runs on the alarm lane for every event.
    if (event.kind !== 'sos' || event.action !== 'raise') return null;
    const action = event.detail?.action;
    if (typeof action !== 'string' || !gateway?.home_id || gateway.test_mode === 1) return null;
    const button = await trx
      .selectFrom('service_buttons')
      .select(['actions_json', 'category'])
      .where('gateway_id', '=', gatewayId)
      .where('device_id', '=', event.deviceId)
      .executeTakeFirst();
    if (!button || !parseActions(button.actions_json).includes(action)) return null;
    // The button's own resident (a pendant in a shared home), else the home's only resident;
    // in a shared home with a home-level button, the call finds out who pressed.
    const owner = await residentOfDevice(trx, gatewayId, event.deviceId, gateway.home_id);
    const residents = owner
      ? [{ id: owner }]
      : await trx
          .selectFrom('residents')
          .select('id')
          .where('home_id', '=', gateway.home_id)
          .limit(2)
          .execute();
    const id = await this.requests.insert(
      trx,
      {
        homeId: gateway.home_id,
        residentId: residents.length === 1 ? (residents[0]?.id ?? null) : null,
        category: button.category as ServiceCategory,
        description: `Service button pressed (${event.deviceId}, ${action})`,
        urgency: 'normal',
        requestedFor: null,
        source: 'device',
        gatewayId,
        deviceId: event.deviceId,
        eventId: event.id,
      },
      null,
      Math.max(receivedAt, 0),
    );
    if (id) this.diverted += 1;
    return id;
  }

  /** Requests opened by presses, now committed: the consoles' lists are told (ops:changed). */
  committed(ids: string[]): void {
    this.requests.announceOpened(ids);
  }

  async list(gatewayId: string): Promise<ServiceButtonDto[]> {
    const rows = await this.db
      .selectFrom('service_buttons')
      .selectAll()
      .where('gateway_id', '=', gatewayId)
      .orderBy('device_id')
      .execute();
    return rows.map((r) => ({
      gatewayId: r.gateway_id,
      deviceId: r.device_id,
      actions: parseActions(r.actions_json),
      category: r.category as ServiceCategory,
      updatedAt: new Date(r.updated_at).toISOString(),
    }));
  }

  async set(
    gatewayId: string,
    deviceId: string,
    actions: string[],
    category: ServiceCategory,
    actor: OpsActor,
    now: number,
  ): Promise<ServiceButtonDto> {
    const actionsJson = JSON.stringify([...new Set(actions)]);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('service_buttons')
        .values({
          gateway_id: gatewayId,
          device_id: deviceId,
          actions_json: actionsJson,
          category,
          updated_at: now,
          updated_by: actor?.id ?? null,
        })
        .onConflict((oc) =>
          oc.columns(['gateway_id', 'device_id']).doUpdateSet({
            actions_json: actionsJson,
            category,
            updated_at: now,
            updated_by: actor?.id ?? null,
          }),
        )
        .execute();
      await auditIn(
        trx,
        actor,
        'service_button.set',
        'device',
        `${gatewayId}/${deviceId}`,
        { actions, category },
        now,
      );
    });
    return {
      gatewayId,
      deviceId,
      actions: parseActions(actionsJson),
      category,
      updatedAt: new Date(now).toISOString(),
    };
  }

  async remove(
    gatewayId: string,
    deviceId: string,
    actor: OpsActor,
    now: number,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .deleteFrom('service_buttons')
        .where('gateway_id', '=', gatewayId)
        .where('device_id', '=', deviceId)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await auditIn(
        trx,
        actor,
        'service_button.remove',
        'device',
        `${gatewayId}/${deviceId}`,
        {},
        now,
      );
      return true;
    });
  }
}
