/**
 * How a gateway's backend failures reach the client and the operator: the client gets a precise
 * S3 error that names at most the backend's error code; what failed, the backend's message and its
 * address go to the request log only (the error's hint).
 */
import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { backendError } from '../../src/store/s3-backend/client.js';

function backendException(name: string, status: number, message: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
}

describe('backendError', () => {
  it('an unreachable backend is 503 ServiceUnavailable, its address only in the log', () => {
    const error = backendError(new Error('connect ECONNREFUSED 10.0.0.7:9000'), 'read photos/cat.jpg');
    expect([error.code, error.status, error.message]).toEqual(['ServiceUnavailable', 503, 'The storage backend is unavailable. Please retry.']);
    expect(error.hint).toBe('the storage backend failed to read photos/cat.jpg: no answer connect ECONNREFUSED 10.0.0.7:9000');
  });

  it('a 5xx of the backend is 503 too, and a multi-line message is one log line', () => {
    const error = backendError(backendException('InternalError', 500, 'We encountered\nan internal error'), 'write .smll-gateway/meta/0123');
    expect([error.code, error.status]).toEqual(['ServiceUnavailable', 503]);
    expect(error.message).not.toContain('.smll-gateway');
    expect(error.hint).toBe('the storage backend failed to write .smll-gateway/meta/0123: 500 InternalError: We encountered an internal error');
  });

  it("a key the backend refuses is 400 InvalidArgument naming the backend's code, nothing else", () => {
    const error = backendError(backendException('XMinioInvalidObjectName', 400, 'Object name contains unsupported characters.'), 'write a//b');
    expect([error.code, error.status, error.message]).toEqual(['InvalidArgument', 400, 'The storage backend refuses this request (XMinioInvalidObjectName).']);
    expect(error.hint).toContain('Object name contains unsupported characters.');
  });

  it('any other refusal of the backend (its credentials, its policy) is 500 InternalError with the default message', () => {
    const error = backendError(backendException('AccessDenied', 403, 'Access Denied.'), 'read k');
    expect([error.code, error.status, error.message]).toEqual(['InternalError', 500, 'We encountered an internal error. Please try again.']);
    expect(error.hint).toBe('the storage backend failed to read k: 403 AccessDenied: Access Denied.');
  });
});
