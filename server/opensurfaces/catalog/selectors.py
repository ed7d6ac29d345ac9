from __future__ import annotations

from typing import Any

from django.core.cache import cache

from opensurfaces.catalog.services import catalog_stats_refresh
from opensurfaces.core import cache as cache_keys
from opensurfaces.photos.models import Photo


def catalog_stats_get() -> dict[str, Any]:
    """Return the cached statistics, computing them now if the cache is cold."""
    stats = cache.get(cache_keys.catalog_stats_key())
    return stats if stats is not None else catalog_stats_refresh()


def recent_photos(*, limit: int = 12) -> list[Photo]:
    return list(
        Photo.objects.exclude(inappropriate=True)
        .only("id", "thumbnails", "image_orig")
        .order_by("-id")[:limit]
    )
