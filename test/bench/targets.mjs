/**
 * The servers the bench measures, each started as its own process on 127.0.0.1 with a fresh
 * data directory: this emulator (its CLI), the ceiling server, s3rver, moto's server, MinIO, and
 * the emulator in gateway mode over a MinIO of its own (started with it, as MinIO alone is).
 * Missing peers are installed here (moto into a venv beside this file, MinIO by scripts/install-minio.sh);
 * a peer that cannot be installed or started is reported with its error, never fatal.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { presignUrl } from '../../dist/auth/sigv4-client.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = resolve(benchDir, '../..');
/**
 * The emulator build the bench measures: a copy of bin/, dist/ and package.json taken when the
 * run starts (see snapshotEmulator), so that a rebuild of dist/ during a long run (other work on
 * the same tree) cannot swap the code under test. Inside the repo, so node_modules resolve.
 */
export const SNAPSHOT_DIR = join(repoDir, '.bench-snapshot');

export function snapshotEmulator() {
  fs.rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
  for (const part of ['bin', 'dist', 'package.json']) fs.cpSync(join(repoDir, part), join(SNAPSHOT_DIR, part), { recursive: true });
}
export const BUCKET = 'bench';
const REGION = 'us-east-1';

/**
 * BENCH_CPU_PROF=DIR (the emulator) or BENCH_CEILING_CPU_PROF=DIR (the ceiling): write a V8 CPU
 * profile of that server there, read with profile-summary.mjs.
 */
function cpuProfileFlags(variable) {
  const dir = process.env[variable];
  return dir ? ['--cpu-prof', '--cpu-prof-dir', resolve(dir)] : [];
}

/** name → how to install (once), launch and probe it. */
const DEFINITIONS = {
  emulator: {
    label: 'smll-storage (this emulator)',
    verifiesSignatures: true,
    credentials: { accessKeyId: 'BENCHACCESSKEY', secretKey: 'bench-secret-key' },
    command: (port) => [
      process.execPath,
      [
        ...cpuProfileFlags('BENCH_CPU_PROF'),
        join(SNAPSHOT_DIR, 'bin/smll-storage.js'),
        'serve',
        '--temp',
        '--quiet',
        '--port',
        String(port),
        '--bucket',
        `${BUCKET}=BENCHACCESSKEY:bench-secret-key`,
      ],
    ],
    probe: { method: 'HEAD', path: `/${BUCKET}` },
  },
  ceiling: {
    label: 'ceiling (bare node:http)',
    verifiesSignatures: false,
    credentials: { accessKeyId: 'ceiling', secretKey: 'ceiling' },
    command: (port, dataDir) => [process.execPath, [...cpuProfileFlags('BENCH_CEILING_CPU_PROF'), join(benchDir, 'ceiling-server.mjs'), String(port), dataDir]],
    probe: { method: 'HEAD', path: `/${BUCKET}` },
  },
  s3rver: {
    label: 's3rver',
    verifiesSignatures: true,
    credentials: { accessKeyId: 'S3RVER', secretKey: 'S3RVER' },
    // Its ListObjectsV2 continuation tokens use DES, which OpenSSL 3 keeps in the legacy provider.
    command: (port, dataDir) => [process.execPath, ['--openssl-legacy-provider', join(benchDir, 's3rver-server.mjs'), String(port), dataDir, BUCKET]],
    probe: { method: 'HEAD', path: `/${BUCKET}` },
  },
  moto: {
    label: 'moto server',
    verifiesSignatures: false,
    credentials: { accessKeyId: 'testing', secretKey: 'testing' },
    install: installMoto,
    command: (port) => [join(benchDir, '.venv/bin/moto_server'), ['-H', '127.0.0.1', '-p', String(port)]],
    probe: { method: 'GET', path: '/' },
    createBucket: true,
  },
  gateway: {
    label: 'smll-storage gateway over MinIO',
    verifiesSignatures: true,
    credentials: { accessKeyId: 'BENCHACCESSKEY', secretKey: 'bench-secret-key' },
    install: installMinio,
    backend: 'minio',
    command: (port, _dataDir, _consolePort, backend) => [
      process.execPath,
      [
        join(SNAPSHOT_DIR, 'bin/smll-storage.js'),
        'serve',
        '--quiet',
        '--port',
        String(port),
        '--bucket',
        `${BUCKET}=BENCHACCESSKEY:bench-secret-key`,
        '--backend',
        's3',
        '--backend-endpoint',
        backend.endpoint,
        '--backend-region',
        REGION,
      ],
    ],
    env: (backend) => ({ SMLL_BACKEND_ACCESS_KEY: backend.credentials.accessKeyId, SMLL_BACKEND_SECRET_KEY: backend.credentials.secretKey }),
    probe: { method: 'HEAD', path: `/${BUCKET}` },
  },
  minio: {
    label: 'MinIO',
    verifiesSignatures: true,
    credentials: { accessKeyId: 'benchadmin', secretKey: 'bench-secret-key' },
    install: installMinio,
    command: (port, dataDir, consolePort) => [
      minioBinary(),
      ['server', dataDir, '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'],
    ],
    env: { MINIO_ROOT_USER: 'benchadmin', MINIO_ROOT_PASSWORD: 'bench-secret-key', MINIO_BROWSER: 'off', MINIO_UPDATE: 'off' },
    probe: { method: 'GET', path: '/' },
    createBucket: true,
  },
};

export const TARGET_NAMES = Object.keys(DEFINITIONS);

export function describeTarget(name) {
  const { label, verifiesSignatures } = DEFINITIONS[name];
  return { name, label, verifiesSignatures };
}

function installMoto() {
  const venv = join(benchDir, '.venv');
  if (fs.existsSync(join(venv, 'bin/moto_server'))) return;
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(join(venv, 'bin/pip'), ['install', '--quiet', 'moto[server]'], { stdio: 'inherit', timeout: 15 * 60_000 });
}

/** Shared with the conformance differential: one `go install` into the default GOBIN. */
function minioBinary() {
  const gobin = execFileSync('go', ['env', 'GOBIN'], { encoding: 'utf8' }).trim();
  const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim().split(':')[0];
  return join(gobin || join(gopath, 'bin'), 'minio');
}

/** The pinned version (a no-op once built; about ten minutes the first time). */
function installMinio() {
  execFileSync('bash', [join(repoDir, 'scripts/install-minio.sh')], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 20 * 60_000 });
}

/** Installs what `names` need; returns name → error message for those that could not be installed. */
export function installTargets(names) {
  const failures = {};
  for (const name of names) {
    try {
      DEFINITIONS[name].install?.();
    } catch (err) {
      failures[name] = `install failed: ${err.message.split('\n')[0]}`;
    }
  }
  return failures;
}

export async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * Spawns the target and polls its probe (a presigned request computed before the spawn) until
 * it answers 2xx. `startupMs` is spawn → first successful response.
 */
export async function startTarget(name, { timeoutMs = 60_000 } = {}) {
  const definition = DEFINITIONS[name];
  // The gateway's backend, started first and stopped with it.
  const backend = definition.backend ? await startTarget(definition.backend, { timeoutMs }) : undefined;
  const port = await freePort();
  const dataDir = fs.mkdtempSync(join(tmpdir(), `smll-bench-${name}-`));
  const credentials = { ...definition.credentials, region: REGION };
  const endpoint = `http://127.0.0.1:${port}`;
  const sign = (method, path) => presignUrl({ ...credentials, method, url: `${endpoint}${path}`, expiresSeconds: 6 * 3600 });
  const probeUrl = sign(definition.probe.method, definition.probe.path);
  const [command, args] = definition.command(port, dataDir, await freePort(), backend);

  const started = performance.now();
  const child = spawn(command, args, {
    cwd: dataDir,
    env: { ...process.env, ...(typeof definition.env === 'function' ? definition.env(backend) : definition.env) },
    stdio: ['ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)));
  let exited = null;
  const exitPromise = new Promise((ok) => child.once('exit', (code, signal) => ok((exited = { code, signal }))));

  const stopProcess = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(timer);
    }
    await backend?.stopProcess();
  };
  /** Removing a data dir of 200,000 objects takes minutes for some peers: callers may do it last. */
  const removeData = () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    backend?.removeData();
  };
  const stop = async () => {
    await stopProcess();
    removeData();
  };

  let startupMs;
  while (startupMs === undefined) {
    if (exited) {
      await stop();
      throw new Error(`exited (${exited.code ?? exited.signal}) before answering: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    if (performance.now() - started > timeoutMs) {
      await stop();
      throw new Error(`no successful response within ${timeoutMs} ms: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    try {
      const response = await request(probeUrl, { method: definition.probe.method, reset: true });
      await response.body.dump();
      if (response.statusCode < 300) startupMs = performance.now() - started;
      else await sleep(5);
    } catch {
      await sleep(5);
    }
  }

  if (definition.createBucket) {
    const response = await request(sign('PUT', `/${BUCKET}`), { method: 'PUT' });
    const text = await response.body.text();
    if (response.statusCode >= 300) {
      await stop();
      throw new Error(`creating bucket ${BUCKET}: ${response.statusCode} ${text.slice(0, 200)}`);
    }
  }

  return { name, ...describeTarget(name), endpoint, pid: child.pid, credentials, startupMs, sign, stop, stopProcess, removeData };
}
