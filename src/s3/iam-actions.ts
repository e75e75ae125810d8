/**
 * The IAM actions of S3 that some operation of the emulator needs: the names a grant (`allow`,
 * `--allow`) may give. test/unit/iam-actions.test.ts keeps this list equal to the actions of the
 * operation table, so a name accepted here always grants something.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
export const IAM_ACTIONS = [
  's3:AbortMultipartUpload',
  's3:CreateBucket',
  's3:DeleteBucket',
  's3:DeleteBucketPolicy',
  's3:DeleteBucketWebsite',
  's3:DeleteObject',
  's3:DeleteObjectTagging',
  's3:DeleteObjectVersion',
  's3:GetAccelerateConfiguration',
  's3:GetAnalyticsConfiguration',
  's3:GetBucketAcl',
  's3:GetBucketCORS',
  's3:GetBucketLocation',
  's3:GetBucketLogging',
  's3:GetBucketNotification',
  's3:GetBucketObjectLockConfiguration',
  's3:GetBucketOwnershipControls',
  's3:GetBucketPolicy',
  's3:GetBucketPolicyStatus',
  's3:GetBucketPublicAccessBlock',
  's3:GetBucketRequestPayment',
  's3:GetBucketTagging',
  's3:GetBucketVersioning',
  's3:GetBucketWebsite',
  's3:GetEncryptionConfiguration',
  's3:GetIntelligentTieringConfiguration',
  's3:GetInventoryConfiguration',
  's3:GetLifecycleConfiguration',
  's3:GetMetricsConfiguration',
  's3:GetObject',
  's3:GetObjectAcl',
  's3:GetObjectAttributes',
  's3:GetObjectLegalHold',
  's3:GetObjectRetention',
  's3:GetObjectTagging',
  's3:GetObjectVersion',
  's3:GetReplicationConfiguration',
  's3:ListAllMyBuckets',
  's3:ListBucket',
  's3:ListBucketMultipartUploads',
  's3:ListBucketVersions',
  's3:ListMultipartUploadParts',
  's3:PutAccelerateConfiguration',
  's3:PutAnalyticsConfiguration',
  's3:PutBucketAcl',
  's3:PutBucketCORS',
  's3:PutBucketLogging',
  's3:PutBucketNotification',
  's3:PutBucketObjectLockConfiguration',
  's3:PutBucketOwnershipControls',
  's3:PutBucketPolicy',
  's3:PutBucketPublicAccessBlock',
  's3:PutBucketRequestPayment',
  's3:PutBucketTagging',
  's3:PutBucketVersioning',
  's3:PutBucketWebsite',
  's3:PutEncryptionConfiguration',
  's3:PutIntelligentTieringConfiguration',
  's3:PutInventoryConfiguration',
  's3:PutLifecycleConfiguration',
  's3:PutMetricsConfiguration',
  's3:PutObject',
  's3:PutObjectAcl',
  's3:PutObjectLegalHold',
  's3:PutObjectRetention',
  's3:PutObjectTagging',
  's3:PutReplicationConfiguration',
  's3:RestoreObject',
] as const;

/** One IAM action name, e.g. `s3:GetObject`. */
export type IamAction = (typeof IAM_ACTIONS)[number];

const KNOWN: ReadonlySet<string> = new Set(IAM_ACTIONS);

/** Whether `name` is one of the IAM actions above (exact spelling, case included). */
export function isIamAction(name: string): name is IamAction {
  return KNOWN.has(name);
}
