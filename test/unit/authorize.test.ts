/**
 * The authorize stage on its own: the addressed resource and the operation's action, then the
 * actions headers ask for, then a second resource a header names (a copy's source), whose refusal
 * names the source's ARN. test/integration/refusals.test.ts walks the whole table on the wire.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { authorize, type AuthorizationRequest } from '../../src/auth/policy.js';
import { OPERATIONS, SMLL_GRANTED_ACTIONS } from '../../src/operations/table.js';
import { thrownS3Error } from './thrown-s3-error.js';

const row = (name: string) => OPERATIONS.find((spec) => spec.name === name)!;
const granted = new Set<string>(SMLL_GRANTED_ACTIONS);

function request(name: string, headers: IncomingHttpHeaders, extra: Partial<AuthorizationRequest> = {}): AuthorizationRequest {
  return { bucket: 'mine', key: 'target', operation: row(name), headers, query: new URLSearchParams(), presigned: false, ...extra };
}

const iamMessage = (action: string, arn: string) =>
  `User: arn:aws:iam::000000000000:user/mine is not authorized to perform: ${action} on resource: "${arn}" because no identity-based policy allows the ${action} action`;

describe.each(['CopyObject', 'UploadPartCopy'])('authorize: the source of %s', (name) => {
  it('passes a source in the credential’s bucket', () => {
    expect(() => authorize(request(name, { 'x-amz-copy-source': '/mine/some%20key' }), 'mine', granted)).not.toThrow();
  });

  it('refuses a source in another bucket, naming its ARN and the header', () => {
    expect(thrownS3Error(() => authorize(request(name, { 'x-amz-copy-source': 'theirs/a%2Fb' }), 'mine', granted))).toMatchObject({
      code: 'AccessDenied',
      message: `${iamMessage('s3:GetObject', 'arn:aws:s3:::theirs/a/b')}. The request header x-amz-copy-source names the bucket theirs: these credentials reach mine only.`,
    });
  });

  it('needs s3:GetObjectVersion for a versionId, and passes once it is granted', () => {
    const versioned = request(name, { 'x-amz-copy-source': 'mine/k?versionId=v1' });
    expect(thrownS3Error(() => authorize(versioned, 'mine', granted))).toMatchObject({
      code: 'AccessDenied',
      message: `${iamMessage('s3:GetObjectVersion', 'arn:aws:s3:::mine/k')}. The versionId in the request header x-amz-copy-source asks for s3:GetObjectVersion: send the request without it.`,
    });
    expect(() => authorize(versioned, 'mine', new Set([...granted, 's3:GetObjectVersion']))).not.toThrow();
  });

  it('refuses a versionId source in another bucket for the bucket first, naming s3:GetObjectVersion', () => {
    expect(thrownS3Error(() => authorize(request(name, { 'x-amz-copy-source': 'theirs/k?versionId=v1' }), 'mine', granted)).message).toBe(
      `${iamMessage('s3:GetObjectVersion', 'arn:aws:s3:::theirs/k')}. The request header x-amz-copy-source names the bucket theirs: these credentials reach mine only.`,
    );
  });

  it('answers a malformed source before refusing it', () => {
    expect(thrownS3Error(() => authorize(request(name, { 'x-amz-copy-source': 'theirs/' }), 'mine', granted))).toMatchObject({
      code: 'InvalidArgument',
      message: 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    });
    expect(thrownS3Error(() => authorize(request(name, { 'x-amz-copy-source': `theirs/${'k'.repeat(1025)}` }), 'mine', granted))).toMatchObject({
      code: 'KeyTooLongError',
    });
  });

  it('refuses the addressed bucket before looking at the source', () => {
    expect(thrownS3Error(() => authorize(request(name, { 'x-amz-copy-source': 'theirs/' }, { bucket: 'theirs' }), 'mine', granted))).toMatchObject({
      code: 'AccessDenied',
      message: iamMessage('s3:PutObject', 'arn:aws:s3:::theirs/target'),
    });
  });
});

describe('authorize: the actions headers ask for', () => {
  it('are checked before the source', () => {
    const err = thrownS3Error(() => authorize(request('CopyObject', { 'x-amz-copy-source': 'theirs/k', 'x-amz-acl': 'private' }), 'mine', granted));
    expect(err.message).toContain('not authorized to perform: s3:PutObjectAcl on resource: "arn:aws:s3:::mine/target"');
  });

  it('include a presigned URL’s x-amz-* query parameters, named as such', () => {
    const presigned = request('PutObject', {}, { presigned: true, query: new URLSearchParams('X-Amz-Tagging=a%3Db') });
    expect(thrownS3Error(() => authorize(presigned, 'mine', granted)).message).toMatch(
      /s3:PutObjectTagging action\. The query parameter x-amz-tagging of the presigned URL asks for s3:PutObjectTagging: presign the URL without it\.$/,
    );
    // Signed by its Authorization header, the same query is no header.
    expect(() => authorize({ ...presigned, presigned: false }, 'mine', granted)).not.toThrow();
  });
});
