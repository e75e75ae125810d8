import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { clientFor } from '../helpers.js';
import { CLI, cliTestScope, startCli } from '../cli-process.js';

const run = promisify(execFile);
const { running, tempDir } = cliTestScope('smll-cli-test-');

describe('smll-storage CLI', () => {
  it('prints --help and --version', async () => {
    const help = await run(process.execPath, [CLI, 'serve', '--help']);
    expect(help.stdout).toContain('--bucket <name[=ACCESS_KEY:SECRET_KEY]>');
    expect(help.stdout).toContain('--data-dir');
    const version = await run(process.execPath, [CLI, '--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses an invalid bucket name at start with a clear message', async () => {
    const err = await run(process.execPath, [CLI, '--temp', '--port', '0', '--bucket', 'Bad_Name']).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain('Invalid bucket name "Bad_Name"');
  });

  it('serves, prints the four S3_* lines per bucket, and the reference Node snippet works with them', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--bucket', 'my-bucket', '--bucket', 'fixed-keys=AKIAFIXEDFIXEDFIXED1:fixedsecretfixedsecretfixedsecretfixedse']);
    running.push(cli);
    const env = cli.env['my-bucket'];
    expect(Object.keys(env)).toEqual(['S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY', 'S3_SECRET_KEY']);
    expect(env.S3_ACCESS_KEY).toMatch(/^[A-Z0-9]{20}$/);
    expect(env.S3_SECRET_KEY).toHaveLength(40);
    expect(cli.env['fixed-keys']).toMatchObject({ S3_ACCESS_KEY: 'AKIAFIXEDFIXEDFIXED1' });

    const s3 = clientFor(env);
    await s3.send(new PutObjectCommand({ Bucket: 'my-bucket', Key: 'uploads/photo.jpg', Body: Buffer.from('jpeg bytes') }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'my-bucket', Key: 'uploads/photo.jpg' }));
    expect(await got.Body!.transformToString()).toBe('jpeg bytes');
    await expect.poll(() => cli.output()).toMatch(/PutObject my-bucket\/uploads\/photo.jpg 200 [\d.]+ms/);
    expect(cli.output()).not.toMatch(new RegExp(`Authorization|Signature=`));

    cli.child.kill('SIGINT');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });

  it('keeps buckets, credentials and objects in a persistent data dir across restarts', async () => {
    const dataDir = tempDir();
    const first = await startCli(['--data-dir', dataDir, '--port', '0', '--bucket', 'keep-me', '--quiet']);
    running.push(first);
    const env = first.env['keep-me'];
    await clientFor(env).send(new PutObjectCommand({ Bucket: 'keep-me', Key: 'k', Body: 'persisted' }));
    first.child.kill('SIGTERM');
    await first.exited;

    const second = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet']);
    running.push(second);
    const again = second.env['keep-me'];
    expect(again.S3_ACCESS_KEY).toBe(env.S3_ACCESS_KEY);
    expect(again.S3_SECRET_KEY).toBe(env.S3_SECRET_KEY);
    const got = await clientFor(again).send(new GetObjectCommand({ Bucket: 'keep-me', Key: 'k' }));
    expect(await got.Body!.transformToString()).toBe('persisted');
  });
});
