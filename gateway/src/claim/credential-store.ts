/**
 * The gateway's own broker credentials, as picked up over the claim channel, kept in
 * `<dataDir>/claim/credentials.json`: the directory 0700 and the file 0600 (owner only), written
 * atomically (temporary file, fsync, rename, fsync of the directory) so a power cut leaves either
 * the old file or the new one, never half of one. A file that is unreadable or not what we wrote
 * is set aside (renamed, kept for diagnosis) and the gateway waits for a claim again.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { errorMessage, type ClaimedCredentials } from '@anxin/protocol';

export const CREDENTIALS_DIR_MODE = 0o700;
export const CREDENTIALS_FILE_MODE = 0o600;

/** Whether an untrusted value (the file, the hub's sealed answer) is whole credentials. */
export function isCredentials(v: unknown): v is ClaimedCredentials {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.gatewayId === 'string' &&
    typeof o.username === 'string' &&
    typeof o.password === 'string' &&
    o.password.length > 0 &&
    typeof o.mqttUrl === 'string' &&
    /^mqtts?:\/\//.test(o.mqttUrl) &&
    (o.homeId === null || typeof o.homeId === 'string') &&
    typeof o.issuedAt === 'number'
  );
}

export class CredentialStore {
  readonly dir: string;
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly logger?: Logger,
  ) {
    this.dir = join(dataDir, 'claim');
    this.file = join(this.dir, 'credentials.json');
  }

  /** The stored credentials of `gatewayId`, or null (none, unreadable, or another gateway's). */
  read(gatewayId: string): ClaimedCredentials | null {
    if (!existsSync(this.file)) return null;
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
    } catch (err) {
      this.setAside(`unreadable: ${errorMessage(err)}`);
      return null;
    }
    if (!isCredentials(value) || value.gatewayId !== gatewayId) {
      this.setAside('not credentials of this gateway');
      return null;
    }
    // Someone loosened the modes (a copy, a restore): tighten them again before using them.
    const mode = statSync(this.file).mode & 0o777;
    if (mode !== CREDENTIALS_FILE_MODE) chmodSync(this.file, CREDENTIALS_FILE_MODE);
    return value;
  }

  write(credentials: ClaimedCredentials): void {
    mkdirSync(this.dir, { recursive: true, mode: CREDENTIALS_DIR_MODE });
    // mkdir's mode is masked by the umask and does not apply to a directory that exists.
    chmodSync(this.dir, CREDENTIALS_DIR_MODE);
    const tmp = `${this.file}.tmp`;
    rmSync(tmp, { force: true });
    const fd = openSync(tmp, 'wx', CREDENTIALS_FILE_MODE);
    try {
      writeSync(fd, JSON.stringify(credentials));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, CREDENTIALS_FILE_MODE);
    renameSync(tmp, this.file);
    this.syncDir();
  }

  /** Forgets the credentials (revoked): the file is removed, and so is any temporary one. */
  delete(): void {
    rmSync(`${this.file}.tmp`, { force: true });
    if (!existsSync(this.file)) return;
    rmSync(this.file, { force: true });
    this.syncDir();
  }

  private setAside(reason: string): void {
    const aside = `${this.file}.bad-${Date.now()}`;
    try {
      renameSync(this.file, aside);
    } catch {
      rmSync(this.file, { force: true });
    }
    this.logger?.warn(
      { code: 'CLAIM_CREDENTIALS_BAD', file: aside, reason },
      'stored credentials set aside',
    );
  }

  private syncDir(): void {
    try {
      const fd = openSync(this.dir, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
    }
  }
}
