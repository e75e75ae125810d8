import { resolve } from 'node:path';
import { formatCredentials, type CredentialFormat } from './credential-formats.js';
import { readBucketCredentials } from './credentials-file.js';

export interface CredentialsFlags {
  /** Checked by commander against CREDENTIAL_FORMATS. */
  format: CredentialFormat;
  dataDir: string;
  name?: string;
}

/** `smll-storage credentials BUCKET`: prints the bucket's credentials as serve persisted them. */
export function printCredentials(bucket: string, flags: CredentialsFlags): void {
  const credentials = readBucketCredentials(resolve(flags.dataDir), bucket);
  process.stdout.write(formatCredentials(bucket, credentials, flags.format, flags.name));
}
