import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialStore } from './credential-store.js';

const credentials = {
  gatewayId: 'gw-1',
  username: 'gw-1',
  password: 'secret-secret',
  mqttUrl: 'mqtt://127.0.0.1:1883',
  homeId: 'home-1',
  issuedAt: 1_700_000_000_000,
};
const mode = (path: string) => statSync(path).mode & 0o777;

describe('credential store', () => {
  let dir: string;
  const previousUmask = process.umask(0o022);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'anxin-cred-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => void process.umask(previousUmask));

  it('writes the file 0600 in a 0700 directory, whatever the umask, and reads it back', () => {
    process.umask(0o000);
    const store = new CredentialStore(dir);
    expect(store.read('gw-1')).toBeNull();
    store.write(credentials);
    expect(mode(store.dir)).toBe(0o700);
    expect(mode(store.file)).toBe(0o600);
    expect(store.read('gw-1')).toEqual(credentials);
    expect(readdirSync(store.dir)).toEqual(['credentials.json']); // no temporary file left
  });

  it('tightens a directory or file someone loosened', () => {
    const store = new CredentialStore(dir);
    store.write(credentials);
    chmodSync(store.file, 0o644);
    expect(store.read('gw-1')).toEqual(credentials);
    expect(mode(store.file)).toBe(0o600);
    chmodSync(store.dir, 0o755);
    store.write({ ...credentials, password: 'another-secret' });
    expect(mode(store.dir)).toBe(0o700);
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toMatchObject({
      password: 'another-secret',
    });
  });

  it('deletes the credentials when revoked', () => {
    const store = new CredentialStore(dir);
    store.write(credentials);
    store.delete();
    expect(store.read('gw-1')).toBeNull();
    expect(readdirSync(store.dir)).toEqual([]);
    store.delete(); // twice is fine
  });

  it('sets aside a damaged file or another gateway’s credentials, and reads none', () => {
    const store = new CredentialStore(dir);
    store.write(credentials);
    expect(store.read('gw-2')).toBeNull();
    expect(readdirSync(store.dir).some((f) => f.startsWith('credentials.json.bad-'))).toBe(true);
    writeFileSync(store.file, '{"gatewayId": "gw-1", "password": ', { mode: 0o600 });
    expect(store.read('gw-1')).toBeNull();
    writeFileSync(store.file, JSON.stringify({ ...credentials, mqttUrl: 'http://x' }), {
      mode: 0o600,
    });
    expect(store.read('gw-1')).toBeNull();
  });
});
