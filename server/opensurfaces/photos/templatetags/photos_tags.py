from django import template

register = template.Library()


@register.filter
def thumbnail_url(photo, size_key: str) -> str:
    """Return the URL of one of a photo's thumbnails (the original while it is missing)."""
    return photo.thumbnail_url(size_key)


@register.filter
def svg_points(vertices: list[float]) -> str:
    """Format [x1, y1, x2, y2, ...] as an SVG points attribute."""
    pairs = zip(vertices[0::2], vertices[1::2], strict=True)
    return " ".join(f"{x:.5f},{y:.5f}" for x, y in pairs)
