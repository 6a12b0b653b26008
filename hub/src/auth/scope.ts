/**
 * Who may see what (DESIGN.md, Security; issue 5): every user's scope is computed on the server
 * from the SQL state, never taken from the client.
 *
 *  - admin: everything;
 *  - operator, supervisor: homes in their areas, each area with its whole subtree (a district
 *    includes its streets and communities); with no area assigned, the whole hub (one call centre
 *    answering for the district, the default of a small site);
 *  - installer: homes assigned to them;
 *  - family: the homes of the residents they follow (and, inside a home, only those residents);
 *  - community_worker: homes in their areas (subtrees); with no area assigned, none (a worker
 *    visits a community, never the whole district by default).
 */
import type { Kysely } from 'kysely';
import type { UserDto } from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import '../care/tables.js';

export type Scope =
  | { kind: 'all' }
  /** Expanded: every area id in the subtrees of the user's areas. */
  | { kind: 'areas'; areaIds: ReadonlySet<string> }
  | { kind: 'homes'; homeIds: ReadonlySet<string>; residentIds?: ReadonlySet<string> };

export interface Actor {
  user: UserDto;
  scope: Scope;
}

/**
 * Area tree and home → area map, kept in memory: areas are few, and 20,000 homes are a small map.
 * They let the realtime layer route every alarm to its rooms synchronously, without a query.
 */
export class ScopeResolver {
  private children = new Map<string, string[]>();
  private parents = new Map<string, string | null>();
  private homeArea = new Map<string, string>();

  constructor(private readonly db: Kysely<Database>) {}

  async load(): Promise<void> {
    const areas = await this.db.selectFrom('areas').select(['id', 'parent_id']).execute();
    this.children = new Map();
    this.parents = new Map();
    for (const a of areas) {
      this.parents.set(a.id, a.parent_id);
      if (a.parent_id) {
        const list = this.children.get(a.parent_id) ?? [];
        list.push(a.id);
        this.children.set(a.parent_id, list);
      }
    }
    const homes = await this.db.selectFrom('homes').select(['id', 'area_id']).execute();
    this.homeArea = new Map(homes.map((h) => [h.id, h.area_id]));
  }

  /** Call after a home is created or moved. */
  setHomeArea(homeId: string, areaId: string): void {
    this.homeArea.set(homeId, areaId);
  }

  areaOfHome(homeId: string): string | undefined {
    return this.homeArea.get(homeId);
  }

  areaExists(areaId: string): boolean {
    return this.parents.has(areaId);
  }

  /** The area and every area below it. Bounded by the number of areas (no cycles: parents exist first). */
  subtree(areaId: string): Set<string> {
    const out = new Set<string>();
    const stack = [areaId];
    while (stack.length > 0) {
      const id = stack.pop();
      if (id === undefined || out.has(id)) continue;
      out.add(id);
      for (const c of this.children.get(id) ?? []) stack.push(c);
    }
    return out;
  }

  async scopeOf(user: UserDto): Promise<Scope> {
    switch (user.role) {
      case 'admin':
        return { kind: 'all' };
      case 'operator':
      case 'supervisor': {
        const rows = await this.db
          .selectFrom('user_areas')
          .select('area_id')
          .where('user_id', '=', user.id)
          .execute();
        if (rows.length === 0) return { kind: 'all' };
        const areaIds = new Set<string>();
        for (const r of rows) for (const id of this.subtree(r.area_id)) areaIds.add(id);
        return { kind: 'areas', areaIds };
      }
      case 'community_worker': {
        const rows = await this.db
          .selectFrom('user_areas')
          .select('area_id')
          .where('user_id', '=', user.id)
          .execute();
        const areaIds = new Set<string>();
        for (const r of rows) for (const id of this.subtree(r.area_id)) areaIds.add(id);
        return { kind: 'areas', areaIds };
      }
      case 'installer': {
        const rows = await this.db
          .selectFrom('home_installers')
          .select('home_id')
          .where('user_id', '=', user.id)
          .execute();
        return { kind: 'homes', homeIds: new Set(rows.map((r) => r.home_id)) };
      }
      case 'family': {
        const rows = await this.db
          .selectFrom('user_residents')
          .innerJoin('residents', 'residents.id', 'user_residents.resident_id')
          .select(['residents.id', 'residents.home_id'])
          .where('user_residents.user_id', '=', user.id)
          .execute();
        return {
          kind: 'homes',
          homeIds: new Set(rows.map((r) => r.home_id)),
          residentIds: new Set(rows.map((r) => r.id)),
        };
      }
      default:
        // Unknown role stored in the database: sees nothing.
        return { kind: 'homes', homeIds: new Set() };
    }
  }

  /** True when the home (by id) is in the scope. A home unknown to the hub is in no area. */
  homeInScope(scope: Scope, homeId: string | null): boolean {
    if (scope.kind === 'all') return true;
    if (homeId === null) return false;
    if (scope.kind === 'homes') return scope.homeIds.has(homeId);
    const area = this.homeArea.get(homeId);
    return area !== undefined && scope.areaIds.has(area);
  }

  /** Whether a resident is visible inside a home already in scope (family: only their own). */
  residentInScope(scope: Scope, residentId: string): boolean {
    return scope.kind !== 'homes' || !scope.residentIds || scope.residentIds.has(residentId);
  }

  /** Socket.IO rooms an alarm of this home is sent to. */
  roomsForHome(homeId: string | null): string[] {
    const rooms = [ALL_ROOM];
    if (homeId === null) return rooms;
    rooms.push(homeRoom(homeId));
    const area = this.homeArea.get(homeId);
    if (area !== undefined) rooms.push(areaRoom(area));
    return rooms;
  }

  /** Socket.IO rooms a connection with this scope joins. */
  roomsForScope(scope: Scope): string[] {
    if (scope.kind === 'all') return [ALL_ROOM];
    if (scope.kind === 'areas') return [...scope.areaIds].map(areaRoom);
    return [...scope.homeIds].map(homeRoom);
  }
}

export const ALL_ROOM = 'scope:all';
export const homeRoom = (homeId: string): string => `home:${homeId}`;
export const areaRoom = (areaId: string): string => `area:${areaId}`;
export const userRoom = (userId: string): string => `user:${userId}`;
