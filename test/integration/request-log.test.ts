/**
 * The request log: one line per request with its time, request id, operation, bucket/key,
 * status, S3 error code and duration (text, or one JSON object per line); client-chosen values
 * (keys, paths) are written with control characters escaped, so a key holding a newline cannot
 * forge a log line. And the readiness endpoint, which needs no credentials and is not logged.
 */
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/index.js';
import { clientFor, startTestEmulator, type TestEmulator } from '../helpers.js';
import { cliTestScope, startCli } from '../cli-process.js';
import { signedFetch } from '../raw-request.js';

const FORGED = 'DeleteObject test-bucket/important 204 0.1ms';
/** A text line's time and request id, ahead of the operation. */
const TIME_AND_ID = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) ([0-9A-F]{16}) /;

/** The line without its time and request id (asserted to be there). */
function afterId(line: string | undefined): string {
  expect(line).toMatch(TIME_AND_ID);
  return line!.replace(TIME_AND_ID, '');
}

describe("startEmulator's log", () => {
  let t: TestEmulator;
  const log: string[] = [];
  beforeAll(async () => {
    t = await startTestEmulator({ log: (line) => log.push(line) });
  });
  afterAll(async () => {
    await t.emulator.stop();
  });

  it('escapes a newline in a key: one line per request, no forged line', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: `a\n${FORGED}`, Body: 'x' }));
    await t.s3.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: 'b\r\x1b[2K\ttab', Body: 'x' }));
    const lines = log.map(afterId);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^PutObject test-bucket/a\\\\n${FORGED.replace(/\./g, '\\.')} 200 [\\d.]+ms$`)));
    expect(lines).toContainEqual(expect.stringMatching(/^PutObject test-bucket\/b\\r\\x1b\[2K\\ttab 200 [\d.]+ms$/));
    for (const line of log) expect(line).not.toMatch(/[\n\r\x1b]/);
  });

  it('escapes the backslash, so a key that spells "\\n" logs differently from one holding a newline', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: 'c\\nd', Body: 'x' }));
    await t.s3.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: 'c\nd', Body: 'x' }));
    const lines = log.map(afterId);
    expect(lines).toContainEqual(expect.stringMatching(/^PutObject test-bucket\/c\\\\nd 200 /));
    expect(lines).toContainEqual(expect.stringMatching(/^PutObject test-bucket\/c\\nd 200 /));
  });

  it('escapes control characters of a path that names no operation', async () => {
    const res = await fetch(`${t.emulator.endpoint}/%0Aforged%0D`, { method: 'GET' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(afterId(log.at(-1))).toMatch(/ \S*\\n\S*\\r\S* \d{3} [A-Za-z]+ [\d.]+ms$/);
  });

  it('tells an unknown access key, a wrong secret and a refusal apart by their S3 error code, with the request id the SDK reports', async () => {
    const env = t.emulator.env('test-bucket');
    const withKeys = (accessKeyId: string, secretAccessKey: string) =>
      new S3Client({ endpoint: env.S3_ENDPOINT, region: env.S3_REGION, forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId, secretAccessKey } });
    // A refusal's line ends with what to change: here, that the credential is another bucket's.
    const cases: Array<[S3Client, string, string, string]> = [
      [withKeys('AKIAUNKNOWNKEY000000', env.S3_SECRET_KEY), 'test-bucket', 'InvalidAccessKeyId', ''],
      [withKeys(env.S3_ACCESS_KEY, 'wrong-secret'), 'test-bucket', 'SignatureDoesNotMatch', ''],
      [t.s3, 'other-bucket', 'AccessDenied', " These are test-bucket's credentials: they reach test-bucket only, not other-bucket."],
    ];
    for (const [client, bucket, code, hint] of cases) {
      const err = (await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })).catch((e: unknown) => e)) as S3ServiceException;
      expect(err.name).toBe(code);
      const requestId = err.$metadata.requestId!;
      const line = log.find((l) => l.includes(` ${requestId} `));
      expect(line).toMatch(new RegExp(`^\\S+Z ${requestId} GetObject ${bucket}/k 403 ${code} [\\d.]+ms${hint.replace(/[().']/g, '\\$&')}$`));
    }
  });

  it('answers GET /_smll/health with 200 and no credentials, without a log line', async () => {
    const before = log.length;
    const res = await fetch(`${t.emulator.endpoint}/_smll/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
    const head = await fetch(`${t.emulator.endpoint}/_smll/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(log.length).toBe(before);
  });

  it('leaves /_smll/health under a virtual-hosted bucket to S3: there it is an object key', async () => {
    const host = `test-bucket.localhost:${new URL(t.emulator.endpoint).port}`;
    const res = await signedFetch(t.emulator.env('test-bucket'), { method: 'GET', path: '/_smll/health', host });
    expect(res.status).toBe(404);
    expect(res.text).toContain('<Code>NoSuchKey</Code>');
    expect(afterId(log.at(-1))).toMatch(/^GetObject test-bucket\/_smll\/health 404 NoSuchKey /);
  });
});

describe('the JSON log format', () => {
  let emulator: Emulator;
  const log: string[] = [];
  beforeAll(async () => {
    emulator = await startEmulator({ buckets: ['json-bucket'], log: (line) => log.push(line), logFormat: 'json' });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('writes one JSON object per request, a newline in a key staying inside its string', async () => {
    const s3 = clientFor(emulator.env('json-bucket'));
    await s3.send(new PutObjectCommand({ Bucket: 'json-bucket', Key: `k\n${FORGED}`, Body: 'x' }));
    await s3.send(new GetObjectCommand({ Bucket: 'json-bucket', Key: 'missing' })).catch(() => undefined);
    const entries = log.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
      requestId: expect.stringMatching(/^[0-9A-F]{16}$/),
      operation: 'PutObject',
      bucket: 'json-bucket',
      key: `k\n${FORGED}`,
      status: 200,
      durationMs: expect.any(Number),
    });
    expect(entries[1]).toMatchObject({ operation: 'GetObject', key: 'missing', status: 404, errorCode: 'NoSuchKey' });
  });

  it('refuses a format it does not know', async () => {
    await expect(startEmulator({ buckets: ['bad-format'], log: () => {}, logFormat: 'xml' as 'json' })).rejects.toThrow('logFormat must be one of text, json, got "xml".');
  });
});

describe('the CLI request log', () => {
  const { running } = cliTestScope('smll-log-cli-');

  it('prints a key with a newline on one escaped line', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--bucket', 'logged']);
    running.push(cli);
    await clientFor(cli.env.logged).send(new PutObjectCommand({ Bucket: 'logged', Key: `k\n${FORGED}`, Body: 'x' }));
    await expect.poll(() => cli.output()).toContain(`PutObject logged/k\\n${FORGED} 200 `);
    expect(cli.output().split('\n').filter((line) => line.includes(' DeleteObject '))).toEqual([]);
  });

  it('--log-format json prints JSON lines', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--bucket', 'logged', '--log-format', 'json']);
    running.push(cli);
    await clientFor(cli.env.logged).send(new PutObjectCommand({ Bucket: 'logged', Key: 'j', Body: 'x' }));
    await expect.poll(() => cli.output()).toContain('"operation":"PutObject"');
    const line = cli.output().split('\n').find((l) => l.includes('"operation":"PutObject"'))!;
    expect(JSON.parse(line)).toMatchObject({ bucket: 'logged', key: 'j', status: 200 });
  });
});
