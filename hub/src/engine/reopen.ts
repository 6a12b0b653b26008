/** Moved to the alarm owner (issue 14): hub/src/alarms/lifecycle.ts. Kept for the routes' import. */
export { reopenAlarm } from '../alarms/lifecycle.js';
