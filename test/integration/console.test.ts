/**
 * The web console's server side (CONSOLE.md) over real HTTP against a real emulator: its routing
 * (only when the Host names no bucket; off with `console: false`), its access rules (loopback
 * Host or token, same origin for writes, no CORS), the page and its assets, the buckets' view,
 * the live request log, and the S3 API through `/_smll/s3/`, which runs the same pipeline as the
 * bucket's credential.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/index.js';
import { formatCredentials } from '../../src/credential-formats.js';
import { createApp } from '../../src/http/app.js';
import type { ConsoleBucket, ConsoleConfig } from '../../src/http/console.js';
import { RequestFeed } from '../../src/http/request-feed.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../src/http/request-timeout.js';
import { SMLL_GRANTED_ACTIONS } from '../../src/operations/table.js';
import { prepareDataDir, SqliteStore, type Store } from '../../src/store/index.js';
import { clientFor } from '../helpers.js';
import { consoleFetch, openEvents } from '../console-http.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };

function portOf(endpoint: string): string {
  return new URL(endpoint).port;
}

describe('the console of a loopback emulator', () => {
  let emulator: Emulator;
  let endpoint: string;
  const log: string[] = [];
  /** Same-origin headers, as the console's page sends them. */
  let sameOrigin: Record<string, string>;
  beforeAll(async () => {
    emulator = await startEmulator({
      buckets: ['my-bucket', { name: 'second-bucket', allow: ['s3:AbortMultipartUpload'] }],
      log: (line) => log.push(line),
      logFormat: 'json',
    });
    endpoint = emulator.endpoint;
    sameOrigin = { origin: endpoint };
  });
  afterAll(async () => {
    await emulator.stop();
  });
  const jsonLines = () => log.map((line) => JSON.parse(line) as Record<string, unknown>);

  describe('routing', () => {
    it('prints its URL without a token on loopback', () => {
      expect(emulator.consoleUrl).toBe(`${endpoint}/_smll/`);
    });

    it('leaves the readiness endpoint as it was: no token, any Host, not logged', async () => {
      const before = log.length;
      const res = await consoleFetch(endpoint, '/_smll/health', { headers: { host: `evil.example:${portOf(endpoint)}` } });
      expect(res.status).toBe(200);
      expect(res.text).toBe('{"status":"ok"}');
      expect(log.length).toBe(before);
    });

    it('answers an unknown console path 404 in JSON, no log line', async () => {
      const before = log.length;
      const res = await consoleFetch(endpoint, '/_smll/nothing-here');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.text)).toEqual({ error: 'NotFound', message: 'No console route /_smll/nothing-here: the console is at /_smll/.' });
      expect(res.headers).toMatchObject(SECURITY_HEADERS);
      expect(log.length).toBe(before);
    });

    it('under a virtual-hosted bucket, /_smll/x is an object key: S3, signed, not the console', async () => {
      const s3 = clientFor(emulator.env('my-bucket'));
      await s3.send(new (await import('@aws-sdk/client-s3')).PutObjectCommand({ Bucket: 'my-bucket', Key: '_smll/x', Body: 'an object' }));
      const res = await consoleFetch(endpoint, '/_smll/x', { headers: { host: `my-bucket.localhost:${portOf(endpoint)}` } });
      // Unsigned: S3 refuses it as S3 does, in XML.
      expect(res.status).toBe(403);
      expect(res.text).toContain('<Code>AccessDenied</Code>');
      const listed = await consoleFetch(endpoint, '/_smll/api/buckets', { headers: { host: `my-bucket.localhost:${portOf(endpoint)}` } });
      expect(listed.headers['content-type']).toBe('application/xml');
      expect(jsonLines().at(-1)).toMatchObject({ operation: 'GetObject', bucket: 'my-bucket', key: '_smll/api/buckets' });
    });
  });

  describe('access', () => {
    it('refuses a read whose Host is not loopback (DNS rebinding), with a JSON message saying where to open it', async () => {
      const port = portOf(endpoint);
      for (const path of ['/_smll/api/buckets', '/_smll/', '/_smll/api/events', '/_smll/s3/my-bucket?list-type=2', '/_smll/assets/app.js']) {
        const res = await consoleFetch(endpoint, path, { headers: { host: `evil.example:${port}` } });
        expect(res.status, path).toBe(403);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(res.text), path).toEqual({
          error: 'ConsoleForbidden',
          message: `The console answers loopback hosts only (Host: evil.example:${port}). Open it at http://127.0.0.1:${port}/_smll/ or start with --console-token.`,
        });
        expect(res.text).not.toContain(emulator.credentials('my-bucket').SECRET_KEY);
      }
    });

    it('answers localhost and 127.0.0.1 Hosts', async () => {
      for (const host of [`localhost:${portOf(endpoint)}`, `127.0.0.1:${portOf(endpoint)}`, `127.0.0.2:${portOf(endpoint)}`]) {
        const res = await consoleFetch(endpoint, '/_smll/api/buckets', { headers: { host } });
        expect(res.status, host).toBe(200);
      }
    });

    it('refuses cross-origin POST, PUT and DELETE (and ones with no origin at all), and accepts Sec-Fetch-Site: same-origin', async () => {
      const calls: Array<[string, string]> = [
        ['POST', '/_smll/s3/my-bucket/cross.bin?uploads'],
        ['PUT', '/_smll/s3/my-bucket/cross.txt'],
        ['DELETE', '/_smll/s3/my-bucket/cross.txt'],
      ];
      const before = log.length;
      for (const [method, path] of calls) {
        const refusedHeaders: Array<Record<string, string>> = [{ origin: 'http://evil.example' }, { origin: `http://localhost:${portOf(endpoint)}` }, {}, { 'sec-fetch-site': 'cross-site' }];
        for (const headers of refusedHeaders) {
          // Node's client sends a DELETE body without framing: none then.
          const res = await consoleFetch(endpoint, path, { method, headers, body: method === 'DELETE' ? undefined : 'x' });
          expect(res.status, `${method} ${JSON.stringify(headers)}`).toBe(403);
          expect(JSON.parse(res.text).error).toBe('ConsoleForbidden');
          expect(res.headers['access-control-allow-origin']).toBeUndefined();
        }
      }
      expect(log.length).toBe(before);
      const put = await consoleFetch(endpoint, '/_smll/s3/my-bucket/cross.txt', { method: 'PUT', headers: { 'sec-fetch-site': 'same-origin' }, body: 'x' });
      expect(put.status).toBe(200);
    });

    it('sends no CORS headers and answers no preflight, even for a bucket with CORS rules', async () => {
      const corsEmulator = await startEmulator({ buckets: [{ name: 'cors-bucket', cors: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'PUT'] }] }] });
      try {
        const e = corsEmulator.endpoint;
        const preflight = await consoleFetch(e, '/_smll/s3/cors-bucket/a.txt', {
          method: 'OPTIONS',
          headers: { origin: 'http://evil.example', 'access-control-request-method': 'PUT' },
        });
        expect(preflight.status).toBe(403);
        expect(JSON.parse(preflight.text)).toEqual({
          error: 'ConsoleForbidden',
          message: `The console answers no cross-origin requests (no CORS): the preflight from http://evil.example is refused. Use the console at ${e}/_smll/.`,
        });
        expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
        const get = await consoleFetch(e, '/_smll/s3/cors-bucket?list-type=2', { headers: { origin: 'http://evil.example' } });
        expect(get.status).toBe(200);
        expect(Object.keys(get.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
        // The S3 API itself still answers the bucket's rules.
        const s3Preflight = await consoleFetch(e, '/cors-bucket/a.txt', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'PUT' } });
        expect(s3Preflight.headers['access-control-allow-origin']).toBe('*');
      } finally {
        await corsEmulator.stop();
      }
    });

    it('sends the security headers and no-store on its API', async () => {
      const res = await consoleFetch(endpoint, '/_smll/api/buckets');
      expect(res.headers).toMatchObject({ ...SECURITY_HEADERS, 'cache-control': 'no-store' });
      const s3 = await consoleFetch(endpoint, '/_smll/s3/my-bucket?list-type=2');
      expect(s3.headers).toMatchObject(SECURITY_HEADERS);
      expect(s3.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    });
  });

  describe('GET /_smll/api/buckets', () => {
    it('gives each bucket in the order given: credentials as SMLL names them, actions, and the snippets', async () => {
      const res = await consoleFetch(endpoint, '/_smll/api/buckets');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const { buckets } = JSON.parse(res.text) as { buckets: ConsoleBucket[] };
      expect(buckets.map((b) => b.name)).toEqual(['my-bucket', 'second-bucket']);
      const [mine, second] = buckets;
      const credentials = emulator.credentials('my-bucket');
      expect(mine.credentials).toEqual({ ACCESS_KEY: credentials.ACCESS_KEY, SECRET_KEY: credentials.SECRET_KEY, ENDPOINT: endpoint, REGION: 'us-east-1' });
      expect(mine.actions).toEqual([...SMLL_GRANTED_ACTIONS]);
      expect(second.actions).toEqual([...SMLL_GRANTED_ACTIONS, 's3:AbortMultipartUpload']);
      expect(Object.keys(mine.snippets)).toEqual(['shell', 'dotenv', 'kubernetes', 'node', 'python', 'go']);
      // What `smll-storage credentials -f env|dotenv|k8s` prints for the bucket.
      expect(mine.snippets.shell).toBe(formatCredentials('my-bucket', credentials, 'env'));
      expect(mine.snippets.shell).toContain(`export S3_ACCESS_KEY=${credentials.ACCESS_KEY}\n`);
      expect(mine.snippets.dotenv).toBe(formatCredentials('my-bucket', credentials, 'dotenv'));
      expect(mine.snippets.kubernetes).toBe(formatCredentials('my-bucket', credentials, 'k8s'));
      expect(mine.snippets.kubernetes).toContain('name: my-bucket-credentials\n');
      for (const language of ['node', 'python', 'go'] as const) {
        for (const value of [credentials.ACCESS_KEY, credentials.SECRET_KEY, endpoint, 'us-east-1']) expect(mine.snippets[language], language).toContain(`"${value}"`);
        expect(mine.snippets[language]).not.toContain('S3_');
      }
      expect(mine.snippets.node).toContain('Bucket: "my-bucket"');
      expect(mine.snippets.python).toContain('s3.upload_file("photo.jpg", "my-bucket", "uploads/photo.jpg")');
      expect(mine.snippets.go).toContain('o.UsePathStyle = true');
      expect(second.snippets.node).toContain('Bucket: "second-bucket"');
    });

    it("the Node snippet runs as pasted (with a Buffer for the page's fileBuffer) and uploads to the bucket", async () => {
      const { buckets } = JSON.parse((await consoleFetch(endpoint, '/_smll/api/buckets')).text) as { buckets: Array<{ snippets: { node: string } }> };
      const source = buckets[0].snippets.node;
      expect(source).toContain('Body: fileBuffer,');
      // Inside the repository, so that it resolves @aws-sdk/client-s3 from its node_modules.
      const dir = mkdtempSync(join(REPO, 'test', '.console-snippet-'));
      try {
        const file = join(dir, 'snippet.mjs');
        writeFileSync(file, source.replace('fileBuffer', 'Buffer.from("from the snippet")'));
        // Asynchronously: the emulator answering it runs in this process.
        await promisify(execFile)(process.execPath, [file], { timeout: 30_000 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const s3 = clientFor(emulator.env('my-bucket'));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'my-bucket', Key: 'uploads/photo.jpg' }));
      expect(await got.Body!.transformToString()).toBe('from the snippet');
    });

    it('the Python snippet is valid Python', async () => {
      const { buckets } = JSON.parse((await consoleFetch(endpoint, '/_smll/api/buckets')).text) as { buckets: Array<{ snippets: { python: string } }> };
      const parsed = execFileSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read()); print("ok")'], { input: buckets[0].snippets.python }).toString();
      expect(parsed.trim()).toBe('ok');
    });

    it('answers GET only', async () => {
      const res = await consoleFetch(endpoint, '/_smll/api/buckets', { method: 'POST', headers: sameOrigin });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(JSON.parse(res.text).error).toBe('MethodNotAllowed');
    });
  });

  describe('S3 through /_smll/s3/', () => {
    const s3 = (path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}) =>
      consoleFetch(endpoint, `/_smll/s3/${path}`, { ...options, headers: { ...sameOrigin, ...options.headers } });

    it('puts, lists by prefix, heads with checksums, gets with a content disposition and deletes, as the bucket credential; each a console log line', async () => {
      const before = log.length;
      const put = await s3('my-bucket/docs/read%20me.txt', { method: 'PUT', body: 'hello console', headers: { 'content-type': 'text/plain' } });
      expect(put.status).toBe(200);
      expect(put.headers.etag).toBe(`"${createHash('md5').update('hello console').digest('hex')}"`);

      const list = await s3('my-bucket?list-type=2&delimiter=%2F&prefix=docs%2F&max-keys=100');
      expect(list.status).toBe(200);
      expect(list.headers['content-type']).toBe('application/xml');
      expect(list.text).toContain('<Key>docs/read me.txt</Key>');
      expect(list.text).toContain('<Size>13</Size>');
      const top = await s3('my-bucket?list-type=2&delimiter=%2F&max-keys=100');
      expect(top.text).toContain('<CommonPrefixes><Prefix>docs/</Prefix></CommonPrefixes>');

      const head = await s3('my-bucket/docs/read%20me.txt', { method: 'HEAD', headers: { 'x-amz-checksum-mode': 'ENABLED' } });
      expect(head.status).toBe(200);
      expect(head.headers['content-type']).toBe('text/plain');
      expect(head.headers['content-length']).toBe('13');
      expect(head.headers['x-amz-checksum-crc64nvme']).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(head.headers['last-modified']).toBeDefined();

      const download = await s3('my-bucket/docs/read%20me.txt?response-content-disposition=attachment%3B%20filename%3D%22read%20me.txt%22');
      expect(download.status).toBe(200);
      expect(download.text).toBe('hello console');
      expect(download.headers['content-disposition']).toBe('attachment; filename="read me.txt"');

      // What the console wrote is what the S3 API serves.
      const client = clientFor(emulator.env('my-bucket'));
      const viaSdk = await client.send(new HeadObjectCommand({ Bucket: 'my-bucket', Key: 'docs/read me.txt' }));
      expect(viaSdk.ContentLength).toBe(13);

      const del = await s3('my-bucket/docs/read%20me.txt', { method: 'DELETE' });
      expect(del.status).toBe(204);
      expect((await s3('my-bucket/docs/read%20me.txt', { method: 'HEAD' })).status).toBe(404);

      const lines = jsonLines().slice(before);
      expect(lines.map((l) => [l.operation, l.status, l.console])).toEqual([
        ['PutObject', 200, true],
        ['ListObjectsV2', 200, true],
        ['ListObjectsV2', 200, true],
        ['HeadObject', 200, true],
        ['GetObject', 200, true],
        ['HeadObject', 200, undefined],
        ['DeleteObject', 204, true],
        ['HeadObject', 404, true],
      ]);
      expect(lines[0]).toMatchObject({ bucket: 'my-bucket', key: 'docs/read me.txt' });
    });

    it('verifies the checksum headers the page sends', async () => {
      const bad = await s3('my-bucket/checked.txt', { method: 'PUT', body: 'abc', headers: { 'x-amz-checksum-crc32': 'AAAAAA==' } });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('<Code>BadDigest</Code>');
      const good = await s3('my-bucket/checked.txt', { method: 'PUT', body: 'abc', headers: { 'x-amz-checksum-crc32': 'NSRBwg==' } });
      expect(good.status).toBe(200);
      expect(good.headers['x-amz-checksum-crc32']).toBe('NSRBwg==');
    });

    it('uploads in parts: CreateMultipartUpload, UploadPart, CompleteMultipartUpload; AbortMultipartUpload is refused as SMLL refuses it', async () => {
      const created = await s3('my-bucket/big.bin?uploads', { method: 'POST', headers: { 'content-type': 'application/octet-stream' } });
      expect(created.status).toBe(200);
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text)![1];
      const part = Buffer.alloc(1024, 7);
      const uploaded = await s3(`my-bucket/big.bin?partNumber=1&uploadId=${encodeURIComponent(uploadId)}`, { method: 'PUT', body: part });
      expect(uploaded.status).toBe(200);
      const etag = uploaded.headers.etag!;
      const completed = await s3(`my-bucket/big.bin?uploadId=${encodeURIComponent(uploadId)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`,
      });
      expect(completed.status).toBe(200);
      expect(completed.text).toContain('<Key>big.bin</Key>');
      const head = await s3('my-bucket/big.bin', { method: 'HEAD' });
      expect(head.headers['content-length']).toBe('1024');
      expect(head.headers.etag).toMatch(/-1"$/);

      const another = await s3('my-bucket/left.bin?uploads', { method: 'POST' });
      const anotherId = /<UploadId>([^<]+)<\/UploadId>/.exec(another.text)![1];
      const abort = await s3(`my-bucket/left.bin?uploadId=${encodeURIComponent(anotherId)}`, { method: 'DELETE' });
      expect(abort.status).toBe(403);
      expect(abort.text).toContain('<Code>AccessDenied</Code>');
      expect(abort.text).toContain('s3:AbortMultipartUpload');
      expect(jsonLines().at(-1)).toMatchObject({ operation: 'AbortMultipartUpload', status: 403, console: true, refusal: { action: 's3:AbortMultipartUpload', headers: [] } });
    });

    it('acts with the granted actions of the bucket it names (a grant of one bucket is not another\'s)', async () => {
      const created = await s3('second-bucket/x.bin?uploads', { method: 'POST' });
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text)![1];
      const abort = await s3(`second-bucket/x.bin?uploadId=${encodeURIComponent(uploadId)}`, { method: 'DELETE' });
      expect(abort.status).toBe(204);
    });

    it('answers NoSuchBucket for a bucket the emulator does not serve, and AccessDenied for no bucket', async () => {
      const res = await s3('no-such-bucket?list-type=2');
      expect(res.status).toBe(404);
      expect(res.text).toContain('<Code>NoSuchBucket</Code>');
      expect(res.text).toContain('<BucketName>no-such-bucket</BucketName>');
      for (const path of ['', '/']) {
        const service = await consoleFetch(endpoint, `/_smll/s3${path}`);
        expect(service.status, path).toBe(403);
        expect(service.text).toContain('<Code>AccessDenied</Code>');
      }
    });

    it('a refused PUT (x-amz-acl) is a 403 whose live-log entry is marked console, with the refusal and its header; the JSON log has them too', async () => {
      const events = await openEvents(endpoint);
      try {
        const res = await s3('my-bucket/acl.txt', { method: 'PUT', body: 'x', headers: { 'x-amz-acl': 'public-read' } });
        expect(res.status).toBe(403);
        expect(res.text).toContain('<Code>AccessDenied</Code>');
        const requestId = res.headers['x-amz-request-id'];
        await events.until((requests) => requests.some((r) => r.requestId === requestId));
        const entry = events.requests().find((r) => r.requestId === requestId)!;
        expect(entry).toMatchObject({
          sseId: requestId,
          operation: 'PutObject',
          bucket: 'my-bucket',
          key: 'acl.txt',
          status: 403,
          errorCode: 'AccessDenied',
          hint: 'The request header x-amz-acl asks for s3:PutObjectAcl: send the request without it.',
          console: true,
          refusal: { action: 's3:PutObjectAcl', headers: ['x-amz-acl'] },
        });
        expect(jsonLines().find((l) => l.requestId === requestId)).toMatchObject({ console: true, refusal: { action: 's3:PutObjectAcl', headers: ['x-amz-acl'] } });
      } finally {
        await events.close();
      }
    });
  });

  describe('GET /_smll/api/events', () => {
    it('sends the entries already logged, oldest first, then new ones as they happen, the S3 API\'s marked console: false', async () => {
      const client = clientFor(emulator.env('my-bucket'));
      await client.send(new (await import('@aws-sdk/client-s3')).PutObjectCommand({ Bucket: 'my-bucket', Key: 'before.txt', Body: 'b' }));
      const events = await openEvents(endpoint);
      try {
        expect(events.status).toBe(200);
        expect(events.headers['content-type']).toBe('text/event-stream');
        expect(events.headers['cache-control']).toBe('no-store');
        expect(events.headers).toMatchObject(SECURITY_HEADERS);
        await events.until((requests) => requests.some((r) => r.key === 'before.txt'));
        const times = events.requests().map((r) => Date.parse(r.time as string));
        expect(times).toEqual([...times].sort((a, b) => a - b));
        await client.send(new (await import('@aws-sdk/client-s3')).PutObjectCommand({ Bucket: 'my-bucket', Key: 'after.txt', Body: 'a' }));
        await events.until((requests) => requests.some((r) => r.key === 'after.txt'));
        expect(events.requests().find((r) => r.key === 'after.txt')).toMatchObject({ operation: 'PutObject', status: 200, console: false });
        expect(events.requests().find((r) => r.key === 'after.txt')).not.toHaveProperty('refusal');
        // The console's own routes (this stream, the buckets, the page) are no entries; its S3 calls are.
        const paths = events.requests().flatMap((r) => (typeof r.path === 'string' ? [r.path] : []));
        expect(paths.filter((path) => path.startsWith('/_smll') && !path.startsWith('/_smll/s3'))).toEqual([]);
        expect(paths).toContain('/_smll/s3');
      } finally {
        await events.close();
      }
    });
  });
});

describe('the console with a temporary page directory, a token and a short keep-alive (createApp over real HTTP)', () => {
  let dataDir: string;
  let pageDir: string;
  let store: Store;
  let server: Server;
  let endpoint: string;
  const feed = new RequestFeed();
  const TOKEN = 'test-token-0123456789';

  /** The app with `console` (token required, the temporary page), listening on 127.0.0.1. */
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'smll-console-'));
    pageDir = join(dataDir, 'web');
    mkdirSync(pageDir);
    writeFileSync(join(pageDir, 'index.html'), '<!doctype html><title>console</title><script type="module" src="assets/app.js"></script>');
    writeFileSync(join(pageDir, 'app.js'), 'import "./util.js";\n');
    writeFileSync(join(pageDir, 'util.js'), 'export const x = 1;\n');
    writeFileSync(join(pageDir, 'styles.css'), 'body{}\n');
    writeFileSync(join(pageDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    prepareDataDir(dataDir);
    store = SqliteStore.open({ dataDir });
    await store.upsertBucket({ name: 'token-bucket', accessKey: 'AKIATOKENTOKEN000001', secretKey: 'token-secret', region: 'us-east-1' });
    const consoleConfig: ConsoleConfig = { tokenRequired: true, token: TOKEN, pageDir, keepAliveMs: 50, feed, buckets: () => [] };
    const app = createApp({
      store,
      region: 'us-east-1',
      vhostDomains: ['localhost'],
      grantedActions: () => new Set(SMLL_GRANTED_ACTIONS),
      corsRules: () => undefined,
      sigv2: 'accept',
      requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
      console: consoleConfig,
    });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const withToken = { 'x-smll-console-token': TOKEN };

  it('refuses a loopback Host without the token when one is required', async () => {
    const res = await consoleFetch(endpoint, '/_smll/api/buckets');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).message).toMatch(/needs its token/);
    const wrong = await consoleFetch(endpoint, '/_smll/api/buckets', { headers: { 'x-smll-console-token': 'nope' } });
    expect(wrong.status).toBe(403);
  });

  it('accepts the token from a non-loopback Host, by header, query or cookie', async () => {
    const host = `192.168.1.20:${portOf(endpoint)}`;
    expect((await consoleFetch(endpoint, '/_smll/api/buckets', { headers: { host, ...withToken } })).status).toBe(200);
    expect((await consoleFetch(endpoint, `/_smll/api/buckets?token=${TOKEN}`, { headers: { host } })).status).toBe(200);
    expect((await consoleFetch(endpoint, '/_smll/api/buckets', { headers: { host, cookie: `smll_console_token=${TOKEN}` } })).status).toBe(200);
  });

  it('turns ?token= on the page into a 303 to /_smll/ with an HttpOnly SameSite=Strict cookie, which then opens the page', async () => {
    const res = await consoleFetch(endpoint, `/_smll/?token=${TOKEN}`, { headers: { host: `192.168.1.20:${portOf(endpoint)}` } });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/_smll/');
    expect(res.headers['set-cookie']).toEqual([`smll_console_token=${TOKEN}; Path=/_smll/; HttpOnly; SameSite=Strict`]);
    const page = await consoleFetch(endpoint, '/_smll/', { headers: { cookie: res.headers['set-cookie']![0].split(';')[0] } });
    expect(page.status).toBe(200);
    const bad = await consoleFetch(endpoint, '/_smll/?token=wrong');
    expect(bad.status).toBe(403);
    expect(bad.headers['set-cookie']).toBeUndefined();
  });

  it('redirects /_smll to /_smll/ keeping the query, and serves index.html with the page CSP', async () => {
    const redirect = await consoleFetch(endpoint, `/_smll?token=${TOKEN}`);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe(`/_smll/?token=${TOKEN}`);
    const page = await consoleFetch(endpoint, '/_smll/', { headers: withToken });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<title>console</title>');
    expect(page.headers).toMatchObject(SECURITY_HEADERS);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
  });

  it('serves the assets by the name rule with their content types; 404 in JSON otherwise', async () => {
    const types: Record<string, string> = {
      'app.js': 'text/javascript; charset=utf-8',
      'util.js': 'text/javascript; charset=utf-8',
      'styles.css': 'text/css; charset=utf-8',
      'favicon.svg': 'image/svg+xml',
    };
    for (const [name, type] of Object.entries(types)) {
      const res = await consoleFetch(endpoint, `/_smll/assets/${name}`, { headers: withToken });
      expect(res.status, name).toBe(200);
      expect(res.headers['content-type'], name).toBe(type);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect((await consoleFetch(endpoint, '/_smll/assets/app.js', { headers: withToken })).text).toBe('import "./util.js";\n');
    // Revalidated, not downloaded again: the ETag answers 304 without a body; a stale one gets the file.
    for (const path of ['/_smll/assets/app.js', '/_smll/']) {
      const first = await consoleFetch(endpoint, path, { headers: withToken });
      expect(first.headers['cache-control'], path).toBe('no-cache');
      expect(first.headers.etag, path).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
      const again = await consoleFetch(endpoint, path, { headers: { ...withToken, 'if-none-match': first.headers.etag as string } });
      expect(again.status, path).toBe(304);
      expect(again.text, path).toBe('');
      const stale = await consoleFetch(endpoint, path, { headers: { ...withToken, 'if-none-match': '"0-0"' } });
      expect(stale.status, path).toBe(200);
      expect(stale.text, path).toBe(first.text);
    }
    for (const name of ['missing.js', 'index.html', 'App.js', '..%2Fweb%2Fapp.js', '../index.html', 'app.js.map', 'sub/app.js']) {
      const res = await consoleFetch(endpoint, `/_smll/assets/${name}`, { headers: withToken });
      expect(res.status, name).toBe(404);
      expect(JSON.parse(res.text).error, name).toBe('NotFound');
    }
  });

  it('keeps an event stream alive with comments and removes its reader when the connection closes: no leak after 50 connections', async () => {
    const events = await openEvents(endpoint, '/_smll/api/events', withToken);
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('no keep-alive comment')), 5_000);
      const poll = setInterval(() => {
        if (events.comments().includes('keep-alive')) {
          clearInterval(poll);
          clearTimeout(deadline);
          resolve();
        }
      }, 10);
    });
    expect(feed.readerCount).toBe(1);
    await events.close();
    for (let i = 0; i < 50; i++) {
      const reader = await openEvents(endpoint, '/_smll/api/events', withToken);
      await reader.close();
    }
    // The server sees each close shortly after the client's.
    for (let wait = 0; wait < 100 && feed.readerCount > 0; wait++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(feed.readerCount).toBe(0);
  });

  it('says the page is not built when its directory has no index.html', async () => {
    rmSync(join(pageDir, 'index.html'));
    const res = await consoleFetch(endpoint, '/_smll/', { headers: withToken });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).message).toMatch(/not built .*run npm run build/);
  });
});

describe('console: false', () => {
  it('answers every /_smll/ path but health 404 in JSON, not the S3 API; consoleUrl is undefined', async () => {
    const emulator = await startEmulator({ buckets: ['off-bucket'], console: false });
    try {
      expect(emulator.consoleUrl).toBeUndefined();
      for (const path of ['/_smll', '/_smll/', '/_smll/api/buckets', '/_smll/s3/off-bucket?list-type=2', '/_smll/assets/app.js']) {
        const res = await consoleFetch(emulator.endpoint, path);
        expect(res.status, path).toBe(404);
        expect(JSON.parse(res.text), path).toMatchObject({ error: 'NotFound', message: expect.stringContaining('--console off') });
      }
      expect((await consoleFetch(emulator.endpoint, '/_smll/health')).status).toBe(200);
    } finally {
      await emulator.stop();
    }
  });

  it('refuses an option that is not a boolean, and a token that cannot go in a URL', async () => {
    await expect(startEmulator({ console: 'off' as unknown as boolean })).rejects.toThrow('console must be true or false, not "off".');
    await expect(startEmulator({ consoleToken: 'has space' })).rejects.toThrow(/consoleToken must be 1 to 256 letters/);
  });

  it('a token given on loopback is accepted from any Host, and not put in the URL', async () => {
    const emulator = await startEmulator({ consoleToken: 'my-console-token' });
    try {
      expect(emulator.consoleUrl).toBe(`${emulator.endpoint}/_smll/`);
      const host = `laptop.lan:${portOf(emulator.endpoint)}`;
      expect((await consoleFetch(emulator.endpoint, '/_smll/api/buckets', { headers: { host } })).status).toBe(403);
      expect((await consoleFetch(emulator.endpoint, '/_smll/api/buckets', { headers: { host, 'x-smll-console-token': 'my-console-token' } })).status).toBe(200);
    } finally {
      await emulator.stop();
    }
  });
});
