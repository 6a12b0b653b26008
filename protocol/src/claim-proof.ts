/**
 * The claim code proof (claim.ts explains the exchange): SCRAM (RFC 5802 §3) with scrypt
 * (RFC 7914) as the salted derivation and HMAC-SHA-256, plus an AES-256-GCM seal for the
 * credentials. Pure functions over node:crypto, shared by the hub (verifier, check, seal) and the
 * gateway (proof, open) so the two ends cannot drift. Node only: imported as
 * `@anxin/protocol/claim-proof`, never from the browser bundle.
 *
 *   SaltedCode      = scrypt(code, salt, N, r, p, 32)
 *   ClientKey       = HMAC(SaltedCode, "Client Key")
 *   StoredKey       = SHA-256(ClientKey)                 stored by the hub
 *   ServerKey       = HMAC(SaltedCode, "Server Key")     stored by the hub
 *   AuthMessage     = "anxin-claim-v1,g=<gatewayId>,n=<nonce>"
 *   ClientProof     = ClientKey XOR HMAC(StoredKey, AuthMessage)
 *   ServerSignature = HMAC(ServerKey, AuthMessage)
 *   SealKey         = HMAC(ClientKey, "anxin-claim-v1 seal," + AuthMessage)
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  scrypt,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';
import { CLAIM_KDF_LIMITS, type ClaimKdf, type SealedBox } from './claim.js';

const PREFIX = 'scram-scrypt';
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/**
 * Default cost of a new verifier: N = 2^15, r = 8 (32 MiB, ~0.1 s on a server, well under a
 * second on an ARM gateway). The hub runs it only when an installer types the code; checking a
 * gateway's proof costs two HMACs and a hash, so an unclaimed fleet polling costs next to nothing.
 */
export const CLAIM_KDF_DEFAULT: ClaimKdf = { log2N: 15, r: 8, p: 1 };

/** Codes are typed from a label: surrounding blanks and letter case do not matter. */
export function normalizeClaimCode(code: string): string {
  return code.trim().toUpperCase();
}

export function kdfWithinLimits(kdf: ClaimKdf): boolean {
  return (
    Number.isInteger(kdf.log2N) &&
    Number.isInteger(kdf.r) &&
    Number.isInteger(kdf.p) &&
    kdf.log2N >= 10 &&
    kdf.log2N <= CLAIM_KDF_LIMITS.maxLog2N &&
    kdf.r >= 1 &&
    kdf.r <= CLAIM_KDF_LIMITS.maxR &&
    kdf.p >= 1 &&
    kdf.p <= CLAIM_KDF_LIMITS.maxP
  );
}

export function deriveSaltedCode(code: string, salt: Buffer, kdf: ClaimKdf): Promise<Buffer> {
  if (!kdfWithinLimits(kdf)) return Promise.reject(new Error('claim KDF cost out of bounds'));
  const N = 2 ** kdf.log2N;
  const options: ScryptOptions = { N, r: kdf.r, p: kdf.p, maxmem: 256 * N * kdf.r };
  return new Promise((resolve, reject) =>
    scrypt(normalizeClaimCode(code), salt, KEY_BYTES, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

const hmac = (key: Buffer, text: string): Buffer =>
  createHmac('sha256', key).update(text, 'utf8').digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

export interface ClaimKeys {
  clientKey: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

export function keysFromSaltedCode(salted: Buffer): ClaimKeys {
  const clientKey = hmac(salted, 'Client Key');
  return { clientKey, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

/** What the hub stores for a claim code: no code, no ClientKey. */
export interface ClaimVerifier {
  kdf: ClaimKdf;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

export function formatVerifier(v: ClaimVerifier): string {
  return [
    PREFIX,
    v.kdf.log2N,
    v.kdf.r,
    v.kdf.p,
    v.salt.toString('base64'),
    v.storedKey.toString('base64'),
    v.serverKey.toString('base64'),
  ].join('$');
}

export async function makeClaimVerifier(
  code: string,
  kdf: ClaimKdf = CLAIM_KDF_DEFAULT,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const keys = keysFromSaltedCode(await deriveSaltedCode(code, salt, kdf));
  return formatVerifier({ kdf, salt, storedKey: keys.storedKey, serverKey: keys.serverKey });
}

/**
 * Reads a stored verifier. Rows written before issue 10 hold `scrypt$log2N$r$p$salt$key`
 * (password.ts), whose key is exactly SaltedCode: the keys are computed from it (the migration
 * 0925 rewrites such rows so that SaltedCode is no longer stored). Malformed → null.
 */
export function parseClaimVerifier(stored: string): ClaimVerifier | null {
  const parts = stored.split('$');
  const kdf = { log2N: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]) };
  if (!kdfWithinLimits(kdf)) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  if (salt.length === 0) return null;
  if (parts[0] === PREFIX && parts.length === 7) {
    const storedKey = Buffer.from(parts[5] ?? '', 'base64');
    const serverKey = Buffer.from(parts[6] ?? '', 'base64');
    if (storedKey.length !== KEY_BYTES || serverKey.length !== KEY_BYTES) return null;
    return { kdf, salt, storedKey, serverKey };
  }
  if (parts[0] === 'scrypt' && parts.length === 6) {
    const salted = Buffer.from(parts[5] ?? '', 'base64');
    if (salted.length !== KEY_BYTES) return null;
    const keys = keysFromSaltedCode(salted);
    return { kdf, salt, storedKey: keys.storedKey, serverKey: keys.serverKey };
  }
  return null;
}

/** The installer's path: the typed code against the stored verifier (constant time). */
export async function claimCodeMatches(code: string, stored: string): Promise<boolean> {
  const v = parseClaimVerifier(stored);
  if (!v) return false;
  const keys = keysFromSaltedCode(await deriveSaltedCode(code, v.salt, v.kdf));
  return timingSafeEqual(keys.storedKey, v.storedKey);
}

export function claimAuthMessage(gatewayId: string, nonce: string): string {
  return `anxin-claim-v1,g=${gatewayId},n=${nonce}`;
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/** The gateway's side: its proof for this challenge, and the keys to check and open the answer. */
export async function proveClaimCode(
  code: string,
  gatewayId: string,
  challenge: { nonce: string; salt: string; kdf: ClaimKdf },
): Promise<{ proof: string; keys: ClaimKeys; authMessage: string }> {
  const salt = Buffer.from(challenge.salt, 'base64');
  const keys = keysFromSaltedCode(await deriveSaltedCode(code, salt, challenge.kdf));
  const authMessage = claimAuthMessage(gatewayId, challenge.nonce);
  const proof = xor(keys.clientKey, hmac(keys.storedKey, authMessage));
  return { proof: proof.toString('base64'), keys, authMessage };
}

/** The hub's side: the ClientKey the proof carries when it is right, else null. */
export function checkClaimProof(
  proofB64: string,
  verifier: ClaimVerifier,
  authMessage: string,
): Buffer | null {
  const proof = Buffer.from(proofB64, 'base64');
  if (proof.length !== KEY_BYTES) return null;
  const clientKey = xor(proof, hmac(verifier.storedKey, authMessage));
  return timingSafeEqual(sha256(clientKey), verifier.storedKey) ? clientKey : null;
}

export function claimServerSignature(serverKey: Buffer, authMessage: string): string {
  return hmac(serverKey, authMessage).toString('base64');
}

export function serverSignatureMatches(
  serverKey: Buffer,
  authMessage: string,
  signatureB64: string,
): boolean {
  const got = Buffer.from(signatureB64, 'base64');
  const expected = hmac(serverKey, authMessage);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

function sealKey(clientKey: Buffer, authMessage: string): Buffer {
  return hmac(clientKey, `anxin-claim-v1 seal,${authMessage}`);
}

export function sealForGateway(clientKey: Buffer, authMessage: string, plain: string): SealedBox {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(clientKey, authMessage), iv);
  cipher.setAAD(Buffer.from(authMessage, 'utf8'));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    data: data.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/** Opens a sealed box; throws when it was not sealed for this key and message (tampered). */
export function openSealed(clientKey: Buffer, authMessage: string, box: SealedBox): string {
  const decipher = createDecipheriv(
    'aes-256-gcm',
    sealKey(clientKey, authMessage),
    Buffer.from(box.iv, 'base64'),
  );
  decipher.setAAD(Buffer.from(authMessage, 'utf8'));
  decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
  return Buffer.concat([
    decipher.update(Buffer.from(box.data, 'base64')),
    decipher.final(),
  ]).toString('utf8');
}
