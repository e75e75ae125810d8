import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, describe, expect, test } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator.js';
import { selfSignedTls } from '../../src/tls.js';
import { CLI, startCli, type RunningCli } from '../cli-process.js';
import { clientFor } from '../helpers.js';

/** An SDK client that trusts only `ca` (as a service given AWS_CA_BUNDLE / NODE_EXTRA_CA_CERTS would). */
function trustingClient(emulator: Emulator, bucket: string, ca: string) {
  return clientFor(emulator.env(bucket), { requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca }) }) });
}

/** GET over https with the default trust store: resolves with the TLS error code. */
function untrustedGetError(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      res.resume();
      reject(new Error(`expected a TLS failure, got HTTP ${res.statusCode}`));
    }).on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('https (--tls)', () => {
  const running: Emulator[] = [];
  const dirs: string[] = [];
  const clis: RunningCli[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'smll-tls-test-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const cli of clis.splice(0)) {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
    await Promise.all(running.splice(0).map((e) => e.stop()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  test('tls: true serves https with a self-signed certificate for 127.0.0.1 that SDK clients can trust', async () => {
    const emulator = await startEmulator({ tls: true, buckets: ['secure'] });
    running.push(emulator);
    expect(emulator.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.env('secure').S3_ENDPOINT).toBe(emulator.endpoint);
    const certificate = emulator.certificate!;
    expect(readFileSync(certificate.file!, 'utf8')).toBe(certificate.pem);

    const s3 = trustingClient(emulator, 'secure', certificate.pem);
    await s3.send(new PutObjectCommand({ Bucket: 'secure', Key: 'over-tls.txt', Body: 'encrypted in transit' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'secure', Key: 'over-tls.txt' }));
    expect(await got.Body!.transformToString()).toBe('encrypted in transit');
    s3.destroy();

    // Not trusted by default: a self-signed certificate is refused by a client that was not told about it.
    expect(await untrustedGetError(`${emulator.endpoint}/secure`)).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  test('a persistent data dir keeps its certificate across restarts, so clients keep trusting it', async () => {
    const dataDir = tempDir();
    const first = await startEmulator({ tls: true, dataDir, buckets: ['secure'] });
    const pem = first.certificate!.pem;
    await first.stop();
    const second = await startEmulator({ tls: true, dataDir });
    running.push(second);
    expect(second.certificate!.pem).toBe(pem);
    expect(second.certificate!.file).toBe(join(dataDir, 'tls', 'cert.pem'));
  });

  test('tls: { cert, key } serves the given certificate (and writes none)', async () => {
    const given = await selfSignedTls(tempDir());
    const emulator = await startEmulator({ tls: { cert: given.cert, key: readFileSync(join(given.certFile, '../key.pem'), 'utf8') }, buckets: ['secure'] });
    running.push(emulator);
    expect(emulator.certificate).toEqual({ pem: given.cert, file: undefined });
    const s3 = trustingClient(emulator, 'secure', given.cert);
    await s3.send(new PutObjectCommand({ Bucket: 'secure', Key: 'k', Body: 'v' }));
    s3.destroy();
  });

  test('startEmulator with a certificate or key that is not PEM rejects, saying so', async () => {
    const given = await selfSignedTls(tempDir());
    await expect(startEmulator({ tls: { cert: 'not a certificate', key: 'not a key' } })).rejects.toThrow(
      /^the TLS certificate or key is not usable \(PEM certificate and matching private key expected\)/,
    );
    const otherKey = await selfSignedTls(tempDir());
    await expect(startEmulator({ tls: { cert: given.cert, key: readFileSync(join(otherKey.certFile, '../key.pem'), 'utf8') } })).rejects.toThrow(
      /^the TLS certificate or key is not usable/,
    );
  });

  test('CLI --tls prints an https endpoint and the certificate to trust as AWS_CA_BUNDLE and NODE_EXTRA_CA_CERTS', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--quiet', '--tls', '--bucket', 'secure']);
    clis.push(cli);
    expect(cli.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const bundle = /^export AWS_CA_BUNDLE=(.+)$/m.exec(cli.output())![1];
    expect(cli.output()).toContain(`export NODE_EXTRA_CA_CERTS=${bundle}`);
    expect(readFileSync(bundle, 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
    expect(cli.env.secure.S3_ENDPOINT).toBe(cli.endpoint);
  });

  test('CLI --cert/--key serve the given files and print the given certificate path', async () => {
    const dir = tempDir();
    const given = await selfSignedTls(dir);
    const cli = await startCli(['--temp', '--port', '0', '--quiet', '--cert', given.certFile, '--key', join(dir, 'tls', 'key.pem'), '--bucket', 'secure']);
    clis.push(cli);
    expect(cli.endpoint).toMatch(/^https:/);
    expect(cli.output()).toContain(`export AWS_CA_BUNDLE=${given.certFile}`);
  });

  test('CLI bad TLS flags: --cert without --key, an unreadable file, a file that is no certificate', () => {
    const dir = tempDir();
    const run = (args: string[]) => spawnSync(process.execPath, [CLI, '--temp', '--port', '0', ...args], { encoding: 'utf8', timeout: 30_000 });

    const alone = run(['--cert', join(dir, 'cert.pem')]);
    expect(alone.status).toBe(1);
    expect(alone.stderr).toContain('--cert and --key go together');

    const missing = run(['--cert', join(dir, 'missing.pem'), '--key', join(dir, 'missing-key.pem')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`cannot read the certificate file ${join(dir, 'missing.pem')}`);

    writeFileSync(join(dir, 'not-a-cert.pem'), 'hello');
    const garbage = run(['--cert', join(dir, 'not-a-cert.pem'), '--key', join(dir, 'not-a-cert.pem')]);
    expect(garbage.status).toBe(1);
    expect(garbage.stderr).toContain('smll-storage: the TLS certificate or key is not usable (PEM certificate and matching private key expected)');
  });
});
