import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { clientFor } from '../helpers.js';
import { cliTestScope, startCli, stopCli } from '../cli-process.js';
import { startEmulator } from '../../src/index.js';

const { running, tempDir } = cliTestScope('smll-hygiene-test-');

describe('the data dir', () => {
  it('a new one ignores itself in git (.gitignore of *); one the user made is left alone, also once it holds a store', async () => {
    const fresh = join(tempDir(), 'nested', 'data');
    await (await startEmulator({ dataDir: fresh, buckets: ['bbb'] })).stop();
    expect(readFileSync(join(fresh, '.gitignore'), 'utf8')).toMatch(/^\*$/m);

    const users = tempDir();
    await (await startEmulator({ dataDir: users })).stop();
    await (await startEmulator({ dataDir: users })).stop();
    expect(existsSync(join(users, '.gitignore'))).toBe(false);
  });

  it('the default .smll-storage made by an older version (no .gitignore) gets it at the next start', async () => {
    const dir = join(tempDir(), '.smll-storage');
    await (await startEmulator({ dataDir: dir })).stop();
    rmSync(join(dir, '.gitignore'));
    await (await startEmulator({ dataDir: dir })).stop();
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during an upload leaves no partial body in tmp/`, async () => {
      const dataDir = tempDir();
      const cli = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet', '--bucket', 'uploads']);
      running.push(cli);
      const url = await getSignedUrl(clientFor(cli.env.uploads), new PutObjectCommand({ Bucket: 'uploads', Key: 'big' }), { expiresIn: 60 });
      // 1 MiB of a promised 8 MiB, then nothing: the body is half written when the signal comes.
      const upload = request(url, { method: 'PUT', headers: { 'content-length': 8 << 20 } });
      upload.on('error', () => {});
      upload.write(Buffer.alloc(1 << 20, 1));
      const tmp = join(dataDir, 'tmp');
      const written = () => readdirSync(tmp).reduce((sum, name) => sum + statSync(join(tmp, name)).size, 0);
      await expect.poll(written, { timeout: 10_000 }).toBe(1 << 20);

      cli.child.kill(signal);
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      expect(readdirSync(tmp)).toEqual([]);
      upload.destroy();
    });
  }
});

describe('the suite itself', () => {
  it('a process that exits without stop() (a test runner interrupted in watch mode) takes its temporary data dirs with it', async () => {
    const script = [
      `import { startEmulator } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};`,
      "const emulators = await Promise.all([startEmulator({ buckets: ['bbb'] }), startEmulator()]);",
      'console.log(JSON.stringify(emulators.map((e) => e.dataDir)));',
      "process.on('SIGINT', () => process.exit(130));",
      "process.kill(process.pid, 'SIGINT');",
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.status, child.stderr).toBe(130);
    const dirs = JSON.parse(child.stdout) as string[];
    expect(dirs).toHaveLength(2);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });

  it('stopCli (what every CLI test ends with) leaves no --temp data dir behind', async () => {
    const tmpdir = tempDir();
    const cli = await startCli(['--temp', '--port', '0', '--quiet', '--bucket', 'bbb'], undefined, { TMPDIR: tmpdir });
    // On Node 22.1+ bin/ turns on Node's compile cache, which Node keeps in TMPDIR/node-compile-cache
    // across runs on purpose: Node's shared cache, not a data dir of ours.
    const ours = () => readdirSync(tmpdir).filter((name) => name !== 'node-compile-cache');
    expect(ours()).toHaveLength(1);
    await stopCli(cli);
    expect(ours()).toEqual([]);
  });
});
