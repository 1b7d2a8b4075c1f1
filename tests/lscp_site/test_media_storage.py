"""Media on S3-compatible object storage, switched on by environment variables.

moto's server mode stands in for the bucket (S3, MinIO): it runs on a free loopback port,
the storage settings are built from the same variables production sets, and the picture
and its renditions must land in the bucket and be served from it.
"""

import io
import json
import socket
import urllib.request

from django.core.files.images import ImageFile
from django.test import override_settings

from wagtail.images import get_image_model

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image as PILImage

from lscp_site.settings.base import media_origin, media_storage

BUCKET = "lscp-media"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::{BUCKET}/*"],
        }
    ],
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",  # noqa: S106
        region_name="eu-west-2",
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    # Anyone may read, as compose's minio-setup and docs/deployment.md set the bucket up.
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    yield endpoint, client
    server.stop()


def environment(endpoint):
    return {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        # As compose sets it for MinIO: files served from the bucket's public address.
        "AWS_S3_CUSTOM_DOMAIN": f"{endpoint.split('://')[1]}/{BUCKET}",
        "AWS_S3_URL_PROTOCOL": "http:",
    }


def png(width=400, height=300):
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (0, 112, 60)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def test_without_a_bucket_media_stays_on_this_machine():
    assert media_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert media_origin(media_storage({})) is None


@pytest.mark.django_db
def test_an_uploaded_picture_and_its_renditions_are_stored_in_and_served_from_the_bucket(
    s3_endpoint, settings
):
    endpoint, client = s3_endpoint
    storage = media_storage(environment(endpoint))
    with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
        image = get_image_model().objects.create(
            title="Practitioners at a briefing", file=ImageFile(png(), name="briefing.png")
        )
        rendition = image.get_rendition("fill-200x150|format-webp")

        stored = {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET)["Contents"]}
        assert image.file.name in stored
        assert rendition.file.name in stored
        assert image.file.name.startswith("original_images/")
        assert rendition.file.name.startswith("images/")

        assert rendition.url.startswith(f"{endpoint}/{BUCKET}/images/")
        with urllib.request.urlopen(rendition.url, timeout=10) as response:  # noqa: S310
            served = PILImage.open(io.BytesIO(response.read()))
            assert response.status == 200
        assert served.format == "WEBP"
        assert served.size == (200, 150)


def test_pages_may_show_pictures_from_the_bucket_under_the_content_security_policy():
    storage = media_storage(environment("http://127.0.0.1:9000"))

    assert media_origin(storage) == "http://127.0.0.1:9000"
    assert media_origin(media_storage({"AWS_STORAGE_BUCKET_NAME": "b"})) == (
        "https://b.s3.amazonaws.com"
    )
