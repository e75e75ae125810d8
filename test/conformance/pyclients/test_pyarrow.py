"""The pyarrow runner: `pyarrow.fs.S3FileSystem` (the AWS SDK for C++ underneath), configured as Arrow's
documentation tells a user to point it at an S3-compatible server: `endpoint_override` (host:port),
`scheme`, `access_key`, `secret_key`, `region`, and over https `tls_ca_file_path` for a private CA
(https://arrow.apache.org/docs/python/filesystems.html#s3 and
https://arrow.apache.org/docs/python/generated/pyarrow.fs.S3FileSystem.html)."""

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from clients_support import (BIG_SIZE, ca_file, checker, is_multipart_etag, pattern_bytes, report_not_expressible,
                             sha256, target)
from conformance_support import Recorder, run_prefix

recorder = Recorder("pyarrow", f"pyarrow {pa.__version__} (S3FileSystem, AWS SDK for C++)", target.transport)
scenario = recorder.scenario
prefix = run_prefix("pyarrow", target.transport)
bucket = target.bucket
base = f"{bucket}/{prefix}"
check = checker()


def filesystem(access_key=target.access_key, secret_key=target.secret_key, **extra):
    scheme, host = target.endpoint.split("://", 1)
    return pafs.S3FileSystem(access_key=access_key, secret_key=secret_key, region=target.region, scheme=scheme,
                             endpoint_override=host.rstrip("/"), tls_ca_file_path=ca_file, **extra)


fs = filesystem()


def write(path, data, metadata=None, filesystem=None):
    with (filesystem or fs).open_output_stream(path, metadata=metadata) as out:
        out.write(data)


def read(path):
    with fs.open_input_stream(path) as stream:
        return stream.read()


def files_under(path):
    return [info.path for info in fs.get_file_info(pafs.FileSelector(path, recursive=True, allow_not_found=True))
            if info.type == pafs.FileType.File]


def os_error_of(call, *args, **kwargs):
    """The message of the OSError a call fails with (pyarrow names the AWS error in it)."""
    with pytest.raises(OSError) as info:
        call(*args, **kwargs)
    return str(info.value)


NO_CONDITIONS = "pyarrow's S3FileSystem has no conditional request options (If-Match, If-None-Match)"
NO_CHECKSUMS = "pyarrow's S3FileSystem has no option to send or request x-amz-checksum-* values"
NO_PRESIGN = "pyarrow's S3FileSystem does not presign URLs"
report_not_expressible(recorder, {
    "metadata-and-content-headers": "pyarrow's output stream sends only the metadata keys ACL, Cache-Control, Content-Type, "
                                    "Content-Language and Expires: no user metadata (x-amz-meta-*) and no Content-Disposition",
    "key-double-slash": "pyarrow refuses the path before sending anything: ArrowInvalid 'Empty path component'",
    "range-suffix": "pyarrow reads by offset and length (read_at) after a HEAD; it never sends a suffix range",
    "range-unsatisfiable": "pyarrow clamps reads to the size it got from HEAD; it never asks for a range past the end",
    "conditional-get-not-modified": NO_CONDITIONS,
    "conditional-get-precondition-failed": NO_CONDITIONS,
    "conditional-put-if-none-match": NO_CONDITIONS,
    "list-v1-marker": "pyarrow lists with ListObjectsV2 only",
    "get-bucket-location": "pyarrow.fs.resolve_s3_region asks AWS's own endpoint; it takes no endpoint override",
    "copy-object-metadata-replace": "pyarrow's copy_file always copies the metadata (no MetadataDirective)",
    "checksum-crc32": NO_CHECKSUMS,
    "checksum-crc32c": NO_CHECKSUMS,
    "checksum-crc64nvme": NO_CHECKSUMS,
    "checksum-sha1": NO_CHECKSUMS,
    "checksum-sha256": NO_CHECKSUMS,
    "presigned-get": NO_PRESIGN,
    "presigned-put": NO_PRESIGN,
    "presigned-post": NO_PRESIGN,
    "refusal-abort-multipart-upload": "pyarrow aborts a multipart upload only internally (an output stream that fails); "
                                      "it has no call that aborts one",
})


@scenario("object-round-trip")
def test_object_round_trip():
    path = f"{base}round-trip.txt"
    body = b"hello from the pyarrow conformance runner\n"
    write(path, body)
    info = fs.get_file_info(path)
    assert (info.type, info.size) == (pafs.FileType.File, len(body))
    assert read(path) == body
    fs.delete_file(path)
    assert fs.get_file_info(path).type == pafs.FileType.NotFound
    with pytest.raises(FileNotFoundError):
        read(path)


@scenario("zero-byte-object")
def test_zero_byte_object():
    path = f"{base}empty"
    write(path, b"")
    assert fs.get_file_info(path).size == 0
    assert read(path) == b""


SPECIAL_KEYS = {
    "key-with-space": "folder with space/file name.txt",
    "key-with-plus": "a+b=c/1+1.txt",
    "key-with-percent": "100% done/literal%20not-a-space.txt",
    "key-unicode": "ünïcødé/日本語/✓ 🚀.txt",
}


@pytest.mark.parametrize("scenario_id", SPECIAL_KEYS)
def test_special_keys(scenario_id):
    @scenario(scenario_id)
    def round_trip():
        directory = f"{base}{scenario_id}"
        path = f"{directory}/{SPECIAL_KEYS[scenario_id]}"
        write(path, path.encode())
        assert read(path) == path.encode()
        assert files_under(directory) == [path]
        fs.delete_file(path)
        assert files_under(directory) == []
    round_trip()


@scenario("key-trailing-slash")
def test_key_trailing_slash():
    # create_dir is pyarrow's way to make a "folder": an empty object whose key ends in '/'.
    fs.create_dir(f"{base}folder")
    assert fs.get_file_info(f"{base}folder").type == pafs.FileType.Directory
    listed = check.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}folder")
    assert [(o["Key"], o["Size"]) for o in listed["Contents"]] == [(f"{prefix}folder/", 0)]


RANGE_PATH = f"{base}range.txt"


@scenario("range-get")
def test_range_get():
    write(RANGE_PATH, b"0123456789abcdefghij")
    with fs.open_input_file(RANGE_PATH) as f:
        assert f.read_at(4, 2) == b"2345"


@scenario("list-v2-paginated")
def test_list_v2_paginated():
    directory = f"{base}many"
    expected = [f"{directory}/{i:05d}" for i in range(2500)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda path: write(path, path.encode()), expected))
    # More than one page of 1,000: pyarrow follows the continuation tokens itself.
    assert sorted(files_under(directory)) == expected


@scenario("list-delimiter-prefix")
def test_list_delimiter_prefix():
    directory = f"{base}tree"
    for name in ["a/1.txt", "a/2.txt", "b/deep/3.txt", "top.txt"]:
        write(f"{directory}/{name}", name.encode())
    listed = fs.get_file_info(pafs.FileSelector(directory, recursive=False))
    assert sorted((i.path, i.type) for i in listed) == [
        (f"{directory}/a", pafs.FileType.Directory), (f"{directory}/b", pafs.FileType.Directory),
        (f"{directory}/top.txt", pafs.FileType.File)]


@scenario("head-bucket")
def test_head_bucket():
    assert fs.get_file_info(bucket).type == pafs.FileType.Directory


@scenario("delete-objects-batch")
def test_delete_objects_batch():
    # delete_dir_contents lists the directory and deletes what it found with DeleteObjects (a missing
    # key cannot be named: that half of the scenario is not expressible with pyarrow).
    directory = f"{base}batch"
    for i in range(1, 4):
        write(f"{directory}/d{i}", b"x")
    fs.delete_dir_contents(directory)
    assert files_under(directory) == []


@scenario("copy-object-metadata-copy")
def test_copy_object_metadata_copy():
    source, copy = f"{base}copy-source.json", f"{base}copy-of-source.json"
    write(source, b'{"copy":true}', metadata={"Content-Type": "application/json"})
    fs.copy_file(source, copy)
    assert read(copy) == b'{"copy":true}'
    with fs.open_input_stream(copy) as stream:
        assert stream.metadata()["Content-Type"] == b"application/json"
    heads = [check.head_object(Bucket=bucket, Key=p.split("/", 1)[1]) for p in (source, copy)]
    assert heads[0]["ETag"] == heads[1]["ETag"]


@scenario("multipart-upload-40mib")
def test_multipart_upload_40mib():
    path = f"{base}big.bin"
    write(path, pattern_bytes(BIG_SIZE))
    head = check.head_object(Bucket=bucket, Key=path.split("/", 1)[1])
    assert head["ContentLength"] == BIG_SIZE
    assert is_multipart_etag(head["ETag"]), head["ETag"]


@scenario("multipart-download-40mib")
def test_multipart_download_40mib():
    path = f"{base}big-download.bin"
    data = pattern_bytes(BIG_SIZE, b"download")
    write(path, data)
    with tempfile.TemporaryDirectory() as tmp:
        pafs.copy_files(path, os.path.join(tmp, "big.bin"), source_filesystem=fs, destination_filesystem=pafs.LocalFileSystem())
        with open(os.path.join(tmp, "big.bin"), "rb") as f:
            assert sha256(f.read()) == sha256(data)


@scenario("no-such-key")
def test_no_such_key():
    path = f"{base}does-not-exist"
    with pytest.raises(FileNotFoundError):
        read(path)
    assert fs.get_file_info(path).type == pafs.FileType.NotFound


@scenario("refusal-other-bucket")
def test_refusal_other_bucket():
    path = f"{target.bucket2}/{prefix}not-yours.txt"
    assert "ACCESS_DENIED" in os_error_of(write, path, b"x")
    assert "ACCESS_DENIED" in os_error_of(read, path)


# pyarrow reads start with a HEAD, whose refusal has no body to name the error: its 403 is all a read
# shows. A write's refusal carries S3's message (pyarrow shows the message, not the code), so the
# signature refusals are checked on both.
@scenario("refusal-wrong-secret")
def test_refusal_wrong_secret():
    other = filesystem(secret_key=target.secret_key[:-4] + "XXXX")
    assert "ACCESS_DENIED during HeadObject" in os_error_of(other.open_input_stream, f"{base}any")
    assert "The request signature we calculated does not match the signature you provided" in os_error_of(write, f"{base}any", b"x", filesystem=other)


@scenario("refusal-unknown-access-key")
def test_refusal_unknown_access_key():
    other = filesystem(access_key="AKIAUNKNOWNKEY000000")
    assert "ACCESS_DENIED during HeadObject" in os_error_of(other.open_input_stream, f"{base}any")
    assert "The AWS Access Key Id you provided does not exist in our records" in os_error_of(write, f"{base}any", b"x", filesystem=other)


@scenario("refusal-list-buckets")
def test_refusal_list_buckets():
    assert "ACCESS_DENIED during ListBuckets" in os_error_of(fs.get_file_info, pafs.FileSelector(""))


@scenario("refusal-create-bucket")
def test_refusal_create_bucket():
    # pyarrow asks HeadBucket first and creates only on 404; the emulator refuses that HeadBucket on a
    # bucket the credentials do not own, so the refusal comes one call earlier than CreateBucket.
    creator = filesystem(allow_bucket_creation=True)
    assert "ACCESS_DENIED" in os_error_of(creator.create_dir, f"{bucket}-new")


TABLE = pa.table({"id": list(range(1000)), "name": [f"row {i} ü" for i in range(1000)], "value": [i / 7 for i in range(1000)]})


@scenario("flow-parquet")
def test_flow_parquet():
    path = f"{base}data/table.parquet"
    pq.write_table(TABLE, path, filesystem=fs)
    assert pq.read_table(path, filesystem=fs).equals(TABLE)
    # A dataset over the directory lists it first, as a user reading a folder of files does.
    assert pq.ParquetDataset(f"{base}data", filesystem=fs).read().equals(TABLE)


@scenario("flow-csv")
def test_flow_csv():
    path = f"{base}data-csv/table.csv"
    with fs.open_output_stream(path) as out:
        pacsv.write_csv(TABLE, out)
    with fs.open_input_stream(path) as stream:
        assert pacsv.read_csv(stream).equals(TABLE)


@scenario("flow-small-files")
def test_flow_small_files():
    with tempfile.TemporaryDirectory() as tmp:
        names = [f"file-{i}.txt" for i in range(5)]
        for name in names:
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(name.encode() * 10)
        pafs.copy_files(tmp, f"{base}small", source_filesystem=pafs.LocalFileSystem(), destination_filesystem=fs)
    assert sorted(files_under(f"{base}small")) == [f"{base}small/{n}" for n in names]
    for name in names:
        assert read(f"{base}small/{name}") == name.encode() * 10
    fs.delete_dir(f"{base}small")
    assert files_under(f"{base}small") == []


@scenario("flow-large-file")
def test_flow_large_file():
    data = pattern_bytes(BIG_SIZE, b"large flow")
    with tempfile.TemporaryDirectory() as tmp:
        local = os.path.join(tmp, "large.bin")
        with open(local, "wb") as f:
            f.write(data)
        pafs.copy_files(local, f"{base}large.bin", source_filesystem=pafs.LocalFileSystem(), destination_filesystem=fs)
    assert is_multipart_etag(check.head_object(Bucket=bucket, Key=f"{prefix}large.bin")["ETag"])
    assert sha256(read(f"{base}large.bin")) == sha256(data)
    fs.delete_file(f"{base}large.bin")
    assert fs.get_file_info(f"{base}large.bin").type == pafs.FileType.NotFound
