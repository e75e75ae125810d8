import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { formatCredentials, type CredentialFormat } from '../credential-formats.js';
import { checkProfileName, checkSecretName } from './credential-names.js';
import { readBucketCredentials } from './credentials-file.js';

export interface CredentialsFlags {
  /** Checked by commander against CREDENTIAL_FORMATS. */
  format: CredentialFormat;
  dataDir: string;
  name?: string;
}

/**
 * `smll-storage credentials [BUCKET]`: prints a bucket's credentials as serve persisted them (the
 * only bucket when none is named). `--name` names what only the k8s and aws formats have (a
 * Secret, a profile): refused with the others rather than ignored.
 */
export function printCredentials(bucket: string | undefined, flags: CredentialsFlags): void {
  if (flags.name !== undefined) {
    if (flags.format === 'k8s') checkSecretName(flags.name);
    else if (flags.format === 'aws') checkProfileName(flags.name);
    else throw new InvalidArgumentError(`--name names the Secret of -f k8s or the profile of -f aws; -f ${flags.format} has nothing to name`);
  }
  const { bucket: name, credentials } = readBucketCredentials(resolve(flags.dataDir), bucket);
  process.stdout.write(formatCredentials(name, credentials, flags.format, flags.name));
}
