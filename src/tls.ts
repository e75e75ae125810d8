import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { RequestListener, Server, ServerOptions } from 'node:http';
import { createServer } from 'node:https';
import { join } from 'node:path';

/** A PEM certificate and private key, and where the certificate lives so clients can trust it. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** Path of the PEM certificate: give it to clients as `AWS_CA_BUNDLE` / `NODE_EXTRA_CA_CERTS`. */
  certFile: string;
}

const CERT_FILE = 'cert.pem';
const KEY_FILE = 'key.pem';

/**
 * The data dir's self-signed certificate for 127.0.0.1, ::1 and localhost, generated on first use
 * and kept (so a client that trusts it keeps trusting it across restarts of a persistent data dir).
 */
export async function selfSignedTls(dataDir: string): Promise<TlsMaterial> {
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, CERT_FILE);
  const keyFile = join(dir, KEY_FILE);
  if (existsSync(certFile) && existsSync(keyFile)) {
    // The private key is the owner's only, whoever wrote it.
    if ((statSync(keyFile).mode & 0o077) !== 0) chmodSync(keyFile, 0o600);
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile };
  }
  const notBeforeDate = new Date(Date.now() - 60 * 60 * 1000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 825 * 24 * 60 * 60 * 1000);
  // Loaded only when a certificate must be made: selfsigned and its ASN.1 stack are slow to load.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'smll-storage local emulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      // Its own trust anchor: clients add this one certificate to their trust store.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(keyFile, pems.private, { mode: 0o600 });
    writeFileSync(certFile, pems.cert);
  } catch (err) {
    // A half-written pair (a full disk) would be read back as unusable PEM at every later start:
    // without it, the next start generates a new one.
    rmSync(keyFile, { force: true });
    rmSync(certFile, { force: true });
    throw err;
  }
  return { cert: pems.cert, key: pems.private, certFile };
}

/** An https server for `tls` with the http `options`; a certificate or key that is not usable PEM is an error that says so. */
export function createTlsServer(tls: { cert: string; key: string }, options: ServerOptions, listener: RequestListener): Server {
  try {
    return createServer({ ...options, cert: tls.cert, key: tls.key }, listener);
  } catch (err) {
    throw new Error(`the TLS certificate or key is not usable (PEM certificate and matching private key expected): ${(err as Error).message}`);
  }
}
