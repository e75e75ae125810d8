import { createHash } from 'node:crypto';
import { S3Error } from '../s3/s3-error.js';
import { isoTimestamp } from '../s3/timestamp.js';
import { XmlContent, textElement, xmlElement, type XmlTree } from '../s3/xml.js';
import type { ListedObject, ListPage } from '../store/types.js';

const MAX_KEYS_LIMIT = 1000;
/** The range of the Java int S3 parses max-keys into. */
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** The query parameters ListObjects, ListObjectsV2 and ListMultipartUploads share (the store's `ListQuery` is what a listing asks the store). */
export interface ListParameters {
  prefix?: string;
  delimiter?: string;
  maxKeys: number;
  urlEncoded: boolean;
}

/**
 * The shared query parameters of the listings. `max-keys`: absent or empty → 1000; above
 * 1000 → 1000 (a page never holds more); a negative integer → InvalidArgument naming `maxKeys`;
 * anything that is not an integer within Java's int range → InvalidArgument naming `max-keys`,
 * with S3's messages for each (recorded from Amazon S3 for ListObjects in jchristn/S3Server's
 * CompatibilityScenarios.cs; ListObjectsV2, which shares the parameter, answers alike here).
 * `encoding-type`: `url` or absent, else InvalidArgument
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
 */
export function parseListParameters(query: URLSearchParams): ListParameters {
  const rawMaxKeys = query.get('max-keys') || null;
  let maxKeys = MAX_KEYS_LIMIT;
  if (rawMaxKeys !== null) {
    maxKeys = Number(rawMaxKeys);
    if (!/^-?\d+$/.test(rawMaxKeys.trim()) || maxKeys < INT_MIN || maxKeys > INT_MAX) {
      throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', {
        ArgumentName: 'max-keys',
        ArgumentValue: rawMaxKeys,
      });
    }
    if (maxKeys < 0) {
      throw new S3Error('InvalidArgument', `Argument maxKeys must be an integer between 0 and ${INT_MAX}`, {
        ArgumentName: 'maxKeys',
        ArgumentValue: rawMaxKeys,
      });
    }
    maxKeys = Math.min(maxKeys, MAX_KEYS_LIMIT);
  }
  const encodingType = query.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', {
      ArgumentName: 'encoding-type',
      ArgumentValue: encodingType,
    });
  }
  return {
    prefix: query.get('prefix') || undefined,
    delimiter: query.get('delimiter') || undefined,
    maxKeys,
    urlEncoded: encodingType === 'url',
  };
}

/**
 * S3's `encoding-type=url`: query-string escaping (space → `+`, `+` → `%2B`) that leaves `/`
 * and `*` alone and escapes `~`, as S3 answers and as boto3's unquote_plus expects.
 */
export function s3UrlEncode(value: string): string {
  // What most keys are made of, which the escaping leaves as it is: one test instead of four passes.
  if (/^[A-Za-z0-9\-_.*/]*$/.test(value)) return value;
  return encodeURIComponent(value)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function encoderFor(list: ListParameters): (value: string | undefined) => string | undefined {
  return (value) => (value === undefined || !list.urlEncoded ? value : s3UrlEncode(value));
}

/** The canonical user id S3 shows as Owner: stable per bucket, 64 hex digits. */
export function ownerOf(bucket: string): XmlTree {
  return { ID: createHash('sha256').update(`smll-storage:${bucket}`).digest('hex'), DisplayName: bucket };
}

export function contentsOf(
  page: ListPage,
  encode: (value: string | undefined) => string | undefined,
  owner: XmlTree | undefined,
): { Contents: XmlContent[]; CommonPrefixes: XmlTree[] } {
  const contents: XmlContent[] = [];
  const prefixes: XmlTree[] = [];
  // Rendered once for every key of the page.
  const ownerElement = owner === undefined ? '' : xmlElement('Owner', owner);
  for (const entry of page.entries) {
    if (entry.kind === 'prefix') {
      prefixes.push({ Prefix: encode(entry.prefix) });
    } else {
      contents.push(objectEntry(entry.record, encode, ownerElement));
    }
  }
  return { Contents: contents, CommonPrefixes: prefixes };
}

/** One key's Contents, its elements in S3's order (a tree of them was 30% of a listing page's CPU). */
function objectEntry(record: ListedObject, encode: (value: string | undefined) => string | undefined, ownerElement: string): XmlContent {
  // A timestamp and a number need no escaping and are never empty: written as they are.
  return new XmlContent(
    `${textElement('Key', encode(record.key))}<LastModified>${isoTimestamp(record.lastModified)}</LastModified>${textElement('ETag', record.etag)}` +
      `${textElement('ChecksumAlgorithm', record.checksum?.algorithm)}${textElement('ChecksumType', record.checksum?.type)}<Size>${record.size}</Size>` +
      `${ownerElement}<StorageClass>STANDARD</StorageClass>`,
  );
}
