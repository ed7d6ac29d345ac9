from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve

admin.site.site_header = "OpenSurfaces administration"
admin.site.site_title = "OpenSurfaces"


def healthz(request):
    """Answer without touching the database: for load balancers and start-up checks."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("opensurfaces.catalog.urls")),
    path("photos/", include("opensurfaces.photos.urls")),
    path("", include("opensurfaces.crowd.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA and settings.MEDIA_STORAGE == "filesystem":
    # Without nginx in front (the embedded default), Django serves media itself.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
