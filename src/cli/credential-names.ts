import { InvalidArgumentError } from 'commander';

/** `--name` with `-f k8s`: a Kubernetes object name (a DNS subdomain: lower-case letters, digits, `-` and `.`, at most 253). */
export function checkSecretName(value: string): string {
  if (value.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)) {
    throw new InvalidArgumentError(`--name "${value}": a Secret name is at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit`);
  }
  return value;
}

/** `--name` with `-f aws`: a profile name the shared config files can hold in `[…]` (no brackets, spaces, `#` or `;`). */
export function checkProfileName(value: string): string {
  if (!/^[A-Za-z0-9_.@+-]{1,64}$/.test(value)) {
    throw new InvalidArgumentError(`--name "${value}": a profile name is 1 to 64 letters, digits, "_", ".", "@", "+" and "-"`);
  }
  return value;
}
