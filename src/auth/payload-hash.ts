/**
 * The values `x-amz-content-sha256` may take: a hex SHA-256 of the body, UNSIGNED-PAYLOAD, or one
 * of the STREAMING-… values that announce an aws-chunked body.
 */
import { S3Error } from '../s3/s3-error.js';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_PAYLOAD_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_PAYLOAD_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
/** SigV4a streaming: valid values for S3, but this emulator only verifies HMAC signatures. */
export const STREAMING_ECDSA_PAYLOADS: readonly string[] = [
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
];

export type StreamingMode =
  | typeof STREAMING_SIGNED_PAYLOAD
  | typeof STREAMING_SIGNED_PAYLOAD_TRAILER
  | typeof STREAMING_UNSIGNED_PAYLOAD_TRAILER;

const STREAMING_MODES: readonly string[] = [
  STREAMING_SIGNED_PAYLOAD,
  STREAMING_SIGNED_PAYLOAD_TRAILER,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
];

/** S3's own wording, listing every value it accepts. */
const INVALID_PAYLOAD_HASH_MESSAGE =
  'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, ' +
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, ' +
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER ' +
  'or a valid sha256 value.';

export function isSha256Hex(value: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(value);
}

export function streamingMode(payloadHash: string): StreamingMode | undefined {
  return isStreamingMode(payloadHash) ? payloadHash : undefined;
}

function isStreamingMode(value: string): value is StreamingMode {
  return STREAMING_MODES.includes(value);
}

/** Throws S3's InvalidArgument unless `value` is one of the accepted payload hashes. */
export function assertValidPayloadHash(value: string): void {
  const valid =
    isSha256Hex(value) ||
    value === UNSIGNED_PAYLOAD ||
    isStreamingMode(value) ||
    STREAMING_ECDSA_PAYLOADS.includes(value);
  if (!valid) {
    throw new S3Error('InvalidArgument', INVALID_PAYLOAD_HASH_MESSAGE, {
      ArgumentName: 'x-amz-content-sha256',
      ArgumentValue: value,
    });
  }
}
