/**
 * Issue #12, points 2 and 4: several buckets give paste-safe output in the order given, and the
 * CLI explains itself (help, unknown commands, exec's own options, busy ports, a data dir in use,
 * credentials without a bucket name, --name, the --temp path, replaced keys, --seed, -f aws).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetBucketLocationCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { CLI, cliTestScope, startCli } from '../cli-process.js';
import { clientFor } from '../helpers.js';

const execFileAsync = promisify(execFile);
const { running, tempDir } = cliTestScope('smll-cli-explains-');

async function run(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return execFileAsync(process.execPath, [CLI, ...args], { cwd }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

describe('several buckets: serve, exec and --dotenv agree', () => {
  it('serve prints the buckets in the order given, the first with the plain names; pasting it all leaves the first bucket\'s', async () => {
    const dir = tempDir();
    const cli = await startCli(['--temp', '--port', '0', '--quiet', '--bucket', 'zeta-bucket', '--bucket', 'alpha-bucket', '--dotenv', join(dir, '.env')]);
    running.push(cli);
    const output = cli.output();
    expect(output.indexOf('# bucket zeta-bucket')).toBeLessThan(output.indexOf('# bucket alpha-bucket'));
    expect(output).toContain("# The plain S3_* names are the first bucket's (zeta-bucket)");
    const names = [...output.matchAll(/^export (S3_\w+)=/gm)].map((m) => m[1]);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([
      ...['S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'],
      ...['ENDPOINT', 'REGION', 'ACCESS_KEY', 'SECRET_KEY'].map((n) => `S3_ZETA_BUCKET_${n}`),
      ...['ENDPOINT', 'REGION', 'ACCESS_KEY', 'SECRET_KEY'].map((n) => `S3_ALPHA_BUCKET_${n}`),
    ]);
    // Pasted whole into a shell: the plain names are the first bucket's.
    const exports = output.split('\n').filter((line) => line.startsWith('export ') || line.startsWith('#')).join('\n');
    const { stdout } = await execFileAsync('sh', ['-c', `${exports}\nenv | grep '^S3_' | sort`]);
    const pasted = Object.fromEntries(stdout.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)));
    expect(pasted.S3_ACCESS_KEY).toBe(cli.env['zeta-bucket'].S3_ACCESS_KEY);
    expect(pasted.S3_ALPHA_BUCKET_ACCESS_KEY).toBe(cli.env['alpha-bucket'].S3_ACCESS_KEY);
    // The .env file holds the same variables, with the same values.
    const dotenv = Object.fromEntries(readFileSync(join(dir, '.env'), 'utf8').trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)));
    expect(dotenv).toEqual(pasted);
  });

  it('exec gives the command the same names: the first bucket plain, every bucket prefixed', async () => {
    const { stdout } = await execFileAsync(process.execPath, [CLI, 'exec', '--bucket', 'zeta-bucket', '--bucket', 'alpha-bucket', '--', 'sh', '-c', 'env | grep "^S3_" | sort']);
    const names = stdout.trim().split('\n').map((line) => line.split('=')[0]);
    expect(names.sort()).toEqual(
      ['S3_ACCESS_KEY', 'S3_ENDPOINT', 'S3_REGION', 'S3_SECRET_KEY', ...['ALPHA', 'ZETA'].flatMap((b) => ['ACCESS_KEY', 'ENDPOINT', 'REGION', 'SECRET_KEY'].map((n) => `S3_${b}_BUCKET_${n}`))].sort(),
    );
    const value = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(stdout)![1];
    expect(value('S3_ACCESS_KEY')).toBe(value('S3_ZETA_BUCKET_ACCESS_KEY'));
  });
});

describe('a CLI that explains itself', () => {
  it('--help shows serve\'s options; serve --help prints no internal defaults', async () => {
    const help = await run(['--help']);
    expect(help.stdout).toContain("serve's options (smll-storage [serve] [options])");
    for (const flag of ['--bucket', '--port', '--data-dir', '--temp', '--tls', '--seed', '--dotenv']) expect(help.stdout).toContain(flag);
    const serveHelp = await run(['serve', '--help']);
    expect(serveHelp.stdout).toContain('--allow <[BUCKET=]ACTION>');
    expect(serveHelp.stdout).not.toMatch(/everyBucket|byBucket|default: \{\}|default: \[\]/);
  });

  it('an unknown command says so, with a suggestion', async () => {
    const typo = await run(['servee']);
    expect(typo).toMatchObject({ code: 1, stdout: '' });
    expect(typo.stderr).toBe('smll-storage: unknown command "servee" (did you mean serve?): the commands are serve, exec, credentials; smll-storage --help says more.\n');
    expect((await run(['credentails'])).stderr).toContain('unknown command "credentails" (did you mean credentials?)');
  });

  it('exec without -- leaves the command\'s own options (-c) to the command', async () => {
    const { stdout } = await execFileAsync(process.execPath, [CLI, 'exec', '--bucket', 'exec-bucket', 'sh', '-c', 'echo "child got: $S3_ACCESS_KEY"']);
    expect(stdout).toMatch(/^child got: AKIA\w{16}\n$/);
  });

  it('a busy port names the port and the ways to another', async () => {
    const first = await startCli(['--temp', '--port', '0', '--quiet']);
    running.push(first);
    const port = new URL(first.endpoint).port;
    const second = await run(['--temp', '--port', port]);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(`smll-storage: port ${port} on 127.0.0.1 is already in use (another smll-storage, or another server): pick another with --port N, or --port 0 for a free one.\n`);
  });

  it('a second server on the same data dir names the first (its pid) and the ways out', async () => {
    const dataDir = tempDir();
    const first = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet']);
    running.push(first);
    expect(JSON.parse(readFileSync(join(dataDir, 'smll-storage.pid'), 'utf8'))).toMatchObject({ pid: first.child.pid });
    const second = await run(['--data-dir', dataDir, '--port', '0']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`^smll-storage: the data dir ${dataDir} is in use by another smll-storage \\(pid ${first.child.pid}, started [\\dT:.Z-]+\\): stop that one, or start this one with --temp \\(a throw-away data dir\\) or --data-dir ANOTHER_DIR\\.\\n$`),
    );
    first.child.kill('SIGTERM');
    await first.exited;
    expect(() => readFileSync(join(dataDir, 'smll-storage.pid'))).toThrow(/ENOENT/);
  });

  it('the --temp banner shows the temp path', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--quiet']);
    running.push(cli);
    expect(cli.output()).toMatch(/data in \/\S*smll-storage-\w+, temporary: removed on exit\)/);
  });

  it('the --temp banner\'s hint for another bucket\'s plain names works: credentials --data-dir TEMP BUCKET', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--quiet', '--bucket', 'alpha', '--bucket', 'beta']);
    running.push(cli);
    const hint = /# For another bucket's plain names: (smll-storage credentials --data-dir (\S+) BUCKET)/.exec(cli.output());
    expect(hint, cli.output()).not.toBeNull();
    const beta = await run(['credentials', '--data-dir', hint![2], 'beta']);
    expect(beta.stderr).toBe('');
    expect(beta.stdout).toContain(`export S3_ACCESS_KEY=${cli.env.beta.S3_ACCESS_KEY}\n`);
  });

  it('credentials: no bucket name needed when there is one; --name only where it names something; -f aws and aws-env', async () => {
    const dataDir = tempDir();
    const cli = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet', '--bucket', 'only-bucket']);
    running.push(cli);
    const env = cli.env['only-bucket'];
    expect((await run(['credentials', '--data-dir', dataDir])).stdout).toContain(`export S3_ACCESS_KEY=${env.S3_ACCESS_KEY}\n`);
    const name = await run(['credentials', '--data-dir', dataDir, '--name', 'x']);
    expect(name).toMatchObject({ code: 1, stderr: 'smll-storage: --name names the Secret of -f k8s or the profile of -f aws; -f env has nothing to name\n' });
    const aws = await run(['credentials', '--data-dir', dataDir, '-f', 'aws', '--name', 'local']);
    expect(aws.stdout).toBe(
      [
        '# ~/.aws/credentials',
        '[local]',
        `aws_access_key_id = ${env.S3_ACCESS_KEY}`,
        `aws_secret_access_key = ${env.S3_SECRET_KEY}`,
        '',
        '# ~/.aws/config',
        '[profile local]',
        'region = us-east-1',
        `endpoint_url = ${env.S3_ENDPOINT}`,
        's3 =',
        '  addressing_style = path',
        '',
        '# then: aws --profile local s3 ls s3://BUCKET, or AWS_PROFILE=local',
        '',
      ].join('\n'),
    );
    const awsEnv = await run(['credentials', '--data-dir', dataDir, '-f', 'aws-env']);
    expect(awsEnv.stdout).toBe(
      `export AWS_ACCESS_KEY_ID=${env.S3_ACCESS_KEY}\nexport AWS_SECRET_ACCESS_KEY=${env.S3_SECRET_KEY}\nexport AWS_REGION=us-east-1\nexport AWS_DEFAULT_REGION=us-east-1\nexport AWS_ENDPOINT_URL=${env.S3_ENDPOINT}\n`,
    );
    const cli2 = await startCli(['--data-dir', tempDir(), '--port', '0', '--quiet', '--bucket', 'one-bucket', '--bucket', 'two-bucket']);
    running.push(cli2);
    const twoDir = /data in (\S+)\)/.exec(cli2.output())![1];
    expect((await run(['credentials', '--data-dir', twoDir])).stderr).toBe(`smll-storage: ${twoDir} has 2 buckets: name one (one-bucket, two-bucket).\n`);
  });

  it('re-provisioning a bucket with other keys says so; --seed prints a summary', async () => {
    const dataDir = tempDir();
    const seed = tempDir();
    mkdirSync(join(seed, 'sub'));
    writeFileSync(join(seed, 'a.txt'), 'hello');
    writeFileSync(join(seed, 'sub', 'b.bin'), Buffer.alloc(2048));
    const first = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet', '--bucket', 'keys-bucket', '--seed', `keys-bucket=${seed}`]);
    running.push(first);
    expect(first.output()).toContain(`seeded keys-bucket from ${seed}: 2 objects, 2.0 KiB (2 written, 0 already there)\n`);
    first.child.kill('SIGTERM');
    await first.exited;

    const second = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet', '--bucket', 'keys-bucket=AKIANEWKEYNEWKEYNEW1:new-secret', '--seed', `keys-bucket=${seed}`]);
    running.push(second);
    expect(second.errors()).toBe(
      'smll-storage: warning: bucket "keys-bucket": its stored keys were replaced by the ones given; clients still using the old keys now get InvalidAccessKeyId.\n',
    );
    expect(second.output()).toContain(`seeded keys-bucket from ${seed}: 2 objects, 2.0 KiB (0 written, 2 already there)\n`);
    await clientFor(second.env['keys-bucket']).send(new GetBucketLocationCommand({ Bucket: 'keys-bucket' }));
    second.child.kill('SIGTERM');
    await second.exited;
    // The same keys again: nothing replaced, nothing said.
    const third = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet', '--bucket', 'keys-bucket=AKIANEWKEYNEWKEYNEW1:new-secret']);
    running.push(third);
    expect(third.errors()).toBe('');
  });
});
