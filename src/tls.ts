import { KeyObject, X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { RequestListener, Server, ServerOptions } from 'node:http';
import { createServer } from 'node:https';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** The https material of a data dir: what the server presents, and what clients trust. */
export interface TlsMaterial {
  /** PEM chain the server presents: the leaf certificate, then the local CA that signed it. */
  cert: string;
  /** PEM private key of the leaf. */
  key: string;
  /** PEM certificate of the local CA: the one certificate clients trust. */
  ca: string;
  /** Path of `ca`: what AWS_CA_BUNDLE, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS … point at (see TRUST_VARIABLES). */
  caFile: string;
  /** Set when a stored certificate was replaced at this start: why (clients that imported the old one must trust `caFile` again). */
  replaced?: string;
}

/** The names the leaf certificate must cover besides localhost, 127.0.0.1 and ::1. */
export interface TlsNames {
  /** The address the server listens on (a specific IP or host name is added; 0.0.0.0 and :: are not). */
  host?: string;
  /** The virtual-host domain: the leaf covers it and `*.<domain>` (BUCKET.<domain>). */
  vhostDomain?: string;
}

/**
 * The environment variables through which each kind of client trusts an extra CA, all pointing at
 * the CA file. Every one but NODE_EXTRA_CA_CERTS replaces the client's default roots instead of
 * adding to them.
 */
export const TRUST_VARIABLES = [
  // The AWS SDKs that read the shared config's ca_bundle (botocore/boto3, AWS CLI, Go v2):
  // https://docs.aws.amazon.com/sdkref/latest/guide/feature-gen-config.html. Not the JS SDK
  // (aws/aws-sdk-js#2970) nor the Rust SDK (awslabs/aws-sdk-rust#1362).
  'AWS_CA_BUNDLE',
  // Node's TLS, added to its bundled roots: https://nodejs.org/api/cli.html#node_extra_ca_certsfile
  'NODE_EXTRA_CA_CERTS',
  // Go's crypto/x509 on Linux and BSDs, not macOS (golang/go#37907): mc, restic, rclone;
  // OpenSSL's default paths (Python's ssl, curl, Ruby …); rustls-native-certs (polars' object_store):
  // https://pkg.go.dev/crypto/x509#SystemCertPool, https://docs.rs/rustls-native-certs
  'SSL_CERT_FILE',
  // Python requests, which uses certifi's bundle otherwise: https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
  'REQUESTS_CA_BUNDLE',
  // The curl tool: https://curl.se/docs/sslcerts.html
  'CURL_CA_BUNDLE',
] as const;

/** Each trust variable set to `caFile`. */
export function trustVariables(caFile: string): Record<(typeof TRUST_VARIABLES)[number], string> {
  return Object.fromEntries(TRUST_VARIABLES.map((name) => [name, caFile])) as Record<(typeof TRUST_VARIABLES)[number], string>;
}

const CA_FILE = 'ca.pem';
const CERT_FILE = 'cert.pem';
const KEY_FILE = 'key.pem';
const DAY = 24 * 60 * 60 * 1000;
/** Apple's limit for certificates under a user-trusted root (https://support.apple.com/en-us/103769). */
const VALIDITY_DAYS = 825;
/** A stored leaf closer than this to its end is replaced at start, before clients see it expire. */
const RENEW_BEFORE_DAYS = 30;

/**
 * The data dir's https material (`<dataDir>/tls`): a local CA and a leaf it signed for localhost,
 * 127.0.0.1, ::1 and `names`. Generated on first use and kept, so a client that trusts the CA keeps
 * trusting it across restarts. A stored set is replaced (CA included) when it no longer fits: the
 * single CA:TRUE certificate of earlier versions (rustls refuses a CA as a server's certificate:
 * `CaUsedAsEndEntity`), a leaf that misses one of the names, does not match its key or CA, or ends
 * within 30 days.
 *
 * The CA's private key signs the leaf and is then dropped, never written: a CA a user added to a
 * trust store can sign nothing else, so its file grants no power to whoever reads the data dir.
 */
export async function localCaTls(dataDir: string, names: TlsNames = {}): Promise<TlsMaterial> {
  const dir = join(dataDir, 'tls');
  const caFile = join(dir, CA_FILE);
  const certFile = join(dir, CERT_FILE);
  const keyFile = join(dir, KEY_FILE);
  const wanted = subjectAltNames(names);
  let replaced: string | undefined;
  if (existsSync(certFile) && existsSync(keyFile)) {
    const stored = { ca: existsSync(caFile) ? readFileSync(caFile, 'utf8') : undefined, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    replaced = unfitness(stored, wanted);
    if (replaced === undefined) {
      // The private key is the owner's only, whoever wrote it.
      if ((statSync(keyFile).mode & 0o077) !== 0) chmodSync(keyFile, 0o600);
      return { cert: stored.cert, key: stored.key, ca: stored.ca!, caFile };
    }
  }
  const generated = await generateChain(wanted);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Removed first: writeFileSync's mode applies only to a file it creates.
  const removeAll = () => [keyFile, certFile, caFile].forEach((file) => rmSync(file, { force: true }));
  removeAll();
  try {
    writeFileSync(keyFile, generated.key, { mode: 0o600 });
    writeFileSync(certFile, generated.cert);
    writeFileSync(caFile, generated.ca);
  } catch (err) {
    // A half-written set (a full disk) would be read back as unusable at every later start:
    // without it, the next start generates a new one.
    removeAll();
    throw err;
  }
  return { ...generated, caFile, ...(replaced === undefined ? {} : { replaced }) };
}

interface AltName {
  type: 'dns' | 'ip';
  value: string;
}

function subjectAltNames(names: TlsNames): AltName[] {
  const all: AltName[] = [
    { type: 'dns', value: 'localhost' },
    { type: 'ip', value: '127.0.0.1' },
    { type: 'ip', value: '::1' },
  ];
  const add = (name: AltName) => {
    if (!all.some((n) => n.type === name.type && n.value === name.value)) all.push(name);
  };
  const host = names.host?.replace(/^\[|\]$/g, '');
  if (host && host !== '0.0.0.0' && host !== '::') add({ type: isIP(host) ? 'ip' : 'dns', value: host.toLowerCase() });
  if (names.vhostDomain) {
    const domain = names.vhostDomain.toLowerCase();
    add({ type: 'dns', value: domain });
    add({ type: 'dns', value: `*.${domain}` });
  }
  return all;
}

/** Why a stored CA, chain and key cannot be served as they are; undefined when they can. */
function unfitness(stored: { ca?: string; cert: string; key: string }, wanted: AltName[]): string | undefined {
  let leaf: X509Certificate;
  let ca: X509Certificate;
  try {
    leaf = new X509Certificate(stored.cert);
    if (leaf.ca) return 'it was a CA certificate (CA:TRUE) served as the server\'s own, which rustls clients refuse';
    if (stored.ca === undefined) return 'its CA certificate (ca.pem) is missing';
    ca = new X509Certificate(stored.ca);
    if (!leaf.checkPrivateKey(createPrivateKey(stored.key))) return 'its key does not match it';
  } catch (err) {
    return `it could not be read (${(err as Error).message})`;
  }
  if (!ca.ca || !leaf.verify(ca.publicKey)) return 'it was not signed by the CA in ca.pem';
  if (Date.parse(leaf.validTo) - Date.now() < RENEW_BEFORE_DAYS * DAY) return `it ends on ${leaf.validTo}`;
  // Node lists DNS names as written (`DNS:*.example.test`); IPv6 addresses are compared by checkIP.
  const dnsNames = new Set((leaf.subjectAltName ?? '').split(', ').filter((entry) => entry.startsWith('DNS:')).map((entry) => entry.slice(4)));
  const missing = wanted.find((name) => (name.type === 'ip' ? leaf.checkIP(name.value) === undefined : !dnsNames.has(name.value)));
  if (missing) return `it did not cover ${missing.value}`;
  return undefined;
}

/**
 * A new CA (ECDSA P-256, kept only as its certificate) and a leaf it signed (SHA-256) for
 * `altNames`, with an RSA 2048 key: the key usages digitalSignature and keyEncipherment are the
 * RSA server profile (RFC 5480 §3 allows no keyEncipherment on an EC key), and RSA is the key every
 * TLS client takes.
 */
async function generateChain(altNames: AltName[]): Promise<{ cert: string; key: string; ca: string }> {
  // Loaded only when a certificate must be made: the ASN.1 stack is slow to load.
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as Crypto);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const caKeys = await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify']);
  const leafKeys = await webcrypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  );
  // An hour back: a client whose clock lags a little must not see a certificate from the future.
  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = new Date(notBefore.getTime() + VALIDITY_DAYS * DAY);
  // Positive (first bit clear), 16 random bytes: RFC 5280 §4.1.2.2.
  const serialNumber = () => {
    const bytes = randomBytes(16);
    bytes[0] &= 0x7f;
    return bytes.toString('hex');
  };
  const caName = `CN=smll-storage local CA ${randomBytes(4).toString('hex')}, O=smll-storage`;

  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: caName,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    keys: caKeys,
    extensions: [
      // It signs the leaf only (path length 0); critical, as RFC 5280 §4.2.1.9 requires of a CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      // OpenSSL's strict verification (Python 3.13's default context) requires both identifiers.
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafCert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: 'CN=smll-storage local emulator, O=smll-storage',
    issuer: caCert.subject,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(altNames),
      await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const ca = caCert.toString('pem') + '\n';
  const key = KeyObject.from(leafKeys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { cert: leafCert.toString('pem') + '\n' + ca, key, ca };
}

/** An https server for `tls` with the http `options`; a certificate or key that is not usable PEM is an error that says so. */
export function createTlsServer(tls: { cert: string; key: string }, options: ServerOptions, listener: RequestListener): Server {
  try {
    return createServer({ ...options, cert: tls.cert, key: tls.key }, listener);
  } catch (err) {
    throw new Error(`the TLS certificate or key is not usable (PEM certificate and matching private key expected): ${(err as Error).message}`);
  }
}
