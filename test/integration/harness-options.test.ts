/** Issue #12 point 3: the setups check their options as the config file does; the config file takes every option; tls in workers. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetBucketLocationCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import { loadConfigFile, validateConfig } from '../../src/config-file.js';
import { startHarness } from '../../src/testing/harness.js';
import jestSetup from '../../src/testing/jest-setup.js';
import { s3ClientConfig } from '../../src/testing/test-env.cjs';
import vitestSetup from '../../src/testing/vitest.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function root(): string {
  const dir = mkdtempSync(join(tmpdir(), 'smll-harness-options-'));
  dirs.push(dir);
  return dir;
}

describe('setup options are checked like the config file', () => {
  it('vitest: a typo (bucket for buckets) fails the setup with the config file\'s message, naming where the options are', async () => {
    const project = { config: { root: root(), provide: { smllStorageOptions: { bucket: ['x-bucket'] } } }, provide: () => {} } as unknown as TestProject;
    await expect(vitestSetup(project)).rejects.toThrow(
      /^vitest config test\.provide\.smllStorageOptions: unknown key "bucket" \(did you mean "buckets"\? known keys: buckets, region, port, host, dataDir, durable, backend, bucketsDir, vhostDomain, allow, cors, seed, sigv2, tls, uploadExpiry, requestTimeout, logFormat, console, consoleToken, log, config\)$/,
    );
    expect(process.env.S3_ENDPOINT).toBeUndefined();
  });

  it('jest: a bad value gets the config file\'s message; a serve-only option is named as such', async () => {
    const bad = (options: object) => jestSetup({ rootDir: root() }, { rootDir: root(), globals: { smllStorageOptions: options as never } });
    await expect(bad({ port: 70000 })).rejects.toThrow('jest config globals.smllStorageOptions: port: expected a port number 0..65535, got 70000');
    await expect(bad({ buckets: ['Bad_Name'] })).rejects.toThrow('jest config globals.smllStorageOptions: buckets[0]: invalid bucket name "Bad_Name"');
    await expect(bad({ quiet: true })).rejects.toThrow('jest config globals.smllStorageOptions: "quiet" is an option of serve (--quiet); the test setups have no use for it');
    await expect(bad({ config: 3 })).rejects.toThrow('jest config globals.smllStorageOptions: config: expected a config file path or false, got 3');
  });
});

describe('the config file takes every option of the API and of serve', () => {
  it('tls, sigv2, uploadExpiry and requestTimeout (ms or a duration), quiet, temp, dotenv; log is refused as a function', async () => {
    const config = { tls: true, sigv2: 'reject', uploadExpiry: '7d', requestTimeout: '20s', quiet: true, temp: false, dotenv: '.env.s3' };
    expect(validateConfig(config, 'f.json')).toEqual({ ...config, uploadExpiry: 7 * 86_400_000, requestTimeout: 20_000 });
    expect(validateConfig({ requestTimeout: 0, uploadExpiry: 1000 }, 'f.json')).toEqual({ requestTimeout: 0, uploadExpiry: 1000 });
    expect(() => validateConfig({ sigv2: 'maybe' }, 'f.json')).toThrow('f.json: sigv2: expected "accept" or "reject", got "maybe"');
    expect(() => validateConfig({ uploadExpiry: '0s' }, 'f.json')).toThrow('f.json: uploadExpiry: expected a positive number of milliseconds or an age with a unit');
    expect(() => validateConfig({ tls: { cert: 'c.pem' } }, 'f.json')).toThrow('f.json: tls: "key" is missing: give both cert and key');
    expect(() => validateConfig({ log: 'yes' }, 'f.json')).toThrow('f.json: "log" is a function: give it to startEmulator, a config file holds data');
  });

  it('reads tls cert and key files relative to the file, and dotenv relative to it', async () => {
    const dir = root();
    writeFileSync(join(dir, 'c.pem'), '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'k.pem'), '-----BEGIN PRIVATE KEY-----\ny\n-----END PRIVATE KEY-----\n');
    writeFileSync(join(dir, 'smll-storage.config.json'), JSON.stringify({ tls: { cert: 'c.pem', key: 'k.pem' }, dotenv: '.env' }));
    expect(await loadConfigFile(join(dir, 'smll-storage.config.json'))).toEqual({
      tls: { cert: readFileSync(join(dir, 'c.pem'), 'utf8'), key: readFileSync(join(dir, 'k.pem'), 'utf8') },
      dotenv: join(dir, '.env'),
    });
  });
});

describe('tls: true in a setup', () => {
  it('sets NODE_EXTRA_CA_CERTS (worker processes trust the CA) and s3ClientConfig() trusts it in this process too', async () => {
    const before = process.env.NODE_EXTRA_CA_CERTS;
    const harness = await startHarness(root(), { tls: true, config: false });
    try {
      expect(harness.context.endpoint).toMatch(/^https:/);
      expect(process.env.NODE_EXTRA_CA_CERTS).toBe(harness.emulator.certificate!.file);
      expect(process.env.AWS_CA_BUNDLE).toBe(harness.emulator.certificate!.file);
      // This process started before the variable was set (as worker threads and jest in band do): the plain SDK refuses the certificate.
      const plain = new S3Client({ ...s3ClientConfig(), requestHandler: undefined });
      await expect(plain.send(new GetBucketLocationCommand({ Bucket: 'test-bucket' }))).rejects.toThrow(/self-signed certificate|unable to verify/);
      const trusted = new S3Client(s3ClientConfig());
      await trusted.send(new GetBucketLocationCommand({ Bucket: 'test-bucket' }));
    } finally {
      await harness.stop();
    }
    expect(process.env.NODE_EXTRA_CA_CERTS).toBe(before);
  });
});
