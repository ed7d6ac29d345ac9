from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from opensurfaces.core import cache as cache_keys
from opensurfaces.core.pagination import InvalidCursor
from opensurfaces.photos import selectors
from opensurfaces.photos.models import Photo, SceneCategory


def browse(
    request: HttpRequest,
    scene: str = selectors.ALL_SCENES,
    filter_key: str = selectors.DEFAULT_FILTER,
) -> HttpResponse:
    """List photos of one scene category under one filter, a keyset page at a time."""
    if filter_key not in selectors.FILTERS:
        raise Http404("Unknown filter.")
    try:
        scene_category = selectors.scene_get(scene)
    except SceneCategory.DoesNotExist:
        raise Http404("Unknown scene category.") from None
    cursor = request.GET.get("after", "")
    try:
        selectors.cursor_check(filter_key=filter_key, cursor=cursor)
    except InvalidCursor:
        return HttpResponseBadRequest("Invalid page cursor.", content_type="text/plain")
    generation = cache_keys.catalog_generation()
    timeout = settings.FRAGMENT_CACHE_SECONDS

    def render_grid() -> str:
        page = selectors.photo_page(
            scene=scene_category,
            filter_key=filter_key,
            cursor=cursor or None,
            size=settings.PHOTOS_PER_PAGE,
        )
        return render_to_string("photos/_grid.html", {"page": page, "request_path": request.path})

    grid = cache_keys.cached_fragment(
        cache_keys.photo_grid_key(
            scene=scene, filter_key=filter_key, cursor=cursor, generation=generation
        ),
        render_grid,
        timeout,
    )
    if request.GET.get("fragment") == "1":
        return HttpResponse(grid)

    def render_sidebar() -> str:
        return render_to_string(
            "photos/_sidebar.html",
            {
                "scene_counts": selectors.scene_counts(filter_key=filter_key),
                "current_scene": scene,
                "filter_key": filter_key,
            },
        )

    def render_filters() -> str:
        counts = selectors.filter_counts(scene=scene_category)
        pills = [(key, f.label, counts[key]) for key, f in selectors.FILTERS.items()]
        return render_to_string(
            "photos/_filters.html", {"pills": pills, "scene": scene, "filter_key": filter_key}
        )

    sidebar = cache_keys.cached_fragment(
        cache_keys.scene_counts_key(filter_key=filter_key),
        render_sidebar,
        cache_keys.COUNTS_SECONDS,
    )
    filters = cache_keys.cached_fragment(
        cache_keys.filter_counts_key(scene=scene, filter_key=filter_key),
        render_filters,
        cache_keys.COUNTS_SECONDS,
    )
    return render(
        request,
        "photos/browse.html",
        {
            "scene_category": scene_category,
            "filter_label": selectors.FILTERS[filter_key].label,
            "grid": grid,
            "sidebar": sidebar,
            "filters": filters,
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one photo; the body is a cached fragment, dropped whenever the photo changes."""
    key = cache_keys.photo_detail_key(pk)
    body = cache.get(key)
    if body is None:
        try:
            photo = selectors.photo_detail(photo_id=pk)
        except Photo.DoesNotExist:
            raise Http404("No such photo.") from None
        body = render_to_string("photos/_detail_body.html", {"photo": photo})
        cache.set(key, body, settings.FRAGMENT_CACHE_SECONDS)
    return render(
        request,
        "photos/detail.html",
        {"photo_id": pk, "body": mark_safe(body)},  # noqa: S308
    )
