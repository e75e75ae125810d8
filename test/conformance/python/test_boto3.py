"""The Python runner: boto3 (+ s3transfer) configured exactly as SMLL's documentation shows."""

import hashlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore
import botocore.compat
import pytest
import s3transfer
from botocore.exceptions import ClientError

from conformance_support import Recorder, Target, multipart_form, plain_http, run_prefix

target = Target()
recorder = Recorder("python", f"boto3 {boto3.__version__} (botocore {botocore.__version__}, s3transfer {s3transfer.__version__})", target.transport)
scenario = recorder.scenario
prefix = run_prefix("python", target.transport)
bucket = target.bucket


def client_for(access_key=target.access_key, secret_key=target.secret_key):
    return boto3.client(
        "s3",
        endpoint_url=target.endpoint,
        region_name=target.region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
    )


s3 = client_for()


def md5(data):
    return hashlib.md5(data).hexdigest()


def error_of(call, *args, **kwargs):
    """The (S3 error code, HTTP status) a call fails with."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def body_of(key, **extra):
    response = s3.get_object(Bucket=bucket, Key=key, **extra)
    return response, response["Body"].read()


def keys_under(key_prefix):
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key_prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return keys


@scenario("object-round-trip")
def test_object_round_trip():
    key = f"{prefix}round-trip.txt"
    body = b"hello from the boto3 conformance runner\n"
    put = s3.put_object(Bucket=bucket, Key=key, Body=body)
    assert put["ETag"] == f'"{md5(body)}"'
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == len(body)
    assert head["ETag"] == put["ETag"]
    assert body_of(key)[1] == body
    s3.delete_object(Bucket=bucket, Key=key)
    assert error_of(s3.get_object, Bucket=bucket, Key=key) == ("NoSuchKey", 404)


@scenario("zero-byte-object")
def test_zero_byte_object():
    key = f"{prefix}empty"
    put = s3.put_object(Bucket=bucket, Key=key, Body=b"")
    assert put["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    response, body = body_of(key)
    assert response["ContentLength"] == 0
    assert body == b""


@scenario("metadata-and-content-headers")
def test_metadata_and_content_headers():
    key = f"{prefix}with-headers.html"
    sent = {
        "ContentType": "text/html; charset=utf-8",
        "CacheControl": "max-age=60, public",
        "ContentDisposition": 'attachment; filename="report.html"',
        "ContentLanguage": "de-CH",
        "Metadata": {"color": "blue", "multi-word": "two words"},
    }
    s3.put_object(Bucket=bucket, Key=key, Body=b"<p>hi</p>", **sent)
    for got in (s3.head_object(Bucket=bucket, Key=key), body_of(key)[0]):
        for field, value in sent.items():
            assert got[field] == value, field


SPECIAL_KEYS = {
    "key-with-space": "folder with space/file name.txt",
    "key-with-plus": "a+b=c/1+1.txt",
    "key-with-percent": "100% done/literal%20not-a-space.txt",
    "key-unicode": "ünïcødé/日本語/✓ 🚀.txt",
    "key-double-slash": "a//b///c.txt",
    "key-trailing-slash": "folder/",
}


def special_key_round_trip(scenario_id):
    key_prefix = f"{prefix}{scenario_id}/"
    name = SPECIAL_KEYS[scenario_id]
    key = key_prefix + name
    body = b"" if name.endswith("/") else f"body of {name}".encode()
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    assert body_of(key)[1] == body
    # boto3 lists with encoding-type=url and decodes the keys it gets back.
    assert keys_under(key_prefix) == [key]
    s3.delete_object(Bucket=bucket, Key=key)
    assert keys_under(key_prefix) == []


@scenario("key-with-space")
def test_key_with_space():
    special_key_round_trip("key-with-space")


@scenario("key-with-plus")
def test_key_with_plus():
    special_key_round_trip("key-with-plus")


@scenario("key-with-percent")
def test_key_with_percent():
    special_key_round_trip("key-with-percent")


@scenario("key-unicode")
def test_key_unicode():
    special_key_round_trip("key-unicode")


@scenario("key-double-slash")
def test_key_double_slash():
    special_key_round_trip("key-double-slash")


@scenario("key-trailing-slash")
def test_key_trailing_slash():
    special_key_round_trip("key-trailing-slash")


RANGE_KEY = f"{prefix}range.txt"
RANGE_BODY = b"0123456789abcdefghij"


def put_range_object():
    return s3.put_object(Bucket=bucket, Key=RANGE_KEY, Body=RANGE_BODY)


@scenario("range-get")
def test_range_get():
    put_range_object()
    response, body = body_of(RANGE_KEY, Range="bytes=2-5")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert response["ContentRange"] == f"bytes 2-5/{len(RANGE_BODY)}"
    assert body == b"2345"


@scenario("range-suffix")
def test_range_suffix():
    put_range_object()
    response, body = body_of(RANGE_KEY, Range="bytes=-4")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert body == b"ghij"


@scenario("range-unsatisfiable")
def test_range_unsatisfiable():
    put_range_object()
    assert error_of(s3.get_object, Bucket=bucket, Key=RANGE_KEY, Range=f"bytes={len(RANGE_BODY) + 10}-") == ("InvalidRange", 416)


@scenario("conditional-get-not-modified")
def test_conditional_get_not_modified():
    etag = put_range_object()["ETag"]
    assert error_of(s3.get_object, Bucket=bucket, Key=RANGE_KEY, IfNoneMatch=etag)[1] == 304


@scenario("conditional-get-precondition-failed")
def test_conditional_get_precondition_failed():
    put_range_object()
    assert error_of(s3.get_object, Bucket=bucket, Key=RANGE_KEY, IfMatch='"00000000000000000000000000000000"') == ("PreconditionFailed", 412)


@scenario("conditional-put-if-none-match")
def test_conditional_put_if_none_match():
    key = f"{prefix}create-only.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"first", IfNoneMatch="*")
    assert error_of(s3.put_object, Bucket=bucket, Key=key, Body=b"second", IfNoneMatch="*") == ("PreconditionFailed", 412)
    assert body_of(key)[1] == b"first"


@scenario("list-v2-paginated")
def test_list_v2_paginated():
    key_prefix = f"{prefix}many/"
    expected = [f"{key_prefix}{i:05d}" for i in range(2500)]
    # botocore's default pool holds 10 connections: as many workers.
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda key: s3.put_object(Bucket=bucket, Key=key, Body=key.encode()), expected))
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key_prefix))
    assert len(pages) == 3
    assert [o["Key"] for page in pages for o in page.get("Contents", [])] == expected


@scenario("list-delimiter-prefix")
def test_list_delimiter_prefix():
    key_prefix = f"{prefix}tree/"
    for name in ["a/1.txt", "a/2.txt", "b/deep/3.txt", "top.txt"]:
        s3.put_object(Bucket=bucket, Key=key_prefix + name, Body=name.encode())
    page = s3.list_objects_v2(Bucket=bucket, Prefix=key_prefix, Delimiter="/")
    assert [p["Prefix"] for p in page.get("CommonPrefixes", [])] == [f"{key_prefix}a/", f"{key_prefix}b/"]
    assert [o["Key"] for o in page.get("Contents", [])] == [f"{key_prefix}top.txt"]


@scenario("list-v1-marker")
def test_list_v1_marker():
    key_prefix = f"{prefix}v1/"
    expected = [f"{key_prefix}k{i}" for i in range(1, 6)]
    for key in expected:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    keys, marker, pages = [], "", 0
    while True:
        page = s3.list_objects(Bucket=bucket, Prefix=key_prefix, MaxKeys=2, Marker=marker)
        pages += 1
        page_keys = [o["Key"] for o in page.get("Contents", [])]
        keys.extend(page_keys)
        if not page["IsTruncated"]:
            break
        marker = page.get("NextMarker") or page_keys[-1]
    assert pages == 3
    assert keys == expected


@scenario("get-bucket-location")
def test_get_bucket_location():
    location = s3.get_bucket_location(Bucket=bucket)
    assert (location.get("LocationConstraint") or "") == ("" if target.region == "us-east-1" else target.region)


@scenario("head-bucket")
def test_head_bucket():
    assert s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200


@scenario("delete-objects-batch")
def test_delete_objects_batch():
    keys = [f"{prefix}batch/d{i}" for i in range(1, 4)]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    everything = keys + [f"{prefix}batch/missing"]
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in everything]})
    assert sorted(d["Key"] for d in result.get("Deleted", [])) == sorted(everything)
    assert result.get("Errors", []) == []
    assert keys_under(f"{prefix}batch/") == []


COPY_SOURCE = f"{prefix}copy-source.json"


def put_copy_source():
    return s3.put_object(Bucket=bucket, Key=COPY_SOURCE, Body=b'{"copy":true}', ContentType="application/json", Metadata={"origin": "source"})


@scenario("copy-object-metadata-copy")
def test_copy_object_metadata_copy():
    source = put_copy_source()
    key = f"{prefix}copy-of-source.json"
    s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": COPY_SOURCE})
    response, body = body_of(key)
    assert body == b'{"copy":true}'
    assert response["ETag"] == source["ETag"]
    assert response["ContentType"] == "application/json"
    assert response["Metadata"] == {"origin": "source"}


@scenario("copy-object-metadata-replace")
def test_copy_object_metadata_replace():
    put_copy_source()
    key = f"{prefix}replaced-copy.txt"
    s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": COPY_SOURCE},
                   MetadataDirective="REPLACE", ContentType="text/plain", Metadata={"origin": "replaced"})
    response, body = body_of(key)
    assert body == b'{"copy":true}'
    assert response["ContentType"] == "text/plain"
    assert response["Metadata"] == {"origin": "replaced"}


BIG_SIZE = 40 * 1024 * 1024
BIG_KEY = f"{prefix}big.bin"


def write_pattern_file(path, size):
    """Deterministic bytes, written 1 MiB at a time; returns their SHA-256."""
    digest = hashlib.sha256()
    block = hashlib.sha256(b"python").digest() * (1 << 15)
    with open(path, "wb") as out:
        for index in range(size // len(block)):
            chunk = index.to_bytes(4, "big") + block[4:]
            out.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def sha256_of_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@scenario("multipart-upload-40mib")
def test_multipart_upload_40mib():
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "big.bin")
        write_pattern_file(source, BIG_SIZE)
        # upload_file is the call SMLL's documentation shows; above 8 MiB s3transfer goes multipart.
        s3.upload_file(source, bucket, BIG_KEY)
    head = s3.head_object(Bucket=bucket, Key=BIG_KEY)
    assert head["ContentLength"] == BIG_SIZE
    assert head["ETag"].strip('"').rsplit("-", 1)[1].isdigit()


@scenario("multipart-download-40mib")
def test_multipart_download_40mib():
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "source.bin")
        expected = write_pattern_file(source, BIG_SIZE)
        key = f"{prefix}big-download.bin"
        s3.upload_file(source, bucket, key)
        destination = os.path.join(tmp, "downloaded.bin")
        s3.download_file(bucket, key, destination)
        assert sha256_of_file(destination) == expected


def checksum_round_trip(algorithm):
    key = f"{prefix}checksum-{algorithm.lower()}.txt"
    body = f"checksummed by {algorithm}\n".encode()
    put = s3.put_object(Bucket=bucket, Key=key, Body=body, ChecksumAlgorithm=algorithm)
    field = f"Checksum{algorithm}"
    assert put.get(field)
    response, got = body_of(key, ChecksumMode="ENABLED")
    assert got == body
    assert response.get(field) == put[field]


@scenario("checksum-crc32")
def test_checksum_crc32():
    checksum_round_trip("CRC32")


if botocore.compat.HAS_CRT:
    @scenario("checksum-crc32c")
    def test_checksum_crc32c():
        checksum_round_trip("CRC32C")

    @scenario("checksum-crc64nvme")
    def test_checksum_crc64nvme():
        checksum_round_trip("CRC64NVME")
else:
    for scenario_id in ("checksum-crc32c", "checksum-crc64nvme"):
        recorder.not_expressible(scenario_id, "botocore computes CRC32C and CRC64NVME only with the optional awscrt package "
                                 "(pip install boto3[crt]); the stock boto3 install raises MissingDependencyException")


@scenario("checksum-sha1")
def test_checksum_sha1():
    checksum_round_trip("SHA1")


@scenario("checksum-sha256")
def test_checksum_sha256():
    checksum_round_trip("SHA256")


@scenario("presigned-get")
def test_presigned_get():
    key = f"{prefix}presigned get.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"fetched without an SDK")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
    status, body = plain_http(url)
    assert (status, body) == (200, b"fetched without an SDK"), (url, body[:500])


@scenario("presigned-put")
def test_presigned_put():
    key = f"{prefix}presigned put.txt"
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
    status, body = plain_http(url, method="PUT", body=b"uploaded without an SDK")
    assert status == 200, (url, body[:500])
    assert body_of(key)[1] == b"uploaded without an SDK"


@scenario("presigned-post")
def test_presigned_post():
    key = f"{prefix}posted.txt"
    post = s3.generate_presigned_post(bucket, key, Fields={"Content-Type": "text/plain"},
                                      Conditions=[{"Content-Type": "text/plain"}, ["content-length-range", 0, 1024]], ExpiresIn=300)
    content_type, form = multipart_form(post["fields"], "posted.txt", b"posted from a form")
    status, body = plain_http(post["url"], method="POST", body=form, headers={"Content-Type": content_type})
    assert status == 204, body[:500]
    response, got = body_of(key)
    assert got == b"posted from a form"
    assert response["ContentType"] == "text/plain"


@scenario("no-such-key")
def test_no_such_key():
    key = f"{prefix}does-not-exist"
    assert error_of(s3.get_object, Bucket=bucket, Key=key) == ("NoSuchKey", 404)
    assert error_of(s3.head_object, Bucket=bucket, Key=key) == ("404", 404)


@scenario("refusal-other-bucket")
def test_refusal_other_bucket():
    key = f"{prefix}not-yours.txt"
    assert error_of(s3.put_object, Bucket=target.bucket2, Key=key, Body=b"x") == ("AccessDenied", 403)
    assert error_of(s3.get_object, Bucket=target.bucket2, Key=key) == ("AccessDenied", 403)


@scenario("refusal-wrong-secret")
def test_refusal_wrong_secret():
    client = client_for(secret_key=target.secret_key[:-4] + "XXXX")
    assert error_of(client.get_object, Bucket=bucket, Key=f"{prefix}any") == ("SignatureDoesNotMatch", 403)


@scenario("refusal-unknown-access-key")
def test_refusal_unknown_access_key():
    client = client_for(access_key="AKIAUNKNOWNKEY000000")
    assert error_of(client.get_object, Bucket=bucket, Key=f"{prefix}any") == ("InvalidAccessKeyId", 403)


@scenario("refusal-list-buckets")
def test_refusal_list_buckets():
    assert error_of(s3.list_buckets) == ("AccessDenied", 403)


@scenario("refusal-create-bucket")
def test_refusal_create_bucket():
    assert error_of(s3.create_bucket, Bucket=f"{bucket}-new") == ("AccessDenied", 403)


@scenario("refusal-abort-multipart-upload")
def test_refusal_abort_multipart_upload():
    key = f"{prefix}abandoned-upload.bin"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    assert upload_id
    assert error_of(s3.abort_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id) == ("AccessDenied", 403)
