import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOldCertificate } from '../old-tls-certificate.js';
import { CLI, startCli } from '../cli-process.js';
import { recipeDir, runRecipe, type RecipeRun } from './run-recipe.js';

/**
 * `smll-storage exec --tls` runs each kind of TLS client with no certificate option of its own: it
 * trusts the local CA only through the variable exec gives it, as a user's command would.
 * rustls (the TLS of polars' object_store and the Rust AWS SDK) is built once by cargo, its target
 * dir outside the clone; the Python check uses requests, from a venv made once when the system
 * python lacks it.
 */
const rustlsDir = recipeDir('rustls');
const clientsDir = recipeDir('tls-clients');
const cargoTarget = join(homedir(), '.cache', 'smll-storage', 'cargo-target', 'rustls-check');
const rustlsClient = join(cargoTarget, 'release', 'smll-rustls-check');

function pythonWithRequests(): string {
  try {
    execFileSync('python3', ['-c', 'import requests'], { stdio: 'ignore' });
    return 'python3';
  } catch {
    const venv = join(tmpdir(), 'smll-storage-recipes-tls-venv');
    const python = join(venv, 'bin', 'python');
    if (!existsSync(python)) execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', 'requests'], { stdio: 'inherit' });
    return python;
  }
}

/** `smll-storage exec --tls -b secure -- sh -c SCRIPT`: SCRIPT sees S3_ENDPOINT and the trust variables. */
function underExec(script: string, env: Record<string, string> = {}): Promise<RecipeRun> {
  return runRecipe(clientsDir, process.execPath, [CLI, 'exec', '--tls', '-b', 'secure', '--', 'sh', '-c', script], env);
}

/** The https address of S3_ENDPOINT, for clients that take HOST:PORT. */
const ADDRESS = '"${S3_ENDPOINT#https://}"';

let python: string;
const scratch: string[] = [];
beforeAll(() => {
  execFileSync('cargo', ['build', '--release', '--locked', '--quiet'], { cwd: rustlsDir, env: { ...process.env, CARGO_TARGET_DIR: cargoTarget }, stdio: 'inherit' });
  python = pythonWithRequests();
});
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('TLS clients trust `--tls` through the variable exec gives them', () => {
  it('rustls (webpki, roots from rustls-native-certs = SSL_CERT_FILE) completes a request, for localhost and for 127.0.0.1', async () => {
    const run = await underExec(`"${rustlsClient}" ${ADDRESS} localhost /secure && "${rustlsClient}" ${ADDRESS} 127.0.0.1 /secure`);
    // Unsigned, so refused: the S3 answer came over the verified connection.
    expect(run.output).toBe('HTTP/1.1 403 Forbidden\nHTTP/1.1 403 Forbidden\n');
    expect(run.code).toBe(0);
  });

  it('rustls refuses a name the certificate does not cover', async () => {
    const run = await underExec(`"${rustlsClient}" ${ADDRESS} example.com /secure`);
    expect(run.output).toMatch(/^error: invalid peer certificate: certificate not valid for name "example.com"/);
    expect(run.code).toBe(1);
  });

  it('the certificate of earlier versions (CA:TRUE served as the leaf) is what rustls refused, however it was trusted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smll-tls-recipe-'));
    scratch.push(dir);
    await writeOldCertificate(dir);
    const cert = join(dir, 'tls', 'cert.pem');
    const cli = await startCli(['--temp', '--port', '0', '--quiet', '--cert', cert, '--key', join(dir, 'tls', 'key.pem')]);
    const served = await runRecipe(clientsDir, rustlsClient, [new URL(cli.endpoint).host, 'localhost', '/'], { SSL_CERT_FILE: cert });
    cli.child.kill('SIGTERM');
    await cli.exited;
    expect(served.output).toContain('error: invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))');
    expect(served.code).toBe(1);
  });

  it("Go's crypto/x509 (the roots of mc, restic, rclone) reads SSL_CERT_FILE and completes a request", async () => {
    const run = await underExec('go run . "$S3_ENDPOINT/secure"');
    expect(run.output).toBe('HTTP/1.1 403 Forbidden\n');
    expect(run.code).toBe(0);
  });

  it("Python's ssl (OpenSSL, strict X.509 as Python 3.13's default) through SSL_CERT_FILE and requests through REQUESTS_CA_BUNDLE complete a request", async () => {
    const run = await underExec(`"${python}" check.py "$S3_ENDPOINT/secure"`);
    expect(run.output).toBe('ssl localhost 403\nssl 127.0.0.1 403\nrequests 403\n');
    expect(run.code).toBe(0);
  });

  it('curl reads CURL_CA_BUNDLE and completes a request', async () => {
    const run = await underExec('curl --silent --show-error --output /dev/null --write-out "%{http_code}\\n" "$S3_ENDPOINT/secure"');
    expect(run.output).toBe('403\n');
    expect(run.code).toBe(0);
  });
});
