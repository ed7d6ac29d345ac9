"""Helpers for the test suites (no test runs from here)."""

from __future__ import annotations

import io


def make_image_bytes(
    width: int = 64, height: int = 48, *, fmt: str = "JPEG", seed: int = 0, exif=None
) -> bytes:
    """Return an image whose content (and so md5) depends on ``seed``."""
    from PIL import Image

    image = Image.new("RGB", (width, height), ((seed * 37) % 256, (seed * 91) % 256, 120))
    image.putpixel((0, 0), (seed % 256, (seed // 256) % 256, (seed // 65536) % 256))
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()
