/**
 * What the console's Credentials tab shows of a bucket (`GET /_smll/api/buckets`): its
 * credentials as SMLL names them, its granted actions, and texts to copy. The shell, .env and
 * Kubernetes texts are `smll-storage credentials -f env|dotenv|k8s`'s own (the same functions);
 * the Node, Python and Go snippets are SMLL's Storage Credentials page's three, with the bucket's
 * values written in where the page reads `S3_*` variables.
 */
import type { BucketCredentials } from './bucket-credentials.cjs';
import { formatCredentials } from './credential-formats.js';
import type { ConsoleBucket } from './http/console.js';

/** A string literal for JavaScript, Python and Go alike: JSON's (double quotes, backslash escapes, ASCII-safe for these values). */
const literal = (value: string): string => JSON.stringify(value);

/** SMLL's Node.js snippet (`@aws-sdk/client-s3`); `fileBuffer` stays the page's placeholder for the bytes to upload. */
export function nodeSnippet(bucket: string, credentials: BucketCredentials): string {
  return `import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";

const s3 = new S3Client({
  endpoint: ${literal(credentials.ENDPOINT)},
  region: ${literal(credentials.REGION)},
  credentials: {
    accessKeyId: ${literal(credentials.ACCESS_KEY)},
    secretAccessKey: ${literal(credentials.SECRET_KEY)},
  },
  forcePathStyle: true,
});

await s3.send(new PutObjectCommand({
  Bucket: ${literal(bucket)},
  Key: "uploads/photo.jpg",
  Body: fileBuffer,
}));
`;
}

/** SMLL's Python snippet (boto3); the values written in, it needs no `os` (the page's version uses it without importing it). */
export function pythonSnippet(bucket: string, credentials: BucketCredentials): string {
  return `import boto3

s3 = boto3.client(
    "s3",
    endpoint_url=${literal(credentials.ENDPOINT)},
    region_name=${literal(credentials.REGION)},
    aws_access_key_id=${literal(credentials.ACCESS_KEY)},
    aws_secret_access_key=${literal(credentials.SECRET_KEY)},
)

s3.upload_file("photo.jpg", ${literal(bucket)}, "uploads/photo.jpg")
`;
}

/** SMLL's Go snippet (AWS SDK for Go v2): the client's configuration, as the page gives it. */
export function goSnippet(credentials: BucketCredentials): string {
  return `cfg, _ := config.LoadDefaultConfig(ctx,
    config.WithRegion(${literal(credentials.REGION)}),
    config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
        ${literal(credentials.ACCESS_KEY)},
        ${literal(credentials.SECRET_KEY)},
        "",
    )),
)

client := s3.NewFromConfig(cfg, func(o *s3.Options) {
    o.BaseEndpoint = aws.String(${literal(credentials.ENDPOINT)})
    o.UsePathStyle = true
})
`;
}

/** The Credentials tab's view of `bucket`, whose credential is granted `actions`. */
export function consoleBucket(bucket: string, credentials: BucketCredentials, actions: Iterable<string>): ConsoleBucket {
  return {
    name: bucket,
    credentials: { ACCESS_KEY: credentials.ACCESS_KEY, SECRET_KEY: credentials.SECRET_KEY, ENDPOINT: credentials.ENDPOINT, REGION: credentials.REGION },
    actions: [...actions],
    snippets: {
      shell: formatCredentials(bucket, credentials, 'env'),
      dotenv: formatCredentials(bucket, credentials, 'dotenv'),
      kubernetes: formatCredentials(bucket, credentials, 'k8s'),
      node: nodeSnippet(bucket, credentials),
      python: pythonSnippet(bucket, credentials),
      go: goSnippet(credentials),
    },
  };
}
