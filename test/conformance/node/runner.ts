import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { test } from 'vitest';

/** One S3-compatible target, from the SMLL_* variables the orchestrator (or a person) sets. */
export interface Target {
  endpoint: string;
  region: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  bucket2: string;
  accessKey2: string;
  secretKey2: string;
  transport: 'http' | 'https';
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this suite through "npm run conformance", or set the SMLL_* variables.`);
  return value;
}

export function targetFromEnv(): Target {
  const endpoint = required('SMLL_ENDPOINT');
  return {
    endpoint,
    region: required('SMLL_REGION'),
    bucket: required('SMLL_BUCKET'),
    accessKey: required('SMLL_ACCESS_KEY'),
    secretKey: required('SMLL_SECRET_KEY'),
    bucket2: required('SMLL_BUCKET2'),
    accessKey2: required('SMLL_ACCESS_KEY2'),
    secretKey2: required('SMLL_SECRET_KEY2'),
    transport: endpoint.startsWith('https:') ? 'https' : 'http',
  };
}

/** The client exactly as SMLL's documentation configures it. */
export function clientFor(target: Target, keys = { accessKey: target.accessKey, secretKey: target.secretKey }): S3Client {
  return new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    credentials: { accessKeyId: keys.accessKey, secretAccessKey: keys.secretKey },
    forcePathStyle: true,
  });
}

interface Scenario {
  id: string;
}

const catalogue = JSON.parse(readFileSync(new URL('../../../fixtures/conformance/scenarios.json', import.meta.url), 'utf8')) as {
  scenarios: Scenario[];
};
const knownIds = new Set(catalogue.scenarios.map((s) => s.id));

const sdkVersion = (createRequire(import.meta.url)('@aws-sdk/client-s3/package.json') as { version: string }).version;

type Outcome = 'pass' | 'fail' | 'not-expressible';

/** Writes one scenario's result as `<SMLL_RESULTS_DIR>/<scenario>.json` (the orchestrator collects them). */
function record(transport: string, scenario: string, outcome: Outcome, detail: string): void {
  const dir = required('SMLL_RESULTS_DIR');
  mkdirSync(dir, { recursive: true });
  const result = { sdk: 'node', sdkVersion: `@aws-sdk/client-s3 ${sdkVersion}`, transport, scenario, outcome, detail };
  writeFileSync(join(dir, `${scenario}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

function checkId(id: string): void {
  if (!knownIds.has(id)) throw new Error(`"${id}" is not a scenario of fixtures/conformance/scenarios.json`);
}

/** A scenario as a vitest test whose outcome is also written as a result file. */
export function scenario(target: Target, id: string, body: () => Promise<void>): void {
  checkId(id);
  test(id, async () => {
    try {
      await body();
    } catch (err) {
      record(target.transport, id, 'fail', describeError(err));
      throw err;
    }
    record(target.transport, id, 'pass', '');
  });
}

/** A scenario this SDK has no way to express: reported with the reason, never run. */
export function notExpressible(target: Target, id: string, reason: string): void {
  checkId(id);
  record(target.transport, id, 'not-expressible', reason);
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const meta = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
    const status = meta?.httpStatusCode ? ` (HTTP ${meta.httpStatusCode})` : '';
    return `${err.name}${status}: ${err.message}`.slice(0, 2000);
  }
  return String(err).slice(0, 2000);
}
