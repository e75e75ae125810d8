"""The polars runner: polars' own cloud I/O (the Rust object_store crate underneath), configured as the
polars user guide tells a user to point it at S3-compatible storage: `storage_options` with
`aws_endpoint_url`, `aws_access_key_id`, `aws_secret_access_key`, `aws_region`, and `aws_allow_http`
for an http endpoint (https://docs.pola.rs/user-guide/io/cloud-storage/; the keys are object_store's
AmazonS3ConfigKey names). polars has no storage option for a private CA: it trusts the file named by
SSL_CERT_FILE (pola-rs/polars#13741), so that is what the https run sets."""

import functools
import os
import re
from concurrent.futures import ThreadPoolExecutor

from clients_support import BIG_SIZE, ca_file, checker, is_multipart_etag, report_not_expressible, target

if ca_file:
    os.environ["SSL_CERT_FILE"] = ca_file

import polars as pl  # noqa: E402 (after SSL_CERT_FILE, which its HTTP client reads when it is built)
import pytest  # noqa: E402

from conformance_support import Recorder, run_prefix  # noqa: E402

recorder = Recorder("polars", f"polars {pl.__version__} (object_store)", target.transport)


def scenario(scenario_id):
    """recorder.scenario, with the last link of object_store's cause chain ("Caused by: … 1: invalid peer
    certificate: …") put first: the message ends with it, past what MATRIX.md shows of a detail."""
    def decorate(test):
        @functools.wraps(test)
        def run(*args, **kwargs):
            try:
                return test(*args, **kwargs)
            except Exception as err:
                causes = re.findall(r"(?:\n|\\n)\s*\d+: ([^'\n\\]+)", str(err))
                if not causes:
                    raise
                raise type(err)(f"{causes[-1]} (from: {str(err)[:600]})") from err
        return recorder.scenario(scenario_id)(run)
    return decorate


prefix = run_prefix("polars", target.transport)
bucket = target.bucket
base = f"s3://{bucket}/{prefix}"
check = checker()


def storage_options(access_key=target.access_key, secret_key=target.secret_key):
    options = {"aws_endpoint_url": target.endpoint, "aws_access_key_id": access_key,
               "aws_secret_access_key": secret_key, "aws_region": target.region}
    if target.transport == "http":
        options["aws_allow_http"] = "true"
    return options


OPTIONS = storage_options()
FRAME = pl.DataFrame({"id": range(1000), "name": [f"row {i} ü" for i in range(1000)], "value": [i / 7 for i in range(1000)]})


def key_of(url):
    return url.removeprefix(f"s3://{bucket}/")


NOT_AN_OBJECT_CLIENT = ("polars writes and reads data files only (Parquet, CSV, IPC, NDJSON): it cannot put arbitrary "
                        "bytes, delete, copy or set headers")
NO_DELETE = "polars has no call that deletes an object"
INTERNAL = "polars decides its own requests (ranges, listing) from the file format; the API cannot ask for this one"
NO_BUCKET_CALLS = "polars has no bucket-level calls (it never lists, heads or creates buckets)"
report_not_expressible(recorder, {
    "object-round-trip": NOT_AN_OBJECT_CLIENT,
    "zero-byte-object": NOT_AN_OBJECT_CLIENT,
    "metadata-and-content-headers": NOT_AN_OBJECT_CLIENT,
    "key-trailing-slash": "polars writes data files; it cannot create an empty 'folder/' object",
    "range-get": INTERNAL,
    "range-suffix": INTERNAL,
    "range-unsatisfiable": INTERNAL,
    "conditional-get-not-modified": "polars sends no conditional headers",
    "conditional-get-precondition-failed": "polars sends no conditional headers",
    "conditional-put-if-none-match": "polars sends no conditional headers",
    "list-delimiter-prefix": INTERNAL,
    "list-v1-marker": INTERNAL,
    "get-bucket-location": NO_BUCKET_CALLS,
    "head-bucket": NO_BUCKET_CALLS,
    "delete-objects-batch": NO_DELETE,
    "copy-object-metadata-copy": NOT_AN_OBJECT_CLIENT,
    "copy-object-metadata-replace": NOT_AN_OBJECT_CLIENT,
    "checksum-crc32": "polars sends no x-amz-checksum-* values",
    "checksum-crc32c": "polars sends no x-amz-checksum-* values",
    "checksum-crc64nvme": "polars sends no x-amz-checksum-* values",
    "checksum-sha1": "polars sends no x-amz-checksum-* values",
    "checksum-sha256": "polars sends no x-amz-checksum-* values",
    "presigned-get": "polars does not presign URLs",
    "presigned-put": "polars does not presign URLs",
    "presigned-post": "polars does not presign URLs",
    "refusal-list-buckets": NO_BUCKET_CALLS,
    "refusal-create-bucket": NO_BUCKET_CALLS,
    "refusal-abort-multipart-upload": "polars aborts a multipart upload only internally, when a write fails",
})

SPECIAL_KEYS = {
    "key-with-space": "folder with space/file name.parquet",
    "key-with-plus": "a+b=c/1+1.parquet",
    "key-with-percent": "100% done/literal%20not-a-space.parquet",
    "key-unicode": "ünïcødé/日本語/✓ 🚀.parquet",
}
# polars' glob listing sends the directory as an object_store path, percent-encoded: for '100% done/'
# the wire shows `prefix=100%2525+done%2F` (the prefix "100%25 done/"), for 'ünï/' `prefix=%25C3%25BCn…`,
# which match no key on any S3 server. Those keys still write and read back exactly.
GLOB_WIRE = {"key-with-percent": "prefix=…%2F100%2525+done%2F for '100% done/'",
             "key-unicode": "prefix=…%2F%25C3%25BCn%25C3%25AF… for 'ünï…/'"}
GLOB_ENCODES = set(GLOB_WIRE)
report_not_expressible(recorder, {
    "key-double-slash": "polars refuses the path before sending anything: 'contained empty path segment'",
})


def special_key_round_trip(scenario_id):
    """Written and read back, the stored key checked exactly, then found by a glob scan (polars lists the
    directory). Deleting is not expressible with polars."""
    directory = f"{base}{scenario_id}/"
    url = directory + SPECIAL_KEYS[scenario_id]
    FRAME.write_parquet(url, storage_options=OPTIONS)
    assert pl.read_parquet(url, storage_options=OPTIONS).equals(FRAME)
    listed = check.list_objects_v2(Bucket=bucket, Prefix=key_of(directory))
    assert [o["Key"] for o in listed["Contents"]] == [key_of(url)]
    if scenario_id not in GLOB_ENCODES:
        parent = url.rsplit("/", 1)[0]
        assert pl.scan_parquet(f"{parent}/*.parquet", storage_options=OPTIONS).collect().equals(FRAME)


@pytest.mark.parametrize("scenario_id", sorted(set(SPECIAL_KEYS) - GLOB_ENCODES))
def test_special_keys(scenario_id):
    scenario(scenario_id)(special_key_round_trip)(scenario_id)


@pytest.mark.parametrize("scenario_id", sorted(GLOB_ENCODES))
def test_special_keys_glob_encoded(scenario_id):
    # A failure is recorded as such; success is then reported as not expressible, for the listing.
    scenario(scenario_id)(special_key_round_trip)(scenario_id)
    recorder.not_expressible(scenario_id, "the key writes and reads back exactly (checked), but polars' glob listing sends "
                             f"the directory percent-encoded ({GLOB_WIRE[scenario_id]}), which matches no key on any S3; "
                             "polars cannot delete")


@scenario("list-v2-paginated")
def test_list_v2_paginated():
    # 2,500 small CSV files, then one glob scan over them: polars lists them (more than one page) and reads each.
    directory = f"{base}many/"
    frames = [pl.DataFrame({"n": [i]}) for i in range(2500)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: frames[i].write_csv(f"{directory}{i:05d}.csv", storage_options=OPTIONS), range(2500)))
    got = pl.scan_csv(f"{directory}*.csv", storage_options=OPTIONS).collect()
    assert sorted(got["n"].to_list()) == list(range(2500))


BIG_FRAME = pl.DataFrame({"x": pl.int_range(0, BIG_SIZE // 8, eager=True).hash(7)})


@scenario("multipart-upload-40mib")
def test_multipart_upload_40mib():
    url = f"{base}big.parquet"
    BIG_FRAME.write_parquet(url, storage_options=OPTIONS, compression="uncompressed")
    head = check.head_object(Bucket=bucket, Key=key_of(url))
    assert head["ContentLength"] >= BIG_SIZE
    assert is_multipart_etag(head["ETag"]), head["ETag"]


@scenario("multipart-download-40mib")
def test_multipart_download_40mib():
    url = f"{base}big-download.parquet"
    BIG_FRAME.write_parquet(url, storage_options=OPTIONS, compression="uncompressed", row_group_size=BIG_SIZE // 64)
    # polars reads the footer, then the row groups with ranged GETs.
    assert pl.read_parquet(url, storage_options=OPTIONS).equals(BIG_FRAME)


def error_of(call, *args, **kwargs):
    with pytest.raises(Exception) as info:
        call(*args, **kwargs)
    return str(info.value)


@scenario("no-such-key")
def test_no_such_key():
    message = error_of(pl.read_parquet, f"{base}does-not-exist.parquet", storage_options=OPTIONS)
    assert "not found" in message.lower() or "NotFound" in message, message


@scenario("refusal-other-bucket")
def test_refusal_other_bucket():
    url = f"s3://{target.bucket2}/{prefix}not-yours.parquet"
    assert "AccessDenied" in error_of(FRAME.write_parquet, url, storage_options=OPTIONS)
    assert "AccessDenied" in error_of(pl.read_parquet, url, storage_options=OPTIONS)


@scenario("refusal-wrong-secret")
def test_refusal_wrong_secret():
    options = storage_options(secret_key=target.secret_key[:-4] + "XXXX")
    assert "SignatureDoesNotMatch" in error_of(FRAME.write_parquet, f"{base}any.parquet", storage_options=options)


@scenario("refusal-unknown-access-key")
def test_refusal_unknown_access_key():
    options = storage_options(access_key="AKIAUNKNOWNKEY000000")
    assert "InvalidAccessKeyId" in error_of(FRAME.write_parquet, f"{base}any.parquet", storage_options=options)


@scenario("flow-parquet")
def test_flow_parquet():
    url = f"{base}data/frame.parquet"
    FRAME.write_parquet(url, storage_options=OPTIONS)
    assert pl.read_parquet(url, storage_options=OPTIONS).equals(FRAME)
    assert pl.scan_parquet(url, storage_options=OPTIONS).filter(pl.col("id") < 10).collect().equals(FRAME.head(10))


@scenario("flow-csv")
def test_flow_csv():
    url = f"{base}data/frame.csv"
    FRAME.write_csv(url, storage_options=OPTIONS)
    assert pl.read_csv(url, storage_options=OPTIONS).equals(FRAME)


@scenario("flow-small-files")
def test_flow_small_files():
    # Several small files, found again by a glob (a listing) and read back; polars cannot delete them.
    directory = f"{base}small/"
    for i in range(5):
        FRAME.slice(i * 10, 10).write_csv(f"{directory}part-{i}.csv", storage_options=OPTIONS)
    got = pl.scan_csv(f"{directory}*.csv", storage_options=OPTIONS).collect().sort("id")
    assert got.equals(FRAME.head(50))


@scenario("flow-large-file")
def test_flow_large_file():
    url = f"{base}large.parquet"
    BIG_FRAME.write_parquet(url, storage_options=OPTIONS, compression="uncompressed")
    assert is_multipart_etag(check.head_object(Bucket=bucket, Key=key_of(url))["ETag"])
    assert pl.read_parquet(url, storage_options=OPTIONS).equals(BIG_FRAME)
