/**
 * SigV4, fuzzed through the real server: a valid signed request (Authorization header) or
 * presigned URL (X-Amz-* query parameters) with one or more of its parts replaced by hostile
 * text, dropped, duplicated or re-cased — re-signed or not. Every variant gets a success or a
 * catalogued S3 error (AuthorizationHeaderMalformed, AuthorizationQueryParametersError,
 * SignatureDoesNotMatch …); the untouched request succeeds.
 * Header and query shapes: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatAmzDate } from '../../src/auth/amz-date.js';
import { buildCanonicalRequest } from '../../src/auth/canonical-request.js';
import { SIGV4_ALGORITHM, cachedSigningKey, credentialScope, signatureHex, stringToSign } from '../../src/auth/sigv4-crypto.js';
import { BUCKET, assertStillServing, checkedExchange, fuzz, fuzzTarget, headerText, hostileText, percentEncodeBytes, rawRequest, sendSigned, signedRaw } from './harness.js';
import { sdkSigner } from '../raw-request.js';

const target = fuzzTarget();
const rawPath = `/${BUCKET}/sig/key`;

beforeAll(async () => {
  expect((await sendSigned(target, { method: 'PUT', rawPath, body: Buffer.from('signed') })).status).toBe(200);
});

const hexSignature = fc.stringMatching(/^[0-9a-fA-F]{0,70}$/);
const dateText = fc.oneof(
  fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true }).map(formatAmzDate),
  fc.constantFrom('20250101T000000Z', '99991231T235959Z', '20251301T000000Z', '2025-01-01T00:00:00Z', 'Thu, 01 Jan 1970 00:00:00 GMT', ''),
  headerText(24),
);

/** How a request's SigV4 parts can go wrong. */
const authorizationMutation = fc.oneof(
  fc.record({ kind: fc.constant('authorization' as const), value: headerText(200) }),
  fc.record({ kind: fc.constant('scheme' as const), value: fc.oneof(fc.constantFrom('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256', 'AWS', 'aws4-hmac-sha256', 'Bearer', ''), headerText(20)) }),
  fc.record({ kind: fc.constant('credential-part' as const), index: fc.integer({ min: 0, max: 5 }), value: fc.oneof(headerText(20), fc.constantFrom('', 's3', 'aws4_request', 'us-east-1', '20250101')) }),
  fc.record({ kind: fc.constant('signed-headers' as const), value: fc.oneof(headerText(40), fc.constantFrom('', 'host', 'host;x-amz-date', 'HOST;X-AMZ-DATE;X-AMZ-CONTENT-SHA256', 'host;;x-amz-date', 'x-amz-date;host')) }),
  fc.record({ kind: fc.constant('signature' as const), value: fc.oneof(hexSignature, headerText(70)) }),
  fc.record({ kind: fc.constant('separator' as const), value: fc.constantFrom(',', ', ', ' , ', ';', ',,', '') }),
  fc.record({ kind: fc.constant('x-amz-date' as const), value: dateText }),
  fc.record({ kind: fc.constant('x-amz-content-sha256' as const), value: fc.oneof(hexSignature, fc.constantFrom('UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD', ''), headerText(70)) }),
  fc.record({ kind: fc.constant('drop' as const), value: fc.constantFrom('x-amz-date', 'x-amz-content-sha256', 'host', 'authorization') }),
  fc.record({ kind: fc.constant('duplicate' as const), value: fc.constantFrom('x-amz-date', 'x-amz-content-sha256', 'authorization', 'host') }),
  fc.record({ kind: fc.constant('date' as const), value: dateText }),
);
type AuthorizationMutation = typeof authorizationMutation extends fc.Arbitrary<infer T> ? T : never;

function mutateHeaders(headers: [string, string][], mutation: AuthorizationMutation): [string, string][] {
  // A dropped Authorization header is mutated as an empty one.
  const authorization = headers.find(([name]) => name === 'authorization')?.[1] ?? '';
  const space = authorization.indexOf(' ');
  const [scheme, rest] = space === -1 ? [authorization, ''] : [authorization.slice(0, space), authorization.slice(space + 1)];
  const components = [...rest.split(', '), '', '', ''].slice(0, Math.max(3, rest.split(', ').length));
  const replaceAuthorization = (value: string): [string, string][] => [...headers.filter(([name]) => name !== 'authorization'), ['authorization', value]];
  switch (mutation.kind) {
    case 'authorization':
      return replaceAuthorization(mutation.value);
    case 'scheme':
      return replaceAuthorization(`${mutation.value} ${rest}`);
    case 'credential-part': {
      const parts = components[0].slice('Credential='.length).split('/');
      parts[Math.min(mutation.index, parts.length)] = mutation.value;
      return replaceAuthorization(`${scheme} ${[`Credential=${parts.join('/')}`, ...components.slice(1)].join(', ')}`);
    }
    case 'signed-headers':
      return replaceAuthorization(`${scheme} ${[components[0], `SignedHeaders=${mutation.value}`, components[2]].join(', ')}`);
    case 'signature':
      return replaceAuthorization(`${scheme} ${[components[0], components[1], `Signature=${mutation.value}`].join(', ')}`);
    case 'separator':
      return replaceAuthorization(`${scheme} ${components.join(mutation.value)}`);
    case 'x-amz-date':
    case 'x-amz-content-sha256':
    case 'date':
      return [...headers.filter(([name]) => name !== mutation.kind), [mutation.kind, mutation.value]];
    case 'drop':
      return headers.filter(([name]) => name !== mutation.value);
    case 'duplicate':
      return [...headers, headers.find(([name]) => name === mutation.value) ?? [mutation.value, '']];
  }
}

describe('SigV4 Authorization header', () => {
  it('every mutation of a signed request gets a catalogued answer; the untouched one succeeds', async () => {
    await fuzz(
      'sigv4 header',
      [fc.constantFrom('GET', 'HEAD', 'PUT'), fc.array(authorizationMutation, { maxLength: 3 })],
      async (method, mutations) => {
        const body = method === 'PUT' ? Buffer.from('signed') : undefined;
        const signed = signedRaw(target, { method, rawPath, body });
        const headers = mutations.reduce(mutateHeaders, signed.headers);
        const response = await checkedExchange(target, rawRequest(method, signed.path, headers, body), method);
        if (mutations.length === 0) expect(response.status).toBe(200);
        await assertStillServing(target);
      },
    );
  });
});

const PRESIGN_NAMES = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders'] as const;

/** A presigned URL's query (valid, or with the given parameters changed before signing). */
function presignedQuery(pairs: [string, string][], signature: string | undefined): string {
  const query = pairs.map(([name, value]) => `${name}=${value}`).join('&');
  const canonical = buildCanonicalRequest({
    method: 'GET',
    rawPath,
    rawQuery: query,
    headers: { host: `127.0.0.1:${target.port}` },
    signedHeaders: ['host'],
    payloadHash: 'UNSIGNED-PAYLOAD',
    omitSignatureParameter: true,
  });
  const amzDate = formatAmzDate(new Date());
  const key = cachedSigningKey(target.env.S3_SECRET_KEY, amzDate.slice(0, 8), target.env.S3_REGION);
  return `${query}&X-Amz-Signature=${signature ?? signatureHex(key, stringToSign(amzDate, credentialScope(amzDate.slice(0, 8), target.env.S3_REGION), canonical))}`;
}

const queryValue = fc.oneof(
  hostileText(40).map((text) => percentEncodeBytes(Buffer.from(text, 'utf8'))),
  fc.constantFrom('', '0', '1', '604800', '604801', '-1', '1e3', '%', 'AWS4-HMAC-SHA256', 'host', 'host%3Bx-amz-date'),
);
const presignMutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), name: fc.constantFrom(...PRESIGN_NAMES, 'X-Amz-Signature'), value: queryValue }),
  fc.record({ kind: fc.constant('drop' as const), name: fc.constantFrom(...PRESIGN_NAMES) }),
  fc.record({ kind: fc.constant('duplicate' as const), name: fc.constantFrom(...PRESIGN_NAMES) }),
  fc.record({ kind: fc.constant('lower-case' as const), name: fc.constantFrom(...PRESIGN_NAMES) }),
  fc.record({ kind: fc.constant('add' as const), name: fc.constantFrom('X-Amz-Content-Sha256', 'X-Amz-Security-Token', 'Signature', 'AWSAccessKeyId', 'x-id', 'response-content-type'), value: queryValue }),
);
type PresignMutation = typeof presignMutation extends fc.Arbitrary<infer T> ? T : never;

describe('SigV4 presigned URL', () => {
  it('every mutation of a presigned URL, re-signed or not, gets a catalogued answer; the untouched one succeeds', async () => {
    await fuzz(
      'sigv4 presigned',
      [fc.array(presignMutation, { maxLength: 3 }), fc.boolean(), fc.boolean()],
      async (mutations, resign, withAuthorizationHeader) => {
        const amzDate = formatAmzDate(new Date());
        let pairs: [string, string][] = [
          ['X-Amz-Algorithm', SIGV4_ALGORITHM],
          ['X-Amz-Credential', encodeURIComponent(`${target.env.S3_ACCESS_KEY}/${credentialScope(amzDate.slice(0, 8), target.env.S3_REGION)}`)],
          ['X-Amz-Date', amzDate],
          ['X-Amz-Expires', '300'],
          ['X-Amz-SignedHeaders', 'host'],
        ];
        const valid = presignedQuery(pairs, undefined);
        const signature = /X-Amz-Signature=(\w+)$/.exec(valid)![1];
        let signatureValue: string | undefined;
        for (const mutation of mutations as PresignMutation[]) {
          if (mutation.kind === 'replace' && mutation.name === 'X-Amz-Signature') signatureValue = mutation.value;
          else if (mutation.kind === 'replace') pairs = pairs.map(([name, value]) => [name, name === mutation.name ? mutation.value : value]);
          else if (mutation.kind === 'drop') pairs = pairs.filter(([name]) => name !== mutation.name);
          else if (mutation.kind === 'duplicate') pairs = [...pairs, pairs.find(([name]) => name === mutation.name) ?? [mutation.name, '']];
          else if (mutation.kind === 'lower-case') pairs = pairs.map(([name, value]) => [name === mutation.name ? name.toLowerCase() : name, value]);
          else pairs = [...pairs, [mutation.name, mutation.value]];
        }
        const query = presignedQuery(pairs, signatureValue ?? (resign ? undefined : signature));
        const headers: [string, string][] = [['host', `127.0.0.1:${target.port}`], ['connection', 'close']];
        if (withAuthorizationHeader) headers.push(['authorization', `AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=${signature}`]);
        const response = await checkedExchange(target, rawRequest('GET', `${rawPath}?${query}`, headers), 'GET');
        if (mutations.length === 0 && !withAuthorizationHeader) expect(response.status).toBe(200);
        await assertStillServing(target);
      },
    );
  });
});

/** How the AWS SDK puts a text into a URL: encodeURIComponent, plus !'()* (smithy's extendedEncodeURIComponent). */
const sdkEncode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
/** Text the SDK can send: well-formed UTF-16 (a lone surrogate cannot be encoded). */
const sdkText = (maxLength: number) => hostileText(maxLength).map((text) => text.replace(/[\ud800-\udfff]/g, '\ufffd'));

describe('SigV4 as the AWS SDK signs it', () => {
  it('a request signed by @smithy/signature-v4 (not our signer) for any key and query values is never SignatureDoesNotMatch', async () => {
    const signer = sdkSigner(target.env);
    await fuzz(
      'sigv4 sdk-signed',
      [
        fc.array(sdkText(20).filter((segment) => segment !== ''), { minLength: 1, maxLength: 4 }),
        fc.dictionary(fc.constantFrom('prefix', 'delimiter', 'start-after', 'continuation-token', 'marker', 'versionId', 'x-id'), sdkText(30), { maxKeys: 4 }),
        fc.boolean(),
      ],
      async (segments, parameters, onBucket) => {
        // The SDK keeps a key's slashes and encodes each segment between them.
        const path = onBucket ? `/${BUCKET}` : `/${BUCKET}/${segments.join('/').split('/').map(sdkEncode).join('/')}`;
        const query: Record<string, string> = onBucket ? { 'list-type': '2', ...parameters } : parameters;
        const url = new URL(target.env.S3_ENDPOINT);
        const signed = await signer.sign({
          method: 'GET',
          protocol: url.protocol,
          hostname: url.hostname,
          port: Number(url.port),
          path,
          query,
          headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        });
        const rawQuery = Object.entries(query)
          .map(([name, value]) => `${sdkEncode(name)}=${sdkEncode(value)}`)
          .join('&');
        const headers = [...Object.entries(signed.headers), ['connection', 'close']] as [string, string][];
        const response = await checkedExchange(target, rawRequest('GET', rawQuery ? `${path}?${rawQuery}` : path, headers), 'GET');
        expect(response.body.toString()).not.toContain('<Code>SignatureDoesNotMatch</Code>');
        await assertStillServing(target);
      },
    );
  });
});
