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
import { BUCKET, assertStillServing, checkedExchange, fuzz, fuzzTarget, headerText, hostileText, percentEncodeBytes, rawRequest, sendSigned } from './harness.js';

const target = fuzzTarget();

const fieldName = fc.oneof(
  { arbitrary: fc.constantFrom('key', 'content-type', 'cache-control', 'content-disposition', 'success_action_status', 'success_action_redirect', 'acl', 'tagging', 'x-amz-meta-a', 'x-amz-checksum-crc32', 'x-ignore-me', 'bucket', 'expires'), weight: 4 },
  { arbitrary: hostileText(12), weight: 1 },
);
const operand = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.constant(null), fc.boolean(), fc.constantFrom('$key', '$content-type', '$bucket', '$x-amz-meta-a', 'uploads/', ''));
const condition = fc.oneof(
  fc.tuple(fc.constantFrom('eq', 'starts-with', 'EQ', 'content-length-range', 'in'), operand, operand),
  fc.tuple(fc.constant('content-length-range'), fc.integer({ min: -2, max: 100 }), fc.integer({ min: -2, max: 100 })),
  fc.dictionary(fc.constantFrom('bucket', 'key', 'acl', 'x-amz-meta-a', 'content-type'), operand, { maxKeys: 2 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const expiration = fc.oneof(
  { weight: 6, arbitrary: fc.constant(new Date(Date.now() + 3_600_000).toISOString()) },
  fc.constantFrom('2000-01-01T00:00:00Z', '2999-12-31T23:59:59.000Z', 'tomorrow', '', '2030-02-30T00:00:00Z'),
  fc.jsonValue({ maxDepth: 1 }),
);
const policyText = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(expiration, fc.array(condition, { maxLength: 6 }), fc.boolean()).map(([expires, conditions, withBasics]) =>
    JSON.stringify({ expiration: expires, conditions: withBasics ? [{ bucket: BUCKET }, ['starts-with', '$key', ''], ...conditions] : conditions }),
  ) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: hostileText(80) },
);
const policyEncoding = fc.oneof({ weight: 8, arbitrary: fc.constant('base64') }, { weight: 1, arbitrary: fc.constantFrom('raw', 'base64-cut') });

/** The policy with a `starts-with $NAME ""` condition for each name, when it is a JSON object with a conditions list. */
function coverEveryField(policy: string, names: string[]): string {
  try {
    const document = JSON.parse(policy) as { conditions?: unknown };
    if (!Array.isArray(document.conditions)) return policy;
    document.conditions.push(...names.map((name) => ['starts-with', `$${name}`, '']));
    return JSON.stringify(document);
  } catch {
    return policy;
  }
}

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
        // Mostly well-framed, so that the policy and the fields are reached.
        fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: fc.nat(), weight: 1 }),
        fc.oneof({ arbitrary: fc.constant('boundary'), weight: 4 }, { arbitrary: fc.constantFrom('b', '----x', '', 'a'.repeat(80)), weight: 1 }),
        fc.boolean(),
      ],
      async (policy, encoding, extra, key, file, cut, boundary, coverFields) => {
        const amzDate = formatAmzDate(new Date());
        const scope = credentialScope(amzDate.slice(0, 8), target.env.S3_REGION);
        // Half the time the policy covers every extra field, so that hostile values reach the stored object.
        const covered = coverFields ? coverEveryField(policy, ['key', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', ...extra.map(([name]) => name)]) : policy;
        const base64 = Buffer.from(covered, 'utf8').toString('base64');
        const policyField = encoding === 'raw' ? covered : encoding === 'base64-cut' ? base64.slice(0, -3) : base64;
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
          const stored = await sendSigned(target, { method: 'GET', rawPath: `/${BUCKET}/${key.split('/').map((segment) => percentEncodeBytes(Buffer.from(segment, 'utf8'))).join('/')}` });
          if (stored.status === 200) expect(stored.body.equals(Buffer.from(file))).toBe(true);
        }
        await assertStillServing(target);
      },
    );
  });
});
