/**
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) in JS, for the two hashes every SigV4 request
 * takes: the canonical request's and the signature's. node:crypto makes a C++ hash object per call
 * and goes through OpenSSL's algorithm lookup; under load that cost a HEAD about 30 µs of CPU
 * (server CPU per HEAD 141 → 115 µs with both skipped, in an experiment), ten times what a loop of
 * the same calls costs in a benchmark. A few hundred bytes hashed here cost a few µs either way.
 *
 * Input is a byte string (one char per byte, as canonical-request.ts makes it): each char's low
 * 8 bits are hashed, as Buffer.from(text, 'latin1') would give them.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL_STATE = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** The message schedule, reused by every call (JS runs one call at a time). */
const schedule = new Int32Array(64);

/** One compression of the 16 words in schedule[0..15] into `state`. */
function compress(state: Int32Array): void {
  const w = schedule;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15];
    const y = w[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = state[0];
  let b = state[1];
  let c = state[2];
  let d = state[3];
  let e = state[4];
  let f = state[5];
  let g = state[6];
  let h = state[7];
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0;
  state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0;
  state[7] = (state[7] + h) | 0;
}

/** The byte at `index` of the byte string: the char's low 8 bits (Latin-1). */
function byteAt(text: string, index: number): number {
  return text.charCodeAt(index) & 0xff;
}

/**
 * Hashes `text` into `state`, which has already taken `done` bytes (a multiple of 64: the HMAC
 * key block), padding included: `state` is then the digest.
 */
function hashInto(state: Int32Array, done: number, text: string): void {
  const w = schedule;
  const length = text.length;
  let offset = 0;
  for (; offset + 64 <= length; offset += 64) {
    for (let j = 0; j < 16; j++) {
      const p = offset + j * 4;
      w[j] = (byteAt(text, p) << 24) | (byteAt(text, p + 1) << 16) | (byteAt(text, p + 2) << 8) | byteAt(text, p + 3);
    }
    compress(state);
  }
  // The rest, 0x80, zeros, and the message's length in bits as a 64-bit big-endian number: one
  // block, or two when the rest leaves no room for the 9 bytes.
  const rest = length - offset;
  const blocks = rest + 9 <= 64 ? 1 : 2;
  const bits = (done + length) * 8;
  for (let block = 0; block < blocks; block++) {
    for (let j = 0; j < 16; j++) {
      let word = 0;
      for (let k = 0; k < 4; k++) {
        const at = block * 64 + j * 4 + k;
        const byte = at < rest ? byteAt(text, offset + at) : at === rest ? 0x80 : 0;
        word = (word << 8) | byte;
      }
      w[j] = word;
    }
    if (block === blocks - 1) {
      w[14] = Math.floor(bits / 0x100000000);
      w[15] = bits | 0;
    }
    compress(state);
  }
}

const HEX = '0123456789abcdef';

function hexOf(state: Int32Array): string {
  let hex = '';
  for (let i = 0; i < 8; i++) {
    const word = state[i];
    for (let shift = 28; shift >= 0; shift -= 4) hex += HEX[(word >>> shift) & 15];
  }
  return hex;
}

/** SHA-256 of a byte string's bytes, as lower-case hex. */
export function sha256HexOfBytes(text: string): string {
  const state = INITIAL_STATE.slice();
  hashInto(state, 0, text);
  return hexOf(state);
}

/** An HMAC-SHA256 key, with its inner and outer key blocks already hashed. */
export interface HmacKey {
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}

/** The HMAC key of `key` (at most 64 bytes: a SigV4 signing key is 32). */
export function hmacKey(key: Uint8Array): HmacKey {
  if (key.length > 64) throw new Error('hmacKey takes keys of at most 64 bytes');
  const inner = INITIAL_STATE.slice();
  const outer = INITIAL_STATE.slice();
  for (const [state, pad] of [
    [inner, 0x36],
    [outer, 0x5c],
  ] as const) {
    for (let j = 0; j < 16; j++) {
      let word = 0;
      for (let k = 0; k < 4; k++) word = (word << 8) | ((j * 4 + k < key.length ? key[j * 4 + k] : 0) ^ pad);
      schedule[j] = word;
    }
    compress(state);
  }
  return { inner, outer };
}

/** HMAC-SHA256 of a byte string's bytes under `key`: the digest's 8 words, big-endian. */
function hmacWords(key: HmacKey, text: string): Int32Array {
  const inner = key.inner.slice();
  hashInto(inner, 64, text);
  const outer = key.outer.slice();
  schedule.set(inner, 0);
  schedule[8] = 0x80000000 | 0;
  schedule.fill(0, 9, 15);
  schedule[15] = (64 + 32) * 8;
  compress(outer);
  return outer;
}

/** The value of a hex digit's char code (either case), or -1. */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/**
 * Whether `signature` is the hex (either case) of the HMAC-SHA256 of `text` under `key`. Every
 * digit is compared, whatever the first difference: the time taken says nothing of where it is.
 */
export function hmacMatchesHex(key: HmacKey, text: string, signature: string): boolean {
  if (signature.length !== 64) return false;
  const words = hmacWords(key, text);
  let difference = 0;
  for (let i = 0; i < 64; i++) {
    // A char that is not a hex digit gives -1, which differs from every nibble.
    difference |= hexDigit(signature.charCodeAt(i)) ^ ((words[i >> 3] >>> (28 - 4 * (i & 7))) & 15);
  }
  return difference === 0;
}
