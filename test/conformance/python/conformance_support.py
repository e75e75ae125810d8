"""Shared by the Python (boto3) and AWS CLI runners: the target from SMLL_* variables, the catalogue,
and one JSON result file per scenario in SMLL_RESULTS_DIR."""

import functools
import json
import os
import ssl
import traceback
import http.client
import urllib.parse
import uuid
from pathlib import Path

CATALOGUE = json.loads((Path(__file__).resolve().parents[3] / "fixtures/conformance/scenarios.json").read_text())["scenarios"]
KNOWN_IDS = {s["id"] for s in CATALOGUE}
# A client's own native flow (a Parquet write and read, a backup and restore) is reported beside the
# catalogue under an id of its own starting with this; MATRIX.md lists those in a table of their own.
FLOW_PREFIX = "flow-"


def _known(scenario_id):
    return scenario_id in KNOWN_IDS or scenario_id.startswith(FLOW_PREFIX)


def _required(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run this suite through 'npm run conformance', or set the SMLL_* variables.")
    return value


class Target:
    def __init__(self):
        self.endpoint = _required("SMLL_ENDPOINT")
        self.region = _required("SMLL_REGION")
        self.bucket = _required("SMLL_BUCKET")
        self.access_key = _required("SMLL_ACCESS_KEY")
        self.secret_key = _required("SMLL_SECRET_KEY")
        self.bucket2 = _required("SMLL_BUCKET2")
        self.access_key2 = _required("SMLL_ACCESS_KEY2")
        self.secret_key2 = _required("SMLL_SECRET_KEY2")
        self.transport = "https" if self.endpoint.startswith("https:") else "http"


class Recorder:
    """Writes `<SMLL_RESULTS_DIR>/<scenario>.json` for each scenario, as the orchestrator expects."""

    def __init__(self, sdk, sdk_version, transport):
        self.sdk = sdk
        self.sdk_version = sdk_version
        self.transport = transport
        self.results_dir = Path(_required("SMLL_RESULTS_DIR"))
        self.results_dir.mkdir(parents=True, exist_ok=True)

    def _write(self, scenario_id, outcome, detail):
        result = {"sdk": self.sdk, "sdkVersion": self.sdk_version, "transport": self.transport,
                  "scenario": scenario_id, "outcome": outcome, "detail": detail[:2000]}
        (self.results_dir / f"{scenario_id}.json").write_text(json.dumps(result, indent=2) + "\n")

    def scenario(self, scenario_id):
        """Decorates a pytest test that implements `scenario_id`; its outcome is recorded, failures re-raised."""
        if not _known(scenario_id):
            raise ValueError(f"{scenario_id!r} is not a scenario of fixtures/conformance/scenarios.json nor a {FLOW_PREFIX}* flow")

        def decorate(test):
            @functools.wraps(test)
            def run(*args, **kwargs):
                try:
                    test(*args, **kwargs)
                except BaseException as err:
                    detail = f"{type(err).__name__}: {err}"
                    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == test.__code__.co_filename]
                    if frames:
                        detail += f" (at line {frames[-1].lineno}: {frames[-1].line})"
                    self._write(scenario_id, "fail", detail)
                    raise
                self._write(scenario_id, "pass", "")
            return run
        return decorate

    def not_expressible(self, scenario_id, reason):
        """A scenario this client has no way to express: reported with the reason, never run."""
        if not _known(scenario_id):
            raise ValueError(f"{scenario_id!r} is not a scenario of fixtures/conformance/scenarios.json nor a {FLOW_PREFIX}* flow")
        self._write(scenario_id, "not-expressible", reason)


def run_prefix(sdk, transport):
    """Every key of a run lives under its own prefix, so runs against a shared endpoint never collide."""
    return f"conformance/{sdk}-{transport}-{uuid.uuid4().hex[:10]}/"


def plain_http(url, method="GET", body=None, headers=None, cafile=None):
    """A plain HTTP client (no SDK, adds no headers of its own such as urllib's default Content-Type),
    trusting `cafile`, else AWS_CA_BUNDLE like the SDKs do. Returns (status, body)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=cafile or os.environ.get("AWS_CA_BUNDLE"))
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, context=context, timeout=60)
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def multipart_form(fields, file_name, file_body):
    """A multipart/form-data body (browser form upload): returns (content_type, body)."""
    boundary = f"----smll{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + file_body + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)
