/**
 * The web console's server side (`/_smll/` on the emulator's own port): the page and its assets,
 * the buckets' credentials (`api/buckets`), the live request log (`api/events`, server-sent
 * events), and the S3 API as the page calls it (`s3/…`, run by the app's own pipeline). Every
 * route is behind console-security.ts's checks; none is a request-log line but the S3 calls.
 */
import { createReadStream, existsSync, statSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type Koa from 'koa';
import { consoleRefusal, isLoopbackHostname, tokenCookie, tokenMatches, tokenOfRequest, TOKEN_QUERY_PARAMETER, type ConsoleAccess } from './console-security.js';
import type { RequestFeed } from './request-feed.js';

/** The console's path prefix; `CONSOLE_PREFIX/health` is the readiness endpoint, outside the console. */
export const CONSOLE_PREFIX = '/_smll';
/** The S3 API through the console: `/_smll/s3/<bucket>[/<key>]`. */
export const CONSOLE_S3_PREFIX = `${CONSOLE_PREFIX}/s3`;

/** A bucket as the Credentials tab shows it (CONSOLE.md, `GET /_smll/api/buckets`). */
export interface ConsoleBucket {
  name: string;
  /** The keys of SMLL's bucket Secret, as `smll-storage credentials -f json` prints them. */
  credentials: { ACCESS_KEY: string; SECRET_KEY: string; ENDPOINT: string; REGION: string };
  /** The IAM actions the bucket's credential is granted. */
  actions: string[];
  /** Texts to copy: `shell`, `dotenv`, `kubernetes` (as `credentials -f env|dotenv|k8s` prints them), `node`, `python`, `go`. */
  snippets: { shell: string; dotenv: string; kubernetes: string; node: string; python: string; go: string };
}

export interface ConsoleConfig extends ConsoleAccess {
  /** The buckets served, in the order given at start. */
  buckets(): ConsoleBucket[];
  /** The built page (index.html and its assets); default: the package's `dist/console/web`. */
  pageDir?: string;
  /** Milliseconds between the event stream's keep-alive comments; default 15000. */
  keepAliveMs?: number;
  /** The live log's ring and readers; default a new one of FEED_CAPACITY entries. */
  feed?: RequestFeed;
}

/** What the console sets on the app's request state. */
export interface ConsoleState {
  /** Answered by the console: no CORS headers. */
  console?: boolean;
  /** Not a request-log line. */
  unlogged?: boolean;
}

type ConsoleContext = Koa.ParameterizedContext<ConsoleState>;

/** The package's `dist/console/web`: the package root is the nearest directory up from this module holding a package.json (src/http/ under vitest, dist/http/ once built). */
export function defaultPageDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}: cannot locate the console's page`);
    dir = parent;
  }
  return join(dir, 'dist', 'console', 'web');
}

const ASSET_NAME = /^[a-z0-9-]+\.(js|css|svg)$/;
const ASSET_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

const PAGE_CSP =
  "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/**
 * Objects answered through the console are the user's data on the console's origin: a stored
 * HTML object opened as a page must not run script there (it could read the credentials).
 */
const OBJECT_CSP = "sandbox; default-src 'none'";

function setSecurityHeaders(ctx: ConsoleContext): void {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
}

/** A JSON answer of the console's own API or refusals: not cached. */
function json(ctx: ConsoleContext, status: number, body: unknown): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(body);
}

function notFound(ctx: ConsoleContext, message: string): void {
  json(ctx, 404, { error: 'NotFound', message });
}

/** The console's paths answered while it is off (`--console off`): 404, not the S3 API. */
export function consoleOff(ctx: ConsoleContext): void {
  ctx.state.console = true;
  ctx.state.unlogged = true;
  setSecurityHeaders(ctx);
  notFound(ctx, 'The console is off (--console off); start the emulator without it to use /_smll/.');
}

/** The console's address on a loopback name, for messages: the address the request arrived on when it is one, else 127.0.0.1. */
function loopbackUrl(ctx: ConsoleContext): string {
  const { localAddress, localPort } = ctx.req.socket;
  const address = localAddress?.replace(/^::ffff:/, '');
  const host = address && isLoopbackHostname(address) ? (address.includes(':') ? `[${address}]` : address) : '127.0.0.1';
  return `${ctx.protocol}://${host}:${localPort}${CONSOLE_PREFIX}/`;
}

/**
 * The console's middleware, for a request the app routed here (a `/_smll` path, but health,
 * with a Host that names no bucket). `s3` is the app's pipeline as the console runs it: it
 * receives the request with `ctx.state.console` set.
 */
export function createConsole<State extends ConsoleState>(config: ConsoleConfig, feed: RequestFeed, s3: Koa.Middleware<State>): Koa.Middleware<State> {
  const pageDir = config.pageDir ?? defaultPageDir();
  const keepAliveMs = config.keepAliveMs ?? 15_000;

  /**
   * A file of the page's directory, streamed; 404 when it is not there. `no-cache` with a
   * validator: the browser asks each time (a rebuilt page shows at once) and gets 304 for what it
   * has, instead of downloading every module again on each visit.
   */
  const sendFile = (ctx: ConsoleContext, name: string, type: string) => {
    const file = join(pageDir, name);
    let stat: Stats;
    try {
      stat = statSync(file);
      if (!stat.isFile()) throw new Error('not a file');
    } catch {
      notFound(ctx, name === 'index.html' ? `The console's page is not built (${file} is missing): run npm run build.` : `No console asset ${name}.`);
      return;
    }
    ctx.status = 200;
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('ETag', `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`);
    if (name === 'index.html') ctx.set('Content-Security-Policy', PAGE_CSP);
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.type = type;
    ctx.length = stat.size;
    ctx.body = createReadStream(file);
  };

  /** `api/events`: the kept entries, then each new one, until the client goes. */
  const events = (ctx: ConsoleContext) => {
    ctx.status = 200;
    ctx.set('Content-Type', 'text/event-stream');
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method === 'HEAD') return;
    const stream = new PassThrough();
    // A first line at once, so that the headers go out before any request is logged.
    stream.write(`retry: 2000\n\n`);
    for (const message of feed.recent()) stream.write(message);
    const unsubscribe = feed.subscribe((message) => stream.write(message));
    const keepAlive = setInterval(() => stream.write(': keep-alive\n\n'), keepAliveMs);
    keepAlive.unref();
    ctx.res.once('close', () => {
      unsubscribe();
      clearInterval(keepAlive);
      stream.end();
    });
    ctx.req.socket.setTimeout(0);
    ctx.body = stream;
  };

  /** GET/HEAD-only routes; anything else is 405. */
  const readOnly = (ctx: ConsoleContext, answer: () => void) => {
    if (ctx.method === 'GET' || ctx.method === 'HEAD') return answer();
    ctx.set('Allow', 'GET, HEAD');
    json(ctx, 405, { error: 'MethodNotAllowed', message: `${ctx.path} answers GET and HEAD only, not ${ctx.method}.` });
  };

  return async (ctx, next) => {
    ctx.state.console = true;
    setSecurityHeaders(ctx);
    const query = new URLSearchParams(ctx.querystring);
    const token = tokenOfRequest(query, ctx.req.headers);
    const refusal = consoleRefusal(
      {
        method: ctx.method,
        host: ctx.req.headers.host,
        protocol: ctx.protocol,
        origin: ctx.get('origin') || undefined,
        secFetchSite: ctx.get('sec-fetch-site') || undefined,
        token,
      },
      config,
      loopbackUrl(ctx),
    );
    const path = ctx.path;
    if (path === CONSOLE_S3_PREFIX || path.startsWith(`${CONSOLE_S3_PREFIX}/`)) {
      if (refusal) {
        ctx.state.unlogged = true;
        json(ctx, 403, { error: 'ConsoleForbidden', message: refusal });
        return;
      }
      ctx.set('Content-Security-Policy', OBJECT_CSP);
      return s3(ctx, next);
    }
    ctx.state.unlogged = true;
    if (refusal) {
      json(ctx, 403, { error: 'ConsoleForbidden', message: refusal });
      return;
    }
    if (path === CONSOLE_PREFIX) {
      return readOnly(ctx, () => {
        ctx.status = 301;
        ctx.redirect(`${CONSOLE_PREFIX}/${ctx.querystring ? `?${ctx.querystring}` : ''}`);
      });
    }
    if (path === `${CONSOLE_PREFIX}/`) {
      return readOnly(ctx, () => {
        if (query.has(TOKEN_QUERY_PARAMETER) && tokenMatches(token, config.token)) {
          // The token leaves the address bar (and the history) for an HttpOnly cookie the page's calls carry.
          ctx.set('Set-Cookie', tokenCookie(config.token!, ctx.protocol === 'https'));
          ctx.set('Cache-Control', 'no-store');
          ctx.status = 303;
          ctx.redirect(`${CONSOLE_PREFIX}/`);
          return;
        }
        sendFile(ctx, 'index.html', 'text/html; charset=utf-8');
      });
    }
    const asset = path.startsWith(`${CONSOLE_PREFIX}/assets/`) ? path.slice(`${CONSOLE_PREFIX}/assets/`.length) : undefined;
    if (asset !== undefined) {
      const match = ASSET_NAME.exec(asset);
      if (!match) return notFound(ctx, `No console asset ${asset}: asset names are lower-case letters, digits and "-" with .js, .css or .svg.`);
      return readOnly(ctx, () => sendFile(ctx, asset, ASSET_TYPES[match[1]]));
    }
    if (path === `${CONSOLE_PREFIX}/api/buckets`) return readOnly(ctx, () => json(ctx, 200, { buckets: config.buckets() }));
    if (path === `${CONSOLE_PREFIX}/api/events`) return readOnly(ctx, () => events(ctx));
    notFound(ctx, `No console route ${path}: the console is at ${CONSOLE_PREFIX}/.`);
  };
}
