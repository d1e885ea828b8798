// Identifiers and secrets. Randomness is injected so that tests can fix it.
import { createHash, randomBytes } from 'node:crypto';

export type RandomBytes = (size: number) => Buffer;

// Crockford base32: no I, L, O, U — easy to read out on the phone and to type in chat.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function encode(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % 32];
  return out;
}

export interface IdSource {
  /** A short id staff can type: 8 characters, e.g. 'K7M2Q9XA'. */
  shortId(): string;
  /** A time-ordered id for rows listed by age (audit, outbox). */
  sortableId(now: number): string;
  /** A secret token, base64url, 256 bits. */
  secret(): string;
  /** n decimal digits. */
  digits(n: number): string;
}

/** Random bytes drawn from a 4 KiB block at a time: an id does not cost a call into the system's generator. */
function pooledRandomBytes(): RandomBytes {
  let pool = Buffer.alloc(0);
  let at = 0;
  return (size) => {
    if (size > 256) return randomBytes(size);
    if (at + size > pool.length) {
      pool = randomBytes(4096);
      at = 0;
    }
    const out = Buffer.from(pool.subarray(at, at + size));
    at += size;
    return out;
  };
}

export function createIdSource(random: RandomBytes = pooledRandomBytes()): IdSource {
  let lastTime = 0;
  let sequence = 0;
  return {
    shortId: () => encode(random(8), 8),
    // Time, then a per-process sequence (so rows made in the same millisecond keep their order), then randomness.
    sortableId: (now) => {
      sequence = now === lastTime ? sequence + 1 : 0;
      lastTime = now;
      return `${now.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(4, '0')}${encode(random(8), 8)}`;
    },
    secret: () => random(32).toString('base64url'),
    digits: (n) => {
      const b = random(n);
      let s = '';
      for (let i = 0; i < n; i++) s += String(b[i]! % 10);
      return s;
    },
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
