"""Photos and thumbnails on S3-compatible storage, chosen by setting alone.

A local S3 stand-in (moto's server) is reached over HTTP by the real client (boto3 via
django-storages), as a MinIO or AWS bucket would be.
"""

import socket

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from opensurfaces.photos.services import PhotoSource, photo_create, photo_thumbnails_generate

pytestmark = pytest.mark.django_db

BUCKET = "opensurfaces-media"


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_media(settings, s3_endpoint):
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **credentials)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": "public-read",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])


def test_photos_and_thumbnails_live_in_the_bucket(s3_media, image_bytes, settings):
    data = image_bytes(640, 480, seed=77)
    photo = photo_create(data=data, filename="s3.jpg", source=PhotoSource())
    photo_thumbnails_generate(photo_id=photo.pk)
    photo.refresh_from_db()

    keys = {item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {photo.image_orig.name, *photo.thumbnails.values()}
    assert s3_media.get_object(Bucket=BUCKET, Key=photo.image_orig.name)["Body"].read() == data
    assert not (settings.MEDIA_ROOT / "photos").exists()  # nothing on local disk

    url = photo.thumbnail_url("square300")
    assert url.startswith(f"{s3_media.meta.endpoint_url}/{BUCKET}/")
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content[:2] == b"\xff\xd8"
