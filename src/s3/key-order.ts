/**
 * S3 lists keys in UTF-8 binary order
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html: "returned in UTF-8
 * binary order"), which JavaScript's `<` on strings (UTF-16 code units) does not give for keys
 * beyond the Basic Multilingual Plane.
 */

/** Compares as UTF-8 bytes (S3's key order), unlike `<` on JS strings (UTF-16 code units). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
