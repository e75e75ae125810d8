/** Raw HTTP for the console's tests: any Host, Origin or cookie, and a reader of its server-sent events. */
import { request, type IncomingHttpHeaders } from 'node:http';

export interface ConsoleResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One request to `endpoint` + `path` (raw: sent as written), with the given headers (a `host` replaces the endpoint's). */
export function consoleFetch(
  endpoint: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<ConsoleResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: options.method ?? 'GET', path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface SseMessage {
  event?: string;
  id?: string;
  data?: string;
  /** Comment lines (`: keep-alive`). */
  comments: string[];
}

export interface EventReader {
  status: number;
  headers: IncomingHttpHeaders;
  /** The messages so far (those with an event). */
  requests(): Array<Record<string, unknown>>;
  comments(): string[];
  /** Resolves once `predicate` holds of the messages; rejects after `timeoutMs`. */
  until(predicate: (requests: Array<Record<string, unknown>>) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens `GET path` as an event stream and parses its messages as they arrive. */
export function openEvents(endpoint: string, path = '/_smll/api/events', headers: Record<string, string> = {}): Promise<EventReader> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers }, (res) => {
      let buffer = '';
      const messages: SseMessage[] = [];
      const waiters = new Set<() => void>();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message: SseMessage = { comments: [] };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) message.comments.push(line.slice(1).trim());
            const field = /^(event|id|data): (.*)$/.exec(line);
            if (field) message[field[1] as 'event' | 'id' | 'data'] = field[2];
          }
          messages.push(message);
        }
        for (const waiter of waiters) waiter();
      });
      const closed = new Promise<void>((done) => res.on('close', () => done()));
      const requests = () => messages.filter((m) => m.event === 'request').map((m) => ({ ...JSON.parse(m.data!), sseId: m.id }) as Record<string, unknown>);
      resolve({
        status: res.statusCode!,
        headers: res.headers,
        requests,
        comments: () => messages.flatMap((m) => m.comments),
        until(predicate, timeoutMs = 5_000) {
          return new Promise((done, fail) => {
            const check = () => {
              if (predicate(requests())) {
                clearTimeout(timer);
                waiters.delete(check);
                done();
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no such events within ${timeoutMs} ms: ${JSON.stringify(requests())}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        async close() {
          req.destroy();
          await closed;
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}
