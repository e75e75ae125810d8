/**
 * A light S3 client for the soak and the kill loop: SigV4 header signing (the project's own
 * signer) over an undici keep-alive pool, so that 64 requests in flight cost the load generator
 * little next to the server on a small machine.
 */
import { createHash } from 'node:crypto';
import { Pool } from 'undici';
import { signRequest } from '../../src/auth/sigv4-client.js';
import type { BucketEnv } from '../../src/index.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export class SignedClient {
  readonly pool: Pool;

  constructor(
    private readonly env: BucketEnv,
    readonly bucket: string,
    connections: number,
  ) {
    this.pool = new Pool(env.S3_ENDPOINT, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  /** One request on `/bucket/key?query`, signed with UNSIGNED-PAYLOAD; the whole answer read. */
  async send(method: string, key: string | undefined, query = '', body?: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
    const path = `/${this.bucket}${key === undefined ? '' : `/${key.split('/').map(encodeURIComponent).join('/')}`}${query ? `?${query}` : ''}`;
    const signed = signRequest({
      method,
      url: `${this.env.S3_ENDPOINT}${path}`,
      headers: body === undefined ? headers : { ...headers, 'content-length': String(body.length) },
      accessKeyId: this.env.S3_ACCESS_KEY,
      secretKey: this.env.S3_SECRET_KEY,
      region: this.env.S3_REGION,
    });
    const response = await this.pool.request({ method, path, body, headers: signed.headers, reset: false });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) };
  }

  /** DeleteObjects of `keys` (quiet: S3 then lists only the failures). */
  deleteObjects(keys: readonly string[]): Promise<Answer> {
    const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const xml = Buffer.from(`<Delete><Quiet>true</Quiet>${keys.map((key) => `<Object><Key>${escape(key)}</Key></Object>`).join('')}</Delete>`);
    return this.send('POST', undefined, 'delete', xml, { 'content-md5': createHash('md5').update(xml).digest('base64') });
  }

  /** CreateMultipartUpload, one UploadPart per part, CompleteMultipartUpload; the Complete answer. */
  async multipartUpload(key: string, parts: readonly Buffer[]): Promise<Answer> {
    const created = await this.send('POST', key, 'uploads');
    if (created.status !== 200) return created;
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body.toString())![1];
    const etags: string[] = [];
    for (const [index, part] of parts.entries()) {
      const uploaded = await this.send('PUT', key, `partNumber=${index + 1}&uploadId=${uploadId}`, part);
      if (uploaded.status !== 200) return uploaded;
      etags.push(String(uploaded.headers.etag));
    }
    const xml = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    return this.send('POST', key, `uploadId=${uploadId}`, Buffer.from(xml));
  }

  /** ListObjectsV2 under `prefix`: every key with its size (one page: callers keep prefixes under 1,000 keys). */
  async list(prefix: string): Promise<{ answer: Answer; objects: Map<string, number> }> {
    const answer = await this.send('GET', undefined, `list-type=2&prefix=${encodeURIComponent(prefix)}`);
    const objects = new Map<string, number>();
    for (const [, content] of answer.body.toString().matchAll(/<Contents>(.*?)<\/Contents>/g)) {
      objects.set(/<Key>([^<]*)<\/Key>/.exec(content)![1], Number(/<Size>(\d+)<\/Size>/.exec(content)![1]));
    }
    return { answer, objects };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
