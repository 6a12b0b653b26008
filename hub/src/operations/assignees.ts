/**
 * Who may be given care-operations work, one rule for the REST routes and the bulk import: a
 * user who exists, is enabled and has one of the roles the work needs.
 */

/** Welfare checks (calls, visits) go to community workers or the call centre's staff. */
export const CHECK_ASSIGNEES: readonly string[] = ['community_worker', 'operator', 'supervisor'];

export interface AssigneeCandidate {
  role: string;
  disabled: boolean;
}

/** Why this user cannot take the work, or null when they can. */
export function assigneeRefusal(
  user: AssigneeCandidate | undefined,
  roles: readonly string[],
): string | null {
  if (!user) return 'no such user';
  if (user.disabled) return 'the user is disabled';
  if (!roles.includes(user.role)) return `must be an enabled ${roles.join(' or ')}`;
  return null;
}
