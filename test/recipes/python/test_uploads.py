import botocore.exceptions
import pytest


def test_upload_and_read_back(s3, prefix, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"jpeg bytes")
    s3.upload_file(str(photo), "uploads", f"{prefix}uploads/photo.jpg")
    body = s3.get_object(Bucket="uploads", Key=f"{prefix}uploads/photo.jpg")["Body"].read()
    assert body == b"jpeg bytes"
    listed = s3.list_objects_v2(Bucket="uploads", Prefix=prefix)
    assert [o["Key"] for o in listed["Contents"]] == [f"{prefix}uploads/photo.jpg"]


def test_refused_as_smll_refuses(s3):
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        s3.create_bucket(Bucket="another-bucket")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
