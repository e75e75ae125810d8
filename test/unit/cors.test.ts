import { describe, expect, it } from 'vitest';
import { answerPreflight, matchCorsRule, parseCorsRules, requestedHeaderNames, type CorsRule } from '../../src/http/cors.js';
import { thrownS3Error } from './thrown-s3-error.js';

const rules: CorsRule[] = [
  { ID: 'app', AllowedOrigins: ['https://app.example'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['content-type', 'x-amz-*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 300 },
  { AllowedOrigins: ['http://*.preview.example'], AllowedMethods: ['POST'] },
  { AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'] },
];

describe('matchCorsRule', () => {
  it('takes the first rule matching origin, method and every requested header', () => {
    expect(matchCorsRule(rules, 'https://app.example', 'PUT', ['content-type', 'x-amz-meta-owner'])?.ID).toBe('app');
    // GET from the app matches its own rule first; GET from elsewhere falls through to `*`.
    expect(matchCorsRule(rules, 'https://app.example', 'GET')?.ID).toBe('app');
    expect(matchCorsRule(rules, 'https://other.example', 'GET')?.AllowedOrigins).toEqual(['*']);
  });

  it('matches one * wildcard in an origin, and origins exactly (scheme, host and port)', () => {
    expect(matchCorsRule(rules, 'http://pr-12.preview.example', 'POST')).toBeDefined();
    expect(matchCorsRule(rules, 'https://pr-12.preview.example', 'POST')).toBeUndefined();
    expect(matchCorsRule(rules, 'https://app.example:8443', 'PUT')).toBeUndefined();
    expect(matchCorsRule(rules, 'https://APP.example', 'PUT')).toBeUndefined();
  });

  it('matches headers without case, with wildcards, and refuses any header no rule allows', () => {
    expect(matchCorsRule(rules, 'https://app.example', 'PUT', ['Content-Type'.toLowerCase(), 'x-amz-date'])?.ID).toBe('app');
    expect(matchCorsRule(rules, 'https://app.example', 'PUT', ['authorization'])).toBeUndefined();
    // A rule without AllowedHeaders allows a preflight only when it asks for none.
    expect(matchCorsRule(rules, 'http://a.preview.example', 'POST', ['content-type'])).toBeUndefined();
  });

  it('refuses methods no rule allows', () => {
    expect(matchCorsRule(rules, 'https://app.example', 'DELETE')).toBeUndefined();
  });
});

describe('answerPreflight', () => {
  const preflight = (overrides: Partial<Parameters<typeof answerPreflight>[0]>) =>
    answerPreflight({ origin: 'https://app.example', requestMethod: 'PUT', requestHeaders: undefined, rules, resourceType: 'OBJECT', ...overrides });

  it('answers with the matching rule: echoed origin, methods, requested headers, max age, exposed headers', () => {
    expect(preflight({ requestHeaders: 'Content-Type, X-Amz-Meta-Owner' })).toEqual({
      'Access-Control-Allow-Origin': 'https://app.example',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Methods': 'GET, PUT',
      'Access-Control-Allow-Headers': 'content-type, x-amz-meta-owner',
      'Access-Control-Expose-Headers': 'ETag',
      'Access-Control-Max-Age': '300',
    });
    // A rule open to every origin answers `*` and allows no credentials.
    expect(preflight({ origin: 'https://x.example', requestMethod: 'GET' })).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, HEAD',
    });
  });

  it('refuses as S3 does: 403 AccessForbidden (no rule matches / CORS not enabled), 400 BadRequest (no Origin or method)', () => {
    expect(thrownS3Error(() => preflight({ requestMethod: 'DELETE' }))).toMatchObject({
      code: 'AccessForbidden',
      status: 403,
      message:
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headerss are not whitelisted by the resource's CORS spec.",
      fields: { Method: 'DELETE', ResourceType: 'OBJECT' },
    });
    expect(thrownS3Error(() => preflight({ rules: undefined }))).toMatchObject({ code: 'AccessForbidden', message: 'CORSResponse: CORS is not enabled for this bucket.' });
    expect(thrownS3Error(() => preflight({ origin: undefined }))).toMatchObject({ code: 'BadRequest', status: 400, message: 'Insufficient information. Origin request header needed.' });
    expect(thrownS3Error(() => preflight({ requestMethod: undefined }))).toMatchObject({ code: 'BadRequest', message: 'Invalid Access-Control-Request-Method: null' });
    expect(thrownS3Error(() => preflight({ requestMethod: 'PATCH' }))).toMatchObject({ code: 'BadRequest', message: 'Invalid Access-Control-Request-Method: PATCH' });
  });
});

describe('parseCorsRules', () => {
  it('accepts a rule list or { CORSRules }, keeping only the given fields', () => {
    const rule = { AllowedOrigins: ['*'], AllowedMethods: ['GET'] };
    expect(parseCorsRules([rule], 'x')).toEqual([rule]);
    expect(parseCorsRules({ CORSRules: [{ ...rule, MaxAgeSeconds: 0 }] }, 'x')).toEqual([{ ...rule, MaxAgeSeconds: 0 }]);
  });

  it.each([
    [{}, 'cfg: expected a list of CORS rules, or { "CORSRules": [...] }'],
    [[], 'cfg: give at least one CORS rule'],
    [[{ AllowedMethods: ['GET'] }], 'cfg: rule 1: AllowedOrigins must be a list of non-empty strings'],
    [[{ AllowedOrigins: [], AllowedMethods: ['GET'] }], 'cfg: rule 1: AllowedOrigins must name at least one value'],
    [[{ AllowedOrigins: ['http://*.*.example'], AllowedMethods: ['GET'] }], 'cfg: rule 1: AllowedOrigin "http://*.*.example" may contain at most one * wildcard'],
    [[{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }], 'cfg: rule 1: AllowedMethod "PATCH" is not supported; use GET, PUT, POST, DELETE, HEAD'],
    [[{ AllowedOrigins: ['*'], AllowedMethods: ['GET'], AllowedHeaders: ['x-*-*'] }], 'cfg: rule 1: AllowedHeader "x-*-*" may contain at most one * wildcard'],
    [[{ AllowedOrigins: ['*'], AllowedMethods: ['GET'], MaxAgeSeconds: -1 }], 'cfg: rule 1: MaxAgeSeconds must be a non-negative integer'],
    [[{ AllowedOrigins: ['*'], AllowedMethods: ['GET'], AllowedOrigin: 'x' }], 'cfg: rule 1: unknown field "AllowedOrigin"'],
    [Array.from({ length: 101 }, () => ({ AllowedOrigins: ['*'], AllowedMethods: ['GET'] })), 'cfg: at most 100 CORS rules are allowed, got 101'],
  ])('refuses %j with a message naming the problem', (value, message) => {
    expect(() => parseCorsRules(value, 'cfg')).toThrow(message);
  });
});

describe('requestedHeaderNames', () => {
  it('splits Access-Control-Request-Headers into lower-case names', () => {
    expect(requestedHeaderNames(' Content-Type,x-amz-date , ')).toEqual(['content-type', 'x-amz-date']);
    expect(requestedHeaderNames(undefined)).toEqual([]);
  });
});
