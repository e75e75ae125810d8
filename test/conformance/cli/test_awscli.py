"""The AWS CLI runner: `aws s3 …` and `aws s3api …` from the awscli package, with the bucket's
credentials in the standard AWS_* variables and --endpoint-url, driven by pytest."""

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))
from conformance_support import Recorder, Target, plain_http, run_prefix  # noqa: E402

target = Target()
isolated = tempfile.mkdtemp(prefix="smll-awscli-")


def credentials_env(access_key=target.access_key, secret_key=target.secret_key):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k == "AWS_CA_BUNDLE"}
    env.update({
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "AWS_DEFAULT_REGION": target.region,
        # No profile or config from the machine running the suite.
        "AWS_CONFIG_FILE": os.path.join(isolated, "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(isolated, "credentials"),
    })
    return env


def aws(*args, env=None, stdin=None):
    """Runs `aws ARGS --endpoint-url …`; returns stdout (parsed when JSON); raises CliError on a non-zero exit."""
    completed = subprocess.run(["aws", *args, "--endpoint-url", target.endpoint], env=env or credentials_env(),
                               input=stdin, capture_output=True, timeout=600)
    if completed.returncode != 0:
        raise CliError(completed.returncode, completed.stderr.decode(errors="replace"))
    out = completed.stdout.decode()
    try:
        return json.loads(out) if out.strip().startswith("{") else out
    except json.JSONDecodeError:
        return out


class CliError(Exception):
    def __init__(self, exit_code, stderr):
        super().__init__(f"aws exited with {exit_code}: {stderr.strip()[:1500]}")
        match = re.search(r"An error occurred \(([^)]+)\)", stderr)
        self.code = match.group(1) if match else None


def error_code_of(*args, env=None):
    with pytest.raises(CliError) as info:
        aws(*args, env=env)
    return info.value.code


version = subprocess.run(["aws", "--version"], capture_output=True, text=True).stdout.strip() or "unknown"
recorder = Recorder("cli", version.split(" Python/")[0].replace("aws-cli/", "aws-cli ") + (
    f" (botocore {version.split('botocore/')[1]})" if "botocore/" in version else ""), target.transport)
scenario = recorder.scenario
prefix = run_prefix("cli", target.transport)
bucket = target.bucket
work = Path(tempfile.mkdtemp(prefix="smll-awscli-files-"))


def s3url(key, bucket_name=bucket):
    return f"s3://{bucket_name}/{key}"


def local_file(name, body):
    path = work / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return str(path)


def get_body(key, **options):
    """`aws s3api get-object` into a file: returns (response JSON, body bytes)."""
    out = work / f"get-{hashlib.md5(key.encode()).hexdigest()}"
    extra = [item for name, value in options.items() for item in (f"--{name}", value)]
    response = aws("s3api", "get-object", "--bucket", bucket, "--key", key, *extra, str(out))
    return response, out.read_bytes()


def keys_under(key_prefix):
    listing = aws("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", key_prefix)
    return [o["Key"] for o in (listing.get("Contents", []) if isinstance(listing, dict) else [])]


@scenario("object-round-trip")
def test_object_round_trip():
    key = f"{prefix}round-trip.txt"
    body = b"hello from the AWS CLI conformance runner\n"
    aws("s3", "cp", local_file("round-trip.txt", body), s3url(key))
    head = aws("s3api", "head-object", "--bucket", bucket, "--key", key)
    assert head["ContentLength"] == len(body)
    assert head["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    assert aws("s3", "cp", s3url(key), "-") == body.decode()
    aws("s3", "rm", s3url(key))
    assert error_code_of("s3api", "get-object", "--bucket", bucket, "--key", key, str(work / "gone")) == "NoSuchKey"


@scenario("zero-byte-object")
def test_zero_byte_object():
    key = f"{prefix}empty"
    put = aws("s3api", "put-object", "--bucket", bucket, "--key", key)
    assert put["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    response, body = get_body(key)
    assert response["ContentLength"] == 0
    assert body == b""


@scenario("metadata-and-content-headers")
def test_metadata_and_content_headers():
    key = f"{prefix}with-headers.html"
    aws("s3api", "put-object", "--bucket", bucket, "--key", key, "--body", local_file("page.html", b"<p>hi</p>"),
        "--content-type", "text/html; charset=utf-8", "--cache-control", "max-age=60, public",
        "--content-disposition", 'attachment; filename="report.html"', "--content-language", "de-CH",
        "--metadata", json.dumps({"color": "blue", "multi-word": "two words"}))
    for got in (aws("s3api", "head-object", "--bucket", bucket, "--key", key), get_body(key)[0]):
        assert got["ContentType"] == "text/html; charset=utf-8"
        assert got["CacheControl"] == "max-age=60, public"
        assert got["ContentDisposition"] == 'attachment; filename="report.html"'
        assert got["ContentLanguage"] == "de-CH"
        assert got["Metadata"] == {"color": "blue", "multi-word": "two words"}


SPECIAL_KEYS = {
    "key-with-space": "folder with space/file name.txt",
    "key-with-plus": "a+b=c/1+1.txt",
    "key-with-percent": "100% done/literal%20not-a-space.txt",
    "key-unicode": "ünïcødé/日本語/✓ 🚀.txt",
    "key-double-slash": "a//b///c.txt",
}


def special_key_round_trip(scenario_id):
    key_prefix = f"{prefix}{scenario_id}/"
    name = SPECIAL_KEYS[scenario_id]
    key = key_prefix + name
    body = f"body of {name}".encode()
    aws("s3", "cp", local_file(f"{scenario_id}.txt", body), s3url(key))
    assert aws("s3", "cp", s3url(key), "-").encode() == body
    # `aws s3 ls --recursive` prints "date time size key"; the key may itself contain spaces.
    listed = [line.split(None, 3)[3] for line in aws("s3", "ls", "--recursive", s3url(key_prefix)).splitlines() if line.strip()]
    assert listed == [key]
    aws("s3", "rm", s3url(key))
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
    # `aws s3 cp` treats a trailing '/' as "into this folder": a folder key takes s3api.
    key_prefix = f"{prefix}key-trailing-slash/"
    key = f"{key_prefix}folder/"
    aws("s3api", "put-object", "--bucket", bucket, "--key", key)
    assert get_body(key)[1] == b""
    assert keys_under(key_prefix) == [key]
    aws("s3api", "delete-object", "--bucket", bucket, "--key", key)
    assert keys_under(key_prefix) == []


RANGE_KEY = f"{prefix}range.txt"
RANGE_BODY = b"0123456789abcdefghij"


def put_range_object():
    return aws("s3api", "put-object", "--bucket", bucket, "--key", RANGE_KEY, "--body", local_file("range.txt", RANGE_BODY))


@scenario("range-get")
def test_range_get():
    put_range_object()
    response, body = get_body(RANGE_KEY, range="bytes=2-5")
    assert response["ContentRange"] == f"bytes 2-5/{len(RANGE_BODY)}"
    assert body == b"2345"


@scenario("range-suffix")
def test_range_suffix():
    put_range_object()
    assert get_body(RANGE_KEY, range="bytes=-4")[1] == b"ghij"


@scenario("range-unsatisfiable")
def test_range_unsatisfiable():
    put_range_object()
    with pytest.raises(CliError) as info:
        get_body(RANGE_KEY, range=f"bytes={len(RANGE_BODY) + 10}-")
    assert info.value.code == "InvalidRange"


@scenario("conditional-get-not-modified")
def test_conditional_get_not_modified():
    etag = put_range_object()["ETag"]
    with pytest.raises(CliError) as info:
        get_body(RANGE_KEY, **{"if-none-match": etag})
    assert info.value.code == "304"


@scenario("conditional-get-precondition-failed")
def test_conditional_get_precondition_failed():
    put_range_object()
    with pytest.raises(CliError) as info:
        get_body(RANGE_KEY, **{"if-match": '"00000000000000000000000000000000"'})
    assert info.value.code == "PreconditionFailed"


@scenario("conditional-put-if-none-match")
def test_conditional_put_if_none_match():
    key = f"{prefix}create-only.txt"
    aws("s3api", "put-object", "--bucket", bucket, "--key", key, "--body", local_file("first.txt", b"first"), "--if-none-match", "*")
    assert error_code_of("s3api", "put-object", "--bucket", bucket, "--key", key, "--body", local_file("second.txt", b"second"),
                         "--if-none-match", "*") == "PreconditionFailed"
    assert get_body(key)[1] == b"first"


@scenario("list-v2-paginated")
def test_list_v2_paginated():
    key_prefix = f"{prefix}many/"
    folder = work / "many"
    names = [f"{i:05d}" for i in range(2500)]
    for name in names:
        local_file(f"many/{name}", name.encode())
    aws("s3", "sync", str(folder), s3url(key_prefix), "--only-show-errors")
    # The CLI follows ListObjectsV2 continuation tokens itself (1,000 keys a page).
    assert keys_under(key_prefix) == [key_prefix + name for name in names]
    listed = [line.split(None, 3)[3] for line in aws("s3", "ls", "--recursive", s3url(key_prefix)).splitlines() if line.strip()]
    assert len(listed) == 2500


@scenario("list-delimiter-prefix")
def test_list_delimiter_prefix():
    key_prefix = f"{prefix}tree/"
    for name in ["a/1.txt", "a/2.txt", "b/deep/3.txt", "top.txt"]:
        local_file(f"tree/{name}", name.encode())
    aws("s3", "sync", str(work / "tree"), s3url(key_prefix), "--only-show-errors")
    lines = [line.split() for line in aws("s3", "ls", s3url(key_prefix)).splitlines() if line.strip()]
    assert [parts[1] for parts in lines if parts[0] == "PRE"] == ["a/", "b/"]
    assert [parts[-1] for parts in lines if parts[0] != "PRE"] == ["top.txt"]
    listing = aws("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", key_prefix, "--delimiter", "/")
    assert [p["Prefix"] for p in listing["CommonPrefixes"]] == [f"{key_prefix}a/", f"{key_prefix}b/"]


@scenario("list-v1-marker")
def test_list_v1_marker():
    key_prefix = f"{prefix}v1/"
    expected = [f"{key_prefix}k{i}" for i in range(1, 6)]
    for i in range(1, 6):
        local_file(f"v1/k{i}", b"x")
    aws("s3", "sync", str(work / "v1"), s3url(key_prefix), "--only-show-errors")
    keys, marker, pages = [], "", 0
    while True:
        page = aws("s3api", "list-objects", "--bucket", bucket, "--prefix", key_prefix, "--max-keys", "2", "--marker", marker, "--no-paginate")
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
    location = aws("s3api", "get-bucket-location", "--bucket", bucket)
    assert (location.get("LocationConstraint") or "") == ("" if target.region == "us-east-1" else target.region)


@scenario("head-bucket")
def test_head_bucket():
    aws("s3api", "head-bucket", "--bucket", bucket)


@scenario("delete-objects-batch")
def test_delete_objects_batch():
    keys = [f"{prefix}batch/d{i}" for i in range(1, 4)]
    for i in range(1, 4):
        local_file(f"batch/d{i}", b"x")
    aws("s3", "sync", str(work / "batch"), s3url(f"{prefix}batch/"), "--only-show-errors")
    everything = keys + [f"{prefix}batch/missing"]
    result = aws("s3api", "delete-objects", "--bucket", bucket, "--delete", json.dumps({"Objects": [{"Key": k} for k in everything]}))
    assert sorted(d["Key"] for d in result.get("Deleted", [])) == sorted(everything)
    assert result.get("Errors", []) == []
    assert keys_under(f"{prefix}batch/") == []


COPY_SOURCE = f"{prefix}copy-source.json"


def put_copy_source():
    return aws("s3api", "put-object", "--bucket", bucket, "--key", COPY_SOURCE, "--body", local_file("source.json", b'{"copy":true}'),
               "--content-type", "application/json", "--metadata", "origin=source")


@scenario("copy-object-metadata-copy")
def test_copy_object_metadata_copy():
    source = put_copy_source()
    key = f"{prefix}copy-of-source.json"
    aws("s3", "cp", s3url(COPY_SOURCE), s3url(key))
    response, body = get_body(key)
    assert body == b'{"copy":true}'
    assert response["ETag"] == source["ETag"]
    assert response["ContentType"] == "application/json"
    assert response["Metadata"] == {"origin": "source"}


@scenario("copy-object-metadata-replace")
def test_copy_object_metadata_replace():
    put_copy_source()
    key = f"{prefix}replaced-copy.txt"
    aws("s3api", "copy-object", "--bucket", bucket, "--key", key, "--copy-source", f"{bucket}/{COPY_SOURCE}",
        "--metadata-directive", "REPLACE", "--content-type", "text/plain", "--metadata", "origin=replaced")
    response, body = get_body(key)
    assert body == b'{"copy":true}'
    assert response["ContentType"] == "text/plain"
    assert response["Metadata"] == {"origin": "replaced"}


BIG_SIZE = 40 * 1024 * 1024


def big_file(name):
    """40 MiB of deterministic bytes written 1 MiB at a time; returns (path, SHA-256)."""
    digest = hashlib.sha256()
    block = hashlib.sha256(b"awscli").digest() * (1 << 15)
    path = work / name
    with open(path, "wb") as out:
        for index in range(BIG_SIZE // len(block)):
            chunk = index.to_bytes(4, "big") + block[4:]
            out.write(chunk)
            digest.update(chunk)
    return str(path), digest.hexdigest()


@scenario("multipart-upload-40mib")
def test_multipart_upload_40mib():
    key = f"{prefix}big.bin"
    path, _ = big_file("big-upload.bin")
    aws("s3", "cp", path, s3url(key), "--only-show-errors")
    head = aws("s3api", "head-object", "--bucket", bucket, "--key", key)
    assert head["ContentLength"] == BIG_SIZE
    assert re.fullmatch(r'"[0-9a-f]{32}-\d+"', head["ETag"])


@scenario("multipart-download-40mib")
def test_multipart_download_40mib():
    key = f"{prefix}big-download.bin"
    path, expected = big_file("big-download-source.bin")
    aws("s3", "cp", path, s3url(key), "--only-show-errors")
    destination = work / "big-downloaded.bin"
    aws("s3", "cp", s3url(key), str(destination), "--only-show-errors")
    digest = hashlib.sha256()
    with open(destination, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    assert digest.hexdigest() == expected


def checksum_round_trip(algorithm):
    key = f"{prefix}checksum-{algorithm.lower()}.txt"
    body = f"checksummed by {algorithm}\n".encode()
    put = aws("s3api", "put-object", "--bucket", bucket, "--key", key, "--body", local_file(f"{algorithm}.txt", body),
              "--checksum-algorithm", algorithm)
    assert put.get(f"Checksum{algorithm}")
    response, got = get_body(key, **{"checksum-mode": "ENABLED"})
    assert got == body
    assert response.get(f"Checksum{algorithm}") == put[f"Checksum{algorithm}"]


@scenario("checksum-crc32")
def test_checksum_crc32():
    checksum_round_trip("CRC32")


for scenario_id in ("checksum-crc32c", "checksum-crc64nvme"):
    recorder.not_expressible(scenario_id, "awscli v1's botocore computes CRC32C and CRC64NVME only with the optional awscrt package, "
                             "which `pip install awscli` does not bring")


@scenario("checksum-sha1")
def test_checksum_sha1():
    checksum_round_trip("SHA1")


@scenario("checksum-sha256")
def test_checksum_sha256():
    checksum_round_trip("SHA256")


@scenario("presigned-get")
def test_presigned_get():
    key = f"{prefix}presigned get.txt"
    aws("s3", "cp", local_file("presigned.txt", b"fetched without an SDK"), s3url(key))
    url = aws("s3", "presign", s3url(key), "--expires-in", "300").strip()
    status, body = plain_http(url)
    assert (status, body) == (200, b"fetched without an SDK"), (url, body[:500])


recorder.not_expressible("presigned-put", "`aws s3 presign` presigns GET only; the CLI has no way to presign a PUT")
recorder.not_expressible("presigned-post", "the AWS CLI has no command that builds a presigned POST policy")


@scenario("no-such-key")
def test_no_such_key():
    key = f"{prefix}does-not-exist"
    assert error_code_of("s3api", "get-object", "--bucket", bucket, "--key", key, str(work / "missing")) == "NoSuchKey"
    assert error_code_of("s3api", "head-object", "--bucket", bucket, "--key", key) == "404"


@scenario("refusal-other-bucket")
def test_refusal_other_bucket():
    key = f"{prefix}not-yours.txt"
    assert error_code_of("s3api", "put-object", "--bucket", target.bucket2, "--key", key) == "AccessDenied"
    assert error_code_of("s3api", "get-object", "--bucket", target.bucket2, "--key", key, str(work / "not-yours")) == "AccessDenied"


@scenario("refusal-wrong-secret")
def test_refusal_wrong_secret():
    env = credentials_env(secret_key=target.secret_key[:-4] + "XXXX")
    assert error_code_of("s3api", "head-bucket", "--bucket", bucket, env=env) in ("403",)
    assert error_code_of("s3api", "get-object", "--bucket", bucket, "--key", f"{prefix}any", str(work / "any"), env=env) == "SignatureDoesNotMatch"


@scenario("refusal-unknown-access-key")
def test_refusal_unknown_access_key():
    env = credentials_env(access_key="AKIAUNKNOWNKEY000000")
    assert error_code_of("s3api", "get-object", "--bucket", bucket, "--key", f"{prefix}any", str(work / "any"), env=env) == "InvalidAccessKeyId"


@scenario("refusal-list-buckets")
def test_refusal_list_buckets():
    assert error_code_of("s3", "ls") == "AccessDenied"


@scenario("refusal-create-bucket")
def test_refusal_create_bucket():
    assert error_code_of("s3", "mb", f"s3://{bucket}-new") == "AccessDenied"


@scenario("refusal-abort-multipart-upload")
def test_refusal_abort_multipart_upload():
    key = f"{prefix}abandoned-upload.bin"
    upload_id = aws("s3api", "create-multipart-upload", "--bucket", bucket, "--key", key)["UploadId"]
    assert upload_id
    # `--upload-id=ID`, not `--upload-id ID`: an id that starts with '-' would read as an option.
    assert error_code_of("s3api", "abort-multipart-upload", "--bucket", bucket, "--key", key, f"--upload-id={upload_id}") == "AccessDenied"
