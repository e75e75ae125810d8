import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_CHECKSUM_ALGORITHM } from '../auth/checksums.js';
import type { ExtraAction, SourceAccess } from '../auth/policy.js';
import type { IamAction } from '../s3/iam-actions.js';
import type { BucketRequest, FormRequest, ObjectRequest, OperationHandler, OperationSpec, Target } from './types.js';
import { GetObject } from './get-object.js';
import { HeadObject } from './head-object.js';
import { PutObject } from './put-object.js';
import { DeleteObject } from './delete-object.js';
import { ListObjects } from './list-objects.js';
import { ListObjectsV2 } from './list-objects-v2.js';
import { HeadBucket } from './head-bucket.js';
import { GetBucketLocation } from './get-bucket-location.js';

/** The five IAM actions a SMLL bucket credential holds. */
export const SMLL_GRANTED_ACTIONS: readonly IamAction[] = [
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:ListBucket',
  's3:GetBucketLocation',
];

/** The headers on a write that need an action beyond s3:PutObject, as IAM evaluates them, in the order they are checked. */
const WRITE_HEADER_ACTIONS: ReadonlyArray<readonly [IamAction, (header: string) => boolean]> = [
  ['s3:PutObjectAcl', (header) => header === 'x-amz-acl' || header.startsWith('x-amz-grant-')],
  ['s3:PutObjectTagging', (header) => header === 'x-amz-tagging'],
  ['s3:PutObjectRetention', (header) => header === 'x-amz-object-lock-mode' || header === 'x-amz-object-lock-retain-until-date'],
  ['s3:PutObjectLegalHold', (header) => header === 'x-amz-object-lock-legal-hold'],
];

/** The further actions a write's headers ask for, each with the headers that ask for it. */
function writeExtraActions(headers: IncomingHttpHeaders): ExtraAction[] {
  const names = Object.keys(headers);
  return WRITE_HEADER_ACTIONS.map(([action, asks]) => ({ action, headers: names.filter(asks) })).filter((extra) => extra.headers.length > 0);
}

/**
 * The object a copy reads (`x-amz-copy-source`): s3:GetObject, or s3:GetObjectVersion when it
 * names a version. https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
const COPY_SOURCE: SourceAccess = { header: 'x-amz-copy-source', action: 's3:GetObject', versionAction: 's3:GetObjectVersion' };

/**
 * A handler whose module is imported by its first request: multipart, copies, POST uploads and
 * batch deletes, which most runs never see, stay out of start-up (about 15 ms of the CLI's
 * module loading on Node 20, measured by importing the table with and without them).
 */
function loadedOnUse<Request extends BucketRequest>(load: () => Promise<OperationHandler<Request>>): OperationHandler<Request> {
  let handler: OperationHandler<Request> | undefined;
  return async (op) => (handler ??= await load())(op);
}

// The helpers keep each row's target a literal, so that the table's type (OperationSpec) checks
// every handler against the request its row makes.
type Method = OperationSpec['method'];
const bucketSub = (method: Method, subresource: string, name: string, action: IamAction) => ({
  name, action, method, target: 'bucket' as const, subresource,
});
const objectSub = (method: Method, subresource: string, name: string, action: IamAction) => ({
  name, action, method, target: 'object' as const, subresource,
});
const row = <T extends Target, Spec extends { name: string; action: IamAction }>(method: Method, target: T, spec: Spec) => ({
  method, target, ...spec,
});

/**
 * Every S3 operation the emulator recognises: how it is addressed, the IAM action it needs,
 * and its handler. Routing, authorization, the refusal test and the README table read this.
 * Rows without a handler are operations SMLL's credentials never grant.
 */
export const OPERATIONS: readonly OperationSpec[] = [
  // service
  row('GET', 'service', { name: 'ListBuckets', action: 's3:ListAllMyBuckets' }),

  // bucket: granted
  row('GET', 'bucket', { name: 'ListObjectsV2', action: 's3:ListBucket', queryValue: ['list-type', '2'], handler: ListObjectsV2 }),
  row('GET', 'bucket', { name: 'ListObjects', action: 's3:ListBucket', handler: ListObjects }),
  row('HEAD', 'bucket', { name: 'HeadBucket', action: 's3:ListBucket', handler: HeadBucket }),
  { ...bucketSub('GET', 'location', 'GetBucketLocation', 's3:GetBucketLocation'), handler: GetBucketLocation },
  row('POST', 'bucket', { name: 'PostObject', action: 's3:PutObject', authenticatesFromForm: true, extraActions: writeExtraActions, handler: loadedOnUse<FormRequest>(async () => (await import('./post-object.js')).PostObject) }),
  { ...bucketSub('POST', 'delete', 'DeleteObjects', 's3:DeleteObject'), readsBody: true, handler: loadedOnUse(async () => (await import('./delete-objects.js')).DeleteObjects) },

  // bucket: refused
  row('PUT', 'bucket', { name: 'CreateBucket', action: 's3:CreateBucket' }),
  row('DELETE', 'bucket', { name: 'DeleteBucket', action: 's3:DeleteBucket' }),
  bucketSub('GET', 'versions', 'ListObjectVersions', 's3:ListBucketVersions'),
  { ...bucketSub('GET', 'uploads', 'ListMultipartUploads', 's3:ListBucketMultipartUploads'), handler: loadedOnUse(async () => (await import('./list-multipart-uploads.js')).ListMultipartUploads) },
  bucketSub('GET', 'acl', 'GetBucketAcl', 's3:GetBucketAcl'),
  bucketSub('PUT', 'acl', 'PutBucketAcl', 's3:PutBucketAcl'),
  bucketSub('GET', 'cors', 'GetBucketCors', 's3:GetBucketCORS'),
  bucketSub('PUT', 'cors', 'PutBucketCors', 's3:PutBucketCORS'),
  bucketSub('DELETE', 'cors', 'DeleteBucketCors', 's3:PutBucketCORS'),
  bucketSub('GET', 'policy', 'GetBucketPolicy', 's3:GetBucketPolicy'),
  bucketSub('PUT', 'policy', 'PutBucketPolicy', 's3:PutBucketPolicy'),
  bucketSub('DELETE', 'policy', 'DeleteBucketPolicy', 's3:DeleteBucketPolicy'),
  bucketSub('GET', 'policyStatus', 'GetBucketPolicyStatus', 's3:GetBucketPolicyStatus'),
  bucketSub('GET', 'versioning', 'GetBucketVersioning', 's3:GetBucketVersioning'),
  bucketSub('PUT', 'versioning', 'PutBucketVersioning', 's3:PutBucketVersioning'),
  bucketSub('GET', 'lifecycle', 'GetBucketLifecycleConfiguration', 's3:GetLifecycleConfiguration'),
  bucketSub('PUT', 'lifecycle', 'PutBucketLifecycleConfiguration', 's3:PutLifecycleConfiguration'),
  bucketSub('DELETE', 'lifecycle', 'DeleteBucketLifecycle', 's3:PutLifecycleConfiguration'),
  bucketSub('GET', 'tagging', 'GetBucketTagging', 's3:GetBucketTagging'),
  bucketSub('PUT', 'tagging', 'PutBucketTagging', 's3:PutBucketTagging'),
  bucketSub('DELETE', 'tagging', 'DeleteBucketTagging', 's3:PutBucketTagging'),
  bucketSub('GET', 'website', 'GetBucketWebsite', 's3:GetBucketWebsite'),
  bucketSub('PUT', 'website', 'PutBucketWebsite', 's3:PutBucketWebsite'),
  bucketSub('DELETE', 'website', 'DeleteBucketWebsite', 's3:DeleteBucketWebsite'),
  bucketSub('GET', 'logging', 'GetBucketLogging', 's3:GetBucketLogging'),
  bucketSub('PUT', 'logging', 'PutBucketLogging', 's3:PutBucketLogging'),
  bucketSub('GET', 'notification', 'GetBucketNotificationConfiguration', 's3:GetBucketNotification'),
  bucketSub('PUT', 'notification', 'PutBucketNotificationConfiguration', 's3:PutBucketNotification'),
  bucketSub('GET', 'replication', 'GetBucketReplication', 's3:GetReplicationConfiguration'),
  bucketSub('PUT', 'replication', 'PutBucketReplication', 's3:PutReplicationConfiguration'),
  bucketSub('DELETE', 'replication', 'DeleteBucketReplication', 's3:PutReplicationConfiguration'),
  bucketSub('GET', 'encryption', 'GetBucketEncryption', 's3:GetEncryptionConfiguration'),
  bucketSub('PUT', 'encryption', 'PutBucketEncryption', 's3:PutEncryptionConfiguration'),
  bucketSub('DELETE', 'encryption', 'DeleteBucketEncryption', 's3:PutEncryptionConfiguration'),
  bucketSub('GET', 'object-lock', 'GetObjectLockConfiguration', 's3:GetBucketObjectLockConfiguration'),
  bucketSub('PUT', 'object-lock', 'PutObjectLockConfiguration', 's3:PutBucketObjectLockConfiguration'),
  bucketSub('GET', 'publicAccessBlock', 'GetPublicAccessBlock', 's3:GetBucketPublicAccessBlock'),
  bucketSub('PUT', 'publicAccessBlock', 'PutPublicAccessBlock', 's3:PutBucketPublicAccessBlock'),
  bucketSub('DELETE', 'publicAccessBlock', 'DeletePublicAccessBlock', 's3:PutBucketPublicAccessBlock'),
  bucketSub('GET', 'ownershipControls', 'GetBucketOwnershipControls', 's3:GetBucketOwnershipControls'),
  bucketSub('PUT', 'ownershipControls', 'PutBucketOwnershipControls', 's3:PutBucketOwnershipControls'),
  bucketSub('DELETE', 'ownershipControls', 'DeleteBucketOwnershipControls', 's3:PutBucketOwnershipControls'),
  bucketSub('GET', 'accelerate', 'GetBucketAccelerateConfiguration', 's3:GetAccelerateConfiguration'),
  bucketSub('PUT', 'accelerate', 'PutBucketAccelerateConfiguration', 's3:PutAccelerateConfiguration'),
  bucketSub('GET', 'requestPayment', 'GetBucketRequestPayment', 's3:GetBucketRequestPayment'),
  bucketSub('PUT', 'requestPayment', 'PutBucketRequestPayment', 's3:PutBucketRequestPayment'),
  bucketSub('GET', 'analytics', 'GetBucketAnalyticsConfiguration', 's3:GetAnalyticsConfiguration'),
  bucketSub('PUT', 'analytics', 'PutBucketAnalyticsConfiguration', 's3:PutAnalyticsConfiguration'),
  bucketSub('DELETE', 'analytics', 'DeleteBucketAnalyticsConfiguration', 's3:PutAnalyticsConfiguration'),
  bucketSub('GET', 'inventory', 'GetBucketInventoryConfiguration', 's3:GetInventoryConfiguration'),
  bucketSub('PUT', 'inventory', 'PutBucketInventoryConfiguration', 's3:PutInventoryConfiguration'),
  bucketSub('DELETE', 'inventory', 'DeleteBucketInventoryConfiguration', 's3:PutInventoryConfiguration'),
  bucketSub('GET', 'metrics', 'GetBucketMetricsConfiguration', 's3:GetMetricsConfiguration'),
  bucketSub('PUT', 'metrics', 'PutBucketMetricsConfiguration', 's3:PutMetricsConfiguration'),
  bucketSub('DELETE', 'metrics', 'DeleteBucketMetricsConfiguration', 's3:PutMetricsConfiguration'),
  bucketSub('GET', 'intelligent-tiering', 'GetBucketIntelligentTieringConfiguration', 's3:GetIntelligentTieringConfiguration'),
  bucketSub('PUT', 'intelligent-tiering', 'PutBucketIntelligentTieringConfiguration', 's3:PutIntelligentTieringConfiguration'),
  bucketSub('DELETE', 'intelligent-tiering', 'DeleteBucketIntelligentTieringConfiguration', 's3:PutIntelligentTieringConfiguration'),

  // object: granted
  row('GET', 'object', { name: 'GetObject', action: 's3:GetObject', handler: GetObject }),
  row('HEAD', 'object', { name: 'HeadObject', action: 's3:GetObject', handler: HeadObject }),
  row('PUT', 'object', { name: 'PutObject', action: 's3:PutObject', extraActions: writeExtraActions, readsBody: true, lengthRequired: true, defaultChecksum: DEFAULT_CHECKSUM_ALGORITHM, handler: PutObject }),
  row('DELETE', 'object', { name: 'DeleteObject', action: 's3:DeleteObject', handler: DeleteObject }),
  row('PUT', 'object', { name: 'CopyObject', action: 's3:PutObject', header: 'x-amz-copy-source', source: COPY_SOURCE, extraActions: writeExtraActions, handler: loadedOnUse<ObjectRequest>(async () => (await import('./copy-object.js')).CopyObject) }),
  { ...objectSub('POST', 'uploads', 'CreateMultipartUpload', 's3:PutObject'), extraActions: writeExtraActions, handler: loadedOnUse(async () => (await import('./create-multipart-upload.js')).CreateMultipartUpload) },
  { ...objectSub('PUT', 'uploadId', 'UploadPartCopy', 's3:PutObject'), header: 'x-amz-copy-source', source: COPY_SOURCE, handler: loadedOnUse(async () => (await import('./upload-part-copy.js')).UploadPartCopy) },
  { ...objectSub('PUT', 'uploadId', 'UploadPart', 's3:PutObject'), readsBody: true, lengthRequired: true, handler: loadedOnUse(async () => (await import('./upload-part.js')).UploadPart) },
  {
    ...objectSub('POST', 'uploadId', 'CompleteMultipartUpload', 's3:PutObject'),
    readsBody: true,
    checksumHeaders: 'object',
    handler: loadedOnUse(async () => (await import('./complete-multipart-upload.js')).CompleteMultipartUpload),
  },
  {
    ...objectSub('POST', 'select', 'SelectObjectContent', 's3:GetObject'),
    unimplementedReason: 'S3 Select is closed to new AWS customers since 2024',
  },
  { ...objectSub('GET', 'torrent', 'GetObjectTorrent', 's3:GetObject'), unimplementedReason: 'BitTorrent is no longer offered by S3' },

  // object: refused
  // refused unless the bucket is granted the action (`--allow`); then served
  { ...objectSub('DELETE', 'uploadId', 'AbortMultipartUpload', 's3:AbortMultipartUpload'), handler: loadedOnUse(async () => (await import('./abort-multipart-upload.js')).AbortMultipartUpload) },
  { ...objectSub('GET', 'uploadId', 'ListParts', 's3:ListMultipartUploadParts'), handler: loadedOnUse(async () => (await import('./list-parts.js')).ListParts) },
  objectSub('GET', 'versionId', 'GetObject (versionId)', 's3:GetObjectVersion'),
  objectSub('HEAD', 'versionId', 'HeadObject (versionId)', 's3:GetObjectVersion'),
  objectSub('DELETE', 'versionId', 'DeleteObject (versionId)', 's3:DeleteObjectVersion'),
  objectSub('GET', 'acl', 'GetObjectAcl', 's3:GetObjectAcl'),
  objectSub('PUT', 'acl', 'PutObjectAcl', 's3:PutObjectAcl'),
  objectSub('GET', 'tagging', 'GetObjectTagging', 's3:GetObjectTagging'),
  objectSub('PUT', 'tagging', 'PutObjectTagging', 's3:PutObjectTagging'),
  objectSub('DELETE', 'tagging', 'DeleteObjectTagging', 's3:DeleteObjectTagging'),
  objectSub('GET', 'attributes', 'GetObjectAttributes', 's3:GetObjectAttributes'),
  objectSub('GET', 'retention', 'GetObjectRetention', 's3:GetObjectRetention'),
  objectSub('PUT', 'retention', 'PutObjectRetention', 's3:PutObjectRetention'),
  objectSub('GET', 'legal-hold', 'GetObjectLegalHold', 's3:GetObjectLegalHold'),
  objectSub('PUT', 'legal-hold', 'PutObjectLegalHold', 's3:PutObjectLegalHold'),
  objectSub('POST', 'restore', 'RestoreObject', 's3:RestoreObject'),
];
