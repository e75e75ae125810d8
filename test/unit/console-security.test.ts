/**
 * The console's access rules (src/http/console-security.ts) as pure functions: which Hosts are
 * loopback, where the token is read, how it is compared, and each refusal's message.
 */
import { describe, expect, it } from 'vitest';
import {
  consoleAccessFor,
  consoleRefusal,
  hostnameOf,
  isLoopbackHostname,
  tokenCookie,
  tokenMatches,
  tokenOfRequest,
  type ConsoleRequest,
} from '../../src/http/console-security.js';

const OPEN_AT = 'http://127.0.0.1:9444/_smll/';
const get = (host: string | undefined, extra: Partial<ConsoleRequest> = {}): ConsoleRequest => ({
  method: 'GET',
  host,
  protocol: 'http',
  origin: undefined,
  secFetchSite: undefined,
  token: undefined,
  ...extra,
});

describe('loopback Hosts', () => {
  it('reads the hostname of a Host header: port dropped, IPv6 unbracketed, lower-cased', () => {
    expect(hostnameOf('LocalHost:9444')).toBe('localhost');
    expect(hostnameOf('[::1]:9444')).toBe('::1');
    expect(hostnameOf('[::1]')).toBe('::1');
    expect(hostnameOf('127.0.0.1')).toBe('127.0.0.1');
    expect(hostnameOf('evil.example:9444')).toBe('evil.example');
  });

  it('counts localhost, 127.0.0.0/8 and ::1 as loopback, nothing else', () => {
    for (const name of ['localhost', '127.0.0.1', '127.1.2.3', '127.255.255.255', '::1']) expect(isLoopbackHostname(name), name).toBe(true);
    for (const name of ['evil.example', '127.0.0.1.evil.example', 'localhost.evil.example', '128.0.0.1', '127.0.0.256', '0.0.0.0', '::', '192.168.1.2', ''])
      expect(isLoopbackHostname(name), name).toBe(false);
  });

  it('requires a token off loopback (generated: 32 hex characters, unless given), not on it', () => {
    expect(consoleAccessFor('127.0.0.1')).toEqual({ tokenRequired: false, token: undefined });
    expect(consoleAccessFor('::1', 'given')).toEqual({ tokenRequired: false, token: 'given' });
    expect(consoleAccessFor('[::1]')).toEqual({ tokenRequired: false, token: undefined });
    expect(consoleAccessFor('localhost').tokenRequired).toBe(false);
    const generated = consoleAccessFor('0.0.0.0');
    expect(generated.tokenRequired).toBe(true);
    expect(generated.token).toMatch(/^[0-9a-f]{32}$/);
    expect(consoleAccessFor('0.0.0.0').token).not.toBe(generated.token);
    expect(consoleAccessFor('::', 'mine')).toEqual({ tokenRequired: true, token: 'mine' });
  });
});

describe('the token', () => {
  it('is read from the query first, then the x-smll-console-token header, then the cookie', () => {
    const cookie = 'a=b; smll_console_token=from-cookie; c=d';
    expect(tokenOfRequest(new URLSearchParams('token=from-query'), { 'x-smll-console-token': 'from-header', cookie })).toBe('from-query');
    expect(tokenOfRequest(new URLSearchParams(''), { 'x-smll-console-token': 'from-header', cookie })).toBe('from-header');
    expect(tokenOfRequest(new URLSearchParams(''), { cookie })).toBe('from-cookie');
    expect(tokenOfRequest(new URLSearchParams(''), { cookie: 'other=1' })).toBeUndefined();
    expect(tokenOfRequest(new URLSearchParams(''), {})).toBeUndefined();
  });

  it('matches only itself, whatever the lengths', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('abcd', 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
    expect(tokenMatches('abc', undefined)).toBe(false);
  });

  it('goes into an HttpOnly, SameSite=Strict cookie for /_smll/ (Secure over https)', () => {
    expect(tokenCookie('T', false)).toBe('smll_console_token=T; Path=/_smll/; HttpOnly; SameSite=Strict');
    expect(tokenCookie('T', true)).toBe('smll_console_token=T; Path=/_smll/; HttpOnly; SameSite=Strict; Secure');
  });
});

describe('consoleRefusal', () => {
  const loopbackOnly = { tokenRequired: false };
  const withToken = { tokenRequired: true, token: 'secret-token' };

  it('lets loopback Hosts read without a token', () => {
    for (const host of ['127.0.0.1:9444', 'localhost:9444', '[::1]:9444', '127.0.0.1']) expect(consoleRefusal(get(host), loopbackOnly, OPEN_AT), host).toBeUndefined();
  });

  it('refuses a read from another Host (DNS rebinding), saying where to open the console', () => {
    expect(consoleRefusal(get('evil.example:9444'), loopbackOnly, OPEN_AT)).toBe(
      'The console answers loopback hosts only (Host: evil.example:9444). Open it at http://127.0.0.1:9444/_smll/ or start with --console-token.',
    );
    expect(consoleRefusal(get(undefined), loopbackOnly, OPEN_AT)).toMatch(/loopback hosts only \(Host: none\)/);
  });

  it('with a token required, refuses every Host without it, loopback included, and accepts it from any Host', () => {
    expect(consoleRefusal(get('127.0.0.1:9444'), withToken, OPEN_AT)).toMatch(/needs its token/);
    expect(consoleRefusal(get('192.168.1.20:9444', { token: 'wrong' }), withToken, OPEN_AT)).toMatch(/not this server's/);
    expect(consoleRefusal(get('192.168.1.20:9444', { token: 'secret-token' }), withToken, OPEN_AT)).toBeUndefined();
    expect(consoleRefusal(get('evil.example', { token: 'secret-token' }), withToken, OPEN_AT)).toBeUndefined();
  });

  it('with a token set on loopback, accepts loopback Hosts without it and other Hosts with it', () => {
    const optional = { tokenRequired: false, token: 'secret-token' };
    expect(consoleRefusal(get('127.0.0.1:9444'), optional, OPEN_AT)).toBeUndefined();
    expect(consoleRefusal(get('laptop.lan:9444'), optional, OPEN_AT)).toMatch(/loopback hosts only/);
    expect(consoleRefusal(get('laptop.lan:9444', { token: 'secret-token' }), optional, OPEN_AT)).toBeUndefined();
  });

  it('lets a state-changing call through only from the same origin: Origin, else Sec-Fetch-Site', () => {
    const host = '127.0.0.1:9444';
    for (const method of ['POST', 'PUT', 'DELETE']) {
      expect(consoleRefusal(get(host, { method, origin: 'http://127.0.0.1:9444' }), loopbackOnly, OPEN_AT), method).toBeUndefined();
      expect(consoleRefusal(get(host, { method, secFetchSite: 'same-origin' }), loopbackOnly, OPEN_AT), method).toBeUndefined();
      expect(consoleRefusal(get(host, { method, origin: 'http://evil.example' }), loopbackOnly, OPEN_AT), method).toBe(
        `A console call that changes state (${method}) must come from the console's own page: Origin http://evil.example is not http://127.0.0.1:9444. Use the console at http://127.0.0.1:9444/_smll/.`,
      );
      expect(consoleRefusal(get(host, { method, origin: 'https://127.0.0.1:9444' }), loopbackOnly, OPEN_AT), method).toMatch(/is not http:\/\/127\.0\.0\.1:9444/);
      expect(consoleRefusal(get(host, { method, secFetchSite: 'cross-site' }), loopbackOnly, OPEN_AT), method).toMatch(/send Origin: http:\/\/127\.0\.0\.1:9444/);
      expect(consoleRefusal(get(host, { method }), loopbackOnly, OPEN_AT), method).toMatch(/must come from the console's own page/);
    }
    // The token does not stand for the origin check: a cross-site page cannot read it, but a form could send the cookie.
    expect(consoleRefusal(get(host, { method: 'DELETE', token: 'secret-token', origin: 'http://evil.example' }), withToken, OPEN_AT)).toMatch(/Origin http:\/\/evil\.example/);
  });
});
