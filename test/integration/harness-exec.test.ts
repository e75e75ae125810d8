import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI } from '../cli-process.js';
import { isListening } from '../helpers.js';
import { REPO } from '../recipes/run-recipe.js';

const run = promisify(execFile);

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `smll-storage exec ARGS` to the end (never throws on a non-zero status). */
async function exec(args: string[]): Promise<Finished> {
  return run(process.execPath, [CLI, 'exec', ...args], { cwd: REPO }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

/** A node one-liner as a command for exec. */
const node = (source: string) => [process.execPath, '--input-type=module', '-e', source];

const PRINT_S3_VARIABLES = `console.log(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('S3_')))))`;

describe('smll-storage exec', () => {
  it('gives one bucket its four S3_* variables (and S3_<BUCKET>_*), which the reference SDK snippet uses as is', async () => {
    const script = `
      import { S3Client, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
      const s3 = new S3Client({
        endpoint: process.env.S3_ENDPOINT,
        region: process.env.S3_REGION,
        credentials: { accessKeyId: process.env.S3_ACCESS_KEY, secretAccessKey: process.env.S3_SECRET_KEY },
        forcePathStyle: true,
      });
      await s3.send(new PutObjectCommand({ Bucket: 'my-bucket', Key: 'uploads/photo.jpg', Body: 'jpeg bytes' }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'my-bucket', Key: 'uploads/photo.jpg' }));
      console.log('read back:', await got.Body.transformToString());
      ${PRINT_S3_VARIABLES};
    `;
    const result = await exec(['--bucket', 'my-bucket', '--', ...node(script)]);
    expect(result.stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?trace-warnings[^\n]*\n/, '')).toBe('');
    expect(result.code).toBe(0);
    const [readBack, json] = result.stdout.trim().split('\n');
    expect(readBack).toBe('read back: jpeg bytes');
    const variables = JSON.parse(json) as Record<string, string>;
    expect(Object.keys(variables).sort()).toEqual(
      ['S3_ACCESS_KEY', 'S3_ENDPOINT', 'S3_REGION', 'S3_SECRET_KEY', 'S3_MY_BUCKET_ACCESS_KEY', 'S3_MY_BUCKET_ENDPOINT', 'S3_MY_BUCKET_REGION', 'S3_MY_BUCKET_SECRET_KEY'].sort(),
    );
    expect(variables.S3_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(variables.S3_MY_BUCKET_SECRET_KEY).toBe(variables.S3_SECRET_KEY);
    // Stopped once the command ended.
    expect(await isListening(variables.S3_ENDPOINT)).toBe(false);
  });

  it('with several buckets: the first as S3_*, each as S3_<NAME>_* (upper-cased, - and . as _), each with its own keys', async () => {
    const result = await exec(['-b', 'first-bucket', '-b', 'logs.archive', '--region', 'eu-west-3', '--', ...node(PRINT_S3_VARIABLES)]);
    expect(result.code).toBe(0);
    const variables = JSON.parse(result.stdout) as Record<string, string>;
    expect(variables.S3_ACCESS_KEY).toBe(variables.S3_FIRST_BUCKET_ACCESS_KEY);
    expect(variables.S3_LOGS_ARCHIVE_ACCESS_KEY).not.toBe(variables.S3_FIRST_BUCKET_ACCESS_KEY);
    expect(variables.S3_LOGS_ARCHIVE_REGION).toBe('eu-west-3');
    expect(variables.S3_LOGS_ARCHIVE_ENDPOINT).toBe(variables.S3_ENDPOINT);
  });

  it('takes --allow and --cors like serve: the grant and the rules reach the bucket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smll-exec-cors-'));
    try {
      writeFileSync(join(dir, 'cors.json'), JSON.stringify([{ AllowedOrigins: ['http://app.test'], AllowedMethods: ['PUT'] }]));
      const script = `
        import { S3Client, CreateMultipartUploadCommand, AbortMultipartUploadCommand } from '@aws-sdk/client-s3';
        const s3 = new S3Client({
          endpoint: process.env.S3_ENDPOINT,
          region: process.env.S3_REGION,
          credentials: { accessKeyId: process.env.S3_ACCESS_KEY, secretAccessKey: process.env.S3_SECRET_KEY },
          forcePathStyle: true,
        });
        const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'granted', Key: 'k' }));
        const aborted = await s3.send(new AbortMultipartUploadCommand({ Bucket: 'granted', Key: 'k', UploadId }));
        console.log('abort:', aborted.$metadata.httpStatusCode);
        const preflight = await fetch(process.env.S3_ENDPOINT + '/granted/k', {
          method: 'OPTIONS',
          headers: { Origin: 'http://app.test', 'Access-Control-Request-Method': 'PUT' },
        });
        console.log('preflight:', preflight.status, preflight.headers.get('access-control-allow-origin'));
      `;
      const result = await exec(['-b', 'granted', '--allow', 'granted=s3:AbortMultipartUpload', '--cors', `granted=${join(dir, 'cors.json')}`, '--', ...node(script)]);
      expect(result.stdout).toBe('abort: 204\npreflight: 200 http://app.test\n');
      expect(result.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--tls: an https endpoint, and the command gets the local CA in each trust variable (AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE)', async () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { S3Client, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
      const s3 = new S3Client({
        endpoint: process.env.S3_ENDPOINT,
        region: process.env.S3_REGION,
        credentials: { accessKeyId: process.env.S3_ACCESS_KEY, secretAccessKey: process.env.S3_SECRET_KEY },
        forcePathStyle: true,
      });
      await s3.send(new PutObjectCommand({ Bucket: 'secure-bucket', Key: 'k', Body: 'over tls' }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'secure-bucket', Key: 'k' }));
      console.log(process.env.S3_ENDPOINT.split(':')[0], await got.Body.transformToString());
      const names = ['AWS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'];
      console.log(names.every((name) => process.env[name] === process.env.AWS_CA_BUNDLE), process.env.AWS_CA_BUNDLE.endsWith('/tls/ca.pem'));
      console.log(new X509Certificate(readFileSync(process.env.AWS_CA_BUNDLE)).ca);
    `;
    const result = await exec(['-b', 'secure-bucket', '--tls', '--', ...node(`import { X509Certificate } from 'node:crypto';${script}`)]);
    // The SDK trusts the CA through NODE_EXTRA_CA_CERTS alone: the script gives it no certificate.
    expect(result.stdout).toBe('https over tls\ntrue true\ntrue\n');
    expect(result.code).toBe(0);
  });

  it('exits with the command\'s status, 128 + the signal number when a signal ended it', async () => {
    expect((await exec(['-b', 'abc', '--', ...node('process.exit(3)')])).code).toBe(3);
    expect((await exec(['-b', 'abc', '--', 'sh', '-c', 'kill -KILL $$'])).code).toBe(128 + 9);
    expect((await exec(['-b', 'abc', '--', 'sh', '-c', 'kill -TERM $$'])).code).toBe(128 + 15);
  });

  it('forwards SIGTERM and SIGINT to the command, then stops', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child = spawn(
        process.execPath,
        [CLI, 'exec', '-b', 'abc', '--', ...node(`process.on('${signal}', () => { console.log('command got ${signal}'); process.exit(7); }); console.log('ready ' + process.env.S3_ENDPOINT); setInterval(() => {}, 1000);`)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await expect.poll(() => stdout, { timeout: 15_000 }).toMatch(/^ready http/);
      const endpoint = /ready (\S+)/.exec(stdout)![1];
      child.kill(signal);
      expect(await exited).toBe(7);
      expect(stdout).toContain(`command got ${signal}`);
      expect(await isListening(endpoint)).toBe(false);
    }
  });

  it('a command that is not found exits 127 with a message', async () => {
    const result = await exec(['-b', 'abc', '--', 'no-such-command-smll']);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('smll-storage exec: command not found: no-such-command-smll');
  });

  it('bad input: no bucket, two buckets with the same variable names, a bad --seed, no command', async () => {
    const noBucket = await exec(['--', 'true']);
    expect(noBucket).toMatchObject({ code: 1, stdout: '' });
    expect(noBucket.stderr).toBe('smll-storage: exec needs a bucket: --bucket NAME (repeatable), or "buckets" in smll-storage.config.json.\n');

    const clash = await exec(['-b', 'my-data', '-b', 'my.data', '--', 'true']);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toBe('smll-storage: buckets "my-data" and "my.data" would both set S3_MY_DATA_* variables: rename one.\n');

    const badSeed = await exec(['-b', 'abc', '--seed', 'abc', '--', 'true']);
    expect(badSeed.code).toBe(1);
    expect(badSeed.stderr).toContain(`option '--seed <BUCKET=DIR>' argument 'abc' is invalid. expected BUCKET=DIR, got "abc"`);

    const missingDir = await exec(['-b', 'abc', '--seed', 'abc=/no/such/dir', '--', 'true']);
    expect(missingDir.code).toBe(1);
    expect(missingDir.stderr).toBe('smll-storage: seed: /no/such/dir (for bucket "abc") is not a directory.\n');

    const noCommand = await exec(['-b', 'abc']);
    expect(noCommand.code).toBe(1);
    expect(noCommand.stderr).toContain(`missing required argument 'command'`);
  });
});
