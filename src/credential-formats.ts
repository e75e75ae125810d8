/**
 * A bucket's credentials in the shapes `smll-storage credentials -f …` prints, and the console's
 * Credentials tab copies (the same functions): shell exports, a .env, JSON, a Kubernetes Secret,
 * an AWS profile, the AWS SDKs' own variables.
 */
import { envOfCredentials, type BucketCredentials } from './bucket-credentials.cjs';

export const CREDENTIAL_FORMATS = ['env', 'dotenv', 'json', 'k8s', 'aws', 'aws-env'] as const;
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

/**
 * A named profile for the AWS CLI and SDKs, in the two shared files they read
 * (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html): the keys for
 * `~/.aws/credentials` (`[NAME]`), the region and `endpoint_url` for `~/.aws/config`
 * (`[profile NAME]`; `endpoint_url` is read by the AWS CLI v2.13+, boto3 1.28+ and the JS, Go and
 * Java SDKs of mid-2023 on), and path-style addressing, which the emulator's `127.0.0.1` endpoint
 * needs (the JS SDK does not read it: give it `forcePathStyle: true`).
 */
export function awsProfile(profile: string, credentials: BucketCredentials): string {
  return [
    '# ~/.aws/credentials',
    `[${profile}]`,
    `aws_access_key_id = ${credentials.ACCESS_KEY}`,
    `aws_secret_access_key = ${credentials.SECRET_KEY}`,
    '',
    '# ~/.aws/config',
    `[profile ${profile}]`,
    `region = ${credentials.REGION}`,
    `endpoint_url = ${credentials.ENDPOINT}`,
    's3 =',
    '  addressing_style = path',
    '',
    `# then: aws --profile ${profile} s3 ls s3://BUCKET, or AWS_PROFILE=${profile}`,
    '',
  ].join('\n');
}

/**
 * The AWS SDKs' and CLI's own variables: keys, region (`AWS_REGION` for the JS, Go and Java
 * SDKs, `AWS_DEFAULT_REGION` for the AWS CLI and boto3) and `AWS_ENDPOINT_URL` (the
 * service-independent endpoint, read by the same versions as `endpoint_url` in a profile).
 */
export function awsVariables(credentials: BucketCredentials): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: credentials.SECRET_KEY,
    AWS_REGION: credentials.REGION,
    AWS_DEFAULT_REGION: credentials.REGION,
    AWS_ENDPOINT_URL: credentials.ENDPOINT,
  };
}

/** A Kubernetes `v1/Secret` manifest with the keys SMLL's bucket secret has, base64 in `data`. */
export function kubernetesSecret(name: string, credentials: BucketCredentials): string {
  const data = (['ACCESS_KEY', 'SECRET_KEY', 'ENDPOINT', 'REGION'] as const)
    .map((key) => `  ${key}: ${Buffer.from(credentials[key], 'utf8').toString('base64')}\n`)
    .join('');
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\ntype: Opaque\ndata:\n${data}`;
}

/** `name`: the k8s Secret's or the aws profile's (checked by the caller); default `BUCKET-credentials`, `BUCKET`. */
export function formatCredentials(bucket: string, credentials: BucketCredentials, format: CredentialFormat, name?: string): string {
  switch (format) {
    case 'env':
      return shellExports({ ...envOfCredentials(credentials) });
    case 'dotenv':
      return dotenv({ ...envOfCredentials(credentials) });
    case 'json':
      return `${JSON.stringify(credentials, null, 2)}\n`;
    case 'k8s':
      return kubernetesSecret(name ?? `${bucket}-credentials`, credentials);
    case 'aws':
      return awsProfile(name ?? bucket, credentials);
    case 'aws-env':
      return shellExports(awsVariables(credentials));
  }
}
