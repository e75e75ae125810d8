// Shared by the native command-line client runners (mc, restic, rclone): the target from the SMLL_*
// variables, the catalogue, running the tool, and one JSON result per scenario in SMLL_RESULTS_DIR.
// A runner reports every catalogue scenario (pass, fail, or not-expressible with the reason) plus
// `native-flow`: the client's own flow as its users run it (see README.md here).
import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
export const catalogue = JSON.parse(readFileSync(join(root, 'fixtures/conformance/scenarios.json'), 'utf8')).scenarios;
const knownIds = new Set([...catalogue.map((s) => s.id), 'native-flow']);

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this runner through 'npm run conformance', or set the SMLL_* variables`);
  return value;
}

/** The endpoint under test and both buckets' credentials, from the SMLL_* variables. */
export function target() {
  const endpoint = required('SMLL_ENDPOINT');
  return {
    endpoint,
    url: new URL(endpoint),
    transport: endpoint.startsWith('https:') ? 'https' : 'http',
    region: required('SMLL_REGION'),
    bucket: required('SMLL_BUCKET'),
    accessKey: required('SMLL_ACCESS_KEY'),
    secretKey: required('SMLL_SECRET_KEY'),
    bucket2: required('SMLL_BUCKET2'),
    accessKey2: required('SMLL_ACCESS_KEY2'),
    secretKey2: required('SMLL_SECRET_KEY2'),
    // The PEM certificate to trust for https: the Go clients read it from SSL_CERT_FILE.
    caFile: process.env.AWS_CA_BUNDLE || process.env.SSL_CERT_FILE || '',
  };
}

/** The path of the pinned tool's binary (test/conformance/tools/versions.sh). */
export function toolBinary(name) {
  return execFileSync('bash', ['-c', `source "${join(here, 'versions.sh')}" && tool_bin "${name}"`], { encoding: 'utf8' }).trim();
}

export function toolVersion(name) {
  return execFileSync('bash', ['-c', `source "${join(here, 'versions.sh')}" && tool_version "${name}"`], { encoding: 'utf8' }).trim();
}

/** A command failed: its exit code and output, for the detail. */
export class ToolError extends Error {
  constructor(command, code, stdout, stderr) {
    // The answer first: the command line (temp paths) is only for finding the call.
    super(`${(stderr || stdout).trim().slice(-1500)} [${command.slice(0, 160)} exited with ${code}]`);
    this.code = code;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

/**
 * Runs `bin args` with `env` (added to a clean copy of this process's environment), at most `timeoutMs`.
 * Resolves with { stdout (Buffer), stderr (string) } on exit 0, rejects with ToolError otherwise.
 */
export function runTool(bin, args, { env = {}, input, timeoutMs = 300_000 } = {}) {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      rejectRun(new ToolError(`${bin} ${args.join(' ')}`, 127, '', e.message));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out);
      const stderr = Buffer.concat(err).toString();
      const name = `${bin.split('/').pop()} ${args.join(' ')}`.slice(0, 300);
      if (code === 0) resolveRun({ stdout, stderr });
      else rejectRun(new ToolError(name, code ?? signal, stdout.toString(), stderr));
    });
    child.stdin.end(input);
  });
}

/** Runs a command that must fail; resolves with its ToolError (whose text the scenario then checks). */
export async function expectFailure(promise, what) {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ToolError) return err;
    throw err;
  }
  throw new Error(`${what} succeeded; expected a refusal`);
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export function assertIncludes(text, needle, what) {
  if (!String(text).includes(needle)) throw new Error(`${what}: expected to contain ${JSON.stringify(needle)}, got ${JSON.stringify(String(text).slice(0, 600))}`);
}

export const md5 = (buf) => createHash('md5').update(buf).digest('hex');
export const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
export const randomBody = (n) => randomBytes(n);

/** Every run writes under its own prefix, so runs against a shared endpoint never collide. */
export function runPrefix(sdk, transport) {
  return `conformance/${sdk}-${transport}-${randomBytes(5).toString('hex')}/`;
}

export function workDir(sdk) {
  return mkdtempSync(join(tmpdir(), `smll-${sdk}-`));
}

export function writeLocal(dir, name, body) {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body);
  return path;
}

/** A plain HTTP client (no SDK) for presigned URLs, trusting the target's CA file. Resolves { status, body }. */
export function plainHttp(url, { method = 'GET', body, headers = {}, caFile } = {}) {
  const parsed = new URL(url);
  const send = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
  const ca = parsed.protocol === 'https:' && caFile ? readFileSync(caFile) : undefined;
  return new Promise((resolveRequest, rejectRequest) => {
    const req = send(parsed, { method, headers, ca, timeout: 60_000 }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolveRequest({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', rejectRequest);
    req.end(body);
  });
}

/** Writes `<SMLL_RESULTS_DIR>/<scenario>.json` per scenario, as the orchestrator expects. */
export class Recorder {
  constructor(sdk, sdkVersion, transport) {
    Object.assign(this, { sdk, sdkVersion, transport, resultsDir: required('SMLL_RESULTS_DIR'), outcomes: [] });
    mkdirSync(this.resultsDir, { recursive: true });
  }

  write(scenario, outcome, detail) {
    if (!knownIds.has(scenario)) throw new Error(`${scenario} is not a scenario of fixtures/conformance/scenarios.json`);
    const result = { sdk: this.sdk, sdkVersion: this.sdkVersion, transport: this.transport, scenario, outcome, detail: String(detail).slice(0, 2000) };
    writeFileSync(join(this.resultsDir, `${scenario}.json`), `${JSON.stringify(result, null, 2)}\n`);
    this.outcomes.push(result);
    process.stdout.write(`${outcome.padEnd(15)} ${scenario}${outcome === 'pass' && !detail ? '' : `: ${String(detail).split('\n')[0].slice(0, 300)}`}\n`);
  }

  /** Runs a scenario; a thrown error is its failure. `fn` may return a detail for a pass (what was done). */
  async run(scenario, fn) {
    const started = Date.now();
    try {
      const detail = await fn();
      this.write(scenario, 'pass', `${detail ?? ''}${detail ? ' ' : ''}(${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (err) {
      this.write(scenario, 'fail', err instanceof Error ? err.message : String(err));
    }
  }

  notExpressible(scenario, reason) {
    this.write(scenario, 'not-expressible', reason);
  }

  /** Every catalogue scenario not reported yet is one this runner forgot: a failure, never a silent gap. */
  finish() {
    const reported = new Set(this.outcomes.map((r) => r.scenario));
    for (const { id } of catalogue) if (!reported.has(id)) this.write(id, 'fail', 'the runner reported nothing for this scenario');
    const failed = this.outcomes.filter((r) => r.outcome === 'fail').length;
    const passed = this.outcomes.filter((r) => r.outcome === 'pass').length;
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
    process.exitCode = failed ? 1 : 0;
  }
}
