/**
 * A MinIO of its own for a test run: the binary scripts/install-minio.sh builds (pinned), on
 * 127.0.0.1 at a free port, in distributed (erasure-coded) mode over four drives in a fresh temp
 * dir — `dir{1...4}`, which starts here with MINIO_CI_CD=1 (without it MinIO refuses drives on
 * the root disk, "drive not found") — so that the gateway is tested against the quorum writes of
 * a real cluster, not MinIO's single-drive mode.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MinioServer {
  /** `http://127.0.0.1:PORT`. */
  endpoint: string;
  /** The root credentials. */
  accessKeyId: string;
  secretAccessKey: string;
  /** Stops it (SIGTERM, SIGKILL after 10 s) and removes its drives. */
  stop(): Promise<void>;
}

const DRIVES = 4;
const READY_TIMEOUT_MS = 60_000;

/** Where scripts/install-minio.sh puts it: `$(go env GOBIN)/minio`, else `$(go env GOPATH)/bin/minio`. */
export function minioBinary(): string {
  let binDir: string;
  try {
    const gobin = execFileSync('go', ['env', 'GOBIN'], { encoding: 'utf8' }).trim();
    binDir = gobin || join(execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim().split(':')[0], 'bin');
  } catch (err) {
    throw new Error(`MinIO is built with Go, which is not on PATH (${(err as Error).message}): install Go, then run scripts/install-minio.sh.`);
  }
  const binary = join(binDir, 'minio');
  if (!existsSync(binary)) throw new Error(`MinIO is not installed (no ${binary}): run scripts/install-minio.sh (a pinned go install; about ten minutes the first time).`);
  return binary;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, rejectPort) => {
    const server = createServer();
    server.once('error', rejectPort);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Whether the cluster takes writes (its quorum is up): MinIO's cluster health check. */
function clusterHealthy(endpoint: string): Promise<boolean> {
  return new Promise((resolveHealthy) => {
    const req = request(`${endpoint}/minio/health/cluster`, (res) => {
      res.resume();
      resolveHealthy(res.statusCode === 200);
    });
    req.on('error', () => resolveHealthy(false));
    req.end();
  });
}

export async function startMinio(): Promise<MinioServer> {
  const binary = minioBinary();
  const workDir = mkdtempSync(join(tmpdir(), 'smll-minio-'));
  for (let i = 1; i <= DRIVES; i++) mkdirSync(join(workDir, `dir${i}`));
  const [port, consolePort] = [await freePort(), await freePort()];
  const accessKeyId = 'smllminioroot';
  const secretAccessKey = randomBytes(16).toString('hex');
  const child = spawn(
    binary,
    ['server', join(workDir, `dir{1...${DRIVES}}`), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'],
    {
      env: { ...process.env, MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey, MINIO_BROWSER: 'off', MINIO_UPDATE: 'off', MINIO_CI_CD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(workDir, { recursive: true, force: true });
    })();
    return stopped;
  };
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await clusterHealthy(endpoint))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`MinIO (${binary}) did not become healthy on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  return { endpoint, accessKeyId, secretAccessKey, stop };
}
