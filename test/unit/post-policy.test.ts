import { describe, expect, it } from 'vitest';
import { evaluatePolicyConditions, parsePolicyDocument } from '../../src/auth/post-policy.js';
import { S3Error } from '../../src/s3/s3-error.js';

const fields = (entries: Record<string, string>) => new Map(Object.entries(entries));

function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof S3Error) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected an S3Error');
}

describe('evaluatePolicyConditions', () => {
  it('accepts exact matches (object and eq forms), starts-with, and returns the content-length-range', () => {
    const range = evaluatePolicyConditions(
      [{ bucket: 'b' }, ['eq', '$key', 'uploads/a.txt'], ['starts-with', '$Content-Type', 'image/'], ['content-length-range', 1, '1024']],
      fields({ key: 'uploads/a.txt', 'content-type': 'image/png' }),
      'b',
    );
    expect(range).toEqual({ min: 1, max: 1024 });
  });

  it('compares field names without case and takes $bucket from the URL, not from a field', () => {
    expect(() => evaluatePolicyConditions([{ Bucket: 'b' }, { KEY: 'k' }], fields({ key: 'k' }), 'b')).not.toThrow();
    expect(errorOf(() => evaluatePolicyConditions([{ bucket: 'b' }], fields({ bucket: 'b' }), 'other'))).toEqual({
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "b"]',
    });
  });

  it('names the failed condition as S3 prints it', () => {
    expect(errorOf(() => evaluatePolicyConditions([['starts-with', '$key', 'uploads/']], fields({ key: 'x' }), 'b')).message).toBe(
      'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]',
    );
    // A missing field is the empty string: it fails eq but passes starts-with "".
    expect(errorOf(() => evaluatePolicyConditions([['eq', '$acl', 'private']], fields({}), 'b')).message).toContain('["eq", "$acl", "private"]');
    expect(() => evaluatePolicyConditions([['starts-with', '$x-amz-meta-tag', '']], fields({}), 'b')).not.toThrow();
  });

  it('requires each type of a comma-separated Content-Type to start with the prefix', () => {
    const condition = [['starts-with', '$content-type', 'image/']];
    expect(() => evaluatePolicyConditions(condition, fields({ 'content-type': 'image/png, image/gif' }), 'b')).not.toThrow();
    expect(errorOf(() => evaluatePolicyConditions(condition, fields({ 'content-type': 'image/png, text/html' }), 'b')).code).toBe('AccessDenied');
  });

  it('refuses fields no condition mentions, except the signature, policy, file and x-ignore-*', () => {
    expect(
      errorOf(() => evaluatePolicyConditions([{ key: 'k' }], fields({ key: 'k', 'x-amz-meta-a': '1', success_action_status: '201' }), 'b')).message,
    ).toBe('Invalid according to Policy: Extra input fields: x-amz-meta-a, success_action_status');
    expect(() =>
      evaluatePolicyConditions([{ key: 'k' }], fields({ key: 'k', policy: 'p', 'x-amz-signature': 's', 'x-ignore-me': '1' }), 'b'),
    ).not.toThrow();
  });

  it('rejects malformed conditions with InvalidPolicyDocument', () => {
    for (const condition of [
      ['in', '$key', 'a'],
      ['eq', 'key', 'a'],
      ['eq', '$key'],
      ['content-length-range', -1, 10],
      ['content-length-range', 'a', 10],
      { key: 'a', acl: 'b' },
      { key: 1 },
      'key',
    ]) {
      expect(errorOf(() => evaluatePolicyConditions([condition], fields({ key: 'a' }), 'b')).code, JSON.stringify(condition)).toBe('InvalidPolicyDocument');
    }
  });
});

describe('parsePolicyDocument', () => {
  const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
  const now = new Date('2026-06-01T00:00:00Z');

  it('decodes the base64 JSON document', () => {
    expect(parsePolicyDocument(encode({ expiration: '2026-06-01T01:00:00.000Z', conditions: [{ key: 'a' }] }), now)).toEqual({ conditions: [{ key: 'a' }] });
  });

  it('refuses an expired policy with AccessDenied, and malformed ones with InvalidPolicyDocument', () => {
    expect(errorOf(() => parsePolicyDocument(encode({ expiration: '2026-05-31T23:59:59Z', conditions: [] }), now))).toEqual({
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy expired.',
    });
    expect(errorOf(() => parsePolicyDocument(encode('not json'), now))).toEqual({ code: 'InvalidPolicyDocument', message: 'Invalid Policy: Invalid JSON.' });
    expect(errorOf(() => parsePolicyDocument(encode({ conditions: [] }), now)).message).toBe('Invalid Policy: Policy missing expiration.');
    expect(errorOf(() => parsePolicyDocument(encode({ expiration: 'tomorrow', conditions: [] }), now)).message).toBe(
      "Invalid Policy: Invalid 'expiration' value: 'tomorrow'",
    );
    expect(errorOf(() => parsePolicyDocument(encode({ expiration: '2026-06-02T00:00:00Z' }), now)).message).toBe('Invalid Policy: Policy missing conditions.');
  });

  it('answers an expiration that is not a string with its JSON, whatever keys it has (the fuzzer found a 500 for {"toString": 1})', () => {
    const cases: Array<[unknown, string]> = [
      [{ toString: -1.5 }, '{"toString":-1.5}'],
      [{ valueOf: 'x', toJSON: 1 }, '{"valueOf":"x","toJSON":1}'],
      [[1, 'a'], '[1,"a"]'],
      [20260601, '20260601'],
      [null, 'null'],
      [true, 'true'],
    ];
    for (const [expiration, shown] of cases) {
      expect(errorOf(() => parsePolicyDocument(encode({ expiration, conditions: [] }), now))).toEqual({
        code: 'InvalidPolicyDocument',
        message: `Invalid Policy: Invalid 'expiration' value: '${shown}'`,
      });
    }
  });
});
