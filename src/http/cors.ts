/**
 * CORS per bucket, as S3 evaluates a bucket's CORS configuration. SMLL buckets get theirs at
 * provisioning time (the S3 API's PutBucketCors stays refused), so the rules come from the
 * emulator's options, CLI flags or config file, all through parseCorsRules.
 *
 * A preflight (OPTIONS) is answered without authentication: the first rule whose origin, method
 * and every requested header match wins. Actual requests (successes and errors alike) carry the
 * CORS headers of the first rule matching their origin and method.
 */
import { S3Error } from '../s3/s3-error.js';

/** One rule, in the shape of S3's CORSRule (as the AWS SDKs and `aws s3api put-bucket-cors` write it). */
export interface CorsRule {
  ID?: string;
  AllowedOrigins: string[];
  AllowedMethods: Array<'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD'>;
  AllowedHeaders?: string[];
  ExposeHeaders?: string[];
  MaxAgeSeconds?: number;
}

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const;
/** S3 accepts at most 100 rules per bucket. */
const MAX_RULES = 100;

function fail(where: string, problem: string): never {
  throw new Error(`${where}: ${problem}`);
}

function stringList(value: unknown, where: string, name: string, required: boolean): string[] | undefined {
  if (value === undefined && !required) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    fail(where, `${name} must be a list of non-empty strings`);
  }
  if (required && value.length === 0) fail(where, `${name} must name at least one value`);
  return value as string[];
}

/**
 * Validates CORS rules given as a list of CORSRule objects, or as `{ "CORSRules": [...] }` (the
 * document `aws s3api get-bucket-cors` prints). `where` names the source in error messages,
 * e.g. `--cors my-bucket` or `smll-storage.config.json: buckets[0].cors`.
 */
export function parseCorsRules(value: unknown, where: string): CorsRule[] {
  const list = Array.isArray(value)
    ? value
    : typeof value === 'object' && value !== null && 'CORSRules' in value
      ? (value as { CORSRules: unknown }).CORSRules
      : fail(where, 'expected a list of CORS rules, or { "CORSRules": [...] }');
  if (!Array.isArray(list)) fail(where, 'CORSRules must be a list of rules');
  if (list.length === 0) fail(where, 'give at least one CORS rule');
  if (list.length > MAX_RULES) fail(where, `at most ${MAX_RULES} CORS rules are allowed, got ${list.length}`);
  return list.map((item: unknown, index) => {
    const at = `${where}: rule ${index + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) fail(at, 'a rule must be an object');
    const rule = item as Record<string, unknown>;
    const known = new Set(['ID', 'AllowedOrigins', 'AllowedMethods', 'AllowedHeaders', 'ExposeHeaders', 'MaxAgeSeconds']);
    for (const key of Object.keys(rule)) {
      if (!known.has(key)) fail(at, `unknown field "${key}" (a rule has ${[...known].join(', ')})`);
    }
    const origins = stringList(rule.AllowedOrigins, at, 'AllowedOrigins', true)!;
    for (const origin of origins) {
      if (origin.split('*').length > 2) fail(at, `AllowedOrigin "${origin}" may contain at most one * wildcard`);
    }
    const methods = stringList(rule.AllowedMethods, at, 'AllowedMethods', true)!;
    for (const method of methods) {
      if (!(METHODS as readonly string[]).includes(method)) {
        fail(at, `AllowedMethod "${method}" is not supported; use ${METHODS.join(', ')}`);
      }
    }
    const headers = stringList(rule.AllowedHeaders, at, 'AllowedHeaders', false);
    for (const header of headers ?? []) {
      if (header.split('*').length > 2) fail(at, `AllowedHeader "${header}" may contain at most one * wildcard`);
    }
    const expose = stringList(rule.ExposeHeaders, at, 'ExposeHeaders', false);
    const maxAge = rule.MaxAgeSeconds;
    if (maxAge !== undefined && (typeof maxAge !== 'number' || !Number.isSafeInteger(maxAge) || maxAge < 0)) {
      fail(at, 'MaxAgeSeconds must be a non-negative integer');
    }
    if (rule.ID !== undefined && (typeof rule.ID !== 'string' || rule.ID.length > 255)) fail(at, 'ID must be a string of at most 255 characters');
    return {
      ...(rule.ID !== undefined ? { ID: rule.ID as string } : {}),
      AllowedOrigins: origins,
      AllowedMethods: methods as CorsRule['AllowedMethods'],
      ...(headers ? { AllowedHeaders: headers } : {}),
      ...(expose ? { ExposeHeaders: expose } : {}),
      ...(maxAge !== undefined ? { MaxAgeSeconds: maxAge as number } : {}),
    };
  });
}

/** `*` matches any run of characters (S3 allows one per pattern); the rest is literal. */
function wildcardMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star === -1) return p === v;
  const prefix = p.slice(0, star);
  const suffix = p.slice(star + 1);
  return v.length >= prefix.length + suffix.length && v.startsWith(prefix) && v.endsWith(suffix);
}

/** The first rule allowing this origin, method and (for a preflight) every requested header. */
export function matchCorsRule(
  rules: readonly CorsRule[],
  origin: string,
  method: string,
  requestedHeaders: readonly string[] = [],
): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.AllowedOrigins.some((allowed) => wildcardMatches(allowed, origin, false)) &&
      (rule.AllowedMethods as readonly string[]).includes(method) &&
      requestedHeaders.every((header) => (rule.AllowedHeaders ?? []).some((allowed) => wildcardMatches(allowed, header, true))),
  );
}

/** The response headers a matching rule gives. */
export function corsResponseHeaders(rule: CorsRule, origin: string, requestedHeaders: readonly string[] = []): Record<string, string> {
  // A rule open to every origin answers `*` (and so cannot allow credentials); others echo the origin.
  const anyOrigin = rule.AllowedOrigins.includes('*');
  return {
    'Access-Control-Allow-Origin': anyOrigin ? '*' : origin,
    ...(anyOrigin ? {} : { 'Access-Control-Allow-Credentials': 'true' }),
    'Access-Control-Allow-Methods': rule.AllowedMethods.join(', '),
    ...(requestedHeaders.length ? { 'Access-Control-Allow-Headers': requestedHeaders.join(', ') } : {}),
    ...(rule.ExposeHeaders?.length ? { 'Access-Control-Expose-Headers': rule.ExposeHeaders.join(', ') } : {}),
    ...(rule.MaxAgeSeconds !== undefined ? { 'Access-Control-Max-Age': String(rule.MaxAgeSeconds) } : {}),
  };
}

/** Responses depend on these request headers wherever a bucket has CORS rules: caches must key on them. */
export const CORS_VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

/** `Access-Control-Request-Headers: a, B` → ['a', 'b']. */
export function requestedHeaderNames(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}

export interface Preflight {
  origin: string | undefined;
  requestMethod: string | undefined;
  requestHeaders: string | undefined;
  /** Bucket the request addresses, if any; its rules (undefined: CORS not enabled). */
  rules: readonly CorsRule[] | undefined;
  resourceType: 'BUCKET' | 'OBJECT';
}

/** Answers a preflight: the headers of the matching rule, or the S3Error S3 returns. */
export function answerPreflight(preflight: Preflight): Record<string, string> {
  const { origin, requestMethod } = preflight;
  if (!origin) throw new S3Error('BadRequest', 'Insufficient information. Origin request header needed.');
  if (!requestMethod || !(METHODS as readonly string[]).includes(requestMethod)) {
    throw new S3Error('BadRequest', `Invalid Access-Control-Request-Method: ${requestMethod ?? 'null'}`);
  }
  const fields = { Method: requestMethod, ResourceType: preflight.resourceType };
  if (!preflight.rules?.length) throw new S3Error('AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.', fields);
  const headers = requestedHeaderNames(preflight.requestHeaders);
  const rule = matchCorsRule(preflight.rules, origin, requestMethod, headers);
  if (!rule) {
    throw new S3Error(
      'AccessForbidden',
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headerss are not whitelisted by the resource's CORS spec.",
      fields,
    );
  }
  return corsResponseHeaders(rule, origin, headers);
}
