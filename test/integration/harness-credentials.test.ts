import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { CLI, cliTestScope, startCli } from '../cli-process.js';
import { clientFor } from '../helpers.js';

const run = promisify(execFile);
const { running, tempDir } = cliTestScope('smll-credentials-test-');

async function credentials(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, 'credentials', ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

/** The `data:` entries of the k8s manifest, decoded. */
function secretData(manifest: string): Record<string, string> {
  const data = manifest.slice(manifest.indexOf('\ndata:\n') + '\ndata:\n'.length);
  return Object.fromEntries(
    data
      .trimEnd()
      .split('\n')
      .map((line) => {
        const [, key, value] = /^ {2}([A-Z_]+): (\S+)$/.exec(line)!;
        return [key, Buffer.from(value, 'base64').toString('utf8')];
      }),
  );
}

describe('smll-storage credentials', () => {
  it('prints, while serve runs (its database locked), the values serve printed, in every format', async () => {
    const dataDir = tempDir();
    const cli = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet', '--bucket', 'my-bucket', '--bucket', 'other-bucket', '--region', 'eu-west-1']);
    running.push(cli);
    const printed = cli.env['my-bucket'];

    const env = await credentials(['my-bucket', '--data-dir', dataDir]);
    expect(env).toEqual({
      code: 0,
      stderr: '',
      stdout: `export S3_ENDPOINT=${printed.S3_ENDPOINT}\nexport S3_REGION=eu-west-1\nexport S3_ACCESS_KEY=${printed.S3_ACCESS_KEY}\nexport S3_SECRET_KEY=${printed.S3_SECRET_KEY}\n`,
    });
    const dotenv = await credentials(['my-bucket', '--data-dir', dataDir, '--format', 'dotenv']);
    expect(dotenv.stdout).toBe(`S3_ENDPOINT=${printed.S3_ENDPOINT}\nS3_REGION=eu-west-1\nS3_ACCESS_KEY=${printed.S3_ACCESS_KEY}\nS3_SECRET_KEY=${printed.S3_SECRET_KEY}\n`);
    const json = await credentials(['my-bucket', '--data-dir', dataDir, '-f', 'json']);
    expect(JSON.parse(json.stdout)).toEqual({ ACCESS_KEY: printed.S3_ACCESS_KEY, SECRET_KEY: printed.S3_SECRET_KEY, ENDPOINT: printed.S3_ENDPOINT, REGION: 'eu-west-1' });

    const k8s = await credentials(['my-bucket', '--data-dir', dataDir, '-f', 'k8s']);
    expect(k8s.stdout).toMatch(/^apiVersion: v1\nkind: Secret\nmetadata:\n {2}name: my-bucket-credentials\ntype: Opaque\ndata:\n/);
    expect(secretData(k8s.stdout)).toEqual({ ACCESS_KEY: printed.S3_ACCESS_KEY, SECRET_KEY: printed.S3_SECRET_KEY, ENDPOINT: printed.S3_ENDPOINT, REGION: 'eu-west-1' });
    const named = await credentials(['other-bucket', '--data-dir', dataDir, '-f', 'k8s', '--name', 'storage-secret']);
    expect(named.stdout).toContain('\n  name: storage-secret\n');
    expect(secretData(named.stdout).ACCESS_KEY).toBe((cli.env['other-bucket']).S3_ACCESS_KEY);

    // The env format is for eval: the variables then work with the SDK.
    const evaluated = await run('sh', ['-c', `eval "$("${process.execPath}" "${CLI}" credentials my-bucket --data-dir "${dataDir}")" && echo "$S3_ENDPOINT $S3_ACCESS_KEY"`]);
    expect(evaluated.stdout).toBe(`${printed.S3_ENDPOINT} ${printed.S3_ACCESS_KEY}\n`);
    await clientFor(printed).send(new ListObjectsV2Command({ Bucket: 'my-bucket' }));

    expect(statSync(join(dataDir, 'credentials.json')).mode & 0o777).toBe(0o600);
  });

  it('after serve stops, still prints the last endpoint; a restart on another port rewrites it', async () => {
    const dataDir = tempDir();
    const first = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet', '--bucket', 'keep-bucket']);
    running.push(first);
    first.child.kill('SIGTERM');
    await first.exited;
    const afterStop = JSON.parse((await credentials(['keep-bucket', '--data-dir', dataDir, '-f', 'json'])).stdout) as Record<string, string>;
    expect(afterStop.ENDPOINT).toBe(first.endpoint);

    const second = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet']);
    running.push(second);
    const again = JSON.parse((await credentials(['keep-bucket', '--data-dir', dataDir, '-f', 'json'])).stdout) as Record<string, string>;
    expect(again.ENDPOINT).toBe(second.endpoint);
    expect(again.ACCESS_KEY).toBe(afterStop.ACCESS_KEY);
  });

  it('exec --data-dir writes it too: the command and `credentials` see the same keys', async () => {
    const dataDir = tempDir();
    const printed = await run(process.execPath, [CLI, 'exec', '--data-dir', dataDir, '-b', 'exec-bucket', '--', 'sh', '-c', 'echo "$S3_ACCESS_KEY $S3_ENDPOINT"']);
    const [accessKey, endpoint] = printed.stdout.trim().split(' ');
    const json = JSON.parse((await credentials(['exec-bucket', '--data-dir', dataDir, '-f', 'json'])).stdout) as Record<string, string>;
    expect(json).toMatchObject({ ACCESS_KEY: accessKey, ENDPOINT: endpoint });
  });

  it('quotes values a shell would split, so that eval gives back the exact secret', async () => {
    const dataDir = tempDir();
    const secret = `has space$and'quote`;
    const cli = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet', '--bucket', `odd-bucket=AKIAODDODDODDODDODD1:${secret}`]);
    running.push(cli);
    const env = await credentials(['odd-bucket', '--data-dir', dataDir]);
    expect(env.stdout).toContain(`export S3_SECRET_KEY='has space$and'\\''quote'\n`);
    // serve prints its lines the same way.
    expect(cli.output()).toContain(`export S3_SECRET_KEY='has space$and'\\''quote'\n`);
    const evaluated = await run('sh', ['-c', `eval "$("${process.execPath}" "${CLI}" credentials odd-bucket --data-dir "${dataDir}")" && printf %s "$S3_SECRET_KEY"`]);
    expect(evaluated.stdout).toBe(secret);
  });

  it('bad input: an unknown bucket, a data dir serve never ran in, a --name Kubernetes refuses, an unknown format', async () => {
    const dataDir = tempDir();
    const cli = await startCli(['--data-dir', dataDir, '--port', '0', '--quiet', '--bucket', 'only-bucket']);
    running.push(cli);
    expect(await credentials(['nope-bucket', '--data-dir', dataDir])).toEqual({
      code: 1,
      stdout: '',
      stderr: `smll-storage: no bucket "nope-bucket" in ${dataDir} (buckets: only-bucket).\n`,
    });
    const fresh = tempDir();
    expect(await credentials(['only-bucket', '--data-dir', fresh])).toEqual({
      code: 1,
      stdout: '',
      stderr: `smll-storage: no credentials.json in ${fresh}: run \`smll-storage serve --data-dir ${fresh}\` once, it writes the credentials there when it starts.\n`,
    });
    const name = await credentials(['only-bucket', '--data-dir', dataDir, '-f', 'k8s', '--name', 'Not_A_Name']);
    expect(name.code).toBe(1);
    expect(name.stderr).toContain(`smll-storage: --name "Not_A_Name": a Secret name is at most 253 lower-case letters`);
    const format = await credentials(['only-bucket', '--data-dir', dataDir, '--format', 'yaml']);
    expect(format.code).toBe(1);
    expect(format.stderr).toContain(`option '-f, --format <format>' argument 'yaml' is invalid. Allowed choices are env, dotenv, json, k8s, aws, aws-env.`);
  });
});

describe('serve --dotenv', () => {
  it('writes the S3_* variables to a .env file readable by its owner only (first bucket plain, every bucket prefixed)', async () => {
    const dir = tempDir();
    const path = join(dir, '.env');
    const cli = await startCli(['--temp', '--port', '0', '--quiet', '--bucket', 'app-data', '--bucket', 'app-logs', '--dotenv', path]);
    running.push(cli);
    const data = cli.env['app-data'];
    const logs = cli.env['app-logs'];
    expect(readFileSync(path, 'utf8')).toBe(
      [
        `S3_ENDPOINT=${data.S3_ENDPOINT}`,
        `S3_REGION=us-east-1`,
        `S3_ACCESS_KEY=${data.S3_ACCESS_KEY}`,
        `S3_SECRET_KEY=${data.S3_SECRET_KEY}`,
        `S3_APP_DATA_ENDPOINT=${data.S3_ENDPOINT}`,
        `S3_APP_DATA_REGION=us-east-1`,
        `S3_APP_DATA_ACCESS_KEY=${data.S3_ACCESS_KEY}`,
        `S3_APP_DATA_SECRET_KEY=${data.S3_SECRET_KEY}`,
        `S3_APP_LOGS_ENDPOINT=${logs.S3_ENDPOINT}`,
        `S3_APP_LOGS_REGION=us-east-1`,
        `S3_APP_LOGS_ACCESS_KEY=${logs.S3_ACCESS_KEY}`,
        `S3_APP_LOGS_SECRET_KEY=${logs.S3_SECRET_KEY}`,
        '',
      ].join('\n'),
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
