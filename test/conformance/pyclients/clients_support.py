"""Shared by the pyarrow, s3fs, polars and minio-py runners: what each runner checks the emulator's
state with (independently of the client under test), test data, and the not-expressible reasons
common to several of these clients."""

import hashlib
import os

import botocore.session
from conformance_support import Target

target = Target()
# The PEM file to trust over https (the orchestrator sets it from the emulator's banner); each runner
# hands it to its client the way that client's documentation says.
ca_file = os.environ.get("AWS_CA_BUNDLE") if target.transport == "https" else None
# Taken out of the environment so that only the client's own documented setting can make https work
# (botocore, under s3fs, would otherwise pick AWS_CA_BUNDLE up by itself).
os.environ.pop("AWS_CA_BUNDLE", None)

BIG_SIZE = 40 * 1024 * 1024


def checker():
    """A plain botocore client (installed with s3fs) that reads what the client under test left on the
    server: ETags, metadata, keys; never used to perform a scenario itself."""
    return botocore.session.get_session().create_client(
        "s3", endpoint_url=target.endpoint, region_name=target.region, verify=ca_file or True,
        aws_access_key_id=target.access_key, aws_secret_access_key=target.secret_key)


def pattern_bytes(size, seed=b"clients"):
    """Deterministic, incompressible-looking bytes."""
    block = hashlib.sha256(seed).digest() * (1 << 15)
    return b"".join(i.to_bytes(4, "big") + block[4:] for i in range(size // len(block)))[:size]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def md5(data):
    return hashlib.md5(data).hexdigest()


def is_multipart_etag(etag):
    """A multipart object's ETag is "<md5 of the part md5s>-<part count>"."""
    return etag.strip('"').rsplit("-", 1)[-1].isdigit() and "-" in etag


def report_not_expressible(recorder, reasons):
    """Records every catalogue scenario named in `reasons` ({id: reason}) as not expressible."""
    for scenario_id, reason in reasons.items():
        recorder.not_expressible(scenario_id, reason)
