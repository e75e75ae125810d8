import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetBucketLocationCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { ConfigError, findConfigFile, loadConfigFile, mergeWithConfig, validateConfig } from '../../src/config-file.js';
import { CLI, cliTestScope, startCli } from '../cli-process.js';
import { clientFor } from '../helpers.js';

const run = promisify(execFile);
const { running, tempDir } = cliTestScope('smll-config-test-');

describe('config file: what each bad value gets (a ConfigError naming the file and the key)', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['an array at the top level', [], /^f\.json: expected an object at the top level, got \[\]$/],
    ['an unknown top-level key', { prot: 9000 }, /^f\.json: unknown key "prot" \(did you mean "port"\? known keys: buckets, region, port, host, dataDir/],
    ['a port out of range', { port: 70000 }, /^f\.json: port: expected a port number 0\.\.65535, got 70000$/],
    ['a port as a string', { port: '9000' }, /^f\.json: port: expected a port number 0\.\.65535, got "9000"$/],
    ['an empty region', { region: '' }, /^f\.json: region: expected a non-empty string, got ""$/],
    ['durable as a string', { durable: 'yes' }, /^f\.json: durable: expected true or false, got "yes"$/],
    ['buckets as an object', { buckets: { a: 1 } }, /^f\.json: buckets: expected an array of bucket names or \{ name, … \} objects/],
    ['a bucket as a number', { buckets: [42] }, /^f\.json: buckets\[0\]: expected a bucket name or a \{ name, … \} object, got 42$/],
    ['an invalid bucket name', { buckets: ['ok-bucket', 'Bad_Name'] }, /^f\.json: buckets\[1\]: invalid bucket name "Bad_Name": a bucket name may contain only lower-case letters, digits, dots and hyphens$/],
    ['an invalid bucket name in an object', { buckets: [{ name: 'ab' }] }, /^f\.json: buckets\[0\]\.name: invalid bucket name "ab": a bucket name must be 3 to 63 characters long$/],
    ['a bucket without a name', { buckets: [{ accessKey: 'AKIA1' }] }, /^f\.json: buckets\[0\]: "name" is missing$/],
    ['a misspelt bucket key', { buckets: ['ok-bucket', { name: 'b-1', secretkey: 'x' }] }, /^f\.json: buckets\[1\]: unknown key "secretkey" \(did you mean "secretKey"\? known keys: name, accessKey, secretKey, allow, cors\)$/],
    ['allow as a string', { allow: 's3:AbortMultipartUpload' }, /^f\.json: allow: expected an array of strings/],
    ['a non-string in allow', { buckets: [{ name: 'abc', allow: [1] }] }, /^f\.json: buckets\[0\]\.allow\[0\]: expected a non-empty string, got 1$/],
    ['seed as a list', { seed: ['dir'] }, /^f\.json: seed: expected an object of bucket name → directory/],
    ['a seed directory as a number', { seed: { abc: 3 } }, /^f\.json: seed\.abc: expected a non-empty string, got 3$/],
    ['a log format it does not know', { logFormat: 'xml' }, /^f\.json: logFormat: expected one of text, json, got "xml"$/],
    ['CORS rules that are not rules', { cors: 'everything' }, /^f\.json: cors: expected a list of CORS rules/],
    ['a CORS rule with an unknown method', { buckets: [{ name: 'abc', cors: [{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }] }] }, /^f\.json: buckets\[0\]\.cors: rule 1: AllowedMethod "PATCH" is not supported/],
  ];
  for (const [what, value, message] of bad) {
    it(`refuses ${what}`, () => {
      let error: unknown;
      try {
        validateConfig(value, 'f.json');
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('accepts every documented key, and $schema', () => {
    const config = {
      $schema: 'https://example.test/any-schema.json',
      buckets: ['plain', { name: 'full', accessKey: 'AKIAFULLFULLFULLFULL', secretKey: 's'.repeat(40), allow: ['s3:AbortMultipartUpload'], cors: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'] }] }],
      region: 'eu-west-1',
      port: 0,
      host: '127.0.0.1',
      dataDir: 'data',
      durable: false,
      vhostDomain: 's3.test',
      allow: [],
      cors: { CORSRules: [{ AllowedOrigins: ['http://localhost:3000'], AllowedMethods: ['PUT'] }] },
      seed: { plain: 'fixtures' },
      logFormat: 'json',
    };
    const { $schema: _, ...rest } = config;
    expect(validateConfig(config, 'f.json')).toEqual(rest);
  });
});

describe('config file: finding and loading', () => {
  it('reads .json with dataDir and seed made absolute from the file\'s directory; refuses bad JSON naming the file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'smll-storage.config.json'), JSON.stringify({ dataDir: 'state', seed: { abc: 'fixtures/abc' } }));
    expect(findConfigFile(dir)).toBe(join(dir, 'smll-storage.config.json'));
    expect(await loadConfigFile(join(dir, 'smll-storage.config.json'))).toEqual({ dataDir: join(dir, 'state'), seed: { abc: join(dir, 'fixtures/abc') } });

    writeFileSync(join(dir, 'broken.json'), '{ "region": ');
    await expect(loadConfigFile(join(dir, 'broken.json'))).rejects.toThrow(`${join(dir, 'broken.json')}: not valid JSON`);
    await expect(loadConfigFile(join(dir, 'missing.json'))).rejects.toThrow(`cannot read config file ${join(dir, 'missing.json')}`);
    await expect(loadConfigFile(join(dir, 'config.yaml'))).rejects.toThrow('a config file is .json, .mjs, .js or .cjs');
  });

  it('reads an .mjs module\'s default export through the same checks', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'smll-storage.config.mjs'), `export default { buckets: ['from-module'], region: 'ap-south-1' };\n`);
    expect(await loadConfigFile(findConfigFile(dir)!)).toEqual({ buckets: ['from-module'], region: 'ap-south-1' });
    writeFileSync(join(dir, 'bad.mjs'), `export default { regoin: 'x' };\n`);
    await expect(loadConfigFile(join(dir, 'bad.mjs'))).rejects.toThrow(`${join(dir, 'bad.mjs')}: unknown key "regoin"`);
    writeFileSync(join(dir, 'broken.mjs'), `export default { region: };\n`);
    await expect(loadConfigFile(join(dir, 'broken.mjs'))).rejects.toThrow(/broken\.mjs: cannot load it: [^]*Unexpected token/);
    writeFileSync(join(dir, 'no-default.mjs'), `export const region = 'x';\n`);
    await expect(loadConfigFile(join(dir, 'no-default.mjs'))).rejects.toThrow(`${join(dir, 'no-default.mjs')}: expected an object at the top level, got nothing`);
  });

  it('refuses two config files in one directory rather than picking one', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'smll-storage.config.json'), '{}');
    writeFileSync(join(dir, 'smll-storage.config.js'), 'export default {};');
    expect(() => findConfigFile(dir)).toThrow(/keep one config file/);
  });

  it('merges: explicit values win key by key; port, dataDir and durable come from the file only for serve', () => {
    const config = { buckets: ['from-file'], region: 'eu-west-1', port: 9555, dataDir: '/data', durable: true, cors: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'] }] };
    expect(mergeWithConfig(config, { region: 'us-west-2' }, true)).toEqual({
      buckets: [{ name: 'from-file', cors: config.cors }],
      region: 'us-west-2',
      port: 9555,
      dataDir: '/data',
      durable: true,
    });
    expect(mergeWithConfig(config, { buckets: ['typed'] }, false)).toEqual({ buckets: [{ name: 'typed', cors: config.cors }], region: 'eu-west-1' });
    const ownRules = [{ AllowedOrigins: ['http://app.test'], AllowedMethods: ['PUT'] }];
    expect(mergeWithConfig({ ...config, buckets: [{ name: 'own', cors: ownRules }, 'plain'] }, {}, false).buckets).toEqual([
      { name: 'own', cors: ownRules },
      { name: 'plain', cors: config.cors },
    ]);
  });
});

describe('config file with the CLI', () => {
  it('serve takes buckets, region and port from smll-storage.config.json in the working directory; flags override it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'smll-storage.config.json'), JSON.stringify({ buckets: ['cfg-bucket'], region: 'eu-north-1', port: 0, dataDir: 'state' }));
    const cli = await startCli(['--quiet'], dir);
    running.push(cli);
    expect(cli.output()).toContain(`data in ${join(dir, 'state')}`);
    const env = cli.env['cfg-bucket'];
    expect(env.S3_REGION).toBe('eu-north-1');
    const location = await clientFor(env).send(new GetBucketLocationCommand({ Bucket: 'cfg-bucket' }));
    expect(location.LocationConstraint).toBe('eu-north-1');

    const overridden = await startCli(['--quiet', '--temp', '--region', 'us-west-2', '--bucket', 'flag-bucket'], dir);
    running.push(overridden);
    expect(Object.keys(overridden.env)).toEqual(['flag-bucket']);
    expect(overridden.env['flag-bucket'].S3_REGION).toBe('us-west-2');
  });

  it('serve --config PATH reads that file, seeds from paths relative to it', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'conf', 'files'), { recursive: true });
    writeFileSync(join(dir, 'conf', 'files', 'greeting.txt'), 'hello');
    writeFileSync(join(dir, 'conf', 'storage.json'), JSON.stringify({ buckets: ['seeded'], seed: { seeded: 'files' } }));
    const cli = await startCli(['--quiet', '--temp', '--port', '0', '--config', 'conf/storage.json'], dir);
    running.push(cli);
    const got = await clientFor(cli.env.seeded).send(new GetObjectCommand({ Bucket: 'seeded', Key: 'greeting.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello');
  });

  it('a bad config file stops serve at start with exit 1 and a message naming the file and key', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'smll-storage.config.json'), JSON.stringify({ buckets: [{ name: 'abc', acessKey: 'AKIA' }] }));
    const err = await run(process.execPath, [CLI, '--temp', '--port', '0'], { cwd: dir }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toBe(`smll-storage: ${join(dir, 'smll-storage.config.json')}: buckets[0]: unknown key "acessKey" (did you mean "accessKey"? known keys: name, accessKey, secretKey, allow, cors)\n`);
  });
});
