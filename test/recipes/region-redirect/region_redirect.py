"""botocore's region discovery against an emulator started with another region than the client's.

Run as `smll-storage exec --region eu-west-1 --bucket B -- python region_redirect.py B`: every client here is configured for us-east-1.
Each operation runs on a fresh client (botocore caches a bucket's region once it has learnt it), and
must succeed after exactly one redirect: one request signed for us-east-1, then one for the region
the emulator named (S3RegionRedirectorv2 in botocore/utils.py). Prints one line per operation.
"""

import os
import re
import sys

import boto3

bucket = sys.argv[1]
emulator_region = os.environ["S3_REGION"]
client_region = "us-east-1"


def fresh_client():
    client = boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT"],
        region_name=client_region,
        aws_access_key_id=os.environ["S3_ACCESS_KEY"],
        aws_secret_access_key=os.environ["S3_SECRET_KEY"],
    )
    signed_regions = []

    def record(request, **_):
        authorization = request.headers.get("Authorization", b"")
        if isinstance(authorization, bytes):
            authorization = authorization.decode()
        match = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/s3/", authorization)
        signed_regions.append(match.group(1) if match else None)

    client.meta.events.register("before-send.s3", record)
    return client, signed_regions


operations = {
    "HeadBucket": lambda c: c.head_bucket(Bucket=bucket),
    "PutObject": lambda c: c.put_object(Bucket=bucket, Key="region/hello.txt", Body=b"hello"),
    "HeadObject": lambda c: c.head_object(Bucket=bucket, Key="region/hello.txt"),
    "GetObject": lambda c: c.get_object(Bucket=bucket, Key="region/hello.txt")["Body"].read(),
    "ListObjectsV2": lambda c: c.list_objects_v2(Bucket=bucket, Prefix="region/"),
    "GetBucketLocation": lambda c: c.get_bucket_location(Bucket=bucket),
    "DeleteObject": lambda c: c.delete_object(Bucket=bucket, Key="region/hello.txt"),
}

failures = 0
for name, call in operations.items():
    client, signed_regions = fresh_client()
    try:
        call(client)
        ok = signed_regions == [client_region, emulator_region]
        print(f"{name}: {'ok' if ok else 'unexpected'} signed {signed_regions}")
    except Exception as err:  # noqa: BLE001 — every failure is reported, then the run fails
        ok = False
        print(f"{name}: failed signed {signed_regions}: {err}")
    failures += 0 if ok else 1

sys.exit(1 if failures else 0)
