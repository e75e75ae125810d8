"""The s3fs runner: fsspec's `s3fs.S3FileSystem` (aiobotocore underneath) and pandas reading and writing
through it, configured as s3fs's documentation tells a user to point it at S3-compatible storage:
`key`, `secret`, `endpoint_url`, and botocore client arguments in `client_kwargs` (`region_name`, and
over https `verify` set to the CA file) (https://s3fs.readthedocs.io/en/latest/#s3-compatible-storage);
pandas takes the same settings as `storage_options`
(https://pandas.pydata.org/docs/user_guide/io.html#reading-writing-remote-files)."""

import os
import tempfile

import aiobotocore
import botocore
import botocore.exceptions
import fsspec
import pandas as pd
import pytest
import s3fs

from clients_support import BIG_SIZE, ca_file, checker, is_multipart_etag, md5, pattern_bytes, sha256, target
from conformance_support import Recorder, plain_http, run_prefix

recorder = Recorder("s3fs", f"s3fs {s3fs.__version__} (fsspec {fsspec.__version__}, aiobotocore {aiobotocore.__version__}, "
                    f"botocore {botocore.__version__}) with pandas {pd.__version__}", target.transport)
scenario = recorder.scenario
prefix = run_prefix("s3fs", target.transport)
bucket = target.bucket
base = f"{bucket}/{prefix}"
check = checker()


def storage_options(key=target.access_key, secret=target.secret_key):
    client_kwargs = {"region_name": target.region}
    if ca_file:
        client_kwargs["verify"] = ca_file
    return {"key": key, "secret": secret, "endpoint_url": target.endpoint, "client_kwargs": client_kwargs}


def filesystem(**options):
    # skip_instance_cache: each set of credentials gets its own instance (fsspec caches them by arguments).
    return s3fs.S3FileSystem(skip_instance_cache=True, **storage_options(**options))


fs = filesystem()


def s3_error_of(error_type, call, *args, **kwargs):
    """The S3 error code behind the exception s3fs raised (it translates botocore's ClientError into
    OSError subclasses carrying only the message, chaining the original)."""
    with pytest.raises(error_type) as info:
        call(*args, **kwargs)
    cause = info.value
    while cause is not None and not isinstance(cause, botocore.exceptions.ClientError):
        cause = cause.__cause__ or cause.__context__
    assert cause is not None, f"no ClientError behind {info.value!r}"
    return cause.response["Error"]["Code"]

NO_CONDITIONAL_GET = "s3fs's cat/open take no request headers: no If-Match or If-None-Match on a read"
NO_CRT = ("botocore (under s3fs) computes CRC32C and CRC64NVME only with the optional awscrt package, "
          "which s3fs does not bring")
for scenario_id, reason in {
    "conditional-get-not-modified": NO_CONDITIONAL_GET,
    "conditional-get-precondition-failed": NO_CONDITIONAL_GET,
    "list-v1-marker": "s3fs lists with ListObjectsV2 only",
    "get-bucket-location": "s3fs has no call for GetBucketLocation (only its raw botocore escape hatch, call_s3)",
    "checksum-crc32c": NO_CRT,
    "checksum-crc64nvme": NO_CRT,
    "presigned-post": "s3fs presigns single-method URLs only (url(client_method=...)); it builds no POST policy",
}.items():
    recorder.not_expressible(scenario_id, reason)


@scenario("object-round-trip")
def test_object_round_trip():
    path = f"{base}round-trip.txt"
    body = b"hello from the s3fs conformance runner\n"
    fs.pipe(path, body)
    info = fs.info(path)
    assert (info["size"], info["ETag"]) == (len(body), f'"{md5(body)}"')
    assert fs.cat(path) == body
    fs.rm(path)
    with pytest.raises(FileNotFoundError):
        fs.cat(path)


@scenario("zero-byte-object")
def test_zero_byte_object():
    path = f"{base}empty"
    fs.pipe(path, b"")
    info = fs.info(path)
    assert (info["size"], info["ETag"]) == (0, '"d41d8cd98f00b204e9800998ecf8427e"')
    assert fs.cat(path) == b""


@scenario("metadata-and-content-headers")
def test_metadata_and_content_headers():
    path = f"{base}with-headers.html"
    sent = {"ContentType": "text/html; charset=utf-8", "CacheControl": "max-age=60, public",
            "ContentDisposition": 'attachment; filename="report.html"', "ContentLanguage": "de-CH"}
    metadata = {"color": "blue", "multi-word": "two words"}
    # s3fs passes extra keyword arguments on to PutObject.
    fs.pipe(path, b"<p>hi</p>", Metadata=metadata, **sent)
    assert fs.metadata(path) == metadata
    assert fs.info(path)["ContentType"] == sent["ContentType"]
    head = check.head_object(Bucket=bucket, Key=path.split("/", 1)[1])
    assert {k: head[k] for k in sent} == sent


SPECIAL_KEYS = {
    "key-with-space": "folder with space/file name.txt",
    "key-with-plus": "a+b=c/1+1.txt",
    "key-with-percent": "100% done/literal%20not-a-space.txt",
    "key-unicode": "ünïcødé/日本語/✓ 🚀.txt",
    "key-double-slash": "a//b///c.txt",
}


@pytest.mark.parametrize("scenario_id", SPECIAL_KEYS)
def test_special_keys(scenario_id):
    @scenario(scenario_id)
    def round_trip():
        directory = f"{base}{scenario_id}"
        path = f"{directory}/{SPECIAL_KEYS[scenario_id]}"
        fs.pipe(path, path.encode())
        assert fs.cat(path) == path.encode()
        assert fs.find(directory) == [path]
        fs.rm(path)
        assert fs.find(directory, refresh=True) == []
    round_trip()


@scenario("key-trailing-slash")
def test_key_trailing_slash():
    # touch on a path ending in '/' is how an s3fs user makes a "folder" marker object.
    directory = f"{base}folder/"
    fs.touch(directory)
    listed = check.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}folder")
    assert [(o["Key"], o["Size"]) for o in listed["Contents"]] == [(f"{prefix}folder/", 0)]
    assert fs.isdir(directory)


RANGE_PATH = f"{base}range.txt"
RANGE_BODY = b"0123456789abcdefghij"


@scenario("range-get")
def test_range_get():
    fs.pipe(RANGE_PATH, RANGE_BODY)
    assert fs.cat_file(RANGE_PATH, start=2, end=6) == b"2345"


@scenario("range-suffix")
def test_range_suffix():
    fs.pipe(RANGE_PATH, RANGE_BODY)
    assert fs.cat_file(RANGE_PATH, start=-4) == b"ghij"


@scenario("range-unsatisfiable")
def test_range_unsatisfiable():
    fs.pipe(RANGE_PATH, RANGE_BODY)
    # s3fs raises OSError(EINVAL) with S3's message for the 416 InvalidRange.
    assert s3_error_of(OSError, fs.cat_file, RANGE_PATH, start=len(RANGE_BODY) + 10) == "InvalidRange"


@scenario("conditional-put-if-none-match")
def test_conditional_put_if_none_match():
    path = f"{base}create-only.txt"
    fs.pipe(path, b"first", mode="create")
    with pytest.raises(FileExistsError):
        fs.pipe(path, b"second", mode="create")
    assert fs.cat(path) == b"first"


@scenario("list-v2-paginated")
def test_list_v2_paginated():
    directory = f"{base}many"
    expected = [f"{directory}/{i:05d}" for i in range(2500)]
    # pipe with a dict uploads them concurrently.
    fs.pipe({path: path.encode() for path in expected})
    assert fs.find(directory, refresh=True) == expected


@scenario("list-delimiter-prefix")
def test_list_delimiter_prefix():
    directory = f"{base}tree"
    fs.pipe({f"{directory}/{name}": name.encode() for name in ["a/1.txt", "a/2.txt", "b/deep/3.txt", "top.txt"]})
    listed = fs.ls(directory, detail=True, refresh=True)
    assert sorted((e["name"], e["type"]) for e in listed) == [
        (f"{directory}/a", "directory"), (f"{directory}/b", "directory"), (f"{directory}/top.txt", "file")]


@scenario("head-bucket")
def test_head_bucket():
    # exists() on a bucket path probes it with HeadBucket.
    assert filesystem().exists(bucket)


@scenario("delete-objects-batch")
def test_delete_objects_batch():
    keys = [f"{base}batch/d{i}" for i in range(1, 4)]
    fs.pipe({key: b"x" for key in keys})
    # rm of a list of paths is one DeleteObjects; S3 reports the missing key as deleted too.
    fs.rm(keys + [f"{base}batch/missing"])
    assert fs.find(f"{base}batch", refresh=True) == []


COPY_SOURCE = f"{base}copy-source.json"


def put_copy_source():
    fs.pipe(COPY_SOURCE, b'{"copy":true}', ContentType="application/json", Metadata={"origin": "source"})
    return fs.info(COPY_SOURCE)


@scenario("copy-object-metadata-copy")
def test_copy_object_metadata_copy():
    source = put_copy_source()
    copy = f"{base}copy-of-source.json"
    fs.copy(COPY_SOURCE, copy)
    assert fs.cat(copy) == b'{"copy":true}'
    info = fs.info(copy)
    assert (info["ETag"], info["ContentType"]) == (source["ETag"], "application/json")
    assert fs.metadata(copy) == {"origin": "source"}


@scenario("copy-object-metadata-replace")
def test_copy_object_metadata_replace():
    put_copy_source()
    copy = f"{base}replaced-copy.txt"
    fs.copy(COPY_SOURCE, copy, MetadataDirective="REPLACE", ContentType="text/plain", Metadata={"origin": "replaced"})
    assert fs.cat(copy) == b'{"copy":true}'
    assert fs.info(copy)["ContentType"] == "text/plain"
    assert fs.metadata(copy) == {"origin": "replaced"}


def local_file(directory, name, data):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


@scenario("multipart-upload-40mib")
def test_multipart_upload_40mib():
    path = f"{base}big.bin"
    with tempfile.TemporaryDirectory() as tmp:
        # s3fs goes multipart from twice `chunksize` (50 MiB by default): 8 MiB parts here.
        fs.put_file(local_file(tmp, "big.bin", pattern_bytes(BIG_SIZE)), path, chunksize=8 * 1024 * 1024)
    info = fs.info(path)
    assert info["size"] == BIG_SIZE
    assert is_multipart_etag(info["ETag"]), info["ETag"]


@scenario("multipart-download-40mib")
def test_multipart_download_40mib():
    path = f"{base}big-download.bin"
    data = pattern_bytes(BIG_SIZE, b"download")
    fs.pipe(path, data)
    with tempfile.TemporaryDirectory() as tmp:
        local = os.path.join(tmp, "big.bin")
        fs.get_file(path, local)
        with open(local, "rb") as f:
            assert sha256(f.read()) == sha256(data)
    # A file opened for reading fetches blocks with ranged GETs.
    with fs.open(path, "rb", block_size=8 * 1024 * 1024) as f:
        assert sha256(f.read()) == sha256(data)


def checksum_round_trip(algorithm):
    path = f"{base}checksum-{algorithm.lower()}.txt"
    body = f"checksummed by {algorithm}\n".encode()
    put = fs.pipe(path, body, ChecksumAlgorithm=algorithm)
    assert put[0].get(f"Checksum{algorithm}")
    # botocore asks for and validates the checksum of a GetObject by default (when_supported).
    assert fs.cat(path) == body


@scenario("checksum-crc32")
def test_checksum_crc32():
    checksum_round_trip("CRC32")


@scenario("checksum-sha1")
def test_checksum_sha1():
    checksum_round_trip("SHA1")


@scenario("checksum-sha256")
def test_checksum_sha256():
    checksum_round_trip("SHA256")


@scenario("presigned-get")
def test_presigned_get():
    path = f"{base}presigned get.txt"
    fs.pipe(path, b"fetched without an SDK")
    url = fs.url(path, expires=300)
    assert plain_http(url, cafile=ca_file) == (200, b"fetched without an SDK")


@scenario("presigned-put")
def test_presigned_put():
    path = f"{base}presigned put.txt"
    url = fs.url(path, expires=300, client_method="put_object")
    status, body = plain_http(url, method="PUT", body=b"uploaded without an SDK", cafile=ca_file)
    assert status == 200, body[:500]
    assert fs.cat(path) == b"uploaded without an SDK"


@scenario("no-such-key")
def test_no_such_key():
    path = f"{base}does-not-exist"
    with pytest.raises(FileNotFoundError):
        fs.cat(path)
    with pytest.raises(FileNotFoundError):
        fs.info(path)


# s3fs reads start with a HeadObject, whose 403 has no body to name the error: botocore reports the
# status as the code. A write's refusal carries the code, so refusals are checked on both.
HEAD_REFUSED = "403"


@scenario("refusal-other-bucket")
def test_refusal_other_bucket():
    path = f"{target.bucket2}/{prefix}not-yours.txt"
    assert s3_error_of(PermissionError, fs.pipe, path, b"x") == "AccessDenied"
    assert s3_error_of(PermissionError, fs.cat_file, path) == HEAD_REFUSED


@scenario("refusal-wrong-secret")
def test_refusal_wrong_secret():
    other = filesystem(secret=target.secret_key[:-4] + "XXXX")
    assert s3_error_of(PermissionError, other.cat_file, f"{base}any") == HEAD_REFUSED
    assert s3_error_of(PermissionError, other.pipe, f"{base}any", b"x") == "SignatureDoesNotMatch"


@scenario("refusal-unknown-access-key")
def test_refusal_unknown_access_key():
    other = filesystem(key="AKIAUNKNOWNKEY000000")
    assert s3_error_of(PermissionError, other.cat_file, f"{base}any") == HEAD_REFUSED
    assert s3_error_of(PermissionError, other.pipe, f"{base}any", b"x") == "InvalidAccessKeyId"


@scenario("refusal-list-buckets")
def test_refusal_list_buckets():
    assert s3_error_of(PermissionError, filesystem().ls, "") == "AccessDenied"


@scenario("refusal-create-bucket")
def test_refusal_create_bucket():
    assert s3_error_of(PermissionError, fs.mkdir, f"{bucket}-new") == "AccessDenied"


@scenario("refusal-abort-multipart-upload")
def test_refusal_abort_multipart_upload():
    path = f"{base}abandoned-upload.bin"
    f = fs.open(path, "wb", block_size=5 * 1024 * 1024)
    f.write(pattern_bytes(6 * 1024 * 1024))
    f.flush()  # past one block: CreateMultipartUpload and the first UploadPart
    assert f.mpu["UploadId"]
    # discard() is how an s3fs user abandons a write: it aborts the multipart upload.
    assert s3_error_of(PermissionError, f.discard) == "AccessDenied"


FRAME = pd.DataFrame({"id": range(1000), "name": [f"row {i} ü" for i in range(1000)], "value": [i / 7 for i in range(1000)]})


@scenario("flow-parquet")
def test_flow_parquet():
    url = f"s3://{base}data/frame.parquet"
    FRAME.to_parquet(url, storage_options=storage_options(), index=False)
    pd.testing.assert_frame_equal(pd.read_parquet(url, storage_options=storage_options()), FRAME)


@scenario("flow-csv")
def test_flow_csv():
    url = f"s3://{base}data/frame.csv"
    FRAME.to_csv(url, storage_options=storage_options(), index=False)
    pd.testing.assert_frame_equal(pd.read_csv(url, storage_options=storage_options()), FRAME, check_dtype=False)


@scenario("flow-small-files")
def test_flow_small_files():
    names = [f"file-{i}.txt" for i in range(5)]
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            local_file(tmp, name, name.encode() * 10)
        fs.put(f"{tmp}/", f"{base}small/", recursive=True)
    assert fs.ls(f"{base}small", refresh=True) == [f"{base}small/{n}" for n in names]
    assert fs.cat([f"{base}small/{n}" for n in names]) == {f"{base}small/{n}": n.encode() * 10 for n in names}
    fs.rm(f"{base}small", recursive=True)
    assert fs.find(f"{base}small", refresh=True) == []


@scenario("flow-large-file")
def test_flow_large_file():
    # put goes multipart from twice its chunksize (50 MiB by default): 8 MiB parts keep the file small.
    data = pattern_bytes(BIG_SIZE, b"large flow")
    path = f"{base}large.bin"
    with tempfile.TemporaryDirectory() as tmp:
        fs.put(local_file(tmp, "large.bin", data), path, chunksize=8 * 1024 * 1024)
        assert is_multipart_etag(fs.info(path)["ETag"])
        fs.get(path, os.path.join(tmp, "back.bin"))
        with open(os.path.join(tmp, "back.bin"), "rb") as f:
            assert sha256(f.read()) == sha256(data)
    fs.rm(path)
    assert not fs.exists(path)
