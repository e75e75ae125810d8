/**
 * The fuzzing harness: one real emulator per test file (HTTP on 127.0.0.1, a data dir inside a
 * fresh temp dir), raw requests over a socket (so that any byte the properties make reaches the
 * server exactly as made: NUL, CR, invalid UTF-8, `..`), SigV4 signing of those raw requests, and
 * the invariant every input must keep.
 *
 * Budget: FUZZ_SECONDS (default 60, what `npm test` runs) is shared by the properties of all the
 * files (FUZZ_PROPERTIES of them); FUZZ_SEED (and FUZZ_PATH) replays a run; each property prints its
 * inputs and time. FUZZ_COLLECT=1 lists every kind of failure instead of stopping at the first.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect } from 'vitest';
import { startEmulator, type BucketEnv, type Emulator } from '../../src/index.js';
import { formatAmzDate } from '../../src/auth/amz-date.js';
import { buildCanonicalRequest } from '../../src/auth/canonical-request.js';
import { SIGV4_ALGORITHM, cachedSigningKey, credentialScope, signatureHex, stringToSign } from '../../src/auth/sigv4-crypto.js';
import { S3Error, type S3ErrorCode } from '../../src/s3/s3-error.js';
import { climbsAboveBucket } from '../../src/http/resolve.js';

/** The HTTP status of a catalogued error code (the catalogue is S3Error's); undefined for any other code. */
function statusOfErrorCode(code: string): number | undefined {
  try {
    return new S3Error(code as S3ErrorCode).status;
  } catch {
    return undefined;
  }
}

/** How many properties share FUZZ_SECONDS (the `it`s under test/fuzz/). */
const FUZZ_PROPERTIES = 11;
const totalSeconds = Number(process.env.FUZZ_SECONDS ?? 60);
/** Whether this is the long run (`npm run fuzz`): then only the time limit stops a property. */
const longRun = process.env.FUZZ_SECONDS !== undefined;

/** A request that gets no complete answer in this long hangs. */
const HANG_MS = 10_000;
/** After every input, the server must still answer a HEAD within this. */
const ALIVE_MS = 1_000;

export const BUCKET = 'fuzz-bucket';

export interface FuzzTarget {
  emulator: Emulator;
  env: BucketEnv;
  port: number;
  /** The temp dir holding the data dir: nothing else may appear in it. */
  parent: string;
}

/** Starts one emulator for the file (fresh temp parent, data dir inside it); stopped after the file. */
export function fuzzTarget(): FuzzTarget {
  const target = {} as FuzzTarget;
  let cwdBefore: string[];
  beforeAll(async () => {
    target.parent = mkdtempSync(join(tmpdir(), 'smll-fuzz-'));
    target.emulator = await startEmulator({ buckets: [BUCKET, 'other-bucket'], dataDir: join(target.parent, 'data') });
    target.env = target.emulator.env(BUCKET);
    target.port = target.emulator.port;
    cwdBefore = readdirSync(process.cwd()).sort();
  });
  afterAll(async () => {
    await target.emulator?.stop();
    if (target.parent) rmSync(target.parent, { recursive: true, force: true });
    // A key such as `../x` must not have become a file next to the project either.
    expect(readdirSync(process.cwd()).sort()).toEqual(cwdBefore);
  });
  return target;
}

export interface RawResponse {
  status: number;
  /** Lower-case names; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends `request` as is on a new connection and reads one response (the request says Connection: close). */
export function exchange(port: number, request: Buffer, method: string, timeoutMs = HANG_MS): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      const response = parseResponse(received, method, !error);
      if (response) {
        done = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(response);
      } else if (error) {
        done = true;
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      }
    };
    const timer = setTimeout(
      () => finish(new Error(`hang: no complete response within ${timeoutMs} ms (got ${JSON.stringify(received.subarray(0, 200).toString('latin1'))})`)),
      timeoutMs,
    );
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      finish();
    });
    // The server may answer before reading the whole body and close: a write error after a complete answer is fine.
    socket.on('error', (err) => finish(new Error(`reset before a complete response: ${err.message}`)));
    socket.on('end', () => finish(new Error(`connection closed before a complete response (got ${JSON.stringify(received.subarray(0, 200).toString('latin1'))})`)));
    socket.write(request);
  });
}

/** One HTTP/1.1 response from the start of `data`, or undefined while it is incomplete. */
function parseResponse(data: Buffer, method: string, open: boolean): RawResponse | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const [statusLine, ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) throw new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`);
  // An interim response (100 Continue) comes before the real one.
  if (status < 200) return parseResponse(data.subarray(headEnd + 4), method, open);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(headEnd + 4);
  if (method === 'HEAD' || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const body: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', offset);
      if (lineEnd === -1) return undefined;
      const size = parseInt(rest.subarray(offset, lineEnd).toString('latin1'), 16);
      if (size === 0) return rest.indexOf('\r\n', lineEnd + 2) === -1 ? undefined : { status, headers, body: Buffer.concat(body) };
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      body.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
    }
  }
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    return rest.length >= length ? { status, headers, body: rest.subarray(0, length) } : undefined;
  }
  return open ? undefined : { status, headers, body: rest };
}

/** `METHOD path HTTP/1.1`, the headers (values written as latin1 bytes: one char, one byte) and the body. */
export function rawRequest(method: string, path: string, headers: [string, string][], body: Buffer = Buffer.alloc(0)): Buffer {
  const head = [`${method} ${path} HTTP/1.1`, ...headers.map(([name, value]) => `${name}: ${value}`), '', ''].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

export interface SignedRequestInput {
  method: string;
  /** As sent on the wire: percent-encoded as the property chose. */
  rawPath: string;
  rawQuery?: string;
  /** Extra headers, signed too; values are latin1 text (one char per byte sent). */
  headers?: Record<string, string>;
  body?: Buffer;
  /** x-amz-content-sha256; default: the body's real SHA-256. */
  payloadHash?: string;
}

export interface SignedRaw {
  bytes: Buffer;
  /** What `bytes` is made of, to send a mutation of it with rawRequest. */
  path: string;
  headers: [string, string][];
  /** For chunk signatures: the seed signature and what they chain from. */
  signature: string;
  amzDate: string;
  scope: string;
  signingKey: Buffer;
}

/**
 * A raw request with a valid SigV4 Authorization header (the project's canonical request, over the
 * raw path and query exactly as sent): what reaches the parsers behind authentication. Adds
 * Content-Length and Connection: close.
 */
export function signedRaw(target: FuzzTarget, input: SignedRequestInput): SignedRaw {
  const body = input.body ?? Buffer.alloc(0);
  const amzDate = formatAmzDate(new Date());
  const scope = credentialScope(amzDate.slice(0, 8), target.env.S3_REGION);
  const headers: Record<string, string> = { host: `127.0.0.1:${target.port}` };
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['x-amz-date'] = amzDate;
  headers['x-amz-content-sha256'] = input.payloadHash ?? createHash('sha256').update(body).digest('hex');
  const signedHeaders = Object.keys(headers).sort();
  const canonical = buildCanonicalRequest({
    method: input.method,
    rawPath: input.rawPath,
    rawQuery: input.rawQuery ?? '',
    headers,
    signedHeaders,
    payloadHash: headers['x-amz-content-sha256'],
  });
  const signingKey = cachedSigningKey(target.env.S3_SECRET_KEY, amzDate.slice(0, 8), target.env.S3_REGION);
  const signature = signatureHex(signingKey, stringToSign(amzDate, scope, canonical));
  const authorization = `${SIGV4_ALGORITHM} Credential=${target.env.S3_ACCESS_KEY}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  const path = input.rawQuery ? `${input.rawPath}?${input.rawQuery}` : input.rawPath;
  const sent: [string, string][] = [...Object.entries(headers), ['authorization', authorization], ['content-length', String(body.length)], ['connection', 'close']];
  return { bytes: rawRequest(input.method, path, sent, body), path, headers: sent, signature, amzDate, scope, signingKey };
}

/** Sends a signed raw request and checks the invariant on its answer. */
export async function sendSigned(target: FuzzTarget, input: SignedRequestInput): Promise<RawResponse> {
  return checkedExchange(target, signedRaw(target, input).bytes, input.method);
}

/** Sends raw bytes and checks the invariant on the answer (see assertInvariant). */
export async function checkedExchange(target: FuzzTarget, request: Buffer, method: string): Promise<RawResponse> {
  const response = await exchange(target.port, request, method);
  const path = /^\S+ (\S+)/.exec(request.subarray(0, 8192).toString('latin1'))?.[1];
  assertS3Answer(response, method, path);
  return response;
}

/**
 * Whether a path-style request path's key climbs above its bucket with `..` segments (percent-
 * encoded dots and slashes included), by the resolve stage's own count: S3 answers such a path
 * with a bare 400 and no error document (the dot-segment tests name the sources).
 */
function pathClimbsAboveBucket(path: string): boolean {
  const rawKey = path.split('?')[0]!.split('/').slice(2).join('/');
  try {
    return climbsAboveBucket(decodeURIComponent(rawKey));
  } catch {
    return false;
  }
}

/**
 * A success (2xx, 3xx), or an S3 error document whose code is in the catalogue with that code's
 * status (a HEAD carries no body; a path climbing above its bucket gets S3's bare 400). Never a 500.
 */
export function assertS3Answer(response: RawResponse, method: string, path?: string): void {
  const { status, body } = response;
  if (status === 400 && body.length === 0 && path !== undefined && pathClimbsAboveBucket(path)) return;
  if (status >= 500 && status !== 501) throw new Error(`answered ${status}: ${body.toString('utf8').slice(0, 500)}`);
  // 2xx, 304, and the 303 of a form's success_action_redirect are successes.
  if (status < 400) return;
  if (method === 'HEAD') return;
  const text = body.toString('utf8');
  const code = /<Error>\s*<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  if (code === undefined) throw new Error(`status ${status} without an S3 error document: ${JSON.stringify(text.slice(0, 300))}`);
  const expected = statusOfErrorCode(code);
  if (expected === undefined) throw new Error(`unknown error code ${code} (status ${status})`);
  if (expected !== status) throw new Error(`${code} answered with ${status}, the catalogue says ${expected}`);
}

/** The server still answers (a HEAD of the bucket, unsigned: 403) within 1 s, and wrote nothing next to its data dir. */
export async function assertStillServing(target: FuzzTarget): Promise<void> {
  const head = rawRequest('HEAD', `/${BUCKET}`, [['host', `127.0.0.1:${target.port}`], ['connection', 'close']]);
  const response = await exchange(target.port, head, 'HEAD', ALIVE_MS);
  if (response.status >= 500) throw new Error(`HEAD after the input answered ${response.status}`);
  const beside = readdirSync(target.parent);
  if (beside.length !== 1 || beside[0] !== 'data') throw new Error(`written outside the data dir: ${beside.join(', ')}`);
}

/**
 * Runs one property under the shared budget: a bounded count and time in `npm test`, the time
 * alone in `npm run fuzz`. Prints inputs tried and seconds; a failure names seed and path to replay.
 */
export async function fuzz<Ts extends [unknown, ...unknown[]]>(
  name: string,
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  predicate: (...args: Ts) => Promise<void>,
  runs = 2000,
): Promise<void> {
  const seconds = totalSeconds / FUZZ_PROPERTIES;
  const seed = process.env.FUZZ_SEED === undefined ? Date.now() ^ (Math.random() * 0x100000000) : Number(process.env.FUZZ_SEED);
  // FUZZ_COLLECT=1 (exploring): record every failing input, grouped by what went wrong, instead of stopping at the first.
  const collected = new Map<string, { count: number; input: unknown[] }>();
  const collecting = process.env.FUZZ_COLLECT !== undefined;
  const checked = collecting
    ? async (...args: Ts) => {
        try {
          await predicate(...args);
        } catch (err) {
          const kind = String((err as Error).message).replace(/\d+/g, 'N').slice(0, 120);
          const entry = collected.get(kind) ?? { count: 0, input: args };
          entry.count++;
          collected.set(kind, entry);
        }
      }
    : predicate;
  const property = fc.asyncProperty(...arbitraries, checked);
  const started = performance.now();
  const details = await fc.check(property, {
    seed,
    path: process.env.FUZZ_PATH,
    numRuns: longRun ? Number.MAX_SAFE_INTEGER : runs,
    interruptAfterTimeLimit: seconds * 1000,
    markInterruptAsFailure: false,
    endOnFailure: process.env.FUZZ_SHRINK === undefined,
  });
  const elapsed = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`fuzz ${name}: ${details.numRuns} inputs in ${elapsed} s (seed ${details.seed})`);
  for (const [kind, { count, input }] of collected) console.log(`  ${count}× ${kind}\n     e.g. ${fc.stringify(input)}`);
  if (details.failed) {
    throw new Error(
      `fuzz ${name} failed; replay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath} npx vitest run test/fuzz\n` +
        `${fc.defaultReportMessage(details)}\n${String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance)}`,
    );
  }
}

/** Bytes as a path or query component: unreserved ones as is, every other byte percent-encoded. */
export function percentEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Text that stresses parsers: control characters, NUL, latin1, astral UTF-16, lone surrogates, long runs. */
export const hostileText = (maxLength = 64): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: fc.constantFrom('\0', '\r', '\n', '\t', '\x7f', '\x1b', ' ', '"', "'", '<', '&', '%', '/', '.', '\u00e9', '\u65e5', '\ud800', '\ufffd'), maxLength }),
    fc.constantFrom('', ' ', '..', '../..', '%00', '%ff', '&#13;', '&amp;#13;', 'a'.repeat(1025), '\u00ff'.repeat(9)),
  );

/** Header-value text Node's parser lets through (tab, printable ASCII, bytes 0x80–0xFF as latin1 chars), trimmed as Node trims it. */
export const headerText = (maxLength = 64): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.string({ maxLength }),
      fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength }),
      fc.constantFrom('', '\t', ' x ', '"', 'attachment; filename="\u00e6\u0097\u00a5.pdf"', 'a'.repeat(2100)),
    )
    .map((value) => value.replace(/^[ \t]+|[ \t]+$/g, ''));
