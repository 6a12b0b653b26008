/**
 * What the care-operations REST plugins need from the operations module. The plugins type their
 * dependency by this interface, not by the module class, because the module mounts the plugins:
 * importing the class from a plugin would make an import cycle (test/import-cycles.test.ts).
 */
import type { Kysely } from 'kysely';
import type { AlarmDto, AlarmOutcome, UserDto } from '@anxin/protocol';
import type { AlarmStore } from '../store/alarms.js';
import type { Database } from '../store/schema.js';
import type { OperationsConfig } from './config.js';
import type { ServiceButtons } from './service-buttons.js';
import type { ServiceRequestStore } from './service-requests.js';
import type { WelfareStore } from './welfare.js';
import type { WorkOrderStore } from './work-orders.js';

export interface OpsApi {
  readonly requests: ServiceRequestStore;
  readonly workOrders: WorkOrderStore;
  readonly welfare: WelfareStore;
  readonly buttons: ServiceButtons;
  readonly now: () => number;
  readonly db: Kysely<Database>;
  readonly config: OperationsConfig;
  /** Today in the operations time zone (YYYY-MM-DD). */
  today(): string;
  userById(
    id: string,
  ): Promise<{ id: string; displayName: string; role: string; disabled: boolean } | undefined>;
  /** The home a gateway is attached to; null for none, undefined for no such gateway. */
  gatewayHome(gatewayId: string): Promise<string | null | undefined>;
  /** The home of a resident, or undefined when there is no such resident. */
  residentHome(residentId: string): Promise<string | undefined>;
  /** An alarm's home, kind and status (for orders and checks made from it). */
  alarm(id: string): ReturnType<AlarmStore['get']>;
  /** Resolves the wellbeing alarm a welfare check answered; undefined if it was resolved already. */
  resolveAlarmByCheck(
    alarmId: string,
    user: Pick<UserDto, 'id' | 'username'>,
    outcome: AlarmOutcome,
    notes: string,
  ): Promise<AlarmDto | undefined>;
}
