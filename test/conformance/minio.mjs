// The differential target: a local MinIO (built from the Go module proxy with `go install` when it
// is not there yet), on 127.0.0.1 with a fresh data dir, http or https (self-signed, as the emulator's).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const ROOT_USER = 'conformanceroot';
const ROOT_PASSWORD = 'conformance-root-secret';
const BUCKETS = ['conformance-a', 'conformance-b'];

/** The pinned MinIO of scripts/install-minio.sh (a no-op once built), where that script puts it. */
function minioBinary(root) {
  execFileSync('bash', [join(root, 'scripts/install-minio.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const gobin = execFileSync('go', ['env', 'GOBIN'], { encoding: 'utf8' }).trim();
  const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
  return join(gobin || join(gopath.split(':')[0], 'bin'), 'minio');
}

function freePort() {
  return new Promise((resolvePort, rejectPort) => {
    const server = createServer();
    server.once('error', rejectPort);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitUntilLive(endpoint, ca, child, output) {
  const agent = ca ? new Agent({ ca }) : undefined;
  const { request } = await import(endpoint.startsWith('https:') ? 'node:https' : 'node:http');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`minio exited with ${child.exitCode}:\n${output()}`);
    const live = await new Promise((resolveLive) => {
      const req = request(`${endpoint}/minio/health/live`, { agent }, (res) => {
        res.resume();
        resolveLive(res.statusCode === 200);
      });
      req.on('error', () => resolveLive(false));
      req.end();
    });
    if (live) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`minio not live within 60 s:\n${output()}`);
}

/**
 * Starts MinIO for one runner. MinIO has no per-bucket credentials without its admin API, so both
 * buckets use the root credentials: SMLL's permission rules are emulator-only rows.
 */
export async function startMinio({ transport, root }) {
  const binary = minioBinary(root);
  // A `go install` build calls itself DEVELOPMENT.GOGET: its module version says which commit it is.
  const buildInfo = execFileSync('go', ['version', '-m', binary], { encoding: 'utf8' });
  const version = `MinIO ${/^\s*mod\s+github\.com\/minio\/minio\s+(\S+)/m.exec(buildInfo)?.[1] ?? 'unknown version'} (go install)`;
  const workDir = mkdtempSync(join(tmpdir(), 'smll-conformance-minio-'));
  const dataDir = join(workDir, 'data');
  const certsDir = join(workDir, 'certs');
  mkdirSync(dataDir);
  mkdirSync(certsDir);
  let ca;
  let caFile;
  if (transport === 'https') {
    // The emulator's own certificate maker (a local CA and a leaf), so both targets present the same kind of chain.
    const { localCaTls } = await import(join(root, 'dist/tls.js'));
    const tls = await localCaTls(workDir);
    copyFileSync(join(workDir, 'tls/cert.pem'), join(certsDir, 'public.crt'));
    copyFileSync(join(workDir, 'tls/key.pem'), join(certsDir, 'private.key'));
    ca = tls.ca;
    caFile = tls.caFile;
  }
  const port = await freePort();
  const consolePort = await freePort();
  const child = spawn(
    binary,
    ['server', dataDir, '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--certs-dir', certsDir, '--quiet'],
    { env: { ...process.env, MINIO_ROOT_USER: ROOT_USER, MINIO_ROOT_PASSWORD: ROOT_PASSWORD, MINIO_BROWSER: 'off' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const stop = () =>
    new Promise((resolveStop) => {
      const done = () => {
        rmSync(workDir, { recursive: true, force: true });
        resolveStop();
      };
      if (child.exitCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
    });
  const endpoint = `${transport}://127.0.0.1:${port}`;
  try {
    await waitUntilLive(endpoint, ca, child, () => log);
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD },
      forcePathStyle: true,
      ...(ca ? { requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca }) }) } : {}),
    });
    for (const bucket of BUCKETS) await client.send(new CreateBucketCommand({ Bucket: bucket }));
    client.destroy();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    workDir,
    version,
    notes:
      'MinIO runs with one root credential for both buckets (per-bucket keys need its admin API), ' +
      'so the other-bucket refusal cannot be emulated there.',
    env: {
      SMLL_ENDPOINT: endpoint,
      SMLL_REGION: 'us-east-1',
      SMLL_BUCKET: BUCKETS[0],
      SMLL_ACCESS_KEY: ROOT_USER,
      SMLL_SECRET_KEY: ROOT_PASSWORD,
      SMLL_BUCKET2: BUCKETS[1],
      SMLL_ACCESS_KEY2: ROOT_USER,
      SMLL_SECRET_KEY2: ROOT_PASSWORD,
      ...(caFile ? { AWS_CA_BUNDLE: caFile, NODE_EXTRA_CA_CERTS: caFile } : {}),
    },
    stop,
  };
}
