/**
 * The request log (issue 9, point 5): client-chosen values (keys, paths) are written with control
 * characters escaped, so a key holding a newline cannot forge a log line.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, startTestEmulator, type TestEmulator } from '../helpers.js';
import { cliTestScope, startCli } from '../cli-process.js';

const FORGED = 'DeleteObject test-bucket/important 204 0.1ms';

describe("startEmulator's log", () => {
  let t: TestEmulator;
  const log: string[] = [];
  beforeAll(async () => {
    t = await startTestEmulator({ log: (line) => log.push(line) });
  });
  afterAll(async () => {
    await t.emulator.stop();
  });

  it('escapes a newline in a key: one line per request, no forged line', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: `a\n${FORGED}`, Body: 'x' }));
    await t.s3.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: 'b\r\x1b[2K\ttab', Body: 'x' }));
    expect(log).toContainEqual(expect.stringMatching(new RegExp(`^PutObject test-bucket/a\\\\n${FORGED.replace(/\./g, '\\.')} 200 [\\d.]+ms$`)));
    expect(log).toContainEqual(expect.stringMatching(/^PutObject test-bucket\/b\\r\\x1b\[2K\\ttab 200 [\d.]+ms$/));
    for (const line of log) expect(line).not.toMatch(/[\n\r\x1b]/);
  });

  it('escapes the backslash, so a key that spells "\\n" logs differently from one holding a newline', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: 'c\\nd', Body: 'x' }));
    await t.s3.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: 'c\nd', Body: 'x' }));
    expect(log).toContainEqual(expect.stringMatching(/^PutObject test-bucket\/c\\\\nd 200 /));
    expect(log).toContainEqual(expect.stringMatching(/^PutObject test-bucket\/c\\nd 200 /));
  });

  it('escapes control characters of a path that names no operation', async () => {
    const res = await fetch(`${t.emulator.endpoint}/%0Aforged%0D`, { method: 'GET' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(log.at(-1)).toMatch(/ \S*\\n\S*\\r\S* \d{3} [\d.]+ms$/);
  });
});

describe('the CLI request log', () => {
  const { running } = cliTestScope('smll-log-cli-');

  it('prints a key with a newline on one escaped line', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--bucket', 'logged']);
    running.push(cli);
    await clientFor(cli.env.logged).send(new PutObjectCommand({ Bucket: 'logged', Key: `k\n${FORGED}`, Body: 'x' }));
    await expect.poll(() => cli.output()).toContain(`PutObject logged/k\\n${FORGED} 200 `);
    expect(cli.output().split('\n').filter((line) => line.startsWith('DeleteObject'))).toEqual([]);
  });
});
