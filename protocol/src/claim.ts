/**
 * Zero-touch claim (issue 10): the channel on which a gateway that holds only its claim code and
 * the hub's address picks up its own broker credentials once an installer has claimed that code
 * for a home. HTTPS on the hub's REST server (no MQTT broker involved, so it works the same with
 * the embedded broker and an external one, whose ACL never sees an unclaimed gateway).
 *
 * The gateway proves it holds the code without sending it, SCRAM style (RFC 5802 §3, with scrypt
 * as the key derivation and SHA-256 as the hash); the crypto lives in claim-proof.ts (Node only):
 *
 *   1. POST /api/v1/claim/challenge  {gatewayId, clientNonce}
 *        → {nonce = clientNonce + serverNonce, salt, kdf}        the nonce is single use, 60 s
 *   2. POST /api/v1/claim/proof      {gatewayId, nonce, proof}
 *        proof = ClientKey XOR HMAC(StoredKey, authMessage)
 *        → waiting | issued {sealed credentials} | an error with a stable code
 *
 * The hub stores only StoredKey = H(ClientKey) and ServerKey (never the code, never ClientKey),
 * so reading its database does not let anyone produce a proof. A proof seen on the wire is bound
 * to a nonce the hub has already spent: replaying it is refused (CLAIM_NONCE_INVALID). The
 * credentials are sealed (AES-256-GCM) under a key derived from ClientKey, which only the holder
 * of the code and the hub can compute, so even over plain HTTP an eavesdropper learns no secret;
 * `serverSignature` lets the gateway check that the answer comes from the hub that knows its code.
 */
import { Type, type Static } from '@sinclair/typebox';
import { GATEWAY_ID_PATTERN } from './topics.js';

const GatewayId = Type.String({ pattern: GATEWAY_ID_PATTERN });

/** Endpoints of the claim channel (no session; rate limited; audited). */
export const CLAIM_CHALLENGE_PATH = '/api/v1/claim/challenge';
export const CLAIM_PROOF_PATH = '/api/v1/claim/proof';

/** scrypt cost of a claim code verifier (log2 N, r, p); the gateway derives with what it is told. */
export const ClaimKdfSchema = Type.Object(
  { log2N: Type.Integer(), r: Type.Integer(), p: Type.Integer() },
  { additionalProperties: false },
);
export type ClaimKdf = Static<typeof ClaimKdfSchema>;

/** Bounds a gateway accepts from the hub for the claim KDF (a hub cannot make it allocate GBs). */
export const CLAIM_KDF_LIMITS = { maxLog2N: 17, maxR: 16, maxP: 4 } as const;

const Base64 = (minLength: number, maxLength: number) =>
  Type.String({ pattern: '^[A-Za-z0-9+/_-]+={0,2}$', minLength, maxLength });

export const ClaimChallengeRequestSchema = Type.Object(
  {
    gatewayId: GatewayId,
    /** At least 128 random bits, base64. */
    clientNonce: Base64(22, 64),
  },
  { additionalProperties: false },
);
export type ClaimChallengeRequest = Static<typeof ClaimChallengeRequestSchema>;

export const ClaimChallengeResponseSchema = Type.Object(
  {
    gatewayId: Type.String(),
    /** clientNonce followed by the hub's own nonce; the proof must name exactly this. */
    nonce: Type.String(),
    /** base64 salt of the gateway's code verifier. */
    salt: Type.String(),
    kdf: ClaimKdfSchema,
    /** Seconds the nonce stays valid. */
    expiresInS: Type.Number(),
  },
  { additionalProperties: false },
);
export type ClaimChallengeResponse = Static<typeof ClaimChallengeResponseSchema>;

export const ClaimProofRequestSchema = Type.Object(
  {
    gatewayId: GatewayId,
    nonce: Base64(44, 160),
    /** base64 of the 32-byte proof. */
    proof: Base64(43, 44),
  },
  { additionalProperties: false },
);
export type ClaimProofRequest = Static<typeof ClaimProofRequestSchema>;

/** What the gateway receives, sealed, when it picks up its credentials. */
export interface ClaimedCredentials {
  gatewayId: string;
  /** MQTT username (= gateway id = client id). */
  username: string;
  password: string;
  /** Where the gateway connects, e.g. mqtts://hub.example:8883. */
  mqttUrl: string;
  homeId: string | null;
  issuedAt: number;
}

/** AES-256-GCM sealed box, all base64. */
export const SealedBoxSchema = Type.Object(
  { iv: Type.String(), data: Type.String(), tag: Type.String() },
  { additionalProperties: false },
);
export type SealedBox = Static<typeof SealedBoxSchema>;

export const ClaimProofResponseSchema = Type.Union([
  /** The code is right but no installer has claimed it yet: ask again after retryAfterS. */
  Type.Object(
    { state: Type.Literal('waiting'), serverSignature: Type.String(), retryAfterS: Type.Number() },
    { additionalProperties: false },
  ),
  /** Claimed: the gateway's own credentials, sealed for the holder of the code. */
  Type.Object(
    { state: Type.Literal('issued'), serverSignature: Type.String(), sealed: SealedBoxSchema },
    { additionalProperties: false },
  ),
]);
export type ClaimProofResponse = Static<typeof ClaimProofResponseSchema>;

/**
 * Stable error codes of the claim channel and the installer's claim (also ApiErrorCodes):
 * - CLAIM_CODE_INVALID  no gateway with that id and code (wrong code; unknown id looks the same);
 * - CLAIM_CODE_USED     the code has done its one job: claimed already / credentials picked up
 *                       and used;
 * - CLAIM_NONCE_INVALID the challenge is unknown, expired or already spent (a replayed proof);
 * - GATEWAY_DECOMMISSIONED the gateway was taken out of service: its credentials are revoked.
 */
export const CLAIM_ERROR_CODES = [
  'CLAIM_CODE_INVALID',
  'CLAIM_CODE_USED',
  'CLAIM_NONCE_INVALID',
  'GATEWAY_DECOMMISSIONED',
] as const;
export type ClaimErrorCode = (typeof CLAIM_ERROR_CODES)[number];
