"""Cache keys and fragment caching, in one place.

Every key the project stores is built by a function here. ``KEY_VERSION`` is part of each
key: bump it when a template's output changes shape and every old entry is ignored.
The cache is never the only copy of anything: a miss re-renders from the database.

Invalidation is explicit: writes call the ``*_changed`` functions, which delete the
affected keys once the transaction commits (so a reader can't re-cache the old rows
between the delete and the commit). Lists whose contents depend on many rows use a
*generation* number that is part of their key; changing it orphans every old list entry.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

KEY_VERSION = 1

_CATALOG_GENERATION = f"v{KEY_VERSION}:catalog-generation"


_MAX_KEY_LENGTH = 200  # memcached refuses keys over 250 bytes, prefix included


def _key(*parts: object) -> str:
    """Join parts into a key; a key too long for memcached keeps its name and a digest."""
    key = ":".join([f"v{KEY_VERSION}", *(str(part) for part in parts)])
    if len(key) > _MAX_KEY_LENGTH or not key.isascii() or any(c.isspace() for c in key):
        digest = hashlib.sha256(key.encode()).hexdigest()
        key = f"v{KEY_VERSION}:{parts[0]}:{digest}"
    return key


# --- Generations ---


def catalog_generation() -> int:
    """Return the current catalog generation, starting a new one if the cache lost it."""
    generation = cache.get(_CATALOG_GENERATION)
    if generation is None:
        generation = time.time_ns()
        # add() so that concurrent cold starts agree on one value.
        if not cache.add(_CATALOG_GENERATION, generation, timeout=None):
            generation = cache.get(_CATALOG_GENERATION, generation)
    return generation


# --- Keys ---


def photo_detail_key(photo_id: int) -> str:
    return _key("photo-detail", photo_id)


def photo_grid_key(*, scene: str, filter_key: str, cursor: str, generation: int) -> str:
    return _key("photo-grid", generation, scene, filter_key, cursor or "-")


# Counts over the whole catalog cost a scan; they are kept for COUNTS_SECONDS rather
# than dropped on every change (lists themselves are always current).
COUNTS_SECONDS = 300


def scene_counts_key(*, filter_key: str) -> str:
    return _key("scene-counts", filter_key)


def filter_counts_key(*, scene: str, filter_key: str) -> str:
    return _key("filter-counts", scene, filter_key)


def recent_photos_key(*, generation: int) -> str:
    return _key("recent-photos", generation)


def catalog_stats_key() -> str:
    return _key("catalog-stats")


# --- Fragments ---


def cached_fragment(key: str, render: Callable[[], str], timeout: int | None = None) -> SafeString:
    """Return the HTML stored under ``key``, rendering and storing it on a miss."""
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, timeout)
    return mark_safe(html)  # noqa: S308  (rendered by our own templates, which escape)


# --- Invalidation ---


def _delete_on_commit(keys: Iterable[str], *, new_generation: bool) -> None:
    keys = list(keys)

    def delete() -> None:
        if keys:
            cache.delete_many(keys)
        if new_generation:
            cache.set(_CATALOG_GENERATION, time.time_ns(), timeout=None)

    transaction.on_commit(delete)


def photos_changed(photo_ids: Iterable[int]) -> None:
    """Forget every cached page that shows these photos (after the transaction commits)."""
    _delete_on_commit((photo_detail_key(pk) for pk in set(photo_ids)), new_generation=True)
