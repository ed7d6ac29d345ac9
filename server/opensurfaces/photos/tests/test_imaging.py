import io
import math

import pytest
from PIL import Image

from opensurfaces.photos import imaging

LIMIT = 10_000_000


def exif_with_35mm_focal(focal: int) -> Image.Exif:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0xA405] = focal  # FocalLengthIn35mmFilm
    exif[0x010F] = "TestCam"  # Make
    return exif


def test_inspect_reads_size_md5_and_format(image_bytes):
    data = image_bytes(120, 80, fmt="PNG")
    info = imaging.inspect_image(data, max_pixels=LIMIT)
    assert (info.format, info.width, info.height) == ("PNG", 120, 80)
    assert info.aspect_ratio == pytest.approx(1.5)
    assert info.md5 == imaging.md5_hex(data)
    assert info.fov is None and info.focal_y is None


def test_inspect_derives_fov_and_focal_length_from_exif(image_bytes):
    data = image_bytes(400, 300, exif=exif_with_35mm_focal(36))
    info = imaging.inspect_image(data, max_pixels=LIMIT)
    # A 36 mm equivalent lens sees 2*atan(0.5) of the long side.
    assert info.fov == pytest.approx(math.degrees(2 * math.atan(0.5)))
    # f = (400/2) / tan(fov/2) = 400 px = 4/3 of the height.
    assert info.focal_y == pytest.approx(400 / 300)
    assert info.exif["FocalLengthIn35mmFilm"] == 36
    assert info.exif["Make"] == "TestCam"


def test_inspect_swaps_size_for_rotated_orientation(image_bytes):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees when displayed
    info = imaging.inspect_image(image_bytes(120, 80, exif=exif), max_pixels=LIMIT)
    assert (info.width, info.height) == (80, 120)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"this is a text file, not an image\n" * 10, "not an image file"),
        (b"%PDF-1.4 fake pdf", "not an image file"),
    ],
)
def test_inspect_refuses_non_images(data, reason):
    with pytest.raises(imaging.ImageRefused, match=reason):
        imaging.inspect_image(data, max_pixels=LIMIT)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_inspect_refuses_truncated_images(fmt):
    # Noise does not compress, so cutting the file removes real pixel data.
    image = Image.frombytes("RGB", (256, 256), bytes(range(256)) * 768)
    out = io.BytesIO()
    image.save(out, fmt)
    data = out.getvalue()
    with pytest.raises(imaging.ImageRefused, match="corrupt or truncated"):
        imaging.inspect_image(data[: len(data) // 2], max_pixels=LIMIT)


def test_inspect_refuses_decompression_bombs():
    # A tiny PNG that claims to be 20000 x 20000 pixels.
    image = Image.new("L", (20000, 20000))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    assert len(out.getvalue()) < 1_000_000
    with pytest.raises(imaging.ImageRefused, match="decompression bomb"):
        imaging.inspect_image(out.getvalue(), max_pixels=LIMIT)


def test_inspect_refuses_unsupported_formats():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(imaging.ImageRefused, match="unsupported image format GIF"):
        imaging.inspect_image(out.getvalue(), max_pixels=LIMIT)


@pytest.mark.parametrize(("key", "expected"), [("square300", (300, 300)), ("fit512", (512, 256))])
def test_thumbnails_have_the_configured_size(image_bytes, key, expected):
    data = image_bytes(1000, 500, fmt="PNG")
    thumb = Image.open(io.BytesIO(imaging.make_thumbnail(data, key)))
    assert thumb.format == "JPEG"
    assert thumb.size == expected


def test_thumbnail_never_upscales(image_bytes):
    thumb = Image.open(io.BytesIO(imaging.make_thumbnail(image_bytes(100, 50), "fit1024")))
    assert thumb.size == (100, 50)


def test_thumbnail_flattens_transparency_on_white():
    out = io.BytesIO()
    Image.new("RGBA", (40, 40), (0, 0, 0, 0)).save(out, "PNG")
    thumb = Image.open(io.BytesIO(imaging.make_thumbnail(out.getvalue(), "fit512")))
    assert thumb.getpixel((20, 20)) == pytest.approx((255, 255, 255), abs=2)


def test_focal_y_for_portrait_uses_the_long_side():
    # Portrait: the long side is the height, so focal_y = 0.5 / tan(fov / 2).
    assert imaging.focal_y_from_fov(90.0, 300, 400) == pytest.approx(0.5)
