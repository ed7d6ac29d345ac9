"""Reads of the photo catalog. Each selector owns its joins; views add none."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from opensurfaces.core.pagination import KeysetPage, decode_cursor, keyset_page
from opensurfaces.photos.models import Photo, SceneCategory

ALL_SCENES = "all"


@dataclass(frozen=True)
class PhotoFilter:
    label: str
    condition: Q
    # Keyset ordering: non-null fields only, ending with the primary key.
    ordering: tuple[str, ...]


_VISIBLE = ~Q(inappropriate=True)
_BY_VERTICES = ("-num_vertices", "-id")

# The filter keys of /photos/scene/<scene>/<filter>/, in display order. Only these keys
# reach the ORM; anything else in the URL is a 404.
FILTERS: dict[str, PhotoFilter] = {
    "all": PhotoFilter("All", _VISIBLE, ("-id",)),
    "clean": PhotoFilter("Clean subset", Photo.DEFAULT_FILTERS, _BY_VERTICES),
    "wb": PhotoFilter(
        "White balanced", Photo.DEFAULT_FILTERS & Q(whitebalanced=True), _BY_VERTICES
    ),
    "nwb": PhotoFilter(
        "Not white balanced", Photo.DEFAULT_FILTERS & Q(whitebalanced=False), _BY_VERTICES
    ),
    "vp": PhotoFilter(
        "Vanishing points",
        Photo.DEFAULT_FILTERS & Q(vanishing_length__isnull=False),
        ("-vanishing_length", "-id"),
    ),
    "ls": PhotoFilter("Light stacks", _VISIBLE & Q(light_stack__isnull=False), _BY_VERTICES),
    "ia": PhotoFilter("Intrinsic images", _VISIBLE & Q(in_iiw_dataset=True), _BY_VERTICES),
    "id": PhotoFilter("Intrinsic (dense)", _VISIBLE & Q(in_iiw_dense_dataset=True), _BY_VERTICES),
    "syn": PhotoFilter("Synthetic", _VISIBLE & Q(synthetic=True), ("-id",)),
}
DEFAULT_FILTER = "all"


def scene_get(slug: str) -> SceneCategory | None:
    """Return the scene category for a URL slug; None means all scenes."""
    if slug == ALL_SCENES:
        return None
    return SceneCategory.objects.get(slug=slug)  # DoesNotExist -> 404 in the view


def _scene_photos(scene: SceneCategory | None) -> QuerySet[Photo]:
    photos = Photo.objects.all()
    return photos if scene is None else photos.filter(scene_category=scene)


def cursor_check(*, filter_key: str, cursor: str) -> None:
    """Raise InvalidCursor unless ``cursor`` is empty or a cursor of this filter's list."""
    if cursor:
        decode_cursor(cursor, len(FILTERS[filter_key].ordering))


def photo_page(
    *, scene: SceneCategory | None, filter_key: str, cursor: str | None, size: int
) -> KeysetPage:
    """Return one page of a browse list (raises InvalidCursor for a bad cursor)."""
    photo_filter = FILTERS[filter_key]
    shown = {"id", "thumbnails", "image_orig"}
    in_cursor = {field.lstrip("-") for field in photo_filter.ordering}
    photos = _scene_photos(scene).filter(photo_filter.condition).only(*shown | in_cursor)
    return keyset_page(photos, ordering=photo_filter.ordering, cursor=cursor, size=size)


def filter_counts(*, scene: SceneCategory | None) -> dict[str, int]:
    """Return the number of photos under each filter, in one query."""
    aggregates = {
        f"n_{key}": Count("id", filter=photo_filter.condition)
        for key, photo_filter in FILTERS.items()
    }
    counts = _scene_photos(scene).aggregate(**aggregates)
    return {key: counts[f"n_{key}"] for key in FILTERS}


def scene_counts(*, filter_key: str) -> list[tuple[SceneCategory, int]]:
    """Return every scene category with its number of photos under a filter, in one query."""
    condition = FILTERS[filter_key].condition
    categories = SceneCategory.objects.annotate(
        num_photos=Count("photos", filter=Q(photos__in=Photo.objects.filter(condition)))
    ).order_by("name")
    return [(category, category.num_photos) for category in categories]


def photo_detail(*, photo_id: int) -> Photo:
    """Return a photo with everything its page shows (raises Photo.DoesNotExist)."""
    return (
        Photo.objects.select_related("license", "scene_category", "flickr_user", "light_stack")
        .prefetch_related("ground_truth")
        .get(pk=photo_id)
    )
