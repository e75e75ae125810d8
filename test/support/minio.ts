/**
 * Provisional MinIO harness for the store-level gateway tests (G3's test/support/minio.ts
 * replaces it at merge; same shape). Starts the binary installed by `go install
 * github.com/minio/minio@…` on 127.0.0.1 with four drives in temp dirs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MinioServer {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

function minioBinary(): string {
  const gopath = process.env.GOPATH ?? join(process.env.HOME ?? '/root', 'go');
  const candidates = [process.env.GOBIN && join(process.env.GOBIN, 'minio'), join(gopath, 'bin', 'minio')].filter(Boolean) as string[];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`MinIO is not installed (looked at ${candidates.join(', ')}): run scripts/install-minio.sh`);
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startMinio(): Promise<MinioServer> {
  const root = mkdtempSync(join(tmpdir(), 'smll-minio-'));
  const [port, consolePort] = [await freePort(), await freePort()];
  const accessKeyId = 'minioadmin';
  const secretAccessKey = 'minioadmin-secret';
  const child = spawn(
    minioBinary(),
    ['server', '--quiet', '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, join(root, 'dir{1...4}')],
    { env: { ...process.env, MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey, MINIO_BROWSER: 'off', MINIO_CI_CD: 'on' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`minio exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${endpoint}/minio/health/cluster`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`minio did not become live within 60 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { endpoint, accessKeyId, secretAccessKey, stop };
}
