/**
 * The console's live log (src/http/request-feed.ts): a ring of the last entries, oldest first,
 * then each new one to every reader, serialised only when someone reads.
 */
import { describe, expect, it } from 'vitest';
import { RequestFeed, requestEvent } from '../../src/http/request-feed.js';
import type { RequestLogEntry } from '../../src/http/request-log.js';

const entry = (n: number, extra: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  time: new Date(Date.UTC(2026, 10, 30, 16, 2, 11, n)),
  requestId: `ID${n}`,
  operation: 'PutObject',
  bucket: 'my-bucket',
  key: `k${n}`,
  status: 200,
  durationMs: 0.61234,
  ...extra,
});

const idsOf = (messages: string[]) => messages.map((m) => /^id: (.*)$/m.exec(m)![1]);

describe('RequestFeed', () => {
  it('keeps the last `capacity` entries, oldest first', () => {
    const feed = new RequestFeed(3);
    expect(feed.recent()).toEqual([]);
    feed.record(entry(1));
    feed.record(entry(2));
    expect(idsOf(feed.recent())).toEqual(['ID1', 'ID2']);
    for (let n = 3; n <= 7; n++) feed.record(entry(n));
    expect(idsOf(feed.recent())).toEqual(['ID5', 'ID6', 'ID7']);
  });

  it('keeps 500 by default', () => {
    const feed = new RequestFeed();
    for (let n = 0; n < 600; n++) feed.record(entry(n));
    const ids = idsOf(feed.recent());
    expect(ids.length).toBe(500);
    expect(ids[0]).toBe('ID100');
    expect(ids.at(-1)).toBe('ID599');
  });

  it('sends each new entry to every reader until it unsubscribes', () => {
    const feed = new RequestFeed();
    const a: string[] = [];
    const b: string[] = [];
    const stopA = feed.subscribe((m) => a.push(m));
    feed.subscribe((m) => b.push(m));
    expect(feed.readerCount).toBe(2);
    feed.record(entry(1));
    stopA();
    expect(feed.readerCount).toBe(1);
    feed.record(entry(2));
    expect(idsOf(a)).toEqual(['ID1']);
    expect(idsOf(b)).toEqual(['ID1', 'ID2']);
  });

  it('does not serialise an entry while nobody reads (the stored object is serialised when read)', () => {
    const feed = new RequestFeed();
    let serialised = 0;
    const counted = entry(1);
    const time = counted.time;
    counted.time = { toISOString: () => (serialised++, time.toISOString()) } as Date;
    feed.record(counted);
    expect(serialised).toBe(0);
    expect(feed.recent()[0]).toContain('"time":"2026-11-30T16:02:11.001Z"');
    expect(serialised).toBe(1);
  });
});

describe('requestEvent', () => {
  it('is one SSE message: event, id, one data line with the contract fields', () => {
    const message = requestEvent(
      entry(5, {
        key: 'a\nb.txt',
        status: 403,
        errorCode: 'AccessDenied',
        hint: 'The request header x-amz-acl asks for s3:PutObjectAcl: send the request without it.',
        refusal: { action: 's3:PutObjectAcl', headers: ['x-amz-acl'] },
      }),
    );
    const lines = message.split('\n');
    expect(lines.slice(0, 2)).toEqual(['event: request', 'id: ID5']);
    expect(lines[2]).toMatch(/^data: /);
    expect(lines.slice(3)).toEqual(['', '']);
    expect(JSON.parse(lines[2].slice('data: '.length))).toEqual({
      time: '2026-11-30T16:02:11.005Z',
      requestId: 'ID5',
      operation: 'PutObject',
      bucket: 'my-bucket',
      key: 'a\nb.txt',
      status: 403,
      errorCode: 'AccessDenied',
      durationMs: 0.612,
      hint: 'The request header x-amz-acl asks for s3:PutObjectAcl: send the request without it.',
      console: false,
      refusal: { action: 's3:PutObjectAcl', headers: ['x-amz-acl'] },
    });
  });

  it('names the path of a request without a bucket, and marks the console\'s own calls', () => {
    const data = JSON.parse(requestEvent({ ...entry(1), bucket: undefined, key: undefined, path: '/x', console: true }).split('\n')[2].slice(6));
    expect(data).toMatchObject({ path: '/x', console: true });
    expect(data).not.toHaveProperty('bucket');
  });
});
