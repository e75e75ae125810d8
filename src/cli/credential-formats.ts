import { InvalidArgumentError } from 'commander';
import { envOfCredentials, type BucketCredentials } from '../bucket-credentials.cjs';

export const CREDENTIAL_FORMATS = ['env', 'dotenv', 'json', 'k8s'] as const;
export type CredentialFormat = (typeof CREDENTIAL_FORMATS)[number];

/** A value as-is when it is plain, else single-quoted (valid for POSIX shells and dotenv parsers). */
export function quoted(value: string): string {
  if (/^[A-Za-z0-9_./:+=@%-]*$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `export NAME=value` lines (for `eval` or `source`). */
export function shellExports(variables: Record<string, string>): string {
  return Object.entries(variables)
    .map(([name, value]) => `export ${name}=${quoted(value)}\n`)
    .join('');
}

/** `NAME=value` lines: a `.env` file. */
export function dotenv(variables: Record<string, string>): string {
  return Object.entries(variables)
    .map(([name, value]) => `${name}=${quoted(value)}\n`)
    .join('');
}

/** `--name`: a Kubernetes object name (a DNS subdomain: lower-case letters, digits, `-` and `.`, at most 253). */
export function parseSecretName(value: string): string {
  if (value.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)) {
    throw new InvalidArgumentError('a Secret name is at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit');
  }
  return value;
}

/** A Kubernetes `v1/Secret` manifest with the keys SMLL's bucket secret has, base64 in `data`. */
export function kubernetesSecret(name: string, credentials: BucketCredentials): string {
  const data = (['ACCESS_KEY', 'SECRET_KEY', 'ENDPOINT', 'REGION'] as const)
    .map((key) => `  ${key}: ${Buffer.from(credentials[key], 'utf8').toString('base64')}\n`)
    .join('');
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\ntype: Opaque\ndata:\n${data}`;
}

export function formatCredentials(bucket: string, credentials: BucketCredentials, format: CredentialFormat, secretName?: string): string {
  switch (format) {
    case 'env':
      return shellExports({ ...envOfCredentials(credentials) });
    case 'dotenv':
      return dotenv({ ...envOfCredentials(credentials) });
    case 'json':
      return `${JSON.stringify(credentials, null, 2)}\n`;
    case 'k8s':
      return kubernetesSecret(secretName ?? `${bucket}-credentials`, credentials);
  }
}
