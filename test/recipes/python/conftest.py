"""pytest fixtures for code that talks to SMLL storage.

Run the suite under the emulator, which sets the S3_* variables for the command it runs:

    npx smll-storage exec --bucket uploads -- python -m pytest
"""
import os
import uuid

import boto3
import pytest


@pytest.fixture(scope="session")
def s3():
    # The client of SMLL's documentation, unchanged: production gets the same variables.
    return boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT"],
        region_name=os.environ["S3_REGION"],
        aws_access_key_id=os.environ["S3_ACCESS_KEY"],
        aws_secret_access_key=os.environ["S3_SECRET_KEY"],
    )


@pytest.fixture
def prefix(request):
    """A key prefix no other test uses: isolation without emptying the bucket."""
    return f"{request.node.name}-{uuid.uuid4()}/"
