"""Dataset statistics for the home page, computed by a periodic task into the cache."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone

from opensurfaces.core import cache as cache_keys
from opensurfaces.photos.models import Photo, SceneCategory

# Kept well past the refresh interval: a stale figure beats recomputing on a request.
STATS_TIMEOUT = 7 * 24 * 3600


def catalog_stats_compute() -> dict[str, Any]:
    """Count what the catalog holds (a handful of aggregate queries)."""
    counts = Photo.objects.aggregate(
        num_photos=Count("id"),
        num_synthetic=Count("id", filter=Q(synthetic=True)),
        num_publishable=Count("id", filter=Q(license__publishable=True)),
        num_clean=Count("id", filter=Photo.DEFAULT_FILTERS),
        num_shapes=Sum("num_shapes"),
    )
    return {
        "photos": counts["num_photos"],
        "synthetic": counts["num_synthetic"],
        "publishable": counts["num_publishable"],
        "clean": counts["num_clean"],
        "shapes": counts["num_shapes"] or 0,
        "scene_categories": SceneCategory.objects.filter(photos__isnull=False).distinct().count(),
        "computed_at": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
    }


def catalog_stats_refresh() -> dict[str, Any]:
    """Recompute the statistics and store them in the cache."""
    stats = catalog_stats_compute()
    cache.set(cache_keys.catalog_stats_key(), stats, STATS_TIMEOUT)
    return stats
