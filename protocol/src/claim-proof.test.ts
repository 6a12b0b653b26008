import { randomBytes, scrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkClaimProof,
  claimAuthMessage,
  claimCodeMatches,
  claimServerSignature,
  kdfWithinLimits,
  makeClaimVerifier,
  openSealed,
  parseClaimVerifier,
  proveClaimCode,
  sealForGateway,
  serverSignatureMatches,
} from './claim-proof.js';

// A light cost keeps the table fast; the maths is the same at any cost.
const KDF = { log2N: 10, r: 8, p: 1 };
const CODE = 'ABCD-EFGH-JKLM';

async function setup(code = CODE) {
  const stored = await makeClaimVerifier(code, KDF);
  const verifier = parseClaimVerifier(stored);
  if (!verifier) throw new Error('verifier did not parse');
  const challenge = {
    nonce: randomBytes(32).toString('base64'),
    salt: verifier.salt.toString('base64'),
    kdf: verifier.kdf,
  };
  return { stored, verifier, challenge };
}

describe('claim code proof', () => {
  it('a proof from the right code is accepted and carries the ClientKey', async () => {
    const { verifier, challenge } = await setup();
    const { proof, keys, authMessage } = await proveClaimCode(CODE, 'gw-1', challenge);
    expect(authMessage).toBe(claimAuthMessage('gw-1', challenge.nonce));
    const clientKey = checkClaimProof(proof, verifier, authMessage);
    expect(clientKey?.equals(keys.clientKey)).toBe(true);
    // The proof is not the code, nor anything the hub stores.
    expect(proof).not.toContain(CODE);
    expect(Buffer.from(proof, 'base64').equals(verifier.storedKey)).toBe(false);
  });

  it('letter case and blanks of a typed code do not matter', async () => {
    const { verifier, challenge } = await setup();
    const { proof, authMessage } = await proveClaimCode(' abcd-efgh-jklm ', 'gw-1', challenge);
    expect(checkClaimProof(proof, verifier, authMessage)).not.toBeNull();
  });

  it('a wrong code, another gateway id or another nonce is refused', async () => {
    const { verifier, challenge } = await setup();
    const wrong = await proveClaimCode('ABCD-EFGH-JKLN', 'gw-1', challenge);
    expect(checkClaimProof(wrong.proof, verifier, wrong.authMessage)).toBeNull();
    const right = await proveClaimCode(CODE, 'gw-1', challenge);
    expect(checkClaimProof(right.proof, verifier, claimAuthMessage('gw-2', challenge.nonce))).toBe(
      null,
    );
    expect(checkClaimProof(right.proof, verifier, claimAuthMessage('gw-1', 'other-nonce'))).toBe(
      null,
    );
    expect(checkClaimProof('c2hvcnQ=', verifier, right.authMessage)).toBeNull();
  });

  it('the server signature proves the hub knows the verifier', async () => {
    const { verifier, challenge } = await setup();
    const { keys, authMessage } = await proveClaimCode(CODE, 'gw-1', challenge);
    const signature = claimServerSignature(verifier.serverKey, authMessage);
    expect(serverSignatureMatches(keys.serverKey, authMessage, signature)).toBe(true);
    const forged = claimServerSignature(randomBytes(32), authMessage);
    expect(serverSignatureMatches(keys.serverKey, authMessage, forged)).toBe(false);
    expect(serverSignatureMatches(keys.serverKey, authMessage, '')).toBe(false);
  });

  it('sealed credentials open only with the ClientKey and message they were sealed for', async () => {
    const { verifier, challenge } = await setup();
    const { proof, keys, authMessage } = await proveClaimCode(CODE, 'gw-1', challenge);
    const clientKey = checkClaimProof(proof, verifier, authMessage);
    if (!clientKey) throw new Error('proof refused');
    const box = sealForGateway(clientKey, authMessage, '{"password":"s3cret"}');
    expect(Buffer.from(box.data, 'base64').toString('utf8')).not.toContain('s3cret');
    expect(openSealed(keys.clientKey, authMessage, box)).toBe('{"password":"s3cret"}');
    expect(() => openSealed(randomBytes(32), authMessage, box)).toThrow();
    expect(() => openSealed(keys.clientKey, `${authMessage}x`, box)).toThrow();
    const tampered = { ...box, data: Buffer.from('{"password":"other"}').toString('base64') };
    expect(() => openSealed(keys.clientKey, authMessage, tampered)).toThrow();
  });

  it('the installer path checks a typed code against the same verifier', async () => {
    const { stored } = await setup();
    expect(await claimCodeMatches(CODE, stored)).toBe(true);
    expect(await claimCodeMatches('abcd-efgh-jklm', stored)).toBe(true);
    expect(await claimCodeMatches('ABCD-EFGH-JKLN', stored)).toBe(false);
    expect(await claimCodeMatches(CODE, 'garbage')).toBe(false);
    expect(await claimCodeMatches(CODE, 'scram-scrypt$10$8$1$AAAA$short$short')).toBe(false);
  });

  it('a legacy scrypt$ row (issue 5) still verifies, and proofs work against it', async () => {
    const salt = randomBytes(16);
    const key = await new Promise<Buffer>((resolve, reject) =>
      scrypt(CODE, salt, 32, { N: 2 ** 10, r: 8, p: 1 }, (err, k) =>
        err ? reject(err) : resolve(k),
      ),
    );
    const legacy = ['scrypt', 10, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
    expect(await claimCodeMatches(CODE, legacy)).toBe(true);
    const verifier = parseClaimVerifier(legacy);
    if (!verifier) throw new Error('legacy verifier did not parse');
    const challenge = { nonce: 'n'.repeat(44), salt: salt.toString('base64'), kdf: verifier.kdf };
    const { proof, authMessage } = await proveClaimCode(CODE, 'gw-1', challenge);
    expect(checkClaimProof(proof, verifier, authMessage)).not.toBeNull();
  });

  it('refuses a KDF cost a hub could use to exhaust a gateway', async () => {
    expect(kdfWithinLimits({ log2N: 15, r: 8, p: 1 })).toBe(true);
    expect(kdfWithinLimits({ log2N: 30, r: 8, p: 1 })).toBe(false);
    expect(kdfWithinLimits({ log2N: 15, r: 1000, p: 1 })).toBe(false);
    expect(kdfWithinLimits({ log2N: 1.5, r: 8, p: 1 })).toBe(false);
    await expect(
      proveClaimCode(CODE, 'gw-1', { nonce: 'n', salt: 'AAAA', kdf: { log2N: 30, r: 8, p: 1 } }),
    ).rejects.toThrow(/out of bounds/);
  });
});
