/**
 * SQL access for the care model, one store per resource (issue 14): areas, homes, residents,
 * contacts, response plans, gateways, devices, users and the installer's commissioning records.
 * Each maps rows to the DTOs of protocol/src/care.ts. No access checks here: routes check scope
 * before calling.
 *
 * `CareStore` is the facade the routes and services are handed: it builds the per-resource stores
 * once and keeps the method names callers have always used, each a one-line delegation. New code
 * may use a resource store directly (`care.homes.getHome(…)`); the logic lives only there.
 */
import type { Kysely } from 'kysely';
import type {
  AreaKind,
  ContactInput,
  CreateDeviceRequest,
  CreateHomeRequest,
  CreateResidentRequest,
  PlanKind,
  UpdateDeviceRequest,
  UpdateHomeRequest,
  UpdateResidentRequest,
  UserRole,
} from '@anxin/protocol';
import type { Scope } from '../auth/scope.js';
import type { Database, UserRow } from '../store/schema.js';
import { AreaStore } from './area-store.js';
import { CommissioningStore } from './commissioning.js';
import { ContactStore } from './contact-store.js';
import { DeviceStore } from './device-store.js';
import { GatewayStore } from './gateway-store.js';
import { HomeStore } from './home-store.js';
import { PlanStore } from './plan-store.js';
import { ResidentStore } from './resident-store.js';
import { UserStore } from './user-store.js';
import './tables.js';

export { gatewayRowToDto } from './gateway-store.js';

export class CareStore {
  readonly areas: AreaStore;
  readonly homes: HomeStore;
  readonly residents: ResidentStore;
  readonly contacts: ContactStore;
  readonly plans: PlanStore;
  readonly gateways: GatewayStore;
  readonly devices: DeviceStore;
  readonly users: UserStore;
  /** The installer's guided-test results (commissioning.ts). */
  readonly commissioning: CommissioningStore;

  constructor(private readonly db: Kysely<Database>) {
    this.areas = new AreaStore(db);
    this.homes = new HomeStore(db);
    this.residents = new ResidentStore(db);
    this.contacts = new ContactStore(db);
    this.plans = new PlanStore(db);
    this.gateways = new GatewayStore(db);
    this.devices = new DeviceStore(db);
    this.users = new UserStore(db);
    this.commissioning = new CommissioningStore(db);
  }

  /** Which of `ids` exist in `table` (bulk imports check references before writing). */
  async existingIds(table: 'areas' | 'residents' | 'users', ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.selectFrom(table).select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((r) => r.id));
  }

  // ── areas (area-store.ts) ──
  listAreas() {
    return this.areas.listAreas();
  }
  getArea(id: string) {
    return this.areas.getArea(id);
  }
  createArea(
    input: { id?: string; parentId: string | null; kind: AreaKind; name: string },
    now: number,
  ) {
    return this.areas.createArea(input, now);
  }
  renameArea(id: string, name: string) {
    return this.areas.renameArea(id, name);
  }

  // ── homes (home-store.ts) ──
  homeExists(id: string) {
    return this.homes.homeExists(id);
  }
  getHome(id: string, showKeySafeCode: boolean) {
    return this.homes.getHome(id, showKeySafeCode);
  }
  listHomes(scope: Scope, filter: Parameters<HomeStore['listHomes']>[1]) {
    return this.homes.listHomes(scope, filter);
  }
  createHome(input: CreateHomeRequest, now: number) {
    return this.homes.createHome(input, now);
  }
  updateHome(id: string, input: UpdateHomeRequest, now: number) {
    return this.homes.updateHome(id, input, now);
  }
  setTestMode(id: string, enabled: boolean, now: number) {
    return this.homes.setTestMode(id, enabled, now);
  }
  setInstallers(homeId: string, userIds: string[]) {
    return this.homes.setInstallers(homeId, userIds);
  }
  addInstaller(homeId: string, userId: string) {
    return this.homes.addInstaller(homeId, userId);
  }

  // ── residents (resident-store.ts) ──
  listResidents(homeId: string) {
    return this.residents.listResidents(homeId);
  }
  getResident(id: string) {
    return this.residents.getResident(id);
  }
  createResident(homeId: string, input: CreateResidentRequest, now: number) {
    return this.residents.createResident(homeId, input, now);
  }
  updateResident(id: string, input: UpdateResidentRequest, now: number) {
    return this.residents.updateResident(id, input, now);
  }
  deleteResident(id: string) {
    return this.residents.deleteResident(id);
  }

  // ── contacts (contact-store.ts) ──
  listContacts(homeId: string) {
    return this.contacts.listContacts(homeId);
  }
  getContact(homeId: string, contactId: string) {
    return this.contacts.getContact(homeId, contactId);
  }
  updateContact(
    homeId: string,
    contactId: string,
    patch: Parameters<ContactStore['updateContact']>[2],
  ) {
    return this.contacts.updateContact(homeId, contactId, patch);
  }
  linkContactUser(homeId: string, contactId: string, userId: string | null) {
    return this.contacts.linkContactUser(homeId, contactId, userId);
  }
  replaceContacts(homeId: string, contacts: ContactInput[]) {
    return this.contacts.replaceContacts(homeId, contacts);
  }

  // ── response plans (plan-store.ts) ──
  listPlans(homeId: string) {
    return this.plans.listPlans(homeId);
  }
  setPlan(homeId: string, kind: PlanKind, steps: string[], by: string | null, now: number) {
    return this.plans.setPlan(homeId, kind, steps, by, now);
  }

  // ── gateways (gateway-store.ts) ──
  getGatewayRow(id: string) {
    return this.gateways.getGatewayRow(id);
  }
  listGateways(
    scope: Scope,
    filter: Parameters<GatewayStore['listGateways']>[1],
    homeInScope: (homeId: string | null) => boolean,
  ) {
    return this.gateways.listGateways(scope, filter, homeInScope);
  }

  // ── devices (device-store.ts) ──
  listDevicesOfHome(homeId: string) {
    return this.devices.listDevicesOfHome(homeId);
  }
  listDevicesOfGateway(gatewayId: string, homeId: string | null) {
    return this.devices.listDevicesOfGateway(gatewayId, homeId);
  }
  getDevice(gatewayId: string, deviceId: string, homeId: string | null) {
    return this.devices.getDevice(gatewayId, deviceId, homeId);
  }
  registerDevice(gatewayId: string, input: CreateDeviceRequest, now: number) {
    return this.devices.registerDevice(gatewayId, input, now);
  }
  updateDevice(gatewayId: string, deviceId: string, input: UpdateDeviceRequest) {
    return this.devices.updateDevice(gatewayId, deviceId, input);
  }
  deleteDevice(gatewayId: string, deviceId: string) {
    return this.devices.deleteDevice(gatewayId, deviceId);
  }
  registeredDevices(gatewayId: string) {
    return this.devices.registeredDevices(gatewayId);
  }

  // ── users and their scope (user-store.ts) ──
  careUser(row: UserRow) {
    return this.users.careUser(row);
  }
  userRowByUsername(username: string) {
    return this.users.userRowByUsername(username);
  }
  userAreaIds(userId: string) {
    return this.users.userAreaIds(userId);
  }
  userRow(id: string) {
    return this.users.userRow(id);
  }
  listUsers(role?: UserRole) {
    return this.users.listUsers(role);
  }
  setUserScope(userId: string, areaIds?: string[], residentIds?: string[]) {
    return this.users.setUserScope(userId, areaIds, residentIds);
  }
  updateUserRow(id: string, set: Parameters<UserStore['updateUserRow']>[1]) {
    return this.users.updateUserRow(id, set);
  }
}
