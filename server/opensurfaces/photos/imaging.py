"""Image inspection and thumbnails: pure functions over bytes, no ORM.

``inspect_image`` decides whether a file may enter the catalog; it refuses anything that
is not a complete, reasonably sized photograph, with a one-line reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "TIFF", "BMP"}

# Thumbnail sizes the pages use: key -> (mode, width, height).
#   "crop": fill exactly width x height, cropping the centre;
#   "fit":  fit within width x height, keeping the aspect ratio.
THUMBNAILS: dict[str, tuple[str, int, int]] = {
    "square300": ("crop", 300, 300),  # photo grids
    "fit512": ("fit", 512, 1024),  # home page strip
    "fit1024": ("fit", 1024, 2048),  # photo detail page
}
THUMBNAIL_QUALITY = 90

# 35 mm film frame: 36 x 24 mm; its longer side gives the field of view of the longer side.
_FILM_LONG_SIDE_MM = 36.0


class ImageRefused(ValueError):
    """The file cannot enter the catalog; ``str(exc)`` is a one-line reason."""


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int
    md5: str
    exif: dict[str, Any] = field(default_factory=dict)
    fov: float | None = None
    focal_y: float | None = None

    @property
    def aspect_ratio(self) -> float:
        return self.width / self.height


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def inspect_image(data: bytes, *, max_pixels: int) -> ImageInfo:
    """Return what the catalog stores about an image, or raise ImageRefused.

    Refused: empty or unreadable data, formats outside ACCEPTED_FORMATS, more than
    ``max_pixels`` pixels (decompression bombs), and files whose pixel data is truncated
    or corrupt (the whole image is decoded to find out).
    """
    if not data:
        raise ImageRefused("empty file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image_format = image.format or ""
                width, height = image.size
                if image_format not in ACCEPTED_FORMATS:
                    raise ImageRefused(f"unsupported image format {image_format or 'unknown'}")
                if width <= 0 or height <= 0:
                    raise ImageRefused("image has no pixels")
                if width * height > max_pixels:
                    raise ImageRefused(
                        f"image too large ({width}x{height} pixels, limit {max_pixels}): "
                        "possible decompression bomb"
                    )
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # decodes everything: truncated data fails here
                exif = image.getexif()
                orientation = exif.get(ExifTags.Base.Orientation, 1)
                if orientation in (5, 6, 7, 8):  # rotated by 90 degrees when displayed
                    width, height = height, width
                exif_dict = clean_exif(exif)
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused(f"image too large: possible decompression bomb ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise ImageRefused("not an image file") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRefused(f"corrupt or truncated image ({exc})") from exc
    fov = fov_from_exif(exif_dict)
    return ImageInfo(
        format=image_format,
        width=width,
        height=height,
        md5=md5_hex(data),
        exif=exif_dict,
        fov=fov,
        focal_y=focal_y_from_fov(fov, width, height) if fov else None,
    )


def _exif_value(value: Any) -> Any:
    if isinstance(value, bytes):
        text = value.rstrip(b"\x00").decode("ascii", errors="ignore")
        return text if text.isprintable() else None
    if isinstance(value, tuple | list):
        items = [_exif_value(v) for v in value]
        return items if all(v is not None for v in items) else None
    if isinstance(value, int | str):
        return value.strip("\x00") if isinstance(value, str) else value
    try:
        number = float(value)  # IFDRational and friends
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def clean_exif(exif: Image.Exif) -> dict[str, Any]:
    """Return readable EXIF tags (base and Exif IFD) as JSON-safe values."""
    tags: dict[str, Any] = {}
    sources = [exif.items()]
    with contextlib.suppress(KeyError, OSError, ValueError):
        sources.append(exif.get_ifd(ExifTags.IFD.Exif).items())
    for items in sources:
        for tag, raw in items:
            name = ExifTags.TAGS.get(tag)
            if not name or name in {"MakerNote", "UserComment", "ExifOffset", "GPSInfo"}:
                continue
            value = _exif_value(raw)
            if value is not None and len(str(value)) <= 512:
                tags[name] = value
    return tags


def fov_from_exif(exif: dict[str, Any]) -> float | None:
    """Return the field of view of the longer side in degrees, from the 35 mm focal length."""
    focal_35 = exif.get("FocalLengthIn35mmFilm")
    if not isinstance(focal_35, int | float) or focal_35 <= 0:
        return None
    return math.degrees(2 * math.atan(_FILM_LONG_SIDE_MM / (2 * float(focal_35))))


def focal_y_from_fov(fov: float, width: int, height: int) -> float:
    """Return the focal length in units of the image height, given the longer side's fov."""
    focal_pixels = (max(width, height) / 2) / math.tan(math.radians(fov) / 2)
    return focal_pixels / height


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def make_thumbnail(data: bytes, size_key: str) -> bytes:
    """Return a JPEG thumbnail of the image in ``data`` for one of THUMBNAILS."""
    mode, width, height = THUMBNAILS[size_key]
    with Image.open(io.BytesIO(data)) as opened:
        image = _to_rgb(ImageOps.exif_transpose(opened))
    if mode == "crop":
        image = ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)
    else:
        image.thumbnail((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True, progressive=True)
    return out.getvalue()
