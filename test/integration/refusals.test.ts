/**
 * The refusal table as data: every row of OPERATIONS is walked with a real SDK call (or, for the
 * browser form upload, the SDK's presigned POST sent by fetch), and the outcome is the one the
 * table and the bucket's granted actions predict:
 *  - an action missing from the grants → 403 AccessDenied whose message names that action
 *    (HEAD responses carry no body: there only the status and code can be checked);
 *  - all actions granted and a handler on the row → 2xx;
 *  - all actions granted, no handler → 501 NotImplemented.
 * Each request is also checked to have been routed to the row it is meant to exercise (from the
 * emulator's request log), so a case cannot pass by hitting a neighbouring row.
 */
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketAnalyticsConfigurationCommand,
  DeleteBucketCommand,
  DeleteBucketCorsCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketIntelligentTieringConfigurationCommand,
  DeleteBucketInventoryConfigurationCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketMetricsConfigurationCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketReplicationCommand,
  DeleteBucketTaggingCommand,
  DeleteBucketWebsiteCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  DeleteObjectsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAccelerateConfigurationCommand,
  GetBucketAclCommand,
  GetBucketAnalyticsConfigurationCommand,
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketIntelligentTieringConfigurationCommand,
  GetBucketInventoryConfigurationCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketMetricsConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketReplicationCommand,
  GetBucketRequestPaymentCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  GetObjectTaggingCommand,
  GetObjectTorrentCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketAccelerateConfigurationCommand,
  PutBucketAclCommand,
  PutBucketAnalyticsConfigurationCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketIntelligentTieringConfigurationCommand,
  PutBucketInventoryConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketMetricsConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketReplicationCommand,
  PutBucketRequestPaymentCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutBucketWebsiteCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  RestoreObjectCommand,
  SelectObjectContentCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS, SMLL_GRANTED_ACTIONS, type OperationSpec } from '../../src/index.js';
import type { BucketEnv, Emulator } from '../../src/index.js';
import { clientFor } from '../helpers.js';
import { startEmulator } from '../../src/index.js';
import { startCli } from '../cli-process.js';

const Bucket = 'test-bucket';
const Key = 'walk/object.txt';
const Body = 'refusal walk';

interface Outcome {
  status: number;
  code?: string;
  message?: string;
  /** The request's line in the request log. */
  logLine?: string;
}

interface Walk {
  s3: S3Client;
  /** An upload id to address: a real one when CreateMultipartUpload is served, else a made-up one. */
  uploadId(key: string): Promise<string>;
}

type Request = (walk: Walk) => Promise<{ $metadata: { httpStatusCode?: number } } | Outcome>;

/** Status, and Code and Message of an XML error document, of a fetch response. */
async function outcomeOfResponse(res: Response): Promise<Outcome> {
  const text = await res.text();
  return { status: res.status, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1], message: /<Message>([^<]*)<\/Message>/.exec(text)?.[1] };
}

const hasHandler = (name: string) => OPERATIONS.find((spec) => spec.name === name)?.handler !== undefined;
const sourceOf = (key: string) => `${Bucket}/${key}`;

/** One request per operation table row, keyed by the row's name: a row added without a case fails the walk. */
const ROW_CASES: Record<string, Request> = {
  ListBuckets: ({ s3 }) => s3.send(new ListBucketsCommand({})),
  ListObjectsV2: ({ s3 }) => s3.send(new ListObjectsV2Command({ Bucket })),
  ListObjects: ({ s3 }) => s3.send(new ListObjectsCommand({ Bucket })),
  HeadBucket: ({ s3 }) => s3.send(new HeadBucketCommand({ Bucket })),
  GetBucketLocation: ({ s3 }) => s3.send(new GetBucketLocationCommand({ Bucket })),
  PostObject: async ({ s3 }) => {
    const { url, fields } = await createPresignedPost(s3, { Bucket, Key: 'walk/posted.txt' });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([Body]), 'posted.txt');
    return outcomeOfResponse(await fetch(url, { method: 'POST', body: form }));
  },
  DeleteObjects: ({ s3 }) => s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'walk/absent.txt' }] } })),
  CreateBucket: ({ s3 }) => s3.send(new CreateBucketCommand({ Bucket })),
  DeleteBucket: ({ s3 }) => s3.send(new DeleteBucketCommand({ Bucket })),
  ListObjectVersions: ({ s3 }) => s3.send(new ListObjectVersionsCommand({ Bucket })),
  ListMultipartUploads: ({ s3 }) => s3.send(new ListMultipartUploadsCommand({ Bucket })),
  GetBucketAcl: ({ s3 }) => s3.send(new GetBucketAclCommand({ Bucket })),
  PutBucketAcl: ({ s3 }) => s3.send(new PutBucketAclCommand({ Bucket, ACL: 'private' })),
  GetBucketCors: ({ s3 }) => s3.send(new GetBucketCorsCommand({ Bucket })),
  PutBucketCors: ({ s3 }) =>
    s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }] } })),
  DeleteBucketCors: ({ s3 }) => s3.send(new DeleteBucketCorsCommand({ Bucket })),
  GetBucketPolicy: ({ s3 }) => s3.send(new GetBucketPolicyCommand({ Bucket })),
  PutBucketPolicy: ({ s3 }) => s3.send(new PutBucketPolicyCommand({ Bucket, Policy: '{"Version":"2012-10-17","Statement":[]}' })),
  DeleteBucketPolicy: ({ s3 }) => s3.send(new DeleteBucketPolicyCommand({ Bucket })),
  GetBucketPolicyStatus: ({ s3 }) => s3.send(new GetBucketPolicyStatusCommand({ Bucket })),
  GetBucketVersioning: ({ s3 }) => s3.send(new GetBucketVersioningCommand({ Bucket })),
  PutBucketVersioning: ({ s3 }) => s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } })),
  GetBucketLifecycleConfiguration: ({ s3 }) => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })),
  PutBucketLifecycleConfiguration: ({ s3 }) =>
    s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket,
        LifecycleConfiguration: { Rules: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }] },
      }),
    ),
  DeleteBucketLifecycle: ({ s3 }) => s3.send(new DeleteBucketLifecycleCommand({ Bucket })),
  GetBucketTagging: ({ s3 }) => s3.send(new GetBucketTaggingCommand({ Bucket })),
  PutBucketTagging: ({ s3 }) => s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'team', Value: 'a' }] } })),
  DeleteBucketTagging: ({ s3 }) => s3.send(new DeleteBucketTaggingCommand({ Bucket })),
  GetBucketWebsite: ({ s3 }) => s3.send(new GetBucketWebsiteCommand({ Bucket })),
  PutBucketWebsite: ({ s3 }) =>
    s3.send(new PutBucketWebsiteCommand({ Bucket, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } })),
  DeleteBucketWebsite: ({ s3 }) => s3.send(new DeleteBucketWebsiteCommand({ Bucket })),
  GetBucketLogging: ({ s3 }) => s3.send(new GetBucketLoggingCommand({ Bucket })),
  PutBucketLogging: ({ s3 }) => s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: {} })),
  GetBucketNotificationConfiguration: ({ s3 }) => s3.send(new GetBucketNotificationConfigurationCommand({ Bucket })),
  PutBucketNotificationConfiguration: ({ s3 }) =>
    s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: {} })),
  GetBucketReplication: ({ s3 }) => s3.send(new GetBucketReplicationCommand({ Bucket })),
  PutBucketReplication: ({ s3 }) =>
    s3.send(
      new PutBucketReplicationCommand({
        Bucket,
        ReplicationConfiguration: {
          Role: 'arn:aws:iam::000000000000:role/replication',
          Rules: [{ Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::other-bucket' }, Prefix: '' }],
        },
      }),
    ),
  DeleteBucketReplication: ({ s3 }) => s3.send(new DeleteBucketReplicationCommand({ Bucket })),
  GetBucketEncryption: ({ s3 }) => s3.send(new GetBucketEncryptionCommand({ Bucket })),
  PutBucketEncryption: ({ s3 }) =>
    s3.send(
      new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      }),
    ),
  DeleteBucketEncryption: ({ s3 }) => s3.send(new DeleteBucketEncryptionCommand({ Bucket })),
  GetObjectLockConfiguration: ({ s3 }) => s3.send(new GetObjectLockConfigurationCommand({ Bucket })),
  PutObjectLockConfiguration: ({ s3 }) =>
    s3.send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } })),
  GetPublicAccessBlock: ({ s3 }) => s3.send(new GetPublicAccessBlockCommand({ Bucket })),
  PutPublicAccessBlock: ({ s3 }) =>
    s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true } })),
  DeletePublicAccessBlock: ({ s3 }) => s3.send(new DeletePublicAccessBlockCommand({ Bucket })),
  GetBucketOwnershipControls: ({ s3 }) => s3.send(new GetBucketOwnershipControlsCommand({ Bucket })),
  PutBucketOwnershipControls: ({ s3 }) =>
    s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } })),
  DeleteBucketOwnershipControls: ({ s3 }) => s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket })),
  GetBucketAccelerateConfiguration: ({ s3 }) => s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket })),
  PutBucketAccelerateConfiguration: ({ s3 }) =>
    s3.send(new PutBucketAccelerateConfigurationCommand({ Bucket, AccelerateConfiguration: { Status: 'Enabled' } })),
  GetBucketRequestPayment: ({ s3 }) => s3.send(new GetBucketRequestPaymentCommand({ Bucket })),
  PutBucketRequestPayment: ({ s3 }) =>
    s3.send(new PutBucketRequestPaymentCommand({ Bucket, RequestPaymentConfiguration: { Payer: 'Requester' } })),
  GetBucketAnalyticsConfiguration: ({ s3 }) => s3.send(new GetBucketAnalyticsConfigurationCommand({ Bucket, Id: 'a' })),
  PutBucketAnalyticsConfiguration: ({ s3 }) =>
    s3.send(new PutBucketAnalyticsConfigurationCommand({ Bucket, Id: 'a', AnalyticsConfiguration: { Id: 'a', StorageClassAnalysis: {} } })),
  DeleteBucketAnalyticsConfiguration: ({ s3 }) => s3.send(new DeleteBucketAnalyticsConfigurationCommand({ Bucket, Id: 'a' })),
  GetBucketInventoryConfiguration: ({ s3 }) => s3.send(new GetBucketInventoryConfigurationCommand({ Bucket, Id: 'i' })),
  PutBucketInventoryConfiguration: ({ s3 }) =>
    s3.send(
      new PutBucketInventoryConfigurationCommand({
        Bucket,
        Id: 'i',
        InventoryConfiguration: {
          Id: 'i',
          IsEnabled: true,
          IncludedObjectVersions: 'Current',
          Schedule: { Frequency: 'Daily' },
          Destination: { S3BucketDestination: { Bucket: 'arn:aws:s3:::other-bucket', Format: 'CSV' } },
        },
      }),
    ),
  DeleteBucketInventoryConfiguration: ({ s3 }) => s3.send(new DeleteBucketInventoryConfigurationCommand({ Bucket, Id: 'i' })),
  GetBucketMetricsConfiguration: ({ s3 }) => s3.send(new GetBucketMetricsConfigurationCommand({ Bucket, Id: 'm' })),
  PutBucketMetricsConfiguration: ({ s3 }) =>
    s3.send(new PutBucketMetricsConfigurationCommand({ Bucket, Id: 'm', MetricsConfiguration: { Id: 'm' } })),
  DeleteBucketMetricsConfiguration: ({ s3 }) => s3.send(new DeleteBucketMetricsConfigurationCommand({ Bucket, Id: 'm' })),
  GetBucketIntelligentTieringConfiguration: ({ s3 }) => s3.send(new GetBucketIntelligentTieringConfigurationCommand({ Bucket, Id: 't' })),
  PutBucketIntelligentTieringConfiguration: ({ s3 }) =>
    s3.send(
      new PutBucketIntelligentTieringConfigurationCommand({
        Bucket,
        Id: 't',
        IntelligentTieringConfiguration: { Id: 't', Status: 'Enabled', Tierings: [{ Days: 90, AccessTier: 'ARCHIVE_ACCESS' }] },
      }),
    ),
  DeleteBucketIntelligentTieringConfiguration: ({ s3 }) =>
    s3.send(new DeleteBucketIntelligentTieringConfigurationCommand({ Bucket, Id: 't' })),

  GetObject: ({ s3 }) => s3.send(new GetObjectCommand({ Bucket, Key })),
  HeadObject: ({ s3 }) => s3.send(new HeadObjectCommand({ Bucket, Key })),
  PutObject: ({ s3 }) => s3.send(new PutObjectCommand({ Bucket, Key: 'walk/put.txt', Body })),
  DeleteObject: ({ s3 }) => s3.send(new DeleteObjectCommand({ Bucket, Key: 'walk/absent.txt' })),
  CopyObject: ({ s3 }) => s3.send(new CopyObjectCommand({ Bucket, Key: 'walk/copy.txt', CopySource: sourceOf(Key) })),
  CreateMultipartUpload: ({ s3 }) => s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'walk/mpu.txt' })),
  UploadPartCopy: async ({ s3, uploadId }) =>
    s3.send(
      new UploadPartCopyCommand({ Bucket, Key: 'walk/mpu.txt', UploadId: await uploadId('walk/mpu.txt'), PartNumber: 1, CopySource: sourceOf(Key) }),
    ),
  UploadPart: async ({ s3, uploadId }) =>
    s3.send(new UploadPartCommand({ Bucket, Key: 'walk/mpu.txt', UploadId: await uploadId('walk/mpu.txt'), PartNumber: 1, Body })),
  CompleteMultipartUpload: async ({ s3, uploadId }) => {
    const UploadId = await uploadId('walk/mpu.txt');
    // With UploadPart served, complete a real one-part upload; otherwise name a part that cannot exist.
    const ETag = hasHandler('UploadPart')
      ? (await s3.send(new UploadPartCommand({ Bucket, Key: 'walk/mpu.txt', UploadId, PartNumber: 1, Body }))).ETag
      : `"${createHash('md5').update(Body).digest('hex')}"`;
    return s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key: 'walk/mpu.txt', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }),
    );
  },
  SelectObjectContent: ({ s3 }) =>
    s3.send(
      new SelectObjectContentCommand({
        Bucket,
        Key,
        Expression: 'select * from s3object',
        ExpressionType: 'SQL',
        InputSerialization: { CSV: {} },
        OutputSerialization: { CSV: {} },
      }),
    ),
  GetObjectTorrent: ({ s3 }) => s3.send(new GetObjectTorrentCommand({ Bucket, Key })),
  AbortMultipartUpload: async ({ s3, uploadId }) =>
    s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'walk/abort.txt', UploadId: await uploadId('walk/abort.txt') })),
  ListParts: async ({ s3, uploadId }) =>
    s3.send(new ListPartsCommand({ Bucket, Key: 'walk/parts.txt', UploadId: await uploadId('walk/parts.txt') })),
  'GetObject (versionId)': ({ s3 }) => s3.send(new GetObjectCommand({ Bucket, Key, VersionId: 'null' })),
  'HeadObject (versionId)': ({ s3 }) => s3.send(new HeadObjectCommand({ Bucket, Key, VersionId: 'null' })),
  'DeleteObject (versionId)': ({ s3 }) => s3.send(new DeleteObjectCommand({ Bucket, Key, VersionId: 'null' })),
  GetObjectAcl: ({ s3 }) => s3.send(new GetObjectAclCommand({ Bucket, Key })),
  PutObjectAcl: ({ s3 }) => s3.send(new PutObjectAclCommand({ Bucket, Key, ACL: 'private' })),
  GetObjectTagging: ({ s3 }) => s3.send(new GetObjectTaggingCommand({ Bucket, Key })),
  PutObjectTagging: ({ s3 }) => s3.send(new PutObjectTaggingCommand({ Bucket, Key, Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } })),
  DeleteObjectTagging: ({ s3 }) => s3.send(new DeleteObjectTaggingCommand({ Bucket, Key })),
  GetObjectAttributes: ({ s3 }) => s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes: ['ETag'] })),
  GetObjectRetention: ({ s3 }) => s3.send(new GetObjectRetentionCommand({ Bucket, Key })),
  PutObjectRetention: ({ s3 }) =>
    s3.send(new PutObjectRetentionCommand({ Bucket, Key, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 86_400_000) } })),
  GetObjectLegalHold: ({ s3 }) => s3.send(new GetObjectLegalHoldCommand({ Bucket, Key })),
  PutObjectLegalHold: ({ s3 }) => s3.send(new PutObjectLegalHoldCommand({ Bucket, Key, LegalHold: { Status: 'ON' } })),
  RestoreObject: ({ s3 }) => s3.send(new RestoreObjectCommand({ Bucket, Key, RestoreRequest: { Days: 1 } })),
};

const retainUntil = () => new Date(Date.now() + 86_400_000);

/**
 * Writes that carry what needs a further action than s3:PutObject: the row they resolve to, the
 * extra action IAM evaluates, and the sentence a refusal appends (to S3's message and to the log
 * line) naming what asked for that action, so that the user knows what to leave out.
 */
const EXTRA_ACTION_CASES: Array<{ name: string; row: string; action: string; asker: string; request: Request }> = [
  ...(['PutObject', 'CopyObject', 'CreateMultipartUpload'] as const).flatMap((row) => {
    const write = (extra: Record<string, unknown>): Request => ({ s3 }) => {
      const target = { Bucket, Key: `walk/${row}-extra.txt`, ...extra };
      if (row === 'PutObject') return s3.send(new PutObjectCommand({ ...target, Body }));
      if (row === 'CopyObject') return s3.send(new CopyObjectCommand({ ...target, CopySource: sourceOf(Key) }));
      return s3.send(new CreateMultipartUploadCommand(target));
    };
    const header = (name: string, action: string) => `The request header ${name} asks for ${action}: send the request without it.`;
    return [
      { name: `${row} with x-amz-acl`, row, action: 's3:PutObjectAcl', asker: header('x-amz-acl', 's3:PutObjectAcl'), request: write({ ACL: 'public-read' }) },
      {
        name: `${row} with x-amz-grant-read`,
        row,
        action: 's3:PutObjectAcl',
        asker: header('x-amz-grant-read', 's3:PutObjectAcl'),
        request: write({ GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' }),
      },
      {
        name: `${row} with x-amz-grant-full-control`,
        row,
        action: 's3:PutObjectAcl',
        asker: header('x-amz-grant-full-control', 's3:PutObjectAcl'),
        request: write({ GrantFullControl: 'id="00000000"' }),
      },
      ...(['GrantReadACP', 'GrantWriteACP'] as const).map((input) => {
        const name = input === 'GrantReadACP' ? 'x-amz-grant-read-acp' : 'x-amz-grant-write-acp';
        return { name: `${row} with ${name}`, row, action: 's3:PutObjectAcl', asker: header(name, 's3:PutObjectAcl'), request: write({ [input]: 'id="00000000"' }) };
      }),
      {
        name: `${row} with x-amz-acl and x-amz-grant-read`,
        row,
        action: 's3:PutObjectAcl',
        asker: 'The request headers x-amz-acl and x-amz-grant-read ask for s3:PutObjectAcl: send the request without them.',
        request: write({ ACL: 'private', GrantRead: 'id="00000000"' }),
      },
      { name: `${row} with x-amz-tagging`, row, action: 's3:PutObjectTagging', asker: header('x-amz-tagging', 's3:PutObjectTagging'), request: write({ Tagging: 'team=a' }) },
      {
        name: `${row} with x-amz-object-lock-mode and retain-until-date`,
        row,
        action: 's3:PutObjectRetention',
        asker: 'The request headers x-amz-object-lock-mode and x-amz-object-lock-retain-until-date ask for s3:PutObjectRetention: send the request without them.',
        request: write({ ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: retainUntil() }),
      },
      {
        name: `${row} with x-amz-object-lock-retain-until-date alone`,
        row,
        action: 's3:PutObjectRetention',
        asker: header('x-amz-object-lock-retain-until-date', 's3:PutObjectRetention'),
        request: write({ ObjectLockRetainUntilDate: retainUntil() }),
      },
      {
        name: `${row} with x-amz-object-lock-legal-hold`,
        row,
        action: 's3:PutObjectLegalHold',
        asker: header('x-amz-object-lock-legal-hold', 's3:PutObjectLegalHold'),
        request: write({ ObjectLockLegalHoldStatus: 'ON' }),
      },
    ];
  }),
  // A form's fields stand for the same headers; the refusal names the field as the form spells it.
  ...(
    [
      ['acl', 's3:PutObjectAcl', { acl: 'public-read' }, 'The form field acl asks'],
      ['x-amz-grant-read', 's3:PutObjectAcl', { 'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' }, 'The form field x-amz-grant-read asks'],
      ['tagging', 's3:PutObjectTagging', { tagging: '<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>' }, 'The form field tagging asks'],
      [
        'x-amz-object-lock-mode',
        's3:PutObjectRetention',
        { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00Z' },
        'The form fields x-amz-object-lock-mode and x-amz-object-lock-retain-until-date ask',
      ],
      [
        'x-amz-object-lock-retain-until-date',
        's3:PutObjectRetention',
        { 'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00Z' },
        'The form field x-amz-object-lock-retain-until-date asks',
      ],
      ['x-amz-object-lock-legal-hold', 's3:PutObjectLegalHold', { 'x-amz-object-lock-legal-hold': 'ON' }, 'The form field x-amz-object-lock-legal-hold asks'],
    ] as const
  ).map(([field, action, Fields, subject]) => ({
    name: `PostObject with the ${field} field`,
    row: 'PostObject',
    action,
    asker: `${subject} for ${action}: send the form (and its policy) without ${subject.endsWith('asks') ? 'it' : 'them'}.`,
    request: (async ({ s3 }) => {
      const { url, fields } = await createPresignedPost(s3, { Bucket, Key: 'walk/posted-extra.txt', Fields });
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new Blob([Body]), 'posted.txt');
      return outcomeOfResponse(await fetch(url, { method: 'POST', body: form }));
    }) as Request,
  })),
  // The SDK's presigner hoists x-amz-* headers into the URL's query; S3 applies them all the same.
  ...([
    ['presigned PutObject with x-amz-acl in its query', 's3:PutObjectAcl', { ACL: 'public-read' }, 'x-amz-acl'],
    ['presigned PutObject with x-amz-tagging in its query', 's3:PutObjectTagging', { Tagging: 'team=a' }, 'x-amz-tagging'],
  ] as const).map(([name, action, extra, parameter]) => ({
    name,
    row: 'PutObject',
    action,
    asker: `The query parameter ${parameter} of the presigned URL asks for ${action}: presign the URL without it.`,
    request: (async ({ s3 }) => {
      const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'walk/presigned.txt', ...extra }), { expiresIn: 60 });
      expect(url).toContain('ACL' in extra ? 'x-amz-acl=' : 'x-amz-tagging=');
      // Empty: the presigner signs the CRC32 of the body it was given, which was none.
      return outcomeOfResponse(await fetch(url, { method: 'PUT', body: '' }));
    }) as Request,
  })),
];

/**
 * What the table and the grants predict for a request needing these actions on this row; an
 * extra action's refusal ends with the sentence naming what asked for it.
 */
function expectedOutcome(
  spec: OperationSpec,
  actions: string[],
  granted: ReadonlySet<string>,
  asker?: string,
): { status: number; code?: string; action?: string; asker?: string } {
  const missing = actions.find((action) => !granted.has(action));
  if (missing) return { status: 403, code: 'AccessDenied', action: missing, asker: missing === spec.action ? undefined : asker };
  if (!spec.handler) return { status: 501, code: 'NotImplemented' };
  return { status: 200 };
}

async function outcomeOf(request: Promise<{ $metadata: { httpStatusCode?: number } } | Outcome>): Promise<Outcome> {
  try {
    const result = await request;
    if ('$metadata' in result) return { status: result.$metadata.httpStatusCode ?? 0 };
    return result;
  } catch (err) {
    const e = err as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { status: e.$metadata?.httpStatusCode ?? 0, code: e.Code ?? e.name, message: e.message };
  }
}

/** Actions on buckets themselves, which SMLL performs at provisioning. */
const PROVISIONING_ACTIONS = ['s3:CreateBucket', 's3:DeleteBucket', 's3:ListAllMyBuckets'];

function assertOutcome(spec: OperationSpec, outcome: Outcome, expected: ReturnType<typeof expectedOutcome>): void {
  if (expected.status === 200) {
    expect(outcome.status, JSON.stringify(outcome)).toBeGreaterThanOrEqual(200);
    expect(outcome.status, JSON.stringify(outcome)).toBeLessThan(300);
    return;
  }
  expect(outcome.status, JSON.stringify(outcome)).toBe(expected.status);
  // The log says what asked for the action, after the status, error code and duration; for the
  // operation's own action, what the credential may do instead (buckets are SMLL's to make); nothing more otherwise.
  if (expected.asker) expect(outcome.logLine).toMatch(new RegExp(` 403 AccessDenied [\\d.]+ms ${expected.asker.replace(/[().]/g, '\\$&')}$`));
  else if (expected.action && PROVISIONING_ACTIONS.includes(expected.action)) {
    expect(outcome.logLine).toMatch(/ 403 AccessDenied [\d.]+ms SMLL creates, deletes and lists buckets itself, at provisioning \(here: smll-storage --bucket NAME\); a bucket's credentials reach that bucket's objects only\.$/);
  } else if (expected.action) {
    const granted = / 403 AccessDenied [\d.]+ms test-bucket's credentials are granted ((?:s3:\w+, )*s3:\w+) only\.$/.exec(outcome.logLine ?? '');
    expect(granted, outcome.logLine).not.toBeNull();
    expect(granted![1].split(', ')).not.toContain(expected.action);
  } else expect(outcome.logLine).toMatch(new RegExp(` ${expected.status} ${expected.code} [\\d.]+ms$`));
  // A HEAD response has no body, so neither the code nor the message reaches the client.
  if (spec.method === 'HEAD') return;
  expect(outcome.code).toBe(expected.code);
  if (expected.action) {
    // S3's message as IAM words it, then (for an action a header asked for) the one sentence.
    expect(outcome.message).toContain(`not authorized to perform: ${expected.action} on resource`);
    const iamEnd = `because no identity-based policy allows the ${expected.action} action`;
    expect(outcome.message).toMatch(expected.asker ? new RegExp(`${iamEnd}\\. ${expected.asker.replace(/[().]/g, '\\$&')}$`) : new RegExp(`${iamEnd}$`));
  }
}

function walkWith(title: string, allow: string[]) {
  describe(title, () => {
    let emulator: Emulator;
    let walk: Walk;
    const requestLog: string[] = [];
    const granted = new Set([...SMLL_GRANTED_ACTIONS, ...allow]);

    beforeAll(async () => {
      emulator = await startEmulator({
        buckets: [{ name: Bucket, allow }, 'other-bucket'],
        log: (line) => requestLog.push(line),
      });
      // No retries: a 501 is an answer here, not a transient failure.
      const s3 = clientFor(emulator.env(Bucket), { maxAttempts: 1 });
      walk = {
        s3,
        uploadId: async (key) =>
          hasHandler('CreateMultipartUpload') ? (await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: key }))).UploadId! : 'not-an-upload',
      };
    });
    afterAll(async () => {
      await emulator.stop();
    });

    /** Runs one case on a fresh bucket holding the walk's object, and checks where it was routed. */
    async function run(rowName: string, request: Request): Promise<Outcome> {
      emulator.reset();
      await walk.s3.send(new PutObjectCommand({ Bucket, Key, Body }));
      requestLog.length = 0;
      const outcome = await outcomeOf(request(walk));
      // Request lines are `TIME REQUEST-ID OPERATION …`; notices (a SigV2 warning) say `warning:` there.
      const routed = requestLog.filter((line) => !/^\S+ (\S+ )?warning: /.test(line)).at(-1);
      expect(routed, `routed as ${routed}`).toMatch(new RegExp(`^\\S+ [0-9A-F]{16} ${rowName.replace(/[()]/g, '\\$&')} `));
      return { ...outcome, logLine: routed };
    }

    it('has a case for every row of the operation table', () => {
      expect(OPERATIONS.map((spec) => spec.name).filter((name) => !(name in ROW_CASES))).toEqual([]);
    });

    for (const spec of OPERATIONS) {
      const expected = expectedOutcome(spec, [spec.action], granted);
      const label = expected.action ? `403 naming ${expected.action}` : expected.status === 501 ? '501 NotImplemented' : '2xx';
      it(`${spec.name} (${spec.action}) → ${label}`, async () => {
        const request = ROW_CASES[spec.name];
        expect(request, `no case for row ${spec.name}`).toBeDefined();
        assertOutcome(spec, await run(spec.name, request), expected);
      });
    }

    for (const extra of EXTRA_ACTION_CASES) {
      const spec = OPERATIONS.find((row) => row.name === extra.row)!;
      const expected = expectedOutcome(spec, [spec.action, extra.action], granted, extra.asker);
      const label = expected.action ? `403 naming ${expected.action}` : expected.status === 501 ? '501 NotImplemented' : '2xx';
      it(`${extra.name} → ${label}`, async () => {
        assertOutcome(spec, await run(extra.row, extra.request), expected);
      });
    }
  });
}

walkWith('the operation table with SMLL credentials (the five actions)', []);

// A user whose policy also grants these: AbortMultipartUpload and ListParts are then served (or
// answer 501 while their handler is missing), and a PutObject with x-amz-tagging is accepted.
walkWith('the operation table with s3:AbortMultipartUpload, s3:ListMultipartUploadParts and s3:PutObjectTagging granted', [
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
  's3:PutObjectTagging',
]);

describe('granting actions', () => {
  it('refuses an unknown action name at start, naming it', async () => {
    await expect(startEmulator({ buckets: [{ name: Bucket, allow: ['s3:AbortMultipartUplaod'] }] })).rejects.toThrow(
      'Bucket "test-bucket": unknown IAM action "s3:AbortMultipartUplaod"',
    );
    await expect(startEmulator({ buckets: [Bucket], allow: ['GetObject'] })).rejects.toThrow('allow: unknown IAM action "GetObject"');
  });

  it('grants a bucket only what its own definition (or the emulator-wide allow) adds', async () => {
    const emulator = await startEmulator({
      buckets: [{ name: 'granted-bucket', allow: ['s3:PutObjectTagging'] }, 'plain-bucket'],
    });
    try {
      const tagged = (bucket: string) =>
        outcomeOf(clientFor(emulator.env(bucket)).send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body, Tagging: 'a=b' })));
      expect((await tagged('granted-bucket')).status).toBe(200);
      expect(await tagged('plain-bucket')).toMatchObject({ status: 403, code: 'AccessDenied' });
    } finally {
      await emulator.stop();
    }
  });

  it('the CLI grants with --allow BUCKET=ACTION (one bucket) or --allow ACTION (all), and refuses unknown actions', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--quiet', '--bucket', 'granted-bucket', '--bucket', 'plain-bucket', '--allow', 'granted-bucket=s3:PutObjectTagging']);
    try {
      const tagged = (bucket: string) =>
        outcomeOf(clientFor(cli.env[bucket] as unknown as BucketEnv).send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body, Tagging: 'a=b' })));
      expect((await tagged('granted-bucket')).status).toBe(200);
      expect(await tagged('plain-bucket')).toMatchObject({ status: 403, code: 'AccessDenied' });
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
    await expect(startCli(['--temp', '--port', '0', '--bucket', 'b-bucket', '--allow', 's3:Bogus'])).rejects.toThrow('allow: unknown IAM action "s3:Bogus"');
  });
});
