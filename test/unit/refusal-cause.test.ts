/**
 * The sentence a refusal appends when a part of the request, not its operation, asked for the
 * missing action: named as the user wrote it (header, a presigned URL's query parameter, a
 * form field), one or several, and what to change. The walk in
 * test/integration/refusals.test.ts checks it on the wire for every header and form field.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { causeSentence } from '../../src/auth/policy.js';
import type { PostForm } from '../../src/auth/post-policy-form.js';
import type { S3Request } from '../../src/operations/types.js';

const request = (headers: IncomingHttpHeaders, extra: Partial<S3Request> = {}) => ({ headers, ...extra }) as S3Request;
const form = { fields: new Map() } as unknown as PostForm;

describe('causeSentence', () => {
  it.each([
    [request({ 'x-amz-acl': 'private' }), ['x-amz-acl'], 'The request header x-amz-acl asks for s3:PutObjectAcl: send the request without it.'],
    [
      request({ 'x-amz-grant-read': 'id=1', 'x-amz-acl': 'private' }),
      ['x-amz-grant-read', 'x-amz-acl'],
      'The request headers x-amz-acl and x-amz-grant-read ask for s3:PutObjectAcl: send the request without them.',
    ],
    [request({}), ['x-amz-acl'], 'The query parameter x-amz-acl of the presigned URL asks for s3:PutObjectAcl: presign the URL without it.'],
    [
      request({ 'x-amz-grant-read': 'id=1' }),
      ['x-amz-grant-read', 'x-amz-acl'],
      'The query parameter x-amz-acl of the presigned URL and the request header x-amz-grant-read ask for s3:PutObjectAcl: presign the URL without them.',
    ],
    [request({}, { form }), ['x-amz-acl'], 'The form field acl asks for s3:PutObjectAcl: send the form (and its policy) without it.'],
    [request({}, { form }), ['x-amz-tagging'], 'The form field tagging asks for s3:PutObjectAcl: send the form (and its policy) without it.'],
  ])('%#: the sentence for %j', (req, headers, sentence) => {
    expect(causeSentence(req, headers, 's3:PutObjectAcl')).toBe(sentence);
  });
});
