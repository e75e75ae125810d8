/**
 * The console's server, as CONSOLE.md defines it: the JSON API under /_smll/api/ and S3 through
 * /_smll/s3/<bucket>/<key>, which answers S3's own status codes, headers and XML errors.
 */

/** The four values SMLL's Credentials tab shows, under SMLL's names. */
export interface Credentials {
  ACCESS_KEY: string;
  SECRET_KEY: string;
  ENDPOINT: string;
  REGION: string;
}

/** Ready-to-paste texts filled in with one bucket's values. */
export interface Snippets {
  shell: string;
  dotenv: string;
  kubernetes: string;
  node: string;
  python: string;
  go: string;
}

/** One provisioned bucket (`GET /_smll/api/buckets`). */
export interface Bucket {
  name: string;
  credentials: Credentials;
  /** IAM actions the bucket's credential is granted, e.g. `s3:GetObject`. */
  actions: string[];
  snippets: Snippets;
}

/**
 * A refused or failed request: S3's error `Code` and `Message` (from its XML body), the console's
 * own (`{"error","message"}`, e.g. ConsoleForbidden), or the HTTP status when there is no body.
 */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** True for what SMLL's authorization refuses: 403 AccessDenied (the bucket credential lacks the action). */
  get refused(): boolean {
    return this.status === 403 && this.code === 'AccessDenied';
  }
}

const STATUS_CODES: Record<number, string> = { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 412: 'PreconditionFailed', 416: 'InvalidRange', 500: 'InternalError', 503: 'ServiceUnavailable' };

/** The error a non-2xx answer carries: JSON (console routes), XML (S3), or none (HEAD, network). */
export function errorOf(status: number, contentType: string | null, body: string): RequestError {
  if (status === 0) return new RequestError(0, 'NetworkError', 'The emulator did not answer: is it still running?');
  if (contentType?.includes('json')) {
    try {
      const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
      if (typeof parsed.error === 'string') return new RequestError(status, parsed.error, typeof parsed.message === 'string' ? parsed.message : '');
    } catch {
      // Not the console's JSON: fall through to the status.
    }
  }
  const xmlError = s3ErrorOf(body);
  if (xmlError) return new RequestError(status, xmlError.code, xmlError.message);
  return new RequestError(status, STATUS_CODES[status] ?? `HTTP${status}`, `The emulator answered ${status}.`);
}

/** S3's `<Error><Code/><Message/></Error>`, when `body` is one (also a 200 CompleteMultipartUpload that failed). */
export function s3ErrorOf(body: string): { code: string; message: string } | undefined {
  if (!body.includes('<Error')) return undefined;
  const root = parseXml(body).documentElement;
  if (root.localName !== 'Error') return undefined;
  return { code: childText(root, 'Code') ?? 'UnknownError', message: childText(root, 'Message') ?? '' };
}

/** Parses an XML document (S3 answers); a parse failure gives a document whose root is `parsererror`. */
export function parseXml(text: string): XMLDocument {
  return new DOMParser().parseFromString(text, 'application/xml');
}

/** The direct children of `parent` named `name` (S3 XML: namespaced, compared by local name). */
export function children(parent: Element, name: string): Element[] {
  return Array.from(parent.children).filter((child) => child.localName === name);
}

/** The text of the first direct child named `name`; undefined when there is none. */
export function childText(parent: Element, name: string): string | undefined {
  return children(parent, name)[0]?.textContent ?? undefined;
}

/** `GET /_smll/api/buckets`: the provisioned buckets, in the order given. Throws RequestError. */
export async function fetchBuckets(): Promise<Bucket[]> {
  const response = await fetch('/_smll/api/buckets', { headers: { accept: 'application/json' } }).catch(() => undefined);
  if (!response) throw errorOf(0, null, '');
  const body = await response.text();
  if (!response.ok) throw errorOf(response.status, response.headers.get('content-type'), body);
  return (JSON.parse(body) as { buckets: Bucket[] }).buckets;
}

/** A key as a path: each `/`-separated segment percent-encoded, as S3 expects in a path-style URL. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** `/_smll/s3/<bucket>[/<key>][?query]`; query values that are undefined are left out. */
export function s3Url(bucket: string, key?: string, query: Record<string, string | undefined> = {}): string {
  const pairs = Object.entries(query).flatMap(([name, value]) => (value === undefined ? [] : [value === '' ? encodeURIComponent(name) : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`]));
  return `/_smll/s3/${encodeURIComponent(bucket)}${key === undefined ? '' : `/${encodeKey(key)}`}${pairs.length ? `?${pairs.join('&')}` : ''}`;
}

/** Sends an S3 request through the console; resolves with the response when it is 2xx, else throws its RequestError. */
export async function s3Fetch(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, { ...init, cache: 'no-store' }).catch(() => undefined);
  if (!response) throw errorOf(0, null, '');
  if (!response.ok) throw errorOf(response.status, response.headers.get('content-type'), init.method === 'HEAD' ? '' : await response.text());
  return response;
}

/** What `send` resolves with. */
export interface Sent {
  status: number;
  body: string;
  header(name: string): string | null;
}

/**
 * Sends `body` with XMLHttpRequest (fetch reports no upload progress), calling `onProgress` with
 * the bytes sent so far. Resolves on 2xx; rejects with the RequestError of anything else.
 */
export function send(method: string, url: string, body: Blob | string | null, headers: Record<string, string>, onProgress?: (sent: number) => void): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    if (onProgress) request.upload.addEventListener('progress', (event) => onProgress(event.loaded));
    request.addEventListener('load', () => {
      const sent: Sent = { status: request.status, body: request.responseText, header: (name) => request.getResponseHeader(name) };
      if (request.status >= 200 && request.status < 300) resolve(sent);
      else reject(errorOf(request.status, request.getResponseHeader('content-type'), request.responseText));
    });
    request.addEventListener('error', () => reject(errorOf(0, null, '')));
    request.send(body);
  });
}
