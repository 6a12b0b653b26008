/**
 * Which roles may do which write at all (before any scope check). A role not listed gets
 * 403 FORBIDDEN; a role listed but acting outside its scope gets 404 NOT_FOUND (protocol/care.ts).
 */
import type { UserRole } from '@anxin/protocol';

export const WRITE_POLICY = {
  'area.write': ['admin'],
  'home.create': ['admin', 'installer'],
  'home.update': ['admin', 'installer'],
  'home.test_mode': ['admin', 'installer', 'supervisor'],
  'home.installers': ['admin'],
  'resident.create': ['admin', 'installer'],
  'resident.update': ['admin', 'installer', 'supervisor'],
  'resident.delete': ['admin'],
  'contacts.replace': ['admin', 'installer', 'supervisor', 'operator'],
  /** Family: only the contact that is them (checked by the route). */
  'contact.update': ['admin', 'installer', 'supervisor', 'operator', 'family'],
  'commissioning.record': ['admin', 'installer', 'supervisor'],
  'plan.set': ['admin', 'supervisor'],
  'gateway.create': ['admin'],
  'gateway.claim': ['admin', 'installer'],
  'gateway.decommission': ['admin'],
  /** A new claim code for a decommissioned gateway: as powerful as registering one. */
  'gateway.rearm': ['admin'],
  'device.write': ['admin', 'installer'],
  /** Commands to a gateway (ping, read a device now, diagnostics …), issue 10. */
  'gateway.command': ['admin', 'installer'],
  'user.manage': ['admin'],
  'alarm.handle': ['operator', 'supervisor', 'admin'],
  'alarm.respond': ['family', 'operator', 'supervisor', 'admin'],
  // Care operations (issue 13). `*.work`: status and notes; workers only on what is theirs.
  'service_request.create': ['operator', 'supervisor', 'admin'],
  'service_request.assign': ['operator', 'supervisor', 'admin'],
  'service_request.work': ['operator', 'supervisor', 'admin', 'community_worker'],
  'welfare.plan': ['operator', 'supervisor', 'admin'],
  'welfare.check_create': ['operator', 'supervisor', 'admin'],
  'welfare.check_record': ['operator', 'supervisor', 'admin', 'community_worker'],
  'work_order.create': ['operator', 'supervisor', 'admin'],
  'work_order.assign': ['operator', 'supervisor', 'admin'],
  'work_order.work': ['operator', 'supervisor', 'admin', 'installer', 'community_worker'],
  'service_button.set': ['admin', 'installer'],
  /** Bulk import (issue 13): supervisors within their areas. */
  'data.import': ['admin', 'supervisor'],
} as const satisfies Record<string, readonly UserRole[]>;
export type WriteAction = keyof typeof WRITE_POLICY;

/** Reads limited by role (on top of scope). */
export const READ_POLICY = {
  'home.card': ['operator', 'supervisor', 'admin', 'family'],
  'gateway.list': ['admin', 'supervisor', 'operator', 'installer'],
  'user.list': ['admin'],
  'audit.read': ['admin'],
  'commissioning.read': ['admin', 'installer', 'supervisor'],
  'service_request.read': ['operator', 'supervisor', 'admin', 'family', 'community_worker'],
  'welfare.read': ['operator', 'supervisor', 'admin', 'community_worker'],
  'work_order.read': ['operator', 'supervisor', 'admin', 'installer', 'community_worker'],
  'service_button.read': ['operator', 'supervisor', 'admin', 'installer'],
  /** CSV exports and care-operation figures (issue 13): supervisors within their areas. */
  'data.export': ['admin', 'supervisor'],
} as const satisfies Record<string, readonly UserRole[]>;
export type ReadAction = keyof typeof READ_POLICY;

export function mayDo(role: UserRole, action: WriteAction | ReadAction): boolean {
  const allowed: readonly UserRole[] =
    action in WRITE_POLICY
      ? WRITE_POLICY[action as WriteAction]
      : READ_POLICY[action as ReadAction];
  return allowed.includes(role);
}
