/**
 * The console from the CLI: serve's banner prints its URL (`console: …`), `--console off` turns
 * it off, `--console-token` sets its token; and the config file and setups accept its options.
 */
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../../src/options.js';
import { cliTestScope, startCli } from '../cli-process.js';
import { consoleFetch } from '../console-http.js';

describe('smll-storage serve and the console', () => {
  const { running } = cliTestScope('smll-console-cli-');

  it('prints the console URL in its banner, and the console answers there', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--bucket', 'my-bucket']);
    running.push(cli);
    expect(cli.output()).toContain(`\nconsole: ${cli.endpoint}/_smll/\n`);
    const res = await consoleFetch(cli.endpoint, '/_smll/api/buckets');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).buckets[0].credentials.ENDPOINT).toBe(cli.endpoint);
  });

  it('--console off: no console line, and /_smll/ answers 404', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--bucket', 'my-bucket', '--console', 'off']);
    running.push(cli);
    expect(cli.output()).not.toContain('console:');
    expect((await consoleFetch(cli.endpoint, '/_smll/api/buckets')).status).toBe(404);
    expect((await consoleFetch(cli.endpoint, '/_smll/health')).status).toBe(200);
  });

  it('--console-token on loopback: the token opens the console from another Host', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--console-token', 'cli-token-1234']);
    running.push(cli);
    const host = `laptop.lan:${new URL(cli.endpoint).port}`;
    expect((await consoleFetch(cli.endpoint, '/_smll/api/buckets', { headers: { host } })).status).toBe(403);
    expect((await consoleFetch(cli.endpoint, '/_smll/api/buckets', { headers: { host, 'x-smll-console-token': 'cli-token-1234' } })).status).toBe(200);
  });
});

describe('the console options in a config file', () => {
  it('takes console (a boolean) and consoleToken (a string)', () => {
    expect(validateOptions({ console: false, consoleToken: 'abc' }, 'smll-storage.config.json', 'config file')).toEqual({ console: false, consoleToken: 'abc' });
    expect(() => validateOptions({ console: 'off' }, 'smll-storage.config.json', 'config file')).toThrow('smll-storage.config.json: console: expected true or false, got "off"');
    expect(() => validateOptions({ consoleToken: 7 }, 'setup', 'setup')).toThrow('setup: consoleToken: expected a non-empty string, got 7');
  });
});
