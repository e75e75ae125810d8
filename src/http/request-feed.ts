/**
 * The request log as the console's live view reads it: the last entries (a ring) and each new one
 * as it is logged, as server-sent events. Entries are kept as the objects the app logged and
 * written as JSON only for a reader, so that the request path pays nothing for it while nobody
 * watches.
 */
import type { RequestLogEntry } from './request-log.js';

/** How many entries a new reader gets before the live ones. */
export const FEED_CAPACITY = 500;

/** One request as an SSE message (`event: request`, `id`, `data` one JSON line), ending with its blank line. */
export function requestEvent(entry: RequestLogEntry): string {
  const data = {
    time: entry.time.toISOString(),
    requestId: entry.requestId,
    operation: entry.operation,
    ...(entry.bucket === undefined ? { path: entry.path } : { bucket: entry.bucket, key: entry.key }),
    status: entry.status,
    errorCode: entry.errorCode,
    durationMs: Number(entry.durationMs.toFixed(3)),
    hint: entry.hint,
    console: entry.console === true,
    refusal: entry.refusal,
  };
  // JSON.stringify escapes line breaks inside strings: the data is one line, as SSE needs.
  return `event: request\nid: ${entry.requestId}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class RequestFeed {
  private readonly ring: RequestLogEntry[] = [];
  /** Where the next entry goes once the ring is full (the oldest entry's slot). */
  private oldest = 0;
  private readonly readers = new Set<(message: string) => void>();

  constructor(private readonly capacity = FEED_CAPACITY) {}

  /** Keeps `entry` (dropping the oldest beyond the capacity) and sends it to every reader, serialised once. */
  record(entry: RequestLogEntry): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(entry);
    } else {
      this.ring[this.oldest] = entry;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
    if (this.readers.size === 0) return;
    const message = requestEvent(entry);
    for (const reader of this.readers) reader(message);
  }

  /** The kept entries as SSE messages, oldest first. */
  recent(): string[] {
    return [...this.ring.slice(this.oldest), ...this.ring.slice(0, this.oldest)].map(requestEvent);
  }

  /** Calls `reader` with each new entry's SSE message; returns the function that stops it. */
  subscribe(reader: (message: string) => void): () => void {
    this.readers.add(reader);
    return () => this.readers.delete(reader);
  }

  /** How many readers are subscribed (a closed connection must leave none behind). */
  get readerCount(): number {
    return this.readers.size;
  }
}
