#!/usr/bin/env node
// The SDK conformance orchestrator (`npm run conformance`): sets up each runner's toolchain, runs
// every runner on http and https against a fresh target, collects the per-scenario JSON results,
// and writes test/conformance/MATRIX.md. Exits non-zero when a scenario fails against the emulator
// (or the gateway, but for the backend limits declared in BACKEND_LIMITS).
//
//   npm run conformance                          # the emulator, started through its CLI per run
//   npm run conformance -- --target minio        # the differential run against a local MinIO
//   npm run conformance -- --target gateway      # the emulator's CLI in gateway mode over a fresh MinIO per run
//   SMLL_ENDPOINT=… npm run conformance          # any S3-compatible endpoint (see README.md here)
//   options: --sdk node,python  --transport http  --jobs 2
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startMinio } from './minio.mjs';
import { renderMatrix } from './matrix.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const catalogue = JSON.parse(readFileSync(join(root, 'fixtures/conformance/scenarios.json'), 'utf8')).scenarios;

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: process.env.SMLL_ENDPOINT ? 'external' : 'emulator' },
    sdk: { type: 'string', default: 'node,python,go,java,cli,pyarrow,s3fs,polars,minio-py,minio-js,rust,mc,restic,rclone' },
    transport: { type: 'string', default: 'http,https' },
    jobs: { type: 'string', default: '2' },
  },
});
const targetKind = args.target;
if (!['emulator', 'gateway', 'minio', 'external'].includes(targetKind)) fail(`--target is emulator, gateway, minio or external, not "${targetKind}"`);
if (targetKind === 'external' && !process.env.SMLL_ENDPOINT) fail('--target external needs SMLL_ENDPOINT and the other SMLL_* variables');

const python = join(here, 'python/.venv/bin/python');
/** The pyarrow, s3fs, polars and minio-py runners share a venv of their own (pyclients/requirements.txt). */
const pyclientsSetup = { cwd: root, cmd: 'bash', args: ['test/conformance/python/setup.sh', 'test/conformance/pyclients'] };
const pyclientsRun = (file) => ({
  cwd: join(here, 'pyclients'),
  cmd: join(here, 'pyclients/.venv/bin/python'),
  args: ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--durations=5', file],
});
/** How each runner is set up once and run per transport (cwd, command); all from the project's own files. */
const RUNNERS = {
  node: { setup: null, run: { cwd: root, cmd: 'npx', args: ['vitest', 'run', '--config', 'test/conformance/node/vitest.config.ts'] } },
  python: {
    setup: { cwd: root, cmd: 'bash', args: ['test/conformance/python/setup.sh'] },
    run: { cwd: join(here, 'python'), cmd: python, args: ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--durations=5', 'test_boto3.py'] },
  },
  cli: {
    setup: { cwd: root, cmd: 'bash', args: ['test/conformance/python/setup.sh'] },
    run: { cwd: join(here, 'cli'), cmd: python, args: ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--durations=5', 'test_awscli.py'] },
  },
  go: {
    setup: { cwd: join(here, 'go'), cmd: 'go', args: ['mod', 'download'] },
    run: { cwd: join(here, 'go'), cmd: 'go', args: ['test', '-count=1', '-timeout', '20m', '.'] },
  },
  java: {
    setup: { cwd: join(here, 'java'), cmd: 'mvn', args: ['-B', '-q', 'dependency:resolve', 'test-compile'] },
    run: { cwd: join(here, 'java'), cmd: 'bash', args: ['run.sh'] },
  },
  pyarrow: { setup: pyclientsSetup, run: pyclientsRun('test_pyarrow.py') },
  s3fs: { setup: pyclientsSetup, run: pyclientsRun('test_s3fs.py') },
  polars: { setup: pyclientsSetup, run: pyclientsRun('test_polars.py') },
  'minio-py': { setup: pyclientsSetup, run: pyclientsRun('test_minio.py') },
  // npm package minio, installed into minio-js/node_modules from its own package-lock.json (never the project's).
  'minio-js': {
    setup: { cwd: root, cmd: 'bash', args: ['test/conformance/minio-js/setup.sh'] },
    run: { cwd: join(here, 'minio-js'), cmd: process.execPath, args: ['runner.mjs'] },
  },
  // Natively built clients: each also reports `native-flow`, the client's own flow as its users run it.
  rust: {
    setup: { cwd: root, cmd: 'bash', args: ['test/conformance/rust/setup.sh'] },
    run: { cwd: join(here, 'rust'), cmd: 'bash', args: ['run.sh'] },
    nativeFlow: true,
  },
  ...Object.fromEntries(
    ['mc', 'restic', 'rclone'].map((tool) => [
      tool,
      {
        setup: { cwd: root, cmd: 'bash', args: ['test/conformance/tools/setup.sh', tool] },
        run: { cwd: root, cmd: process.execPath, args: [`test/conformance/tools/${tool}.mjs`] },
        nativeFlow: true,
      },
    ]),
  ),
};

const sdks = args.sdk.split(',').filter(Boolean);
for (const sdk of sdks) if (!RUNNERS[sdk]) fail(`unknown --sdk ${sdk} (one of ${Object.keys(RUNNERS).join(', ')})`);
const transports = targetKind === 'external' ? [process.env.SMLL_ENDPOINT.startsWith('https:') ? 'https' : 'http'] : args.transport.split(',');
for (const transport of transports) if (!['http', 'https'].includes(transport)) fail(`unknown --transport ${transport}`);

/**
 * Scenarios the named backend behind a target cannot hold, declared per target: a run of such a
 * scenario that fails with the backend's own refusal (`refusal`, matched against the runner's
 * detail) is reported as `backend-limit` with the reason and the README section that states it,
 * and does not fail the run; any other failure of it still does. A declared scenario that passes
 * is reported as `unexpected-pass` and fails the run, so a stale declaration cannot linger.
 * Not listed, though MinIO refuses them too: keys with `.` or `..` segments (no scenario has one)
 * and `a` beside `a/b` (MinIO lists one of the two; no scenario lists both).
 */
const BACKEND_LIMITS = {
  gateway: {
    'key-double-slash': {
      backend: 'MinIO',
      reason: "MinIO refuses keys with an empty path segment ('//'), which S3 and the data-dir store keep; the gateway answers 400 InvalidArgument naming MinIO's XMinioInvalidObjectName",
      readme: 'README.md#what-it-does-not-do-and-what-differs',
      refusal: /XMinioInvalidObjectName/,
    },
  },
};
const limits = BACKEND_LIMITS[targetKind] ?? {};

/** A result as the target's declared backend limits judge it (idempotent: rows kept from an earlier run are judged again). */
function judge(result) {
  const limit = limits[result.scenario];
  const raw = { ...result };
  delete raw.limit;
  if (raw.outcome === 'backend-limit') raw.outcome = 'fail';
  if (raw.outcome === 'unexpected-pass') raw.outcome = 'pass';
  if (!limit) return raw;
  const declared = { backend: limit.backend, reason: limit.reason, readme: limit.readme };
  if (raw.outcome === 'fail' && limit.refusal.test(raw.detail)) return { ...raw, outcome: 'backend-limit', limit: declared };
  if (raw.outcome === 'pass') return { ...raw, outcome: 'unexpected-pass', limit: declared };
  return raw;
}

const resultsRoot = join(here, 'results', targetKind);
/** What the target said about itself (MinIO's version, its limits), for MATRIX.md. */
let targetInfo = {};
/** Runners whose toolchain failed to install: the install's own error, reported in MATRIX.md for each of their scenarios. */
const setupFailures = new Map();

function fail(message) {
  process.stderr.write(`conformance: ${message}\n`);
  process.exit(2);
}

function log(line) {
  process.stdout.write(`[conformance] ${line}\n`);
}

/** No runner or set-up step may hang CI: past this it is killed (with its children) and counts as failed. */
const STEP_TIMEOUT_MS = 20 * 60 * 1000;
/** A cold build of a native client (rclone, the Rust SDK) on two busy cores takes longer than a run. */
const SETUP_TIMEOUT_MS = 45 * 60 * 1000;

/** Process groups of the steps, and the targets, running now: Ctrl-C or SIGTERM of the orchestrator ends them too. */
const runningGroups = new Set();
const runningTargets = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const pid of runningGroups) killGroup(pid);
    // stop() signals the target's process synchronously; its clean-up is left to it.
    for (const target of runningTargets) void target.stop();
    process.exit(130);
  });
}

function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Runs a command to completion; output goes to logFile (or is inherited). Resolves with the exit code. */
function run({ cwd, cmd, args: cmdArgs }, { env = process.env, logFile, timeoutMs = STEP_TIMEOUT_MS } = {}) {
  return new Promise((resolveRun) => {
    // Its own process group, so a timeout also ends what it started (Maven's forked JVM, pytest's aws).
    const child = spawn(cmd, cmdArgs, { cwd, env, detached: true, stdio: logFile ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'] });
    const chunks = [];
    runningGroups.add(child.pid);
    const timer = setTimeout(() => {
      chunks.push(Buffer.from(`\n[conformance] killed after ${timeoutMs / 60000} minutes\n`));
      killGroup(child.pid);
    }, timeoutMs);
    if (logFile) {
      child.stdout.on('data', (d) => chunks.push(d));
      child.stderr.on('data', (d) => chunks.push(d));
    }
    child.on('error', (err) => {
      chunks.push(Buffer.from(`\n${cmd}: ${err.message}\n`));
      finish(127);
    });
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
    let done = false;
    function finish(code) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      runningGroups.delete(child.pid);
      if (logFile) writeFileSync(logFile, Buffer.concat(chunks));
      resolveRun(code);
    }
  });
}

/**
 * The emulator through its own CLI: fresh temp data dir, a free port, two buckets with their own
 * keys. With `backend` (a MinIO of the run's own: `--target gateway`), in gateway mode over it
 * instead: the buckets' keys given (gateway mode generates none), and for https a certificate from
 * the emulator's own local CA (`--tls` keeps its CA in a data dir, which gateway mode has none of).
 */
async function startEmulatorTarget(transport, backend) {
  const cliArgs = ['bin/smll-storage.js', '--port', '0', '--quiet'];
  const env = { ...process.env };
  let caFile;
  if (backend) {
    cliArgs.push('--backend', 's3', '--backend-endpoint', backend.env.SMLL_ENDPOINT, '--backend-region', backend.env.SMLL_REGION);
    cliArgs.push('--bucket', 'conformance-a=CONFORMANCEKEYA:conformance-secret-a', '--bucket', 'conformance-b=CONFORMANCEKEYB:conformance-secret-b');
    Object.assign(env, { SMLL_BACKEND_ACCESS_KEY: backend.env.SMLL_ACCESS_KEY, SMLL_BACKEND_SECRET_KEY: backend.env.SMLL_SECRET_KEY });
    if (transport === 'https') {
      const { localCaTls } = await import(join(root, 'dist/tls.js'));
      const tls = await localCaTls(backend.workDir);
      cliArgs.push('--cert', join(backend.workDir, 'tls/cert.pem'), '--key', join(backend.workDir, 'tls/key.pem'));
      caFile = tls.caFile;
    }
  } else {
    cliArgs.push('--temp', '--bucket', 'conformance-a', '--bucket', 'conformance-b');
    if (transport === 'https') cliArgs.push('--tls');
  }
  const child = spawn(process.execPath, cliArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise((resolveReady, rejectReady) => {
    const timer = setTimeout(() => rejectReady(new Error(`emulator not ready in 30 s:\n${output}`)), 30_000);
    const onData = (d) => {
      output += d;
      if (output.includes('Ready.')) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rejectReady(new Error(`emulator exited with ${code}:\n${output}`));
    });
  });
  // The CLI prints `export NAME=value` lines: the trust lines (https), then one block per bucket,
  // each with S3_<BUCKET>_* names (the first bucket's also plain S3_*).
  const exports = new Map([...output.matchAll(/^export (\w+)=(.*)$/gm)].map(([, name, value]) => [name, value]));
  // With --cert the CLI's trust lines name the certificate it serves (the leaf); clients are given the
  // CA that signed it, as with --tls (webpki, e.g. the Rust runner's ureq, takes no leaf as a trust anchor).
  const caBundle = caFile ?? exports.get('AWS_CA_BUNDLE');
  return {
    env: {
      SMLL_ENDPOINT: exports.get('S3_CONFORMANCE_A_ENDPOINT'),
      SMLL_REGION: exports.get('S3_CONFORMANCE_A_REGION'),
      SMLL_BUCKET: 'conformance-a',
      SMLL_ACCESS_KEY: exports.get('S3_CONFORMANCE_A_ACCESS_KEY'),
      // A gateway prints no secret keys (its output goes to shared logs): they are the ones given above.
      SMLL_SECRET_KEY: backend ? 'conformance-secret-a' : exports.get('S3_CONFORMANCE_A_SECRET_KEY'),
      SMLL_BUCKET2: 'conformance-b',
      SMLL_ACCESS_KEY2: exports.get('S3_CONFORMANCE_B_ACCESS_KEY'),
      SMLL_SECRET_KEY2: backend ? 'conformance-secret-b' : exports.get('S3_CONFORMANCE_B_SECRET_KEY'),
      ...(caBundle ? { AWS_CA_BUNDLE: caBundle, NODE_EXTRA_CA_CERTS: caBundle } : {}),
    },
    stop: () =>
      new Promise((resolveStop) => {
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }).then(() => backend?.stop()),
  };
}

/** `--target gateway`: a fresh MinIO (http, as a cluster inside a cluster network), then the emulator in gateway mode over it. */
async function startGatewayTarget(transport) {
  const backend = await startMinio({ transport: 'http', root });
  try {
    const target = await startEmulatorTarget(transport, backend);
    return { ...target, version: `smll-storage gateway over ${backend.version}`, notes: 'The emulator\'s CLI with --backend s3 over a fresh MinIO (one per runner and transport).' };
  } catch (err) {
    await backend.stop();
    throw err;
  }
}

function externalTarget() {
  const names = ['SMLL_ENDPOINT', 'SMLL_REGION', 'SMLL_BUCKET', 'SMLL_ACCESS_KEY', 'SMLL_SECRET_KEY', 'SMLL_BUCKET2', 'SMLL_ACCESS_KEY2', 'SMLL_SECRET_KEY2'];
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length) fail(`missing ${missing.join(', ')}`);
  return { env: Object.fromEntries(names.map((n) => [n, process.env[n]])), stop: async () => {} };
}

function startTarget(transport) {
  if (targetKind === 'emulator') return startEmulatorTarget(transport);
  if (targetKind === 'gateway') return startGatewayTarget(transport);
  if (targetKind === 'minio') return startMinio({ transport, root });
  return externalTarget();
}

/** One runner on one transport against a target of its own; returns its results, one per catalogue scenario. */
async function runOne(sdk, transport) {
  const resultsDir = join(resultsRoot, `${sdk}-${transport}`);
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const logFile = join(resultsRoot, `${sdk}-${transport}.log`);
  const started = Date.now();
  let exitCode;
  let target;
  try {
    // A runner whose build failed is not run: an earlier build left in a cache would answer for code that no longer builds.
    if (setupFailures.has(sdk)) throw new Error(`not run: its setup failed (${setupFailures.get(sdk)})`);
    target = await startTarget(transport);
    runningTargets.add(target);
    if (target.version) targetInfo = { targetVersion: target.version, targetNotes: target.notes };
    const env = { ...process.env, ...target.env, SMLL_RESULTS_DIR: resultsDir, PATH: `${join(here, 'python/.venv/bin')}:${process.env.PATH}` };
    exitCode = await run(RUNNERS[sdk].run, { env, logFile });
  } catch (err) {
    writeFileSync(logFile, setupFailures.has(sdk) ? `${err.message}\n` : `could not start the target: ${err.stack ?? err}\n`);
    exitCode = -1;
  } finally {
    await target?.stop();
    runningTargets.delete(target);
  }
  const results = collect(sdk, transport, resultsDir, exitCode, logFile);
  const counts = countOutcomes(results);
  log(`${sdk} ${transport}: ${countsLine(counts)} (${((Date.now() - started) / 1000).toFixed(0)} s; log ${logFile.slice(root.length + 1)})`);
  return results;
}

/** Every catalogue scenario gets a result (and `native-flow`, for the runners that have one): a runner that reported nothing for one has failed it. */
function collect(sdk, transport, resultsDir, exitCode, logFile) {
  const reported = new Map();
  for (const file of readdirSync(resultsDir)) {
    if (!file.endsWith('.json')) continue;
    const result = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    reported.set(result.scenario, result);
  }
  const sdkVersion = [...reported.values()][0]?.sdkVersion ?? 'unknown';
  const ids = [...catalogue.map(({ id }) => id), ...(RUNNERS[sdk].nativeFlow ? ['native-flow'] : [])];
  const why = setupFailures.has(sdk)
    ? `install/build failed, so nothing ran: ${setupFailures.get(sdk)}`
    : `no result reported (runner exited with ${exitCode}; see ${logFile.slice(root.length + 1)})`;
  const expected = ids.map((id) => reported.get(id) ?? { sdk, sdkVersion, transport, scenario: id, outcome: 'fail', detail: why });
  // A client's own named flows (ids starting with flow-) are reported beside the catalogue.
  const flows = [...reported.values()].filter((r) => r.scenario.startsWith('flow-'));
  return [...expected, ...flows].map(judge);
}

function countOutcomes(results) {
  const counts = { pass: 0, fail: 0, 'not-expressible': 0, 'backend-limit': 0, 'unexpected-pass': 0 };
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return counts;
}

/** What a count line says: pass, fail and not expressible always, the declared limits' outcomes when there are any. */
function countsLine(counts) {
  const parts = [`${counts.pass} pass`, `${counts.fail} fail`, `${counts['not-expressible']} not expressible`];
  if (counts['backend-limit']) parts.push(`${counts['backend-limit']} backend limit`);
  if (counts['unexpected-pass']) parts.push(`${counts['unexpected-pass']} declared backend limit passed`);
  return parts.join(', ');
}

/** Runs `tasks` (async functions) at most `limit` at a time. */
async function pool(tasks, limit) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

async function main() {
  const startedAt = Date.now();
  mkdirSync(resultsRoot, { recursive: true });
  if ((targetKind === 'emulator' || targetKind === 'gateway') && !existsSync(join(root, 'dist/cli/main.js'))) fail('dist/ is missing: run "npm run build" first');

  // Runners that share a toolchain (Python and the AWS CLI share one venv) set it up once.
  const setups = new Map();
  for (const sdk of sdks) {
    const setup = RUNNERS[sdk].setup;
    if (!setup) continue;
    const key = JSON.stringify(setup);
    setups.set(key, { sdk: setups.has(key) ? `${setups.get(key).sdk}+${sdk}` : sdk, setup });
  }
  log(`setting up toolchains: ${[...setups.values()].map((s) => s.sdk).join(', ') || 'none needed'}`);
  const setupCodes = await Promise.all(
    [...setups.values()].map(async ({ sdk, setup }) => {
      const logFile = join(resultsRoot, `setup-${sdk}.log`);
      const setupStarted = Date.now();
      const code = await run(setup, { logFile, timeoutMs: SETUP_TIMEOUT_MS });
      log(`setup for ${sdk}: exit ${code} in ${((Date.now() - setupStarted) / 1000).toFixed(0)} s`);
      if (code !== 0) {
        const tail = readFileSync(logFile, 'utf8').slice(-3000);
        log(`setup for ${sdk} failed (exit ${code}); see ${logFile.slice(root.length + 1)}:\n${tail}`);
        for (const each of sdk.split('+')) setupFailures.set(each, `exit ${code}: ${tail.trim().split('\n').slice(-4).join(' / ')}`);
      }
      return code;
    }),
  );
  log(`toolchains ready (${((Date.now() - startedAt) / 1000).toFixed(0)} s)`);
  if (setupCodes.some((c) => c !== 0)) log('continuing: the runners whose setup failed will report every scenario as failed');

  // One task per SDK (its transports in order: a runner's build dir is not shared between two runs at once),
  // the longest first (the AWS CLI starts a Python process per command) so the others fill the other slot.
  const longestFirst = ['cli', 'java', 'rclone', 'mc', 'node', 'rust', 's3fs', 'pyarrow', 'python', 'polars', 'restic', 'minio-py', 'minio-js', 'go'];
  const ordered = [...sdks].sort((a, b) => longestFirst.indexOf(a) - longestFirst.indexOf(b));
  const perSdk = await pool(
    ordered.map((sdk) => async () => {
      const results = [];
      for (const transport of transports) results.push(...(await runOne(sdk, transport)));
      return results;
    }),
    Math.max(1, Number(args.jobs) || 1),
  );
  const results = perSdk.flat();

  // A run of some SDKs or transports replaces only their rows of the target's summary.
  const summaryFile = join(here, `results-${targetKind}.json`);
  const ran = new Set(results.map((r) => `${r.sdk} ${r.transport}`));
  const previous = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : { results: [] };
  const kept = previous.results.filter((r) => !ran.has(`${r.sdk} ${r.transport}`)).map(judge);
  const summary = { ...previous, target: targetKind, generatedAt: new Date().toISOString(), ...targetInfo, results: [...kept, ...results] };
  // One result a line: small diffs between runs.
  const { results: all, ...head } = summary;
  writeFileSync(summaryFile, `${JSON.stringify(head, null, 1).slice(0, -2)},\n "results": [\n${all.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n ]\n}\n`);
  const summaries = {};
  for (const kind of ['emulator', 'gateway', 'minio', 'external']) {
    const file = join(here, `results-${kind}.json`);
    if (existsSync(file)) summaries[kind] = JSON.parse(readFileSync(file, 'utf8'));
  }
  writeFileSync(join(here, 'MATRIX.md'), renderMatrix({ catalogue, summaries }));

  const counts = countOutcomes(results);
  for (const r of results.filter((each) => each.outcome === 'backend-limit')) {
    log(`backend limit ${r.sdk} ${r.transport} ${r.scenario}: ${r.limit.backend} (${r.limit.readme}): ${r.detail.split('\n')[0].slice(0, 300)}`);
  }
  const failed = results.filter((r) => r.outcome === 'fail' || r.outcome === 'unexpected-pass');
  for (const r of failed) {
    const what = r.outcome === 'fail' ? 'FAIL' : `PASSED, though declared a ${r.limit.backend} limit in BACKEND_LIMITS (run.mjs): remove the declaration if ${r.limit.backend} now holds it —`;
    log(`${what} ${r.sdk} ${r.transport} ${r.scenario}: ${r.detail.split('\n')[0].slice(0, 300)}`);
  }
  log(`wrote test/conformance/MATRIX.md (${((Date.now() - startedAt) / 1000).toFixed(0)} s in all)`);
  process.stdout.write(`[conformance] against ${targetKind}: ${counts['not-expressible']} scenario runs not expressible with their SDK\n`);
  const declared = counts['backend-limit'] ? `, ${counts['backend-limit']} backend limit (declared, not failures)` : '';
  const stale = counts['unexpected-pass'] ? `, ${counts['unexpected-pass']} declared backend limit passed (failures)` : '';
  process.stdout.write(`conformance: ${counts.pass} passed, ${counts.fail} failed${declared}${stale}\n`);
  // Against another implementation the differences are the finding, not a failure of this project.
  process.exitCode = (targetKind === 'emulator' || targetKind === 'gateway') && failed.length > 0 ? 1 : 0;
}

await main();
