from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from opensurfaces.catalog import selectors
from opensurfaces.core import cache as cache_keys


def home(request: HttpRequest) -> HttpResponse:
    """The home page: what OpenSurfaces is, dataset statistics and recent photos."""
    generation = cache_keys.catalog_generation()
    recent = cache_keys.cached_fragment(
        cache_keys.recent_photos_key(generation=generation),
        lambda: render_to_string("catalog/_recent.html", {"photos": selectors.recent_photos()}),
        settings.FRAGMENT_CACHE_SECONDS,
    )
    return render(
        request, "catalog/home.html", {"stats": selectors.catalog_stats_get(), "recent": recent}
    )
