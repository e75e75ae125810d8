import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderOperationTable } from './operation-table-markdown.js';

const START = '<!-- operation-table:start -->';
const END = '<!-- operation-table:end -->';
const README = new URL('../../README.md', import.meta.url);

describe('README operation table', () => {
  // `npm run readme` rewrites it; every other run checks that it is current.
  it('is rendered from the operation table the code routes and authorizes with', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const rendered = `\n${renderOperationTable()}\n`;
    if (process.env.UPDATE_README === '1') {
      writeFileSync(README, readme.slice(0, start + START.length) + rendered + readme.slice(end));
      return;
    }
    expect(readme.slice(start + START.length, end)).toBe(rendered);
  });
});
