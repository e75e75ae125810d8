/** S3's limits, in one place. */
export const MAX_KEY_BYTES = 1024;
/** S3's limit for one PUT's payload (PutObject, a part, a copy source): 5 GiB. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;
