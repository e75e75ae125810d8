/**
 * Browser form uploads (PostObject), fuzzed through the real server: multipart/form-data bodies
 * whose policy is a correctly signed document of random conditions (eq, starts-with,
 * content-length-range with any operands), random JSON or not JSON at all, whose fields carry
 * hostile names and values, and whose multipart framing is sometimes cut. Every form gets a
 * success or a catalogued S3 error; a stored object reads back with the file's bytes.
 * Policy and form: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAmzDate } from '../../src/auth/amz-date.js';
import { SIGV4_ALGORITHM, cachedSigningKey, credentialScope, signatureHex } from '../../src/auth/sigv4-crypto.js';
import { BUCKET, assertStillServing, checkedExchange, fuzz, fuzzTarget, headerText, hostileText, rawRequest, sendSigned } from './harness.js';

const target = fuzzTarget();

const fieldName = fc.oneof(
  fc.constantFrom('key', 'content-type', 'cache-control', 'content-disposition', 'success_action_status', 'success_action_redirect', 'acl', 'tagging', 'x-amz-meta-a', 'x-amz-checksum-crc32', 'x-ignore-me', 'bucket', 'expires'),
  hostileText(12),
);
const operand = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.constant(null), fc.boolean(), fc.constantFrom('$key', '$content-type', '$bucket', '$x-amz-meta-a', 'uploads/', ''));
const condition = fc.oneof(
  fc.tuple(fc.constantFrom('eq', 'starts-with', 'EQ', 'content-length-range', 'in'), operand, operand),
  fc.tuple(fc.constant('content-length-range'), fc.integer({ min: -2, max: 100 }), fc.integer({ min: -2, max: 100 })),
  fc.dictionary(fc.constantFrom('bucket', 'key', 'acl', 'x-amz-meta-a', 'content-type'), operand, { maxKeys: 2 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const expiration = fc.oneof(
  fc.constant(new Date(Date.now() + 3_600_000).toISOString()),
  fc.constantFrom('2000-01-01T00:00:00Z', '2999-12-31T23:59:59.000Z', 'tomorrow', '', '2030-02-30T00:00:00Z'),
  fc.jsonValue({ maxDepth: 1 }),
);
const policyText = fc.oneof(
  fc.tuple(expiration, fc.array(condition, { maxLength: 6 }), fc.boolean()).map(([expires, conditions, withBasics]) =>
    JSON.stringify({ expiration: expires, conditions: withBasics ? [{ bucket: BUCKET }, ['starts-with', '$key', ''], ...conditions] : conditions }),
  ),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  hostileText(80),
);
const policyEncoding = fc.constantFrom('base64', 'raw', 'base64-cut');

function part(boundary: string, name: string, value: Buffer, filename?: string): Buffer {
  const disposition = `form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}`;
  return Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`, 'latin1'), value, Buffer.from('\r\n')]);
}

describe('POST policy forms', () => {
  it('every form gets a catalogued answer; a stored upload reads back with the file', async () => {
    await fuzz(
      'post policy',
      [
        policyText,
        policyEncoding,
        fc.array(fc.tuple(fieldName, fc.oneof(headerText(40), hostileText(40))), { maxLength: 5 }),
        fc.option(hostileText(40)),
        fc.uint8Array({ maxLength: 64 }),
        fc.option(fc.nat()),
        fc.constantFrom('boundary', 'b', '----x', '', 'a'.repeat(80)),
      ],
      async (policy, encoding, extra, key, file, cut, boundary) => {
        const amzDate = formatAmzDate(new Date());
        const scope = credentialScope(amzDate.slice(0, 8), target.env.S3_REGION);
        const base64 = Buffer.from(policy, 'utf8').toString('base64');
        const policyField = encoding === 'raw' ? policy : encoding === 'base64-cut' ? base64.slice(0, -3) : base64;
        const signature = signatureHex(cachedSigningKey(target.env.S3_SECRET_KEY, amzDate.slice(0, 8), target.env.S3_REGION), policyField);
        const fields: [string, string][] = [
          ...(key === null ? [] : [['key', key] as [string, string]]),
          ['x-amz-algorithm', SIGV4_ALGORITHM],
          ['x-amz-credential', `${target.env.S3_ACCESS_KEY}/${scope}`],
          ['x-amz-date', amzDate],
          ['policy', policyField],
          ['x-amz-signature', signature],
          ...extra,
        ];
        let body = Buffer.concat([
          ...fields.map(([name, value]) => part(boundary, name, Buffer.from(value, 'utf8'))),
          part(boundary, 'file', Buffer.from(file), 'f.bin'),
          Buffer.from(`--${boundary}--\r\n`),
        ]);
        if (cut !== null) body = body.subarray(0, cut % (body.length + 1));
        const headers: [string, string][] = [
          ['host', `127.0.0.1:${target.port}`],
          ['content-type', `multipart/form-data; boundary=${boundary}`],
          ['content-length', String(body.length)],
          ['connection', 'close'],
        ];
        const response = await checkedExchange(target, rawRequest('POST', `/${BUCKET}`, headers, body), 'POST');
        if (response.status < 300 && key !== null && !key.includes('${filename}')) {
          const stored = await sendSigned(target, { method: 'GET', rawPath: `/${BUCKET}/${encodeURIComponent(key).replace(/%2F/g, '/')}` });
          if (stored.status === 200) expect(stored.body.equals(Buffer.from(file))).toBe(true);
        }
        await assertStillServing(target);
      },
    );
  });
});
