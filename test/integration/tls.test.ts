import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as x509 from '@peculiar/x509';
import { afterEach, describe, expect, test } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator.js';
import { startHarness } from '../../src/testing/harness.js';
import { localCaTls, TRUST_VARIABLES } from '../../src/tls.js';
import { CLI, startCli, type RunningCli } from '../cli-process.js';
import { clientFor } from '../helpers.js';
import { writeOldCertificate } from '../old-tls-certificate.js';

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

/** The certificates the server at `port` presents, leaf first (verification off: this only reads them). */
function servedChain(port: number): Promise<X509Certificate[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const chain: X509Certificate[] = [];
      let cert: PeerCertificate | undefined = socket.getPeerCertificate(true);
      while (cert?.raw && !chain.some((c) => c.raw.equals(cert!.raw))) {
        chain.push(new X509Certificate(cert.raw));
        cert = (cert as { issuerCertificate?: PeerCertificate }).issuerCertificate;
      }
      socket.end();
      resolve(chain);
    });
    socket.on('error', reject);
  });
}

/** The extension of `type` in `pem`, parsed by @peculiar/x509 (Node's X509Certificate does not expose key usage bits). */
function extension<T extends x509.Extension>(der: Buffer, type: new (raw: BufferSource) => T): T | null {
  return new x509.X509Certificate(new Uint8Array(der)).getExtension(type);
}

const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/** `openssl s_client` against the server, trusting `caFile` only, strict X.509 checks, the hostname or IP checked. */
function opensslClient(port: number, caFile: string, check: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', caFile, '-verify_return_error', '-x509_strict', '-ign_eof', ...check],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    // A complete request: the answer proves the handshake finished and the connection carries HTTP.
    child.stdin.end('GET /secure HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
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

  test('tls: true serves https with a certificate from a local CA, which SDK clients trust through the CA', async () => {
    const emulator = await startEmulator({ tls: true, buckets: ['secure'] });
    running.push(emulator);
    expect(emulator.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.env('secure').S3_ENDPOINT).toBe(emulator.endpoint);
    const certificate = emulator.certificate!;
    expect(certificate.file).toBe(join(emulator.dataDir, 'tls', 'ca.pem'));
    expect(readFileSync(certificate.file!, 'utf8')).toBe(certificate.pem);
    expect(new X509Certificate(certificate.pem).ca).toBe(true);
    expect(certificate.replaced).toBeUndefined();

    const s3 = trustingClient(emulator, 'secure', certificate.pem);
    await s3.send(new PutObjectCommand({ Bucket: 'secure', Key: 'over-tls.txt', Body: 'encrypted in transit' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'secure', Key: 'over-tls.txt' }));
    expect(await got.Body!.transformToString()).toBe('encrypted in transit');
    s3.destroy();

    // Not trusted by default: the chain ends in the local CA, which a client was not told about.
    expect(await untrustedGetError(`${emulator.endpoint}/secure`)).toBe('SELF_SIGNED_CERT_IN_CHAIN');
  });

  test('the served leaf is an end-entity server certificate (CA:FALSE, digitalSignature + keyEncipherment, serverAuth, SANs) signed by the CA', async () => {
    const emulator = await startEmulator({ tls: true });
    running.push(emulator);
    const [leaf, ca, ...more] = await servedChain(emulator.port);
    expect(more).toEqual([]);
    const caPem = emulator.certificate!.pem;
    expect(ca.raw.equals(new X509Certificate(caPem).raw)).toBe(true);

    // The leaf: what rustls checks (webpki refuses CA:TRUE here with CaUsedAsEndEntity).
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toEqual([EKU_SERVER_AUTH]);
    expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('::1')).toBe('::1');
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.publicKey.asymmetricKeyType).toBe('rsa');
    const leafBasic = extension(leaf.raw, x509.BasicConstraintsExtension)!;
    expect({ ca: leafBasic.ca, critical: leafBasic.critical }).toEqual({ ca: false, critical: true });
    const leafUsage = extension(leaf.raw, x509.KeyUsagesExtension)!;
    expect({ usages: leafUsage.usages, critical: leafUsage.critical }).toEqual({
      usages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      critical: true,
    });
    expect(extension(leaf.raw, x509.ExtendedKeyUsageExtension)!.usages).toEqual([x509.ExtendedKeyUsage.serverAuth]);
    // RFC 5280 §4.2.1.1: the leaf names the CA's key (OpenSSL's strict mode, Python 3.13's default, requires it).
    expect(extension(leaf.raw, x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(extension(ca.raw, x509.SubjectKeyIdentifierExtension)!.keyId);

    // The CA: signs certificates, nothing else, and only the leaf (path length 0).
    expect(ca.ca).toBe(true);
    expect(ca.checkIssued(ca)).toBe(true);
    const caBasic = extension(ca.raw, x509.BasicConstraintsExtension)!;
    expect({ ca: caBasic.ca, pathLength: caBasic.pathLength, critical: caBasic.critical }).toEqual({ ca: true, pathLength: 0, critical: true });
    const caUsage = extension(ca.raw, x509.KeyUsagesExtension)!;
    expect({ usages: caUsage.usages, critical: caUsage.critical }).toEqual({ usages: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, critical: true });

    // Files: the CA's key is nowhere (it signed the leaf and was dropped); the leaf's key is private.
    const dir = join(emulator.dataDir, 'tls');
    expect(readdirSync(dir).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
    expect(statSync(join(dir, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  test('an OpenSSL client (s_client, strict X.509) trusting only the CA completes a request, checking localhost and 127.0.0.1', async () => {
    const emulator = await startEmulator({ tls: true, buckets: ['secure'] });
    running.push(emulator);
    for (const check of [
      ['-verify_hostname', 'localhost'],
      ['-verify_ip', '127.0.0.1'],
    ]) {
      const run = await opensslClient(emulator.port, emulator.certificate!.file!, check);
      expect(run.output).toContain('Verify return code: 0 (ok)');
      // Unsigned, so refused: the S3 answer came back over the verified connection.
      expect(run.output).toContain('HTTP/1.1 403 Forbidden');
      expect(run.output).toContain('<Code>AccessDenied</Code>');
      expect(run.code).toBe(0);
    }
    // A name the certificate does not cover fails verification.
    const wrong = await opensslClient(emulator.port, emulator.certificate!.file!, ['-verify_hostname', 'example.com']);
    expect(wrong.output).toContain('verify error:num=62:hostname mismatch');
    expect(wrong.code).toBe(1);
  });

  test('a persistent data dir keeps its CA and certificate across restarts, so clients keep trusting it', async () => {
    const dataDir = tempDir();
    const first = await startEmulator({ tls: true, dataDir, buckets: ['secure'] });
    const pem = first.certificate!.pem;
    const chain = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');
    await first.stop();
    const second = await startEmulator({ tls: true, dataDir });
    running.push(second);
    expect(second.certificate).toEqual({ pem, file: join(dataDir, 'tls', 'ca.pem') });
    expect(readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8')).toBe(chain);
  });

  test('a stored CA:TRUE certificate of earlier versions is replaced by a CA and a leaf at the next start, the key kept 0600', async () => {
    const dataDir = tempDir();
    const old = await writeOldCertificate(dataDir);
    const emulator = await startEmulator({ tls: true, dataDir, buckets: ['secure'] });
    running.push(emulator);
    expect(emulator.certificate!.replaced).toBe("it was a CA certificate (CA:TRUE) served as the server's own, which rustls clients refuse");
    const [leaf, ca] = await servedChain(emulator.port);
    expect(leaf.ca).toBe(false);
    expect(leaf.raw.equals(new X509Certificate(old).raw)).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8')).toBe(emulator.certificate!.pem);
    expect(statSync(join(dataDir, 'tls', 'key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'tls')).mode & 0o777).toBe(0o700);
    const s3 = trustingClient(emulator, 'secure', emulator.certificate!.pem);
    await s3.send(new PutObjectCommand({ Bucket: 'secure', Key: 'k', Body: 'v' }));
    s3.destroy();
  });

  test('a stored set that no longer fits is replaced, saying why: CA file missing, key or CA not matching, unreadable', async () => {
    const dataDir = tempDir();
    const dir = join(dataDir, 'tls');
    const reasonAfter = async (damage: () => void) => {
      await localCaTls(dataDir);
      damage();
      return (await localCaTls(dataDir)).replaced;
    };
    expect(await reasonAfter(() => rmSync(join(dir, 'ca.pem')))).toBe('its CA certificate (ca.pem) is missing');
    const other = await localCaTls(tempDir());
    expect(await reasonAfter(() => writeFileSync(join(dir, 'key.pem'), other.key))).toBe('its key does not match it');
    expect(await reasonAfter(() => writeFileSync(join(dir, 'ca.pem'), other.ca))).toBe('it was not signed by the CA in ca.pem');
    expect(await reasonAfter(() => writeFileSync(join(dir, 'cert.pem'), 'not a certificate'))).toMatch(/^it could not be read \(/);
    // After each replacement the set is whole again and reused as is.
    const settled = await localCaTls(dataDir);
    expect(settled.replaced).toBeUndefined();
    expect((await localCaTls(dataDir)).cert).toBe(settled.cert);
  });

  test('the leaf also covers a specific listen address and the vhost domain with its wildcard; a new name replaces it', async () => {
    const dataDir = tempDir();
    const withDomain = await localCaTls(dataDir, { host: '127.0.0.2', vhostDomain: 'S3.Local.Test' });
    expect(new X509Certificate(withDomain.cert).subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:127.0.0.2, DNS:s3.local.test, DNS:*.s3.local.test',
    );
    // Fewer names: the stored one still covers them.
    expect((await localCaTls(dataDir)).cert).toBe(withDomain.cert);
    // 0.0.0.0 / :: are no names a client connects to; 127.0.0.1 is already there.
    expect((await localCaTls(dataDir, { host: '0.0.0.0' })).replaced).toBeUndefined();
    expect((await localCaTls(dataDir, { host: '::' })).replaced).toBeUndefined();
    const moved = await localCaTls(dataDir, { vhostDomain: 'other.test' });
    expect(moved.replaced).toBe('it did not cover other.test');
    expect(new X509Certificate(moved.cert).subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:other.test, DNS:*.other.test',
    );
    const named = await localCaTls(dataDir, { host: 'storage.internal', vhostDomain: 'other.test' });
    expect(named.replaced).toBe('it did not cover storage.internal');

    // Through startEmulator: its vhostDomain reaches the certificate.
    const emulator = await startEmulator({ tls: true, vhostDomain: 's3.local.test' });
    running.push(emulator);
    const [leaf] = await servedChain(emulator.port);
    expect(leaf.checkHost('my-bucket.s3.local.test')).toBe('*.s3.local.test');
  });

  test('tls: { cert, key } serves the given certificate chain (and writes none)', async () => {
    const given = await localCaTls(tempDir());
    const emulator = await startEmulator({ tls: { cert: given.cert, key: given.key }, buckets: ['secure'] });
    running.push(emulator);
    expect(emulator.certificate).toEqual({ pem: given.cert, file: undefined });
    expect(existsSync(join(emulator.dataDir, 'tls'))).toBe(false);
    const s3 = trustingClient(emulator, 'secure', given.ca);
    await s3.send(new PutObjectCommand({ Bucket: 'secure', Key: 'k', Body: 'v' }));
    s3.destroy();
  });

  test('startEmulator with a certificate or key that is not PEM rejects, saying so', async () => {
    const given = await localCaTls(tempDir());
    await expect(startEmulator({ tls: { cert: 'not a certificate', key: 'not a key' } })).rejects.toThrow(
      /^the TLS certificate or key is not usable \(PEM certificate and matching private key expected\)/,
    );
    const otherKey = await localCaTls(tempDir());
    await expect(startEmulator({ tls: { cert: given.cert, key: otherKey.key } })).rejects.toThrow(/^the TLS certificate or key is not usable/);
  });

  test('the test harness with tls: true puts the CA in every trust variable of process.env, and takes them back at stop', async () => {
    const before = Object.fromEntries(TRUST_VARIABLES.map((name) => [name, process.env[name]]));
    const harness = await startHarness(tempDir(), { config: false, tls: true });
    try {
      const caFile = harness.emulator.certificate!.file!;
      for (const name of TRUST_VARIABLES) {
        expect(harness.variables[name]).toBe(caFile);
        expect(process.env[name]).toBe(caFile);
      }
    } finally {
      await harness.stop();
    }
    expect(Object.fromEntries(TRUST_VARIABLES.map((name) => [name, process.env[name]]))).toEqual(before);
  });

  test('CLI --tls prints an https endpoint and the CA to trust in the variable each kind of client reads', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--quiet', '--tls', '--bucket', 'secure']);
    clis.push(cli);
    expect(cli.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const output = cli.output();
    const caFile = /^export AWS_CA_BUNDLE=(.+)$/m.exec(output)![1];
    expect(caFile).toMatch(/\/tls\/ca\.pem$/);
    for (const name of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE']) expect(output).toContain(`\nexport ${name}=${caFile}\n`);
    expect(output).toContain('# Go tools on Linux (mc, restic, rclone), OpenSSL-based tools, Python ssl, rustls-native-certs (polars): SSL_CERT_FILE;');
    expect(output).not.toContain('replaced the stored TLS certificate');
    expect(new X509Certificate(readFileSync(caFile)).ca).toBe(true);
    expect(cli.env.secure.S3_ENDPOINT).toBe(cli.endpoint);
  });

  test('CLI --tls on a data dir holding the old CA:TRUE certificate says it replaced it', async () => {
    const dataDir = tempDir();
    await writeOldCertificate(dataDir);
    const cli = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet', '--tls']);
    clis.push(cli);
    expect(cli.output()).toContain(
      `\n# replaced the stored TLS certificate: it was a CA certificate (CA:TRUE) served as the server's own, which rustls clients refuse; trust ${join(dataDir, 'tls', 'ca.pem')} again where the old one was imported\n`,
    );
  });

  test('CLI --cert/--key serve the given files and print the given certificate path', async () => {
    const dir = tempDir();
    const given = await localCaTls(dir);
    const certFile = join(dir, 'tls', 'cert.pem');
    const cli = await startCli(['--temp', '--port', '0', '--quiet', '--cert', certFile, '--key', join(dir, 'tls', 'key.pem'), '--bucket', 'secure']);
    clis.push(cli);
    expect(cli.endpoint).toMatch(/^https:/);
    expect(cli.output()).toContain(`export AWS_CA_BUNDLE=${certFile}`);
    expect(cli.output()).toContain(`export SSL_CERT_FILE=${certFile}`);
    expect(given.caFile).toBe(join(dir, 'tls', 'ca.pem'));
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
