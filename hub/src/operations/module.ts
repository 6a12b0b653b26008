/**
 * Care operations (issue 13) as one module for the composition root: the stores, the service
 * button rule (an AlarmDiverter for the alarm store), the alarm hooks — webhooks for
 * alarm.created / acknowledged / resolved and maintenance work orders from device supervision —
 * and the REST plugins. hub.ts builds it after the alarm engine (whose notifier it shares) and
 * calls `alarmsChanged` / `alarmHandled` where alarms change.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AlarmDto, AlarmOutcome, UserDto } from '@anxin/protocol';
import type { Access } from '../auth/guard.js';
import { serviceButtonRoutes } from '../http/service-button-routes.js';
import { serviceRequestRoutes } from '../http/service-request-routes.js';
import { welfareRoutes } from '../http/welfare-routes.js';
import { workOrderRoutes } from '../http/work-order-routes.js';
import type { AlarmStore } from '../store/alarms.js';
import type { Database } from '../store/schema.js';
import type { OpsAnnounce } from './changes.js';
import { checkTimeZone, type OperationsConfig } from './config.js';
import { localDay } from './schedule.js';
import { ServiceButtons } from './service-buttons.js';
import { ServiceRequestStore } from './service-requests.js';
import type { OpsOutbox } from './tasks.js';
import { WelfareStore } from './welfare.js';
import type { OpsApi } from './ops-api.js';
import { deviceDedupKey, WorkOrderStore } from './work-orders.js';

/** The notifier as operations use it: transactional for their records, plain for alarms. */
export interface OpsNotifier extends OpsOutbox {
  enqueue(event: string, data: unknown): Promise<number>;
  anyWants(event: string): boolean;
}

export interface OperationsDeps {
  db: Kysely<Database>;
  config: OperationsConfig;
  notifier: OpsNotifier;
  alarms: AlarmStore;
  log: Logger;
  /** Pushes an alarm this module changed (a welfare check resolving a wellbeing alarm). */
  alarmUpdated: (alarm: AlarmDto) => void;
  /** Told after each committed change of a request, check, plan or order (changes.ts). */
  changed?: OpsAnnounce;
  clock?: () => number;
}

export class OperationsModule implements OpsApi {
  readonly requests: ServiceRequestStore;
  readonly workOrders: WorkOrderStore;
  readonly welfare: WelfareStore;
  readonly buttons: ServiceButtons;
  readonly now: () => number;
  readonly counters = { maintenanceOrders: 0, maintenanceDeduplicated: 0 };

  constructor(private readonly deps: OperationsDeps) {
    checkTimeZone(deps.config.timeZone);
    this.now = deps.clock ?? Date.now;
    const changed = deps.changed ?? (() => undefined);
    this.requests = new ServiceRequestStore(deps.db, deps.notifier, changed);
    this.workOrders = new WorkOrderStore(deps.db, deps.notifier, this.now, changed);
    this.welfare = new WelfareStore(
      deps.db,
      this.requests,
      deps.notifier,
      deps.config.timeZone,
      changed,
    );
    this.buttons = new ServiceButtons(deps.db, this.requests);
    deps.alarms.setDiverter(this.buttons);
  }

  today(): string {
    return localDay(this.now(), this.deps.config.timeZone);
  }

  async userById(
    id: string,
  ): Promise<{ id: string; displayName: string; role: string; disabled: boolean } | undefined> {
    const u = await this.deps.db
      .selectFrom('users')
      .select(['id', 'display_name', 'role', 'disabled'])
      .where('id', '=', id)
      .executeTakeFirst();
    return u && { id: u.id, displayName: u.display_name, role: u.role, disabled: u.disabled === 1 };
  }

  /** The home a gateway is attached to; null for none, undefined for no such gateway. */
  async gatewayHome(gatewayId: string): Promise<string | null | undefined> {
    const g = await this.deps.db
      .selectFrom('gateways')
      .select('home_id')
      .where('id', '=', gatewayId)
      .executeTakeFirst();
    return g ? g.home_id : undefined;
  }

  get db(): Kysely<Database> {
    return this.deps.db;
  }

  /** The home of a resident, or undefined when there is no such resident. */
  async residentHome(residentId: string): Promise<string | undefined> {
    const r = await this.deps.db
      .selectFrom('residents')
      .select('home_id')
      .where('id', '=', residentId)
      .executeTakeFirst();
    return r?.home_id;
  }

  /** An alarm's home, kind and status (for orders and checks made from it). */
  alarm(id: string): ReturnType<AlarmStore['get']> {
    return this.deps.alarms.get(id);
  }

  get config(): OperationsConfig {
    return this.deps.config;
  }

  /**
   * Alarms stored or changed by devices, rules or liveness. New real alarms go out as
   * `alarm.created`; alarms the system resolved as `alarm.resolved`; a new low-battery or silent
   * device alarm opens (at most one open) maintenance work order for the device. Test alarms
   * are recorded, never dispatched: no webhook, no work order. Never throws.
   */
  alarmsChanged(created: readonly AlarmDto[], updated: readonly AlarmDto[]): void {
    for (const alarm of created) {
      if (alarm.test) continue;
      this.notify('alarm.created', alarm);
      if (this.deps.config.supervisionWorkOrders) this.maintenanceFor(alarm);
    }
    for (const alarm of updated)
      if (!alarm.test && alarm.status === 'resolved' && alarm.resolvedBy === 'system')
        this.notify('alarm.resolved', alarm);
  }

  /** An operator acknowledged or resolved an alarm (REST): `alarm.acknowledged` / `.resolved`. */
  alarmHandled(alarm: AlarmDto): void {
    if (alarm.test) return;
    if (alarm.status === 'acknowledged') this.notify('alarm.acknowledged', alarm);
    if (alarm.status === 'resolved') this.notify('alarm.resolved', alarm);
  }

  private notify(event: string, alarm: AlarmDto): void {
    if (!this.deps.notifier.anyWants(event)) return;
    this.deps.notifier
      .enqueue(event, { alarm })
      .catch((err: unknown) =>
        this.deps.log.error({ err, event, alarmId: alarm.id }, 'alarm webhook not queued'),
      );
  }

  private maintenanceFor(alarm: AlarmDto): void {
    const kind =
      alarm.kind === 'low_battery'
        ? ('battery_change' as const)
        : alarm.kind === 'device_offline'
          ? ('device_repair' as const)
          : null;
    if (!kind || alarm.deviceId === null) return;
    const deviceId = alarm.deviceId;
    void (async () => {
      const installer = alarm.homeId
        ? await this.deps.db
            .selectFrom('home_installers')
            .innerJoin('users', 'users.id', 'home_installers.user_id')
            .select(['users.id', 'users.display_name'])
            .where('home_installers.home_id', '=', alarm.homeId)
            .where('users.disabled', '=', 0)
            .orderBy('users.id')
            .executeTakeFirst()
        : undefined;
      const now = this.now();
      const order = await this.workOrders.create(
        {
          homeId: alarm.homeId,
          kind,
          description:
            kind === 'battery_change'
              ? `Low battery: ${deviceId}`
              : `Device silent: ${deviceId} (check power, range, replace if faulty)`,
          source: 'supervision',
          alarmId: alarm.id,
          gatewayId: alarm.gatewayId,
          deviceId,
          dedupKey: deviceDedupKey(alarm.gatewayId, deviceId),
          dueAt: now + this.deps.config.maintenanceDueHours * 3_600_000,
          assignee: installer
            ? { userId: installer.id, name: installer.display_name, phone: null }
            : null,
        },
        null,
        now,
      );
      if (order) this.counters.maintenanceOrders += 1;
      else this.counters.maintenanceDeduplicated += 1;
    })().catch((err: unknown) =>
      this.deps.log.error({ err, alarmId: alarm.id }, 'maintenance work order not created'),
    );
  }

  /**
   * Resolves the wellbeing alarm a welfare check answered (a reached or concern result), as the
   * user who recorded it; a no-op if the alarm was resolved meanwhile.
   */
  async resolveAlarmByCheck(
    alarmId: string,
    user: Pick<UserDto, 'id' | 'username'>,
    outcome: AlarmOutcome,
    notes: string,
  ): Promise<AlarmDto | undefined> {
    const r = await this.deps.alarms.resolve(
      alarmId,
      { userId: user.id, username: user.username },
      outcome,
      notes,
      this.now(),
    );
    if (!r.ok || !r.changed) return undefined;
    this.deps.alarmUpdated(r.alarm);
    this.alarmHandled(r.alarm);
    return r.alarm;
  }

  registerRoutes(app: FastifyInstance, access: Access): void {
    const deps = { ops: this, access };
    void app.register(serviceRequestRoutes, deps);
    void app.register(welfareRoutes, deps);
    void app.register(workOrderRoutes, deps);
    void app.register(serviceButtonRoutes, deps);
  }
}
