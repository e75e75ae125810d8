/**
 * Streaming decoder of `aws-chunked` bodies (the framing the SDKs use for streaming SigV4 uploads
 * and for trailing checksums). Data bytes pass through as they arrive, never buffered; only the
 * framing lines (chunk headers, trailers: a few hundred bytes) are held until their CRLF arrives,
 * so frames may be split across any read boundary.
 *
 *   STREAMING-AWS4-HMAC-SHA256-PAYLOAD          size;chunk-signature=SIG\r\n data \r\n … 0;chunk-signature=SIG\r\n \r\n
 *   STREAMING-UNSIGNED-PAYLOAD-TRAILER          size\r\n data \r\n … 0\r\n name:value\r\n … \r\n
 *   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER  signed chunks …, trailers, x-amz-trailer-signature:SIG\r\n \r\n
 *
 * Data is pushed before its chunk's signature is checked (the signature follows the data); a bad
 * signature errors the stream, and consumers commit nothing unless the stream ends cleanly.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../s3/s3-error.js';
import {
  STREAMING_SIGNED_PAYLOAD,
  STREAMING_SIGNED_PAYLOAD_TRAILER,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
  type StreamingMode,
} from './payload-mode.js';
import { assertSignatureMatches } from './signature-match.js';
import { EMPTY_SHA256, sha256Hex } from './sigv4-crypto.js';

/** What chunk signatures chain from: the request's signing key, timestamp, scope and seed signature. */
export interface ChunkSigningContext {
  accessKeyId: string;
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

export interface AwsChunkedDecoderOptions {
  mode: StreamingMode;
  /** Required for the two signed modes. */
  signing?: ChunkSigningContext;
  /** Lower-case trailer names announced in x-amz-trailer; no other trailer is accepted. */
  announcedTrailers: readonly string[];
  /** x-amz-decoded-content-length, when the client sent it. */
  decodedContentLength?: number;
}

/** A chunk header or trailer line is short; anything longer is not aws-chunked framing. */
const MAX_LINE_BYTES = 4096;
const CR = 0x0d;
const LF = 0x0a;

type State =
  | 'chunk-header'
  | 'chunk-data'
  | 'chunk-data-end'
  | 'final-line'
  | 'trailer-line'
  /** After an empty line where a trailer was expected: the end, or (a variant) trailers follow. */
  | 'trailer-or-end'
  | 'done';

/**
 * S3 answers every malformed aws-chunked frame (a bad size, a missing CRLF, a truncated body, data
 * past the end) with IncompleteBody and this message: it reads the framing as declared sizes, and a
 * frame that does not parse means the body did not hold what it declared.
 */
function incompleteBody(): S3Error {
  return new S3Error('IncompleteBody', 'The request body terminated unexpectedly');
}

/** Trailer problems (unannounced, missing, malformed) are S3's MalformedTrailerError. */
function malformedTrailer(): S3Error {
  return new S3Error('MalformedTrailerError');
}

export class AwsChunkedDecoder extends Transform {
  private readonly mode: StreamingMode;
  private readonly signing: ChunkSigningContext | undefined;
  private readonly announcedTrailers: readonly string[];
  private readonly decodedContentLength: number | undefined;

  private state: State = 'chunk-header';
  private line: Buffer = Buffer.alloc(0);
  private chunkRemaining = 0;
  private chunkDataEndSeen = 0;
  private chunkHash: Hash | undefined;
  private chunkSignature = '';
  private previousSignature: string;
  private decodedLength = 0;
  private readonly parsedTrailers = new Map<string, string>();
  /** The trailers as signed: each "name:value\n", a byte string (the line's bytes read as Latin-1). */
  private signedTrailerText = '';
  private trailerSignature: string | undefined;
  /** Blank lines of minio-go's trailer layout still to come before the one that ends the trailers. */
  private blankLinesOwed = 0;

  constructor(options: AwsChunkedDecoderOptions) {
    super();
    const signed = options.mode !== STREAMING_UNSIGNED_PAYLOAD_TRAILER;
    if (signed && !options.signing) throw new TypeError(`${options.mode} needs the request's signing context`);
    this.mode = options.mode;
    this.signing = signed ? options.signing : undefined;
    this.announcedTrailers = options.announcedTrailers;
    this.decodedContentLength = options.decodedContentLength;
    this.previousSignature = options.signing?.seedSignature ?? '';
  }

  /** The trailing headers (lower-case names, excluding x-amz-trailer-signature); complete once the stream has ended. */
  get trailers(): ReadonlyMap<string, string> {
    return this.parsedTrailers;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.finish();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  private consume(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.state === 'chunk-data') {
        const end = offset + Math.min(this.chunkRemaining, chunk.length - offset);
        const data = chunk.subarray(offset, end);
        this.chunkHash?.update(data);
        this.push(data);
        this.chunkRemaining -= data.length;
        offset = end;
        if (this.chunkRemaining === 0) this.state = 'chunk-data-end';
      } else if (this.state === 'chunk-data-end') {
        // The CRLF after the data, possibly split between reads.
        if (chunk[offset] !== (this.chunkDataEndSeen === 0 ? CR : LF)) throw incompleteBody();
        offset++;
        if (++this.chunkDataEndSeen === 2) {
          this.chunkDataEndSeen = 0;
          this.verifyChunkSignature(this.chunkHash?.digest('hex') ?? '');
          this.state = 'chunk-header';
        }
      } else if (this.state === 'done') {
        throw incompleteBody();
      } else {
        offset = this.consumeLine(chunk, offset);
      }
    }
  }

  /** Accumulates a framing line up to its LF, then handles it; returns the new offset. */
  private consumeLine(chunk: Buffer, offset: number): number {
    const lf = chunk.indexOf(LF, offset);
    const end = lf === -1 ? chunk.length : lf + 1;
    const piece = chunk.subarray(offset, end);
    // A partial line is copied, so that it does not pin the whole read buffer until the next read.
    if (this.line.length > 0) this.line = Buffer.concat([this.line, piece]);
    else this.line = lf === -1 ? Buffer.from(piece) : piece;
    if (this.line.length > MAX_LINE_BYTES + 2) throw this.state === 'chunk-header' ? incompleteBody() : malformedTrailer();
    if (lf !== -1) {
      const line = this.line;
      this.line = Buffer.alloc(0);
      const crlf = line.length >= 2 && line[line.length - 2] === CR;
      // minio-go (mc) ends each trailer with a bare LF and then writes one blank line more than AWS's
      // layout (minio/minio-go#1705, verified by its authors against S3): accepted for trailers only.
      const bareLfTrailer = !crlf && line.length > 1 && (this.state === 'trailer-line' || this.state === 'trailer-or-end');
      if (!crlf && !bareLfTrailer) {
        throw this.state === 'chunk-header' || this.state === 'final-line' ? incompleteBody() : malformedTrailer();
      }
      if (bareLfTrailer) this.blankLinesOwed = 1;
      this.handleLine(line.toString('latin1', 0, line.length - (crlf ? 2 : 1)));
    }
    return end;
  }

  private handleLine(line: string): void {
    switch (this.state) {
      case 'chunk-header':
        return this.startChunk(line);
      case 'final-line':
        if (line !== '') throw incompleteBody();
        this.state = 'done';
        return;
      case 'trailer-line':
        if (line === '') {
          if (this.parsedTrailers.size === 0 && this.trailerSignature === undefined) {
            this.state = 'trailer-or-end';
          } else if (this.blankLinesOwed > 0) {
            this.blankLinesOwed -= 1;
          } else {
            this.endTrailers();
          }
          return;
        }
        return this.addTrailer(line);
      case 'trailer-or-end':
        // Some clients put an empty line between the final chunk and the trailers.
        this.state = 'trailer-line';
        return line === '' ? this.endTrailers() : this.addTrailer(line);
      default:
        throw incompleteBody();
    }
  }

  /** `hex-size[;chunk-signature=SIG]`: begins a data chunk, or the final zero-size one. */
  private startChunk(header: string): void {
    const match = /^([0-9a-fA-F]{1,16})((?:;[^;=]+(?:=[^;]*)?)*)$/.exec(header);
    if (!match) throw incompleteBody();
    const size = parseInt(match[1] ?? '', 16);
    if (!Number.isSafeInteger(size)) throw incompleteBody();
    if (this.signing) {
      const signature = /;chunk-signature=([0-9a-fA-F]{64})(?:;|$)/.exec(match[2] ?? '')?.[1];
      if (signature === undefined) throw incompleteBody();
      this.chunkSignature = signature;
    }
    if (this.decodedContentLength !== undefined && this.decodedLength + size > this.decodedContentLength) {
      throw incompleteBody();
    }
    this.decodedLength += size;
    if (size > 0) {
      this.chunkRemaining = size;
      this.chunkHash = this.signing ? createHash('sha256') : undefined;
      this.state = 'chunk-data';
      return;
    }
    this.verifyChunkSignature(EMPTY_SHA256);
    this.state = this.mode === STREAMING_SIGNED_PAYLOAD ? 'final-line' : 'trailer-line';
  }

  private verifyChunkSignature(dataSha256: string): void {
    if (!this.signing) return;
    const { amzDate, scope, signingKey, accessKeyId } = this.signing;
    assertSignatureMatches({
      signingKey,
      accessKeyId,
      stringToSign: `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${this.previousSignature}\n${EMPTY_SHA256}\n${dataSha256}`,
      signatureProvided: this.chunkSignature,
    });
    this.previousSignature = this.chunkSignature.toLowerCase();
  }

  private addTrailer(line: string): void {
    const colon = line.indexOf(':');
    if (colon <= 0 || this.trailerSignature !== undefined) throw malformedTrailer();
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      if (this.mode !== STREAMING_SIGNED_PAYLOAD_TRAILER) throw malformedTrailer();
      this.trailerSignature = value;
      return;
    }
    if (!this.announcedTrailers.includes(name) || this.parsedTrailers.has(name)) throw malformedTrailer();
    this.parsedTrailers.set(name, value);
    this.signedTrailerText += `${name}:${value}\n`;
  }

  private endTrailers(): void {
    this.state = 'done';
    if (this.announcedTrailers.some((name) => !this.parsedTrailers.has(name))) throw malformedTrailer();
    if (this.mode !== STREAMING_SIGNED_PAYLOAD_TRAILER || !this.signing) return;
    if (this.trailerSignature === undefined) throw malformedTrailer();
    const { amzDate, scope, signingKey, accessKeyId } = this.signing;
    assertSignatureMatches({
      signingKey,
      accessKeyId,
      stringToSign: `AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n${this.previousSignature}\n${sha256Hex(Buffer.from(this.signedTrailerText, 'latin1'))}`,
      signatureProvided: this.trailerSignature,
    });
  }

  /** At the end of the body: only the closing empty line may be missing (some clients omit it). */
  private finish(): void {
    const onlyClosingLineMissing = this.line.length === 0 || (this.line.length === 1 && this.line[0] === CR);
    if (this.state === 'final-line' && onlyClosingLineMissing) {
      this.state = 'done';
    } else if ((this.state === 'trailer-line' || this.state === 'trailer-or-end') && onlyClosingLineMissing) {
      this.endTrailers();
    }
    if (this.state !== 'done') throw incompleteBody();
    if (this.decodedContentLength !== undefined && this.decodedLength !== this.decodedContentLength) {
      throw incompleteBody();
    }
  }
}
