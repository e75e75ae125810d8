/**
 * `--request-timeout` (serve and exec) and `requestTimeout` in the config file reach the server:
 * a stalled body gets S3's RequestTimeout after the configured time.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI, cliTestScope, startCli } from '../cli-process.js';
import { errorFields } from '../raw-request.js';
import { connectRaw, signedRequestHead, statusOf } from '../raw-socket.js';

const run = promisify(execFile);
const { running, tempDir } = cliTestScope('smll-timeout-cli-');

/** Sends the headers of a signed PUT with a 10-byte body and no body: what the server answers, and after how long. */
async function stalledPut(env: Parameters<typeof signedRequestHead>[0], bucket: string): Promise<{ text: string; afterMs: number }> {
  const head = await signedRequestHead(env, { method: 'PUT', path: `/${bucket}/stalled`, headers: { 'content-length': '10' } });
  const connection = await connectRaw(Number(new URL(env.S3_ENDPOINT).port));
  connection.socket.write(head);
  const { afterMs } = await connection.closed;
  return { text: connection.received(), afterMs };
}

describe('--request-timeout', () => {
  it('serve --request-timeout 300ms answers a stalled body with RequestTimeout within about that time', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--bucket', 'slow', '--request-timeout', '300ms']);
    running.push(cli);
    const { text, afterMs } = await stalledPut(cli.env.slow, 'slow');
    expect(statusOf(text)).toBe(400);
    expect(errorFields(text).Code).toBe('RequestTimeout');
    expect(afterMs).toBeLessThan(2000);
    await expect.poll(() => cli.output()).toMatch(/PutObject slow\/stalled 400 /);
  });

  it('the config file\'s requestTimeout (milliseconds) applies to serve', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'smll-storage.config.json'), JSON.stringify({ buckets: ['slow'], requestTimeout: 300 }));
    const cli = await startCli(['--temp', '--port', '0'], dir);
    running.push(cli);
    const { text, afterMs } = await stalledPut(cli.env.slow, 'slow');
    expect(errorFields(text).Code).toBe('RequestTimeout');
    expect(afterMs).toBeLessThan(2000);
  });

  it('exec --request-timeout 300ms applies to the emulator the command talks to', async () => {
    const script = `
      import { connect } from 'node:net';
      const url = new URL(process.env.S3_ENDPOINT);
      const socket = connect(Number(url.port), url.hostname, () => socket.write('GET /slow/x HTTP/1.1\\r\\nHost: ' + url.host + '\\r\\n'));
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => console.log(text));`;
    const { stdout } = await run(process.execPath, [CLI, 'exec', '-b', 'slow', '--request-timeout', '300ms', '--', process.execPath, '--input-type=module', '-e', script]);
    expect(errorFields(stdout).Code).toBe('RequestTimeout');
  });

  it.each([
    [['--request-timeout', '20'], /--request-timeout <duration>' argument '20' is invalid\. expected 0 \(no limit\) or a duration with a unit/],
    [['--request-timeout', '-1s'], /expected 0 \(no limit\) or a duration with a unit/],
  ])('refuses %j', async (args, message) => {
    const err = await run(process.execPath, [CLI, '--temp', '--port', '0', ...args]).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(message);
  });

  it('refuses a requestTimeout in the config file that is neither whole milliseconds ≥ 0 nor a duration, naming the key', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'smll-storage.config.json'), JSON.stringify({ requestTimeout: 'soon' }));
    const err = await run(process.execPath, [CLI, '--temp', '--port', '0'], { cwd: dir }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain('requestTimeout: expected a whole number of milliseconds ≥ 0 (0 disables it) or a duration with a unit, e.g. "20s", got "soon"');
  });

  it('is listed by serve --help and exec --help', async () => {
    for (const command of ['serve', 'exec']) {
      const { stdout } = await run(process.execPath, [CLI, command, '--help']);
      expect(stdout).toContain('--request-timeout <duration>');
    }
  });
});
