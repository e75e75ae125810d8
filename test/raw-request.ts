import { request } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { BucketEnv } from '../src/index.js';

/**
 * The AWS SDK's own SigV4 signer (independent of ours) for `env`'s credential and region, with
 * S3's path rule (no second URI-encoding).
 */
export function sdkSigner(env: BucketEnv, options: { region?: string; applyChecksum?: boolean } = {}): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: env.S3_ACCESS_KEY, secretAccessKey: env.S3_SECRET_KEY },
    region: options.region ?? env.S3_REGION,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
    ...(options.applyChecksum === undefined ? {} : { applyChecksum: options.applyChecksum }),
  });
}

/**
 * Signs a request with the AWS SDK's own SigV4 signer (independent of ours) and sends it with
 * fetch: for the wire shapes an SDK command cannot produce (missing or wrong payload hash …).
 */
export async function signedFetch(
  env: BucketEnv,
  init: {
    method: string;
    path: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** x-amz-content-sha256 to send; default: the real hash. null: do not send one. */
    payloadHash?: string | null;
    signingDate?: Date;
    region?: string;
    /** Host header to sign and send (virtual-host-style); the connection still goes to the endpoint. */
    host?: string;
    /** The path to send when it differs from the signed one (the Java SDK signs `a//b`, sends `a/%2Fb`). */
    wirePath?: string;
    /** Called once the whole request has been handed to the socket (to act while the server processes it). */
    onSent?: () => void;
  },
): Promise<RawResponse> {
  const url = new URL(env.S3_ENDPOINT);
  const signer = sdkSigner(env, { region: init.region ?? env.S3_REGION, applyChecksum: init.payloadHash !== null });
  const headers: Record<string, string> = { host: init.host ?? url.host, ...init.headers };
  if (init.payloadHash) headers['x-amz-content-sha256'] = init.payloadHash;
  const signed = await signer.sign(
    {
      method: init.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: init.path,
      query: init.query ?? {},
      headers,
      body: init.body,
    },
    { signingDate: init.signingDate },
  );
  const query = new URLSearchParams(init.query ?? {}).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: init.method,
        path: `${init.wirePath ?? init.path}${query ? `?${query}` : ''}`,
        // Node sends an empty body with Expect as chunked unless told its length, as SDKs do.
        headers: init.body === undefined ? signed.headers : { 'content-length': String(Buffer.byteLength(init.body)), ...signed.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (init.onSent) req.on('finish', init.onSent);
    req.end(init.body);
  });
}

export interface RawResponse {
  status: number;
  headers: import('node:http').IncomingHttpHeaders;
  text: string;
}

/** Code and Message of an S3 XML error document. */
export function errorFields(xml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of xml.matchAll(/<([A-Za-z0-9-]+)>([^<]*)<\/\1>/g)) fields[match[1]] = match[2];
  return fields;
}
