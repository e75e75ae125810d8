/**
 * Parsing and checking `AKID/yyyyMMdd/region/s3/aws4_request`, shared by the Authorization header
 * (errors are AuthorizationHeaderMalformed) and presigned URLs (AuthorizationQueryParametersError),
 * which word the same complaints with different prefixes.
 */
import { S3Error } from '../s3/s3-error.js';
import { isScopeDate } from './amz-date.js';
import { SIGV4_SERVICE, SIGV4_TERMINATOR, credentialScope } from './sigv4-crypto.js';

export interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  scope: string;
}

export interface CredentialErrors {
  code: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError';
  /** Text S3 puts before the specific complaint. */
  prefix: string;
}

export const HEADER_CREDENTIAL_ERRORS: CredentialErrors = {
  code: 'AuthorizationHeaderMalformed',
  prefix: 'The authorization header is malformed; ',
};

export const QUERY_CREDENTIAL_ERRORS: CredentialErrors = {
  code: 'AuthorizationQueryParametersError',
  prefix: 'Error parsing the X-Amz-Credential parameter; ',
};

/** Parses the credential and checks every part of its scope against this endpoint's region. */
export function parseCredential(value: string, expectedRegion: string, errors: CredentialErrors): Credential {
  const fail = (detail: string, fields = {}, headers: Record<string, string> = {}) => new S3Error(errors.code, errors.prefix + detail, fields, { headers });
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((part) => part === '')) {
    throw fail('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  if (!isScopeDate(date)) {
    throw fail(`incorrect date format "${date}". This date in the credential must be in the format "yyyyMMdd".`);
  }
  if (region !== expectedRegion) {
    // S3 names the bucket's region in the body and in x-amz-bucket-region (seen on the wire in
    // minio/minio-go#677); the SDKs' region redirects read the header (botocore's
    // S3RegionRedirectorv2.get_bucket_region, the JS SDK's regionRedirectMiddleware), and a HEAD
    // answer has no body to read it from.
    throw fail(`the region '${region}' is wrong; expecting '${expectedRegion}'`, { Region: expectedRegion }, { 'x-amz-bucket-region': expectedRegion });
  }
  if (service !== SIGV4_SERVICE) {
    throw fail(`incorrect service "${service}". This endpoint belongs to "${SIGV4_SERVICE}".`);
  }
  if (terminator !== SIGV4_TERMINATOR) {
    throw fail(`incorrect terminal "${terminator}". This endpoint uses "${SIGV4_TERMINATOR}".`);
  }
  return { accessKeyId, date, region, scope: credentialScope(date, region) };
}

/** The scope's date must be the day of the request's own timestamp. */
export function assertCredentialDate(credential: Credential, amzDate: string, errors: CredentialErrors): void {
  const requestDay = amzDate.slice(0, 8);
  if (credential.date !== requestDay) {
    throw new S3Error(
      errors.code,
      `${errors.prefix}Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${requestDay}".`,
    );
  }
}
