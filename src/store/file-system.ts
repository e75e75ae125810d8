import type fs from 'node:fs';

/**
 * The calls to node:fs that the store's file layer (blob files, the space reserve) makes. The
 * store is given `node:fs` itself; tests give a wrapper that fails chosen calls (ENOSPC, EIO) to
 * prove what a fault leaves behind.
 */
export type FileSystem = Pick<
  typeof fs,
  | 'closeSync'
  | 'createReadStream'
  | 'existsSync'
  | 'fsyncSync'
  | 'mkdirSync'
  | 'openSync'
  | 'readdirSync'
  | 'renameSync'
  | 'rmSync'
  | 'statfsSync'
  | 'writeSync'
> & { promises: Pick<typeof fs.promises, 'open' | 'rm'> };
