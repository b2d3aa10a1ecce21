"""The upload checker on its own: what it keeps of an image (pixels, orientation), what it drops (metadata,
whatever trails), and the odd images it must refuse cleanly rather than fail on."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tenant_apps.core import uploads


def _file(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _jpeg_with_exif() -> bytes:
    """A 40 x 20 photo stored sideways (orientation 6) with a GPS position and a camera make in its EXIF."""
    picture = Image.new("RGB", (40, 20), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    exif[0x010F] = "SecretCam"
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_a_photo_keeps_its_orientation_and_loses_its_metadata():
    data = _jpeg_with_exif()
    assert b"SecretCam" in data
    checked = uploads.image_checked(_file(data))
    assert checked.name.endswith(".jpg") and checked.content_type == "image/jpeg"
    stored = checked.read()
    assert b"SecretCam" not in stored and b"Exif" not in stored
    picture = Image.open(io.BytesIO(stored))
    assert picture.size == (20, 40)  # turned upright
    assert not picture.getexif()


def test_a_checked_file_is_not_checked_twice():
    checked = uploads.image_checked(_file(_jpeg_with_exif()))
    assert uploads.image_checked(checked) is checked
    assert uploads.document_checked(checked) is checked


@pytest.mark.parametrize("mode", ["CMYK", "I;16", "LA", "P", "1"])
def test_unusual_image_modes_are_stored_as_ordinary_images(mode):
    picture = Image.new(mode, (16, 16))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG" if mode == "CMYK" else "PNG")
    checked = uploads.image_checked(_file(buffer.getvalue(), "x.img"))
    assert Image.open(io.BytesIO(checked.read())).mode in ("RGB", "RGBA")


def test_a_truncated_image_is_refused_as_not_an_image():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (1, 2, 3)).save(buffer, "PNG")
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.image_checked(_file(buffer.getvalue()[:200], "x.png"))
    assert refused.value.code == "not_image"


def test_a_webp_stays_a_webp_and_a_gif_becomes_a_png():
    for fmt, extension in (("WEBP", ".webp"), ("GIF", ".png")):
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), (9, 9, 9)).save(buffer, fmt)
        assert uploads.image_checked(_file(buffer.getvalue(), "x")).name.endswith(extension)


def test_the_pixel_limit_is_checked_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (5000, 2001)).save(buffer, "PNG")  # 10,005,000 pixels in a few KB
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.image_checked(_file(buffer.getvalue(), "x.png"), max_pixels=10_000_000)
    assert refused.value.code == "too_many_pixels"
