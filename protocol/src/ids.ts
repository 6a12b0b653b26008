import { v7 as uuidv7 } from 'uuid';

/**
 * Random bytes fetched from the CSPRNG 4 KiB at a time. uuid's v7 asks `crypto.getRandomValues`
 * for 16 bytes per id, and that call costs about as much for 16 bytes as for 4 KiB: profiled in
 * the bench's load processes, 16 µs per id, 6 % of all their CPU (a gateway's append of 5 events
 * spent half its time there). Web Crypto, so the module stays usable in a browser.
 */
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let poolOffset = POOL_BYTES;
const random = new Uint8Array(16);

function random16(): Uint8Array {
  if (poolOffset + 16 > POOL_BYTES) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  random.set(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return random;
}

/**
 * The monotonic state uuid's v7 keeps when it draws its own randomness (RFC 9562 §6.2, method 1:
 * a counter in rand_a and the top of rand_b, seeded at random each new millisecond, incremented
 * within one, carrying into the millisecond when it wraps). With our own random bytes uuid takes
 * the time and counter as given, so the same rule lives here.
 */
let lastMs = -Infinity;
let counter = 0;

/**
 * uuid lays the id's bytes out here (its `buf` argument) instead of in a new Uint8Array, and
 * spellUuid writes their characters into one reused array and makes the string in one go: the
 * array and uuid's formatting (a string joined from 20 pieces) were a tenth of what bench
 * latency's load processes allocated at 10,000 msg/s.
 */
const idBytes = new Uint8Array(16);
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const DASH = 0x2d;
const idChars: number[] = new Array<number>(36).fill(DASH);

/** A UUID's 16 bytes as RFC 9562 §4 spells them: 8-4-4-4-12 lower-case hex digits. */
export function spellUuid(bytes: Uint8Array): string {
  let at = 0;
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) idChars[at++] = DASH;
    const byte = bytes[i] ?? 0;
    idChars[at++] = HEX_CODES[byte >> 4] ?? DASH;
    idChars[at++] = HEX_CODES[byte & 0x0f] ?? DASH;
  }
  return String.fromCharCode(...idChars);
}

/**
 * A new time-ordered event id (UUIDv7, RFC 9562 §5.7). Ids sort by creation time, so the hub and
 * the outbox can order and deduplicate without trusting a single clock; ids made in one process
 * within one millisecond still sort in the order they were made.
 */
export function newEventId(): string {
  const bytes = random16();
  const now = Date.now();
  if (now > lastMs) {
    // 31 random bits, as uuid seeds it (the top bit clear leaves room to count up).
    counter = (((bytes[6] ?? 0) & 0x7f) << 24) | ((bytes[7] ?? 0) << 16) | ((bytes[8] ?? 0) << 8);
    counter |= bytes[9] ?? 0;
    lastMs = now;
  } else {
    counter = (counter + 1) | 0;
    if (counter === 0) lastMs += 1;
  }
  uuidv7({ random: bytes, msecs: lastMs, seq: counter }, idBytes);
  return spellUuid(idBytes);
}
