/**
 * The values `x-amz-content-sha256` may take, and what each says about the payload: a hex SHA-256
 * of the body, UNSIGNED-PAYLOAD, or one of the STREAMING-… values that announce an aws-chunked body
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
 */
import { S3Error } from '../s3/s3-error.js';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_PAYLOAD_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_PAYLOAD_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
/** SigV4a streaming: valid values for S3, but this emulator only verifies HMAC signatures. */
const STREAMING_ECDSA_PAYLOADS: readonly string[] = [
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
];

/** The aws-chunked framings this emulator decodes. */
export type StreamingMode =
  | typeof STREAMING_SIGNED_PAYLOAD
  | typeof STREAMING_SIGNED_PAYLOAD_TRAILER
  | typeof STREAMING_UNSIGNED_PAYLOAD_TRAILER;

const STREAMING_MODES: Readonly<Record<StreamingMode, { signed: boolean; trailer: boolean }>> = {
  [STREAMING_SIGNED_PAYLOAD]: { signed: true, trailer: false },
  [STREAMING_SIGNED_PAYLOAD_TRAILER]: { signed: true, trailer: true },
  [STREAMING_UNSIGNED_PAYLOAD_TRAILER]: { signed: false, trailer: true },
};

/** What x-amz-content-sha256 says about the payload. */
export type PayloadMode =
  /** The body as sent, whose SHA-256 (lower-case hex) must match. */
  | { kind: 'sha256'; sha256: string }
  /** UNSIGNED-PAYLOAD: the body as sent, not hashed. */
  | { kind: 'unsigned' }
  /**
   * An aws-chunked body: `framing` is the value itself; `signed`: each chunk (and the trailer)
   * carries a signature chained from the seed signature; `trailer`: trailing headers follow the
   * last chunk.
   */
  | { kind: 'streaming'; framing: StreamingMode; signed: boolean; trailer: boolean };

/** S3's own wording, listing every value it accepts. */
const INVALID_PAYLOAD_HASH_MESSAGE =
  'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, ' +
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, ' +
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER ' +
  'or a valid sha256 value.';

export function isSha256Hex(value: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(value);
}

function isStreamingMode(value: string): value is StreamingMode {
  return Object.hasOwn(STREAMING_MODES, value);
}

/**
 * Throws S3's InvalidArgument unless `value` is one S3 accepts. The authenticate stage checks this
 * before the signature; that a valid value is one this emulator cannot decode (SigV4a streaming) is
 * the body stage's answer, given only to a request that got that far.
 */
export function assertValidPayloadHash(value: string): void {
  const valid = isSha256Hex(value) || value === UNSIGNED_PAYLOAD || isStreamingMode(value) || STREAMING_ECDSA_PAYLOADS.includes(value);
  if (!valid) {
    throw new S3Error('InvalidArgument', INVALID_PAYLOAD_HASH_MESSAGE, {
      ArgumentName: 'x-amz-content-sha256',
      ArgumentValue: value,
    });
  }
}

/**
 * The payload mode an x-amz-content-sha256 value names.
 * @throws S3Error InvalidArgument for a value S3 does not accept; NotImplemented (naming the
 *   header) for SigV4a streaming, which needs ECDSA chunk signatures this emulator does not verify.
 */
export function parsePayloadMode(value: string): PayloadMode {
  if (value === UNSIGNED_PAYLOAD) return { kind: 'unsigned' };
  if (isSha256Hex(value)) return { kind: 'sha256', sha256: value.toLowerCase() };
  if (isStreamingMode(value)) return { kind: 'streaming', framing: value, ...STREAMING_MODES[value] };
  assertValidPayloadHash(value);
  throw new S3Error('NotImplemented', undefined, { Header: 'x-amz-content-sha256' });
}
