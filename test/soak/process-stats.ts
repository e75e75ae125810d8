import { readFileSync, readdirSync } from 'node:fs';

/** Resident memory (bytes) and open file descriptors of a process, from /proc (Linux). */
export function processStats(pid: number): { rssBytes: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return { rssBytes: rssKiB * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/**
 * The stats once the process has settled: after its clients closed their connections, the fd
 * count is read until it holds for 5 reads 100 ms apart (the server closes sockets asynchronously).
 */
export async function settledStats(pid: number): Promise<{ rssBytes: number; fds: number }> {
  let last = processStats(pid);
  let steady = 0;
  for (let i = 0; i < 100 && steady < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = processStats(pid);
    steady = now.fds === last.fds ? steady + 1 : 0;
    last = now;
  }
  return last;
}
