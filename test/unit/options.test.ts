import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { OPTIONS } from '../../src/options.js';

describe('one declaration of the options (src/options.ts)', () => {
  const serve = buildProgram().commands.find((c) => c.name() === 'serve')!;
  const serveFlags = serve.options.map((o) => o.long);

  it('every option with a flag is a flag of serve', () => {
    for (const [key, spec] of Object.entries(OPTIONS)) if (spec.flag) expect(serveFlags, key).toContain(spec.flag);
  });

  it('every field flag of an object option (backend) is a flag of serve', () => {
    for (const [key, spec] of Object.entries(OPTIONS)) for (const flag of Object.values(spec.fieldFlags ?? {})) expect(serveFlags, key).toContain(flag);
  });

  it('every flag of serve is an option (config file, setups) but the CLI\'s own: --config, --cert/--key (tls: { cert, key }), --help', () => {
    const declared = new Set(Object.values(OPTIONS).flatMap((spec) => [spec.flag, ...Object.values(spec.fieldFlags ?? {})]));
    const cliOnly = ['--config', '--cert', '--key', '--help'];
    expect(serveFlags.filter((flag) => !declared.has(flag) && !cliOnly.includes(flag!))).toEqual([]);
  });
});
