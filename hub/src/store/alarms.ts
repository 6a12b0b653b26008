/**
 * Moved to the alarm owner, hub/src/alarms/ (issue 14). These re-exports keep the import paths
 * of the HTTP routes and tests working while those are being restructured; new code imports from
 * hub/src/alarms/ directly.
 */
export { AlarmStore } from '../alarms/store.js';
export type { AlarmBatchOutcome, AlarmDiverter } from '../alarms/device-batches.js';
export { alarmRowToDto, type Actor, type LifecycleResult } from '../alarms/rows.js';
export { insertNewAlarm, resolveBySystem, type NewAlarm } from '../alarms/writes.js';
