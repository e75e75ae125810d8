import { Readable } from 'node:stream';

/**
 * A body whose bytes are all in memory, which a store may hand out for a small object: a
 * response can then send `bytes` in one write, where piping a stream costs a 4 KiB GET about a
 * third of its throughput. Read as a stream it is like any other, so a caller that only streams
 * (and a store that never makes one) need not know it exists.
 */
export class InMemoryBody extends Readable {
  readonly bytes: Buffer;

  constructor(bytes: Buffer) {
    super();
    this.bytes = bytes;
  }

  override _read(): void {
    // A zero-length chunk would not end a byte stream: an empty body is the end alone.
    if (this.bytes.length > 0) this.push(this.bytes);
    this.push(null);
  }
}
