"""The minio-py runner: MinIO's Python SDK (`minio.Minio`), configured as its API reference tells a user
to point it at any S3 endpoint: `Minio("host:port", access_key, secret_key, secure=…, region=…)`, and
for a private CA an `http_client=urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=…)`
(https://min.io/docs/minio/linux/developers/python/API.html, "Minio" constructor and its examples)."""

import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import minio
import pytest
import urllib3
from minio import Minio
from minio.commonconfig import REPLACE, CopySource
from minio.datatypes import PostPolicy
from minio.deleteobjects import DeleteObject
from minio.error import S3Error

from clients_support import BIG_SIZE, ca_file, is_multipart_etag, md5, pattern_bytes, report_not_expressible, sha256, target
from conformance_support import Recorder, multipart_form, plain_http, run_prefix

recorder = Recorder("minio-py", f"minio {minio.__version__} (Python)", target.transport)
scenario = recorder.scenario
prefix = run_prefix("minio-py", target.transport)
bucket = target.bucket


def client_for(access_key=target.access_key, secret_key=target.secret_key, region=target.region):
    http_client = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=ca_file) if ca_file else None
    return Minio(target.endpoint.split("://", 1)[1].rstrip("/"), access_key=access_key, secret_key=secret_key,
                 secure=target.transport == "https", region=region, http_client=http_client)


mc = client_for()


def put(key, body, **kwargs):
    return mc.put_object(bucket, key, io.BytesIO(body), len(body), **kwargs)


def get(key, **kwargs):
    response = mc.get_object(bucket, key, **kwargs)
    try:
        return response.read()
    finally:
        response.close()
        response.release_conn()


def keys_under(key_prefix, **kwargs):
    return [o.object_name for o in mc.list_objects(bucket, prefix=key_prefix, recursive=True, **kwargs)]


def error_of(call, *args, **kwargs):
    """The (S3 error code, HTTP status) a call fails with."""
    with pytest.raises(S3Error) as info:
        call(*args, **kwargs)
    return info.value.code, info.value.response.status


NO_CHECKSUMS = "minio-py's put_object has no checksum option: it sends no x-amz-checksum-* values"
report_not_expressible(recorder, {
    "conditional-put-if-none-match": "minio-py's put_object takes no request headers: an If-None-Match in `metadata` "
                                     "would be sent as x-amz-meta-if-none-match",
    "list-v1-marker": "minio-py's V1 listing (use_api_v1=True) always asks for 1,000 keys a page: no MaxKeys option",
    "checksum-crc32": NO_CHECKSUMS,
    "checksum-crc32c": NO_CHECKSUMS,
    "checksum-crc64nvme": NO_CHECKSUMS,
    "checksum-sha1": NO_CHECKSUMS,
    "checksum-sha256": NO_CHECKSUMS,
    "refusal-abort-multipart-upload": "minio-py's multipart calls are private (_create_multipart_upload, "
                                      "_abort_multipart_upload): no public call aborts an upload",
    "flow-parquet": "minio-py moves bytes only: it reads and writes no Parquet",
    "flow-csv": "minio-py moves bytes only: it reads and writes no CSV",
})


@scenario("object-round-trip")
def test_object_round_trip():
    key = f"{prefix}round-trip.txt"
    body = b"hello from the minio-py conformance runner\n"
    result = put(key, body)
    assert result.etag == md5(body)
    stat = mc.stat_object(bucket, key)
    assert (stat.size, stat.etag) == (len(body), md5(body))
    assert get(key) == body
    mc.remove_object(bucket, key)
    assert error_of(get, key) == ("NoSuchKey", 404)


@scenario("zero-byte-object")
def test_zero_byte_object():
    key = f"{prefix}empty"
    assert put(key, b"").etag == "d41d8cd98f00b204e9800998ecf8427e"
    assert mc.stat_object(bucket, key).size == 0
    assert get(key) == b""


@scenario("metadata-and-content-headers")
def test_metadata_and_content_headers():
    key = f"{prefix}with-headers.html"
    # minio-py sends standard headers named in `metadata` as they are, and the rest as x-amz-meta-*.
    headers = {"Cache-Control": "max-age=60, public", "Content-Disposition": 'attachment; filename="report.html"',
               "Content-Language": "de-CH"}
    put(key, b"<p>hi</p>", content_type="text/html; charset=utf-8", metadata={**headers, "color": "blue", "multi-word": "two words"})
    stat = mc.stat_object(bucket, key)
    assert stat.content_type == "text/html; charset=utf-8"
    for name, value in {**headers, "x-amz-meta-color": "blue", "x-amz-meta-multi-word": "two words"}.items():
        assert stat.metadata[name] == value, name


SPECIAL_KEYS = {
    "key-with-space": "folder with space/file name.txt",
    "key-with-plus": "a+b=c/1+1.txt",
    "key-with-percent": "100% done/literal%20not-a-space.txt",
    "key-unicode": "ünïcødé/日本語/✓ 🚀.txt",
    "key-double-slash": "a//b///c.txt",
    "key-trailing-slash": "folder/",
}


@pytest.mark.parametrize("scenario_id", SPECIAL_KEYS)
def test_special_keys(scenario_id):
    @scenario(scenario_id)
    def round_trip():
        key_prefix = f"{prefix}{scenario_id}/"
        key = key_prefix + SPECIAL_KEYS[scenario_id]
        body = b"" if key.endswith("/") else key.encode()
        put(key, body)
        assert get(key) == body
        # minio-py lists with encoding-type=url and decodes the keys.
        assert keys_under(key_prefix) == [key]
        mc.remove_object(bucket, key)
        assert keys_under(key_prefix) == []
    round_trip()


RANGE_KEY = f"{prefix}range.txt"
RANGE_BODY = b"0123456789abcdefghij"


@scenario("range-get")
def test_range_get():
    put(RANGE_KEY, RANGE_BODY)
    assert get(RANGE_KEY, offset=2, length=4) == b"2345"


@scenario("range-suffix")
def test_range_suffix():
    put(RANGE_KEY, RANGE_BODY)
    assert get(RANGE_KEY, request_headers={"Range": "bytes=-4"}) == b"ghij"


@scenario("range-unsatisfiable")
def test_range_unsatisfiable():
    put(RANGE_KEY, RANGE_BODY)
    assert error_of(get, RANGE_KEY, offset=len(RANGE_BODY) + 10) == ("InvalidRange", 416)


@scenario("conditional-get-not-modified")
def test_conditional_get_not_modified():
    etag = put(RANGE_KEY, RANGE_BODY).etag
    with pytest.raises(minio.error.ServerError) as info:
        get(RANGE_KEY, request_headers={"If-None-Match": f'"{etag}"'})
    assert info.value.status_code == 304


@scenario("conditional-get-precondition-failed")
def test_conditional_get_precondition_failed():
    put(RANGE_KEY, RANGE_BODY)
    assert error_of(get, RANGE_KEY, request_headers={"If-Match": '"00000000000000000000000000000000"'}) == ("PreconditionFailed", 412)


@scenario("list-v2-paginated")
def test_list_v2_paginated():
    key_prefix = f"{prefix}many/"
    expected = [f"{key_prefix}{i:05d}" for i in range(2500)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda key: put(key, key.encode()), expected))
    assert keys_under(key_prefix) == expected


@scenario("list-delimiter-prefix")
def test_list_delimiter_prefix():
    key_prefix = f"{prefix}tree/"
    for name in ["a/1.txt", "a/2.txt", "b/deep/3.txt", "top.txt"]:
        put(key_prefix + name, name.encode())
    listed = list(mc.list_objects(bucket, prefix=key_prefix))
    assert sorted((o.object_name, o.is_dir) for o in listed) == [
        (f"{key_prefix}a/", True), (f"{key_prefix}b/", True), (f"{key_prefix}top.txt", False)]


@scenario("get-bucket-location")
def test_get_bucket_location():
    # Without a region, minio-py asks GetBucketLocation first and signs for the region it answers.
    assert client_for(region=None).bucket_exists(bucket)


@scenario("head-bucket")
def test_head_bucket():
    assert mc.bucket_exists(bucket)


@scenario("delete-objects-batch")
def test_delete_objects_batch():
    keys = [f"{prefix}batch/d{i}" for i in range(1, 4)]
    for key in keys:
        put(key, b"x")
    errors = list(mc.remove_objects(bucket, [DeleteObject(k) for k in keys + [f"{prefix}batch/missing"]]))
    assert errors == []
    assert keys_under(f"{prefix}batch/") == []


COPY_SOURCE = f"{prefix}copy-source.json"


def put_copy_source():
    return put(COPY_SOURCE, b'{"copy":true}', content_type="application/json", metadata={"origin": "source"})


@scenario("copy-object-metadata-copy")
def test_copy_object_metadata_copy():
    source = put_copy_source()
    key = f"{prefix}copy-of-source.json"
    mc.copy_object(bucket, key, CopySource(bucket, COPY_SOURCE))
    assert get(key) == b'{"copy":true}'
    stat = mc.stat_object(bucket, key)
    assert (stat.etag, stat.content_type, stat.metadata["x-amz-meta-origin"]) == (source.etag, "application/json", "source")


@scenario("copy-object-metadata-replace")
def test_copy_object_metadata_replace():
    put_copy_source()
    key = f"{prefix}replaced-copy.txt"
    mc.copy_object(bucket, key, CopySource(bucket, COPY_SOURCE), metadata_directive=REPLACE,
                   metadata={"Content-Type": "text/plain", "origin": "replaced"})
    assert get(key) == b'{"copy":true}'
    stat = mc.stat_object(bucket, key)
    assert (stat.content_type, stat.metadata["x-amz-meta-origin"]) == ("text/plain", "replaced")


def local_file(directory, name, data):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


@scenario("multipart-upload-40mib")
def test_multipart_upload_40mib():
    key = f"{prefix}big.bin"
    with tempfile.TemporaryDirectory() as tmp:
        mc.fput_object(bucket, key, local_file(tmp, "big.bin", pattern_bytes(BIG_SIZE)), part_size=8 * 1024 * 1024)
    stat = mc.stat_object(bucket, key)
    assert stat.size == BIG_SIZE
    assert is_multipart_etag(stat.etag), stat.etag


@scenario("multipart-download-40mib")
def test_multipart_download_40mib():
    # fget_object is minio-py's downloader (one streamed GET into a part file, then renamed).
    key = f"{prefix}big-download.bin"
    data = pattern_bytes(BIG_SIZE, b"download")
    with tempfile.TemporaryDirectory() as tmp:
        mc.fput_object(bucket, key, local_file(tmp, "source.bin", data))
        mc.fget_object(bucket, key, os.path.join(tmp, "back.bin"))
        with open(os.path.join(tmp, "back.bin"), "rb") as f:
            assert sha256(f.read()) == sha256(data)


@scenario("presigned-get")
def test_presigned_get():
    key = f"{prefix}presigned get.txt"
    put(key, b"fetched without an SDK")
    url = mc.presigned_get_object(bucket, key, expires=timedelta(minutes=5))
    assert plain_http(url, cafile=ca_file) == (200, b"fetched without an SDK")


@scenario("presigned-put")
def test_presigned_put():
    key = f"{prefix}presigned put.txt"
    url = mc.presigned_put_object(bucket, key, expires=timedelta(minutes=5))
    status, body = plain_http(url, method="PUT", body=b"uploaded without an SDK", cafile=ca_file)
    assert status == 200, body[:500]
    assert get(key) == b"uploaded without an SDK"


@scenario("presigned-post")
def test_presigned_post():
    key = f"{prefix}posted.txt"
    policy = PostPolicy(bucket, datetime.now(timezone.utc) + timedelta(minutes=5))
    policy.add_equals_condition("key", key)
    policy.add_equals_condition("Content-Type", "text/plain")
    policy.add_content_length_range_condition(0, 1024)
    fields = mc.presigned_post_policy(policy)
    content_type, form = multipart_form({"key": key, "Content-Type": "text/plain", **fields}, "posted.txt", b"posted from a form")
    status, body = plain_http(f"{target.endpoint.rstrip('/')}/{bucket}", method="POST", body=form,
                              headers={"Content-Type": content_type}, cafile=ca_file)
    assert status == 204, body[:500]
    assert get(key) == b"posted from a form"
    assert mc.stat_object(bucket, key).content_type == "text/plain"


@scenario("no-such-key")
def test_no_such_key():
    key = f"{prefix}does-not-exist"
    assert error_of(get, key) == ("NoSuchKey", 404)
    # A HEAD has no body: minio-py names the error from the status.
    assert error_of(mc.stat_object, bucket, key) == ("NoSuchKey", 404)


@scenario("refusal-other-bucket")
def test_refusal_other_bucket():
    key = f"{prefix}not-yours.txt"
    assert error_of(mc.put_object, target.bucket2, key, io.BytesIO(b"x"), 1) == ("AccessDenied", 403)
    assert error_of(mc.get_object, target.bucket2, key) == ("AccessDenied", 403)


@scenario("refusal-wrong-secret")
def test_refusal_wrong_secret():
    other = client_for(secret_key=target.secret_key[:-4] + "XXXX")
    assert error_of(other.get_object, bucket, f"{prefix}any") == ("SignatureDoesNotMatch", 403)


@scenario("refusal-unknown-access-key")
def test_refusal_unknown_access_key():
    other = client_for(access_key="AKIAUNKNOWNKEY000000")
    assert error_of(other.get_object, bucket, f"{prefix}any") == ("InvalidAccessKeyId", 403)


@scenario("refusal-list-buckets")
def test_refusal_list_buckets():
    assert error_of(mc.list_buckets) == ("AccessDenied", 403)


@scenario("refusal-create-bucket")
def test_refusal_create_bucket():
    assert error_of(mc.make_bucket, f"{bucket}-new") == ("AccessDenied", 403)


@scenario("flow-small-files")
def test_flow_small_files():
    names = [f"file-{i}.txt" for i in range(5)]
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            mc.fput_object(bucket, f"{prefix}small/{name}", local_file(tmp, name, name.encode() * 10))
    assert keys_under(f"{prefix}small/") == [f"{prefix}small/{n}" for n in names]
    for name in names:
        assert get(f"{prefix}small/{name}") == name.encode() * 10
    assert list(mc.remove_objects(bucket, [DeleteObject(k) for k in keys_under(f"{prefix}small/")])) == []
    assert keys_under(f"{prefix}small/") == []


@scenario("flow-large-file")
def test_flow_large_file():
    # fput_object with its default part size (5 MiB here) goes multipart on its own.
    key = f"{prefix}large.bin"
    data = pattern_bytes(BIG_SIZE, b"large flow")
    with tempfile.TemporaryDirectory() as tmp:
        mc.fput_object(bucket, key, local_file(tmp, "large.bin", data))
        assert is_multipart_etag(mc.stat_object(bucket, key).etag)
        mc.fget_object(bucket, key, os.path.join(tmp, "back.bin"))
        with open(os.path.join(tmp, "back.bin"), "rb") as f:
            assert sha256(f.read()) == sha256(data)
    mc.remove_object(bucket, key)
    assert keys_under(key) == []
