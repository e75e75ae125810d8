/**
 * Which flexible checksum a request carries, from its headers: a value in an x-amz-checksum-*
 * header, or one announced in x-amz-trailer to follow the aws-chunked body, cross-checked with
 * x-amz-sdk-checksum-algorithm. The rules and messages are S3's.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from '../s3/s3-error.js';
import {
  CHECKSUM_ALGORITHMS,
  checksumAlgorithmOfHeader,
  checksumHeaderName,
  isChecksumValue,
  parseChecksumAlgorithm,
  type ChecksumAlgorithm,
} from './checksums.js';

export interface RequestedChecksum {
  algorithm: ChecksumAlgorithm;
  /** `x-amz-checksum-<algorithm>`: the header or trailer that carries the value. */
  headerName: string;
  /** The value from the header; undefined when it comes as a trailer. */
  headerValue?: string;
}

/** Lower-case names listed in x-amz-trailer (comma-separated). */
export function announcedTrailers(headers: IncomingHttpHeaders): string[] {
  const value = headers['x-amz-trailer'];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}

/** The checksum to compute and verify, or undefined; throws S3's InvalidRequest for conflicting headers. */
export function requestedChecksum(headers: IncomingHttpHeaders, trailers: readonly string[]): RequestedChecksum | undefined {
  const trailerAlgorithms = trailers.map((name) => {
    const algorithm = checksumAlgorithmOfHeader(name);
    if (!algorithm) throw new S3Error('InvalidRequest', 'The value specified in the x-amz-trailer header is not supported');
    return algorithm;
  });
  const headerAlgorithms = CHECKSUM_ALGORITHMS.filter((algorithm) => headers[checksumHeaderName(algorithm)] !== undefined);
  const algorithms = [...headerAlgorithms, ...trailerAlgorithms];
  if (algorithms.length > 1) {
    throw new S3Error('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  }
  const algorithm = algorithms[0];
  assertSdkAlgorithmAgrees(headers, algorithm);
  if (!algorithm) return undefined;
  const headerName = checksumHeaderName(algorithm);
  if (trailerAlgorithms.length > 0) return { algorithm, headerName };
  const header = headers[headerName];
  const headerValue = Array.isArray(header) ? header[0] ?? '' : header ?? '';
  if (!isChecksumValue(algorithm, headerValue)) {
    throw new S3Error('InvalidRequest', `Value for ${headerName} header is invalid.`);
  }
  return { algorithm, headerName, headerValue };
}

/** x-amz-sdk-checksum-algorithm only names the algorithm: a header or trailer must carry its value. */
function assertSdkAlgorithmAgrees(headers: IncomingHttpHeaders, algorithm: ChecksumAlgorithm | undefined): void {
  const sdkHeader = headers['x-amz-sdk-checksum-algorithm'];
  const sdkValue = Array.isArray(sdkHeader) ? sdkHeader[0] : sdkHeader;
  if (sdkValue === undefined) return;
  const sdkAlgorithm = parseChecksumAlgorithm(sdkValue);
  if (!sdkAlgorithm) {
    throw new S3Error(
      'InvalidRequest',
      `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${CHECKSUM_ALGORITHMS.join(', ')}]`,
    );
  }
  if (!algorithm) {
    throw new S3Error(
      'InvalidRequest',
      'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
    );
  }
  if (sdkAlgorithm !== algorithm) {
    throw new S3Error('InvalidRequest', 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
  }
}
