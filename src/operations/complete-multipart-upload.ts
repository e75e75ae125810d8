import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CHECKSUM_ALGORITHMS, DEFAULT_CHECKSUM_ALGORITHM, isChecksumValue, type ChecksumAlgorithm } from '../auth/checksums.js';
import type { CombinableAlgorithm } from '../auth/crc-combine.js';
import { headerValue } from '../s3/headers.js';
import { S3Error } from '../s3/s3-error.js';
import { childElements, parseXml, renderXml, textOf } from '../s3/xml.js';
import type { ObjectMetadata, PartRecord, UploadCompletion, UploadRecord } from '../store/types.js';
import { MAX_PART_NUMBER, MIN_PART_BYTES, checksumElement, parsePartNumber, uploadOf } from './multipart-common.js';
import { compositeChecksum, fullObjectChecksum, verifyObjectChecksumHeader, type UploadChecksum } from './multipart-checksums.js';
import { writePrecondition } from './put-object.js';
import { readSmallBody } from './small-body.js';
import { xmlResponse } from './response.js';
import type { ObjectRequest, OperationHandler, RequestBody, S3Response } from './types.js';

/** 10000 parts with an ETag and a checksum each fit well within this. */
const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

interface RequestedPart {
  partNumber: number;
  /** Without quotes. */
  etag: string;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

const bareEtag = (etag: string) => etag.trim().replace(/^"|"$/g, '');

/** The CompleteMultipartUpload document: parts in strictly ascending order, each with a number and an ETag. */
function parseCompletion(body: Buffer): RequestedPart[] {
  // More parts than an upload can have is refused as the 10,001st <Part> is read.
  const root = parseXml(body, { root: 'CompleteMultipartUpload', repeated: 'Part', maxRepeated: MAX_PART_NUMBER });
  const parts = childElements(root, 'Part');
  if (parts.length === 0) throw new S3Error('MalformedXML');
  let previous = 0;
  return parts.map((part) => {
    const number = textOf(childElements(part, 'PartNumber')[0])?.trim();
    const etag = textOf(childElements(part, 'ETag')[0]);
    if (number === undefined || etag === undefined || etag.trim() === '') throw new S3Error('MalformedXML');
    const partNumber = parsePartNumber(number);
    if (partNumber <= previous) throw new S3Error('InvalidPartOrder');
    previous = partNumber;
    const checksums: RequestedPart['checksums'] = {};
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const value = textOf(childElements(part, checksumElement(algorithm))[0]);
      if (value !== undefined) checksums[algorithm] = value.trim();
    }
    return { partNumber, etag: bareEtag(etag), checksums };
  });
}

function invalidPart(upload: UploadRecord, part: RequestedPart): S3Error {
  return new S3Error('InvalidPart', undefined, { UploadId: upload.id, PartNumber: part.partNumber, ETag: part.etag });
}

/** The stored part each requested part names, checked as S3 checks them (existence, ETag, checksum, size). */
function choosePart(upload: UploadRecord, stored: Map<number, PartRecord>, requested: RequestedPart, isLast: boolean): PartRecord {
  const part = stored.get(requested.partNumber);
  if (!part || bareEtag(part.etag) !== requested.etag) throw invalidPart(upload, requested);
  // An upload created without an algorithm has no part checksums to name: S3 answers InvalidPart
  // even for the checksum the part was sent with (LocalStack's
  // test_complete_multipart_parts_checksum_default, recorded against AWS).
  if (!upload.checksum && Object.keys(requested.checksums).length > 0) throw invalidPart(upload, requested);
  if (upload.checksum) {
    const algorithm = upload.checksum.algorithm as ChecksumAlgorithm;
    const sent = requested.checksums[algorithm];
    if (sent === undefined) {
      // S3 fills in a missing part checksum of a FULL_OBJECT upload, not of a COMPOSITE one.
      if (upload.checksum.type === 'COMPOSITE') {
        throw new S3Error(
          'InvalidRequest',
          `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${requested.partNumber} in the request.`,
        );
      }
    } else if (!isChecksumValue(algorithm, sent)) {
      throw new S3Error('InvalidArgument', 'Invalid Base64 or multiple checksums present in request', {
        ArgumentName: 'Checksum',
        ArgumentValue: `${algorithm}:${sent};`,
      });
    } else if (sent !== part.checksum) {
      throw invalidPart(upload, requested);
    }
  }
  if (!isLast && part.size < MIN_PART_BYTES) {
    throw new S3Error('EntityTooSmall', undefined, {
      ProposedSize: part.size,
      MinSizeAllowed: MIN_PART_BYTES,
      PartNumber: part.partNumber,
      ETag: requested.etag,
    });
  }
  return part;
}

/**
 * `x-amz-checksum-type` on the completion, if sent, must be the upload's; an upload created
 * without an algorithm has the "null" mode, which no value matches (LocalStack's
 * test_complete_multipart_parts_checksum_default, recorded against AWS).
 */
function assertSameChecksumType(req: ObjectRequest, upload: UploadRecord): void {
  const sent = headerValue(req.headers, 'x-amz-checksum-type');
  if (!sent) return;
  if (sent.toUpperCase() !== upload.checksum?.type) {
    throw new S3Error(
      'InvalidRequest',
      `The upload was created using the ${upload.checksum?.type ?? 'null'} checksum mode. The complete request must use the same checksum mode.`,
    );
  }
}

/** `x-amz-mp-object-size`, when sent, must be the completed object's size. */
function assertDeclaredObjectSize(req: ObjectRequest, parts: readonly PartRecord[]): void {
  const sent = headerValue(req.headers, 'x-amz-mp-object-size');
  if (!sent) return;
  if (/^-\d+$/.test(sent)) throw new S3Error('InvalidRequest', `Value for x-amz-mp-object-size header is less than zero: '${sent}'`);
  if (!/^\d+$/.test(sent)) throw new S3Error('InvalidRequest', `Value for x-amz-mp-object-size header is invalid: '${sent}'`);
  const size = parts.reduce((sum, part) => sum + part.size, 0);
  if (Number(sent) !== size) {
    throw new S3Error('InvalidRequest', `The provided 'x-amz-mp-object-size' header value ${sent} does not match what was computed: ${size}`);
  }
}

/** The multipart ETag: MD5 of the concatenated binary part MD5s, then `-N`. */
function multipartEtag(parts: readonly PartRecord[]): string {
  const md5 = createHash('md5');
  for (const part of parts) md5.update(Buffer.from(bareEtag(part.etag), 'hex'));
  return `"${md5.digest('hex')}-${parts.length}"`;
}

/** What the object's checksum is: the upload's algorithm and type, or S3's default for an upload created without one. */
function objectChecksumKind(upload: UploadRecord): UploadChecksum {
  return (upload.checksum as UploadChecksum | undefined) ?? { algorithm: DEFAULT_CHECKSUM_ALGORITHM, type: 'FULL_OBJECT' };
}

/** The object's checksum from its parts (never their bytes, unless a part's CRC is not stored). */
async function objectChecksum(upload: UploadRecord, parts: readonly PartRecord[], openPart: (part: PartRecord) => Promise<Readable>): Promise<string> {
  const { algorithm, type } = objectChecksumKind(upload);
  if (type === 'COMPOSITE') return compositeChecksum(algorithm, parts.map((part) => part.checksum ?? ''));
  // FULL_OBJECT is made with a CRC only (uploadChecksumFrom); the default's CRCs are kept apart from `checksum`.
  const crcOf = upload.checksum ? (part: PartRecord) => part.checksum : (part: PartRecord) => part.crc64nvme;
  return fullObjectChecksum(algorithm as CombinableAlgorithm, parts, crcOf, openPart);
}

function completed(req: ObjectRequest, upload: UploadRecord, completion: UploadCompletion): S3Response {
  const encodedKey = upload.key.split('/').map(encodeURIComponent).join('/');
  const { algorithm, type } = objectChecksumKind(upload);
  return xmlResponse(
    renderXml('CompleteMultipartUploadResult', {
      Location: `${req.endpoint}/${upload.bucket}/${encodedKey}`,
      Bucket: upload.bucket,
      Key: upload.key,
      ETag: completion.etag,
      ...(completion.checksum !== undefined ? { [checksumElement(algorithm)]: completion.checksum, ChecksumType: type } : {}),
    }),
  );
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html */
export const CompleteMultipartUpload: OperationHandler<ObjectRequest & RequestBody> = async ({ req, store }) => {
  const upload = await uploadOf(req, store, { open: false });
  const precondition = writePrecondition(req.headers);
  const requested = parseCompletion(await readSmallBody(req.body.stream, MAX_DOCUMENT_BYTES));
  const partList = requested.map((part) => `${part.partNumber}:${part.etag}`).join('\n');

  // A retry of a completion that succeeded gets the same answer; any other completion of a completed upload is NoSuchUpload.
  const retried = (current: UploadRecord | undefined): S3Response | undefined => {
    if (!current?.completion) return undefined;
    if (current.completion.parts !== partList) throw new S3Error('NoSuchUpload', undefined, { UploadId: upload.id });
    return completed(req, current, current.completion);
  };
  const retry = retried(upload);
  if (retry) return retry;

  assertSameChecksumType(req, upload);
  const stored = new Map((await store.listParts(upload.id)).map((part) => [part.partNumber, part]));
  const parts = requested.map((part, index) => choosePart(upload, stored, part, index === requested.length - 1));
  assertDeclaredObjectSize(req, parts);
  const etag = multipartEtag(parts);
  const kind = objectChecksumKind(upload);
  const value = await objectChecksum(upload, parts, (part) => store.readParts([part]));
  // S3 ignores x-amz-checksum-* on the completion of an upload created without an algorithm
  // (LocalStack's test_complete_multipart_parts_checksum_default, recorded against AWS).
  if (upload.checksum) verifyObjectChecksumHeader(req.headers, kind, value);
  const checksum: ObjectMetadata['checksum'] = { algorithm: kind.algorithm, value, type: kind.type };
  const completion: UploadCompletion = { parts: partList, etag, checksum: value };
  const record = await store.completeUpload(upload, parts, { etag, checksum }, completion, precondition);
  if (!record) {
    // Another request completed, aborted or changed the upload while this one computed.
    const current = await store.getUpload(upload.id);
    const answer = retried(current);
    if (answer) return answer;
    if (current) throw invalidPart(upload, requested[0]);
    throw new S3Error('NoSuchUpload', undefined, { UploadId: upload.id });
  }
  return completed(req, upload, completion);
};
