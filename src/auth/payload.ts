/**
 * The "decode body" stage, the one owner of the body contract: the payload mode
 * (x-amz-content-sha256), the declared length (Content-Length, or x-amz-decoded-content-length for
 * aws-chunked) against S3's 5 GiB limit, and the requested checksum. It strips aws-chunked framing
 * and verifies everything the request says about its payload while the bytes stream through,
 * hashing each chunk once for all of them.
 *
 * Header problems throw synchronously from decodeBody. Body problems are emitted as an S3Error on
 * the stream in place of its end, so a consumer that commits only on 'end' never commits a bad body.
 */
import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { S3Error, isS3Error } from '../s3/s3-error.js';
import { MAX_PUT_BYTES } from '../s3/limits.js';
import { AwsChunkedDecoder } from './aws-chunked.js';
import { checksumAlgorithmOfHeader, createChecksum, isChecksumValue, type Checksum, type ChecksumAlgorithm } from './checksums.js';
import { UNSIGNED_PAYLOAD, parsePayloadMode } from './payload-mode.js';
import { announcedTrailers, requestedChecksum, type RequestedChecksum } from './requested-checksum.js';
import type { Authentication } from './types.js';

export interface DecodedBodyResult {
  size: number;
  /** MD5 of the payload: the ETag. */
  md5: Buffer;
  /**
   * The flexible checksum the request named (verified when it gave a value), else the
   * `defaultChecksum` asked for, computed in the same pass; base64.
   */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

/** What an operation's body is to the body stage; the operation table's row says it (same field names). */
export interface BodyContract {
  /**
   * The algorithm to compute when the request names no checksum: S3 stores a CRC64NVME for an
   * object uploaded without one (PutObject, PostObject).
   */
  defaultChecksum?: ChecksumAlgorithm;
  /**
   * What the request's `x-amz-checksum-<algorithm>` headers give the checksum of: this request's
   * payload, verified here (the default), or the object being made (CompleteMultipartUpload), which
   * is the operation's to check: the body stage then leaves them alone.
   */
  checksumHeaders?: 'payload' | 'object';
  /** The request must declare its payload's length, else MissingContentLength (PutObject, UploadPart). */
  lengthRequired?: boolean;
}

export interface DecodedBody {
  /** Payload bytes; if any verification fails it emits an S3Error instead of ending. */
  stream: Readable;
  /** The flexible checksum the request names for its payload (in a header or a trailer), which the stream verifies. */
  requestedChecksum?: RequestedChecksum;
  /** The payload's length the request declared (Content-Length, or x-amz-decoded-content-length for aws-chunked), which the stream enforces. */
  declaredLength?: number;
  /** Valid once the stream has ended. */
  result(): DecodedBodyResult;
}

/**
 * The body stage: checks what the headers say about the payload, then returns the payload as a
 * stream that verifies it. `auth` undefined: an anonymous request (only unsigned framings).
 * @throws S3Error, in S3's order: InvalidArgument/NotImplemented (x-amz-content-sha256, see
 *   parsePayloadMode), InvalidDigest (Content-MD5), MalformedTrailerError, InvalidRequest (checksum
 *   headers), InvalidArgument (a declared length that is not a number), EntityTooLarge (over
 *   MAX_PUT_BYTES), AccessDenied (an anonymous signed aws-chunked body), MissingContentLength.
 */
export function decodeBody(raw: Readable, auth: Authentication | undefined, headers: IncomingHttpHeaders, contract: BodyContract = {}): DecodedBody {
  const mode = parsePayloadMode(auth?.payloadHash ?? anonymousPayloadHash(headers));
  const streaming = mode.kind === 'streaming' ? mode : undefined;
  const contentMd5 = parseContentMd5(headers);
  const trailers = announcedTrailers(headers);
  // Only the trailer framings have a trailer section; an announced trailer that cannot arrive is malformed.
  if (trailers.length > 0 && !streaming?.trailer) throw new S3Error('MalformedTrailerError');
  const checksum = requestedChecksum(contract.checksumHeaders === 'object' ? withoutChecksumValueHeaders(headers) : headers, trailers);

  const declaredLength = declaredPayloadLength(headers, streaming !== undefined);
  if (declaredLength !== undefined && declaredLength > MAX_PUT_BYTES) throw entityTooLarge(declaredLength);
  if (streaming?.signed && !auth) throw new S3Error('AccessDenied');
  if (declaredLength === undefined && contract.lengthRequired) throw new S3Error('MissingContentLength');

  const decoder =
    streaming &&
    new AwsChunkedDecoder({
      mode: streaming.framing,
      signing: auth && auth.kind !== 'sigv2' && auth.kind !== 'console' ? {
        accessKeyId: auth.accessKeyId,
        signingKey: auth.signingKey,
        amzDate: auth.amzDate,
        scope: auth.scope,
        seedSignature: auth.signature,
      } : undefined,
      announcedTrailers: trailers,
      decodedContentLength: declaredLength,
    });
  const verifier = new PayloadVerifier({
    expectedSha256: mode.kind === 'sha256' ? mode.sha256 : undefined,
    contentMd5,
    checksum,
    defaultChecksum: checksum ? undefined : contract.defaultChecksum,
    // aws-chunked lengths are checked by the decoder, against the decoded length.
    contentLength: streaming ? undefined : declaredLength,
    trailers: decoder,
  });
  connect(raw, decoder, verifier);
  // The body starts flowing before the operation reads it, and an operation may refuse the
  // request without reading it at all: a verification error must then not go unheard (an
  // 'error' with no listener would end the process). Readers still get it: the stream is
  // destroyed with that error.
  verifier.on('error', () => {});
  return { stream: verifier, requestedChecksum: checksum, declaredLength, result: () => verifier.result() };
}

/** Without credentials there is nothing signed; the header, if any, still says how the body is framed. */
function anonymousPayloadHash(headers: IncomingHttpHeaders): string {
  const header = headers['x-amz-content-sha256'];
  return (Array.isArray(header) ? header[0] : header) ?? UNSIGNED_PAYLOAD;
}

/** The headers without the `x-amz-checksum-<algorithm>` values (x-amz-checksum-type/-mode are not values). */
function withoutChecksumValueHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => checksumAlgorithmOfHeader(name) === undefined));
}

/** Content-MD5 must be base64 of exactly 16 bytes. */
function parseContentMd5(headers: IncomingHttpHeaders): Buffer | undefined {
  const value = headers['content-md5'];
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value[0] ?? '' : value;
  const digest = Buffer.from(text, 'base64');
  if (digest.length !== 16 || digest.toString('base64') !== text) {
    throw new S3Error('InvalidDigest', undefined, { 'Content-MD5': text });
  }
  return digest;
}

/** x-amz-decoded-content-length for aws-chunked bodies, Content-Length otherwise; undefined when not sent. */
function declaredPayloadLength(headers: IncomingHttpHeaders, chunked: boolean): number | undefined {
  const name = chunked ? 'x-amz-decoded-content-length' : 'content-length';
  const header = headers[name];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new S3Error('InvalidArgument', undefined, { ArgumentName: name, ArgumentValue: value });
  return Number(value);
}

function entityTooLarge(proposedSize: number): S3Error {
  return new S3Error('EntityTooLarge', undefined, { ProposedSize: proposedSize, MaxSizeAllowed: MAX_PUT_BYTES });
}

/**
 * raw → [decoder] → verifier. Errors of the earlier streams end the verifier with an S3Error; a
 * source that fails or closes early (the client went away) is IncompleteBody. The source itself is
 * left to its owner: destroying an IncomingMessage would take the socket, and the error response, with it.
 */
function connect(raw: Readable, decoder: AwsChunkedDecoder | undefined, verifier: PayloadVerifier): void {
  const first = decoder ?? verifier;
  const fail = (err: unknown) => {
    raw.unpipe(first);
    decoder?.unpipe(verifier);
    verifier.destroy(isS3Error(err) ? err : new S3Error('IncompleteBody'));
  };
  raw.on('error', fail);
  raw.once('close', () => {
    if (!raw.readableEnded) fail(undefined);
  });
  if (decoder) {
    decoder.on('error', fail);
    decoder.pipe(verifier);
  }
  raw.pipe(first);
}

interface PayloadExpectations {
  /** Lower-case hex, when x-amz-content-sha256 is a hash. */
  expectedSha256?: string;
  contentMd5?: Buffer;
  checksum?: RequestedChecksum;
  /** Computed, not verified, when the request names no checksum. */
  defaultChecksum?: ChecksumAlgorithm;
  contentLength?: number;
  /** Where a trailing checksum comes from, once the body has been read. */
  trailers?: { readonly trailers: ReadonlyMap<string, string> };
}

/** Passes the payload through, hashing each chunk once for every digest, and checks them all at the end. */
class PayloadVerifier extends Transform {
  private readonly expectations: PayloadExpectations;
  private readonly md5: Hash = createHash('md5');
  private readonly sha256: Hash | undefined;
  private readonly checksum: Checksum | undefined;
  private size = 0;
  private verified: DecodedBodyResult | undefined;

  constructor(expectations: PayloadExpectations) {
    super();
    this.expectations = expectations;
    this.sha256 = expectations.expectedSha256 === undefined ? undefined : createHash('sha256');
    const algorithm = expectations.checksum?.algorithm ?? expectations.defaultChecksum;
    this.checksum = algorithm && createChecksum(algorithm);
  }

  result(): DecodedBodyResult {
    if (!this.verified) throw new Error('decodeBody: result() is only valid once the stream has ended');
    return this.verified;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > MAX_PUT_BYTES) {
      callback(entityTooLarge(this.size));
      return;
    }
    this.md5.update(chunk);
    this.sha256?.update(chunk);
    this.checksum?.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.verify().then(
      (result) => {
        this.verified = result;
        callback();
      },
      (err: unknown) => callback(err as Error),
    );
  }

  /** In S3's order: the length, the signed SHA-256, Content-MD5, then the flexible checksum. */
  private async verify(): Promise<DecodedBodyResult> {
    const { expectedSha256, contentMd5, contentLength } = this.expectations;
    if (contentLength !== undefined && this.size !== contentLength) throw new S3Error('IncompleteBody');
    if (this.sha256 && expectedSha256 !== undefined) {
      const computed = this.sha256.digest('hex');
      if (computed !== expectedSha256) {
        throw new S3Error('XAmzContentSHA256Mismatch', undefined, {
          ClientComputedContentSHA256: expectedSha256,
          S3ComputedContentSHA256: computed,
        });
      }
    }
    const md5 = this.md5.digest();
    if (contentMd5 && !md5.equals(contentMd5)) {
      throw new S3Error('BadDigest', undefined, {
        ExpectedDigest: contentMd5.toString('base64'),
        CalculatedDigest: md5.toString('base64'),
      });
    }
    return { size: this.size, md5, checksum: await this.verifyChecksum() };
  }

  private async verifyChecksum(): Promise<DecodedBodyResult['checksum']> {
    const { checksum: requested, defaultChecksum } = this.expectations;
    if (!this.checksum) return undefined;
    if (!requested) return defaultChecksum && { algorithm: defaultChecksum, value: await this.checksum.digestBase64() };
    let expected = requested.headerValue;
    if (expected === undefined) {
      expected = this.expectations.trailers?.trailers.get(requested.headerName);
      if (expected === undefined) throw new S3Error('MalformedTrailerError');
      if (!isChecksumValue(requested.algorithm, expected)) {
        throw new S3Error('InvalidRequest', `Value for ${requested.headerName} trailing header is invalid.`);
      }
    }
    const value = await this.checksum.digestBase64();
    if (value !== expected) {
      throw new S3Error('BadDigest', `The ${requested.algorithm} you specified did not match the calculated checksum.`);
    }
    return { algorithm: requested.algorithm, value };
  }
}
