/**
 * Deletes expired sessions and old login-failure counts every ten minutes, so the tables stay
 * small without a login having to do it. A hub part: started by listen(), not by building the hub.
 */
import type { Logger } from 'pino';
import type { HubPart } from '../lifecycle.js';
import type { UserStore } from '../store/users.js';
import type { SqlLoginLimiter } from './login-limiter.js';

const SWEEP_MS = 10 * 60_000;

export class SessionSweep implements HubPart {
  readonly name = 'session-sweep';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { users: UserStore; loginLimiter: SqlLoginLimiter; log: Logger },
  ) {}

  start(): Promise<void> {
    this.timer = setInterval(() => {
      this.deps.users
        .purgeExpiredSessions(Date.now())
        .then(() => this.deps.loginLimiter.sweep(Date.now()))
        .catch((err: unknown) => this.deps.log.warn({ err }, 'session sweep failed'));
    }, SWEEP_MS);
    this.timer.unref();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    return Promise.resolve();
  }
}
