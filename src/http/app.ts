import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import Koa from 'koa';
import Router from '@koa/router';
import { authenticate } from '../auth/authenticate.js';
import { authorize } from '../auth/policy.js';
import { decodeBody, type DecodedBody } from '../auth/payload.js';
import { readPostForm } from '../auth/post-policy-form.js';
import { authenticatePostPolicy } from '../auth/post-policy.js';
import { UNSIGNED_PAYLOAD } from '../auth/payload-mode.js';
import type { Authenticated, Authentication, BucketCredential, CredentialLookup, SigV2Policy } from '../auth/types.js';
import { StorageFault, storageFaultError, type BucketRecord, type Store } from '../store/index.js';
import type { BucketRequest, ObjectRequest, OperationHandler, S3Request, S3Response } from '../operations/types.js';
import { CORS_VARY, answerPreflight, corsResponseHeaders, matchCorsRule, type CorsRule } from './cors.js';
import { bucketFromHost, resolveAddress, resolveRequest } from './resolve.js';
import { S3Error, isS3Error, type Refusal } from '../s3/s3-error.js';
import { renderXml } from '../s3/xml.js';
import { CONSOLE_PREFIX, CONSOLE_S3_PREFIX, consoleOff, createConsole, type ConsoleConfig, type ConsoleState } from './console.js';
import { RequestFeed } from './request-feed.js';
import type { Logger, RequestLogEntry } from './request-log.js';
import { watchRequestBody } from './request-timeout.js';

export interface AppConfig {
  store: Store;
  region: string;
  /** Host names under which `BUCKET.<name>` is virtual-host-style addressing. */
  vhostDomains: readonly string[];
  /** IAM actions granted to each bucket's credential (a name that is no IamAction grants nothing). */
  grantedActions(bucket: string): ReadonlySet<string>;
  /** Each request, and notices (SigV2 warnings, faults); undefined: silent. */
  log?: Logger;
  /** SigV2 presigned URLs and forms: accepted (with a warning per request) or refused. */
  sigv2: SigV2Policy;
  /** The bucket's CORS rules, given at provisioning time; undefined: CORS is not enabled for it. */
  corsRules(bucket: string): readonly CorsRule[] | undefined;
  /** Milliseconds a request body may go without a byte (see request-timeout.ts); 0: no limit. */
  requestTimeout: number;
  /** The web console at `/_smll/` (console.ts); undefined: off, its paths answer 404. */
  console?: ConsoleConfig;
}

/** A credential as the app looks it up: the bucket's name and secret, and its whole record for the operations. */
interface BucketCredentialRecord extends BucketCredential {
  record: BucketRecord;
}

interface RequestState extends ConsoleState {
  s3?: S3Request;
  requestId: string;
  /** The refusal's hint (which header asked for the action), for the log line. */
  hint?: string;
  /** The authorize stage's refusal (action, and what asked for it), for the log line. */
  refusal?: Refusal;
  /** The S3 error code answered, for the log line. */
  errorCode?: string;
  /** A readiness probe or a console route: answered, not logged. */
  unlogged?: boolean;
}

/** The authenticate stage of a route: who the request acts as; undefined: anonymous. It may read a PostObject form (setting `req.form`). */
type AuthenticateStage = (ctx: Koa.ParameterizedContext<RequestState>, req: S3Request) => Promise<Authenticated<BucketCredentialRecord> | undefined>;

/** The readiness endpoint's path; see `health` in createApp. */
export const HEALTH_PATH = '/_smll/health';

// A process-unique prefix plus a counter: unique ids without a random draw per request.
const requestIdPrefix = randomBytes(4).toString('hex').toUpperCase();
let requestCounter = 0;
function nextRequestId(): string {
  requestCounter = (requestCounter + 1) % 0xffffffff;
  return requestIdPrefix + requestCounter.toString(16).toUpperCase().padStart(8, '0');
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * S3's host id header value for a request id: its base64. Written out here for the ASCII of a
 * request id rather than through a Buffer, which cost every response a native allocation.
 */
function hostIdOf(requestId: string): string {
  let encoded = '';
  for (let i = 0; i < requestId.length; i += 3) {
    const left = requestId.length - i;
    const bits = (requestId.charCodeAt(i) << 16) | (left > 1 ? requestId.charCodeAt(i + 1) << 8 : 0) | (left > 2 ? requestId.charCodeAt(i + 2) : 0);
    encoded += BASE64[bits >> 18] + BASE64[(bits >> 12) & 63] + (left > 1 ? BASE64[(bits >> 6) & 63] : '=') + (left > 2 ? BASE64[bits & 63] : '=');
  }
  return encoded;
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
 * Puts an operation's response on koa's context: the one place a response value becomes HTTP.
 * The headers go first, so that koa's defaults for a body (Content-Type, Content-Length) fill in
 * only what the response leaves unset. No body is sent as an empty one (koa would write the
 * status text instead), but for HEAD, whose body koa never sends while it keeps the given
 * Content-Length. A stream body is sent with the response's Content-Length, else chunked.
 */
function renderResponse(ctx: Koa.ParameterizedContext<RequestState>, response: S3Response): void {
  ctx.status = response.status;
  for (const [name, value] of Object.entries(response.headers)) ctx.set(name, value);
  if (ctx.method === 'HEAD') return;
  const { body } = response;
  if (body === undefined) {
    ctx.body = '';
    return;
  }
  // Node re-reads a Content-Disposition value as UTF-8 when the whole body is handed to
  // `res.end()` (nodejs/node#46528), which changes any byte ≥ 0x80 the header carries; a
  // streamed body leaves the header's bytes as they were set.
  const rewrittenByNode = !(body instanceof Readable) && /[\x80-\xff]/.test(ctx.response.get('Content-Disposition'));
  ctx.body = rewrittenByNode ? Readable.from([body]) : body;
}

/**
 * The operation stage: the row's handler, called with the request typed for the row (a key
 * for an object, the decoded body for a row that reads one, the form for PostObject).
 * `decode` is the decode stage, run only for a row that reads a body. `base` becomes that
 * request (fields are added to it, not copied: this runs for every request).
 */
function runOperation(
  s3: S3Request,
  auth: Authentication,
  base: BucketRequest,
  decode: () => DecodedBody,
  store: Store,
): Promise<S3Response> | S3Response {
  const spec = s3.operation;
  const run = <Request extends BucketRequest>(handler: OperationHandler<Request> | undefined, req: Request) => {
    // The pipeline refuses a row without a handler with NotImplemented before this stage.
    if (!handler) throw new Error(`${spec.name} has no handler`);
    return handler({ req, store });
  };
  if (spec.target === 'service') return run(spec.handler, base);
  if (spec.authenticatesFromForm) {
    if (!s3.form) throw new Error(`${spec.name} reached its handler without the form the authenticate stage reads`);
    return run(spec.handler, Object.assign(base, { form: s3.form, auth }));
  }
  if (spec.target === 'bucket') return spec.readsBody ? run(spec.handler, Object.assign(base, { body: decode(), auth })) : run(spec.handler, base);
  // The resolve stage makes an object row of a path with a key only.
  if (s3.key === undefined) throw new Error(`${spec.name} resolved without a key`);
  const request: ObjectRequest = Object.assign(base, { key: s3.key });
  return spec.readsBody ? run(spec.handler, Object.assign(request, { body: decode(), auth })) : run(spec.handler, request);
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
  ctx.state.errorCode = err.code;
  if (res.headersSent) {
    req.destroy(err);
    return;
  }
  const body = errorDocument(err, ctx.state.requestId);
  res.writeHead(err.status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body, () => req.destroy(err));
}

/** The path-style S3 URL a console URL `/_smll/s3/<bucket>/<key>?<query>` carries: `/<bucket>/<key>?<query>`. */
function consoleS3Url(url: string): string {
  const rest = url.slice(CONSOLE_S3_PREFIX.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * The HTTP front: one koa middleware chain in pipeline order
 * (resolve → authenticate → authorize → decode body → operation), with every failure
 * rendered once as S3's XML error document.
 */
export function createApp(config: AppConfig): Koa<RequestState> {
  const app = new Koa<RequestState>();
  app.silent = true;
  // The console's live log; only an emulator with the console keeps one.
  const feed = config.console && (config.console.feed ?? new RequestFeed());

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
      let answer: S3Error;
      if (isS3Error(err)) {
        answer = err;
      } else if (err instanceof StorageFault) {
        config.log?.notice('error', `storage fault: ${err.message}`, requestId);
        answer = storageFaultError(err);
      } else {
        config.log?.notice('error', `internal error: ${(err as Error)?.stack ?? String(err)}`, requestId);
        answer = new S3Error('InternalError');
      }
      ctx.state.hint = answer.hint;
      ctx.state.refusal = answer.refusal;
      ctx.state.errorCode = answer.code;
      renderError(ctx, answer);
      // A failure while the body is still arriving (a disk fault mid-write) leaves it unread and
      // piped nowhere: the rest is read and dropped, so that a client still sending gets to
      // read this answer instead of stalling until it times out.
      if (!ctx.req.complete) ctx.req.unpipe().resume();
    }
    // The console is same-origin only: no bucket's CORS rules answer for it.
    if (!ctx.state.console) addCorsHeaders(ctx);
    if ((config.log || feed) && !ctx.state.unlogged) {
      const { s3, hint, refusal, errorCode } = ctx.state;
      const entry: RequestLogEntry = {
        time: new Date(),
        requestId,
        operation: s3?.operation.name ?? ctx.method,
        ...(s3?.bucket === undefined ? { path: ctx.path } : { bucket: s3.bucket, key: s3.key }),
        status: ctx.status,
        errorCode,
        durationMs: performance.now() - started,
        hint,
        ...(refusal ? { refusal } : {}),
        ...(ctx.state.console ? { console: true } : {}),
      };
      config.log?.request(entry);
      feed?.record(entry);
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

  /** A bucket's credential, from the store. */
  const lookupCredential: CredentialLookup<BucketCredentialRecord> = async (accessKeyId) => {
    const record = await config.store.findBucketByAccessKey(accessKeyId);
    return record && { bucket: record.name, secretKey: record.secretKey, record };
  };

  /** The S3 API's authenticate stage: the request's signature (header, presigned URL, SigV2), or a PostObject form's policy. */
  const bySignature: AuthenticateStage = async (ctx, req) => {
    if (req.operation.authenticatesFromForm) {
      // PostObject carries its credential, signature and policy as form fields ahead of the file:
      // this stage reads the form up to the file part and leaves the file unread for the operation.
      const form = await readPostForm(ctx.req, req.headers);
      const verified = await authenticatePostPolicy(form.fields, lookupCredential, { region: config.region, bucket: req.bucket!, sigv2: config.sigv2 });
      req.form = { ...form, contentLengthRange: verified?.contentLengthRange };
      return verified?.authenticated;
    }
    return authenticate(
      { method: req.method, rawPath: req.rawPath, rawQuery: req.rawQuery, headers: req.headers },
      lookupCredential,
      { region: config.region, sigv2: config.sigv2, bucket: req.bucket, virtualHosted: req.virtualHosted },
    );
  };

  /**
   * The console's authenticate stage (its `/_smll/s3/` route, past its access checks): the
   * request acts as the credential of the bucket its path names, its body UNSIGNED-PAYLOAD. A
   * PostObject form is read for the operation, its policy not checked (the console vouches).
   * @throws S3Error NoSuchBucket for a bucket the emulator does not serve.
   */
  const asConsole: AuthenticateStage = async (ctx, req) => {
    if (req.bucket === undefined) return undefined;
    const record = await config.store.getBucket(req.bucket);
    if (!record) throw new S3Error('NoSuchBucket');
    if (req.operation.authenticatesFromForm) req.form = await readPostForm(ctx.req, req.headers);
    return {
      principal: { accessKeyId: record.accessKey, bucket: record.name },
      credential: { bucket: record.name, secretKey: record.secretKey, record },
      authentication: { kind: 'console', accessKeyId: record.accessKey, payloadHash: UNSIGNED_PAYLOAD },
    };
  };

  /**
   * The S3 pipeline of a route: resolve → authenticate (the route's stage) → authorize → decode
   * body → operation → store → respond. `consoleRoute`: the request came to `/_smll/s3/…`, whose
   * rest is a path-style S3 request.
   */
  const pipeline =
    (authenticateStage: AuthenticateStage, consoleRoute: boolean): Koa.Middleware<RequestState> =>
    async (ctx) => {
      const req = consoleRoute
        ? resolveRequest(ctx.req, ctx.state.requestId, [], consoleS3Url(ctx.req.url ?? '/'))
        : resolveRequest(ctx.req, ctx.state.requestId, config.vhostDomains);
      ctx.state.s3 = req;
      const authenticated = await authenticateStage(ctx, req);
      if (!authenticated) throw new S3Error('AccessDenied');
      req.auth = authenticated.authentication;
      if (req.auth.kind === 'sigv2') {
        config.log?.notice(
          'warning',
          `${req.operation.name} ${req.bucket ?? ''}${req.key ? `/${req.key}` : ''} is signed with SigV2, which AWS has deprecated ` +
            `(stock boto3 presigns with it in us-east-1 unless its client sets signature_version='s3v4'); --sigv2 reject refuses it`,
          ctx.state.requestId,
        );
      }

      const { principal } = authenticated;
      const { operation } = req;
      authorize(
        {
          bucket: req.bucket,
          key: req.key,
          operation,
          headers: req.headers,
          query: req.query,
          // Every SigV2 request counts (SigV2Authentication does not say where its signature came).
          presigned: req.auth.kind === 'presigned' || req.auth.kind === 'sigv2',
          form: req.form,
        },
        principal.bucket,
        config.grantedActions(principal.bucket),
      );
      if (!operation.handler) {
        throw new S3Error(
          'NotImplemented',
          `${operation.name} is not implemented by smll-storage${operation.unimplementedReason ? `: ${operation.unimplementedReason}` : ''}.`,
        );
      }

      const auth = req.auth;
      // The row says what the body is: its checksum headers' subject, a required length, a default checksum.
      const decode = () => decodeBody(ctx.req, auth, req.headers, req.operation);
      const authorized: BucketRequest = {
        bucket: principal.bucket,
        region: authenticated.credential.record.region,
        query: req.query,
        headers: req.headers,
        virtualHosted: req.virtualHosted === true,
        endpoint: `${ctx.protocol}://${ctx.host}`,
      };
      renderResponse(ctx, await runOperation(req, auth, authorized, decode, config.store));
    };

  /**
   * Readiness, for orchestrators and `wait-on` scripts: 200 without credentials, outside the S3
   * pipeline and the request log (probes come every second). Path-style `/_smll/…` can name no
   * bucket (bucket names start with a letter or digit); under a virtual-hosted bucket the same
   * path is an object key, and goes to S3.
   */
  const health: Koa.Middleware<RequestState> = async (ctx, next) => {
    if (bucketFromHost(ctx.get('host') || undefined, config.vhostDomains) !== undefined) return next();
    ctx.state.unlogged = true;
    ctx.status = 200;
    ctx.type = 'application/json';
    ctx.body = '{"status":"ok"}';
  };

  /**
   * The web console: `/_smll` and everything under it but the readiness endpoint, any method,
   * when the Host names no bucket (`my-bucket.localhost/_smll/x` is an object key). Off, its
   * paths answer 404 rather than reach the S3 API.
   */
  const answerConsole = config.console ? createConsole(config.console, feed!, pipeline(asConsole, true)) : consoleOff;
  app.use(async (ctx, next) => {
    const { path } = ctx;
    const consolePath = (path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`)) && path !== HEALTH_PATH;
    if (!consolePath || bucketFromHost(ctx.get('host') || undefined, config.vhostDomains) !== undefined) return next();
    return answerConsole(ctx, next);
  });

  // The router splits by method only (preflight, readiness or S3 request); within the S3 pipeline
  // the operation table, not URL patterns, says which operation a request is.
  const router = new Router<RequestState>();
  router.options(/.*/, preflight);
  router.get(HEALTH_PATH, health);
  router.all(/.*/, pipeline(bySignature, false));
  app.use(router.routes());
  return app;
}
