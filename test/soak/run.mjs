#!/usr/bin/env node
/**
 * npm run soak [-- --seconds N] [--kill-iterations N] [--concurrency N] [--keys N]
 * Defaults: a 600 s soak at concurrency 64 over 10,000 keys, then 200 kill -9 iterations; 0 skips
 * either. Runs test/soak/soak.soak.ts under vitest (TypeScript, the project's own test helpers);
 * exits non-zero when a check fails. Summary on stdout and in test/soak/results/latest.json.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    'kill-iterations': { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '64' },
    keys: { type: 'string', default: '10000' },
  },
});
for (const [name, value] of Object.entries(values)) {
  if (!/^\d+$/.test(value)) {
    console.error(`--${name} must be a whole number, got ${value}`);
    process.exit(2);
  }
}
const root = fileURLToPath(new URL('../..', import.meta.url));
const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/soak/vitest.soak.config.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    SOAK_SECONDS: values.seconds,
    SOAK_KILL_ITERATIONS: values['kill-iterations'],
    SOAK_CONCURRENCY: values.concurrency,
    SOAK_KEYS: values.keys,
  },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
