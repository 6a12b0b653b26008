/**
 * User roles (DESIGN.md, "Who uses it"). A leaf module, so alarms, api and care can all use it
 * without importing each other.
 *
 * `community_worker` (社区工作者/网格员, issue 13): visits elders in their areas and records the
 * result; works service requests and work orders assigned to them. Sees the homes of their areas
 * only (none while no area is assigned), never the alarm console.
 */
export const USER_ROLES = [
  'operator',
  'supervisor',
  'installer',
  'family',
  'admin',
  'community_worker',
] as const;
export type UserRole = (typeof USER_ROLES)[number];
