/**
 * Who may use the web console (`/_smll/`, but the readiness endpoint): a request whose Host is a
 * loopback name or address while the server needs no token, or one that carries the token. The
 * Host check is what stops DNS rebinding: a page of `evil.example` whose name now resolves to
 * 127.0.0.1 reaches this port, but with `Host: evil.example`, so it reads no secret. Calls that
 * change state must also come from the console's own origin (a cross-site form or fetch cannot
 * use a loopback Host's access). No CORS: no other origin may read an answer.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_QUERY_PARAMETER = 'token';
export const TOKEN_HEADER = 'x-smll-console-token';
export const TOKEN_COOKIE = 'smll_console_token';

/** How the console is opened. */
export interface ConsoleAccess {
  /** The server listens on a non-loopback address: only the token opens the console, whatever the Host. */
  tokenRequired: boolean;
  /** The token (given, or generated when required); with `tokenRequired` false it is accepted besides loopback Hosts. */
  token?: string;
}

/**
 * How a server listening on `listenHost` (an address or name, IPv6 bracketed or not) opens its
 * console: off loopback only with the token, which is `token` or 32 random hex characters.
 */
export function consoleAccessFor(listenHost: string, token?: string): ConsoleAccess {
  const tokenRequired = !isLoopbackHostname(listenHost.replace(/^\[(.*)\]$/, '$1').toLowerCase());
  return { tokenRequired, token: token ?? (tokenRequired ? randomBytes(16).toString('hex') : undefined) };
}

/** What the checks read of a request. */
export interface ConsoleRequest {
  method: string;
  /** The Host header as sent; undefined: none. */
  host: string | undefined;
  /** `http` or `https`. */
  protocol: string;
  origin: string | undefined;
  secFetchSite: string | undefined;
  /** The token the request carries (see tokenOfRequest), if any. */
  token: string | undefined;
}

/** The hostname of a Host header value: without its port, an IPv6 address without its brackets, lower-case. */
export function hostnameOf(host: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
  if (bracketed) return bracketed[1].toLowerCase();
  return host.replace(/:\d*$/, '').toLowerCase();
}

/** `localhost`, an address of 127.0.0.0/8, or `::1` (the hostname as hostnameOf gives it). */
export function isLoopbackHostname(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '::1') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  return octets !== null && octets.slice(1).every((octet) => Number(octet) <= 255);
}

/** The value of cookie `name` in a Cookie header, if there. */
function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const pair of (cookieHeader ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/** The token a request carries: the `token` query parameter (a page load), else the x-smll-console-token header, else the cookie. */
export function tokenOfRequest(query: URLSearchParams, headers: { [name: string]: string | string[] | undefined }): string | undefined {
  const header = headers[TOKEN_HEADER];
  const cookie = headers.cookie;
  return (
    query.get(TOKEN_QUERY_PARAMETER) ??
    (Array.isArray(header) ? header[0] : header) ??
    cookieValue(Array.isArray(cookie) ? cookie.join('; ') : cookie, TOKEN_COOKIE)
  );
}

/** Whether `given` is the token, in time independent of where they differ (both hashed first, so that lengths match too). */
export function tokenMatches(given: string | undefined, token: string | undefined): boolean {
  if (given === undefined || token === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** The cookie the page load with a valid `?token=` sets, so that the page's own calls carry it. */
export function tokenCookie(token: string, secure: boolean): string {
  return `${TOKEN_COOKIE}=${token}; Path=/_smll/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/**
 * Why the request may not use the console, as a message saying what to do; undefined: it may.
 * `openAt` is the console's URL on a loopback address, for the message.
 */
export function consoleRefusal(request: ConsoleRequest, access: ConsoleAccess, openAt: string): string | undefined {
  const hostname = request.host === undefined ? undefined : hostnameOf(request.host);
  const hasToken = tokenMatches(request.token, access.token);
  if (!hasToken) {
    if (access.tokenRequired) {
      return request.token === undefined
        ? 'This console needs its token (the server listens on a non-loopback address): open the console URL the server printed at start (it ends in ?token=…), or send the token in the x-smll-console-token header.'
        : 'The console token given is not this server\'s: open the console URL the server printed at start (it ends in ?token=…).';
    }
    if (hostname === undefined || !isLoopbackHostname(hostname)) {
      return `The console answers loopback hosts only (Host: ${request.host ?? 'none'}). Open it at ${openAt} or start with --console-token.`;
    }
  }
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  const ownOrigin = `${request.protocol}://${request.host ?? ''}`;
  // A CORS preflight changes nothing, but its answer would let another origin call: none may.
  if (request.method === 'OPTIONS' && request.origin !== undefined && request.origin.toLowerCase() !== ownOrigin.toLowerCase()) {
    return `The console answers no cross-origin requests (no CORS): the preflight from ${request.origin} is refused. Use the console at ${ownOrigin}/_smll/.`;
  }
  if (request.origin !== undefined) {
    if (request.origin.toLowerCase() === ownOrigin.toLowerCase()) return undefined;
    return `A console call that changes state (${request.method}) must come from the console's own page: Origin ${request.origin} is not ${ownOrigin}. Use the console at ${ownOrigin}/_smll/.`;
  }
  if (request.secFetchSite === 'same-origin') return undefined;
  return `A console call that changes state (${request.method}) must come from the console's own page: send Origin: ${ownOrigin} (browsers do).`;
}
