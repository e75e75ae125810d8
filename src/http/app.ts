import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { authenticate } from '../auth/sigv4.js';
import { authorize } from '../auth/policy.js';
import { decodeBody } from '../auth/payload.js';
import { checksumAlgorithmOfHeader } from '../auth/checksums.js';
import { readPostForm } from '../auth/post-policy-form.js';
import { authenticatePostPolicy } from '../auth/post-policy.js';
import type { SigV2Policy } from '../auth/sigv2.js';
import { StorageFault, storageFaultError, type BucketRecord, type Store } from '../store/index.js';
import type { S3Request } from '../operations/types.js';
import { CORS_VARY, answerPreflight, corsResponseHeaders, matchCorsRule, type CorsRule } from './cors.js';
import { resolveAddress, resolveRequest } from './resolve.js';
import { S3Error, isS3Error } from '../s3/s3-error.js';
import { renderXml } from '../s3/xml.js';
import { escapeLogValue } from './log-escape.js';
import { watchRequestBody } from './request-timeout.js';

export interface AppConfig {
  store: Store;
  region: string;
  /** Host names under which `BUCKET.<name>` is virtual-host-style addressing. */
  vhostDomains: readonly string[];
  /** IAM actions granted to each bucket's credential. */
  grantedActions(bucket: string): ReadonlySet<string>;
  /** One line per request; undefined: silent. */
  log?: (line: string) => void;
  /** SigV2 presigned URLs and forms: accepted (with a warning per request) or refused. */
  sigv2: SigV2Policy;
  /** The bucket's CORS rules, given at provisioning time; undefined: CORS is not enabled for it. */
  corsRules(bucket: string): readonly CorsRule[] | undefined;
  /** Milliseconds a request body may go without a byte (see request-timeout.ts); 0: no limit. */
  requestTimeout: number;
}

interface RequestState {
  s3?: S3Request;
  requestId: string;
  /** The refusal's hint (which header asked for the action), for the log line. */
  hint?: string;
}

// A process-unique prefix plus a counter: unique ids without a random draw per request.
const requestIdPrefix = randomBytes(4).toString('hex').toUpperCase();
let requestCounter = 0;
function nextRequestId(): string {
  requestCounter = (requestCounter + 1) % 0xffffffff;
  return requestIdPrefix + requestCounter.toString(16).toUpperCase().padStart(8, '0');
}

/** S3's host id header value for a request id. */
function hostIdOf(requestId: string): string {
  return Buffer.from(requestId).toString('base64');
}

/** S3's XML error document for `err`; `fields` are extra elements before RequestId. */
function errorDocument(err: S3Error, requestId: string, fields: Record<string, string | undefined> = {}): string {
  return renderXml(
    'Error',
    {
      Code: err.code,
      Message: err.message,
      ...fields,
      ...Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, v === undefined ? undefined : String(v)])),
      RequestId: requestId,
      HostId: hostIdOf(requestId),
    },
    null,
  );
}

/**
 * A whole HTTP/1.1 response carrying `err`'s error document, closing the connection: for requests
 * the app never sees (Node's parser refused them), written straight to the socket.
 */
export function rawErrorResponse(err: S3Error): string {
  const requestId = nextRequestId();
  const body = errorDocument(err, requestId);
  return [
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? ''}`,
    `Date: ${new Date().toUTCString()}`,
    'Content-Type: application/xml',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `x-amz-request-id: ${requestId}`,
    `x-amz-id-2: ${hostIdOf(requestId)}`,
    'Server: AmazonS3',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** The headers without the `x-amz-checksum-<algorithm>` values (x-amz-checksum-type/-mode are not values). */
function withoutChecksumValueHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => checksumAlgorithmOfHeader(name) === undefined));
}

function renderError(ctx: Koa.ParameterizedContext<RequestState>, err: S3Error): void {
  ctx.status = err.status;
  for (const [name, value] of Object.entries(err.headers)) ctx.set(name, value);
  // HEAD responses and 304 carry no body; S3 then names the code in no header either.
  if (ctx.method === 'HEAD' || err.status === 304) return;
  if (!err.document) {
    ctx.body = '';
    ctx.remove('Content-Type');
    return;
  }
  const s3 = ctx.state.s3;
  ctx.type = 'application/xml';
  ctx.body = errorDocument(err, ctx.state.requestId, {
    ...(s3?.key !== undefined && (err.code === 'NoSuchKey' || err.code === 'InvalidRange') ? { Key: s3.key } : {}),
    ...(s3?.bucket !== undefined && err.code === 'NoSuchBucket' ? { BucketName: s3.bucket } : {}),
  });
}

/**
 * S3's RequestTimeout for a request whose body stalled, then the connection closed. The request
 * is destroyed with that error once the answer is out, so that the pipeline still waiting for its
 * body unwinds (an unfinished write leaves nothing) instead of waiting for bytes that cannot come;
 * its own error response then finds the response already sent.
 */
function answerRequestTimeout(ctx: Koa.ParameterizedContext<RequestState>): void {
  const { res, req } = ctx;
  const err = new S3Error('RequestTimeout');
  if (res.headersSent) {
    req.destroy(err);
    return;
  }
  const body = errorDocument(err, ctx.state.requestId);
  res.writeHead(err.status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body, () => req.destroy(err));
}

/**
 * The HTTP front: one koa middleware chain in pipeline order
 * (resolve → authenticate → authorize → decode body → operation), with every failure
 * rendered once as S3's XML error document.
 */
/** Ends the first pass of withCredentialBucket; not an Error, so that no stack is taken on every request. */
const SECRET_ASKED = Symbol('secret asked');

/**
 * Runs `verify` (an authentication, which asks for the credential's secret synchronously) with
 * the secret of the bucket the store finds asynchronously: a first pass stops where it asks for
 * the secret of an access key, the bucket is fetched, and a second pass verifies with its
 * secret. A first pass that answers or fails before it asks is the answer.
 */
async function withCredentialBucket<T>(
  store: Store,
  verify: (lookupSecret: (accessKeyId: string) => string | undefined) => T,
): Promise<{ result: T; bucket?: BucketRecord }> {
  let asked: string | undefined;
  try {
    return {
      result: verify((accessKeyId) => {
        asked = accessKeyId;
        throw SECRET_ASKED;
      }),
    };
  } catch (err) {
    if (err !== SECRET_ASKED || asked === undefined) throw err;
  }
  const bucket = await store.findBucketByAccessKey(asked);
  return { result: verify((accessKeyId) => (accessKeyId === bucket?.accessKey ? bucket.secretKey : undefined)), bucket };
}

export function createApp(config: AppConfig): Koa<RequestState> {
  const app = new Koa<RequestState>();
  app.silent = true;

  app.use(async (ctx, next) => {
    const started = performance.now();
    const requestId = nextRequestId();
    ctx.state.requestId = requestId;
    ctx.set('x-amz-request-id', requestId);
    ctx.set('x-amz-id-2', hostIdOf(requestId));
    ctx.set('Server', 'AmazonS3');
    watchRequestBody(ctx.req, config.requestTimeout, () => answerRequestTimeout(ctx));
    try {
      await next();
    } catch (err) {
      if (isS3Error(err)) {
        ctx.state.hint = err.hint;
        renderError(ctx, err);
      } else if (err instanceof StorageFault) {
        config.log?.(`storage fault ${requestId}: ${err.message}`);
        renderError(ctx, storageFaultError(err));
      } else {
        config.log?.(`internal error ${requestId}: ${escapeLogValue((err as Error)?.stack ?? String(err))}`);
        renderError(ctx, new S3Error('InternalError'));
      }
      // A failure while the body is still arriving (a disk fault mid-write) leaves it unread and
      // piped nowhere: the rest is read and dropped, so that a client still sending gets to
      // read this answer instead of stalling until it times out.
      if (!ctx.req.complete) ctx.req.unpipe().resume();
    }
    addCorsHeaders(ctx);
    if (config.log) {
      const s3 = ctx.state.s3;
      const target = s3 ? [s3.bucket, s3.key].filter((part) => part !== undefined).join('/') : ctx.path;
      const duration = (performance.now() - started).toFixed(1);
      const hint = ctx.state.hint ? ` ${escapeLogValue(ctx.state.hint)}` : '';
      config.log(`${escapeLogValue(s3?.operation.name ?? ctx.method)} ${escapeLogValue(target || '/')} ${ctx.status} ${duration}ms${hint}`);
    }
  });

  /** A cross-origin request to a bucket with CORS rules gets the headers of the first rule matching its origin and method, errors included. */
  const addCorsHeaders = (ctx: Koa.ParameterizedContext<RequestState>) => {
    const origin = ctx.get('origin');
    const bucket = ctx.state.s3?.bucket;
    if (!origin || bucket === undefined || ctx.method === 'OPTIONS') return;
    const rules = config.corsRules(bucket);
    if (!rules?.length) return;
    ctx.set('Vary', CORS_VARY);
    const rule = matchCorsRule(rules, origin, ctx.method);
    if (rule) ctx.set(corsResponseHeaders(rule, origin));
  };

  /**
   * A CORS preflight names no S3 operation and carries no credentials (browsers send none):
   * it is answered from the addressed bucket's rules alone, outside the S3 pipeline.
   */
  const preflight: Koa.Middleware<RequestState> = (ctx) => {
    const address = resolveAddress(ctx.req, config.vhostDomains);
    const headers = answerPreflight({
      origin: ctx.get('origin') || undefined,
      requestMethod: ctx.get('access-control-request-method') || undefined,
      requestHeaders: ctx.get('access-control-request-headers') || undefined,
      rules: address.bucket === undefined ? undefined : config.corsRules(address.bucket),
      resourceType: address.target === 'object' ? 'OBJECT' : 'BUCKET',
    });
    ctx.set({ ...headers, Vary: CORS_VARY });
    ctx.status = 200;
    ctx.body = '';
  };

  const pipeline: Koa.Middleware<RequestState> = async (ctx) => {
    const req = resolveRequest(ctx.req, ctx.state.requestId, config.vhostDomains);
    ctx.state.s3 = req;

    let credentialBucket: BucketRecord | undefined;
    if (req.operation.authenticatesFromForm) {
      // PostObject carries its credential, signature and policy as form fields ahead of the file:
      // this stage reads the form up to the file part and leaves the file unread for the operation.
      const form = await readPostForm(ctx.req, req.headers);
      const authenticated = await withCredentialBucket(config.store, (lookupSecret) =>
        authenticatePostPolicy(form.fields, lookupSecret, { region: config.region, bucket: req.bucket!, sigv2: config.sigv2 }),
      );
      credentialBucket = authenticated.bucket;
      req.form = { ...form, contentLengthRange: authenticated.result?.contentLengthRange };
      req.auth = authenticated.result?.auth;
    } else {
      const authenticated = await withCredentialBucket(config.store, (lookupSecret) =>
        authenticate({ method: req.method, rawPath: req.rawPath, rawQuery: req.rawQuery, headers: req.headers }, lookupSecret, {
          region: config.region,
          sigv2: config.sigv2,
          bucket: req.bucket,
          virtualHosted: req.virtualHosted,
        }),
      );
      credentialBucket = authenticated.bucket;
      req.auth = authenticated.result;
    }
    if (!req.auth || !credentialBucket) throw new S3Error('AccessDenied');
    if (req.auth.kind === 'sigv2') {
      config.log?.(
        `warning: ${req.operation.name} ${escapeLogValue(`${req.bucket ?? ''}${req.key ? `/${req.key}` : ''}`)} is signed with SigV2, which AWS has deprecated ` +
          `(stock boto3 presigns with it in us-east-1 unless its client sets signature_version='s3v4'); --sigv2 reject refuses it`,
      );
    }

    const granted = config.grantedActions(credentialBucket.name);
    authorize(req, credentialBucket.name, granted);
    const bucketRecord = credentialBucket;
    req.bucketRecord = bucketRecord;

    if (req.operation.readsBody) {
      const bodyHeaders = req.operation.checksumHeadersDescribeObject ? withoutChecksumValueHeaders(req.headers) : req.headers;
      req.body = decodeBody(ctx.req, req.auth, bodyHeaders, { defaultChecksum: req.operation.defaultChecksum });
    }

    // authorize() guarantees a handler.
    await req.operation.handler!({ req: { ...req, bucketRecord }, store: config.store, ctx, granted });
  };

  // The router splits by method only (preflight or S3 request); within the S3 pipeline the
  // operation table, not URL patterns, says which operation a request is.
  const router = new Router<RequestState>();
  router.options(/.*/, preflight);
  router.all(/.*/, pipeline);
  app.use(router.routes());
  return app;
}
