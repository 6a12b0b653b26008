/**
 * SQL access for the care model: areas, homes, residents, contacts, response plans, registered
 * devices, gateway claim state and user scopes. Maps rows to the DTOs of protocol/src/care.ts.
 * No access checks here: routes check scope before calling.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  AreaDto,
  AreaKind,
  CareUserDto,
  ContactDto,
  ContactInput,
  ContactRelation,
  CreateDeviceRequest,
  CreateHomeRequest,
  CreateResidentRequest,
  DeviceDto,
  DeviceKind,
  GatewayDto,
  HomeDto,
  HomeSummaryDto,
  Mobility,
  PlanKind,
  ResidentDto,
  ResponsePlanDto,
  UpdateDeviceRequest,
  UpdateHomeRequest,
  UpdateResidentRequest,
  UserRole,
} from '@anxin/protocol';
import { detachResidentFromAlarms } from '../alarms/writes.js';
import type { Database, GatewayRow, UserRow } from '../store/schema.js';
import type { Scope } from '../auth/scope.js';
import { CommissioningStore } from './commissioning.js';
import { credentialState } from './claim-state.js';
import './tables.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : iso(ms);

function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function heartbeatInfo(row: GatewayRow): {
  softwareVersion: string | null;
  configVersion: number | null;
} {
  const hb = parseJson<{ softwareVersion?: unknown; configVersion?: unknown } | null>(
    row.health_json,
    null,
  );
  return {
    softwareVersion: typeof hb?.softwareVersion === 'string' ? hb.softwareVersion : null,
    configVersion: typeof hb?.configVersion === 'number' ? hb.configVersion : null,
  };
}

export function gatewayRowToDto(row: GatewayRow): GatewayDto {
  const hb = heartbeatInfo(row);
  return {
    id: row.id,
    homeId: row.home_id,
    claimState:
      row.enabled !== 1 || row.decommissioned_at !== null
        ? 'decommissioned'
        : row.claimed_at !== null || (row.home_id !== null && row.claim_code_hash === null)
          ? 'claimed'
          : 'unclaimed',
    claimedAt: isoOrNull(row.claimed_at),
    claimedBy: row.claimed_by,
    credentialState: credentialState(row),
    credentialsIssuedAt: isoOrNull(row.credentials_issued_at),
    decommissionedAt: isoOrNull(row.decommissioned_at),
    lastSeenAt: isoOrNull(row.last_seen_at),
    online: row.status === 'online' && row.enabled === 1,
    configVersion: row.config_version,
    reportedConfigVersion: hb.configVersion,
    softwareVersion: hb.softwareVersion,
    testMode: row.test_mode === 1,
  };
}

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

export class CareStore {
  /** The installer's guided-test results (commissioning.ts). */
  readonly commissioning: CommissioningStore;

  constructor(private readonly db: Kysely<Database>) {
    this.commissioning = new CommissioningStore(db);
  }

  // ── areas ──

  async listAreas(): Promise<AreaDto[]> {
    const rows = await this.db.selectFrom('areas').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      id: r.id,
      parentId: r.parent_id,
      kind: r.kind as AreaKind,
      name: r.name,
    }));
  }

  async getArea(id: string): Promise<AreaDto | undefined> {
    const r = await this.db.selectFrom('areas').selectAll().where('id', '=', id).executeTakeFirst();
    return r && { id: r.id, parentId: r.parent_id, kind: r.kind as AreaKind, name: r.name };
  }

  async createArea(
    input: { id?: string; parentId: string | null; kind: AreaKind; name: string },
    now: number,
  ): Promise<AreaDto> {
    const id = input.id ?? randomUUID();
    await this.db
      .insertInto('areas')
      .values({
        id,
        parent_id: input.parentId,
        kind: input.kind,
        name: input.name,
        created_at: now,
      })
      .execute();
    return { id, parentId: input.parentId, kind: input.kind, name: input.name };
  }

  async renameArea(id: string, name: string): Promise<void> {
    await this.db.updateTable('areas').set({ name }).where('id', '=', id).execute();
  }

  // ── homes ──

  async homeExists(id: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('homes')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return r !== undefined;
  }

  async getHome(id: string, showKeySafeCode: boolean): Promise<HomeDto | undefined> {
    const r = await this.db.selectFrom('homes').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    const installers = await this.db
      .selectFrom('home_installers')
      .select('user_id')
      .where('home_id', '=', id)
      .execute();
    const gateways = await this.db
      .selectFrom('gateways')
      .select('id')
      .where('home_id', '=', id)
      .where('enabled', '=', 1)
      .orderBy('id')
      .execute();
    return {
      id: r.id,
      areaId: r.area_id,
      address: r.address,
      floor: r.floor,
      room: r.room,
      accessNotes: r.access_notes,
      hasKeySafeCode: r.key_safe_code !== null && r.key_safe_code !== '',
      ...(showKeySafeCode ? { keySafeCode: r.key_safe_code } : {}),
      testMode: r.test_mode === 1,
      testModeSince: isoOrNull(r.test_mode_since),
      installerIds: installers.map((i) => i.user_id),
      gatewayIds: gateways.map((g) => g.id),
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    };
  }

  async listHomes(
    scope: Scope,
    filter: { areaIds?: ReadonlySet<string>; q?: string; limit: number; offset: number },
  ): Promise<{ homes: HomeSummaryDto[]; total: number }> {
    let query = this.db.selectFrom('homes');
    if (scope.kind === 'areas') query = query.where('homes.area_id', 'in', [...scope.areaIds, '']);
    if (scope.kind === 'homes') query = query.where('homes.id', 'in', [...scope.homeIds, '']);
    if (filter.areaIds) query = query.where('homes.area_id', 'in', [...filter.areaIds, '']);
    if (filter.q) {
      const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['homes.address']), 'like', sql<string>`${like} escape '\\'`),
          eb.exists(
            eb
              .selectFrom('residents')
              .select('residents.id')
              .whereRef('residents.home_id', '=', 'homes.id')
              .where(sql<string>`lower(residents.name)`, 'like', sql<string>`${like} escape '\\'`),
          ),
        ]),
      );
    }
    const total = await query
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const rows = await query
      .selectAll('homes')
      .orderBy('homes.id')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute();
    const ids = rows.map((r) => r.id);
    const [residents, gateways, alarms] = ids.length
      ? await Promise.all([
          this.db
            .selectFrom('residents')
            .select(['id', 'home_id', 'name'])
            .where('home_id', 'in', ids)
            .orderBy('name')
            .execute(),
          this.db
            .selectFrom('gateways')
            .select(['id', 'home_id'])
            .where('home_id', 'in', ids)
            .where('enabled', '=', 1)
            .execute(),
          this.db
            .selectFrom('alarms')
            .select(['home_id', (eb) => eb.fn.countAll<number>().as('n')])
            .where('home_id', 'in', ids)
            .where('status', '!=', 'resolved')
            .groupBy('home_id')
            .execute(),
        ])
      : [[], [], []];
    const residentIdsAllowed = scope.kind === 'homes' ? scope.residentIds : undefined;
    return {
      total: Number(total.n),
      homes: rows.map((r) => ({
        id: r.id,
        areaId: r.area_id,
        address: r.address,
        floor: r.floor,
        room: r.room,
        testMode: r.test_mode === 1,
        residentNames: residents
          .filter(
            (x) => x.home_id === r.id && (!residentIdsAllowed || residentIdsAllowed.has(x.id)),
          )
          .map((x) => x.name),
        gatewayIds: gateways.filter((g) => g.home_id === r.id).map((g) => g.id),
        unresolvedAlarms: Number(alarms.find((a) => a.home_id === r.id)?.n ?? 0),
      })),
    };
  }

  async createHome(input: CreateHomeRequest, now: number): Promise<string> {
    const id = input.id ?? randomUUID();
    await this.db
      .insertInto('homes')
      .values({
        id,
        area_id: input.areaId,
        address: input.address,
        floor: input.floor ?? null,
        room: input.room ?? null,
        access_notes: input.accessNotes ?? null,
        key_safe_code: input.keySafeCode ?? null,
        test_mode_since: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }

  async updateHome(id: string, input: UpdateHomeRequest, now: number): Promise<void> {
    await this.db
      .updateTable('homes')
      .set({
        ...(input.areaId !== undefined ? { area_id: input.areaId } : {}),
        ...(input.address !== undefined ? { address: input.address } : {}),
        ...(input.floor !== undefined ? { floor: input.floor } : {}),
        ...(input.room !== undefined ? { room: input.room } : {}),
        ...(input.accessNotes !== undefined ? { access_notes: input.accessNotes } : {}),
        ...(input.keySafeCode !== undefined ? { key_safe_code: input.keySafeCode } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  /** Home and its gateways together: the ingest marks alarms as tests by the gateway's flag. */
  async setTestMode(id: string, enabled: boolean, now: number): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('homes')
        .set({ test_mode: enabled ? 1 : 0, test_mode_since: enabled ? now : null, updated_at: now })
        .where('id', '=', id)
        .execute();
      await trx
        .updateTable('gateways')
        .set({ test_mode: enabled ? 1 : 0 })
        .where('home_id', '=', id)
        .execute();
      const gws = await trx
        .selectFrom('gateways')
        .select('id')
        .where('home_id', '=', id)
        .where('enabled', '=', 1)
        .execute();
      return gws.map((g) => g.id);
    });
  }

  async setInstallers(homeId: string, userIds: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('home_installers').where('home_id', '=', homeId).execute();
      for (const userId of new Set(userIds))
        await trx
          .insertInto('home_installers')
          .values({ home_id: homeId, user_id: userId })
          .execute();
    });
  }

  async addInstaller(homeId: string, userId: string): Promise<void> {
    await this.db
      .insertInto('home_installers')
      .values({ home_id: homeId, user_id: userId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  // ── residents ──

  private residentRowToDto(r: Selectable<Database['residents']>): ResidentDto {
    return {
      id: r.id,
      homeId: r.home_id,
      name: r.name,
      photoUrl: r.photo_url,
      birthYear: r.birth_year,
      languages: parseJson<string[]>(r.languages_json, []),
      medicalNotes: r.medical_notes,
      mobility: r.mobility as Mobility | null,
      livesAlone: r.lives_alone === 1,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    };
  }

  async listResidents(homeId: string): Promise<ResidentDto[]> {
    const rows = await this.db
      .selectFrom('residents')
      .selectAll()
      .where('home_id', '=', homeId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => this.residentRowToDto(r));
  }

  async getResident(id: string): Promise<ResidentDto | undefined> {
    const r = await this.db
      .selectFrom('residents')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && this.residentRowToDto(r);
  }

  async createResident(
    homeId: string,
    input: CreateResidentRequest,
    now: number,
  ): Promise<ResidentDto> {
    const id = input.id ?? randomUUID();
    await this.db
      .insertInto('residents')
      .values({
        id,
        home_id: homeId,
        name: input.name,
        photo_url: input.photoUrl ?? null,
        birth_year: input.birthYear ?? null,
        languages_json: JSON.stringify(input.languages ?? []),
        medical_notes: input.medicalNotes ?? null,
        mobility: input.mobility ?? null,
        lives_alone: input.livesAlone ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const created = await this.getResident(id);
    if (!created) throw new Error('resident vanished after insert');
    return created;
  }

  async updateResident(id: string, input: UpdateResidentRequest, now: number): Promise<void> {
    await this.db
      .updateTable('residents')
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.photoUrl !== undefined ? { photo_url: input.photoUrl } : {}),
        ...(input.birthYear !== undefined ? { birth_year: input.birthYear } : {}),
        ...(input.languages !== undefined
          ? { languages_json: JSON.stringify(input.languages) }
          : {}),
        ...(input.medicalNotes !== undefined ? { medical_notes: input.medicalNotes } : {}),
        ...(input.mobility !== undefined ? { mobility: input.mobility } : {}),
        ...(input.livesAlone !== undefined ? { lives_alone: input.livesAlone ? 1 : 0 } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  async deleteResident(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_residents').where('resident_id', '=', id).execute();
      await detachResidentFromAlarms(trx, id);
      await trx.deleteFrom('residents').where('id', '=', id).execute();
    });
  }

  // ── contacts ──

  async listContacts(homeId: string): Promise<ContactDto[]> {
    const rows = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('home_id', '=', homeId)
      .orderBy('call_order')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      homeId: r.home_id,
      callOrder: r.call_order,
      name: r.name,
      relation: r.relation as ContactRelation,
      phone: r.phone,
      availability: r.availability,
      userId: r.user_id,
    }));
  }

  async getContact(homeId: string, contactId: string): Promise<ContactDto | undefined> {
    return (await this.listContacts(homeId)).find((c) => c.id === contactId);
  }

  /** Changes a contact's phone and availability (call order, relation and login stay). */
  async updateContact(
    homeId: string,
    contactId: string,
    patch: { phone?: string; availability?: string | null },
  ): Promise<void> {
    const set = {
      ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
      ...(patch.availability !== undefined ? { availability: patch.availability } : {}),
    };
    if (Object.keys(set).length === 0) return;
    await this.db
      .updateTable('contacts')
      .set(set)
      .where('home_id', '=', homeId)
      .where('id', '=', contactId)
      .execute();
  }

  /** Marks a contact as this user (their login); the demo seed links its family user. */
  async linkContactUser(homeId: string, contactId: string, userId: string | null): Promise<void> {
    await this.db
      .updateTable('contacts')
      .set({ user_id: userId })
      .where('home_id', '=', homeId)
      .where('id', '=', contactId)
      .execute();
  }

  async replaceContacts(homeId: string, contacts: ContactInput[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('contacts').where('home_id', '=', homeId).execute();
      let order = 1;
      for (const c of contacts) {
        await trx
          .insertInto('contacts')
          .values({
            id: randomUUID(),
            home_id: homeId,
            call_order: order++,
            name: c.name,
            relation: c.relation,
            phone: c.phone,
            availability: c.availability ?? null,
            user_id: c.userId ?? null,
          })
          .execute();
      }
    });
  }

  // ── response plans ──

  async listPlans(homeId: string): Promise<ResponsePlanDto[]> {
    const rows = await this.db
      .selectFrom('response_plans')
      .selectAll()
      .where('home_id', '=', homeId)
      .orderBy('kind')
      .execute();
    return rows.map((r) => ({
      homeId: r.home_id,
      kind: r.kind as PlanKind,
      steps: parseJson<string[]>(r.steps_json, []),
      updatedAt: iso(r.updated_at),
      updatedBy: r.updated_by,
    }));
  }

  async setPlan(
    homeId: string,
    kind: PlanKind,
    steps: string[],
    by: string | null,
    now: number,
  ): Promise<ResponsePlanDto> {
    const values = { steps_json: JSON.stringify(steps), updated_at: now, updated_by: by };
    await this.db
      .insertInto('response_plans')
      .values({ home_id: homeId, kind, ...values })
      .onConflict((oc) => oc.columns(['home_id', 'kind']).doUpdateSet(values))
      .execute();
    return { homeId, kind, steps, updatedAt: iso(now), updatedBy: by };
  }

  // ── gateways and devices ──

  async getGatewayRow(id: string): Promise<GatewayRow | undefined> {
    return this.db.selectFrom('gateways').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listGateways(
    scope: Scope,
    filter: { homeId?: string; state?: GatewayDto['claimState']; limit: number },
    homeInScope: (homeId: string | null) => boolean,
  ): Promise<GatewayDto[]> {
    let query = this.db.selectFrom('gateways').selectAll();
    if (filter.homeId !== undefined) query = query.where('home_id', '=', filter.homeId);
    if (scope.kind === 'homes') query = query.where('home_id', 'in', [...scope.homeIds, '']);
    const rows = await query.orderBy('id').execute();
    const out: GatewayDto[] = [];
    for (const row of rows) {
      if (scope.kind === 'areas' && !homeInScope(row.home_id)) continue;
      const dto = gatewayRowToDto(row);
      if (filter.state !== undefined && dto.claimState !== filter.state) continue;
      out.push(dto);
      if (out.length >= filter.limit) break;
    }
    return out;
  }

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

  // ── users and their scope ──

  async careUser(row: UserRow): Promise<CareUserDto> {
    const [areas, residents, homes] = await Promise.all([
      this.db.selectFrom('user_areas').select('area_id').where('user_id', '=', row.id).execute(),
      this.db
        .selectFrom('user_residents')
        .select('resident_id')
        .where('user_id', '=', row.id)
        .execute(),
      this.db
        .selectFrom('home_installers')
        .select('home_id')
        .where('user_id', '=', row.id)
        .execute(),
    ]);
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      role: row.role as UserRole,
      areaIds: areas.map((a) => a.area_id).sort(),
      residentIds: residents.map((r) => r.resident_id).sort(),
      homeIds: homes.map((h) => h.home_id).sort(),
      disabled: row.disabled === 1,
      createdAt: iso(row.created_at),
    };
  }

  async userRowByUsername(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
  }

  /** Area ids an installer may register homes in (their areas with subtrees). */
  async userAreaIds(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('user_areas')
      .select('area_id')
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => r.area_id);
  }

  async userRow(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listUsers(role?: UserRole): Promise<CareUserDto[]> {
    let q = this.db.selectFrom('users').selectAll();
    if (role) q = q.where('role', '=', role);
    const rows = await q.orderBy('username').execute();
    return Promise.all(rows.map((r) => this.careUser(r)));
  }

  async setUserScope(userId: string, areaIds?: string[], residentIds?: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (areaIds) {
        await trx.deleteFrom('user_areas').where('user_id', '=', userId).execute();
        for (const areaId of new Set(areaIds))
          await trx.insertInto('user_areas').values({ user_id: userId, area_id: areaId }).execute();
      }
      if (residentIds) {
        await trx.deleteFrom('user_residents').where('user_id', '=', userId).execute();
        for (const residentId of new Set(residentIds))
          await trx
            .insertInto('user_residents')
            .values({ user_id: userId, resident_id: residentId })
            .execute();
      }
    });
  }

  async updateUserRow(
    id: string,
    set: { display_name?: string; role?: UserRole; password_hash?: string; disabled?: number },
  ): Promise<void> {
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('users').set(set).where('id', '=', id).execute();
    if (set.disabled === 1 || set.password_hash !== undefined || set.role !== undefined)
      await this.db.deleteFrom('sessions').where('user_id', '=', id).execute();
  }

  async existingIds(table: 'areas' | 'residents' | 'users', ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.selectFrom(table).select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((r) => r.id));
  }
}
