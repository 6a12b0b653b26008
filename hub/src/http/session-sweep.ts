/**
 * Deletes expired sessions and old login-failure counts every ten minutes, so the tables stay
 * small without a login having to do it. A hub part: started by listen(), not by building the hub.
 */
import type { Logger } from 'pino';
import { intervalPart, type HubPart } from '../lifecycle.js';
import type { UserStore } from '../store/users.js';
import type { SqlLoginLimiter } from './login-limiter.js';

const SWEEP_MS = 10 * 60_000;

export function sessionSweep(deps: {
  users: UserStore;
  loginLimiter: SqlLoginLimiter;
  log: Logger;
}): HubPart {
  return intervalPart('session-sweep', SWEEP_MS, () => {
    deps.users
      .purgeExpiredSessions(Date.now())
      .then(() => deps.loginLimiter.sweep(Date.now()))
      .catch((err: unknown) => deps.log.warn({ err }, 'session sweep failed'));
  });
}
