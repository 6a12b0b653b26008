/** English: the gateway fleet page (administrators decommission and re-arm gateways). */
export const enFleet = {
  'fleet.title': 'Gateway fleet',
  'fleet.open': 'Gateway fleet',
  'fleet.back': 'Back to supervision',
  'fleet.intro':
    'Every gateway by claim state. Decommissioning revokes its credentials; re-arming gives a decommissioned gateway a new claim code so an installer can claim it again.',
  'fleet.state': 'Claim state',
  'fleet.state.unclaimed': 'Unclaimed',
  'fleet.state.claimed': 'Claimed',
  'fleet.state.decommissioned': 'Decommissioned',
  'fleet.none': 'No gateways in this state.',
  'fleet.id': 'Gateway',
  'fleet.home': 'Home',
  'fleet.lastSeen': 'Last seen',
  'fleet.decommissionedAt': 'Decommissioned',
  'fleet.actions': 'Actions',
  'fleet.decommission': 'Decommission',
  'fleet.rearm': 'Re-arm',
  'fleet.reason': 'Reason (kept in the audit log)',
  'fleet.cancel': 'Cancel',
  'fleet.decommissionTitle': 'Decommission {id}?',
  'fleet.decommissionWarning':
    'Its credentials are revoked at once and it is disconnected. It can only be used again after re-arming.',
  'fleet.decommissionConfirm': 'Decommission',
  'fleet.rearmTitle': 'Re-arm {id}?',
  'fleet.rearmWarning':
    'The gateway gets a new claim code and returns to stock: no home, and the devices registered on it are removed. Its old code and old credentials stay refused.',
  'fleet.rearmConfirm': 'Issue a new claim code',
  'fleet.rearmed': '{id} is re-armed',
  'fleet.newCode': 'New claim code',
  'fleet.newCodeOnce':
    'Shown only now. Write it into the gateway’s claim file (or on a new label); an installer then claims it as usual.',
  'fleet.devicesRemoved': 'Devices removed: {list}',
  'fleet.done': 'Done',
} as const;
