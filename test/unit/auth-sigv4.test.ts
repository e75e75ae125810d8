import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, test } from 'vitest';
import headerExamples from '../../fixtures/sigv4/s3-header-auth-examples.json' with { type: 'json' };
import presignedExample from '../../fixtures/sigv4/s3-presigned-url-example.json' with { type: 'json' };
import chunkedExample from '../../fixtures/sigv4/aws-chunked-signed-payload.json' with { type: 'json' };
import trailerExample from '../../fixtures/sigv4/aws-chunked-signed-trailer.json' with { type: 'json' };
import { thrownS3Error, type ThrownS3Error } from './thrown-s3-error.js';
import { verifySignature as authenticate } from '../../src/auth/authenticate.js';
import { buildCanonicalRequest } from '../../src/auth/canonical-request.js';
import { presignUrl, signRequest } from '../../src/auth/sigv4-client.js';
import { EMPTY_SHA256, deriveSigningKey, hmac, stringToSign } from '../../src/auth/sigv4-crypto.js';
import type { SignableRequest } from '../../src/auth/types.js';

const { accessKeyId: KEY, secretKey: SECRET, region: REGION } = headerExamples.credentials;
const NOW = new Date(headerExamples.now);
const SCOPE = headerExamples.scope;
const lookup = (accessKeyId: string) => (accessKeyId === KEY ? SECRET : undefined);
const options = { region: REGION, now: NOW };

interface Example {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  signedHeaders: string;
  signature: string;
}

function withAuthorization(example: Example, signature = example.signature): SignableRequest {
  const authorization = `AWS4-HMAC-SHA256 Credential=${KEY}/${SCOPE},SignedHeaders=${example.signedHeaders},Signature=${signature}`;
  return {
    method: example.method,
    rawPath: example.rawPath,
    rawQuery: example.rawQuery,
    headers: { ...example.headers, authorization },
  };
}


describe('the AWS documentation examples, header auth', () => {
  test.each(headerExamples.examples)('$name: canonical request, string to sign and signature', (example) => {
    const canonicalRequest = buildCanonicalRequest({
      method: example.method,
      rawPath: example.rawPath,
      rawQuery: example.rawQuery,
      headers: example.headers,
      signedHeaders: example.signedHeaders.split(';'),
      payloadHash: example.headers['x-amz-content-sha256'],
    });
    expect(canonicalRequest).toBe(example.canonicalRequest);
    expect(stringToSign('20130524T000000Z', SCOPE, canonicalRequest)).toBe(example.stringToSign);
    expect(authenticate(withAuthorization(example), lookup, options)).toEqual({
      accessKeyId: KEY,
      kind: 'header',
      payloadHash: example.headers['x-amz-content-sha256'],
      signingKey: deriveSigningKey(SECRET, '20130524', REGION),
      amzDate: '20130524T000000Z',
      scope: SCOPE,
      signature: example.signature,
    });
  });

  test.each([
    ['signed chunks', chunkedExample],
    ['signed trailer', trailerExample],
  ] as const)('the seed request of the %s example', (_name, example) => {
    const authorization = `AWS4-HMAC-SHA256 Credential=${KEY}/${SCOPE}, SignedHeaders=${example.signedHeaders}, Signature=${example.seedSignature}`;
    const request = { method: 'PUT', rawPath: example.rawPath, rawQuery: '', headers: { ...example.headers, authorization } };
    const auth = authenticate(request, lookup, options);
    expect(auth?.signature).toBe(example.seedSignature);
    expect(auth?.payloadHash).toBe(example.headers['x-amz-content-sha256']);
  });

  test('the signed trailer example has the published string to sign', () => {
    const canonicalRequest = buildCanonicalRequest({
      method: 'PUT',
      rawPath: trailerExample.rawPath,
      rawQuery: '',
      headers: trailerExample.headers,
      signedHeaders: trailerExample.signedHeaders.split(';'),
      payloadHash: trailerExample.headers['x-amz-content-sha256'],
    });
    expect(stringToSign('20130524T000000Z', SCOPE, canonicalRequest)).toBe(trailerExample.stringToSign);
  });

  test('the signature may be sent in upper case, and is returned in lower case', () => {
    const example = headerExamples.examples[0]!;
    expect(authenticate(withAuthorization(example, example.signature.toUpperCase()), lookup, options)?.signature).toBe(
      example.signature,
    );
  });

  test('the Date header stands in for a missing x-amz-date', () => {
    const { 'x-amz-date': _, ...headers } = headerExamples.examples[0]!.headers;
    const example = { ...headerExamples.examples[0]!, headers: { ...headers, date: 'Fri, 24 May 2013 00:00:00 GMT' } };
    const signedHeaders = ['date', 'host', 'range', 'x-amz-content-sha256'];
    const canonicalRequest = buildCanonicalRequest({ ...example, signedHeaders, payloadHash: EMPTY_SHA256 });
    const signingKey = deriveSigningKey(SECRET, '20130524', REGION);
    const signature = hmac(signingKey, stringToSign('20130524T000000Z', SCOPE, canonicalRequest)).toString('hex');
    const request = withAuthorization({ ...example, signedHeaders: signedHeaders.join(';') }, signature);
    expect(authenticate(request, lookup, options)?.amzDate).toBe('20130524T000000Z');
  });
});

describe('the AWS documentation example, presigned URL', () => {
  const request: SignableRequest = {
    method: presignedExample.method,
    rawPath: presignedExample.rawPath,
    rawQuery: presignedExample.rawQuery,
    headers: presignedExample.headers,
  };

  test('authenticates, with an unsigned payload', () => {
    expect(authenticate(request, lookup, options)).toEqual({
      accessKeyId: KEY,
      kind: 'presigned',
      payloadHash: 'UNSIGNED-PAYLOAD',
      signingKey: deriveSigningKey(SECRET, '20130524', REGION),
      amzDate: '20130524T000000Z',
      scope: SCOPE,
      signature: presignedExample.signature,
    });
  });

  test('has the published canonical request and string to sign', () => {
    const canonicalRequest = buildCanonicalRequest({
      ...request,
      signedHeaders: ['host'],
      payloadHash: 'UNSIGNED-PAYLOAD',
      omitSignatureParameter: true,
    });
    expect(canonicalRequest).toBe(presignedExample.canonicalRequest);
    expect(stringToSign('20130524T000000Z', SCOPE, canonicalRequest)).toBe(presignedExample.stringToSign);
  });

  test('presignUrl makes the published URL', () => {
    const url = presignUrl({
      method: 'GET',
      url: presignedExample.url,
      accessKeyId: KEY,
      secretKey: SECRET,
      region: REGION,
      expiresSeconds: presignedExample.expiresSeconds,
      now: new Date(presignedExample.signedAt),
    });
    expect(url).toBe(`${presignedExample.url}?${presignedExample.rawQuery}`);
  });
});

/** A request signed with the Authorization header by the client helper, at NOW. */
function headerSigned(edit: { headers?: Record<string, string>; payloadHash?: string; now?: Date } = {}): SignableRequest {
  const signed = signRequest({
    method: 'GET',
    url: 'http://127.0.0.1:9000/bucket/a%20key?prefix=a%2Fb&list-type=2',
    accessKeyId: KEY,
    secretKey: SECRET,
    region: REGION,
    payloadHash: edit.payloadHash ?? EMPTY_SHA256,
    headers: edit.headers,
    now: edit.now ?? NOW,
  });
  return { method: 'GET', rawPath: '/bucket/a%20key', rawQuery: 'prefix=a%2Fb&list-type=2', headers: signed.headers };
}

function withHeader(request: SignableRequest, name: string, value: string | undefined): SignableRequest {
  const headers = { ...request.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...request, headers };
}

function editAuthorization(request: SignableRequest, from: string | RegExp, to: string): SignableRequest {
  return withHeader(request, 'authorization', String(request.headers.authorization).replace(from, to));
}

const malformed = (detail: string) => ({
  code: 'AuthorizationHeaderMalformed',
  status: 400,
  message: `The authorization header is malformed; ${detail}`,
});
const THREE_COMPONENTS = malformed(
  'the authorization header requires three components: Credential, SignedHeaders, and Signature.',
);
const UNSUPPORTED = {
  code: 'InvalidRequest',
  status: 400,
  message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
};

describe('authenticate with the Authorization header', () => {
  test('accepts what signRequest signs, and anonymous requests are undefined', () => {
    expect(authenticate(headerSigned(), lookup, options)?.kind).toBe('header');
    const anonymous = withHeader(headerSigned(), 'authorization', undefined);
    expect(authenticate(anonymous, lookup, options)).toBeUndefined();
    expect(authenticate(withHeader(headerSigned(), 'authorization', ''), lookup, options)).toBeUndefined();
  });

  test.each<[string, (request: SignableRequest) => SignableRequest, Partial<ThrownS3Error>]>([
    ['Signature Version 2', (r) => withHeader(r, 'authorization', `AWS ${KEY}:frJIUN8DYpKDtOLCwo//yllqDzg=`), UNSUPPORTED],
    ['another scheme', (r) => withHeader(r, 'authorization', 'Bearer token'), UNSUPPORTED],
    ['SigV4a', (r) => editAuthorization(r, 'AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256'), UNSUPPORTED],
    ['no Credential', (r) => editAuthorization(r, /Credential=[^,]+, /, ''), THREE_COMPONENTS],
    ['no SignedHeaders', (r) => editAuthorization(r, /SignedHeaders=[^,]+, /, ''), THREE_COMPONENTS],
    ['no Signature', (r) => editAuthorization(r, /, Signature=\w+/, ''), THREE_COMPONENTS],
    ['only the scheme', (r) => withHeader(r, 'authorization', 'AWS4-HMAC-SHA256'), THREE_COMPONENTS],
    [
      'a credential of four parts',
      (r) => editAuthorization(r, '/us-east-1/', '/'),
      malformed('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'),
    ],
    [
      'a scope date of seven digits',
      (r) => editAuthorization(r, '/20130524/', '/2013052/'),
      malformed('incorrect date format "2013052". This date in the credential must be in the format "yyyyMMdd".'),
    ],
    [
      'another region',
      (r) => editAuthorization(r, '/us-east-1/', '/eu-west-1/'),
      { ...malformed("the region 'eu-west-1' is wrong; expecting 'us-east-1'"), fields: { Region: 'us-east-1' } },
    ],
    [
      'another service',
      (r) => editAuthorization(r, '/s3/', '/ec2/'),
      malformed('incorrect service "ec2". This endpoint belongs to "s3".'),
    ],
    [
      'another terminator',
      (r) => editAuthorization(r, 'aws4_request', 'aws4_reques'),
      malformed('incorrect terminal "aws4_reques". This endpoint uses "aws4_request".'),
    ],
    [
      'a scope date other than the request date',
      (r) => editAuthorization(r, '/20130524/', '/20130523/'),
      malformed('Invalid credential date "20130523". This date is not the same as X-Amz-Date: "20130524".'),
    ],
    [
      'no x-amz-content-sha256',
      (r) => withHeader(r, 'x-amz-content-sha256', undefined),
      { code: 'InvalidRequest', message: 'Missing required header for this request: x-amz-content-sha256' },
    ],
    [
      'an x-amz-content-sha256 that is not a hash',
      (r) => withHeader(r, 'x-amz-content-sha256', 'abc'),
      {
        code: 'InvalidArgument',
        message:
          'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
        fields: { ArgumentName: 'x-amz-content-sha256', ArgumentValue: 'abc' },
      },
    ],
    [
      'no date',
      (r) => withHeader(r, 'x-amz-date', undefined),
      { code: 'AccessDenied', status: 403, message: 'AWS authentication requires a valid Date or x-amz-date header' },
    ],
    [
      'an x-amz-date in another format',
      (r) => withHeader(r, 'x-amz-date', '2013-05-24T00:00:00Z'),
      { code: 'AccessDenied', message: 'AWS authentication requires a valid Date or x-amz-date header' },
    ],
    [
      'an unknown access key',
      (r) => editAuthorization(r, KEY, 'AKIAUNKNOWN'),
      { code: 'InvalidAccessKeyId', status: 403, fields: { AWSAccessKeyId: 'AKIAUNKNOWN' } },
    ],
    [
      'host not signed',
      (r) => editAuthorization(r, 'SignedHeaders=host;', 'SignedHeaders='),
      {
        code: 'AccessDenied',
        message: 'There were headers present in the request which were not signed',
        fields: { HeadersNotSigned: 'host' },
      },
    ],
    [
      'an x-amz-* header that is not signed',
      (r) => withHeader(r, 'x-amz-meta-color', 'red'),
      { code: 'AccessDenied', fields: { HeadersNotSigned: 'x-amz-meta-color' } },
    ],
    [
      'presign parameters as well',
      (r) => ({ ...r, rawQuery: `${r.rawQuery}&X-Amz-Algorithm=AWS4-HMAC-SHA256` }),
      {
        code: 'InvalidArgument',
        message:
          'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      },
    ],
  ])('with %s', (_name, edit, expected) => {
    expect(thrownS3Error(() => authenticate(edit(headerSigned()), lookup, options))).toMatchObject(expected);
  });

  test('x-amz-content-sha256 is the one x-amz-* header that may go unsigned (the signature then decides)', () => {
    const request = editAuthorization(headerSigned(), ';x-amz-content-sha256', '');
    expect(thrownS3Error(() => authenticate(request, lookup, options)).code).toBe('SignatureDoesNotMatch');
  });

  test('a SigV2 presigned URL is refused as unsupported', () => {
    const request = { method: 'GET', rawPath: '/b/k', rawQuery: `AWSAccessKeyId=${KEY}&Expires=1&Signature=abc%3D`, headers: {} };
    expect(thrownS3Error(() => authenticate(request, lookup, options))).toMatchObject(UNSUPPORTED);
  });

  test('a wrong signature gets SignatureDoesNotMatch with the strings the server signed', () => {
    const other = signRequest({
      method: 'GET',
      url: 'http://127.0.0.1:9000/bucket/a%20key?prefix=a%2Fb&list-type=2',
      accessKeyId: KEY,
      secretKey: 'another secret',
      region: REGION,
      payloadHash: EMPTY_SHA256,
      now: NOW,
    });
    const request = { ...headerSigned(), headers: other.headers };
    const canonicalRequest = [
      'GET',
      '/bucket/a%20key',
      'list-type=2&prefix=a%2Fb',
      'host:127.0.0.1:9000',
      `x-amz-content-sha256:${EMPTY_SHA256}`,
      'x-amz-date:20130524T000000Z',
      '',
      'host;x-amz-content-sha256;x-amz-date',
      EMPTY_SHA256,
    ].join('\n');
    const toSign = stringToSign('20130524T000000Z', SCOPE, canonicalRequest);
    const bytes = (text: string) => Array.from(Buffer.from(text), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
    const error = thrownS3Error(() => authenticate(request, lookup, options));
    expect(error).toMatchObject({
      code: 'SignatureDoesNotMatch',
      status: 403,
      message:
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    });
    expect(error.fields).toEqual({
      AWSAccessKeyId: KEY,
      StringToSign: toSign,
      SignatureProvided: other.signature,
      StringToSignBytes: bytes(toSign),
      CanonicalRequest: canonicalRequest,
      CanonicalRequestBytes: bytes(canonicalRequest),
    });
    expect(Object.keys(error.fields)).toEqual([
      'AWSAccessKeyId',
      'StringToSign',
      'SignatureProvided',
      'StringToSignBytes',
      'CanonicalRequest',
      'CanonicalRequestBytes',
    ]);
  });

  test.each([
    ['is valid at -900 s', -900, undefined],
    ['is valid at +900 s', 900, undefined],
    ['is too old at -901 s', -901, '20130523T234459Z'],
    ['is too new at +901 s', 901, '20130524T001501Z'],
  ])('a request signed at the server time %s', (_name, seconds, requestTime) => {
    const request = headerSigned({ now: new Date(NOW.getTime() + seconds * 1000) });
    if (requestTime === undefined) {
      expect(authenticate(request, lookup, options)?.kind).toBe('header');
      return;
    }
    expect(thrownS3Error(() => authenticate(request, lookup, options))).toEqual({
      code: 'RequestTimeTooSkewed',
      status: 403,
      message: 'The difference between the request time and the current time is too large.',
      fields: { RequestTime: requestTime, ServerTime: '2013-05-24T00:00:00Z', MaxAllowedSkewMilliseconds: 900000 },
    });
  });

  test('the signature is checked before the clock', () => {
    const request = editAuthorization(headerSigned({ now: new Date(NOW.getTime() + 3600_000) }), /\w{64}$/, '0'.repeat(64));
    expect(thrownS3Error(() => authenticate(request, lookup, options)).code).toBe('SignatureDoesNotMatch');
  });

  test('every signed header counts: changing one breaks the signature', () => {
    const request = headerSigned({ headers: { 'x-amz-meta-color': 'red', 'content-type': 'text/plain' } });
    expect(authenticate(request, lookup, options)?.kind).toBe('header');
    expect(thrownS3Error(() => authenticate(withHeader(request, 'content-type', 'text/html'), lookup, options)).code).toBe(
      'SignatureDoesNotMatch',
    );
    expect(thrownS3Error(() => authenticate({ ...request, rawPath: '/bucket/other' }, lookup, options)).code).toBe(
      'SignatureDoesNotMatch',
    );
  });

  test('header values are canonical: trimmed, inner runs of spaces collapsed', () => {
    const request = headerSigned({ headers: { 'x-amz-meta-note': 'a b c' } });
    expect(authenticate(withHeader(request, 'x-amz-meta-note', '  a   b \t c  '), lookup, options)?.kind).toBe('header');
  });
});

const PRESIGN_BASE = 'http://127.0.0.1:9000/bucket/dir/a%20b%2Bc.txt?x-id=GetObject';

/** A presigned request made by presignUrl at `signedAt`. */
function presigned(expiresSeconds = 60, signedAt = NOW, method = 'GET'): SignableRequest {
  const url = new URL(presignUrl({ method, url: PRESIGN_BASE, accessKeyId: KEY, secretKey: SECRET, region: REGION, expiresSeconds, now: signedAt }));
  return { method, rawPath: url.pathname, rawQuery: url.search.slice(1), headers: { host: url.host } };
}

function withQuery(request: SignableRequest, name: string, value: string | undefined): SignableRequest {
  const pairs = request.rawQuery.split('&').filter((pair) => !pair.startsWith(`${name}=`));
  if (value !== undefined) pairs.push(`${name}=${encodeURIComponent(value)}`);
  return { ...request, rawQuery: pairs.join('&') };
}

const parameterError = (message: string) => ({ code: 'AuthorizationQueryParametersError', status: 400, message });

describe('authenticate a presigned URL', () => {
  test('accepts what presignUrl makes', () => {
    expect(authenticate(presigned(), lookup, options)).toMatchObject({ kind: 'presigned', payloadHash: 'UNSIGNED-PAYLOAD' });
  });

  test.each(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'])(
    'without %s',
    (name) => {
      expect(thrownS3Error(() => authenticate(withQuery(presigned(), name, undefined), lookup, options))).toEqual({
        ...parameterError(
          'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
        ),
        fields: {},
      });
    },
  );

  test.each<[string, string, string, Partial<ThrownS3Error>]>([
    ['another algorithm', 'X-Amz-Algorithm', 'AWS4-HMAC-SHA1', parameterError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"')],
    ['an X-Amz-Date in another format', 'X-Amz-Date', '2013-05-24T00:00:00Z', parameterError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)],
    [
      'X-Amz-Expires over a week',
      'X-Amz-Expires',
      '604801',
      parameterError('X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds'),
    ],
    ['a negative X-Amz-Expires', 'X-Amz-Expires', '-1', parameterError('X-Amz-Expires must be non-negative')],
    ['an X-Amz-Expires that is not a number', 'X-Amz-Expires', '1h', parameterError('X-Amz-Expires should be a number')],
    [
      'a credential of another region',
      'X-Amz-Credential',
      `${KEY}/20130524/eu-west-1/s3/aws4_request`,
      {
        ...parameterError("Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'"),
        fields: { Region: 'us-east-1' },
      },
    ],
    [
      'a credential of another service',
      'X-Amz-Credential',
      `${KEY}/20130524/us-east-1/ec2/aws4_request`,
      parameterError('Error parsing the X-Amz-Credential parameter; incorrect service "ec2". This endpoint belongs to "s3".'),
    ],
    [
      'a malformed credential',
      'X-Amz-Credential',
      KEY,
      parameterError(
        'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
      ),
    ],
    ['an unknown access key', 'X-Amz-Credential', `AKIAUNKNOWN/${SCOPE}`, { code: 'InvalidAccessKeyId', fields: { AWSAccessKeyId: 'AKIAUNKNOWN' } }],
    ['another value of a parameter', 'x-id', 'PutObject', { code: 'SignatureDoesNotMatch' }],
    ['one more parameter', 'versionId', 'null', { code: 'SignatureDoesNotMatch' }],
    ['a changed expiry', 'X-Amz-Expires', '61', { code: 'SignatureDoesNotMatch' }],
  ])('with %s', (_name, parameter, value, expected) => {
    expect(thrownS3Error(() => authenticate(withQuery(presigned(), parameter, value), lookup, options))).toMatchObject(expected);
  });

  test('an unsigned x-amz-* header is refused', () => {
    const request = withHeader(presigned(), 'x-amz-acl', 'public-read');
    expect(thrownS3Error(() => authenticate(request, lookup, options))).toMatchObject({
      code: 'AccessDenied',
      fields: { HeadersNotSigned: 'x-amz-acl' },
    });
  });

  test.each([
    ['at the end of its last second', 60, 60_000, undefined],
    ['one millisecond after its end', 60, 60_001, '2013-05-24T00:01:00Z'],
    ['at the end of 7 days, the longest time', 604800, 604_800_000, undefined],
    ['at all with X-Amz-Expires=0', 0, 0, '2013-05-24T00:00:00Z'],
    ['15 minutes before X-Amz-Date', 60, -900_000, undefined],
  ])('is valid or expired %s', (_name, expires, elapsed, expiredAt) => {
    const now = new Date(NOW.getTime() + elapsed);
    const request = presigned(expires);
    if (expiredAt === undefined) {
      expect(authenticate(request, lookup, { region: REGION, now })?.kind).toBe('presigned');
      return;
    }
    expect(thrownS3Error(() => authenticate(request, lookup, { region: REGION, now }))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: 'Request has expired',
      fields: { 'X-Amz-Expires': String(expires), Expires: expiredAt, ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z') },
    });
  });

  test('is not yet valid more than 15 minutes before X-Amz-Date', () => {
    const now = new Date(NOW.getTime() - 901_000);
    expect(thrownS3Error(() => authenticate(presigned(), lookup, { region: REGION, now }))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: 'Request is not yet valid',
      fields: { 'X-Amz-Date': '20130524T000000Z', ServerTime: '2013-05-23T23:44:59Z' },
    });
  });

  test('checks the signature before the expiry', () => {
    const request = withQuery(presigned(), 'X-Amz-Signature', '0'.repeat(64));
    const later = { region: REGION, now: new Date(NOW.getTime() + 3600_000) };
    expect(thrownS3Error(() => authenticate(request, lookup, later)).code).toBe('SignatureDoesNotMatch');
  });

  test('takes the payload hash from a signed x-amz-content-sha256 header or the X-Amz-Content-Sha256 parameter', () => {
    const fromQuery = presignUrl({
      method: 'PUT',
      url: `${PRESIGN_BASE}&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD`,
      accessKeyId: KEY,
      secretKey: SECRET,
      region: REGION,
      expiresSeconds: 60,
      now: NOW,
    });
    const url = new URL(fromQuery);
    const request = { method: 'PUT', rawPath: url.pathname, rawQuery: url.search.slice(1), headers: { host: url.host } };
    expect(authenticate(request, lookup, options)?.payloadHash).toBe('UNSIGNED-PAYLOAD');
    // Sent but unsigned, the header does not change what was signed.
    const unsignedHeader = withHeader(request, 'x-amz-content-sha256', EMPTY_SHA256);
    expect(authenticate(unsignedHeader, lookup, options)?.payloadHash).toBe('UNSIGNED-PAYLOAD');
  });
});
